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

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import update_change_reason

from datasets.choices import ReviewStatusChoices
from datasets.models import PRIVATE_FIELDS, AccessGrant, ChangeEvent, ChangeTypeChoices, ReviewedRecord
from datasets.querysets import published_lookup
from datasets.resources import resource_of

Status = ReviewStatusChoices

# Records whose updated_at one statement sets (within every database's limit of parameters).
UPDATE_BATCH = 500
# Any 64-bit number, the same everywhere: the PostgreSQL advisory lock that orders the change feed.
FEED_LOCK = 0x41495F5245474953

# Fields a revision never changes: identity, bookkeeping, the workflow's own fields.
NOT_REVISED = {"id", "slug", "created_at", "updated_at", "review_status", "version", "revision_of"}
# Bookkeeping that every save moves: never a change of content by itself.
BOOKKEEPING = {"id", "created_at", "updated_at", "version", "last_edited_by"}
# What the public never sees, so writing it is no authorship of what is published (a reviewer may note things).
NOT_AUTHORED = {*BOOKKEEPING, *PRIVATE_FIELDS}
# The history reason of citations that the workflow copies or applies: nobody wrote them then.
COPIED = "Copied by the review workflow"


class TransitionError(Exception):
    """A review-state change that the workflow does not allow."""


class EditConflict(Exception):
    """Someone else saved the record since this edit started; saving it would lose their change."""


def resource_name(model) -> str:
    """The API resource of a model: "model-releases" (``datasets.resources``)."""
    return resource_of(model).name


def can_review(user, record) -> bool:
    """Whether ``user`` holds the reviewer role for this kind of record."""
    return user is not None and user.has_perm(f"datasets.review_{record._meta.model_name}")


@dataclass(frozen=True)
class Transition:
    """One step of the review workflow: a row of ``TRANSITIONS``."""

    # Stable: the step's admin URL segment and list action name.
    name: str
    # The button's text, and the title of the page that confirms the step.
    label: str
    # The review states the step may start from.
    from_states: tuple[str, ...]
    # The function that takes the step: function(record, user), or function(record, user, reason).
    function: Callable[..., ReviewedRecord]
    # What the step did, for messages: "3 record(s) published."
    done: str
    # Who may run it: reviewers only (``can_review``), or any curator.
    reviewers_only: bool = False
    # The step's list action ("... selected records ..."); empty for a step taken one record at a time.
    action: str = ""
    # The step asks why (kept in the record's notes and history).
    needs_reason: bool = False

    def offered_for(self, record: ReviewedRecord, user) -> bool:
        """Whether to offer the step on ``record`` to ``user``: the record is in a state the step starts from
        and the user may run it. Its function still checks the rest (four eyes, a reason, a stale record)."""
        return record.review_status in self.from_states and (not self.reviewers_only or can_review(user, record))

    def run(self, record: ReviewedRecord, user, reason: str = "") -> ReviewedRecord:
        """Take the step on ``record`` as ``user``; returns the record to show next."""
        if self.needs_reason:
            return self.function(record, user, reason)
        return self.function(record, user)


def record_change(record: ReviewedRecord, change: str) -> ChangeEvent:
    """Append a public change of ``record`` to the feed. Call inside the transaction that makes the change."""
    event = record_changes([(type(record), record.slug, change)])[0]
    record.updated_at = event.changed_at
    return event


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
    # A record's updated_at says when its public content last changed: the instant the feed records, so that
    # ``updated_since`` and the feed agree.
    slugs_by_model: dict = {}
    for model, slug, _ in changes:
        slugs_by_model.setdefault(model, []).append(slug)
    for model, slugs in slugs_by_model.items():
        for start in range(0, len(slugs), UPDATE_BATCH):
            model._base_manager.filter(slug__in=slugs[start : start + UPDATE_BATCH]).update(updated_at=now)
    return ChangeEvent.objects.bulk_create(events)


def _check_allowed(record: ReviewedRecord, user, name: str, refusal: str = "") -> None:
    """Refuse step ``name`` unless ``TRANSITIONS`` allows it from the record's state and to the user's role
    (``refusal``, if given, is the message for a record in another state)."""
    transition = TRANSITIONS[name]
    verb = name.replace("_", " ")
    if record.review_status not in transition.from_states:
        allowed = " or ".join(sorted(transition.from_states))
        raise TransitionError(
            refusal
            or f"{record._meta.verbose_name} {record.slug!r} is {record.review_status}; "
            f"{verb} needs a record that is {allowed}."
        )
    if transition.reviewers_only and not can_review(user, record):
        raise TransitionError(f"Only a reviewer can {verb} {record._meta.verbose_name_plural}.")


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


@transaction.atomic
def submit_for_review(record: ReviewedRecord, user=None) -> ReviewedRecord:
    """A draft is ready: ask a second person to review it."""
    _check_allowed(record, user, "submit_for_review")
    _set_status(record, Status.IN_REVIEW, user, "Submitted for review")
    return record


@transaction.atomic
def publish(record: ReviewedRecord, reviewer) -> ReviewedRecord:
    """A reviewed record becomes public; a reviewed revision is applied to the record it revises.

    Returns the public record.
    """
    _check_allowed(record, reviewer, "publish")
    if reviewer.pk in authors(record):
        raise TransitionError(
            f"You wrote part of {record._meta.verbose_name} {record.slug!r}: "
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
    _check_allowed(record, reviewer, "withdraw")
    if not reason.strip():
        raise TransitionError("Withdrawing a record needs a reason.")
    record.curator_notes = f"{record.curator_notes}\nWithdrawn: {reason.strip()}".strip()
    _set_status(record, Status.WITHDRAWN, reviewer, f"Withdrawn: {reason.strip()}", "curator_notes")
    record_change(record, ChangeTypeChoices.WITHDRAWN)
    return record


@transaction.atomic
def return_to_draft(record: ReviewedRecord, user=None) -> ReviewedRecord:
    """Send a record in review, or a withdrawn one, back to draft for more work."""
    _check_allowed(record, user, "return_to_draft")
    _set_status(record, Status.DRAFT, user, "Returned to draft")
    return record


@transaction.atomic
def start_revision(record: ReviewedRecord, user, source=None) -> ReviewedRecord:
    """A draft copy of a published record (with its relations and citations) to edit and review.

    ``source`` (a historical version of the record) gives the copy's values, for reverting to an earlier
    version; by default the record itself, whose copy is nobody's writing. The published record stays as it is
    until the copy is published.
    """
    _check_allowed(record, user, "start_revision", "Only a published record needs a revision; edit this one directly.")
    existing = type(record).objects.filter(revision_of=record).exclude(review_status=Status.WITHDRAWN).first()
    if existing is not None:
        raise TransitionError(f"{record.slug!r} already has a revision under way: {existing.slug!r}.")
    model = type(record)
    reverting = source is not None
    source = source or record
    copy = model(revision_of=record, review_status=Status.DRAFT, last_edited_by=user if reverting else None)
    _copy_fields(source, copy)
    copy.slug = _revision_slug(record)
    # The copy's first version is written once its relations and citations are in place, so that it holds
    # the whole copy.
    copy.skip_history_when_saving = True
    copy.save()
    for field in model._meta.many_to_many:
        getattr(copy, field.name).set(_m2m_values(source, field))
    cited = citation_model(model)
    if cited is not None:
        for citation in _citations_of(record, source):
            _copy_citation(cited, copy, citation)
    del copy.skip_history_when_saving
    copy._history_user = user
    copy.save()
    update_change_reason(copy, f"Revision of {record.slug}")
    return copy


# The review workflow's steps, in the order the admin shows them.
TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in (
        Transition(
            "submit_for_review",
            label="Submit for review",
            from_states=(Status.DRAFT,),
            function=submit_for_review,
            done="submitted for review",
            action="Submit selected records for review",
        ),
        Transition(
            "publish",
            label="Publish",
            from_states=(Status.IN_REVIEW,),
            function=publish,
            done="published",
            reviewers_only=True,
            action="Publish selected records (reviewed)",
        ),
        Transition(
            "return_to_draft",
            label="Return to draft",
            from_states=(Status.IN_REVIEW, Status.WITHDRAWN),
            function=return_to_draft,
            done="returned to draft",
            action="Return selected records to draft",
        ),
        # Makes a new record to edit, so one record at a time: no list action.
        Transition(
            "start_revision",
            label="Propose a change",
            from_states=(Status.PUBLISHED,),
            function=start_revision,
            done="revised",
        ),
        Transition(
            "withdraw",
            label="Withdraw",
            from_states=(Status.PUBLISHED,),
            function=withdraw,
            done="withdrawn",
            reviewers_only=True,
            needs_reason=True,
        ),
    )
}


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


def content_state(record: ReviewedRecord, fields_of=None) -> dict:
    """What a curator can change about a stored record: its field values (of ``fields_of`` if given, else as
    stored), its relations and its citations; two equal states mean nothing was changed."""
    model = type(record)
    names = [field.attname for field in model._meta.concrete_fields if field.name not in BOOKKEEPING]
    if fields_of is None:
        fields = model._base_manager.filter(pk=record.pk).values(*names).get()
    else:
        fields = {name: getattr(fields_of, name) for name in names}
    relations = {
        field.name: sorted(getattr(record, field.name).values_list("pk", flat=True))
        for field in model._meta.many_to_many
    }
    cited = citation_model(model)
    citations = (
        sorted(cited.objects.filter(record_id=record.pk).values_list("source_id", "locator", "quote"))
        if cited is not None
        else []
    )
    return {"fields": fields, "relations": relations, "citations": citations}


def citation_model(model):
    """The citation table of a kind of record, or None for a kind that cites nothing (a source)."""
    citations = getattr(model, "citations", None)
    return citations.rel.related_model if citations is not None else None


def authors(record: ReviewedRecord) -> set:
    """The users (ids) who wrote the content that publishing ``record`` would make public.

    That is everyone who changed its public content (a field, a relation or a citation) since the public last
    saw it; for a record never published, since it was created; for a revision, since it was copied from the
    record it revises (a copy is nobody's writing; going back to an older version is). Read from the record's
    history, so it holds whatever path the change took.
    """
    model = type(record)
    rows = list(record.history.order_by("history_date", "history_id"))
    public = [number for number, row in enumerate(rows) if row.review_status == Status.PUBLISHED]
    since = None
    if public:
        previous = _public_content(rows[public[-1]], model)
        since = rows[public[-1]].history_date
        rows = rows[public[-1] + 1 :]
    elif record.revision_of_id is not None and rows:
        revised = record.revision_of.history.filter(history_date__lte=rows[0].history_date).order_by(
            "-history_date", "-history_id"
        )
        previous = _public_content(revised.first(), model) if revised.exists() else None
    else:
        previous = None
    written = set()
    for row in rows:
        content = _public_content(row, model)
        if content != previous and row.history_user_id is not None:
            written.add(row.history_user_id)
        previous = content
    # Citations changed by any path that left no version of the record itself count too.
    cited = citation_model(model)
    if cited is not None:
        changes = cited.history.filter(record_id=record.pk).exclude(history_change_reason=COPIED)
        if since is not None:
            changes = changes.filter(history_date__gt=since)
        written.update(changes.exclude(history_user_id=None).values_list("history_user_id", flat=True))
    return written


def _public_content(row, model) -> dict | None:
    """The public content of a historical version: fields, relations and the citations it had then."""
    if row is None:
        return None
    fields = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if field.name not in NOT_AUTHORED and field.name != "slug"
    }
    for field in model._meta.many_to_many:
        target = field.m2m_reverse_field_name()
        fields[field.name] = sorted(getattr(item, f"{target}_id") for item in getattr(row, field.name).all())
    cited = citation_model(model)
    if cited is not None:
        fields["citations"] = sorted(
            (c.source_id, c.locator, c.quote) for c in cited.history.as_of(row.history_date).filter(record_id=row.id)
        )
    return fields


def was_public(record: ReviewedRecord) -> bool:
    """Whether the public ever saw ``record`` (it was published at some point)."""
    return record.history.filter(published_lookup()).exists()


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


def _copy_fields(source, target) -> None:
    """Copy the content fields of ``source`` (a record or a historical version) onto ``target``."""
    for field in type(target)._meta.concrete_fields:
        if field.name not in NOT_REVISED and field.name != "last_edited_by":
            setattr(target, field.attname, getattr(source, field.attname))


def _copy_citation(cited, record, citation) -> None:
    """Cite on ``record`` what ``citation`` cites, as the workflow's copy (nobody's writing)."""
    copy = cited(record=record, source_id=citation.source_id, locator=citation.locator, quote=citation.quote)
    copy._change_reason = COPIED
    copy.save()


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


def _citations_of(record: ReviewedRecord, source) -> list:
    """The citations of ``record`` now (``source`` is the record) or at the time of ``source`` (a version)."""
    if source is record:
        return list(record.citations.all())
    return list(citation_model(type(record)).history.as_of(source.history_date).filter(record_id=record.pk))


def _apply_revision(revision: ReviewedRecord, reviewer) -> ReviewedRecord:
    """Copy a reviewed revision onto the record it revises, then remove the revision (it was never public)."""
    model = type(revision)
    _claim(revision)
    record = model.objects.select_for_update().get(pk=revision.revision_of_id)
    _copy_fields(revision, record)
    # Relations and citations first, without a history version each: the record's one version below then
    # holds the whole new version, as the public sees it from this commit on.
    record.skip_history_when_saving = True
    for field in model._meta.many_to_many:
        getattr(record, field.name).set(getattr(revision, field.name).all())
    del record.skip_history_when_saving
    cited = citation_model(model)
    if cited is not None:
        # The reviewed citations, applied by the workflow: nobody's writing (``authors()``).
        wanted = {(c.source_id, c.locator): c.quote for c in revision.citations.all()}
        for citation in record.citations.all():
            citation._change_reason = COPIED
            if (citation.source_id, citation.locator) not in wanted:
                citation.delete()
            elif citation.quote != wanted[(citation.source_id, citation.locator)]:
                citation.quote = wanted[(citation.source_id, citation.locator)]
                citation.save()
        have = set(record.citations.values_list("source_id", "locator"))
        for (source_id, locator), quote in wanted.items():
            if (source_id, locator) not in have:
                _copy_citation(cited, record, cited(source_id=source_id, locator=locator, quote=quote))
    record.version += 1
    record._history_user = reviewer
    record.save()
    update_change_reason(record, f"Revision {revision.slug} published")
    revision.delete()
    record_change(record, ChangeTypeChoices.UPDATED)
    return record


def fill_default_grantor(grant: AccessGrant) -> None:
    """Give an access grant that names no grantor the default one: its model's developer (a grant with no
    model keeps none). Every path that makes grants calls this, so that the default is the same everywhere."""
    if grant.grantor_id is None and grant.model is not None:
        grant.grantor_id = grant.model.developer_id
