"""What a revision would change in the record it revises, field by field, relations and citations included:
what a reviewer reads before publishing it (the revision's page, and the confirmation of Publish)."""

from __future__ import annotations

from dataclasses import dataclass

from datasets.counts import COUNT_FIELD, format_count
from datasets.models import ReviewedRecord
from datasets.services.history import NOT_AUTHORED, citation_model


@dataclass(frozen=True)
class Change:
    """One field (or relation, or the citations) whose proposed value differs from the published one."""

    label: str
    published: str
    proposed: str


def shown(record, field) -> str:
    """A field's value as a curator reads it: a choice's label, a related record's name, "" for none."""
    if field.many_to_many:
        return "; ".join(sorted(str(item) for item in getattr(record, field.name).all()))
    if field.is_relation:
        related = getattr(record, field.name)
        return "" if related is None else str(related)
    if field.choices:
        return str(getattr(record, f"get_{field.name}_display")())
    value = getattr(record, field.attname)
    if value is not None and isinstance(field, COUNT_FIELD):
        return format_count(value)  # 671B, as the form shows it
    return "" if value is None else str(value)


def citations_of(record) -> list[str]:
    cited = citation_model(type(record))
    if cited is None:
        return []
    rows = cited.objects.filter(record=record).select_related("source").order_by("source__slug", "locator")
    return [
        f"{row.source.slug}{f' ({row.locator})' if row.locator else ''}{f': “{row.quote}”' if row.quote else ''}"
        for row in rows
    ]


def revision_changes(revision: ReviewedRecord) -> list[Change]:
    """What publishing ``revision`` would change in the record it revises (empty for a record that is not a
    revision, or a revision that changes nothing yet)."""
    published = revision.revision_of
    if published is None:
        return []
    model = type(revision)
    changes = []
    fields = [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.editable and field.name not in NOT_AUTHORED and field.name not in ("slug", "revision_of")
    ]
    for field in fields:
        before, after = shown(published, field), shown(revision, field)
        if before != after:
            changes.append(Change(str(field.verbose_name).capitalize(), before, after))
    before, after = citations_of(published), citations_of(revision)
    if before != after:
        changes.append(Change("Citations", "\n".join(before), "\n".join(after)))
    return changes
