"""Queries compiled once and run again with new values: the API's record reads without the ORM's per-request work.

A record's route and a page's records read the same query every time, only the slug or the keys change. Composing
it (a dozen correlated subqueries for the relations, citations and dossier: ``api.nesting``) and compiling it to
SQL take the ORM several times as long as SQLite takes to answer it. A ``PreparedQuery`` does both once per
database and shape: it builds the queryset with stand-in values, compiles it, notes where the stand-ins are among
the SQL's parameters, and from then on sends that SQL with the request's values in their place, and makes the
records as Django's ``ModelIterable`` does (the same converters, ``from_db``, annotations). While something watches
the connection's queries (query logging, a test's capture, an ``execute_wrapper``) the SQL goes through Django's
cursor as any other query; otherwise, on SQLite, straight to the driver's, in its own parameter style, converted
once. The records are the ORM's own: ``tests/test_prepared.py`` compares them, and the API's answers, with the
ORM's.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Sequence

import orjson
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

# Stand-ins for the values a query is prepared with: text that no slug can be (slugs are [-a-zA-Z0-9_]+), in
# mixed case (so that a value lowered or uppercased on its way is seen not to reach the SQL as given), and
# keys no table holds.
TEXT_MARK = "~Prepared-{}~"
KEY_MARK = -(2**40)


class Compiled:
    """One query compiled for one database: its SQL and parameters, where the values go, and how rows become
    records (from the compiler that compiled it, as ModelIterable reads them)."""

    def __init__(self, queryset: QuerySet, marks: Sequence, alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = []
        for mark in marks:
            found = [index for index, value in enumerate(self.params) if value == mark and type(value) is type(mark)]
            if len(found) != 1:
                raise ValueError(f"prepared query: stand-in {mark!r} found {len(found)} times among the parameters")
            self.slots.append(found[0])
        self.compiler = compiler
        self.alias = alias
        klass_info = compiler.klass_info
        if klass_info is None or compiler.select is None:
            raise ValueError("prepared query: not a query of model instances")
        select_fields = klass_info["select_fields"]
        self.model = klass_info["model"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in compiler.select[self.start : self.end]]
        self.annotations = list(compiler.annotation_col_map.items())
        self.direct = direct_init(self.model, self.init_list)
        # What results_iter() works out on every run: the converters of the selected columns (and, on SQLite, the
        # SQL in the driver's own "?" style, which the backend's cursor otherwise makes with a regex each time).
        columns = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("prepared query: composite fields")
        self.converters = compiler.get_converters(columns)
        self.quick = quick_converters(self.converters, compiler.connection)
        self.qmark_sql = driver_sql(compiler.connection, self.sql)

    def run(self, values: Sequence) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        rows = fetch_rows(self.alias, self.sql, self.qmark_sql, params)
        if self.quick is not None:
            rows = convert(rows, self.quick)
        elif self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        records = []
        model, alias, init_list, start, end = self.model, self.alias, self.init_list, self.start, self.end
        names = [*init_list, *(name for name, _ in self.annotations)]
        positions = [*range(start, end), *(position for _, position in self.annotations)]
        for row in rows:
            if self.direct:
                record = model.__new__(model)
                state = ModelState()
                state.adding, state.db = False, alias
                record.__dict__["_state"] = state
                record.__dict__.update(zip(names, [row[position] for position in positions], strict=True))
            else:
                record = model.from_db(alias, init_list, row[start:end])
                for name, position in self.annotations:
                    setattr(record, name, row[position])
            records.append(record)
        return records


def driver_sql(connection, sql: str) -> str | None:
    """On SQLite, ``sql`` in the driver's own "?" style, converted once (Django's SQLite cursor converts it with a
    regex on every run); None on another database."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        return cursor.cursor.convert_query(sql)


def fetch_rows(alias: str, sql: str, qmark_sql: str | None, params: list) -> list:
    """The rows of a prepared query. While nothing watches the connection's queries (no execute_wrapper, no
    logging or test capture), the driver's cursor runs the SQL converted once (``driver_sql``), with Django's
    translation of its errors; otherwise Django's cursor runs it, as any other query."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if qmark_sql is not None and not connection.execute_wrappers and not connection.queries_logged:
            with connection.wrap_database_errors:
                return connection.Database.Cursor.execute(cursor.cursor, qmark_sql, params).fetchall()
        cursor.execute(sql, params)
        return cursor.fetchall()


def quick_converters(converters: dict, connection) -> list | None:
    """The columns' converters as ``(position, convert)``, each ``convert`` taking a value that is not None (None
    stays None) and giving what the backend's converter gives, with its checks done once here rather than for each
    value; None when a column has a converter not known here (then Django's ``apply_converters`` runs them).

    Known: SQLite's date and date-time converters (the driver already gives ``date`` and naive ``datetime``
    values; Django's converter makes the latter aware in the connection's time zone) and the nesting subqueries'
    JSON (``NestedJSONField``). Any value of another kind goes to Django's own converter."""
    from api.nesting import NestedJSONField

    sqlite = None
    if connection.vendor == "sqlite":  # its backend is loaded (importing it first from elsewhere is circular)
        from django.db.backends.sqlite3.operations import DatabaseOperations as sqlite

    quick = []
    for position, (chain, expression) in converters.items():
        if len(chain) != 1:
            return None
        django_convert = chain[0]
        function = getattr(django_convert, "__func__", None)
        if sqlite is not None and function is sqlite.convert_datetimefield_value:
            quick.append((position, aware_datetime(django_convert, expression, connection)))
        elif sqlite is not None and function is sqlite.convert_datefield_value:
            quick.append((position, plain_date(django_convert, expression, connection)))
        elif function is NestedJSONField.from_db_value:
            quick.append((position, nested_json(django_convert, expression, connection)))
        else:
            return None
    return quick


def aware_datetime(django_convert, expression, connection):
    def convert(value):
        if value.__class__ is datetime.datetime and value.tzinfo is None:
            return value.replace(tzinfo=connection.timezone) if settings.USE_TZ else value
        return django_convert(value, expression, connection)

    return convert


def plain_date(django_convert, expression, connection):
    def convert(value):
        if isinstance(value, datetime.date):
            return value
        return django_convert(value, expression, connection)

    return convert


def nested_json(django_convert, expression, connection):
    def convert(value):
        if value.__class__ is str:
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return django_convert(value, expression, connection)

    return convert


def convert(rows: list, quick: list) -> list:
    """The rows with each column's value converted (``quick_converters``)."""
    converted = []
    for row in rows:
        row = list(row)
        for position, convert_value in quick:
            value = row[position]
            if value is not None:
                row[position] = convert_value(value)
        converted.append(row)
    return converted


def direct_init(model, attnames: list[str]) -> bool:
    """Whether a record of ``model`` read with every column in ``attnames`` can be made by filling its ``__dict__``:
    what ``Model.__init__`` ends up doing, when no receiver listens to its signals and no field's attribute does
    more on assignment than store the value (a foreign key's also forgets a cached related record, which a new
    record has not). Skips the per-field ``setattr`` loop: a fifth of a page of 50 records' time."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    if attnames != [field.attname for field in model._meta.concrete_fields]:
        return False
    plain = (DeferredAttribute, ForeignKeyDeferredAttribute)
    return all(type(model.__dict__.get(name) or getattr(model, name, None)) in plain for name in attnames)


class KeptShapes:
    """Queries compiled once per shape (database, number and kinds of values...), at most ``limit`` kept; a shape
    that cannot be prepared is kept as None, and its callers use the ORM."""

    # Shapes kept: a prepared query's records are one shape per page length (1 to 500), most lists ask for 50.
    limit = 64

    def __init__(self):
        self.compiled: dict[tuple, object | None] = {}
        self.lock = threading.Lock()

    def kept(self, key: tuple, compile_shape: Callable[[], object]):
        """The compiled query of ``key``, compiled now by ``compile_shape`` if new (None: not prepared)."""
        compiled = self.compiled.get(key)
        if compiled is None and key not in self.compiled:
            try:
                compiled = compile_shape()
            except (EmptyResultSet, ValueError):
                compiled = None
            with self.lock:
                if len(self.compiled) >= self.limit:
                    self.compiled.clear()
                self.compiled[key] = compiled
        return compiled


class PreparedQuery(KeptShapes):
    """A queryset of model instances that ``build`` makes from some values, compiled once per database and
    count of values (``build`` gets stand-ins; each must reach the SQL as one parameter, unchanged).

    ``run(queryset_db, values)`` gives the records that ``build(*values)`` would, in the query's order."""

    def __init__(self, build: Callable[..., QuerySet]):
        super().__init__()
        self.build = build

    def run(self, alias: str, values: Sequence) -> list:
        key = (alias, len(values), tuple(type(value) for value in values))
        compiled = self.kept(key, lambda: self.prepare(alias, values))
        if compiled is None:  # a shape the stand-ins cannot take: the ORM, as ever
            return list(self.build(*values).using(alias))
        return compiled.run(values)

    def prepare(self, alias: str, values: Sequence) -> Compiled:
        """The query compiled with a stand-in for each of ``values``."""
        marks = [
            TEXT_MARK.format(index) if isinstance(value, str) else KEY_MARK - index
            for index, value in enumerate(values)
        ]
        return Compiled(self.build(*marks), marks, alias)


class PreparedKeys(KeptShapes):
    """The keys of a filtered list's page, by SQL compiled once per database and shape of the question.

    A list's page of keys is ``build(stand-ins)``, a ``values_list("pk")`` queryset sorted, filtered by the
    request's parameters, then cut to the page. Composing the filters and compiling them took longer than SQLite
    takes to answer. Here the queryset is built and compiled once per *shape* (``FilterSet.prepared_shape``: which
    parameters are given, how many values each, and the values of those that change the SQL's form, an ordering
    or a true/false), with stand-ins where the values go, twice with different stand-ins (the same SQL both times,
    or it is not prepared), and the page is that SQL with the request's values in their place and its limit and
    offset after it (checked equal to the ORM's own for a sliced query when prepared). A shape that cannot be
    prepared is None here, and the view uses the ORM, as ever. ``tests/test_prepared.py`` compares the keys with
    the ORM's.
    """

    # Shapes of lists' questions kept per viewset: the parameters given, their numbers of values, the orderings.
    limit = 256

    def get(self, key: tuple, build: Callable[[list], QuerySet], count: int, alias: str, page: tuple[int, int]):
        """The compiled keys query of ``key`` (compiled now if new), or None for a shape that is not prepared."""
        return self.kept(key, lambda: CompiledKeys(build, count, alias, page))


class CompiledKeys:
    """A keys query compiled for one database, with its values' places among its parameters."""

    def __init__(self, build: Callable[[list], QuerySet], count: int, alias: str, page: tuple[int, int]):
        first = [TEXT_MARK.format(index) for index in range(count)]
        second = [TEXT_MARK.format(f"{index}b") for index in range(count)]
        queryset = build(first)
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        other_sql, other_params = build(second).query.get_compiler(using=alias).as_sql()
        if other_sql != self.sql or len(other_params) != len(params):
            raise ValueError("prepared keys: the SQL depends on the values")
        self.params = list(params)
        self.slots = []  # (position among the parameters, index of the value)
        marks = {mark: index for index, mark in enumerate(first)}
        other_marks = {mark: index for index, mark in enumerate(second)}
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            index = marks.get(value) if type(value) is str else None
            if index is None:
                if value != other or type(value) is not type(other):
                    raise ValueError("prepared keys: a parameter made from a value, not the value itself")
                continue
            if type(other) is not str or other_marks.get(other) != index:
                raise ValueError("prepared keys: the values' places differ")
            self.slots.append((position, index))
        if sorted({index for _, index in self.slots}) != list(range(count)):
            raise ValueError("prepared keys: a value does not reach the SQL as given")
        columns = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        if len(columns) != 1 or compiler.get_converters(columns):
            raise ValueError("prepared keys: not one plain key column")
        self.alias = alias
        self.connection = compiler.connection
        low, high = page
        sliced, _ = build(first)[low:high].query.get_compiler(using=alias).as_sql()
        if sliced != self.page_sql(self.sql, low, high):
            raise ValueError("prepared keys: the page's limit and offset are not at the end of the SQL")
        self.qmark_sql = driver_sql(self.connection, self.sql)

    def page_sql(self, sql: str, low: int, high: int) -> str:
        limit_offset = self.connection.ops.limit_offset_sql(low, high)
        return f"{sql} {limit_offset}" if limit_offset else sql

    def run(self, values: Sequence, low: int, high: int) -> list:
        """The keys of the records from ``low`` to ``high`` (excluded) of the list that ``values`` select."""
        params = list(self.params)
        for position, index in self.slots:
            params[position] = values[index]
        qmark_sql = self.page_sql(self.qmark_sql, low, high) if self.qmark_sql is not None else None
        rows = fetch_rows(self.alias, self.page_sql(self.sql, low, high), qmark_sql, params)
        return [row[0] for row in rows]
