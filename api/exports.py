"""Writing a versioned release of the published dataset, as files (``manage.py export_dataset``).

A release directory holds, for each resource, ``<resource>.json`` (the API's records, same shapes and field
names, record URLs as paths), ``<resource>.csv`` (the API's CSV rows), ``<resource>.ndjson`` (the JSON
records, one a line) and ``<resource>.parquet`` (the same records, typed: ``api.typed_files``), then
``records/`` (the same published records in Django's serialization format with natural keys: what
``import_dataset`` loads), ``datapackage.json`` (a Frictionless Data Package describing every file, CSV
column and Parquet column) and ``SHA256SUMS`` (``sha256sum -c`` format). The same data always gives
byte-identical files: records are ordered by slug, timestamps are the records' own, and the version is derived
from the content.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from api.dataset import (
    DATA_LICENSE,
    DATA_LICENSE_ID,
    DATA_LICENSE_URL,
    DATASET_DESCRIPTION,
    DATASET_NAME,
    DATASET_SLUG,
    citation_text,
)
from api.releases import listed_files
from api.renderers import ndjson_lines, write_csv
from api.typed_files import column_type, frictionless_type, parquet_bytes
from api.views import VIEWSETS
from datasets.csv_cells import LIST_SEPARATOR
from datasets.models import CITATION_MODELS, PRIVATE_FIELDS, Source
from datasets.release_format import (
    CHECKSUMS,
    DATAPACKAGE,
    MEDIA_TYPES,
    RECORDS_DIR,
    RecordEncoder,
    json_bytes,
    serialize_records,
)
from datasets.resources import RESOURCES, Resource, last_change, published_counts


def resource_records(resource: Resource) -> list[dict]:
    """The published records of a resource, in the API's shape, by slug; URLs are paths (there is no request)."""
    viewset = VIEWSETS[resource.name]
    queryset = viewset.queryset.all().order_by("slug")
    return viewset.serializer_class(queryset, many=True, context={"request": None}).data


def resource_fields(resource: Resource) -> dict:
    """The fields of a resource's records, by name, in the API's order."""
    return VIEWSETS[resource.name].serializer_class().fields


class ReleaseRefused(Exception):
    """The release cannot be written where it was asked to be; nothing was changed."""


def export_release(out_dir: Path, *, version: str | None = None) -> dict:
    """Write a release of the published records to ``out_dir``; returns its datapackage descriptor.

    The files are written to a new directory first, then switched into place at once (``_switch``), so that
    whoever reads ``out_dir`` meanwhile (``/api/v1/dataset/`` and its downloads) sees the old release or the
    new one, never a mix of both.
    """
    files: dict[str, bytes] = {}
    for resource in RESOURCES:
        records = resource_records(resource)
        files[f"{resource.name}.json"] = json_bytes(records, encoder=JSONEncoder)
        files[f"{resource.name}.csv"] = write_csv(list(resource_fields(resource)), records).encode("utf-8")
        files[f"{resource.name}.ndjson"] = ndjson_lines(records)
        files[f"{resource.name}.parquet"] = parquet_bytes(files[f"{resource.name}.ndjson"], resource_fields(resource))
    files.update(_load_files())
    content_hash = hashlib.sha256(b"".join(hashlib.sha256(files[name]).digest() for name in sorted(files)))
    package = datapackage(version or default_version(content_hash.hexdigest()))
    files[DATAPACKAGE] = json_bytes(package, encoder=DjangoJSONEncoder)
    sums = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    files[CHECKSUMS] = sums.encode()
    _check_replaceable(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=_versions_dir(out_dir)))
    for name, content in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    staging.chmod(0o755)
    _switch(out_dir, staging)
    return package


def _versions_dir(out_dir: Path) -> Path:
    """Where the releases written to ``out_dir`` live, each in a directory of its own, beside it."""
    versions = out_dir.parent / f".{out_dir.name}-releases"
    versions.mkdir(parents=True, exist_ok=True)
    return versions


def _check_replaceable(out_dir: Path) -> None:
    """Refuse to replace a directory that holds anything but a release: it is not ours to remove."""
    if out_dir.is_symlink() or not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ReleaseRefused(f"{out_dir} is a file, not a directory")
    present = {path.relative_to(out_dir).as_posix() for path in out_dir.rglob("*") if path.is_file()}
    listed = set(listed_files(out_dir)) | {CHECKSUMS} if (out_dir / CHECKSUMS).is_file() else set()
    if present - listed:
        raise ReleaseRefused(
            f"{out_dir} holds files that are not part of a release ({', '.join(sorted(present - listed)[:5])}): "
            "write the release to a new or empty directory"
        )


def _switch(out_dir: Path, release: Path) -> None:
    """Make ``out_dir`` the new release at once: a symbolic link to it, replaced by a rename (atomic), the
    previous release kept for downloads under way and older ones removed. A real directory (a release
    written before releases were switched) is moved aside first, then removed."""
    link = release.parent / f".link-{release.name}"
    link.symlink_to(os.path.relpath(release, out_dir.parent))
    previous = Path(os.path.realpath(out_dir)) if out_dir.is_symlink() else None
    if out_dir.exists() and not out_dir.is_symlink():
        aside = release.parent / f".replaced-{release.name}"
        out_dir.rename(aside)
        os.replace(link, out_dir)
        shutil.rmtree(aside)
    else:
        os.replace(link, out_dir)
    keep = {release.resolve(), previous}
    for old in release.parent.iterdir():
        if old.is_dir() and not old.is_symlink() and old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def default_version(content_hash: str) -> str:
    """``<date of last change>+<content hash prefix>``: ordered by date, unique per content."""
    changed = last_change()
    day = changed.strftime("%Y.%m.%d") if changed else "0000.00.00"
    return f"{day}+{content_hash[:12]}"


def datapackage(version: str) -> dict:
    """The Frictionless Data Package descriptor of a release."""
    changed = last_change()
    described = []
    for resource in RESOURCES:
        description = (resource.model.__doc__ or "").strip()
        described.append(
            {
                "name": resource.name,
                "path": f"{resource.name}.csv",
                "format": "csv",
                "mediatype": MEDIA_TYPES["csv"],
                "encoding": "utf-8",
                "description": description,
                "schema": {"fields": _table_fields(resource), "primaryKey": ["slug"]},
            }
        )
        described.append(
            {
                "name": f"{resource.name}-json",
                "path": f"{resource.name}.json",
                "format": "json",
                "mediatype": MEDIA_TYPES["json"],
                "encoding": "utf-8",
                "description": f"{description} The API's JSON records, nested records and citations included.",
            }
        )
        described.append(
            {
                "name": f"{resource.name}-ndjson",
                "path": f"{resource.name}.ndjson",
                "format": "ndjson",
                "mediatype": MEDIA_TYPES["ndjson"],
                "encoding": "utf-8",
                "description": f"{description} The JSON file's records, one a line.",
            }
        )
        described.append(
            {
                "name": f"{resource.name}-parquet",
                "path": f"{resource.name}.parquet",
                "format": "parquet",
                "mediatype": MEDIA_TYPES["parquet"],
                "description": f"{description} The JSON file's records, typed: dates as dates, numbers as "
                "integers or decimals, lists as lists, nested records and citations as structs (their "
                "fields typed alike); each field's Parquet type is its parquetType.",
                "schema": {"fields": _table_fields(resource, typed=True), "primaryKey": ["slug"]},
            }
        )
    return {
        "name": DATASET_SLUG,
        "title": DATASET_NAME,
        "description": DATASET_DESCRIPTION,
        "version": version,
        "last_change": changed.isoformat() if changed else None,
        "counts": published_counts(),
        "licenses": [{"name": DATA_LICENSE_ID, "title": DATA_LICENSE, "path": DATA_LICENSE_URL}],
        "citation": citation_text(version),
        "resources": described,
    }


def _table_fields(resource: Resource, *, typed: bool = False) -> list[dict]:
    """The Frictionless fields of a resource's CSV file, or (``typed``) of its Parquet file: lists are arrays,
    nested records objects, and each field says its Parquet (DuckDB) type."""
    fields = []
    for name, field in resource_fields(resource).items():
        kind = frictionless_type(field)
        description = str(field.help_text or "")
        listed = isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.ManyRelatedField)
        if typed:
            kind = "array" if listed else "object" if isinstance(field, serializers.Serializer) else kind
            typed_field = {"name": name, "type": kind, "parquetType": column_type(field)}
            fields.append({**typed_field, "description": description.strip()})
            continue
        if listed:
            description += f" In CSV: slugs or values joined with '{LIST_SEPARATOR}'."
        elif isinstance(field, serializers.Serializer):
            description += " In CSV: the related record's slug."
        fields.append({"name": name, "type": kind, "description": description.strip()})
    return fields


def _load_files() -> dict[str, bytes]:
    """The published records as Django fixtures (natural keys), one file per model, in load order.

    Curator notes are left out; relations to records that are not published are dropped (to-many) or
    emptied (to-one), as the API does; a citation is kept when both its record and its source are public.
    """
    files = {}
    public_keys = {r.model: set(r.model.objects.published().values_list("slug", flat=True)) for r in RESOURCES}
    ordered = [*(r.model for r in RESOURCES), *CITATION_MODELS]
    for number, model in enumerate(ordered, start=1):
        if model in public_keys:
            queryset = model.objects.published().order_by("slug")
        else:
            record_model = model._meta.get_field("record").related_model
            queryset = model.objects.filter(
                record__in=record_model.objects.published(), source__in=Source.objects.published()
            ).order_by("record__slug", "source__slug", "locator")
        entries = serialize_records(
            queryset.select_related(*_foreign_keys(model)).prefetch_related(*_many_to_many(model))
        )
        for entry in entries:
            _strip_private(model, entry["fields"], public_keys)
        name = f"{RECORDS_DIR}/{number:02d}_{model._meta.model_name}.json"
        files[name] = json_bytes(entries, encoder=RecordEncoder)
    return files


def _foreign_keys(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def _many_to_many(model) -> list[str]:
    return [f.name for f in model._meta.many_to_many]


def _strip_private(model, fields: dict, public_keys: dict) -> None:
    # The review state stays (an importing database needs to know the records are published).
    for name in PRIVATE_FIELDS:
        if name != "review_status":
            fields.pop(name, None)
    for field in model._meta.get_fields():
        if not field.concrete or not field.is_relation or field.related_model not in public_keys:
            continue
        public = public_keys[field.related_model]
        value = fields.get(field.name)
        if field.many_to_many:
            fields[field.name] = [key for key in value if key[0] in public]
        elif value is not None and value[0] not in public and field.null:
            fields[field.name] = None
