"""Read replicas: a public API read goes to a replica, the admin and every write to the primary (``default``).

The suite has no second database server: here ``replica_1`` is a second connection to the test database (a test
mirror, as ``DATABASE_REPLICA_URLS`` configures every replica for tests). Queries are told apart by the connection
that ran them, so these tests fail if API reads went to the primary.
"""

import copy
from types import SimpleNamespace

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.routers import ReplicaReadsMiddleware, ReplicaRouter, read_alias, reading_from
from datasets.models import Organization
from tests import factories

REPLICA = "replica_1"


@pytest.fixture(scope="module", autouse=True)
def replica_connection(django_db_setup):
    """A ``replica_1`` connection to the test database, there for this module's tests only."""
    primary = connections["default"].settings_dict
    connections.settings[REPLICA] = {**copy.deepcopy(primary), "TEST": {**primary["TEST"], "MIRROR": "default"}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replicas(settings):
    settings.DATABASE_REPLICAS = [REPLICA]


def test_reads_go_to_the_primary_outside_a_public_api_request():
    router = ReplicaRouter()
    assert router.db_for_read(Organization) == "default"
    with reading_from(REPLICA):
        assert router.db_for_read(Organization) == REPLICA
        # Writes never go to a replica, whatever request they come from.
        assert router.db_for_write(Organization) == "default"
    assert router.db_for_read(Organization) == "default"


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "datasets", model_name="organization") is True
    assert router.allow_migrate(REPLICA, "datasets", model_name="organization") is False


def test_records_from_the_primary_and_a_replica_may_be_related(replicas):
    router = ReplicaRouter()
    on_primary, on_replica, elsewhere = Organization(), Organization(), Organization()
    on_primary._state.db, on_replica._state.db, elsewhere._state.db = "default", REPLICA, "other"
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.allow_relation(on_primary, elsewhere) is None


@pytest.mark.parametrize(
    ("method", "path", "reads_from_a_replica"),
    [
        ("GET", "/api/v1/organizations/", True),
        ("HEAD", "/api/v1/", True),
        ("OPTIONS", "/api/v1/chips/", True),
        ("POST", "/api/v1/organizations/", False),
        ("GET", "/admin/datasets/organization/", False),
        ("GET", "/", False),
    ],
)
def test_the_middleware_picks_a_replica_for_safe_api_requests_only(settings, method, path, reads_from_a_replica):
    settings.DATABASE_REPLICAS = ["replica_1", "replica_2"]
    seen = []
    middleware = ReplicaReadsMiddleware(lambda request: seen.append(read_alias.get()))
    for _ in range(20):
        middleware(SimpleNamespace(method=method, path=path))
    if reads_from_a_replica:
        assert set(seen) == {"replica_1", "replica_2"}  # spread over all of them (20 picks: both, but for 2 ** -19)
    else:
        assert set(seen) == {None}
    assert read_alias.get() is None  # and forgotten once the request is answered


def test_without_replicas_everything_reads_from_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    seen = []
    ReplicaReadsMiddleware(lambda request: seen.append(read_alias.get()))(SimpleNamespace(method="GET", path="/api/"))
    assert seen == [None]


def tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


# transaction=True: the replica connection sees only committed rows. serialized_rollback: the countries that a
# migration loads come back after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPLICA])
def test_api_reads_use_the_replica_while_the_admin_and_writes_use_the_primary(client, admin_client, replicas):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        factories.make_organization(slug="nvidia", name="NVIDIA")
    assert "INSERT" in tables(primary)
    assert replica.captured_queries == []

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        listing = client.get("/api/v1/organizations/")
        record = client.get("/api/v1/organizations/nvidia/")
    assert listing.status_code == 200
    assert [item["slug"] for item in listing.json()["results"]] == ["nvidia"]
    assert record.status_code == 200
    assert "datasets_organization" in tables(replica)
    assert "datasets_changeevent" in tables(replica)  # the ETag's query too: one copy answers the whole request
    assert primary.captured_queries == []

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        page = admin_client.get("/admin/datasets/organization/")
    assert page.status_code == 200
    assert b"NVIDIA" in page.content
    assert "datasets_organization" in tables(primary)
    assert replica.captured_queries == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPLICA])
def test_a_streamed_export_reads_from_the_replica_to_its_last_record(client, replicas, monkeypatch):
    """A full export's body is read after the middleware that picked the replica has returned: every batch of
    it, and what ``expand`` adds, still comes from that replica."""
    from api import views

    monkeypatch.setattr(views, "EXPORT_BATCH", 2)
    for number in range(5):
        factories.make_access_grant(model=factories.make_model_release(slug=f"release-{number}"))
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/api/v1/model-releases/", {"format": "ndjson", "expand": "access_grants"})
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == 5
    assert tables(replica).count("datasets_accessgrant") >= 3  # one read of the grants per batch of two
    assert primary.captured_queries == []
