"""The curators' desk (the admin's index page): what waits for this user, what they have in hand, what was
published lately, and which published records are due for a check against their sources.

Due for a check (``recheck_queue``): a record of fact never checked, or checked longer ago than
``RECHECK_AFTER_DAYS``; and a measure or an access grant whose end date has come since it was last checked
(the Affiliates Rule's suspension ending on 2026-11-09, say: is it back in force, extended, rescinded?).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from datasets.choices import ReviewStatusChoices as Status
from datasets.models import AccessGrant, ChangeEvent, Chip, ExportControl, ModelRelease, Organization
from datasets.models.base import CuratedRecord, ReviewedRecord
from datasets.resources import RESOURCES
from datasets.services.workflow import can_review, wrote_part_of

# Every kind of reviewed record, in the API's order.
REVIEWED = tuple(resource.model for resource in RESOURCES)
# Records of each list shown on the desk, at most.
DESK_LIMIT = 25


@dataclass(frozen=True)
class Due:
    """A published record due for a check, and why."""

    record: CuratedRecord
    reason: str


def awaiting_review(user, limit: int = DESK_LIMIT) -> list[ReviewedRecord]:
    """The records in review that ``user`` may publish (a reviewer of their kind who wrote none of them),
    oldest first."""
    candidates = [
        record
        for model in REVIEWED
        if can_review(user, model())
        for record in model.objects.filter(review_status=Status.IN_REVIEW)
    ]
    waiting = []
    # Each author check reads the record's history: oldest first, only until the list is full.
    for record in sorted(candidates, key=lambda record: record.updated_at):
        if len(waiting) == limit:
            break
        if not wrote_part_of(record, user):
            waiting.append(record)
    return waiting


def own_drafts(user, limit: int = DESK_LIMIT) -> list[ReviewedRecord]:
    """The drafts ``user`` last edited, most recent first."""
    drafts = [
        record
        for model in REVIEWED
        for record in model.objects.filter(review_status=Status.DRAFT, last_edited_by=user).order_by("-updated_at")[
            :limit
        ]
    ]
    return sorted(drafts, key=lambda record: record.updated_at, reverse=True)[:limit]


def recent_publications(limit: int = 10) -> list[ChangeEvent]:
    """The change feed's newest entries."""
    return list(ChangeEvent.objects.order_by("-seq")[:limit])


def recheck_queue(today: datetime.date | None = None, limit: int = DESK_LIMIT) -> list[Due]:
    """Published records due for a check (the module's rule): ended since their check first, then never
    checked, then checked longest ago."""
    today = today or timezone.localdate()
    stale_before = today - datetime.timedelta(days=settings.RECHECK_AFTER_DAYS)
    ended = []
    for model in (ExportControl, AccessGrant):
        records = model.objects.filter(review_status=Status.PUBLISHED, ends_on__lte=today).filter(
            Q(status_checked_on__isnull=True) | Q(status_checked_on__lt=F("ends_on"))
        )
        ended += [Due(record, f"ended on {record.ends_on.isoformat()}, since its last check") for record in records]
    ended.sort(key=lambda due: due.record.ends_on)
    seen = {(type(due.record), due.record.pk) for due in ended}
    never, stale = [], []
    for model in (Organization, Chip, ModelRelease, AccessGrant, ExportControl):
        published = model.objects.filter(review_status=Status.PUBLISHED)
        for record in published.filter(status_checked_on__isnull=True).order_by("updated_at")[:limit]:
            if (model, record.pk) not in seen:
                never.append(Due(record, "never checked"))
        for record in published.filter(status_checked_on__lt=stale_before).order_by("status_checked_on")[:limit]:
            if (model, record.pk) not in seen:
                stale.append(Due(record, f"last checked on {record.status_checked_on.isoformat()}"))
    stale.sort(key=lambda due: due.record.status_checked_on)
    return (ended + never + stale)[:limit]
