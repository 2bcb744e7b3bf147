"""Edits of records outside the workflow's steps: saving a curator's edit against the version it started from,
deleting a draft the public never saw, reverting to an earlier version, and the defaults a record gets when
saved (the grantor of an access grant)."""

from django.db import transaction
from simple_history.utils import update_change_reason

from datasets.choices import ReviewStatusChoices
from datasets.models import AccessGrant, ReviewedRecord
from datasets.services.history import citation_model, content_state, was_public
from datasets.services.workflow import TransitionError, _citations_of, _copy_fields, _m2m_values, start_revision

Status = ReviewStatusChoices


class EditConflict(Exception):
    """Someone else saved the record since this edit started; saving it would lose their change."""


def save_edit(record: ReviewedRecord, user, expected_version: int, reason: str = "", related=None) -> bool:
    """Save a curator's edit of ``record``'s content, unless someone saved it since ``expected_version``.

    ``related``, if given, saves the record's relations and citations (the admin's forms and inlines) as
    part of the same edit. Only a real change is recorded: the edit then gets one history version (holding
    the fields, relations and citations as they now are), a new ``version`` and ``user`` as its editor. An
    edit that changes nothing records nothing, so that it makes nobody an author (``authors()``).

    Of two concurrent edits based on the same version exactly one wins: the stored row is locked and its
    version checked in the transaction that saves, and the other gets ``EditConflict`` naming what changed
    meanwhile. Returns whether anything changed.
    """
    model = type(record)
    if record.pk is not None and record.is_locked:
        raise TransitionError("A published record is changed through a revision (see start_revision).")
    with transaction.atomic():
        if record.pk is None:
            record.last_edited_by = user
            record._history_user = user
            record.save()
            if reason:
                update_change_reason(record, reason)
            stored = record
            before = content_state(record)
        else:
            stored = model._base_manager.select_for_update().get(pk=record.pk)
            if stored.version != expected_version:
                raise EditConflict(describe_conflict(record, expected_version))
            before = content_state(stored)
        if related is not None:
            # Relations saved without a history version each: the one version below holds the whole edit.
            record.skip_history_when_saving = True
            try:
                related()
            finally:
                del record.skip_history_when_saving
        after = content_state(record, fields_of=record)
        if after == before:
            return False
        record.version = stored.version + 1
        record.last_edited_by = user
        record._history_user = user
        record.save()
        if reason:
            update_change_reason(record, reason)
    return True


def can_delete(record: ReviewedRecord) -> bool:
    """Whether ``record`` may be deleted: a draft the public never saw. Records in review, published or
    withdrawn, and drafts that were once public, are withdrawn instead (mirrors must learn they went away)."""
    return record.review_status == Status.DRAFT and not was_public(record)


@transaction.atomic
def delete_draft(record: ReviewedRecord, user=None) -> None:
    """Delete a draft the public never saw (``can_delete``); any other record is refused."""
    if not can_delete(record):
        raise TransitionError(
            f"{record._meta.verbose_name} {record.slug!r} has been reviewed or public: it can be withdrawn, "
            "never deleted."
        )
    record._history_user = user
    record.delete()


def describe_conflict(record: ReviewedRecord, expected_version: int) -> str:
    """What changed in the stored record since ``expected_version``, and who changed it."""
    current = type(record).objects.get(pk=record.pk)
    newer = record.history.filter(version__gt=expected_version).order_by("history_date")
    changed: list[str] = []
    for historical in newer:
        previous = historical.prev_record
        if previous is None:
            continue
        for change in historical.diff_against(previous).changes:
            if change.field not in changed and change.field not in ("version", "updated_at", "last_edited_by"):
                changed.append(change.field)
    who = current.last_edited_by.get_username() if current.last_edited_by else "someone"
    fields = ", ".join(changed) or "its review state"
    return (
        f"{who} saved this {record._meta.verbose_name} while you were editing it (changed: {fields}). "
        "Your changes were not saved: reload the page to see theirs, then apply yours again."
    )


@transaction.atomic
def revert_to(record: ReviewedRecord, version, user) -> ReviewedRecord:
    """Go back to an earlier ``version`` (a historical record) of ``record``, through review.

    A published record gets a draft revision holding the old values; a draft or a record in review takes
    them as an ordinary edit by ``user``. Returns the record to review next.
    """
    if record.review_status == Status.PUBLISHED:
        return start_revision(record, user, source=version)
    if record.review_status == Status.WITHDRAWN:
        raise TransitionError("Return the withdrawn record to draft first, then revert it.")
    model = type(record)
    _copy_fields(version, record)
    cited = citation_model(model)

    def relations():
        for field in model._meta.many_to_many:
            getattr(record, field.name).set(_m2m_values(version, field))
        if cited is not None:
            wanted = _citations_of(record, version)
            record.citations.all().delete()
            for citation in wanted:
                record.citations.create(source_id=citation.source_id, locator=citation.locator, quote=citation.quote)

    reason = f"Reverted to the version of {version.history_date:%Y-%m-%d %H:%M}"
    save_edit(record, user, record.version, reason=reason, related=relations)
    return record


def fill_default_grantor(grant: AccessGrant) -> None:
    """Give an access grant that names no grantor the default one: its model's developer (a grant with no
    model keeps none). Every path that makes grants calls this, so that the default is the same everywhere."""
    if grant.grantor_id is None and grant.model is not None:
        grant.grantor_id = grant.model.developer_id
