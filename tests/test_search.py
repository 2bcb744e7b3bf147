"""Free-text search (``q``) through its index: the same records as ``icontains`` over the searched columns, found
through the FTS5 table (SQLite) or the trigram indexes (PostgreSQL), kept current as records change."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datasets import search, services
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source
from tests import factories

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"
POSTGRESQL = connection.vendor == "postgresql"
# The FTS5 index exists on SQLite only, the trigram indexes on PostgreSQL only: each test runs in the suite
# on its database (`make test`, `make test-postgres`), and is deselected in the other (tests/conftest.py).
only_sqlite = pytest.mark.sqlite
only_postgresql = pytest.mark.postgresql

# model: (builder, router basename)
RESOURCES = {
    Organization: (factories.make_organization, "organization"),
    Source: (factories.make_source, "source"),
    Chip: (factories.make_chip, "chip"),
    ModelRelease: (factories.make_model_release, "model-release"),
    AccessGrant: (factories.make_access_grant, "access-grant"),
    ExportControl: (factories.make_export_control, "export-control"),
}

# Stored texts (at most 32 characters: Chip.memory_type is the shortest searched column) with what trips up a
# search index: case outside ASCII, scripts without spaces, FTS5 and LIKE syntax, line breaks.
STORED = [
    "DeepSeek-V3",
    "deepseek-ai/DeepSeek-V3",
    "Qwen2.5 72B Instruct",
    "Émile École",
    "ÉCOLE émile",
    "Straße 5",
    "北京智谱华章科技",
    "智谱 GLM-4",
    "🚀 launch day",
    'say "hi" AND bye',
    "NEAR(a b) OR c*",
    "-(x) ^y: {z}",
    "100% _under_ \\slash",
    "line one\nline two",
    "it's O'Brien",
]
# Searched texts: substrings in other cases, syntax of either language, texts that straddle two columns, too short
# for trigrams, or found nowhere.
SEARCHED = [
    "deepseek",
    "DEEPSEEK-v3",
    "ai/deep",
    "qwen2.5 72",
    "émile",
    "ÉMILE",
    "école",
    "ECOLE",
    "straße",
    "STRASSE",
    "智谱",
    "北京智谱",
    "🚀 la",
    '"hi"',
    '"',
    'hi" AND',
    "AND",
    "and bye",
    "NEAR(",
    "OR c*",
    "*",
    "c*",
    "-(x",
    "^y:",
    "{z}",
    "100%",
    "%",
    "_under_",
    "_",
    "\\slash",
    "\\",
    "one\nline",
    "'s O'",
    "'",
    "hello wor",
    "world",
    "wor ld",
    "ld again",
    "a",
    "ab",
    "ép",
    "no such text anywhere",
]

# FTS5 query syntax, which a search must take as text to find.
FTS_SYNTAX = ['"', 'say "hi', '" OR "', "AND", "x AND y", "OR c*", "NEAR(a b)", "*", "*x*", "--x", "(((", "a:b", "'"]


def icontains(queryset, text: str):
    """The specification: records in which a searched column contains ``text``, by ``icontains`` alone."""
    contains = Q()
    for field in search.SEARCHED_FIELDS[queryset.model]:
        contains |= Q(**{f"{field}__icontains": text})
    return queryset.filter(contains)


def linked_icontains(queryset, text: str):
    """The specification of the linked part: records that link a published record (``LINKED_NAMES``) whose
    name fields (``NAME_FIELDS``) contain ``text``, by ``icontains`` through joins."""
    found = set()
    for path in search.LINKED_NAMES.get(queryset.model, ()):
        linked = queryset.model._meta.get_field(path).related_model
        named = Q()
        for field in search.NAME_FIELDS[linked]:
            named |= Q(**{f"{path}__{field}__icontains": text})
        found |= set(queryset.filter(named, **{f"{path}__review_status": "published"}).values_list("slug", flat=True))
    return found


def fts_rowids(model, text: str) -> set[int]:
    """The rows the FTS5 index alone finds for ``text`` (SQLite), without the icontains check."""
    table = connection.ops.quote_name(search.fts_table(model))
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608 - only the table's name
    with connection.cursor() as cursor:
        cursor.execute(sql, [search.fts_phrase(text)])
        return {row[0] for row in cursor.fetchall()}


def listed(client, model, **params) -> list[str]:
    """The slugs the model's API list returns for ``params``, in order."""
    # The API keeps answers until the change feed moves; these tests change records without going through it.
    cache.clear()
    response = client.get(reverse(f"api:{RESOURCES[model][1]}-list"), {"limit": 500, **params})
    assert response.status_code == 200, response.content
    return [record["slug"] for record in response.json()["results"]]


@pytest.fixture
def reviewer():
    user = User.objects.create_user("search-reviewer", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_search_finds_what_icontains_finds(model):
    build = RESOURCES[model][0]
    fields = search.SEARCHED_FIELDS[model][1:]
    for number, text in enumerate(STORED):
        build(**{fields[number % len(fields)]: text})
    # Two columns side by side: a text that runs from one into the next is in neither.
    build(**{fields[0]: "hello wor", fields[1]: "ld again"})
    build(**{fields[-2]: "hello wor", fields[-1]: "ld again"})
    queryset = model.objects.all()
    found = {}
    for text in SEARCHED:
        with CaptureQueriesContext(connection) as queries:
            found[text] = set(search.matching(queryset, text).values_list("slug", flat=True))
        expected = set(icontains(queryset, text).values_list("slug", flat=True)) | linked_icontains(queryset, text)
        assert found[text] == expected, text
        if SQLITE:
            assert ("MATCH" in queries[0]["sql"]) == (len(text) >= search.MIN_INDEXED_LENGTH), text
    # The comparison means something: the texts find records, through the index and past the index's syntax.
    # (The factories' linked records have names like "Org 12": none of the searched texts is in them.)
    assert all(found[text] for text in ("deepseek", "智谱", "🚀 la", '"hi"', "OR c*", "%", "\\", "one\nline", "'"))
    assert len(found["hello wor"]) == len(found["ld again"]) == 2
    assert found["world"] == found["wor ld"] == set()


# model: a record of it for each linked path, built with that linked record named ``name`` (slug, name).
def linking(model, path: str, name: str, **linked_fields):
    """A record of ``model`` that links, through ``path``, a new record named ``name`` (and slugged after it)."""
    linked = model._meta.get_field(path).related_model
    builders = {
        Organization: factories.make_organization,
        ModelRelease: factories.make_model_release,
        Chip: factories.make_chip,
    }
    target = builders[linked](slug=name.lower().replace(" ", "-"), name=name, **linked_fields)
    if model._meta.get_field(path).many_to_many:
        record = RESOURCES[model][0]()
        getattr(record, path).add(target)
        return record
    return RESOURCES[model][0](**{path: target})


LINKS = [(model, path) for model, paths in search.LINKED_NAMES.items() for path in paths]


@pytest.mark.parametrize(("model", "path"), LINKS, ids=lambda value: getattr(value, "__name__", value))
def test_q_finds_a_record_by_the_name_of_a_published_record_it_links(client, model, path):
    found = linking(model, path, "Zhipu Orchid")
    hidden = linking(model, path, "Zhipu Lotus", review_status="draft")
    linking(model, path, "Other Name")
    # By the linked record's name, any part of it, in any case; by its slug; never by a draft's name.
    assert listed(client, model, q="zhipu orch") == [found.slug]
    assert listed(client, model, q="ZHIPU-ORCHID") == [found.slug]
    assert listed(client, model, q="zhipu") == [found.slug]
    assert listed(client, model, q="lotus") == []
    assert hidden.slug not in listed(client, model, q="zhipu")
    # A text too short for the index is found the same way, by a scan.
    short = linking(model, path, "Qz Unit")
    assert listed(client, model, q="qz") == [short.slug]


def test_q_matches_a_linked_record_by_its_name_not_by_its_description(client):
    org = factories.make_organization(name="Kestrel Labs", description="A supplier of Huawei.")
    grant = factories.make_access_grant(grantee=org)
    assert listed(client, AccessGrant, q="kestrel") == [grant.slug]
    assert listed(client, AccessGrant, q="huawei") == []
    assert listed(client, Organization, q="huawei") == [org.slug]


def test_q_finds_a_record_once_whether_it_matches_by_its_own_text_or_several_links(client):
    huawei = factories.make_organization(slug="huawei", name="Huawei")
    both = factories.make_access_grant(grantee=huawei, grantor=huawei, notes="Huawei engineers got the weights.")
    only_own = factories.make_access_grant(notes="Huawei engineers got the weights.")
    response = client.get(reverse("api:access-grant-list"), {"q": "huawei", "limit": 500})
    assert response.json()["count"] == 2
    assert sorted(record["slug"] for record in response.json()["results"]) == sorted([both.slug, only_own.slug])


def test_the_search_across_resources_finds_records_by_their_linked_names(client):
    huawei = factories.make_organization(slug="huawei", name="Huawei")
    grant = factories.make_access_grant(grantee=huawei)
    control = factories.make_export_control()
    control.targeted_organizations.add(huawei)
    cache.clear()
    found = client.get(reverse("api:search"), {"q": "huawei", "limit": 100}).json()["results"]
    assert {(row["resource"], row["slug"]) for row in found} >= {
        ("organizations", "huawei"),
        ("access-grants", grant.slug),
        ("export-controls", control.slug),
    }
    # The record named so comes first: a record found by a link alone ranks below it.
    assert (found[0]["resource"], found[0]["slug"]) == ("organizations", "huawei")


@pytest.mark.parametrize("text", FTS_SYNTAX)
def test_query_syntax_in_the_text_is_text_to_find(client, text):
    with_it = factories.make_model_release(notes=f"before {text} after")
    factories.make_model_release(notes="x y c NEAR a b hi")
    assert listed(client, ModelRelease, q=text) == [with_it.slug]


def test_a_text_shorter_than_three_characters_is_searched_without_the_index(client):
    short = factories.make_model_release(name="Xy")
    factories.make_model_release(name="Zz")
    with CaptureQueriesContext(connection) as queries:
        assert listed(client, ModelRelease, q="xY") == [short.slug]
    assert not any("MATCH" in query["sql"] for query in queries)
    if SQLITE:
        # Trigrams need three characters: the index alone would find nothing.
        assert fts_rowids(ModelRelease, "xY") == set()


def test_surrounding_spaces_are_ignored_and_inner_ones_kept(client):
    spaced = factories.make_model_release(name="Falcon Heavy")
    factories.make_model_release(name="FalconHeavy")
    assert listed(client, ModelRelease, q="  falcon heavy  ") == [spaced.slug]


def test_a_record_saved_after_the_migration_is_found_and_an_edit_replaces_its_text(client):
    record = factories.make_model_release(family="Orchid-7")
    assert listed(client, ModelRelease, q="orchid") == [record.slug]
    record.family = "Lotus-9"
    record.save()
    assert listed(client, ModelRelease, q="orchid") == []
    assert listed(client, ModelRelease, q="lotus") == [record.slug]
    ModelRelease.objects.filter(pk=record.pk).update(family="Peony-3")
    assert listed(client, ModelRelease, q="peony") == [record.slug]
    if SQLITE:
        # The index itself follows (the icontains check would hide stale entries from the API).
        assert fts_rowids(ModelRelease, "orchid") == fts_rowids(ModelRelease, "lotus") == set()
        assert fts_rowids(ModelRelease, "peony") == {record.pk}


def test_a_withdrawn_record_leaves_the_results_and_a_deleted_one_the_index(client, reviewer):
    kept, withdrawn = factories.make_chip(notes="Ascend 910C"), factories.make_chip(notes="Ascend 910B")
    services.withdraw(withdrawn, reviewer, "duplicate")
    assert listed(client, Chip, q="ascend 910") == [kept.slug]
    draft = factories.make_chip(notes="Ascend 910D", review_status="draft")
    pk = draft.pk
    if SQLITE:
        assert fts_rowids(Chip, "ascend 910") == {kept.pk, withdrawn.pk, pk}
    draft.delete()
    if SQLITE:
        assert fts_rowids(Chip, "ascend 910") == {kept.pk, withdrawn.pk}


@only_sqlite
def test_an_update_of_other_columns_leaves_the_index_alone():
    record = factories.make_model_release(family="Orchid-7")

    def rows_written(**changes) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT total_changes()")
            before = cursor.fetchone()[0]
            ModelRelease.objects.filter(pk=record.pk).update(**changes)
            cursor.execute("SELECT total_changes()")
            return cursor.fetchone()[0] - before

    # The review workflow's updates (status, version) write the record's row alone; a text rewrites its entry.
    assert rows_written(review_status="withdrawn", version=F("version") + 1) == 1
    assert rows_written(family="Lotus-9") > 1
    assert fts_rowids(ModelRelease, "lotus") == {record.pk}


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_a_list_with_q_runs_as_many_queries_as_without(client, model):
    build = RESOURCES[model][0]
    for _ in range(3):
        build(**{search.SEARCHED_FIELDS[model][-1]: "common words here"})
    url = reverse(f"api:{RESOURCES[model][1]}-list")
    with CaptureQueriesContext(connection) as plain:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as searched:
        response = client.get(url, {"q": "common words"})
    assert response.json()["count"] == 3
    assert len(searched) == len(plain)


@only_sqlite
@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_sqlite_answers_q_from_the_fts_table_without_scanning_the_records(client, model):
    RESOURCES[model][0](**{search.SEARCHED_FIELDS[model][-1]: "Ascend 910C"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(f"api:{RESOURCES[model][1]}-list"), {"q": "ascend"}).status_code == 200
    searching = [query["sql"] for query in queries if "MATCH" in query["sql"]]
    assert len(searching) == 2  # the page and its count
    table = model._meta.db_table
    for sql in searching:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert f"SCAN {search.fts_table(model)} VIRTUAL TABLE" in plan, plan
        # The records are read one by one, by the rowids that the FTS table gave.
        reads = [line for line in plan.splitlines() if re.search(rf"\b{table}\b", line)]
        assert reads, plan
        assert all(line.startswith(f"SEARCH {table} ") and "rowid=?" in line for line in reads), plan
        # The linked records' names come from their FTS tables too (the name columns only), and the records
        # that link them through the foreign keys' indexes: nothing is read whole.
        for path in search.LINKED_NAMES.get(model, ()):
            linked = model._meta.get_field(path).related_model
            assert f"SCAN {search.fts_table(linked)} VIRTUAL TABLE" in plan, plan
        scans = [line for line in plan.splitlines() if line.startswith("SCAN ")]
        assert all(" VIRTUAL TABLE " in line or line.startswith("SCAN (subquery") for line in scans), plan


@only_postgresql
@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_postgresql_can_answer_q_from_the_trigram_indexes(model):
    # On a table of a few rows the planner rightly prefers reading it (on 10,000 and 1,000,000 generated
    # releases it picked the trigram indexes by itself); with scans of the table and of other indexes priced
    # out, a plan on the trigram indexes exists only if each indexes the very expression the query compares.
    RESOURCES[model][0](**{search.SEARCHED_FIELDS[model][-1]: "Ascend 910C"})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search.matching(model.objects.all(), "Ascend").explain()
    assert "BitmapOr" in plan, plan
    for field in search.SEARCHED_FIELDS[model]:
        assert f"Bitmap Index Scan on {search.trigram_index(model, field)}" in plan, plan


@only_postgresql
def test_postgresql_lists_the_best_matches_first_unless_told_otherwise(client):
    exact = factories.make_model_release(slug="d-exact", name="Falcon")
    tie = factories.make_model_release(slug="e-tie", name="FALCON")
    close = factories.make_model_release(slug="b-close", name="Falcon Heavy")
    far = factories.make_model_release(slug="a-far", name="Other", notes="Compared with the falcon line, it is slower.")
    assert listed(client, ModelRelease, q="falcon") == [exact.slug, tie.slug, close.slug, far.slug]
    assert listed(client, ModelRelease, q="falcon", ordering="slug") == [far.slug, close.slug, exact.slug, tie.slug]
    since = listed(client, ModelRelease, q="falcon", updated_since="2000-01-01")
    assert since == [record.slug for record in ModelRelease.objects.order_by("updated_at", "slug")]


@only_sqlite
def test_sqlite_lists_matches_by_slug(client):
    factories.make_model_release(slug="c-exact", name="Falcon")
    factories.make_model_release(slug="a-far", name="Other", notes="Compared with the falcon line, it is slower.")
    assert listed(client, ModelRelease, q="falcon") == ["a-far", "c-exact"]


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_the_database_indexes_exactly_the_searched_columns(model):
    table = model._meta.db_table
    columns = [model._meta.get_field(field).column for field in search.SEARCHED_FIELDS[model]]
    with connection.cursor() as cursor:
        if SQLITE:
            fts = search.fts_table(model)
            cursor.execute(f'PRAGMA table_info("{fts}")')
            assert [row[1] for row in cursor.fetchall()] == columns
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [fts])
            # What Datasette looks for to use the table as the search index of the model's table.
            assert f'content="{table}"' in cursor.fetchone()[0]
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            triggers = dict(cursor.fetchall())
            assert {f"{fts}_ai", f"{fts}_ad", f"{fts}_au"} <= set(triggers)
            names = ", ".join(f'"{column}"' for column in [model._meta.pk.column, *columns])
            assert f"AFTER UPDATE OF {names} ON" in triggers[f"{fts}_au"]
        else:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            trigram = {name: definition for name, definition in cursor.fetchall() if "gin_trgm_ops" in definition}
            assert set(trigram) == {search.trigram_index(model, field) for field in search.SEARCHED_FIELDS[model]}
            for column in columns:
                assert re.search(rf"gin \(upper\(\(?{column}\)?(::text)?\) gin_trgm_ops\)", str(trigram)), trigram


# serialized_rollback: the roles and countries the migrations made are restored for the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_indexes_existing_records_and_can_be_reversed(client):
    executor = MigrationExecutor(connection)
    before = [("datasets", "0006_change_resource_choices")]
    executor.migrate(before)
    executor.loader.build_graph()
    # The models as they were then (today's have columns that later migrations add).
    old = executor.loader.project_state(before).apps
    developer = old.get_model("datasets", "Organization").objects.create(
        slug="a-lab", name="A lab", kind="ai_lab", country="US", review_status="published"
    )
    record = old.get_model("datasets", "ModelRelease").objects.create(
        slug="before-the-index",
        name="Before the index",
        developer=developer,
        released_on=datetime.date(2025, 1, 20),
        architecture="moe",
        weights="open_weights",
        review_status="published",
    )
    assert old.get_model("datasets", "ModelRelease").objects.filter(name__icontains="before the").exists()
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE %s", ["%fts%"])
        else:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE %s", ["%trgm"])
        assert cursor.fetchone()[0] == 0
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert listed(client, ModelRelease, q="before the") == [record.slug]
    if SQLITE:
        assert fts_rowids(ModelRelease, "before the") == {record.pk}


@only_sqlite
@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_sqlite_ranks_the_matches_of_a_search_across_resources_in_one_pass(model):
    RESOURCES[model][0](**{search.SEARCHED_FIELDS[model][-1]: "Ascend 910C"})
    ranked = model.objects.published().annotate(rank=search.rank(model, "ascend"))
    assert ranked.get().rank > 0
    sql, params = ranked.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    # The FTS table is read by MATCH alone (the relevance of every match, once), never by MATCH and a rowid
    # for each record ("INDEX 0:=M..."), which would run the text query again per record.
    reads = [line for line in plan if line.startswith(f"SCAN {search.fts_table(model)} VIRTUAL TABLE")]
    assert reads and not [line for line in reads if "INDEX 0:=" in line], plan


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_the_condition_is_composed_once_and_finds_what_the_composed_one_finds(model, monkeypatch):
    # Texts holding what LIKE and FTS5 escape, and the very stand-ins the condition was compiled with.
    texts = [*search.Condition.STAND_INS, 'say "hi" 100%_\\', f"{search.Condition.STAND_INS[0]} x", "plain"]
    fields = search.SEARCHED_FIELDS[model]
    for number, text in enumerate(texts):
        RESOURCES[model][0](**{fields[number % len(fields)]: f"before {text} after"})
    search.CONDITIONS.clear()
    composed = []
    original = search.composed
    monkeypatch.setattr(search, "composed", lambda *args: composed.append(args) or original(*args))
    queryset = model.objects.published()
    for text in texts:
        found = set(search.matching(queryset, text).values_list("slug", flat=True))
        expected = set(original(queryset, text).values_list("slug", flat=True))
        assert found == expected and found, text
    assert len(composed) == len(search.Condition.STAND_INS)  # to compile the condition, then never again
    assert search.CONDITIONS[(model, "default")] is not None
