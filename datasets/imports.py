"""Loading the curated dataset into a database: all or nothing, idempotent, with a count of what changed.

Input is Django's serialization format with natural keys: one JSON list of ``{"model": ..., "fields": ...}``
per file, files loaded in name order. That is what ``fixtures/`` holds, and what the ``records/`` folder of
a release holds (a release is recognised by its ``SHA256SUMS`` file, which is checked first). A record is
matched to the database by its natural key (slug; for citations, record + source + locator). Records
whose fields already match are not written again, so a second import of the same data changes nothing.
Fields a file leaves out (a release carries no curator notes) keep their value in the database.
"""

import datetime
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from datasets.choices import ReviewStatusChoices
from datasets.models import ChangeTypeChoices
from datasets.services import record_changes

CHECKSUMS = "SHA256SUMS"
RECORDS_DIR = "records"


class RecordEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but keeping a timestamp's microseconds (Django's own cuts them to
    milliseconds), so that records survive a release and an import unchanged."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def serialize_records(objects) -> list[dict]:
    """Records as serialization entries (natural keys; JSON-ready through ``RecordEncoder``)."""
    return serializers.serialize("python", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True)


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


def load_directory(directory: Path) -> Path:
    """Where the loadable files of ``directory`` are: a release's ``records/`` once its checksums hold,
    otherwise the directory itself (fixtures)."""
    sums_file = directory / CHECKSUMS
    if not sums_file.exists():
        return directory
    listed = {}
    for number, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ImportRefused(f"{CHECKSUMS} line {number} is not '<sha256>  <file>'")
        listed[name] = digest
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()} - {CHECKSUMS}
    if present - set(listed):
        raise ImportRefused(f"files not listed in {CHECKSUMS}: {', '.join(sorted(present - set(listed)))}")
    for name, digest in sorted(listed.items()):
        path = directory / name
        if not path.is_file():
            raise ImportRefused(f"{name} is listed in {CHECKSUMS} but missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ImportRefused(f"{name} does not match its checksum in {CHECKSUMS}")
    return directory / RECORDS_DIR


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
    rows = json.loads(json.dumps(serialize_records(objects), cls=RecordEncoder))
    return {tuple(obj.natural_key()): _normalise(model, row["fields"]) for obj, row in zip(objects, rows, strict=True)}


def import_fixtures(directory: Path, *, dry_run: bool = False, validate=None) -> ImportReport:
    """Load every fixture file of ``directory`` in one transaction.

    ``validate``, if given, is called inside the transaction after loading and returns a list of problems;
    any problem undoes the whole import. A dry run does everything, then undoes it, and reports.
    """
    report = ImportReport()
    load_dir = load_directory(Path(directory))
    files = fixture_files(load_dir)
    try:
        with transaction.atomic():
            # A release holds public records only, so it is silent about links to unpublished records:
            # those links are kept rather than read as removed.
            events = _load(files, report, keep_hidden_links=load_dir != Path(directory))
            # One feed entry per record, the first change winning (a record published by this import whose
            # citations were loaded after it is "published", not also "updated").
            first_change: dict = {}
            for model, slug, change in events:
                first_change.setdefault((model, slug), change)
            record_changes([(model, slug, change) for (model, slug), change in first_change.items()])
            problems = validate() if validate else []
            if problems:
                raise ImportRefused("the data does not validate:\n" + "\n".join(problems))
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _load(files: list[Path], report: ImportReport, *, keep_hidden_links: bool = False) -> list[tuple]:
    """Load the files, count what changed, and return the public changes for the feed."""
    events: list[tuple] = []
    existing_by_model: dict = {}
    hidden = _unpublished_keys() if keep_hidden_links else {}
    for path in files:
        entries = _read_entries(path)
        changed = []
        try:
            objects = _deserialize(entries)
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
            if current is not None and hidden and _add_hidden_links(model, entry["fields"], current, hidden):
                deserialized = _deserialize([entry])[0]
            if current is None:
                report.created[label] += 1
            elif {name: current[name] for name in entry["fields"]} == _normalise(model, entry["fields"]):
                report.unchanged[label] += 1
                continue
            else:
                report.updated[label] += 1
                _keep_unlisted_fields(deserialized.object, entry["fields"])
            was_public = current is not None and current.get("review_status") == ReviewStatusChoices.PUBLISHED
            changed.append((deserialized, current is None, was_public))
        for deserialized, _, _ in changed:
            _save(deserialized, path)
        for deserialized, _, _ in changed:
            if deserialized.deferred_fields:
                try:
                    deserialized.save_deferred_fields()
                except ObjectDoesNotExist as error:
                    raise ImportRefused(f"{path.name}: {_describe(deserialized)} refers to a missing record") from error
        events += _record_history(changed, f"Imported from {path.parent.name}/{path.name}")
    return events


def _record_history(changed: list, reason: str) -> list[tuple]:
    """Keep the imported changes in the records' history, and return what the public sees differently:
    records published, updated or withdrawn, and records whose citations changed."""
    for is_new in (True, False):
        by_model: dict = {}
        for deserialized, new, _ in changed:
            if new is is_new:
                by_model.setdefault(type(deserialized.object), []).append(deserialized.object)
        for model, objects in by_model.items():
            model.history.bulk_history_create(objects, update=not is_new, default_change_reason=reason)
    events = []
    for deserialized, _, was_public in changed:
        obj = deserialized.object
        record = getattr(obj, "record", None) if not hasattr(obj, "review_status") else obj
        if record is None:
            continue
        is_public = record.review_status == ReviewStatusChoices.PUBLISHED
        if record is not obj:  # a citation: its record changed if that record is public
            was_public = is_public
        if is_public and not was_public:
            events.append((type(record), record.slug, ChangeTypeChoices.PUBLISHED))
        elif is_public:
            events.append((type(record), record.slug, ChangeTypeChoices.UPDATED))
        elif was_public:
            events.append((type(record), record.slug, ChangeTypeChoices.WITHDRAWN))
    return events


def _deserialize(entries: list[dict]) -> list:
    return list(serializers.deserialize("json", json.dumps(entries), handle_forward_references=True))


def _unpublished_keys() -> dict:
    """Natural keys of the records that are not published, per reviewed model."""
    keys = {}
    for model in apps.get_app_config("datasets").get_models():
        if any(f.name == "review_status" for f in model._meta.concrete_fields):
            keys[model] = {
                (slug,)
                for slug in model._default_manager.exclude(review_status="published").values_list("slug", flat=True)
            }
    return keys


def _add_hidden_links(model, fields: dict, current: dict, hidden: dict) -> bool:
    """Put back into ``fields`` the record's current links to unpublished records; True if any was added."""
    added = False
    for relation in model._meta.get_fields():
        name = relation.name
        if not relation.concrete or relation.related_model not in hidden or name not in fields:
            continue
        unpublished = hidden[relation.related_model]
        if relation.many_to_many:
            keep = [key for key in current[name] if tuple(key) in unpublished and key not in fields[name]]
            if keep:
                fields[name] = [*fields[name], *keep]
                added = True
        elif fields[name] is None and current[name] and tuple(current[name]) in unpublished:
            fields[name] = current[name]
            added = True
    return added


def _keep_unlisted_fields(obj, listed: dict) -> None:
    """Fields the file does not carry keep the value they have in the database."""
    unlisted = [
        f for f in obj._meta.concrete_fields if not f.primary_key and f.name not in listed and not f.many_to_many
    ]
    if unlisted:
        stored = type(obj)._default_manager.filter(pk=obj.pk).values(*[f.attname for f in unlisted]).get()
        for name, value in stored.items():
            setattr(obj, name, value)


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
