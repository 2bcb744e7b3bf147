"""Shared pytest fixtures."""

import os
import shutil
import sqlite3

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key

from tests import live_gunicorn

# The generic API test classes live outside test_*.py files; rewrite their asserts so failures explain themselves.
pytest.register_assert_rewrite("tests.api_testing")


def pytest_collection_modifyitems(config, items):
    """Deselect the tests of a database or service this run does not have (markers in pyproject.toml): each runs
    in the make target that provides it (`make test`, `make test-postgres`, `make test-redis`), which CI runs."""
    engine = settings.DATABASES["default"]["ENGINE"]
    available = {
        "sqlite": engine == "django.db.backends.sqlite3",
        "postgresql": engine == "django.db.backends.postgresql",
        "redis": os.environ.get("CACHE_URL", "").startswith(("redis://", "rediss://")),
    }
    # A test that commits must say serialized_rollback: the migrations' data is put back from that copy after it
    # (pytest_runtest_teardown), which a flush with post_migrate would make stale.
    unrestorable = [
        item.nodeid
        for item in items
        if _is_transactional(item)
        and not (item.get_closest_marker("django_db") or pytest.mark.django_db).kwargs.get("serialized_rollback")
    ]
    if unrestorable:
        raise pytest.UsageError(
            "Tests that commit must be marked django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(unrestorable)
        )
    selected, deselected = [], []
    for item in items:
        missing = [name for name, present in available.items() if item.get_closest_marker(name) and not present]
        (deselected if missing else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _is_transactional(item) -> bool:
    """Whether a test commits to the test database (pytest-django flushes every table after it)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in fixtures or "live_server" in fixtures
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that committed, put back what the migrations wrote (the curation roles, the countries).

    pytest-django empties every table after such a test. Run alone, pytest orders those tests last, as Django
    does; run in parallel (``make test`` uses pytest-xdist), a worker may get one before a test that needs the
    roles. The database's content as migrated is kept by pytest-django whenever a test asks for
    ``serialized_rollback``: it is loaded again here, after the flush.
    """
    yield
    if not _is_transactional(item):
        return
    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from a manifest that `collectstatic` writes; tests render pages
    # without running it, so they use the plain storage (same URLs, minus the hash).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test databases; on SQLite, the default one is also copied to a file as soon as it is
    migrated, for ``migrated_var_dir``: copying it takes milliseconds, migrating a database again seconds."""
    # Only a test database: pytest-django makes none when no collected test asks for one (a file of tests that
    # only run subprocesses, run alone), and the connection is then the checkout's own var/registry.sqlite3.
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):
        path = tmp_path_factory.mktemp("migrated-db") / "registry.sqlite3"
        with django_db_blocker.unblock():
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        MIGRATED_DATABASE.append(path)


# The file django_db_setup copied the migrated SQLite test database to (none on other databases).
MIGRATED_DATABASE: list = []


@pytest.fixture(scope="session")
def migrated_var_dir(request, tmp_path_factory):
    """A var folder with a migrated SQLite database, made once per run: each live gunicorn server runs on a copy
    (tests/live_gunicorn.py). It is the test database as migrated when that is SQLite, else migrated here."""
    var_dir = tmp_path_factory.mktemp("migrated-var")
    request.getfixturevalue("django_db_setup")
    if MIGRATED_DATABASE:
        shutil.copyfile(MIGRATED_DATABASE[0], var_dir / "registry.sqlite3")
    else:
        live_gunicorn.migrate(var_dir)
    return var_dir


@pytest.fixture(scope="session", autouse=True)
def _own_rate_limit_file(tmp_path_factory):
    # The rate limit counts in a file under var/ by default (settings.CACHES["throttle"]), which every process of
    # the checkout shares: this run gets a file of its own, so that another run, or `make serve`, neither counts
    # its requests nor clears its counts.
    throttle = settings.CACHES["throttle"]
    if throttle["BACKEND"] != "config.cache.SQLiteCache":
        yield
        return
    own = {**throttle, "LOCATION": str(tmp_path_factory.mktemp("cache") / "rate-limits.sqlite3")}
    with override_settings(CACHES={**settings.CACHES, "throttle": own}):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test starts with empty caches. The API keeps its rendered answers in one, keyed by the state of the
    # change feed, which the rollback between tests resets (the same state would then name other data). And
    # the rate limit counts requests per address in another: a suite of many tests from 127.0.0.1 must not be
    # throttled (tests/test_production_throttling.py checks that the limit itself holds).
    for alias in settings.CACHES:
        caches[alias].clear()
