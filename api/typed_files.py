"""Typed release files: one NDJSON and one Parquet file per resource, for DuckDB, pandas and the like.

The NDJSON file holds the release's JSON records, one a line. The Parquet file is that NDJSON file read by
DuckDB with every column's type declared from the API's serializer fields (``column_type``): dates as DATE,
timestamps as TIMESTAMP WITH TIME ZONE, whole numbers as BIGINT, decimal figures as DECIMAL with the field's
digits, flags as BOOLEAN, lists as LIST, a nested record (a brief relation, a citation) as a STRUCT of its own
typed fields, everything else as VARCHAR. So both files hold the same records, and the Parquet file is exactly
the JSON release with types.

DuckDB writes the Parquet files: it reads NDJSON with declared types and writes Parquet in one statement, has
no dependencies of its own (one wheel, about a third of pyarrow's install) and is what the README's
quickstarts read the files with. It runs on one thread with insertion order kept, so that the same records
always give the same bytes.
"""

import tempfile
from pathlib import Path

import duckdb
from rest_framework import serializers

# The types of the serializer fields' values, checked in order (subclasses before their bases): the
# Frictionless type (datapackage.json) and the DuckDB type (the Parquet files); any other field is text.
SCALAR_TYPES = (
    (serializers.BooleanField, "boolean", "BOOLEAN"),
    (serializers.IntegerField, "integer", "BIGINT"),
    (serializers.DecimalField, "number", None),  # DECIMAL with the field's own digits (``column_type``)
    (serializers.FloatField, "number", "DOUBLE"),
    (serializers.DateTimeField, "datetime", "TIMESTAMP WITH TIME ZONE"),
    (serializers.DateField, "date", "DATE"),
)


def frictionless_type(field) -> str:
    """The Frictionless Table Schema type of a scalar serializer field's values."""
    return next((kind for cls, kind, _ in SCALAR_TYPES if isinstance(field, cls)), "string")


def column_type(field) -> str:
    """The DuckDB (and so Parquet) type of a serializer field's values."""
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return f"{column_type(field.child)}[]"
    if isinstance(field, serializers.ManyRelatedField):
        return f"{column_type(field.child_relation)}[]"
    if isinstance(field, serializers.Serializer):
        members = ", ".join(f"{quoted(name)} {column_type(child)}" for name, child in field.fields.items())
        return f"STRUCT({members})"
    if isinstance(field, serializers.DecimalField):
        return f"DECIMAL({field.max_digits}, {field.decimal_places})"
    return next((kind for cls, _, kind in SCALAR_TYPES if isinstance(field, cls)), "VARCHAR")


def quoted(name: str) -> str:
    """A column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def columns(fields: dict) -> dict[str, str]:
    """A resource's columns and their types, in the API's field order."""
    return {name: column_type(field) for name, field in fields.items()}


def parquet_bytes(ndjson: bytes, fields: dict) -> bytes:
    """The records of ``ndjson`` (one JSON record a line, with the API's ``fields``) as a Parquet file: each
    column typed as ``column_type`` says, the records in their order, compressed with ZSTD."""
    types = columns(fields)
    declared = "{" + ", ".join(f"{sql_text(name)}: {sql_text(kind)}" for name, kind in types.items()) + "}"
    with tempfile.TemporaryDirectory(prefix="registry-parquet-") as work:
        source, target = Path(work) / "records.ndjson", Path(work) / "records.parquet"
        source.write_bytes(ndjson)
        with duckdb.connect(":memory:", config={"threads": 1, "preserve_insertion_order": True}) as database:
            # An empty file has no rows to read, only the columns: a table of them, empty.
            read = (
                f"read_json({sql_text(str(source))}, format = 'newline_delimited', columns = {declared}, "
                "maximum_object_size = 67108864)"
            )
            # Every name and path in it is quoted (``quoted``, ``sql_text``); the names are the serializer's own.
            select = f"SELECT {', '.join(quoted(name) for name in types)} FROM {read}"  # noqa: S608
            database.execute(f"COPY ({select}) TO {sql_text(str(target))} (FORMAT parquet, COMPRESSION zstd)")
        return target.read_bytes()


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
