"""The error pages Django answers itself, outside any API view: JSON under ``/api/``, Django's pages elsewhere.

DRF's views answer their own errors in JSON; these handlers (config/urls.py) cover what is refused before a view
runs or fails outside one: a Host header outside ALLOWED_HOSTS and the other suspicious requests (400), a
permission refused by a middleware (403), an uncaught exception (500). The 404 handler is ``api.views.not_found``.
Every JSON error has the API's one shape, ``{"detail": "..."}``; none repeats what the client sent.
"""

from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def bad_request(request, exception):
    """400 for a request Django refuses as suspicious (``SuspiciousOperation``), most often a wrong Host."""
    if request.path.startswith(API_PREFIX):  # the path is known even when the Host is not
        if isinstance(exception, DisallowedHost):
            detail = "Bad request: the Host header names a host this service does not answer to."
        else:
            detail = "Bad request."
        return JsonResponse({"detail": detail}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """403 for a ``PermissionDenied`` raised outside a DRF view (DRF's views answer their own, in JSON)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """500 for an uncaught exception (with DEBUG off; with it on, Django's debug page shows the traceback)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error: the failure has been logged."}, status=500)
    return defaults.server_error(request)
