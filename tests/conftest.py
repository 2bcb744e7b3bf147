"""Shared pytest fixtures."""

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

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
    selected, deselected = [], []
    for item in items:
        missing = [name for name, present in available.items() if item.get_closest_marker(name) and not present]
        (deselected if missing else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from a manifest that `collectstatic` writes; tests render pages
    # without running it, so they use the plain storage (same URLs, minus the hash).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def migrated_var_dir(tmp_path_factory):
    """A var folder with a migrated SQLite database, made once per run: each live gunicorn server runs on a copy
    (tests/live_gunicorn.py), since migrating takes seconds."""
    var_dir = tmp_path_factory.mktemp("migrated-var")
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
