"""State changes of registry records, as explicit functions.

The admin's actions and the management commands call these; nothing changes a record's review state
from ``save()`` or a signal. Each function checks that the transition is allowed and raises
``TransitionError`` with a message for the curator when it is not.
"""

from django.db import transaction

from datasets.choices import ReviewStatusChoices
from datasets.models import ReviewedRecord

Status = ReviewStatusChoices

# Which states each transition may start from.
ALLOWED_FROM = {
    "submit_for_review": {Status.DRAFT},
    "publish": {Status.IN_REVIEW},
    "withdraw": {Status.PUBLISHED},
    "return_to_draft": {Status.IN_REVIEW, Status.WITHDRAWN},
}


class TransitionError(Exception):
    """A review-state change that the workflow does not allow."""


def _transition(record: ReviewedRecord, name: str, target: str, note: str = "") -> ReviewedRecord:
    """Move ``record`` to ``target`` if the workflow allows it from its current state."""
    if record.review_status not in ALLOWED_FROM[name]:
        allowed = ", ".join(sorted(ALLOWED_FROM[name]))
        raise TransitionError(
            f"{record._meta.verbose_name} {record.slug!r} is {record.review_status}; "
            f"{name.replace('_', ' ')} needs a record that is {allowed}."
        )
    with transaction.atomic():
        record.review_status = target
        fields = ["review_status", "updated_at"]
        if note:
            record.curator_notes = f"{record.curator_notes}\n{note}".strip()
            fields.append("curator_notes")
        record.save(update_fields=fields)
    return record


def submit_for_review(record: ReviewedRecord) -> ReviewedRecord:
    """A draft is ready: ask a second person to review it."""
    return _transition(record, "submit_for_review", Status.IN_REVIEW)


def publish(record: ReviewedRecord) -> ReviewedRecord:
    """A reviewed record becomes public."""
    return _transition(record, "publish", Status.PUBLISHED)


def withdraw(record: ReviewedRecord, reason: str) -> ReviewedRecord:
    """Take a published record back from the public (records are withdrawn, never deleted)."""
    if not reason.strip():
        raise TransitionError("Withdrawing a record needs a reason.")
    return _transition(record, "withdraw", Status.WITHDRAWN, note=f"Withdrawn: {reason.strip()}")


def return_to_draft(record: ReviewedRecord) -> ReviewedRecord:
    """Send a record in review, or a withdrawn one, back to draft for more work."""
    return _transition(record, "return_to_draft", Status.DRAFT)


def default_grantor(model_release):
    """The grantor to assume for an access grant when none is given: the model's developer."""
    return model_release.developer if model_release is not None else None
