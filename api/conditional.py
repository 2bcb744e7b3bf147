"""Conditional requests and cached answers for every public read.

Every change the public can see (a record published, updated or withdrawn, by the review workflow or by
an import) appends to the change feed, and nothing else changes what the API serves. So the validators
come from the feed's newest entry (one index lookup), read before any record is: the ``ETag`` names the
data's state, the request's path and its ``Accept``, and a client's copy is current exactly when the tag
matches (a 304 then costs that one query instead of a page).

The same tag keys a server-side cache of rendered answers (Django's default cache: per process, or Redis
shared by every app server with ``CACHE_URL``): a request whose answer is cached is served without reading
a record or running a serializer. A change to the data changes every tag, so a cached answer is never
served stale, and nothing needs invalidating; old entries simply expire.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
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
    # The newest entry, through the index on seq (MAX() over two columns would read the whole feed). Its
    # time is in the tag too, so that a database rebuilt from scratch, whose seq starts again, gets new tags.
    seq, changed_at = ChangeEvent.objects.order_by("-seq").values_list("seq", "changed_at").first() or (0, None)
    last_modified = int(changed_at.timestamp()) if changed_at else None
    if last_modified is not None and last_modified >= int(time.time()):
        last_modified = None
    state = f"{seq}@{changed_at.isoformat() if changed_at else ''}"
    key = f"{state}|{request.get_full_path()}|{request.META.get('HTTP_ACCEPT', '')}"
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32]), last_modified


def not_modified(request, etag: str, last_modified: int | None) -> bool:
    """Whether the client's cached copy is still good (If-None-Match, when sent, wins over If-Modified-Since)."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", "") or "")
    return since is not None and last_modified is not None and last_modified <= since


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, parsing a request's parameters once: the FilterSet that validates them
    before the cache is consulted is the one that then filters, so each slug parameter is looked up in the
    database once per request, not once per use."""

    def get_filterset(self, request, queryset, view):
        filterset = getattr(request, "_filterset", None)
        if filterset is not None and type(filterset) is self.get_filterset_class(view, queryset):
            filterset.queryset = queryset
            filterset.__dict__.pop("_qs", None)
            return filterset
        filterset = super().get_filterset(request, queryset, view)
        request._filterset = filterset
        return filterset


class NotModified(Exception):
    """The client's cached copy is current: answer 304."""


class Cached(Exception):
    """The answer is in the server's cache: send it as it was rendered."""

    def __init__(self, entry: dict):
        self.entry = entry


# Rendered answers larger than this are not cached (a page of 500 records), to keep the cache's memory bounded.
MAX_CACHED_BYTES = 1024 * 1024
# Formats whose answers are the same for every client; the browsable API's HTML carries a CSRF token.
CACHED_FORMATS = ("json", "csv")


def cache_key(etag: str) -> str:
    return f"api-answer:{etag}"


class ConditionalGetMixin:
    """For API views: answer 304 to a GET whose cached copy is current, serve answers kept in the server's
    cache, and tag every 200 for caching.

    A request whose answer is in the server's cache was checked when that answer was made: its ETag names the
    same path, parameters and data. Any other request is checked first (format, filters, paging), so a bad
    request is a 400 whatever its conditional headers say. Either way no record is read for a 304 or a
    cached answer.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        self.etag, self.last_modified = validators(request._request)
        entry = cache.get(cache_key(self.etag)) if self.answer_cacheable(request) else None
        if entry is None:
            self.validate_parameters(request)
        if not_modified(request._request, self.etag, self.last_modified):
            raise NotModified
        if entry is not None:
            raise Cached(entry)

    def answer_cacheable(self, request) -> bool:
        """Whether this request's answer may be served from, and stored in, the server's cache."""
        return (
            request.method == "GET"
            and settings.API_CACHE_SECONDS > 0
            and getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format in CACHED_FORMATS
        )

    def validate_parameters(self, request) -> None:
        """Raise the 400 the view would raise for these parameters, without reading any record."""
        for backend in getattr(self, "filter_backends", ()):
            if issubclass(backend, DjangoFilterBackend):
                filterset = backend().get_filterset(request, self.get_queryset(), self)
                if filterset is not None and not filterset.is_valid():
                    raise translate_validation(filterset.errors)
        if getattr(self, "action", "list") == "list" and getattr(self, "paginator", None) is not None:
            self.paginator.validate(request)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=304)
        if isinstance(exc, Cached):
            return HttpResponse(exc.entry["content"], headers=exc.entry["headers"])
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304) and getattr(self, "etag", None):
            response["ETag"] = self.etag
            if self.last_modified is not None:
                response["Last-Modified"] = http_date(self.last_modified)
            patch_vary_headers(response, ["Accept"])
            if response.status_code == 200 and isinstance(response, Response) and self.answer_cacheable(request):
                self.store_answer(response)
        return response

    def store_answer(self, response: Response) -> None:
        """Keep the rendered answer under its ETag (without the validators, which each answer sets anew)."""
        response.render()
        if len(response.content) <= MAX_CACHED_BYTES:
            headers = {name: value for name, value in response.items() if name not in ("ETag", "Last-Modified", "Vary")}
            cache.set(
                cache_key(self.etag), {"content": response.content, "headers": headers}, settings.API_CACHE_SECONDS
            )
