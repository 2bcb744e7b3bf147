"""The public change feed's writer: every change the public can see is appended, in commit order, and the
record's ``updated_at`` becomes that same instant."""

from django.db import connection
from django.utils import timezone

from datasets.models import ChangeEvent, ReviewedRecord
from datasets.resources import resource_of

# Records whose updated_at one statement sets (within every database's limit of parameters).
UPDATE_BATCH = 500


# Any 64-bit number, the same everywhere: the PostgreSQL advisory lock that orders the change feed.
FEED_LOCK = 0x41495F5245474953


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
        ChangeEvent(resource=resource_of(model).name, slug=slug, change=change, changed_at=now)
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
