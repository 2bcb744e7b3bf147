from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public, read-only REST API."""

    name = "api"
    verbose_name = "Public API"
