"""Batch drafts: records collected in a spreadsheet, imported from one CSV file per resource as drafts.

A row is a record, in the API's column names (``document_url`` for a source's link, ``aliases`` and every
relation to many joined with ``;`` as the API's CSV writes them); a relation is given by the slug of the record
it names (a country by its code); citations are ``citation_<n>_source`` (a source's slug), ``citation_<n>_locator``
and ``citation_<n>_quote`` for n = 1, 2, ... (the API's own ``citations`` column, source slugs joined with ``;``,
is read too). Columns the registry sets itself (``url``, ``created_at``, ``updated_at``) and the other side of a
relation (``suspended_by``) are ignored, and the report says so, so that a CSV the API wrote imports as it is.
A blank slug is made from the name or title by the slug convention.

Each row is checked as the admin's add form checks it (the form is the admin's own: counts as ``671B``, the
slug convention, every constraint's message on its field), plus its citations: every record of fact cites at
least one source. The import is all or nothing: every row is checked, and if any has a problem nothing is
saved and the report lists every problem by row (as a spreadsheet numbers it: the header is row 1) and column.
Otherwise each row becomes a draft written by the importing curator, saved as the add form saves it (its
history names the file and row); the drafts then go through review like any other (nothing here publishes).

Cells are read as a file writes them, never guessed: a date is YYYY-MM-DD only, a true/false is true, false, yes,
no, 1 or 0 (blank is false), a relation never names a revision (a draft copy the workflow makes and removes).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils.datastructures import MultiValueDict
from django.utils.text import Truncator

from datasets.csv_cells import LIST_SEPARATOR, list_items, unneutralised
from datasets.models import AccessGrant, Source
from datasets.services.edits import fill_default_grantor, save_edit
from datasets.services.history import citation_model
from datasets.services.workflow import REVISION_SLUG
from datasets.slugs import slug_of

MAX_BYTES = 5 * 1024 * 1024
# A row takes some 25 ms to check and save, in one transaction that holds SQLite's write lock: 500 rows keep an
# import, and other curators' wait for their saves, well within a request's time.
MAX_ROWS = 500
MAX_COLUMNS = 300
# The history's reason holds at most 100 characters: "Imported from <file name>, row <n>".
MAX_NAME_IN_REASON = 60
# How many citations the template offers a row room for (a file may add citation_4_source and so on).
TEMPLATE_CITATIONS = 3

# API columns that the registry sets or derives, never read from a file.
COMPUTED_COLUMNS = {
    "url": "the record's API address, made from its slug",
    "created_at": "set when the record is created",
    "updated_at": "set when the record's public content changes",
    "suspended_by": "the other side of a suspension: give suspends on the suspending measure",
}
# Where the API's name of a column is not the model's name of the field.
API_NAMES = {"datasets.source": {"url": "document_url"}}
# Text fields that the API writes as a list (one item a line in the database).
LINE_LISTS = {"datasets.organization": {"aliases"}}
# The fields a blank slug is made from, first given first.
NAMED_BY = ("name", "title")
CITATION_COLUMN = re.compile(r"citation_(?P<number>[1-9][0-9]*)_(?P<part>source|locator|quote)")
CITATION_PARTS = ("source", "locator", "quote")
API_CITATIONS = "citations"
# Form fields that are the form's bookkeeping, no column.
FORM_ONLY = {"loaded_version"}
# A true/false cell, as written (blank is false, as an unchecked box).
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}
ISO_DATE = "%Y-%m-%d"


class BatchRefused(Exception):
    """The file cannot be read as a batch at all (not CSV, no header, unknown columns); nothing was imported."""


@dataclass(frozen=True)
class Column:
    """A column of a resource's batch file and what it takes."""

    name: str  # as in the API and the file
    field: str  # the form field it fills ("" for a citation's part)
    required: bool
    takes: str  # what a cell holds, for the column reference
    help: str


@dataclass(frozen=True)
class Problem:
    row: int | None  # as a spreadsheet numbers it (the header is row 1); None for the whole file
    column: str | None
    message: str


@dataclass
class Citing:
    source: Source
    locator: str
    quote: str


@dataclass
class BatchReport:
    """What an import did: the drafts it made (row number and record) or, if any row had a problem, every
    problem and nothing saved."""

    filename: str
    rows: int = 0
    created: list[tuple[int, object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems and bool(self.created)


def columns(form_class) -> list[Column]:
    """The columns of a batch file for the records ``form_class`` (the admin's add form) makes, in the form's
    order, then the citations, for a kind of record that cites."""
    model = form_class._meta.model
    renamed = API_NAMES.get(model._meta.label_lower, {})
    lines = LINE_LISTS.get(model._meta.label_lower, set())
    result = []
    for name, form_field in form_class.base_fields.items():
        if name in FORM_ONLY:
            continue
        takes = "names joined with ;" if name in lines else _takes(form_field)
        required = form_field.required and not (name == "slug" and any(n in form_class.base_fields for n in NAMED_BY))
        help_text = str(form_field.help_text or "")
        if name == "slug" and not required:
            help_text += " Leave blank to make it from the name."
        result.append(Column(renamed.get(name, name), name, required, takes, help_text.strip()))
    if citation_model(model) is not None:
        for number in range(1, TEMPLATE_CITATIONS + 1):
            result += _citation_columns(number)
    return result


def _citation_columns(number: int) -> list[Column]:
    first = number == 1
    return [
        Column(
            f"citation_{number}_source",
            "",
            first,
            "the slug of a source",
            "A source supporting the record." + (" Every record cites at least one." if first else ""),
        ),
        Column(f"citation_{number}_locator", "", False, "text", "Where in the source: page, section or paragraph."),
        Column(f"citation_{number}_quote", "", False, "text", "A short verbatim quotation that supports the record."),
    ]


def _takes(form_field) -> str:
    """What a cell of a column holds, in curators' words."""
    if isinstance(form_field, forms.ModelChoiceField) and _is_country(form_field):
        return "country codes (ISO 3166-1 alpha-2) joined with " + LIST_SEPARATOR
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return f"slugs of {form_field.queryset.model._meta.verbose_name_plural} joined with {LIST_SEPARATOR}"
    if isinstance(form_field, forms.ModelChoiceField):
        kind = form_field.queryset.model._meta.verbose_name
        return f"the slug of {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    if isinstance(form_field, forms.SlugField):
        return "a slug: lowercase letters and digits joined by hyphens"
    if isinstance(form_field, forms.ChoiceField):
        values = [str(value) for value, _ in form_field.choices if value != ""]
        return "a country code (ISO 3166-1 alpha-2)" if len(values) > 30 else "one of " + ", ".join(values)
    if isinstance(form_field, forms.DateField):
        return "a date, YYYY-MM-DD"
    if isinstance(form_field, forms.BooleanField):
        return "true or false"
    if isinstance(form_field, forms.URLField):
        return "a URL"
    if isinstance(form_field, forms.IntegerField) and isinstance(form_field.widget, forms.TextInput):
        return "a count, as 671B, 1.6T or digits"  # the admin's CountField
    if isinstance(form_field, forms.IntegerField | forms.DecimalField):
        return "a number"
    return "text"


def _is_country(form_field) -> bool:
    return form_field.queryset.model._meta.label_lower == "datasets.country"


def template_csv(form_class) -> str:
    """The header row of a batch file for the records ``form_class`` makes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([column.name for column in columns(form_class)])
    return out.getvalue()


def read_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV file (UTF-8, with or without a byte order mark); rows whose cells are
    all blank are dropped, as a spreadsheet's trailing empty rows."""
    if len(content) > MAX_BYTES:
        raise BatchRefused(f"The file is larger than {MAX_BYTES:,} bytes: split it into several.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchRefused(
            f"The file is not UTF-8 text (byte {error.start + 1}): save it from the spreadsheet as CSV UTF-8."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise BatchRefused("The file is empty: it needs a header row of column names, then a row per record.") from None
    except csv.Error as error:
        raise BatchRefused(f"The file is not CSV: {error}.") from None
    if len(header) > MAX_COLUMNS:
        raise BatchRefused(f"The header names {len(header):,} columns; a batch has at most {MAX_COLUMNS}.")
    duplicates = sorted(name for name, times in Counter(header).items() if times > 1 and name)
    if duplicates:
        raise BatchRefused(f"Columns given twice: {', '.join(duplicates)}.")
    nameless = [index for index, name in enumerate(header) if not name]
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise BatchRefused(f"Row {number} has {len(cells)} cells but the header names {len(header)} columns.")
            for index in nameless:
                if index < len(cells) and cells[index].strip():
                    raise BatchRefused(
                        f"Column {index + 1} has no name in the header, but row {number} has a value in it."
                    )
            rows.append({"#": number, **dict(zip(header, cells, strict=False))})
            if len(rows) > MAX_ROWS:
                raise BatchRefused(f"The file has more than {MAX_ROWS} rows: split it into several.")
    except csv.Error as error:
        raise BatchRefused(f"The file is not CSV (near line {reader.line_num}): {error}.") from None
    return header, rows


def import_drafts(form_class, content: bytes, user, filename: str = "batch.csv") -> BatchReport:
    """Import the rows of ``content`` (a CSV file) as drafts made with ``form_class``, all or nothing.

    ``BatchRefused`` for a file that cannot be read as a batch; otherwise a report, whose ``problems`` (if any)
    mean that nothing was saved."""
    model = form_class._meta.model
    header, rows = read_rows(content)
    known = {column.name: column for column in columns(form_class)}
    cites = citation_model(model) is not None
    report = BatchReport(filename=filename, rows=len(rows))
    unknown = []
    for name in header:
        if not name or name in known or name in COMPUTED_COLUMNS:
            continue
        if cites and (CITATION_COLUMN.fullmatch(name) or name == API_CITATIONS):
            continue
        unknown.append(name)
    if unknown:
        accepted = ", ".join(known)
        raise BatchRefused(
            f"Unknown columns: {', '.join(unknown)}. A {model._meta.verbose_name} batch takes: {accepted}"
            + (" (and citation_<n>_source, _locator, _quote for more citations)." if cites else ".")
        )
    report.ignored = [name for name in header if name in COMPUTED_COLUMNS]
    if not rows:
        raise BatchRefused("The file has a header but no rows: add a row per record.")
    with transaction.atomic():
        for row in rows:
            _import_row(form_class, row, known, user, report)
        if report.problems:
            transaction.set_rollback(True)
            report.created = []
    return report


def _import_row(form_class, row: dict, known: dict[str, Column], user, report: BatchReport) -> None:
    number = row["#"]
    model = form_class._meta.model
    problems = []
    form = form_class(data=_form_data(form_class, row, known, problems.append))
    _as_files_write_them(form)
    citations = _citations(model, row, problems.append)
    if not form.is_valid():
        field_columns = {column.field: column.name for column in known.values() if column.field}
        told = {column for column, _ in problems}  # a cell's own problem says more than the form's
        for name, messages in form.errors.items():
            column = None if name == NON_FIELD_ERRORS else field_columns.get(name, name)
            if column not in told:
                problems += [(column, message) for message in messages]
    if problems:
        report.problems += [Problem(number, column, message) for column, message in problems]
        return
    record = form.save(commit=False)
    if isinstance(record, AccessGrant):
        fill_default_grantor(record)
    cited = citation_model(model)

    def related():
        form.save_m2m()
        for citation in citations:
            cited.objects.create(record=record, source=citation.source, locator=citation.locator, quote=citation.quote)

    try:
        with transaction.atomic():
            reason = f"Imported from {Truncator(report.filename).chars(MAX_NAME_IN_REASON)}, row {number}"
            save_edit(record, user, record.version, reason=reason, related=related)
    except IntegrityError:
        # Another curator saved a record with the same slug since this row was checked.
        report.problems.append(Problem(number, "slug", f"A {model._meta.verbose_name} with this slug was just saved."))
        return
    report.created.append((number, record))


def _form_data(form_class, row: dict, known: dict[str, Column], problem) -> MultiValueDict:
    """The values a browser would send from the add form, from a row's cells; ``problem`` is told (column,
    message) of a cell no form field reads right (a true/false other than those, a slug no name makes)."""
    lines = LINE_LISTS.get(form_class._meta.model._meta.label_lower, set())
    data = MultiValueDict()
    multiple = {
        name
        for name, form_field in form_class.base_fields.items()
        if isinstance(form_field, forms.ModelMultipleChoiceField)
    }
    for name, cell in row.items():
        column = known.get(name)
        if column is None or not column.field:
            continue
        if isinstance(form_class.base_fields[column.field], forms.BooleanField):
            flag = BOOLEANS.get(cell.strip().lower())
            if flag is None:
                problem((name, f"{cell.strip()!r} is not true or false: write true, false, 1 or 0."))
            elif flag:
                data[column.field] = "true"  # a check box left unchecked sends nothing
        elif column.field in multiple:
            data.setlist(column.field, list_items(cell))
        elif column.field in lines:
            data[column.field] = "\n".join(list_items(cell))
        else:
            data[column.field] = unneutralised(cell)
    if not data.get("slug", "").strip():
        for name in NAMED_BY:
            if data.get(name, "").strip():
                data["slug"] = slug_of(data[name])
                if not data["slug"]:
                    problem(("slug", f"No slug can be made from the {name} {data[name].strip()!r}: give one."))
                break
    return data


def _as_files_write_them(form) -> None:
    """Let the form read values as a batch file writes them: a relation by slug (a country by its code), never
    a revision (a draft copy, named by the workflow, that goes away once published); a date as YYYY-MM-DD only
    (a spreadsheet's 01/02/2025 is the 1st of February in one country and the 2nd of January in another)."""
    for form_field in form.fields.values():
        if isinstance(form_field, forms.DateField):
            form_field.input_formats = [ISO_DATE]
            form_field.error_messages = {**form_field.error_messages, "invalid": "Enter a date as YYYY-MM-DD."}
        if not isinstance(form_field, forms.ModelChoiceField):
            continue
        meta = form_field.queryset.model._meta
        if any(f.name == "revision_of" for f in meta.fields):
            form_field.queryset = form_field.queryset.filter(revision_of__isnull=True)
        if any(f.name == "slug" for f in meta.fields):
            form_field.to_field_name = "slug"
            message = f"No {meta.verbose_name} has the slug %(value)s."
        else:
            message = f"No {meta.verbose_name} has the code %(value)s."
        form_field.error_messages = {**form_field.error_messages, "invalid_choice": message}


def _citations(model, row: dict, problem) -> list[Citing]:
    """A row's citations, each checked (a known source, each source and locator once, lengths); ``problem`` is
    told (column, message) of each problem. A record of fact that cites nothing is a problem."""
    cited = citation_model(model)
    if cited is None:
        return []
    wanted: list[tuple[str, str, str, str]] = []  # source slug, locator, quote, column of the source
    # The API's column: each source once (a record citing a source at two places lists it twice, without them).
    for slug in dict.fromkeys(list_items(row.get(API_CITATIONS, ""))):
        wanted.append((slug, "", "", API_CITATIONS))
    groups: dict[int, dict[str, str]] = {}
    for name, cell in row.items():
        match = CITATION_COLUMN.fullmatch(name)
        if match and cell.strip():
            text = unneutralised(cell.strip()).replace("\r\n", "\n").replace("\r", "\n")
            groups.setdefault(int(match["number"]), {})[match["part"]] = text
    for number in sorted(groups):
        parts = groups[number]
        column = f"citation_{number}_source"
        if not parts.get("source"):
            problem((column, "A citation's locator or quote is given without its source: give the source's slug."))
            continue
        wanted.append((parts["source"], parts.get("locator", ""), parts.get("quote", ""), column))
    if not wanted:
        problem(("citation_1_source", "Every record of fact cites at least one source: give a source's slug."))
        return []
    for slug, locator, quote, column in wanted:
        for part, text in (("source", slug), ("locator", locator), ("quote", quote)):
            if "\x00" in text:
                part_column = column.replace("_source", f"_{part}") if column != API_CITATIONS else column
                problem((part_column, str(ProhibitNullCharactersValidator.message)))
    wanted = [citation for citation in wanted if not any("\x00" in text for text in citation[:3])]
    slugs = [slug for slug, *_ in wanted]
    sources = Source._base_manager.filter(revision_of__isnull=True).in_bulk(slugs, field_name="slug")
    result, seen = [], set()
    for slug, locator, quote, column in wanted:
        source = sources.get(slug)
        if source is None:
            if REVISION_SLUG in slug:
                problem((column, f"{slug} is a revision, no source to cite: cite the source it revises."))
            else:
                problem((column, f"No source has the slug {slug}: import or add the source first."))
            continue
        if (slug, locator) in seen:
            problem((column, f"{slug} is cited twice with the same locator."))
            continue
        seen.add((slug, locator))
        try:
            cited(source=source, locator=locator, quote=quote).clean_fields(exclude=["record"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                part_column = column.replace("_source", f"_{name}") if column != API_CITATIONS else column
                for message in messages:
                    problem((part_column, message))
            continue
        result.append(Citing(source, locator, quote))
    return result
