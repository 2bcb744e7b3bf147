"""Top-level routes: the landing page, the admin, the API and its documentation."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.views import landing

urlpatterns = [
    path("", landing, name="landing"),
    # DJANGO_ADMIN_PATH, "admin/" by default.
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Our own ReDoc page: the package's loads web fonts from Google, and the docs must work offline.
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"), name="redoc"),
]

# URLs under /api/ that match no route get a JSON 404, like every other API error.
handler404 = "api.views.not_found"
