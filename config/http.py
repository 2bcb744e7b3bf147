"""What every request goes through before a view: who sent it, and whether it is too large to read."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse
from rest_framework.throttling import BaseThrottle


def client_ip(request) -> str:
    """The client's address, as the API's rate limit counts it (and the admin's login lockout, and the logs).

    ``REMOTE_ADDR`` unless ``DJANGO_NUM_PROXIES`` proxies in front append the address they saw to
    ``X-Forwarded-For``; then the entry that the outermost trusted proxy appended. One rule, DRF's, everywhere.
    """
    return BaseThrottle().get_ident(request)


class RequestLimitsMiddleware:
    """Refuse a query string that is too long (414) or has too many parameters (400) before any view parses it.

    The HTTP server in front usually refuses a long request line first (gunicorn at 4 KB); this holds whatever
    server is in front. Under ``/api/`` the refusal is JSON (``{"detail": ...}``), like every API error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("QUERY_STRING", ""))
        if length > settings.MAX_QUERY_STRING_LENGTH:
            return JsonResponse(
                {
                    "detail": f"The query string is {length} characters long; at most "
                    f"{settings.MAX_QUERY_STRING_LENGTH} are accepted. Send fewer or shorter parameter values."
                },
                status=414,
            )
        if request.path.startswith("/api/"):
            try:
                request.GET  # noqa: B018 - parsing is what counts the parameters
            except TooManyFieldsSent:
                return JsonResponse(
                    {
                        "detail": f"Too many query parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} "
                        "are accepted."
                    },
                    status=400,
                )
        return self.get_response(request)
