"""Loading the curated dataset into a database: all or nothing, idempotent, with a count of what changed.

Input is Django's serialization format with natural keys (the files under ``fixtures/``): one JSON list
of ``{"model": ..., "fields": ...}`` per file, files loaded in name order. A record is matched to the
database by its natural key (slug; for citations, record + source + locator). Records whose fields
already match are not written again, so a second import of the same data changes nothing.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction


class ImportRefused(Exception):
    """The data cannot be imported; nothing was written."""


class _DryRunRollback(Exception):
    """Raised inside the import transaction to undo a dry run."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done), per model label."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{label}: {self.created[label]} created, {self.updated[label]} updated, {self.unchanged[label]} unchanged"
            for label in labels
        ]

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def fixture_files(directory: Path) -> list[Path]:
    """The fixture files of a directory, in load order (their names sort in dependency order)."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ImportRefused(f"no *.json fixture files in {directory}")
    return files


def _read_entries(path: Path) -> list[dict]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(f"{path.name}: not a readable JSON file ({error})") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "model" in e for e in entries):
        raise ImportRefused(f"{path.name}: expected a list of serialized records with a 'model' key")
    return entries


def _normalise(model, fields: dict) -> dict:
    """Make two serialized forms of one record comparable: values parsed by their model field (so that
    "3.2" and "3.200" are one decimal), many-to-many lists in sorted order."""
    normal = {}
    for name, value in fields.items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            normal[name] = sorted(value, key=json.dumps)
        elif field.is_relation or value is None:
            normal[name] = value
        else:
            try:
                normal[name] = field.to_python(value)
            except ValidationError:
                normal[name] = value  # left for full_clean() to report with the record's name
    return normal


def _existing_records(model) -> dict[tuple, dict]:
    """The model's current rows in serialized form, keyed by natural key (a fixed number of queries)."""
    foreign_keys = [f.name for f in model._meta.concrete_fields if f.many_to_one]
    many_to_many = [f.name for f in model._meta.many_to_many]
    objects = list(model._default_manager.select_related(*foreign_keys).prefetch_related(*many_to_many))
    rows = json.loads(
        serializers.serialize("json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    )
    return {tuple(obj.natural_key()): _normalise(model, row["fields"]) for obj, row in zip(objects, rows, strict=True)}


def import_fixtures(directory: Path, *, dry_run: bool = False, validate=None) -> ImportReport:
    """Load every fixture file of ``directory`` in one transaction.

    ``validate``, if given, is called inside the transaction after loading and returns a list of problems;
    any problem undoes the whole import. A dry run does everything, then undoes it, and reports.
    """
    report = ImportReport()
    try:
        with transaction.atomic():
            _load(fixture_files(Path(directory)), report)
            problems = validate() if validate else []
            if problems:
                raise ImportRefused("the data does not validate:\n" + "\n".join(problems))
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _load(files: list[Path], report: ImportReport) -> None:
    existing_by_model: dict = {}
    for path in files:
        entries = _read_entries(path)
        changed = []
        try:
            objects = list(serializers.deserialize("json", json.dumps(entries), handle_forward_references=True))
        except serializers.base.DeserializationError as error:
            raise ImportRefused(f"{path.name}: {error}") from error
        for entry, deserialized in zip(entries, objects, strict=True):
            model = apps.get_model(entry["model"])
            label = model._meta.label_lower
            if model not in existing_by_model:
                existing_by_model[model] = _existing_records(model)
            current = None
            if deserialized.object.pk is not None:
                current = existing_by_model[model].get(tuple(deserialized.object.natural_key()))
            if current is None:
                report.created[label] += 1
            elif current == _normalise(model, entry["fields"]):
                report.unchanged[label] += 1
                continue
            else:
                report.updated[label] += 1
            changed.append(deserialized)
        for deserialized in changed:
            _save(deserialized, path)
        for deserialized in changed:
            if deserialized.deferred_fields:
                try:
                    deserialized.save_deferred_fields()
                except ObjectDoesNotExist as error:
                    raise ImportRefused(f"{path.name}: {_describe(deserialized)} refers to a missing record") from error


def _describe(deserialized) -> str:
    obj = deserialized.object
    return f"{obj._meta.label_lower} {'/'.join(map(str, obj.natural_key()))}"


def _save(deserialized, path: Path) -> None:
    """Check one record as a form would (choices, lengths, formats), then write it."""
    deferred = {f.name for f in deserialized.deferred_fields}
    try:
        deserialized.object.full_clean(exclude=deferred, validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            deserialized.save()
    except ValidationError as error:
        raise ImportRefused(f"{path.name}: {_describe(deserialized)}: {error.message_dict}") from error
    except (IntegrityError, ObjectDoesNotExist) as error:
        raise ImportRefused(f"{path.name}: {_describe(deserialized)}: {error}") from error
