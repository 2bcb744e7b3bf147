"""Public history of a record: the versions the public could see, and what changed between them.

A version is a state of the record, as kept by django-simple-history, in which the record was published.
Only the record's public fields are compared and shown (never curator names, notes or review states), and
consecutive published states that look the same to the public count as one version.
"""

from dataclasses import dataclass

from datasets.models import PRIVATE_FIELDS
from datasets.models.base import ReviewedRecord
from datasets.querysets import published_lookup

# Bookkeeping that changes with every save but means nothing to the public.
NOT_COMPARED = {*PRIVATE_FIELDS, "id", "slug", "created_at", "updated_at"}


@dataclass
class PublicVersion:
    """One version the public could see."""

    number: int
    published_at: object
    changes: list[dict]


def public_fields(model) -> list:
    """The fields whose values the public sees, in model order (relations by the related record's slug)."""
    return [f for f in model._meta.concrete_fields if f.name not in NOT_COMPARED]


def _value(historical, field):
    value = getattr(historical, field.attname)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _many_to_many(historical, model) -> dict[str, list]:
    values = {}
    for field in model._meta.many_to_many:
        if not hasattr(historical, field.name):
            continue
        target = field.m2m_reverse_field_name()
        values[field.name] = sorted(getattr(row, f"{target}_id") for row in getattr(historical, field.name).all())
    return values


def public_versions(record: ReviewedRecord) -> list[PublicVersion]:
    """The versions of ``record`` that were public, oldest first, with the fields changed in each."""
    model = type(record)
    fields = public_fields(model)
    slugs = _slug_lookup(model, fields)
    versions: list[PublicVersion] = []
    previous: dict | None = None
    states = record.history.filter(published_lookup()).order_by("history_date", "history_id")
    for historical in states:
        state = {field.name: _value(historical, field) for field in fields}
        state.update(_many_to_many(historical, model))
        if state == previous:
            continue
        changes = [
            {"field": name, "old": _public(slugs, name, previous.get(name)), "new": _public(slugs, name, value)}
            for name, value in state.items()
            if previous is not None and previous.get(name) != value
        ]
        versions.append(PublicVersion(len(versions) + 1, historical.history_date, changes))
        previous = state
    return versions


def _slug_lookup(model, fields) -> dict:
    """For each relation, a map from related id to slug (or country code), so that changes name records as
    the API does; records that are not published are left out, as the API leaves them out."""
    lookup = {}
    for field in [*fields, *model._meta.many_to_many]:
        if not field.is_relation:
            continue
        related = field.related_model._default_manager.all()
        if issubclass(field.related_model, ReviewedRecord):
            lookup[field.name] = dict(related.published().values_list("pk", "slug"))
        else:
            lookup[field.name] = {pk: pk for pk in related.values_list("pk", flat=True)}
    return lookup


def _public(slugs: dict, name: str, value):
    if name not in slugs or value is None:
        return value
    if isinstance(value, list):
        return [slugs[name][item] for item in value if item in slugs[name]]
    return slugs[name].get(value)
