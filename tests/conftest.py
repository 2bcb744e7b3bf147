"""Shared pytest fixtures."""

import pytest

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
