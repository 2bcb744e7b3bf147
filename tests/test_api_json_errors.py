"""Under /api/, the answers given outside the API's views are JSON too (issue 14), elsewhere Django's pages.

A Host outside ALLOWED_HOSTS (400), a URL without its trailing slash (301, with its Location), a permission
refused by a middleware (403), an uncaught exception (500), and a query string longer than gunicorn's default
request line lets through (414: `make serve` lets it through to the application, tested against that command).
"""

import json

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from rest_framework.views import APIView

from config.http import RequestLimitsMiddleware
from tests import live_gunicorn

pytestmark = pytest.mark.django_db

BAD_HOST = {"detail": "Bad request: the Host header names a host this service does not answer to."}


def is_json(response) -> bool:
    return response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/chips/",  # answered before DRF when it can be (api.conditional.PublicReadMiddleware)
        "/api/v1/chips/nvidia-h100/",
        "/api/schema/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_host_outside_allowed_hosts_is_a_json_400_under_the_api(client, path):
    response = client.get(path, HTTP_HOST="registry.attacker.example")
    assert response.status_code == 400
    assert is_json(response)
    assert response.json() == BAD_HOST


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_elsewhere_a_bad_host_gets_djangos_page(client, path):
    response = client.get(path, HTTP_HOST="registry.attacker.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"Bad Request (400)" in response.content


def test_a_url_without_its_trailing_slash_is_a_json_301_to_it(client):
    response = client.get("/api/v1/chips?limit=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/chips/?limit=1"
    assert is_json(response)
    assert response.json() == {
        "detail": "The URL ends with a slash: /api/v1/chips/?limit=1",
        "location": "/api/v1/chips/?limit=1",
    }
    assert client.get(response["Location"]).status_code == 200


def test_a_url_that_no_slash_would_fix_stays_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_elsewhere_the_redirect_is_djangos(client):
    response = client.get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def failing_client(client):
    """A client that gets the 500 page, as a browser would, instead of the exception."""
    client.raise_request_exception = False
    return client


def test_a_server_error_under_the_api_is_json(failing_client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(APIView, "initial", fail)
    response = failing_client.get("/api/v1/")
    assert response.status_code == 500
    assert is_json(response)
    assert response.json() == {"detail": "Server error: the failure has been logged."}
    assert b"a bug" not in response.content


def test_elsewhere_a_server_error_gets_djangos_page(failing_client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(RequestLimitsMiddleware, "__call__", fail)
    response = failing_client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("path", "json_answer"), [("/api/v1/", True), ("/", False)])
def test_a_permission_refused_outside_a_view_is_json_under_the_api(client, monkeypatch, path, json_answer):
    # DRF's views answer their own 403s in JSON; this is one raised before any view, by a middleware.
    def refuse(*args, **kwargs):
        raise PermissionDenied

    monkeypatch.setattr(RequestLimitsMiddleware, "__call__", refuse)
    response = client.get(path)
    assert response.status_code == 403
    assert is_json(response) is json_answer
    if json_answer:
        assert response.json() == {"detail": "You do not have permission to perform this action."}


@pytest.fixture(scope="module")
def server(migrated_var_dir, tmp_path_factory):
    with live_gunicorn.running(migrated_var_dir, tmp_path_factory.mktemp("var")) as server:
        yield server


# The server runs the embedded SQLite setup whatever the suite's database: it runs once, in `make test`.
@pytest.mark.sqlite
def test_through_gunicorn_as_make_serve_runs_it_a_long_query_string_gets_the_json_414(server):
    query = "q=" + "a" * 5000  # past gunicorn's default request line of 4094 bytes, within the Makefile's
    answer = live_gunicorn.get(f"{server.url}/api/v1/chips/?{query}")
    assert answer.status == 414
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body) == {
        "detail": f"The query string is {len(query)} characters long; at most "
        f"{django_settings.MAX_QUERY_STRING_LENGTH} are accepted. Send fewer or shorter parameter values."
    }
