"""Reading and checking what an import is given: a release's checksums, the fixture files, each serialized
entry (its model and field names) and each record as a form would check it."""

import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError

from datasets.imports.report import ImportRefused, describe
from datasets.models import Citation, ReviewedRecord
from datasets.release_format import CHECKSUMS, DATAPACKAGE, RECORDS_DIR


def load_directory(directory: Path) -> Path:
    """Where the loadable files of ``directory`` are: a release's ``records/`` once its checksums hold,
    otherwise the directory itself (fixtures)."""
    sums_file = directory / CHECKSUMS
    if not sums_file.exists():
        if (directory / RECORDS_DIR).is_dir() or (directory / DATAPACKAGE).exists():
            raise ImportRefused(
                f"{directory} looks like a release (it has {RECORDS_DIR}/ or {DATAPACKAGE}) but its {CHECKSUMS} "
                "is missing, so its files cannot be checked: download the release again, with its checksums"
            )
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


def read_entries(path: Path) -> list[dict]:
    """The serialized entries of one file: a JSON list of objects with a ``model`` key."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(f"{path.name}: not a readable JSON file ({error})") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "model" in e for e in entries):
        raise ImportRefused(f"{path.name}: expected a list of serialized records with a 'model' key")
    return entries


def parse_entry(path: Path, entry: dict) -> tuple:
    """(model, natural key, fields) of one serialized record, its model and field names checked."""
    try:
        if not isinstance(entry["model"], str):
            raise TypeError(entry["model"])
        model = apps.get_model(entry["model"])
    except (LookupError, TypeError, ValueError) as error:
        raise ImportRefused(f"{path.name}: unknown model {entry['model']!r}") from error
    if not issubclass(model, ReviewedRecord | Citation):
        raise ImportRefused(f"{path.name}: {model._meta.label_lower} is not a registry record or citation")
    fields = entry.get("fields", {})
    if not isinstance(fields, dict):
        raise ImportRefused(f"{path.name}: {model._meta.label_lower}: 'fields' is not an object")
    if entry.get("pk") is not None:
        raise ImportRefused(f"{path.name}: {model._meta.label_lower}: records are matched by natural key, not 'pk'")
    for name in fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImportRefused(f"{path.name}: {model._meta.label_lower} has no field {name!r}") from error
        if not field.many_to_many and (not field.concrete or field.primary_key):
            raise ImportRefused(f"{path.name}: {model._meta.label_lower}: {name!r} cannot be imported")
    if issubclass(model, Citation):
        record, source = fields.get("record"), fields.get("source")
        if not isinstance(record, list) or not isinstance(source, list):
            raise ImportRefused(f"{path.name}: {model._meta.label_lower}: record and source must be natural keys")
        return model, (*record, *source, fields.get("locator", "")), fields
    return model, (fields.get("slug", ""),), fields


def validate_record(path: Path, obj, key: tuple, *, pending: set) -> None:
    """Check one record as a form would (choices, lengths, formats). Its relations were resolved from the
    tables read at the start (so full_clean need not query each one); only their presence is checked here.
    ``pending`` names the references to records this file creates, set once those exist."""
    errors: dict = {}
    relations = {field.name for field in obj._meta.concrete_fields if field.is_relation}
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    for field in obj._meta.concrete_fields:
        if field.null or field.primary_key or field.name in errors or field.name in pending:
            continue
        if getattr(obj, field.attname) is None:  # full_clean() passes None in a blank field: the database would not
            errors[field.name] = [str(field.error_messages["null"])]
    if errors:
        raise ImportRefused(f"{path.name}: {describe(type(obj), key)}: {errors}")
