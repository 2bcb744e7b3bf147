"""Unknown query parameters: on every endpoint of the API, a parameter that the endpoint does not take is a 400
whose JSON names it and lists the ones it takes (its declared filters, its paging and ``format``), whatever the
request's conditional headers say and whatever the server's cache holds; and what it takes is what the OpenAPI
schema documents."""

import functools
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.forms import SelectMultiple
from django.test import RequestFactory
from rest_framework.settings import api_settings

from api import pagination
from api.conditional import answer_key, validators
from api.urls import router
from api.views import ChangeFeedView, ChipViewSet
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source
from tests import factories

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parent.parent / "api" / "openapi.yaml"
FORMAT = api_settings.URL_FORMAT_OVERRIDE
MAKE = {
    Organization: factories.make_organization,
    Source: factories.make_source,
    Chip: factories.make_chip,
    ModelRelease: factories.make_model_release,
    AccessGrant: factories.make_access_grant,
    ExportControl: factories.make_export_control,
}
SLUG = "the-record"
LIST_PAGING = {pagination.LimitOffsetPagination.limit_query_param, pagination.LimitOffsetPagination.offset_query_param}
FEED_PAGING = {pagination.FeedPagination.limit_query_param, pagination.FeedPagination.cursor_query_param}


def endpoints():
    """(URL, the parameters it takes, its path in the schema) for every endpoint of the API."""
    for prefix, viewset, _ in router.registry:
        filters = set(viewset.filterset_class.base_filters)
        yield f"/api/v1/{prefix}/", filters | LIST_PAGING | {FORMAT}, f"/api/v1/{prefix}/"
        yield f"/api/v1/{prefix}/{SLUG}/", {FORMAT}, f"/api/v1/{prefix}/{{slug}}/"
        yield f"/api/v1/{prefix}/{SLUG}/history/", {FORMAT}, f"/api/v1/{prefix}/{{slug}}/history/"
    changes = set(ChangeFeedView.filterset_class.base_filters)
    yield "/api/v1/changes/", changes | FEED_PAGING | {FORMAT}, "/api/v1/changes/"
    yield "/api/v1/dataset/", {FORMAT}, "/api/v1/dataset/"
    yield "/api/v1/", {FORMAT}, "/api/v1/"


ENDPOINTS = list(endpoints())
URLS = [url for url, _, _ in ENDPOINTS]


@pytest.fixture
def records(settings, tmp_path):
    settings.RELEASE_DIR = tmp_path / "release"
    for _, viewset, _ in router.registry:
        MAKE[viewset.queryset.model](slug=SLUG)


def accepted_message(accepted) -> str:
    return f"Unknown parameter. Accepted: {', '.join(sorted(accepted))}."


@pytest.mark.parametrize(("url", "accepted", "path"), ENDPOINTS, ids=URLS)
def test_an_unknown_parameter_is_a_400_that_names_it_and_lists_the_accepted_ones(client, records, url, accepted, path):
    response = client.get(url, {"develper": "nvidia"})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"develper": [accepted_message(accepted)]}
    assert "ETag" not in response


@functools.cache
def schema_paths() -> dict:
    # Parsed once for the module's tests: the committed schema takes most of a second to parse.
    return yaml.safe_load(SCHEMA.read_text())["paths"]


@pytest.mark.parametrize(("url", "accepted", "path"), ENDPOINTS, ids=URLS)
def test_the_schema_documents_exactly_the_accepted_parameters(url, accepted, path):
    operation = schema_paths()[path]["get"]
    assert {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"} == accepted
    # And the 400 that names an unknown one.
    assert "400" in operation["responses"]


@pytest.mark.parametrize(("url", "accepted", "path"), ENDPOINTS, ids=URLS)
def test_every_accepted_parameter_is_still_accepted(client, records, url, accepted, path):
    # Given empty, each counts as not given (or is refused for its value, never for its name).
    for name in accepted:
        response = client.get(url, {name: ""})
        assert response.status_code in (200, 400), (name, response.content)
        if response.status_code == 400:
            assert "Unknown parameter" not in str(response.json()), name
    assert client.get(url, {FORMAT: "json"}).status_code == 200


@pytest.mark.parametrize("url", [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry])
def test_a_declared_filter_and_the_paging_are_still_accepted_on_a_list(client, records, url):
    response = client.get(url, {"ordering": "-slug", "limit": 1, "offset": 0, "q": "record"})
    assert response.status_code == 200, response.content
    assert client.get(url, {FORMAT: "csv"}).status_code == 200


def test_the_feeds_parameters_are_still_accepted(client, records):
    response = client.get("/api/v1/changes/", {"after": 0, "limit": 5, "resource": "chips", "change": "published"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", [f"/api/v1/{prefix}/{SLUG}/" for prefix, _, _ in router.registry])
def test_a_record_takes_format_only(client, records, url):
    assert client.get(url, {FORMAT: "csv"}).status_code == 200
    # A list's filter does not select the record (DRF would quietly apply it to the lookup).
    response = client.get(url, {"ordering": "slug"})
    assert response.status_code == 400
    assert response.json() == {"ordering": [accepted_message({FORMAT})]}


def test_every_unknown_parameter_is_named_at_once_with_the_bad_known_ones(client, records):
    response = client.get("/api/v1/chips/", {"page": 2, "fields": "slug,speed", "tpp_min": "high", "limit": 0})
    assert response.status_code == 400
    assert set(response.json()) == {"page", "fields", "tpp_min", "limit"}


def test_the_browsable_apis_own_parameters_are_accepted(client, records):
    # Its format menu, the paging links of a page, and its filter form, which sends every field it has.
    for value in ("api", "json"):
        assert client.get("/api/v1/chips/", {FORMAT: value}).status_code == 200
    factories.make_chip()
    page = client.get("/api/v1/chips/", {"limit": 1, FORMAT: "api"}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    next_page = client.get("/api/v1/chips/", {"limit": 1}).json()["next"]
    assert client.get(next_page, HTTP_ACCEPT="text/html").status_code == 200
    fields = ChipViewSet.filterset_class().form.fields.items()
    form = {name: "" for name, field in fields if not isinstance(field.widget, SelectMultiple)}
    assert client.get("/api/v1/chips/", form, HTTP_ACCEPT="text/html").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/chips/", f"/api/v1/chips/{SLUG}/", "/api/v1/"])
def test_a_head_request_is_checked_too(client, records, url):
    assert client.head(url, {"develper": "nvidia"}).status_code == 400
    assert client.head(url).status_code == 200


def tag_of(url: str) -> str:
    """The ETag that a request for ``url`` would carry, were it answered."""
    return validators(RequestFactory().get(url))[0]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("if_none_match", ["current", "*"])
def test_an_unknown_parameter_is_a_400_whatever_its_conditional_headers(client, records, url, if_none_match):
    bad = f"{url}?develper=nvidia"
    header = tag_of(bad) if if_none_match == "current" else "*"
    response = client.get(bad, HTTP_IF_NONE_MATCH=header)
    assert response.status_code == 400, response.status_code
    assert list(response.json()) == ["develper"]


@pytest.mark.parametrize("url", URLS)
def test_an_unknown_parameter_is_never_answered_from_the_cache(client, records, url):
    bad = f"{url}?develper=nvidia"
    # Whatever the cache holds under its tag (an answer cached before the parameter was refused, say).
    cache.set(answer_key(tag_of(bad)), {"content": b"{}", "headers": {"Content-Type": "application/json"}}, 60)
    response = client.get(bad)
    assert response.status_code == 400
    assert list(response.json()) == ["develper"]
