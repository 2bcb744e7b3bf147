"""Shared pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from a manifest that `collectstatic` writes; tests render pages
    # without running it, so they use the plain storage (same URLs, minus the hash).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
