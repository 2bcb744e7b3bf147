"""What every request goes through around a view: who sent it, whether it is too large to read, and the redirect
of a URL that lacks its trailing slash."""

from csp import middleware as csp
from csp.constants import HEADER, HEADER_REPORT_ONLY
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.core.handlers import wsgi
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
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


class ResolvedOnce:
    """A handler that takes the route a middleware already found for this request rather than resolving the path a
    second time (``api.conditional.PublicReadMiddleware`` resolves the API's paths to know the parameters their
    views take)."""

    def resolve_request(self, request):
        match = request.resolver_match
        if match is not None and not hasattr(request, "urlconf"):
            return match
        return super().resolve_request(request)


class WSGIHandler(ResolvedOnce, wsgi.WSGIHandler):
    """Django's WSGI handler (``config.wsgi``), resolving a route once."""


class ViewHandler(ResolvedOnce, BaseHandler):
    """Django's handler from the route on, with no middleware: the view (DRF's handling of its errors included)
    and the rendering of its answer. ``api.conditional.PublicReadMiddleware`` builds the API's public JSON reads
    through it, past the middleware they need none of: static files, sessions, CSRF (a GET, and no form),
    authentication (nobody is), messages, the history's user, the login lockout. What that middleware adds to
    such an answer is added by ``finish``; the answer is the same (tests/test_public_reads.py)."""

    def __init__(self):
        super().__init__()
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def __call__(self, request):
        return self._middleware_chain(request)

    @staticmethod
    def finish(response):
        """What the middleware skipped would add to an answer: its length (CommonMiddleware) and the framing
        rule (XFrameOptionsMiddleware)."""
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return deny_framing(response)


def deny_framing(response):
    """The framing rule on an answer given without XFrameOptionsMiddleware, as it would set it."""
    if response.get("X-Frame-Options") is None and not getattr(response, "xframe_options_exempt", False):
        response.headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
    return response


# What a view or decorator may set on a response to change its policy (django-csp's decorators).
PER_RESPONSE_POLICY = (
    *("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt"),
    *("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro"),
)


class CSPMiddleware(csp.CSPMiddleware):
    """django-csp's middleware, which builds the policy headers anew for every answer (a tenth of the time of a
    record's answer): an answer with no policy of its own and no nonce (all of ours) gets the headers that
    django-csp gives a blank answer, made once (and again when a test changes the policy settings). Anything
    else is django-csp's to handle."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in PER_RESPONSE_POLICY
        ):
            return super().process_response(request, response)
        if settings.DEBUG or any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        ):
            return super().process_response(request, response)
        for name, value in self.blank_headers().items():
            if name not in response:
                response[name] = value
        request.csp_nonce = csp.CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def blank_headers(self) -> dict:
        headers = BLANK_POLICY_HEADERS.get("headers")
        if headers is None:
            blank = super().process_response(HttpRequest(), HttpResponse())
            headers = {name: blank[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in blank}
            BLANK_POLICY_HEADERS["headers"] = headers
        return headers


# The headers of a blank answer, made on the first answer and again after the policy settings change.
BLANK_POLICY_HEADERS: dict[str, dict] = {}


@receiver(setting_changed)
def policy_changed(setting, **kwargs):
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        BLANK_POLICY_HEADERS.clear()
