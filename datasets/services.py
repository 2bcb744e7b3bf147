"""State changes of registry records, as explicit functions.

The admin's actions and buttons and the management commands call these; nothing changes a record's
review state from ``save()`` or a signal. Each function checks that the change is allowed and raises
``TransitionError`` (or ``EditConflict``) with a message for the curator when it is not.

The rules (README "Curating"):

- draft -> in_review -> published; published -> withdrawn; in_review or withdrawn -> draft.
- Publishing and withdrawing need the reviewer role (``review_<model>`` permission), and a reviewer cannot
  publish a record whose last change they made themselves (four eyes).
- A published record is never edited in place: ``start_revision`` makes a draft copy that goes through
  review, and publishing that copy applies it to the published record in one transaction. Until then the
  public keeps seeing the published version.
- Every change the public can see is appended to the change feed (``ChangeEvent``) in commit order.
"""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import update_change_reason

from datasets.choices import ReviewStatusChoices
from datasets.models import ChangeEvent, ChangeTypeChoices, ReviewedRecord

Status = ReviewStatusChoices

# Which states each transition may start from.
ALLOWED_FROM = {
    "submit_for_review": {Status.DRAFT},
    "publish": {Status.IN_REVIEW},
    "withdraw": {Status.PUBLISHED},
    "return_to_draft": {Status.IN_REVIEW, Status.WITHDRAWN},
}
# Any 64-bit number, the same everywhere: the PostgreSQL advisory lock that orders the change feed.
FEED_LOCK = 0x41495F5245474953

# Fields a revision never changes: identity, bookkeeping, the workflow's own fields.
NOT_REVISED = {"id", "slug", "created_at", "updated_at", "review_status", "version", "revision_of"}


class TransitionError(Exception):
    """A review-state change that the workflow does not allow."""


class EditConflict(Exception):
    """Someone else saved the record since this edit started; saving it would lose their change."""


def resource_name(model) -> str:
    """The API resource of a model: "model-releases"."""
    return str(model._meta.verbose_name_plural).replace(" ", "-")


def can_review(user, record) -> bool:
    """Whether ``user`` holds the reviewer role for this kind of record."""
    return user is not None and user.has_perm(f"datasets.review_{record._meta.model_name}")


def record_change(record: ReviewedRecord, change: str) -> ChangeEvent:
    """Append a public change of ``record`` to the feed. Call inside the transaction that makes the change."""
    return record_changes([(type(record), record.slug, change)])[0]


def record_changes(changes: list[tuple[type, str, str]]) -> list[ChangeEvent]:
    """Append public changes, given as (model, slug, change type), to the feed, in that order.

    On PostgreSQL a transaction-scoped advisory lock makes feed writers take turns until they commit, so
    sequence numbers become visible in order; SQLite allows one writer at a time anyway.
    """
    if not changes:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])
    now = timezone.now()
    events = [
        ChangeEvent(resource=resource_name(model), slug=slug, change=change, changed_at=now)
        for model, slug, change in changes
    ]
    return ChangeEvent.objects.bulk_create(events)


def _check_from(record: ReviewedRecord, name: str) -> None:
    if record.review_status not in ALLOWED_FROM[name]:
        allowed = " or ".join(sorted(ALLOWED_FROM[name]))
        raise TransitionError(
            f"{record._meta.verbose_name} {record.slug!r} is {record.review_status}; "
            f"{name.replace('_', ' ')} needs a record that is {allowed}."
        )


def _claim(record: ReviewedRecord) -> None:
    """Bump the stored version if the record is still as this instance knows it; otherwise someone changed
    it meanwhile and acting on a stale state would be wrong (a conditional update: safe on every backend)."""
    claimed = (
        type(record)
        .objects.filter(pk=record.pk, version=record.version, review_status=record.review_status)
        .update(version=F("version") + 1)
    )
    if not claimed:
        raise TransitionError(
            f"{record._meta.verbose_name} {record.slug!r} was changed by someone else meanwhile: reload it and retry."
        )
    record.version += 1


def _set_status(record: ReviewedRecord, status: str, user, reason: str, *extra_fields: str) -> None:
    _claim(record)
    record.review_status = status
    record._history_user = user
    record.save(update_fields=["review_status", "version", "updated_at", *extra_fields])
    update_change_reason(record, reason)


def _check_reviewer(record: ReviewedRecord, user, verb: str) -> None:
    if not can_review(user, record):
        raise TransitionError(f"Only a reviewer can {verb} {record._meta.verbose_name_plural}.")


@transaction.atomic
def submit_for_review(record: ReviewedRecord, user=None) -> ReviewedRecord:
    """A draft is ready: ask a second person to review it."""
    _check_from(record, "submit_for_review")
    _set_status(record, Status.IN_REVIEW, user, "Submitted for review")
    return record


@transaction.atomic
def publish(record: ReviewedRecord, reviewer) -> ReviewedRecord:
    """A reviewed record becomes public; a reviewed revision is applied to the record it revises.

    Returns the public record.
    """
    _check_from(record, "publish")
    _check_reviewer(record, reviewer, "publish")
    if record.last_edited_by_id is not None and record.last_edited_by_id == reviewer.pk:
        raise TransitionError(
            f"{record._meta.verbose_name} {record.slug!r} was last changed by you: "
            "another reviewer must publish it (four eyes)."
        )
    if record.revision_of_id is not None:
        return _apply_revision(record, reviewer)
    _set_status(record, Status.PUBLISHED, reviewer, "Published")
    record_change(record, ChangeTypeChoices.PUBLISHED)
    return record


@transaction.atomic
def withdraw(record: ReviewedRecord, reviewer, reason: str) -> ReviewedRecord:
    """Take a published record back from the public (records are withdrawn, never deleted)."""
    _check_from(record, "withdraw")
    _check_reviewer(record, reviewer, "withdraw")
    if not reason.strip():
        raise TransitionError("Withdrawing a record needs a reason.")
    record.curator_notes = f"{record.curator_notes}\nWithdrawn: {reason.strip()}".strip()
    _set_status(record, Status.WITHDRAWN, reviewer, f"Withdrawn: {reason.strip()}", "curator_notes")
    record_change(record, ChangeTypeChoices.WITHDRAWN)
    return record


@transaction.atomic
def return_to_draft(record: ReviewedRecord, user=None) -> ReviewedRecord:
    """Send a record in review, or a withdrawn one, back to draft for more work."""
    _check_from(record, "return_to_draft")
    _set_status(record, Status.DRAFT, user, "Returned to draft")
    return record


def save_edit(record: ReviewedRecord, user, expected_version: int, reason: str = "") -> ReviewedRecord:
    """Save a curator's edit of ``record``'s content, unless someone saved it since ``expected_version``.

    The version check and the save happen in one transaction with a conditional update, so of two
    concurrent edits based on the same version exactly one wins; the other gets ``EditConflict`` naming
    what changed meanwhile.
    """
    model = type(record)
    if record.pk is not None and record.review_status == Status.PUBLISHED:
        raise TransitionError("A published record is changed through a revision (see start_revision).")
    with transaction.atomic():
        if record.pk is not None:
            claimed = model.objects.filter(pk=record.pk, version=expected_version).update(version=F("version") + 1)
            if not claimed:
                raise EditConflict(describe_conflict(record, expected_version))
            record.version = expected_version + 1
        record.last_edited_by = user
        record._history_user = user
        record.save()
        if reason:
            update_change_reason(record, reason)
    return record


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
def start_revision(record: ReviewedRecord, user, source=None) -> ReviewedRecord:
    """A draft copy of a published record (with its relations and citations) to edit and review.

    ``source`` (a record or a historical version of it) gives the copy's values, for reverting to an earlier
    version; by default the record itself. The published record stays as it is until the copy is published.
    """
    if record.review_status != Status.PUBLISHED:
        raise TransitionError("Only a published record needs a revision; edit this one directly.")
    existing = type(record).objects.filter(revision_of=record).exclude(review_status=Status.WITHDRAWN).first()
    if existing is not None:
        raise TransitionError(f"{record.slug!r} already has a revision under way: {existing.slug!r}.")
    model = type(record)
    source = source or record
    copy = model(revision_of=record, review_status=Status.DRAFT, last_edited_by=user)
    for field in model._meta.concrete_fields:
        if field.name not in NOT_REVISED and field.name != "last_edited_by":
            setattr(copy, field.attname, getattr(source, field.attname))
    copy.slug = _revision_slug(record)
    copy._history_user = user
    copy.save()
    update_change_reason(copy, f"Revision of {record.slug}")
    for field in model._meta.many_to_many:
        getattr(copy, field.name).set(_m2m_values(source, field))
    citations = record.citations.all() if source is record else _historical_citations(record, source)
    for citation in citations:
        copy.citations.create(source_id=citation.source_id, locator=citation.locator, quote=citation.quote)
    return copy


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
    for field in model._meta.concrete_fields:
        if field.name not in NOT_REVISED and field.name != "last_edited_by":
            setattr(record, field.attname, getattr(version, field.attname))
    save_edit(record, user, record.version, reason=f"Reverted to the version of {version.history_date:%Y-%m-%d %H:%M}")
    for field in model._meta.many_to_many:
        getattr(record, field.name).set(_m2m_values(version, field))
    wanted = _historical_citations(record, version)
    record.citations.all().delete()
    for citation in wanted:
        record.citations.create(source_id=citation.source_id, locator=citation.locator, quote=citation.quote)
    return record


def _revision_slug(record: ReviewedRecord) -> str:
    number = type(record).objects.filter(slug__startswith=f"{record.slug[:80]}--revision-").count() + 1
    return f"{record.slug[:80]}--revision-{number}"


def _m2m_values(source, field) -> list:
    """The targets of a many-to-many field, of a record or of a historical version of one (whose rows
    point at the targets from the history's own table)."""
    if hasattr(source, "history_id"):
        target = field.m2m_reverse_field_name()
        return [getattr(row, f"{target}_id") for row in getattr(source, field.name).all()]
    return list(getattr(source, field.name).all())


def _historical_citations(record: ReviewedRecord, version) -> list:
    """The citations the record had at the time of ``version``."""
    citation_model = type(record).citations.rel.related_model
    return list(citation_model.history.as_of(version.history_date).filter(record_id=record.pk))


def _apply_revision(revision: ReviewedRecord, reviewer) -> ReviewedRecord:
    """Copy a reviewed revision onto the record it revises, then remove the revision (it was never public)."""
    model = type(revision)
    _claim(revision)
    record = model.objects.select_for_update().get(pk=revision.revision_of_id)
    for field in model._meta.concrete_fields:
        if field.name not in NOT_REVISED:
            setattr(record, field.attname, getattr(revision, field.attname))
    # Relations first, without a history entry each: the record's one history entry below then holds
    # the whole new version, as the public sees it from this commit on.
    record.skip_history_when_saving = True
    for field in model._meta.many_to_many:
        getattr(record, field.name).set(getattr(revision, field.name).all())
    del record.skip_history_when_saving
    record.version += 1
    record._history_user = reviewer
    record.save()
    update_change_reason(record, f"Revision {revision.slug} published")
    wanted = {(c.source_id, c.locator): c.quote for c in revision.citations.all()}
    for citation in record.citations.all():
        if (citation.source_id, citation.locator) not in wanted:
            citation.delete()
        elif citation.quote != wanted[(citation.source_id, citation.locator)]:
            citation.quote = wanted[(citation.source_id, citation.locator)]
            citation.save()
    have = set(record.citations.values_list("source_id", "locator"))
    for (source_id, locator), quote in wanted.items():
        if (source_id, locator) not in have:
            record.citations.create(source_id=source_id, locator=locator, quote=quote)
    revision.delete()
    record_change(record, ChangeTypeChoices.UPDATED)
    return record


def default_grantor(model_release):
    """The grantor to assume for an access grant when none is given: the model's developer."""
    return model_release.developer if model_release is not None else None
