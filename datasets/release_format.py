"""The release format, in one place: what ``export_dataset`` writes and ``import_dataset`` reads.

A release is a directory with ``SHA256SUMS`` (``sha256sum -c`` format) listing every file: per resource
``<resource>.json``, ``<resource>.csv`` and ``<resource>.ndjson`` (the API's shapes), ``<resource>.parquet``
(the same records, typed: ``api.typed_files``), ``datapackage.json`` (a Frictionless Data
Package), and ``records/`` (the published records in Django's serialization format with natural keys, which
is also the format of the committed ``fixtures/``). Writing a release is ``api.exports``'s, serving one
``api.releases``', loading one ``datasets.imports``'.
"""

import datetime
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder

CHECKSUMS = "SHA256SUMS"
DATAPACKAGE = "datapackage.json"
RECORDS_DIR = "records"

# The media type of each kind of release file, by its extension; text types are UTF-8.
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
TEXT_FORMATS = ("json", "csv", "ndjson")


def media_type(name: str) -> str:
    """The Content-Type of a release file: its media type, with the charset of a text file."""
    extension = name.rpartition(".")[2]
    if extension not in MEDIA_TYPES:
        return "text/plain; charset=utf-8"  # SHA256SUMS
    return MEDIA_TYPES[extension] + ("; charset=utf-8" if extension in TEXT_FORMATS else "")


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


def json_bytes(data, *, encoder=RecordEncoder) -> bytes:
    """A release file's JSON: indented, UTF-8, ending in a newline (the same data gives the same bytes)."""
    return (json.dumps(data, cls=encoder, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
