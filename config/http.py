"""What every request goes through around a view: who sent it, whether it is too large to read, and the redirect
of a URL that lacks its trailing slash."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse
from django.middleware import common
from rest_framework.throttling import BaseThrottle


def client_ip(request) -> str:
    """The client's address, as the API's rate limit counts it (and the admin's login lockout, and the logs).

    ``REMOTE_ADDR`` unless ``DJANGO_NUM_PROXIES`` proxies in front append the address they saw to
    ``X-Forwarded-For``; then the entry that the outermost trusted proxy appended. One rule, DRF's, everywhere.
    """
    return BaseThrottle().get_ident(request)


class RequestLimitsMiddleware:
    """Refuse a query string that is too long (414) or has too many parameters (400) before any view parses it.

    The HTTP server in front must let such a request line through for this JSON answer to be given: gunicorn's
    default refuses a line over 4094 bytes with its own HTML page, so `make serve` allows 8190 (docs/deploy.md
    asks the same of nginx). Whatever the server, no longer query string reaches a view. Under ``/api/`` the
    refusal is JSON (``{"detail": ...}``), like every API error.
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


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware, whose redirect of a URL without its trailing slash (``/api/v1/chips``) is JSON
    under ``/api/``: still a 301 with the ``Location`` that clients follow, and a body that says where to go for
    those that do not (Django's is an empty HTML page)."""

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and self.should_redirect_with_slash(request)
        ):
            location = self.get_full_path_with_slash(request)
            response = JsonResponse(
                {"detail": f"The URL ends with a slash: {location}", "location": location}, status=301
            )
            response["Location"] = location
        return super().process_response(request, response)
