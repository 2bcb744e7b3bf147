"""The API's documentation: the OpenAPI schema's own view, and ReDoc's page.

The schema: one API version, no parameter but ``format``, errors in JSON.

drf-spectacular's view writes whatever ``?version=`` says into the schema's title and file name (the schema
would then claim a version that does not exist), and answers a client that accepts only HTML with a 406 whose
body is YAML. Here an unknown parameter or a ``version`` is a 400 and a 406 names the formats, both in JSON.
"""

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.urls import get_script_prefix, reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularRedocView
from rest_framework.exceptions import NotAcceptable

# ?format= picks the renderer: YAML by default, JSON with format=json (DRF's own format parameter).
ACCEPTED_PARAMETERS = ("format",)


# The rendered schema, by format, media type and script prefix: (bytes, Content-Type, Content-Disposition).
RENDERED: dict[tuple, tuple[bytes, str, str]] = {}


class UnknownParameters(Exception):
    """The schema was asked for with parameters it does not take."""


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the API, in YAML (``application/vnd.oai.openapi``) or JSON (``?format=json``).

    The schema describes the code, which changes only with a deploy: each process generates and renders it once
    per format (0.3 to 0.6 s) and then answers with those bytes (``RENDERED``)."""

    @extend_schema(**SCHEMA_KWARGS)  # as the view it extends: not in the schema itself
    def get(self, request, *args, **kwargs):
        key = (request.accepted_renderer.format, request.accepted_media_type, get_script_prefix())
        kept = RENDERED.get(key)
        if kept is None:
            response = self.finalize_response(request, super().get(request, *args, **kwargs), *args, **kwargs)
            response.render()
            kept = RENDERED.setdefault(
                key, (response.content, response["Content-Type"], response["Content-Disposition"])
            )
        content, content_type, disposition = kept
        return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})

    def initial(self, request, *args, **kwargs):
        unknown = sorted(set(request.GET) - set(ACCEPTED_PARAMETERS))
        if unknown:
            raise UnknownParameters(unknown)
        super().initial(request, *args, **kwargs)

    def _get_version_parameter(self, request):
        return None

    def handle_exception(self, exc):
        # JSON, as every API error: the negotiated renderer here would write them as YAML.
        if isinstance(exc, UnknownParameters):
            message = "This schema describes the one version of the API (v1) and takes no parameter but format."
            return JsonResponse({name: [message] for name in exc.args[0]}, status=400)
        if isinstance(exc, NotAcceptable):
            return JsonResponse(
                {
                    "detail": "The schema is served as YAML (Accept: application/vnd.oai.openapi, or */*) or JSON "
                    "(Accept: application/json, or ?format=json). /api/docs/ and /api/redoc/ show it as web pages."
                },
                status=406,
            )
        return super().handle_exception(exc)


# ReDoc's bundle loads its own logo from a CDN (drf-spectacular-sidecar issue #11), which the
# Content-Security-Policy refuses: we serve the bundle with a blank image in its place, so the docs make no
# request beyond this server.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
BLANK_IMAGE = b"data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22/%3E"
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"


@functools.cache
def redoc_bundle_bytes() -> bytes:
    return Path(finders.find(REDOC_BUNDLE)).read_bytes().replace(REDOC_LOGO, BLANK_IMAGE)


def redoc_bundle(request):
    """ReDoc's script, as the sidecar ships it but for its logo's address."""
    return HttpResponse(
        redoc_bundle_bytes(),
        content_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


class RedocView(SpectacularRedocView):
    """ReDoc, with the bundle above."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone():
        return reverse("redoc-bundle")
