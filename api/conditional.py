"""Conditional requests and cached answers for every public read.

Every change the public can see (a record published, updated or withdrawn, by the review workflow or by
an import) appends to the change feed, and nothing else changes the records the API serves. So the validators
come from the feed's newest entry (one index lookup), read before any record is: the ``ETag`` names everything
an answer's bytes depend on, and a client's copy is current exactly when the tag matches (a 304 then costs
that one query instead of a page). That is the data's state, the current release (which ``/api/v1/dataset/``
describes), and the request: its scheme and host (answers hold absolute URLs), its path (with the script
prefix those URLs start with) and query string, and its ``Accept``.

The same tag keys a server-side cache of rendered answers (Django's default cache: per process, or Redis
shared by every app server with ``CACHE_URL``): a request whose answer is cached is served without reading
a record or running a serializer. A change to the data changes every tag, so a cached answer is never
served stale, and nothing needs invalidating; old entries simply expire.
"""

import functools
import hashlib
import os
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connections, router
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.throttling import AnonRateThrottle
from datasets.models import ChangeEvent
from datasets.release_format import CHECKSUMS


def newest_change() -> tuple[int, datetime | None]:
    """The change feed's newest entry: its seq and time, through the primary key's index (MAX() over two
    columns would read the whole feed). Its time goes into the tag too, so that a database rebuilt from
    scratch, whose seq starts again, gets new tags. This runs for every API request, so it is plain SQL:
    the ORM would spend more time composing the query than the database spends answering it."""
    connection = connections[router.db_for_read(ChangeEvent)]
    quote, feed = connection.ops.quote_name, ChangeEvent._meta
    seq, time_column = quote(feed.pk.column), quote(feed.get_field("changed_at").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {seq}, {time_column} FROM {quote(feed.db_table)} ORDER BY {seq} DESC LIMIT 1")  # noqa: S608 - names from the model
        row = cursor.fetchone()
    if row is None:
        return 0, None
    seq, changed_at = row
    if timezone.is_naive(changed_at):  # SQLite's, as the ORM would make it aware
        changed_at = timezone.make_aware(changed_at, connection.timezone)
    return seq, changed_at


# The current release's identity, by the file status of its SHA256SUMS: (path, status) -> identity.
_release_identities: dict[tuple, str] = {}


def current_release() -> str:
    """What names the release in ``RELEASE_DIR``: the SHA-256 of its SHA256SUMS, which lists every file's own
    ("" without a release). Read again only when SHA256SUMS is another file or has changed, so that it costs a
    stat per request, not a read and a hash: ``export_dataset`` switches each release in as a new directory."""
    path = os.path.join(settings.RELEASE_DIR, CHECKSUMS)
    try:
        status = os.stat(path)
        key = (path, status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size)
        identity = _release_identities.get(key)
        if identity is None:
            identity = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            _release_identities.clear()
            _release_identities[key] = identity
        return identity
    except OSError:
        return ""


def validators(request) -> tuple[str, int | None]:
    """The ETag and the Last-Modified time (seconds since the epoch) of a public GET of ``request``.

    The tag hashes every input that changes an answer's bytes: the data's state and the current release; the
    scheme, host and script prefix that its absolute URLs start with (``get_host()`` checks the host against
    ALLOWED_HOSTS, ``scheme`` honours SECURE_PROXY_SSL_HEADER); the path and query string; and ``Accept``,
    which picks the format. No other header changes an answer (the language is LANGUAGE_CODE's: no middleware
    picks one per request).

    HTTP dates count whole seconds, so a Last-Modified is only given once its second is over: a change later
    in the same second would otherwise hide behind it. Until then the ETag alone validates.
    """
    seq, changed_at = newest_change()
    last_modified = int(changed_at.timestamp()) if changed_at else None
    if last_modified is not None and last_modified >= int(time.time()):
        last_modified = None
    state = f"{seq}@{changed_at.isoformat() if changed_at else ''}|{current_release()}"
    where = f"{request.scheme}://{request.get_host()}{get_script_prefix()}|{request.get_full_path()}"
    key = f"{state}|{where}|{request.META.get('HTTP_ACCEPT', '')}"
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32]), last_modified


def client_tags(request) -> list[str] | None:
    """The entity tags of the client's If-None-Match (weak ones compared as strong), or None without one."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is None:
        return None
    return [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]


def not_modified(request, etag: str, last_modified: int | None) -> bool:
    """Whether the client's cached copy is still good (If-None-Match, when sent, wins over If-Modified-Since)."""
    tags = client_tags(request)
    if tags is not None:
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


# The methods every conditional view allows: they are all read-only.
ALLOW = "GET, HEAD, OPTIONS"


def tag_response(response, etag: str, last_modified: int | None) -> None:
    """Set the validators of a 200 or 304 (cached answers are kept without them)."""
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Accept"])


def cache_key(etag: str) -> str:
    return f"api-answer:{etag}"


UNKNOWN_PARAMETER = "Unknown parameter. Accepted: %(accepted)s."


def unknown_parameter(accepted) -> str:
    """The 400's message for a parameter not in ``accepted``: it lists what the endpoint takes."""
    return UNKNOWN_PARAMETER % {"accepted": ", ".join(sorted(accepted))}


class ConditionalGetMixin:
    """For API views: answer 304 to a GET whose cached copy is current, serve answers kept in the server's
    cache, and tag every 200 for caching.

    A request whose answer is in the server's cache was checked when that answer was made: its ETag names the
    same path, parameters and data. Any other request is checked first (format, parameter names, filters,
    paging), so a bad request is a 400 whatever its conditional headers say. A parameter that the view does not
    take is a 400 in either case: that check is a set lookup, made before the cache is consulted. Either way no
    record is read for a 304 or a cached answer.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        # Computed by ConditionalGetMiddleware already, when it passed the request on.
        self.etag, self.last_modified = getattr(request._request, "api_validators", None) or validators(
            request._request
        )
        entry = None
        if self.answer_cacheable(request) and self.query_parameters().issuperset(request.query_params):
            entry = cache.get(cache_key(self.etag))
        if entry is None:
            self.validate_parameters(request)
        if not_modified(request._request, self.etag, self.last_modified):
            raise NotModified
        if entry is not None:
            raise Cached(entry)

    def query_parameters(self) -> frozenset[str]:
        """The query parameters this view takes (on a viewset, this action): ``format``, and on a list its
        declared filters and its paging; what the OpenAPI schema documents. Any other is a 400."""
        names = {api_settings.URL_FORMAT_OVERRIDE} - {None}
        if self.is_list():
            for backend in getattr(self, "filter_backends", ()):
                if issubclass(backend, DjangoFilterBackend):
                    filterset_class = backend().get_filterset_class(self, self.get_queryset())
                    names.update(filterset_class.base_filters if filterset_class is not None else ())
            if getattr(self, "paginator", None) is not None:
                names.update(self.paginator.parsers())
        return frozenset(names)

    def is_list(self) -> bool:
        """Whether this view (this viewset action) answers with a list, filtered and paged (an APIView's one
        action counts as one, though it has neither filters nor paging)."""
        return getattr(self, "action", "list") == "list"

    def answer_cacheable(self, request) -> bool:
        """Whether this request's answer may be served from, and stored in, the server's cache."""
        return (
            request.method == "GET"
            and settings.API_CACHE_SECONDS > 0
            and getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format in CACHED_FORMATS
        )

    def validate_parameters(self, request) -> None:
        """Raise the 400 the view would raise for these parameters, naming every bad one (unknown, or with a
        bad value), without reading any record."""
        accepted = self.query_parameters()
        errors = {name: [unknown_parameter(accepted)] for name in request.query_params if name not in accepted}
        if self.is_list():
            errors.update(self.list_parameter_errors(request))
        if errors:
            raise ValidationError(errors)

    def list_parameter_errors(self, request) -> dict:
        """The filters and paging parameters of a list that do not parse, each with what was expected."""
        errors = {}
        for backend in getattr(self, "filter_backends", ()):
            if issubclass(backend, DjangoFilterBackend):
                filterset = backend().get_filterset(request, self.get_queryset(), self)
                if filterset is not None and not filterset.is_valid():
                    errors.update(translate_validation(filterset.errors).detail)
        if getattr(self, "paginator", None) is not None:
            try:
                self.paginator.validate(request)
            except ValidationError as exc:
                errors.update(exc.detail)
        return errors

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=304)
        if isinstance(exc, Cached):
            return HttpResponse(exc.entry["content"], headers=exc.entry["headers"])
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304) and getattr(self, "etag", None):
            tag_response(response, self.etag, self.last_modified)
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


def route_parameters(path: str) -> frozenset[str] | None:
    """The query parameters that the view answering ``path`` takes, or None when no view with conditional GETs
    (``ConditionalGetMixin``) answers it."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return view_parameters(match.func)


@functools.cache
def view_parameters(callback) -> frozenset[str] | None:
    """``route_parameters`` of a route's view function (``as_view()``'s), worked out once per route from the
    view it makes: the class, its initkwargs (an action's filters and paging) and, on a viewset, the action."""
    view_class = getattr(callback, "cls", None)
    if view_class is None or not issubclass(view_class, ConditionalGetMixin):
        return None
    view = view_class(**callback.initkwargs)
    if getattr(callback, "actions", None) is not None:
        view.action = callback.actions.get("get")
    return view.query_parameters()


class ConditionalGetMiddleware:
    """The two cheapest answers of the API, given before the rest of the middleware and DRF run: a 304 to a
    GET whose ``If-None-Match`` names the current ETag, and an answer kept in the server's cache.

    Both are what the view itself would answer (``ConditionalGetMixin``), headers included, at a fraction of
    the cost: the URL's routing, the rate limit, the ETag's one query and a cache lookup, without sessions,
    CSRF, the admin's middleware, DRF's dispatch, content negotiation or parameter parsing. An answer is only
    cached for a request that a view checked (path, parameters, ``Accept``) and answered with a 200 in the
    same data state. A request with a parameter that its view does not take gets neither: it goes to the view,
    whose 400 names the parameter (a set lookup, with the view's parameters worked out once per route). Any
    other 304 is given to whoever names the current tag: a tag is the hash of the request and the data's
    state, which are public, so it can be made for a request with a bad value, but its 304 carries no body and
    tells nothing. ``If-None-Match: *`` and ``If-Modified-Since`` alone go to the view, which checks the
    request first.

    The API authenticates nobody, so every client is anonymous here as in the view. The rate limit is counted
    here, once, for every request this middleware looks at (the view does not count it again); a client over
    its limit goes straight to the view's 429, without a query. Any other request is passed on with its
    validators, so that the view does not compute them again.
    """

    PREFIX = "/api/"  # a shortcut: the API's views are all under it (after the script prefix, if any)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path_info.startswith(self.PREFIX):
            return self.get_response(request)
        parameters = route_parameters(request.path_info)
        if parameters is None:
            return self.get_response(request)
        request.get_host()  # a Host outside ALLOWED_HOSTS is a 400 here too, as CommonMiddleware makes it
        request.user = AnonymousUser()
        try:
            AnonRateThrottle().allow_request(request, None)
        except Throttled:
            return self.get_response(request)  # not counted: the view refuses it again, with its 429
        request.api_throttle_counted = True
        request.api_validators = etag, last_modified = validators(request)
        if not parameters.issuperset(request.GET):
            return self.get_response(request)  # an unknown parameter: the view's 400 names it
        return self.early_answer(request, etag, last_modified) or self.get_response(request)

    def early_answer(self, request, etag: str, last_modified: int | None) -> HttpResponse | None:
        tags = client_tags(request)
        if not_modified(request, etag, last_modified):
            if tags is None or "*" in tags:
                return None  # a date or "*" names no request: the view checks it first
            response = HttpResponseNotModified()
        elif settings.API_CACHE_SECONDS > 0 and (entry := cache.get(cache_key(etag))) is not None:
            response = HttpResponse(entry["content"], headers=entry["headers"])
        else:
            return None
        # What DRF and the middleware below this one add to the view's answers (tests compare the two).
        response["Allow"] = ALLOW
        tag_response(response, etag, last_modified)
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        response["Content-Length"] = str(len(response.content))
        return response
