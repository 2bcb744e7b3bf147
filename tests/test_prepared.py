"""Prepared queries (api.prepared) give the ORM's own records, with one query, through the connection's cursor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.nesting import with_dossier, with_nested
from api.prepared import PreparedQuery
from api.views import VIEWSETS, prepared_record, prepared_records
from datasets.models import ModelRelease
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases():
    lab = factories.make_organization(slug="lab")
    chip = factories.make_chip(slug="chip", vendor=lab)
    made = []
    for number in range(4):
        release = factories.make_model_release(slug=f"model-{number}", developer=lab)
        release.training_chips.add(chip)
        factories.make_citation(release)
        factories.make_access_grant(model=release)
        made.append(release)
    return made


def fields_of(record) -> dict:
    """Everything a record holds: its columns and the annotations the query added."""
    return {name: value for name, value in vars(record).items() if name != "_state"}


def test_a_prepared_query_gives_the_orms_records(releases):
    base = with_dossier(
        with_nested(ModelRelease.objects.published(), to_one=("developer",), to_many=("training_chips",))
    )
    prepared = PreparedQuery(lambda slug: base.filter(slug=slug))
    for release in releases:
        (fast,) = prepared.run("default", [release.slug])
        (orm,) = base.filter(slug=release.slug)
        assert type(fast) is ModelRelease
        assert fields_of(fast) == fields_of(orm)
        assert fast._state.db == "default" and not fast._state.adding
    assert prepared.run("default", ["no-such-model"]) == []


def test_a_prepared_query_is_compiled_once_and_sent_with_each_requests_values(releases):
    base = ModelRelease.objects.published()
    built = []

    def build(*keys):
        built.append(keys)
        return base.filter(pk__in=keys)

    prepared = PreparedQuery(build)
    keys = [release.pk for release in releases]
    with CaptureQueriesContext(connection) as queries:
        first = prepared.run("default", keys[:2])
        second = prepared.run("default", keys[2:])
    assert len(built) == 1  # composed once (with stand-ins), for this number of keys
    assert len(queries.captured_queries) == 2  # one query each, seen by the connection as any other
    assert {record.slug for record in first} == {"model-0", "model-1"}
    assert {record.slug for record in second} == {"model-2", "model-3"}
    assert len(prepared.run("default", keys[:3])) == 3
    assert len(built) == 2  # another number of keys, another shape


def test_a_query_the_stand_ins_do_not_reach_is_left_to_the_orm(releases):
    # A value the query transforms (lowered here) is not among the SQL's parameters as given: no shape is kept,
    # and the ORM answers, rightly.
    prepared = PreparedQuery(lambda slug: ModelRelease.objects.filter(slug=slug.lower()))
    assert [record.slug for record in prepared.run("default", ["MODEL-1"])] == ["model-1"]
    assert set(prepared.compiled.values()) == {None}


@pytest.mark.parametrize("name", sorted(VIEWSETS))
def test_every_resources_prepared_queries_read_what_its_querysets_read(name, releases):
    viewset = VIEWSETS[name]
    records = list(viewset.queryset.order_by("slug")[:3])
    if not records:
        records = [factories.make_export_control()] if name == "export-controls" else []
        records += list(viewset.queryset.order_by("slug")[:3])
    assert records, name
    for action in ("retrieve", "list"):
        for record in records:
            (fast,) = prepared_record(viewset, action).run("default", [record.slug])
            reference = viewset.queryset if action == "list" or viewset.detail_serializer_class is None else None
            reference = reference if reference is not None else with_dossier(viewset.queryset)
            assert fields_of(fast) == fields_of(reference.get(slug=record.slug)), (name, action)
    keys = [record.pk for record in records]
    found = prepared_records(viewset, ()).run("default", keys)
    expected = {record.pk: fields_of(record) for record in viewset.queryset.filter(pk__in=keys)}
    assert {record.pk: fields_of(record) for record in found} == expected, name


def test_records_are_made_through_init_when_something_listens_to_it(releases):
    from django.db.models import signals

    from api.prepared import direct_init

    attnames = [field.attname for field in ModelRelease._meta.concrete_fields]
    assert direct_init(ModelRelease, attnames)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(listener, sender=ModelRelease)
    try:
        assert not direct_init(ModelRelease, attnames)
        prepared = PreparedQuery(lambda slug: ModelRelease.objects.filter(slug=slug))
        (record,) = prepared.run("default", ["model-2"])
        assert seen == [record]
    finally:
        signals.post_init.disconnect(listener, sender=ModelRelease)
    assert not direct_init(ModelRelease, attnames[:-1])  # a column left out: Django's own way


def test_a_watched_connection_sees_the_prepared_query_as_any_other(releases):
    # With an execute_wrapper (or query logging, or a test's capture) the query goes through Django's cursor;
    # with nothing watching, through the driver's, with the SQL converted once: the same records either way.
    from unittest import mock

    prepared = PreparedQuery(
        lambda slug: with_nested(ModelRelease.objects.published(), to_one=("developer",)).filter(slug=slug)
    )
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        (watched,) = prepared.run("default", ["model-1"])
    assert len(seen) == 1 and "model-1" in seen[0][1]
    if connection.vendor == "sqlite":
        cursor_class = type(connection.cursor().cursor)
        with mock.patch.object(cursor_class, "convert_query", side_effect=AssertionError("converted again")):
            (unwatched,) = prepared.run("default", ["model-1"])
    else:
        (unwatched,) = prepared.run("default", ["model-1"])
    assert fields_of(unwatched) == fields_of(watched)
    assert unwatched.created_at.tzinfo is not None  # the columns' converters applied (an aware datetime)
    assert unwatched.developer_nested == watched.developer_nested


def test_quick_converters_give_what_djangos_give_for_every_kind_of_value(releases):
    """The date, date-time and nested JSON converters done once per column give Django's values, also for the
    values that go back to Django's own converter (text a driver did not parse, JSON orjson refuses)."""
    import datetime

    from api.prepared import convert, quick_converters

    query = with_nested(ModelRelease.objects.published(), to_one=("developer",), to_many=("training_chips",))
    compiler = query.query.get_compiler(using="default")
    sql, params = compiler.as_sql()
    columns = [selected[0] for selected in compiler.select]
    converters = compiler.get_converters(columns)
    quick = quick_converters(converters, connection)
    assert quick is not None and len(quick) == len(converters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    kinds = {type(row[position]) for row in rows for position in converters}
    assert str in kinds  # the nested records' JSON, as text
    if connection.vendor == "sqlite":  # its driver's date-times, which Django's converter makes aware
        assert datetime.datetime in kinds
    # Values as another driver might give them, which the quick converters hand to Django's.
    odd = list(rows[0])
    for position in converters:
        value = odd[position]
        if isinstance(value, datetime.datetime):
            odd[position] = value.isoformat(sep=" ")
        elif isinstance(value, datetime.date):
            odd[position] = value.isoformat()
        elif isinstance(value, str):
            odd[position] = value.encode()
    rows = [*rows, tuple(odd)]
    assert convert(rows, quick) == list(compiler.apply_converters(rows, converters))
    with_unknown = {**converters, 0: ([lambda value, expression, connection: value], columns[0])}
    assert quick_converters(with_unknown, connection) is None
