"""The short ways a public read takes, each giving the answer the long way gives: past the middleware it needs
none of (config.http.ViewHandler), with its route resolved once (config.http.WSGIHandler), its policy header built
once (config.http.CSPMiddleware) and its renderer chosen once per Accept (api.negotiation)."""

from unittest import mock

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.urls.resolvers import URLResolver

from api import negotiation
from api.conditional import PublicReadMiddleware
from config.http import CSPMiddleware, ViewHandler
from tests import factories
from tests.wsgi_testing import connection_kept, environ

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    lab = factories.make_organization(slug="lab", country="CN")
    release = factories.make_model_release(slug="model-1", developer=lab)
    factories.make_citation(release)
    factories.make_access_grant(model=release, grantee=lab)
    return release


READS = [
    "/api/v1/model-releases/",
    "/api/v1/model-releases/?limit=1&ordering=-released_on",
    "/api/v1/model-releases/model-1/",
    "/api/v1/access-grants/?grantee_country=CN",
    "/api/v1/model-releases/?format=csv",
    "/api/v1/model-releases/?limit=x",  # a 400
    "/api/v1/model-releases/no-such-model/",  # a 404
    "/api/v1/organizations/lab/",
]


def the_long_way(middleware, request):
    return middleware.get_response(request)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", READS)
def test_a_public_read_past_the_middleware_is_the_answer_through_it(client, records, url, settings):
    settings.API_CACHE_SECONDS = 0  # both answers built, not one kept from the other
    short = client.get(url)
    with mock.patch.object(PublicReadMiddleware, "build", the_long_way):
        long = client.get(url)
    assert short.status_code == long.status_code
    assert body(short) == body(long)
    assert dict(short.headers) == dict(long.headers)
    assert short.cookies.keys() == long.cookies.keys() == set()


def test_the_browsable_api_goes_through_every_middleware(client, records):
    # Its page carries a CSRF token, whose cookie the CSRF middleware sets: the short way would lose it.
    with mock.patch.object(ViewHandler, "__call__", side_effect=AssertionError("short way taken")):
        for headers, url in (
            ({"Accept": "text/html"}, "/api/v1/model-releases/"),
            ({"Accept": "Text/HTML;q=0.9"}, "/api/v1/model-releases/?limit=2"),
            ({}, "/api/v1/chips/?format=api"),
        ):
            response = client.get(url, headers=headers)
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/html")
            assert "csrftoken" in response.cookies
    with (
        mock.patch.object(ViewHandler, "__call__", side_effect=AssertionError("short way taken")),
        pytest.raises(AssertionError, match="short way taken"),
    ):
        client.get("/api/v1/model-releases/", headers={"Accept": "application/json"})


@pytest.mark.parametrize(
    ("path", "expected_status"),
    [("/api/v1/model-releases/model-1/", "200 OK"), ("/api/v1/model-releases/", "200 OK"), ("/", "200 OK")],
)
def test_the_wsgi_application_resolves_a_route_once(records, path, expected_status):
    from config.wsgi import django_application

    original = URLResolver.resolve
    top_level = []

    def counting(resolver, path_info):
        if resolver.pattern.regex.pattern == "^/":
            top_level.append(path_info)
        return original(resolver, path_info)

    statuses = []
    with connection_kept(), mock.patch.object(URLResolver, "resolve", counting):
        answer = django_application(environ(path), lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(answer)
        answer.close()
    assert statuses == [expected_status]
    assert top_level == [path]


def test_the_policy_header_is_django_csps(client, records):
    blank = DjangoCSPMiddleware(lambda request: HttpResponse()).process_response(HttpRequest(), HttpResponse())
    for url in ("/api/v1/model-releases/", "/api/v1/model-releases/model-1/", "/", "/api/docs/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == blank["Content-Security-Policy"], url
        assert "default-src 'self'" in response["Content-Security-Policy"]


def policies(prepare) -> tuple[str, str]:
    """The policy header that ours and django-csp's middleware give an answer that ``prepare`` sets up."""
    headers = []
    request = HttpRequest()
    for middleware in (CSPMiddleware(HttpResponse), DjangoCSPMiddleware(HttpResponse)):
        middleware.process_request(request)
        response = HttpResponse()
        prepare(request, response)
        headers.append(middleware.process_response(request, response)["Content-Security-Policy"])
    return tuple(headers)


def test_an_answer_with_a_policy_of_its_own_is_left_to_django_csp(settings):
    def update(request, response):
        response._csp_update = {"img-src": ["https://images.example"]}

    ours, theirs = policies(update)
    assert ours == theirs and "https://images.example" in ours

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}

    def nonce(request, response):
        str(request.csp_nonce)

    ours, theirs = policies(nonce)
    assert ours == theirs and f"'nonce-{request_nonce(ours)}'" in ours
    # A plain answer after them gets the plain policy of the setting now in force.
    ours, theirs = policies(lambda request, response: None)
    assert ours == theirs
    assert set(ours.split("; ")) == {"default-src 'self'", "script-src 'self'"}


def request_nonce(policy: str) -> str:
    return policy.split("'nonce-")[1].split("'")[0]


def test_the_renderer_chosen_for_an_accept_header_is_kept_and_the_same_each_time(client, records, settings):
    settings.API_CACHE_SECONDS = 0  # every answer negotiated, none a kept one
    accepts = ["application/json", "text/html", "*/*", "text/csv", "application/json; indent=4", "text/*"]
    chosen = {}
    for accept in accepts:
        negotiation.NEGOTIATED.clear()
        response = client.get("/api/v1/model-releases/", headers={"Accept": accept})
        assert response.status_code == 200, accept
        chosen[accept] = response["Content-Type"]
    assert chosen["text/html"].startswith("text/html") and chosen["*/*"] == "application/json"
    for _ in range(2):
        for accept in accepts:
            response = client.get("/api/v1/model-releases/", headers={"Accept": accept})
            assert response["Content-Type"] == chosen[accept], accept
    assert len(negotiation.NEGOTIATED) == len(accepts)
    assert client.get("/api/v1/model-releases/", headers={"Accept": "application/xml"}).status_code == 406
