"""How the API writes its answers: JSON (on orjson) and CSV.

CSV: the API's records as flat rows, for spreadsheets and ``?format=csv``. One row per record, one column
per API field, with the API's field names. Nested records become their slug; lists (related records,
citations, aliases, country codes) become their slugs or values joined with ``LIST_SEPARATOR``. The same
flattening serves the API's CSV responses and the dataset release files.
"""

import csv
import io
from collections.abc import Iterable

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

from datasets.services import resource_name

LIST_SEPARATOR = ";"


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson: the same compact UTF-8 JSON, several times faster.

    What orjson does not encode itself, or encodes differently from DRF (date-times, which DRF writes with
    millisecond precision and a ``Z``; decimals; lazy strings), goes through DRF's own encoder, so the output
    does not depend on the renderer. An indented answer (``Accept: application/json; indent=2``) is left to
    DRF's renderer.
    """

    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=self._fallback.default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def flat_value(value):
    """One API field value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, dict):
        # A nested record (brief form) is named by its slug; a citation by its source's slug.
        return value.get("slug", value.get("source", ""))
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(flat_value(item)) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(columns: list[str], records: Iterable[dict]) -> str:
    """The records as CSV text, with a header row of ``columns``, ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([flat_value(record.get(column)) for column in columns])
    return out.getvalue()


class CSVRenderer(renderers.BaseRenderer):
    """Renders a page of records (or one record) as CSV, with a download file name."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        records = data.get("results", [data]) if isinstance(data, dict) else list(data)
        columns = _columns(view, records)
        if response is not None and view is not None:
            response["Content-Disposition"] = f'attachment; filename="{_file_stem(view)}.csv"'
        return write_csv(columns, records).encode(self.charset)


def _file_stem(view) -> str:
    """The resource's name as in its URL: "model-releases"."""
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return "records"
    return resource_name(queryset.model)


def _columns(view, records: list[dict]) -> list[str]:
    """The serializer's field names, in the API's order (known even when there are no records)."""
    if view is not None and hasattr(view, "get_serializer_class"):
        return list(view.get_serializer_class()().fields)
    return list(records[0]) if records else []
