"""Shared pytest fixtures."""

import pytest
from django.core.cache import cache

# The generic API test classes live outside test_*.py files; rewrite their asserts so failures explain themselves.
pytest.register_assert_rewrite("tests.api_testing")


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
    # change feed, which the rollback between tests resets (the same state would then name other data).
    cache.clear()
