"""The review workflow: one table of steps (``TRANSITIONS``) and the functions that run them, revisions of
published records included."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from simple_history.utils import update_change_reason

from datasets.choices import ReviewStatusChoices
from datasets.models import ChangeTypeChoices, ReviewedRecord
from datasets.services.feed import record_change
from datasets.services.history import COPIED, authors, citation_model

# A revision's slug is its record's, this, and a number: "glm-4-6--revision-1".
REVISION_SLUG = "--revision-"
Status = ReviewStatusChoices


# Fields a revision never changes: identity, bookkeeping, the workflow's own fields.
NOT_REVISED = {"id", "slug", "created_at", "updated_at", "review_status", "version", "revision_of"}


class TransitionError(Exception):
    """A review-state change that the workflow does not allow."""


def can_review(user, record) -> bool:
    """Whether ``user`` holds the reviewer role for this kind of record."""
    return user is not None and user.has_perm(f"datasets.review_{record._meta.model_name}")


def wrote_part_of(record, user) -> bool:
    """Whether ``user`` wrote any of the content that publishing ``record`` would make public: then another
    reviewer must publish it (four eyes; ``authors()``)."""
    return user is not None and user.pk in authors(record)


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
    # Not by anyone who wrote part of what it makes public (``wrote_part_of``).
    four_eyes: bool = False

    def offered_for(self, record: ReviewedRecord, user) -> bool:
        """Whether to offer the step on ``record`` to ``user``: the record is in a state the step starts from,
        the user holds the role it needs and, for a four-eyes step, wrote none of the record. Its function still
        checks all of it again, and the rest (a reason, a stale record)."""
        return (
            record.review_status in self.from_states
            and (not self.reviewers_only or can_review(user, record))
            and not (self.four_eyes and wrote_part_of(record, user))
        )

    def run(self, record: ReviewedRecord, user, reason: str = "") -> ReviewedRecord:
        """Take the step on ``record`` as ``user``; returns the record to show next."""
        if self.needs_reason:
            return self.function(record, user, reason)
        return self.function(record, user)


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
    if wrote_part_of(record, reviewer):
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
            four_eyes=True,
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
    number = type(record).objects.filter(slug__startswith=f"{record.slug[:80]}{REVISION_SLUG}").count() + 1
    return f"{record.slug[:80]}{REVISION_SLUG}{number}"


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
