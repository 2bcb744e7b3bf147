"""The MCP server, for agents: the API's read-only answers as typed tools (``/mcp/`` and ``manage.py mcp``).

Built on the official MCP Python SDK (``mcp``, pinned). Every tool answers through the API's own views, called in
process by their URLs: the same published-only records, the same filters and their 400s, the same 404 for a slug
that is not public. A tool's result holds the API's records as they are (each with its URL and citations) and
the dataset's licence. A 400 or 404 of the API becomes a tool error that names the parameter and what was
expected (the API's message); no traceback reaches the agent.

Over HTTP (Streamable HTTP, stateless, JSON answers) it is served at ``/mcp/`` by the same process and port as
the API (``config.wsgi`` hands the path to ``serve_http``), after the API's anonymous rate limit has counted the
request. On stdio, ``manage.py mcp`` runs it for a local client.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
import re
import threading
from typing import Any, Literal
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.urls import resolve
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field
from rest_framework.exceptions import Throttled

from api.dataset import DATA_LICENSE, DATA_LICENSE_ID, DATA_LICENSE_URL, DATASET_NAME
from api.renderers import JSONRenderer
from api.throttling import AnonRateThrottle
from api.views import RecordViewSet
from datasets.resources import RESOURCES

PATH = "/mcp/"
# The header that carries, from ``serve_http`` to the tools, the scheme the client used (set there, whatever the
# client sent).
ORIGIN_SCHEME = "x-registry-scheme"
API = "/api/v1/"

SLUG = re.compile(RecordViewSet.lookup_value_regex)
# The resources by the names in their URLs, as the API's routes are (``datasets.resources``).
ResourceName = Literal[tuple(resource.name for resource in RESOURCES)]


class Licence(BaseModel):
    """The dataset's licence: every record the tools give is under it, to be cited with its URL."""

    id: str = DATA_LICENSE_ID
    name: str = DATA_LICENSE
    url: str = DATA_LICENSE_URL


class Records(BaseModel):
    """Records as the API gives them (each with its ``url``; a record of fact with its ``citations``, a search hit
    with its resource and slug), how many match in all, and where the next ones are."""

    count: int = Field(description="How many records match in all.")
    next: str | None = Field(description="The API URL of the next page, if any.")
    records: list[dict[str, Any]] = Field(description="The records, as the API's JSON gives them.")
    licence: Licence = Field(default_factory=Licence)


class Record(BaseModel):
    """One record as its own API route gives it: its fields, citations and the records that refer to it."""

    record: dict[str, Any]
    licence: Licence = Field(default_factory=Licence)


class Changes(BaseModel):
    """The public change feed after a sequence number: each change names its record's resource, slug and URL."""

    changes: list[dict[str, Any]]
    next: str | None
    last_seq: int | None = Field(description="The feed's last sequence number: ask again with after=last_seq.")
    licence: Licence = Field(default_factory=Licence)


class Dataset(BaseModel):
    """The dataset: its version (the current release), licence, how to cite it, counts and downloads."""

    dataset: dict[str, Any]
    licence: Licence = Field(default_factory=Licence)


server = MCPServer(
    "ai-access-registry",
    instructions=(
        f"{DATASET_NAME}: vetted records of frontier AI model releases, access grants (who got early, evaluation "
        "or optimisation access to a model, and who was left out), export controls with their dates in force, and "
        "the organizations, chips and sources they refer to. Every record has a URL and cites its sources; cite "
        f"both, and the licence ({DATA_LICENSE})."
    ),
)


# Where the records' URLs point on stdio (``manage.py mcp --base-url``); over HTTP, where the request came.
STDIO_ORIGIN = {"scheme": "http", "host": "127.0.0.1:8000"}


def api(ctx: Context, path: str, **parameters) -> dict | list:
    """The API's JSON answer to a GET of ``path`` (under /api/v1/) with ``parameters``, from its own view; a 400
    or 404 as a ``ToolError`` with the API's message."""
    request = _request(ctx, API + path, parameters)
    match = resolve(request.path_info)
    close_old_connections()
    try:
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        body = json.loads(response.content) if response.content else None
    finally:
        close_old_connections()
    if response.status_code == 404:
        raise ToolError(f"Not found: {body.get('detail', 'no published record') if body else 'no such record'}")
    if response.status_code != 200:
        raise ToolError(f"Refused ({response.status_code}): {_messages(body)}")
    return body


def _messages(body) -> str:
    """The API's error answer as one line: each parameter with what was wrong."""
    if not isinstance(body, dict):
        return str(body)
    return "; ".join(
        f"{name}: {' '.join(map(str, value)) if isinstance(value, list) else value}" for name, value in body.items()
    )


def _request(ctx: Context, path: str, parameters: dict) -> WSGIRequest:
    """A GET of the API as the agent's own request would have asked it: to the host (and scheme) the MCP request
    came to, so that the records' URLs are the ones the agent can follow."""
    headers = ctx.headers or {}
    origin = {"scheme": headers.get(ORIGIN_SCHEME, "http"), "host": headers["host"]} if headers else STDIO_ORIGIN
    query = urlencode({name: value for name, value in parameters.items() if value is not None}, doseq=True)
    return WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": origin["host"].rpartition(":")[0] or origin["host"],
            "SERVER_PORT": origin["host"].rpartition(":")[2] if ":" in origin["host"] else "80",
            "HTTP_HOST": origin["host"],
            "HTTP_ACCEPT": JSONRenderer.media_type,
            "wsgi.url_scheme": origin["scheme"],
            "wsgi.input": io.BytesIO(),
            "REMOTE_ADDR": "127.0.0.1",
        }
    )


def _page(body: dict) -> Records:
    return Records(count=body["count"], next=body.get("next"), records=body["results"])


@server.tool()
def search(
    ctx: Context, q: str = Field(description="Words to find, in every resource at once."), limit: int = 20
) -> Records:
    """Search every resource at once (names, titles, descriptions, notes), best matches first: each hit names its
    resource, slug and URL (``get_record`` gives the record with its citations)."""
    return _page(api(ctx, "search/", q=q, limit=limit))


@server.tool()
def list_records(
    ctx: Context,
    resource: ResourceName,
    filters: dict[str, str | list[str]] | None = None,
    limit: int = Field(default=50, ge=1, le=500),
    offset: int = Field(default=0, ge=0),
) -> Records:
    """A page of a resource's published records, with any of the API's filters for it (as query parameters:
    {"developer": "deepseek", "released_on_after": "2025-01-01"}; a list is several values, OR'd), its
    ``ordering``, ``fields``, ``expand`` and ``q``. An unknown filter or a bad value is refused, naming it."""
    taken = sorted({"limit", "offset", "format"} & set(filters or {}))
    if taken:
        raise ToolError(f"filters: {', '.join(taken)} are this tool's own arguments (format: always JSON), not filters")
    return _page(api(ctx, f"{resource}/", **(filters or {}), limit=limit, offset=offset))


@server.tool()
def get_record(ctx: Context, resource: ResourceName, slug: str) -> Record:
    """One published record by its slug, with its citations and the records that refer to it (its dossier)."""
    if not SLUG.fullmatch(slug):
        raise ToolError(f"slug: a record's slug (letters, digits, '-' and '_'), such as 'deepseek-v3', not {slug!r}")
    return Record(record=api(ctx, f"{resource}/{slug}/"))


@server.tool()
def export_controls_in_force(
    ctx: Context,
    on: datetime.date,
    jurisdiction: str | None = Field(default=None, description="US, CN, NL, JP, EU, ... (ISO codes)"),
    limit: int = Field(default=100, ge=1, le=500),
) -> Records:
    """The export controls in force on a date (their suspensions counted), optionally of one jurisdiction."""
    return _page(api(ctx, "export-controls/", in_force_on=on.isoformat(), jurisdiction=jurisdiction, limit=limit))


@server.tool()
def access_grants_of_model(ctx: Context, model: str, limit: int = Field(default=100, ge=1, le=500)) -> Records:
    """Who got (or was refused) early, evaluation or optimisation access to a model, by the model's slug."""
    return _page(api(ctx, "access-grants/", model=model, limit=limit))


@server.tool()
def changes_since(ctx: Context, after: int = Field(ge=0), limit: int = Field(default=100, ge=1, le=1000)) -> Changes:
    """The public changes after sequence number ``after`` (0: from the start), oldest first."""
    body = api(ctx, "changes/", after=after, limit=limit)
    return Changes(changes=body["results"], next=body.get("next"), last_seq=body.get("last_seq"))


@server.tool()
def dataset(ctx: Context) -> Dataset:
    """The dataset's version (its current release), licence, citation, counts and downloadable files."""
    return Dataset(dataset=api(ctx, "dataset/"))


# Over HTTP: the SDK's Streamable HTTP app (an ASGI app), run on an event loop of its own in a thread, behind a
# WSGI adapter, so that gunicorn's workers serve it beside Django. Started on first use, in the worker.
_http = None
_http_lock = threading.Lock()


def http_app():
    """The WSGI app that serves ``/mcp/``."""
    global _http
    with _http_lock:
        if _http is None:
            from a2wsgi import ASGIMiddleware

            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="mcp", daemon=True).start()
            app = server.streamable_http_app(
                streamable_http_path=PATH,
                stateless_http=True,
                json_response=True,
                # The host was checked by serve_http against ALLOWED_HOSTS, as Django checks it.
                transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            )
            asyncio.run_coroutine_threadsafe(_start(), loop).result(timeout=30)
            _http = ASGIMiddleware(app, loop=loop)
    return _http


async def _start() -> None:
    """Start the session manager, which the app needs running (as its lifespan would), for good."""
    started = asyncio.Event()

    async def keep() -> None:
        async with server.session_manager.run():
            started.set()
            await asyncio.Event().wait()

    asyncio.get_running_loop().create_task(keep())
    await started.wait()


def serve_http(environ, start_response):
    """``/mcp/`` over HTTP: the host checked as Django checks it (ALLOWED_HOSTS), the request counted in the API's
    anonymous rate limit (a 429 with Retry-After past it), then the MCP app. The scheme the client used (as a
    trusted proxy reports it) goes along, so that the records' URLs are the ones it can follow."""
    request = WSGIRequest({**environ, "wsgi.input": io.BytesIO()})
    request.user = AnonymousUser()  # the API authenticates nobody, and its rate limit counts by address
    try:
        request.get_host()
        AnonRateThrottle().allow_request(request, None)
    except DisallowedHost:
        return _answer(start_response, 400, {"detail": "Bad Request: this host is not served."})
    except Throttled as refused:
        headers = [("Retry-After", str(refused.wait))] if refused.wait is not None else []
        return _answer(start_response, 429, {"detail": str(refused.detail)}, headers)
    environ[f"HTTP_{ORIGIN_SCHEME.upper().replace('-', '_')}"] = request.scheme
    return http_app()(environ, start_response)


def _answer(start_response, status: int, body: dict, headers: list | None = None):
    content = json.dumps(body).encode()
    reason = {400: "Bad Request", 429: "Too Many Requests"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), *(headers or [])])
    return [content]
