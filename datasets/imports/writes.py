"""Writing what an import changes, in batches: new records inserted, changed ones updated, many-to-many links
added and removed, and one history version per record, so that the queries grow with the number of models and
batches, not with the number of records. A batch the database refuses names the record at fault."""

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.db import IntegrityError, connection, models, transaction
from simple_history.models import HistoricalRecords

from datasets.choices import ReviewStatusChoices
from datasets.imports.report import ImportRefused, describe
from datasets.imports.tables import Tables
from datasets.models import ChangeTypeChoices, Citation, ReviewedRecord

# Records written per statement (fewer where the database limits the parameters of one statement).
BATCH_SIZE = 500


@dataclass
class Change:
    """A record that the import creates or updates."""

    obj: models.Model
    key: tuple
    created: bool
    was_public: bool
    changed: set  # for an update: attnames of the concrete fields whose value changes
    links: dict  # many-to-many field -> the target pks the record is to have (for the fields the file lists)
    later: list  # (field, related model, natural key): references to records this file creates


def write_changes(tables: Tables, path: Path, changes: list[Change]) -> None:
    """Insert the new records, then update the changed ones and their links, in batches."""
    by_model: dict = {}
    for change in changes:
        by_model.setdefault(type(change.obj), []).append(change)
    for model, group in by_model.items():
        created = [change for change in group if change.created]
        _write_batches(path, created, _insert)
        for change in created:
            tables.table(model).remember(change.key, change.obj)
    # References to records that this file creates: their pks exist now. A new record that holds one is
    # written again, with just those fields.
    for change in changes:
        for field, related, target_key in change.later:
            target = tables.table(related).pks[target_key]
            if field.many_to_many:
                change.links[field].add(target)
            else:
                setattr(change.obj, field.attname, target)
                change.changed.add(field.attname)
    for model, group in by_model.items():
        updated = [change for change in group if not change.created and change.changed]
        completed = [change for change in group if change.created and change.changed]
        for batch in (updated, completed):
            if batch:
                _write_batches(path, batch, partial(_update, names=_field_names(model, batch)))
        for change in group:
            tables.table(model).remember(change.key, change.obj)
    _write_links(tables, changes)


def _write_links(tables: Tables, changes: list[Change]) -> None:
    """Bring the many-to-many links the files list to what they say: new links in bulk, removed ones deleted."""
    added: dict = {}
    removed: dict = {}
    for change in changes:
        for field, targets in change.links.items():
            links = tables.links(field)
            have = links.of.get(change.obj.pk, {})
            for target in sorted(targets - have.keys(), key=str):
                added.setdefault(field, []).append(links.through(**{links.source: change.obj.pk, links.target: target}))
            removed.setdefault(field, []).extend((change.obj.pk, target) for target in have.keys() - targets)
    for field, pairs in removed.items():
        links = tables.links(field)
        pks = [links.of[source].pop(target) for source, target in pairs]
        for start in range(0, len(pks), BATCH_SIZE):
            links.through._base_manager.filter(pk__in=pks[start : start + BATCH_SIZE]).delete()
    for field, rows in added.items():
        links = tables.links(field)
        links.through._base_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        for row in rows:
            links.of.setdefault(getattr(row, links.source), {})[getattr(row, links.target)] = row.pk


def record_history(tables: Tables, changes: list[Change], reason: str) -> list[tuple]:
    """Keep the imported changes in the records' history (one version per record, with its links), and
    return what the public sees differently: records published, updated or withdrawn, and records whose
    citations changed."""
    for created in (True, False):
        by_model: dict = {}
        for change in changes:
            if change.created is created:
                by_model.setdefault(type(change.obj), []).append(change.obj)
        for model, objects in by_model.items():
            versions = model.history.bulk_history_create(objects, update=not created, default_change_reason=reason)
            if versions:
                _record_history_links(tables, model, objects, versions)
    events = []
    for change in changes:
        obj = change.obj
        if isinstance(obj, ReviewedRecord):
            record_model, slug, is_public = type(obj), obj.slug, obj.review_status == ReviewStatusChoices.PUBLISHED
            was_public = change.was_public
        elif isinstance(obj, Citation):  # a citation: its record changed if that record is public
            record_model = obj._meta.get_field("record").related_model
            table = tables.table(record_model)
            slug = table.value(obj.record_id, "slug")
            is_public = was_public = table.value(obj.record_id, "review_status") == ReviewStatusChoices.PUBLISHED
        else:
            continue
        if is_public and not was_public:
            events.append((record_model, slug, ChangeTypeChoices.PUBLISHED))
        elif is_public:
            events.append((record_model, slug, ChangeTypeChoices.UPDATED))
        elif was_public:
            events.append((record_model, slug, ChangeTypeChoices.WITHDRAWN))
    return events


def _record_history_links(tables: Tables, model, objects: list, versions: list) -> None:
    """The many-to-many rows of new history versions, as django-simple-history keeps them on a save."""
    for field in model.history.model._history_m2m_fields:
        history_links = HistoricalRecords.m2m_models[field]
        links = tables.links(field)
        rows = [
            history_links(history_id=version.pk, id=row_pk, **{links.source: obj.pk, links.target: target})
            for obj, version in zip(objects, versions, strict=True)
            for target, row_pk in sorted(links.of.get(obj.pk, {}).items(), key=lambda link: link[1])
        ]
        history_links.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _write_batches(path: Path, changes: list[Change], write) -> None:
    """``write`` the changes' records in batches. A batch the database refuses is retried record by record to
    name the culprit; either way the import stops (and, with it, the transaction)."""
    for start in range(0, len(changes), BATCH_SIZE):
        batch = changes[start : start + BATCH_SIZE]
        try:
            with transaction.atomic():
                write([change.obj for change in batch])
        except IntegrityError as error:
            for change in batch:
                try:
                    with transaction.atomic():
                        write([change.obj])
                except IntegrityError as record_error:
                    raise ImportRefused(
                        f"{path.name}: {describe(type(change.obj), change.key)}: {record_error}"
                    ) from error
            raise ImportRefused(f"{path.name}: {error}") from error


def _insert(objs: list) -> None:
    """INSERT new records and set their pks. Raw, as Django's loaddata saves: the file's timestamps are kept
    (bulk_create() would set the ``auto_now`` ones to the current time)."""
    model = type(objs[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated and field is not meta.auto_field]
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    if not connection.features.can_return_rows_from_bulk_insert:
        size = 1  # the database tells the pk of one inserted row only
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        returned = model._base_manager._insert(
            batch, fields=fields, returning_fields=meta.db_returning_fields, raw=True
        )
        for obj, values in zip(batch, returned, strict=True):
            for field, value in zip(meta.db_returning_fields, values, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = connection.alias


def _update(objs: list, names: list[str]) -> None:
    type(objs[0])._base_manager.bulk_update(objs, names)


def _field_names(model, changes: list[Change]) -> list[str]:
    attnames = set().union(*(change.changed for change in changes))
    return [field.name for field in model._meta.concrete_fields if field.attname in attnames]
