"""The MCP server (issue 19), through the MCP Python client: every tool over HTTP against a live server (the WSGI
application `make serve` runs, /mcp/ beside the API), and over stdio (`manage.py mcp`); a bad argument is a clear
tool error, a record that is not published is not found, and the API's rate limit counts the requests."""

import asyncio
import contextlib
import json
import re
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.contrib.auth.models import Group, User
from mcp import Client, StdioServerParameters

from config.wsgi import application
from datasets import services
from datasets.models import ChangeEvent
from tests import factories, live_gunicorn

TOOLS = {
    "search",
    "list_records",
    "get_record",
    "export_controls_in_force",
    "access_grants_of_model",
    "changes_since",
    "dataset",
}


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedServer(WSGIServer):
    daemon_threads = True


@pytest.fixture
def live_mcp():
    """The project's WSGI application (Django, and the MCP server at /mcp/) on a loopback port, in this process."""
    server = make_server("127.0.0.1", 0, application, server_class=ThreadedServer, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def scene():
    """Published records with citations, a grant, a measure in force, and records that are not public."""
    deepseek = factories.make_organization(slug="deepseek", name="DeepSeek", country="CN")
    huawei = factories.make_organization(slug="huawei", name="Huawei", country="CN")
    release = factories.make_model_release(
        slug="deepseek-v4", name="DeepSeek-V4", developer=deepseek, review_status="in_review"
    )
    factories.make_citation(release)
    reviewer = User.objects.create_user("rui", password=None, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    services.publish(release, reviewer)  # a change in the feed
    factories.make_access_grant(slug="v4-huawei", model=release, grantee=huawei)
    factories.make_export_control(slug="us-rule", jurisdiction="US", effective_on="2025-01-15")
    factories.make_model_release(slug="secret-draft", name="Secret draft", developer=deepseek, review_status="draft")
    return {"release": release}


def call(server, steps):
    """Connect an MCP client to ``server`` (a URL or stdio parameters) and run ``steps(client)`` with it."""

    async def run():
        async with Client(server) as client:
            return await steps(client)

    return asyncio.run(run())


async def every_tool(client) -> dict:
    """Each tool called once with good arguments, then the refusals: what the client got, by name."""
    listed = await client.list_tools()
    got = {"tools": {tool.name: tool for tool in listed.tools}}
    got["search"] = await client.call_tool("search", {"q": "deepseek"})
    got["list_records"] = await client.call_tool(
        "list_records", {"resource": "model-releases", "filters": {"developer": "deepseek"}}
    )
    got["get_record"] = await client.call_tool("get_record", {"resource": "organizations", "slug": "deepseek"})
    got["export_controls_in_force"] = await client.call_tool(
        "export_controls_in_force", {"on": "2026-01-01", "jurisdiction": "US"}
    )
    got["access_grants_of_model"] = await client.call_tool("access_grants_of_model", {"model": "deepseek-v4"})
    got["changes_since"] = await client.call_tool("changes_since", {"after": 0})
    got["dataset"] = await client.call_tool("dataset", {})
    got["bad_filter"] = await client.call_tool(
        "list_records", {"resource": "model-releases", "filters": {"released_on_after": "2025-13-01"}}
    )
    got["bad_filter_name"] = await client.call_tool(
        "list_records", {"resource": "chips", "filters": {"limit": "5", "format": "csv"}}
    )
    got["bad_argument"] = await client.call_tool("export_controls_in_force", {"on": "yesterday"})
    got["bad_resource"] = await client.call_tool("get_record", {"resource": "weapons", "slug": "x"})
    got["bad_slug"] = await client.call_tool("get_record", {"resource": "chips", "slug": "../admin"})
    got["draft"] = await client.call_tool("get_record", {"resource": "model-releases", "slug": "secret-draft"})
    return got


def check_every_tool(got: dict, base: str) -> None:
    assert set(got["tools"]) == TOOLS
    for name in TOOLS:
        tool = got["tools"][name]
        assert tool.description and tool.input_schema["type"] == "object" and tool.output_schema, name
        result = got[name]
        assert not result.is_error, (name, result.content)
        assert result.structured_content["licence"]["id"] == "CC-BY-4.0", name
    records = got["list_records"].structured_content["records"]
    assert [record["slug"] for record in records] == ["deepseek-v4"]
    assert records[0]["url"] == f"{base}/api/v1/model-releases/deepseek-v4/"
    assert records[0]["citations"][0]["url"]  # each record with its citations
    assert "secret-draft" not in json.dumps([got[name].structured_content for name in TOOLS])
    assert got["get_record"].structured_content["record"]["model_releases"][0]["slug"] == "deepseek-v4"  # dossier
    assert [r["slug"] for r in got["export_controls_in_force"].structured_content["records"]] == ["us-rule"]
    assert [r["slug"] for r in got["access_grants_of_model"].structured_content["records"]] == ["v4-huawei"]
    assert [r["slug"] for r in got["search"].structured_content["records"]][:1] in (["deepseek"], ["deepseek-v4"])
    changes = got["changes_since"].structured_content
    assert changes["last_seq"] == ChangeEvent.objects.latest("seq").seq and changes["changes"]
    assert got["dataset"].structured_content["dataset"]["license"] == "CC BY 4.0"
    # Refusals: a clear message naming what was wrong, never a traceback.
    for name, says in [
        ("bad_filter", "released_on_after"),
        ("bad_argument", "on"),
        ("bad_filter_name", "format, limit"),
        ("bad_resource", "resource"),
        ("bad_slug", "slug"),
        ("draft", "Not found"),
    ]:
        result = got[name]
        text = " ".join(block.text for block in result.content)
        assert result.is_error and says in text and "Traceback" not in text, (name, text)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_tool_over_http_against_a_live_server(live_mcp, scene):
    check_every_tool(call(f"{live_mcp}/mcp/", every_tool), live_mcp)


def post(url: str, body: bytes = b"{}", **headers) -> int:
    """The status of a POST of ``body`` to ``url`` (on a new connection), as an MCP client sends it."""
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's loopback server
            return answer.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mcp_requests_count_in_the_api_rate_limit(live_mcp, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "4/minute"}}
    statuses = [post(f"{live_mcp}/mcp/") for _ in range(6)]
    assert 429 not in statuses[:4] and statuses[4:] == [429, 429]
    answer = live_gunicorn.get(f"{live_mcp}/api/v1/")
    assert answer.status == 429 and "Retry-After" in answer.headers  # one count, the API's


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_mcp_request_to_a_host_not_served_is_refused(live_mcp):
    assert post(f"{live_mcp}/mcp/", Host="evil.example") == 400


# stdio runs `manage.py mcp` on the embedded SQLite setup, whatever the suite's database: it runs in `make test`.
@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_tool_over_stdio(scene, tmp_path, migrated_var_dir):
    var_dir = tmp_path / "var"
    shutil.copytree(migrated_var_dir, var_dir)
    seed_copy(var_dir)
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp", "--base-url", "https://registry.example"],
        cwd=str(live_gunicorn.ROOT),
        env=live_gunicorn.environment(var_dir),
    )
    check_every_tool(call(parameters, every_tool), "https://registry.example")


def seed_copy(var_dir: Path) -> None:
    """Copy this test's database (the scene, committed) into ``var_dir``'s SQLite file."""
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    target = sqlite3.connect(var_dir / "registry.sqlite3")
    with contextlib.closing(target):
        connection.connection.backup(target)


# gunicorn as `make serve` runs it, on the embedded SQLite setup whatever the suite's database: it runs in `make test`.
@pytest.mark.sqlite
def test_make_serve_serves_mcp_on_the_api_port(migrated_var_dir, tmp_path):
    async def steps(client):
        tools = await client.list_tools()
        return {tool.name for tool in tools.tools}, await client.call_tool("list_records", {"resource": "chips"})

    with live_gunicorn.running(migrated_var_dir, tmp_path / "var") as server:
        names, chips = call(f"{server.url}/mcp/", steps)
        assert names == TOOLS
        api = live_gunicorn.get(f"{server.url}/api/v1/chips/")  # the API, on the same port
        assert api.status == 200
        assert not chips.is_error and chips.structured_content["records"] == json.loads(api.body)["results"]
        assert server.answers("/mcp/")  # gunicorn's workers answered the MCP requests


def test_the_readme_configuration_names_the_served_path_and_the_command():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8").split("## For agents: the MCP server")[1]
    servers = json.loads(readme.split("```json\n", 1)[1].split("```", 1)[0])["mcpServers"]
    over_http, over_stdio = servers.values()
    assert over_http["url"] == "http://127.0.0.1:8000/mcp/"
    assert over_stdio["args"][1:3] == ["mcp", "--base-url"] and over_stdio["args"][0].endswith("manage.py")
    assert set(TOOLS) == set(re.findall(r"^\| `(\w+)\(", readme, re.MULTILINE))  # every tool in the table
