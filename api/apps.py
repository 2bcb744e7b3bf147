from django.apps import AppConfig
from django.conf import settings
from django.core import checks

MIDDLEWARE = "api.conditional.PublicReadMiddleware"


def public_reads_have_their_middleware(app_configs, **kwargs):
    """The public reads' rate limit, conditional answers and cache live in their middleware (the views leave the
    rate limit to it): a settings file without it would serve them unlimited."""
    if MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [
        checks.Error(
            f"{MIDDLEWARE} is not in MIDDLEWARE: the API's public reads would have no rate limit and no 304s.",
            hint="Put it after config.routers.ReplicaReadsMiddleware, as config/settings.py does.",
            id="api.E001",
        )
    ]


class ApiConfig(AppConfig):
    """The public, read-only REST API."""

    name = "api"
    verbose_name = "Public API"

    def ready(self):
        checks.register(public_reads_have_their_middleware)
