"""The release's typed files (issue 19): per resource an NDJSON file (the JSON release, a record a line) and a
Parquet file (the same records, typed), listed in datapackage.json and SHA256SUMS, downloadable, and read back
by DuckDB (which writes them) and by pyarrow (a second, independent reader) to the JSON release's records with
the types that datapackage.json declares."""

import datetime
import decimal
import json

import duckdb
import pyarrow.parquet
import pytest

from api.exports import resource_fields
from api.typed_files import column_type
from datasets.resources import RESOURCES
from tests.test_releases import dataset, export  # noqa: F401 - the releases' own scene and writer

pytestmark = pytest.mark.django_db


def typed(value, kind: str):
    """A JSON release value as the Parquet type ``kind`` says it is read: the expectation, built from the JSON."""
    if value is None:
        return None
    if kind.endswith("[]"):
        return [typed(item, kind[:-2]) for item in value]
    if kind.startswith("STRUCT("):
        members = struct_members(kind)
        assert list(value) == list(members)  # the struct's fields are the nested record's, in its order
        return {name: typed(value[name], member) for name, member in members.items()}
    if kind == "DATE":
        return datetime.date.fromisoformat(value)
    if kind == "TIMESTAMP WITH TIME ZONE":
        return datetime.datetime.fromisoformat(value)
    if kind.startswith("DECIMAL("):
        return decimal.Decimal(value)
    if kind == "BIGINT":
        assert isinstance(value, int)
        return value
    if kind == "BOOLEAN":
        assert isinstance(value, bool)
        return value
    assert kind == "VARCHAR" and isinstance(value, str), (kind, value)
    return value


def struct_members(kind: str) -> dict[str, str]:
    """The members of a ``STRUCT(name TYPE, ...)`` type, by name, nested structs and lists kept whole."""
    inner, members, depth, start = kind[len("STRUCT(") : -1], {}, 0, 0
    for position, character in enumerate(inner + ","):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            name, _, member = inner[start:position].strip().partition(" ")
            members[name.strip('"')] = member
            start = position + 1
    return members


def expected(files: dict, resource) -> list[dict]:
    """The resource's JSON release records, each value as its declared Parquet type."""
    types = {name: column_type(field) for name, field in resource_fields(resource).items()}
    return [
        {name: typed(record[name], types[name]) for name in types}
        for record in json.loads(files[f"{resource.name}.json"])
    ]


def same_instants(rows: list[dict]) -> list[dict]:
    """Timestamps in UTC, so that a reader's time zone of display does not count: the instants must be equal."""

    def utc(value):
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC)
        if isinstance(value, dict):
            return {key: utc(item) for key, item in value.items()}
        if isinstance(value, list):
            return [utc(item) for item in value]
        return value

    return [utc(row) for row in rows]


def test_ndjson_files_are_the_json_release_a_record_a_line(dataset, tmp_path):  # noqa: F811
    files = export(tmp_path)
    for resource in RESOURCES:
        lines = files[f"{resource.name}.ndjson"].decode().splitlines()
        assert [json.loads(line) for line in lines] == json.loads(files[f"{resource.name}.json"])
    assert files["chips.ndjson"].count(b"\n") == 1  # the hidden chip is not in it
    assert files["organizations.ndjson"].endswith(b"\n")


def test_parquet_files_read_back_with_duckdb_to_the_json_records_with_their_types(dataset, tmp_path):  # noqa: F811
    files = export(tmp_path)
    for resource in RESOURCES:
        path = tmp_path / f"{resource.name}.parquet"
        result = duckdb.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [column[0] for column in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        assert same_instants(rows) == same_instants(expected(files, resource)), resource.name
        schema = duckdb.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        assert [(name, kind) for name, kind, *_ in schema] == declared_columns(resource)
    chips = duckdb.execute(
        "SELECT memory_gb, tpp, announced_on FROM read_parquet(?)", [str(tmp_path / "chips.parquet")]
    )
    assert [column[1] for column in chips.description] == ["DECIMAL(8,1)", "BIGINT", "DATE"]


def declared_columns(resource) -> list[tuple[str, str]]:
    """The columns and types that ``column_type`` declares for a resource, as DuckDB describes a table of them."""
    database = duckdb.connect()
    columns = ", ".join(f'"{name}" {column_type(field)}' for name, field in resource_fields(resource).items())
    database.execute(f"CREATE TABLE declared ({columns})")
    return [(name, kind) for name, kind, *_ in database.execute("DESCRIBE declared").fetchall()]


def test_parquet_files_read_back_with_pyarrow_to_the_same_records_and_types(dataset, tmp_path):  # noqa: F811
    files = export(tmp_path)
    for resource in RESOURCES:
        table = pyarrow.parquet.read_table(tmp_path / f"{resource.name}.parquet")
        assert table.column_names == list(resource_fields(resource))
        assert same_instants(table.to_pylist()) == same_instants(expected(files, resource)), resource.name
    releases = pyarrow.parquet.read_schema(tmp_path / "model-releases.parquet")
    assert str(releases.field("released_on").type) == "date32[day]"
    assert str(releases.field("parameters_total").type) == "int64"
    assert str(releases.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert str(releases.field("developer").type) == "struct<slug: string, name: string, url: string>"
    assert str(releases.field("training_chips").type).startswith("list<element: struct<slug: string")
    controls = pyarrow.parquet.read_schema(tmp_path / "export-controls.parquet")
    assert str(controls.field("target_countries").type) == "list<element: string>"


def test_typed_files_are_described_in_the_datapackage_and_checksummed(dataset, tmp_path):  # noqa: F811
    files = export(tmp_path)
    package = json.loads(files["datapackage.json"])
    described = {entry["path"]: entry for entry in package["resources"]}
    sums = {line.split("  ")[1] for line in files["SHA256SUMS"].decode().splitlines()}
    for resource in RESOURCES:
        for extension in ("ndjson", "parquet"):
            assert f"{resource.name}.{extension}" in described and f"{resource.name}.{extension}" in sums
        parquet = described[f"{resource.name}.parquet"]
        assert parquet["mediatype"] == "application/vnd.apache.parquet"
        declared = {field["name"]: field for field in parquet["schema"]["fields"]}
        assert list(declared) == list(resource_fields(resource))
        for name, field in resource_fields(resource).items():
            assert declared[name]["parquetType"] == column_type(field)
    fields = {field["name"]: field for field in described["model-releases.parquet"]["schema"]["fields"]}
    assert fields["released_on"]["type"] == "date" and fields["parameters_total"]["type"] == "integer"
    assert fields["developer"]["type"] == "object" and fields["training_chips"]["type"] == "array"


def test_typed_files_are_the_same_bytes_for_the_same_data(dataset, tmp_path):  # noqa: F811
    first, second = export(tmp_path / "a"), export(tmp_path / "b")
    for resource in RESOURCES:
        for extension in ("ndjson", "parquet"):
            name = f"{resource.name}.{extension}"
            assert first[name] == second[name], name


def test_an_empty_resource_gives_a_parquet_file_with_its_typed_columns_and_no_row(tmp_path):
    export(tmp_path)
    result = duckdb.execute("SELECT * FROM read_parquet(?)", [str(tmp_path / "chips.parquet")])
    assert result.fetchall() == []
    chips = next(resource for resource in RESOURCES if resource.name == "chips")
    assert [column[0] for column in result.description] == list(resource_fields(chips))
