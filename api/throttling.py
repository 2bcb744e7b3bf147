"""The anonymous rate limit: ``DJANGO_API_ANON_RATE`` requests per client address (default 120 a minute)."""

from django.core.cache import caches
from rest_framework import throttling
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings

# DRF reads a rate's period by its first letter: 120/m, 120/min and 120/minute are the same.
PERIODS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's per-address throttle, counted in the ``throttle`` cache: by default a file that every worker of the
    machine shares, or Redis, shared by every app server (settings.throttle_cache_config).

    A refused request is a 429 whose ``Retry-After`` header gives the seconds to wait and whose body names the
    limit. The rate is read when a request comes, not when DRF loads, and ``off`` (None) lets everything through.
    """

    @property
    def cache(self):
        # Looked up per request, not bound when DRF loads, so that a change of settings.CACHES (tests) holds.
        return caches["throttle"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        count, _, period = self.rate.partition("/")
        raise Throttled(
            wait=self.wait(),
            detail=f"Too many requests: at most {count} per {PERIODS[period[0]]} from one address.",
        )
