"""Conditional requests and cached answers for every public read.

Every change the public can see (a record published, updated or withdrawn, by the review workflow or by
an import) appends to the change feed, and nothing else changes the records the API serves. So the validators
come from the feed's newest entry (one index lookup), read before any record is: the ``ETag`` names everything
an answer's bytes depend on, and a client's copy is current exactly when the tag matches (a 304 to a request
that was checked in this data state then costs that one query and a cache lookup instead of a page). That is
the data's state, the current release (which ``/api/v1/dataset/`` describes), the answers' format (the
committed OpenAPI schema), and the request: its scheme and host (answers hold absolute URLs), its path (with the
script prefix those URLs start with) and query string, and its ``Accept``.

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
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.settings import api_settings

from api.throttling import AnonRateThrottle
from config.http import ViewHandler, deny_framing
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


def newest_change_for(request) -> tuple[int, datetime | None]:
    """``newest_change()`` as a public read sees it: read once per request (its tag, then its counts), so that
    one answer names one state of the data."""
    request = getattr(request, "_request", request)  # DRF's Request: the HttpRequest under it
    kept = request.__dict__.get("newest_change")
    if kept is None:
        kept = request.__dict__["newest_change"] = newest_change()
    return kept


def data_state(seq: int | None = None, changed_at: datetime | None = None) -> str:
    """What names the state of the public data: the change feed's newest entry (read when not given)."""
    if seq is None:
        seq, changed_at = newest_change()
    return f"{seq}@{changed_at.isoformat() if changed_at else ''}"


def kept_per_question(kind: str, request, compute, ignored=()):
    """``compute()``, kept in the cache under ``kind``, the question (the request's path and every parameter but
    the ``ignored`` ones) and the state of the public data, for ``API_COUNT_CACHE_SECONDS`` (0: computed every
    time). For what depends on nothing else, as a list's count of matches and its facet counts: exact, and never
    stale, since every change to the public data is in the feed."""
    if settings.API_COUNT_CACHE_SECONDS <= 0:
        return compute()
    parameters = request.GET.lists()
    question = sorted((name, value) for name, values in parameters if name not in ignored for value in values)
    name = f"{data_state(*newest_change_for(request))}|{kind}|{request.path}|{question}"
    key = f"api-{kind.partition('|')[0]}:{hashlib.sha256(name.encode()).hexdigest()}"
    kept = cache.get(key)
    if kept is None:
        kept = compute()
        cache.set(key, kept, settings.API_COUNT_CACHE_SECONDS)
    return kept


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


@functools.cache
def answer_format() -> str:
    """What names the shape of the API's answers: the SHA-256 of the committed OpenAPI schema, read once per
    process. It goes into every tag, so that after an upgrade that changes an answer's shape (a field added, a
    key renamed) no client copy, 304 or kept answer of the old shape is taken for current, data unchanged."""
    try:
        return hashlib.sha256((Path(settings.BASE_DIR) / "api" / "openapi.yaml").read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def validators(request) -> tuple[str, int | None]:
    """The ETag and the Last-Modified time (seconds since the epoch) of a public GET of ``request``.

    The tag hashes every input that changes an answer's bytes: the data's state, the current release and the
    answers' format (``answer_format``); the
    scheme, host and script prefix that its absolute URLs start with (``get_host()`` checks the host against
    ALLOWED_HOSTS, ``scheme`` honours SECURE_PROXY_SSL_HEADER); the path and query string; and ``Accept``,
    which picks the format. No other header changes an answer (the language is LANGUAGE_CODE's: no middleware
    picks one per request).

    HTTP dates count whole seconds, so a Last-Modified is only given once its second is over: a change later
    in the same second would otherwise hide behind it. Until then the ETag alone validates.
    """
    seq, changed_at = newest_change_for(request)
    last_modified = int(changed_at.timestamp()) if changed_at else None
    if last_modified is not None and last_modified >= int(time.time()):
        last_modified = None
    state = f"{data_state(seq, changed_at)}|{current_release()}|{answer_format()}"
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


UNKNOWN_PARAMETER = "Unknown parameter. Accepted: %(accepted)s."


def unknown_parameter(accepted) -> str:
    """The 400's message for a parameter not in ``accepted``: it lists what the endpoint takes."""
    return UNKNOWN_PARAMETER % {"accepted": ", ".join(sorted(accepted))}


class PublicReadMixin:
    """For the API's public reads: a request's parameters are checked before any record is read, and a bad
    one is a 400 naming every bad parameter (unknown, or with a value that does not parse). Views with it are
    the ones ``PublicReadMiddleware`` answers conditionally, caches and rate-limits."""

    # The rate limit of these views is counted once, by PublicReadMiddleware, before the view runs.
    throttle_classes = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            self.validate_parameters(request)

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


def route_parameters(request) -> frozenset[str] | None:
    """The query parameters that the view answering the request takes, or None when no public read answers it.

    The route found is kept as the request's ``resolver_match``, which Django's handler then uses rather than
    resolving the path again (``config.http.WSGIHandler``)."""
    if hasattr(request, "urlconf"):  # a middleware's own URLconf: Django's handler resolves it
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    request.resolver_match = match
    return view_parameters(match.func)


@functools.cache
def view_parameters(callback) -> frozenset[str] | None:
    """``route_parameters`` of a route's view function (``as_view()``'s), worked out once per route from the
    view it makes: the class, its initkwargs (an action's filters and paging) and, on a viewset, the action."""
    view_class = getattr(callback, "cls", None)
    if view_class is None or not issubclass(view_class, PublicReadMixin):
        return None
    view = view_class(**callback.initkwargs)
    if getattr(callback, "actions", None) is not None:
        view.action = callback.actions.get("get")
    return view.query_parameters()


# Rendered answers larger than this are not kept (a page of 500 records), to keep the cache's memory bounded;
# that the request was checked is kept all the same, so that a 304 to it is still cheap.
MAX_CACHED_BYTES = 1024 * 1024
# Formats whose answers are the same for every client; the browsable API's HTML carries a CSRF token.
CACHED_FORMATS = ("json", "csv")
# Headers that each answer sets anew (the validators) or that no shared answer may carry.
UNCACHED_HEADERS = {"etag", "last-modified", "vary", "set-cookie"}


def answer_key(etag: str) -> str:
    """Where the rendered answer of a request is kept (or, for a large one, that its request was checked)."""
    return f"api-answer:{etag}"


def tag_response(response, etag: str, last_modified: int | None) -> None:
    """Set the validators of a 200 or 304 (kept answers are stored without them)."""
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Accept"])


def rendered_only(response):
    """A rendered DRF answer without what only its rendering needed: the renderer's context (which DRF also leaves
    out when a response is pickled), the view's attributes (the page's records, its filters, its paginator) and
    the serializer's (its records, its arguments).

    DRF's objects hold each other: the context holds the response and the view, the view its request, which holds
    the view; a list serializer and its child each other. A page's records and answer hung off those cycles
    after the request, until a collection of the oldest generation, which Python runs rarely
    (``config.wsgi.Collector``); meanwhile every younger collection went through them. Emptied, what is left of a
    request is a few hundred small objects, and the answer is freed once it is sent (the browsable API's page
    excepted: Django's template engine keeps every context it renders in a cycle of its own, and DRF's context
    holds the response; its records are freed all the same)."""
    context = getattr(response, "renderer_context", None)
    if not context or not getattr(response, "is_rendered", True):
        return response
    view = context.get("view")
    if view is not None:
        view.__dict__.clear()
    # Emptied, not only dropped: the browsable API's renderer keeps the same dict (and in it the response).
    context.clear()
    response.renderer_context = None
    data = getattr(response, "data", None)
    for value in (data, *(data.values() if isinstance(data, dict) else ())):
        serializer = getattr(value, "serializer", None)  # DRF's ReturnDict and ReturnList
        if serializer is not None:
            serializer.__dict__.clear()
    return response


class PublicReadMiddleware:
    """The one owner of the rule for the API's public reads (``PublicReadMixin`` views): check the request,
    then answer 304 or the kept answer, and only then build the answer from the database.

    The check is the view's (format, parameter names, filters, paging; a bad request is a 400 whatever its
    conditional headers say), and an answer is kept only when a view built it with a 200: its ETag hashes the
    path, query string, ``Accept`` and data state, so a request whose tag has a kept answer was checked, in
    this very data state, when that answer was built. Such a request is answered here, before the rest of the
    middleware and DRF run (no sessions, CSRF, dispatch, content negotiation or parameter parsing): a 304 when
    the client's copy is current, else the kept bytes, with the headers the view's answer had. Any other
    request goes to the view; its 200 is tagged, kept, and turned into a 304 if the client's copy is current.
    With the answer cache off (``API_CACHE_SECONDS=0``) every request is built, and a 304 saves the transfer.

    The rate limit of these views is counted here, once per request whatever the method, before any query;
    a client over its limit gets the 429 from here.
    """

    PREFIX = "/api/"  # a shortcut: the API's views are all under it (after the script prefix, if any)

    def __init__(self, get_response):
        self.get_response = get_response
        self.view = ViewHandler()

    def build(self, request):
        """The view's answer to a read: past the middleware below this one (``config.http.ViewHandler``), unless
        the answer may be the browsable API's HTML, which carries a CSRF token and so goes through all of it."""
        accept = request.META.get("HTTP_ACCEPT", "").lower()
        if request.GET.get(api_settings.URL_FORMAT_OVERRIDE) == "api" or "text/html" in accept or "text/*" in accept:
            return rendered_only(self.get_response(request))
        return rendered_only(self.view.finish(self.view(request)))

    def __call__(self, request):
        parameters = route_parameters(request) if request.path_info.startswith(self.PREFIX) else None
        if parameters is None:
            return self.get_response(request)
        request.get_host()  # a Host outside ALLOWED_HOSTS is a 400 here too, as CommonMiddleware makes it
        request.user = AnonymousUser()  # the API authenticates nobody
        try:
            AnonRateThrottle().allow_request(request, None)
        except Throttled as refused:
            # As DRF's own handler: a Retry-After only when the throttle can tell the wait.
            headers = {"Retry-After": str(refused.wait)} if refused.wait is not None else {}
            return self.finish(JsonResponse({"detail": str(refused.detail)}, status=429, headers=headers))
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        etag, last_modified = validators(request)
        # A parameter the view does not take gets no kept answer, whatever the cache holds: the view's 400 names it.
        keeping = settings.API_CACHE_SECONDS > 0 and parameters.issuperset(request.GET)
        if keeping:
            kept = self.kept_answer(request, etag, last_modified)
            if kept is not None:
                return kept
        response = self.build(request)
        if response.status_code != 200:
            return response
        tag_response(response, etag, last_modified)
        if keeping and request.method == "GET" and self.shareable(response):
            self.keep(response, etag)
        if not_modified(request, etag, last_modified):
            return self.not_modified(etag, last_modified)
        return response

    def kept_answer(self, request, etag: str, last_modified: int | None) -> HttpResponse | None:
        """The answer to a request that a view checked and answered in this data state, or None: a 304 when the
        client's copy is current, else (to a GET) the kept bytes."""
        entry = cache.get(answer_key(etag))
        if entry is None:
            return None
        if not_modified(request, etag, last_modified):
            return self.not_modified(etag, last_modified)
        if request.method != "GET" or entry["content"] is None:
            return None  # a HEAD, or an answer too large to keep: built again
        response = HttpResponse(entry["content"], headers=entry["headers"])
        tag_response(response, etag, last_modified)
        return response

    @staticmethod
    def shareable(response) -> bool:
        """Whether an answer is the same for every client, and so may be kept for all of them."""
        renderer = getattr(response, "accepted_renderer", None)
        # A full export is a StreamingHttpResponse, which DRF gives no accepted_renderer: never kept.
        return renderer is not None and renderer.format in CACHED_FORMATS and not response.cookies

    @staticmethod
    def keep(response, etag: str) -> None:
        """Keep the rendered answer (without the validators, which each answer gets anew), or only the note that
        its request was checked when it is too large; one entry, so that both expire together."""
        entry = {"content": None, "headers": {}}
        if len(response.content) <= MAX_CACHED_BYTES:
            headers = {name: value for name, value in response.items() if name.lower() not in UNCACHED_HEADERS}
            entry = {"content": response.content, "headers": headers}
        cache.set(answer_key(etag), entry, settings.API_CACHE_SECONDS)

    def not_modified(self, etag: str, last_modified: int | None) -> HttpResponse:
        response = HttpResponseNotModified()
        tag_response(response, etag, last_modified)
        return self.finish(response)

    @staticmethod
    def finish(response: HttpResponse) -> HttpResponse:
        """What the middleware below this one would add to an answer given here (a 304 or a 429)."""
        return deny_framing(response)
