"""Free-text search, the API's ``q``: which columns each model searches, and the indexes that answer it.

``q`` means what Django's ``icontains`` means over the searched columns: records in which one of the columns
contains the text, ignoring case. An index finds the candidates, so that the cost follows the number of
matches rather than the size of the table:

- SQLite: an FTS5 table per model, ``<table>_fts``, with the trigram tokenizer, over the model's table as
  external content (``content="<table>"``, the layout Datasette recognizes as the table's search index), kept
  in step by triggers. The text, quoted as one FTS5 string, matches the rows in which one column contains it
  (a phrase never spans two columns), ignoring case for every alphabet; the ``icontains`` condition then
  checks those rows again, because SQLite's LIKE ignores case for ASCII letters only. Trigrams need 3
  characters: a shorter text is answered by the ``icontains`` scan alone.
- PostgreSQL: a GIN trigram index (pg_trgm) per searched column, on the very expression that ``icontains``
  compares, ``UPPER(column::text)``, so that the planner answers the OR of the columns with a BitmapOr of
  index scans. The index only narrows the rows down; PostgreSQL rechecks each one.

The indexes are made by migrations (``0007_search_indexes``), which keep a frozen copy of what ``sqlite_sql()``
and ``postgresql_sql()`` build. Changing ``SEARCHED_FIELDS`` therefore takes a migration that drops the model's
index and creates it again from their output. On SQLite, a migration that rebuilds a searched table (Django
does for most column changes) drops the table's triggers with it, and must create them again;
tests/test_search.py checks that the database matches ``SEARCHED_FIELDS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections
from django.db.models import BooleanField, F, FloatField, Func, Model, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest

from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source
from datasets.querysets import published_lookup

__all__ = [
    "LINKED_NAMES",
    "MIN_INDEXED_LENGTH",
    "NAME_FIELDS",
    "SEARCHED_FIELDS",
    "fts_phrase",
    "fts_table",
    "matching",
    "ordered",
    "postgresql_sql",
    "rank",
    "sqlite_sql",
    "trigram_index",
]

# The columns ``q`` searches, per model: the API documents them, the indexes cover them. All are text columns,
# so that the index sees the very text that ``icontains`` compares.
SEARCHED_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Organization: ("slug", "name", "aliases", "description"),
    Source: ("slug", "title", "publisher"),
    Chip: ("slug", "name", "memory_type", "notes"),
    ModelRelease: ("slug", "name", "family", "huggingface_repo", "notes"),
    AccessGrant: ("slug", "model_description", "grantee_description", "purpose", "notes"),
    ExportControl: ("slug", "title", "reference", "summary", "covered_items"),
}

# The linked records whose names ``q`` also searches, per model: a grant is found by its grantee's name, a
# release by its developer's. Only published linked records count, by their NAME_FIELDS (all searched, hence
# indexed, columns: a linked organization's description does not make its grants match).
LINKED_NAMES: dict[type[Model], tuple[str, ...]] = {
    AccessGrant: ("model", "grantee", "grantor"),
    ModelRelease: ("developer", "training_chips"),
    ExportControl: ("authority", "targeted_organizations", "covered_chips"),
    Chip: ("vendor",),
}
NAME_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Organization: ("slug", "name", "aliases"),
    ModelRelease: ("slug", "name", "family"),
    Chip: ("slug", "name"),
}

# The trigram tokenizer indexes 3-character sequences: a shorter text matches nothing through the FTS table.
MIN_INDEXED_LENGTH = 3


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The records of ``queryset`` in which one of the searched columns contains ``text``, ignoring case (as
    ``icontains`` says), or that link a published record whose name contains it (``LINKED_NAMES``), each found
    through the search index where the database has one for this text.

    The condition is the one ``composed`` builds, composed and compiled to SQL once per model and database
    (``Condition``), then sent with each text in the stand-in's place: composing it (a union of subqueries over
    the linked records' names) took the ORM several times as long as SQLite takes to answer it.
    """
    if len(text) < MIN_INDEXED_LENGTH:  # no index for it on SQLite: another condition, a scan, and rare
        return composed(queryset, text)
    key = (queryset.model, queryset.db)
    condition = CONDITIONS.get(key)
    if condition is None and key not in CONDITIONS:
        condition = CONDITIONS[key] = Condition.prepare(*key)
    if condition is None:
        return composed(queryset, text)
    return queryset.filter(condition.sql(text))


def composed(queryset: QuerySet, text: str) -> QuerySet:
    """``matching``, composed by the ORM."""
    model, db = queryset.model, queryset.db
    contains = _contains(SEARCHED_FIELDS[model], text)
    indexed = _indexed(model, SEARCHED_FIELDS[model], text, db)
    if model not in LINKED_NAMES:
        return queryset.filter(contains if indexed is None else Q(pk__in=indexed) & contains)
    records = model._base_manager.using(db)
    linking = []
    for path in LINKED_NAMES[model]:
        linked = model._meta.get_field(path).related_model
        fields = NAME_FIELDS[linked]
        named = linked._base_manager.using(db).filter(published_lookup(), _contains(fields, text))
        candidates = _indexed(linked, fields, text, db)
        if candidates is not None:
            named = named.filter(pk__in=candidates)
        linking.append(records.filter(**{f"{path}__in": named.values("pk")}).order_by().values("pk"))
    # One ``pk IN (SELECT ... UNION SELECT ...)``, one level deep (one ``union()`` call: chained calls nest):
    # each part reads an index (the FTS table, a foreign key's), then the records are read by key. An OR of
    # the parts would have the planner walk the published records instead.
    if indexed is None:
        # PostgreSQL, whose trigram indexes serve icontains itself; or a text too short for the FTS table.
        return queryset.filter(pk__in=records.filter(contains).order_by().values("pk").union(*linking))
    # SQLite: the FTS table's candidates join the linking records, and the icontains check of the candidates
    # stays in the outer query, where it reads the records (without a condition on their other columns, SQLite
    # would rather walk the covering index of the published records' slugs than read 25 records by key).
    link_ids = linking[0].union(*linking[1:]) if len(linking) > 1 else linking[0]
    candidates = records.filter(pk__in=indexed).order_by().values("pk").union(*linking)
    return queryset.filter(Q(pk__in=candidates) & (contains | Q(pk__in=link_ids)))


class Condition:
    """The SQL of the condition that ``composed`` puts on a model's records, compiled once with a stand-in for the
    text, and where the text goes: each parameter that carries it, and in which form (as given, escaped for
    LIKE, or quoted for FTS5). The stand-ins hold the characters those forms escape, so that the forms differ; the
    second, put in by the same rules, must give the very SQL and parameters the ORM gives it, or the condition is
    left to the ORM (a parameter that carried the text in a form not known here would otherwise keep the
    stand-in). The condition names the records' table as the ORM names a query's own table: by its name."""

    STAND_INS = ('Stand"in%_\\', 'Other"one%_\\')

    def __init__(self, sql: str, params: list, slots: dict[int, Callable[[str], str]], stand_in: str):
        self.raw, self.params, self.slots, self.stand_in = sql, params, slots, stand_in

    @classmethod
    def prepare(cls, model: type[Model], db: str) -> Condition | None:
        connection = connections[db]
        forms = (lambda text: text, connection.ops.prep_for_like_query, lambda text: text.replace('"', '""'))
        compiled = []
        for stand_in in cls.STAND_INS:
            query = composed(model._base_manager.using(db).all(), stand_in).query
            sql, params = query.get_compiler(using=db).compile(query.where)
            compiled.append((sql, list(params)))
        (sql, params), (other_sql, other_params) = compiled
        slots = {}
        for index, param in enumerate(params):
            if isinstance(param, str):
                found = [form for form in forms if form(cls.STAND_INS[0]) in param]
                if len(found) > 1:
                    return None
                if found:
                    slots[index] = found[0]
        condition = cls(sql, params, slots, cls.STAND_INS[0])
        if other_sql != sql or condition.params_for(cls.STAND_INS[1]) != other_params:
            return None
        return condition

    def params_for(self, text: str) -> list:
        params = list(self.params)
        for index, form in self.slots.items():
            params[index] = params[index].replace(form(self.stand_in), form(text))
        return params

    def sql(self, text: str) -> RawSQL:
        """The condition for ``text``, to filter a queryset of the model with."""
        return RawSQL(self.raw, self.params_for(text), output_field=BooleanField())  # noqa: S611 - text as parameters


# Per model and database: its Condition, or None where the ORM composes the condition each time.
CONDITIONS: dict[tuple, Condition | None] = {}


def _contains(fields: tuple[str, ...], text: str) -> Q:
    """The condition "one of ``fields`` contains ``text``, ignoring case"."""
    contains = Q()
    for field in fields:
        contains |= Q(**{f"{field}__icontains": text})
    return contains


def _indexed(model: type[Model], fields: tuple[str, ...], text: str, db: str) -> RawSQL | None:
    """The keys of the records whose ``fields`` may contain ``text``, from the model's FTS table (those columns
    only), where SQLite has an index for this text; None elsewhere (PostgreSQL's trigram indexes serve
    icontains itself) and for a short text, which only a scan finds."""
    connection = connections[db]
    if connection.vendor != "sqlite" or len(text) < MIN_INDEXED_LENGTH:
        return None
    table = connection.ops.quote_name(fts_table(model))
    query = fts_phrase(text)
    if fields != SEARCHED_FIELDS[model]:
        query = "{" + " ".join(model._meta.get_field(field).column for field in fields) + "} : " + query
    # The table's name comes from the model; the user's text goes in as a parameter.
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [query])  # noqa: S608, S611


def ordered(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset``, the records matching ``text``, in the order of a search that nothing else orders.

    PostgreSQL lists the best matches first: a record's relevance is the greatest trigram similarity between
    the text and one of its searched columns, computed for the matching records only; ties go by slug.

    SQLite lists them by slug. (FTS5's ``bm25()`` exists only in a query that reads the FTS table itself, which
    the ORM's ``IN`` subquery does not; in a correlated subquery it would read the index again for each record.)
    The order is written ``+slug``, which no index can give: SQLite, which has no statistics unless someone ran
    ``ANALYZE``, would otherwise walk the published records in slug order on the (review_status, slug) index,
    looking each one up among the matches, a cost that follows the size of the table (200 ms at a million
    records for a text that one record holds), rather than read the matches and sort them.
    """
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        similarities = [TrigramSimilarity(field, text) for field in SEARCHED_FIELDS[queryset.model]]
        relevance = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
        return queryset.order_by(relevance.desc(), "slug")
    if vendor == "sqlite":
        return queryset.order_by(Func(F("slug"), template="+%(expressions)s").asc())
    return queryset


def rank(model: type[Model], text: str, db: str = "default"):
    """How well a record of ``model`` matches ``text``, higher first, for ordering matches of several models
    together: on PostgreSQL the greatest trigram similarity of its searched columns; on SQLite FTS5's bm25
    relevance (negated), read for the matching records only; 0 for a text too short for the index."""
    vendor = connections[db].vendor
    if vendor == "postgresql":
        similarities = [TrigramSimilarity(field, text) for field in SEARCHED_FIELDS[model]]
        return Greatest(*similarities) if len(similarities) > 1 else similarities[0]
    if vendor == "sqlite" and len(text) >= MIN_INDEXED_LENGTH:
        table, fts = model._meta.db_table, fts_table(model)
        # The relevance of every match, computed once per statement, then looked up per record: the inner
        # query is not correlated, and its LIMIT keeps SQLite from flattening it into the correlated one, which
        # would run the MATCH again for each record (1 s rather than 60 ms for 1,100 matches at 100k records).
        # Names from the model's metadata; the user's text goes in as a parameter.
        scores = f'SELECT rowid AS id, -bm25("{fts}") AS score FROM "{fts}" WHERE "{fts}" MATCH %s LIMIT -1'  # noqa: S608
        relevance = f'SELECT score FROM ({scores}) WHERE id = "{table}"."id"'  # noqa: S608
        return Coalesce(RawSQL(relevance, [fts_phrase(text)], output_field=FloatField()), Value(0.0))  # noqa: S611
    return Value(0.0, output_field=FloatField())


def fts_table(model: type[Model]) -> str:
    """The name of the model's FTS5 table on SQLite (the name Datasette expects: ``<table>_fts``)."""
    return f"{model._meta.db_table}_fts"


def fts_phrase(text: str) -> str:
    """``text`` as one FTS5 string: whatever it holds (quotes, ``AND``, ``*``, ``-``, parentheses) is text to
    find, never query syntax."""
    return '"' + text.replace('"', '""') + '"'


def trigram_index(model: type[Model], field: str) -> str:
    """The name of the PostgreSQL trigram index on one searched column."""
    return f"{model._meta.db_table}_{model._meta.get_field(field).column}_trgm"


def sqlite_sql(model: type[Model]) -> tuple[list[str], list[str]]:
    """The statements that create the model's FTS5 table, its triggers and its content (forwards), and those
    that drop them (backwards): the trigger recipe of SQLite's FTS5 documentation for external content, with
    the update trigger narrowed to the columns the index holds (and the key), so that the review workflow's
    updates of status and version leave the index alone."""
    table, fts = model._meta.db_table, fts_table(model)
    columns = [model._meta.get_field(field).column for field in SEARCHED_FIELDS[model]]
    pk = model._meta.pk.column
    names = ", ".join(f'"{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    # Names from the model's metadata, no values: these statements are DDL for a migration.
    insert = f'INSERT INTO "{fts}"(rowid, {names}) VALUES (new."{pk}", {new});'  # noqa: S608
    delete = f"""INSERT INTO "{fts}"("{fts}", rowid, {names}) VALUES ('delete', old."{pk}", {old});"""  # noqa: S608
    forwards = [
        # Datasette finds a table's FTS index by the double-quoted content="<table>" in this statement.
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5({names}, content="{table}", content_rowid="{pk}", '
        f'tokenize="trigram")',
        f'CREATE TRIGGER "{fts}_ai" AFTER INSERT ON "{table}" BEGIN {insert} END',
        f'CREATE TRIGGER "{fts}_ad" AFTER DELETE ON "{table}" BEGIN {delete} END',
        f'CREATE TRIGGER "{fts}_au" AFTER UPDATE OF "{pk}", {names} ON "{table}" BEGIN {delete} {insert} END',
        f"""INSERT INTO "{fts}"("{fts}") VALUES ('rebuild')""",  # noqa: S608
    ]
    backwards = [
        f'DROP TRIGGER IF EXISTS "{fts}_au"',
        f'DROP TRIGGER IF EXISTS "{fts}_ad"',
        f'DROP TRIGGER IF EXISTS "{fts}_ai"',
        f'DROP TABLE IF EXISTS "{fts}"',
    ]
    return forwards, backwards


def postgresql_sql(model: type[Model]) -> tuple[list[str], list[str]]:
    """The statements that create the model's trigram indexes (forwards) and drop them (backwards). Each
    indexes ``UPPER(column::text)``, the expression of Django's ``icontains`` on PostgreSQL, which the planner
    must see unchanged in the query to use the index."""
    table = model._meta.db_table
    forwards, backwards = [], []
    for field in SEARCHED_FIELDS[model]:
        column, index = model._meta.get_field(field).column, trigram_index(model, field)
        forwards.append(f'CREATE INDEX "{index}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')
        backwards.append(f'DROP INDEX IF EXISTS "{index}"')
    return forwards, backwards
