"""State changes of registry records, as explicit functions.

The admin's actions and buttons and the management commands call these; nothing changes a record's
review state from ``save()`` or a signal. Each function checks that the change is allowed and raises
``TransitionError`` (or ``EditConflict``) with a message for the curator when it is not.

The rules (README "Curating"):

- The workflow's steps are one table, ``TRANSITIONS``: each step's name, label, the states it starts from
  (draft -> in_review -> published; published -> withdrawn; in_review or withdrawn -> draft; published ->
  a draft revision), who may run it and its function here. Each function checks its step against the table,
  and the admin makes its buttons, actions and views from it.
- Publishing and withdrawing need the reviewer role (``review_<model>`` permission), and the reviewer who
  publishes wrote none of the content being published (four eyes, ``authors()``). Only a real change of a
  field, a relation or a citation counts as writing: a save that changes nothing records nothing.
- A published or withdrawn record is never edited in place (``ReviewedRecord.is_locked``): ``start_revision``
  makes a draft copy of a published one that goes through review, and publishing that copy applies it to the
  published record in one transaction. Until then the public keeps seeing the published version.
- Every change the public can see is appended to the change feed (``ChangeEvent``) in commit order, and the
  record's ``updated_at`` becomes that same instant.
- Records are withdrawn, never deleted: only a draft that the public never saw may be deleted
  (``delete_draft``); a record in review, published or withdrawn never is.
"""

from datasets.services.edits import (
    EditConflict,
    can_delete,
    delete_draft,
    describe_conflict,
    fill_default_grantor,
    revert_to,
    save_edit,
)
from datasets.services.feed import record_change, record_changes
from datasets.services.history import COPIED, authors, citation_model, content_state, was_public
from datasets.services.workflow import (
    TRANSITIONS,
    Status,
    Transition,
    TransitionError,
    can_review,
    publish,
    return_to_draft,
    start_revision,
    submit_for_review,
    withdraw,
)

__all__ = [
    "COPIED",
    "TRANSITIONS",
    "EditConflict",
    "Status",
    "Transition",
    "TransitionError",
    "authors",
    "can_delete",
    "can_review",
    "citation_model",
    "content_state",
    "delete_draft",
    "describe_conflict",
    "fill_default_grantor",
    "publish",
    "record_change",
    "record_changes",
    "return_to_draft",
    "revert_to",
    "save_edit",
    "start_revision",
    "submit_for_review",
    "was_public",
    "withdraw",
]
