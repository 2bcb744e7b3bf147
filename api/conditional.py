"""Conditional requests: ``ETag`` and ``Last-Modified`` on every public read, 304 when nothing changed.

Every change the public can see (a record published, updated or withdrawn, by the review workflow or by
an import) appends to the change feed, and nothing else changes what the API serves. So the validators
come from one indexed aggregate over the feed (its newest ``seq`` and time), computed before any record is
read: a cached answer is never served stale, and a 304 costs that one query instead of a page.
"""

import hashlib
import time

from django.db.models import Max
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.response import Response

from datasets.models import ChangeEvent


def validators(request) -> tuple[str, int | None]:
    """The ETag and the Last-Modified time (seconds since the epoch) of a public GET of ``request``.

    HTTP dates count whole seconds, so a Last-Modified is only given once its second is over: a change later
    in the same second would otherwise hide behind it. Until then the ETag alone validates.
    """
    feed = ChangeEvent.objects.aggregate(seq=Max("seq"), at=Max("changed_at"))
    last_modified = int(feed["at"].timestamp()) if feed["at"] else None
    if last_modified is not None and last_modified >= int(time.time()):
        last_modified = None
    key = f"{feed['seq'] or 0}|{request.get_full_path()}|{request.META.get('HTTP_ACCEPT', '')}"
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32]), last_modified


def not_modified(request, etag: str, last_modified: int | None) -> bool:
    """Whether the client's cached copy is still good (If-None-Match, when sent, wins over If-Modified-Since)."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", "") or "")
    return since is not None and last_modified is not None and last_modified <= since


class NotModified(Exception):
    """The client's cached copy is current: answer 304."""


class ConditionalGetMixin:
    """For API views: answer 304 to a GET whose cached copy is current; tag every 200 for caching.

    The request is checked first (format, filters, paging), so a bad request is a 400 whatever its
    conditional headers say; only then is the cache consulted, before any record is read.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        self.validate_parameters(request)
        self.etag, self.last_modified = validators(request._request)
        if not_modified(request._request, self.etag, self.last_modified):
            raise NotModified

    def validate_parameters(self, request) -> None:
        """Raise the 400 the view would raise for these parameters, without reading any record."""
        if any(issubclass(backend, DjangoFilterBackend) for backend in getattr(self, "filter_backends", ())):
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                filterset = filterset_class(request.query_params, queryset=self.get_queryset().none())
                if not filterset.is_valid():
                    raise translate_validation(filterset.errors)
        if getattr(self, "action", "list") == "list" and getattr(self, "paginator", None) is not None:
            self.paginator.validate(request)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=304)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304) and getattr(self, "etag", None):
            response["ETag"] = self.etag
            if self.last_modified is not None:
                response["Last-Modified"] = http_date(self.last_modified)
            patch_vary_headers(response, ["Accept"])
        return response
