"""How the API writes its answers: JSON (on orjson) and CSV.

CSV: the API's records as flat rows, for spreadsheets and ``?format=csv``. One row per record, one column
per API field, with the API's field names. Nested records become their slug; lists (related records,
citations, aliases, country codes) become their slugs or values joined with ``LIST_SEPARATOR``. The same
flattening serves the API's CSV responses and the dataset release files.

No cell is a formula when a spreadsheet opens the file (OWASP's "CSV Injection"): a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single quote ``'`` in front
(``=SUM(A1)`` is written ``'=SUM(A1)``), and so does each such item of a list; text that is a plain number
(``-1``, ``-0.5``) and numbers themselves are left as they are. Every text cell is in double quotes (quotes
inside doubled), so that no comma, quote or line break in a value can start a new cell or row; numbers and
the header row are bare.
"""

import csv
import decimal
import io
import re
from collections.abc import Iterable

import orjson
from django.utils.html import conditional_escape, escape
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

from datasets.csv_cells import LIST_SEPARATOR, neutralised
from datasets.resources import resource_of


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson: the same compact UTF-8 JSON, several times faster.

    What orjson does not encode itself, or encodes differently from DRF (date-times, which DRF writes with
    millisecond precision and a ``Z``; decimals; lazy strings), goes through DRF's own encoder, so the output
    does not depend on the renderer. An indented answer (``Accept: application/json; indent=2``, and the
    browsable API's, indented by 4) is orjson's two-space indentation widened to the width asked: the layout of
    DRF's (``json.dumps`` with ``indent``, whose pure-Python encoder took a sixth of a browsable page's time).
    """

    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        option = orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_INDENT_2 if indent is not None else 0)
        text = orjson.dumps(data, default=self._fallback.default, option=option)
        if LINE_SEPARATORS[0] in text or LINE_SEPARATORS[1] in text:
            # As DRF writes them: JavaScript before ES2019 reads U+2028 and U+2029 in a string as line ends.
            text = text.replace(LINE_SEPARATORS[0], b"\\u2028").replace(LINE_SEPARATORS[1], b"\\u2029")
        if indent is None or indent == 2:
            return text
        # Only the indentation starts a line: a line break inside a string is written as \n.
        return LEADING_PAIRS.sub(lambda match: b" " * (len(match.group()) // 2 * indent), text)


# U+2028 and U+2029 in UTF-8, which DRF escapes.
LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())
# The indentation of a line of orjson's indented JSON: pairs of spaces.
LEADING_PAIRS = re.compile(rb"^(?:  )+", re.MULTILINE)


# A URL in the JSON of an answer: up to a quote, a space or an angle bracket (JSON strings hold the URLs).
URL_IN_TEXT = re.compile(r"""https?://[^\s"'<>]+""")


def linked(text: str) -> str:
    """``text`` as HTML, its http(s) URLs as links: what Django's ``urlize`` filter makes of an answer's JSON in the
    browsable API (``rel="nofollow"``, trailing punctuation left out of a link), in one pass over the text."""
    parts, end = [], 0
    for match in URL_IN_TEXT.finditer(text):
        url = match.group()
        kept = url.rstrip(".,:;!")
        while kept.endswith(")") and kept.count(")") > kept.count("("):
            kept = kept[:-1]
        parts.append(conditional_escape(text[end : match.start()]))
        parts.append(f'<a href="{escape(kept)}" rel="nofollow">{escape(kept)}</a>')
        end = match.start() + len(kept)
    parts.append(conditional_escape(text[end:]))
    return "".join(parts)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, the answer's URLs linked in one pass (``linked``) rather than by DRF's template, whose
    ``urlize`` took a third of a page's time (it tests every word of the indented JSON, 4,000 for a page of 50
    records). The template gets a mark in the answer's place, which ``urlize`` leaves as it is; the linked answer
    replaces it in the rendered page."""

    CONTENT_MARK = "registry-browsable-answer-7c1e5a"

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        renderer_context["browsable_answer"] = context["content"]
        context["content"] = self.CONTENT_MARK
        return context

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context if renderer_context is not None else {}
        page = super().render(data, accepted_media_type, renderer_context)
        answer = renderer_context.pop("browsable_answer", None)
        if answer is None or self.CONTENT_MARK not in page:
            return page
        return page.replace(self.CONTENT_MARK, linked(str(answer)), 1)


def flat_value(value):
    """One API field value as a CSV cell: a number as it is, anything else as text no spreadsheet runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, dict):
        # A nested record (brief form) is named by its slug; a citation by its source's slug.
        return flat_value(value.get("slug", value.get("source")))
    if isinstance(value, list):
        # Each item is neutralised too, so that splitting the cell on LIST_SEPARATOR gives no formula.
        return neutralised(LIST_SEPARATOR.join(str(flat_value(item)) for item in value))
    return neutralised(str(value))


def write_csv(columns: list[str], records: Iterable[dict], *, header: bool = True) -> str:
    """The records as CSV text, with a header row of ``columns`` (unless ``header`` is false), ``\\n`` line ends."""
    out = io.StringIO()
    # The header is the API's own field names, which need no quotes.
    if header:
        csv.writer(out, lineterminator="\n").writerow(columns)
    # Text cells are always quoted, as OWASP advises: the csv module's minimal quoting leaves a carriage return
    # in a value bare (it quotes for the line terminator, "\n", alone), and a spreadsheet then ends the row
    # there and reads the rest of the value, formula included, as a new row. Numbers stay bare, so that they
    # read as numbers.
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
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


class NDJSONRenderer(renderers.BaseRenderer):
    """Renders a page of records (or one record) as newline-delimited JSON: one record per line, as in JSON."""

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = None  # UTF-8 by definition: no charset parameter

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):  # a page's records, or one record
            data = data.get("results", [data])
        return ndjson_lines(data)


def ndjson_lines(records: Iterable[dict]) -> bytes:
    """The records as NDJSON, each line ending with ``\\n``."""
    # The JSON renderer's encoding, value for value (dates, decimals as DRF writes them).
    default, option = JSONRenderer._fallback.default, orjson.OPT_PASSTHROUGH_DATETIME
    return b"".join(orjson.dumps(record, default=default, option=option) + b"\n" for record in records)


def _file_stem(view) -> str:
    """The resource's name as in its URL: "model-releases"."""
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return "records"
    return resource_of(queryset.model).name


def _columns(view, records: list[dict]) -> list[str]:
    """The serializer's field names, in the API's order (known even when there are no records): those that
    ``?fields=`` selects, if it is given."""
    if view is not None and hasattr(view, "get_serializer"):
        return list(view.get_serializer().fields)
    return list(records[0]) if records else []
