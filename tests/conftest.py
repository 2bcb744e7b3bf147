"""Shared pytest fixtures."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

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


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test starts with an empty cache. The API keeps its rendered answers there, keyed by the state of the
    # change feed, which the rollback between tests resets (the same state would then name other data). And
    # the rate limit counts requests per address there: a suite of many tests from 127.0.0.1 must not be
    # throttled (tests/test_production_throttling.py checks that the limit itself holds).
    cache.clear()
