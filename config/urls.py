"""Top-level routes: the admin, the API and its documentation, and the explorer's pages (``api.explorer``), whose
URLs are the API's without ``/api/v1``."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.docs import RedocView, SchemaView, redoc_bundle

urlpatterns = [
    # DJANGO_ADMIN_PATH, "admin/" by default.
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI with its set-up script served as a file (?script), not inline: the Content-Security-Policy
    # runs scripts from this server only.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # Our own ReDoc page: the package's loads web fonts from Google, and the docs must work offline.
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    # Last: the explorer's routes are the resources' names at the root.
    path("", include("api.explorer.urls")),
]

# Errors that Django answers outside the API's views are JSON under /api/, like every other API error, and
# Django's pages elsewhere: a URL that matches no route (404), a bad Host header (400), a permission refused by a
# middleware (403), an uncaught exception (500).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "api.views.not_found"
handler500 = "config.errors.server_error"
