"""Bad query parameters: a 400 whose JSON names each bad parameter and says what was expected, never a 500
and never a silently ignored parameter."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def bad_request(client, basename: str, params: dict) -> dict:
    response = client.get(reverse(f"api:{basename}-list"), params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize(
    ("basename", "param", "value"),
    [
        ("model-release", "released_on_after", "2025-13-01"),
        ("model-release", "announced_on_before", "01/02/2025"),
        ("access-grant", "active_on", "today"),
        ("access-grant", "starts_on_after", "2025"),
        ("export-control", "in_force_on", "2025-02-30"),
        ("source", "published_on_before", "yesterday"),
    ],
)
def test_malformed_date(client, basename, param, value):
    assert bad_request(client, basename, {param: value}) == {param: ["Enter a valid date (YYYY-MM-DD)."]}


def test_malformed_date_time(client):
    errors = bad_request(client, "organization", {"updated_since": "last week"})
    assert list(errors) == ["updated_since"]
    assert "ISO 8601" in errors["updated_since"][0]


@pytest.mark.parametrize(
    ("basename", "param", "value"),
    [
        ("model-release", "weights", "closed"),
        ("model-release", "developer_country", "XX"),
        ("access-grant", "outcome", "GRANTED"),
        ("export-control", "target_country", "China"),
        ("organization", "confidence", "certain"),
        ("chip", "kind", "cpu"),
    ],
)
def test_unknown_enum_value(client, basename, param, value):
    errors = bad_request(client, basename, {param: value})
    assert errors == {param: [f"Select a valid choice. {value} is not one of the available choices."]}


@pytest.mark.parametrize(
    ("basename", "param", "value"),
    [
        ("model-release", "developer", "deep seek"),
        ("model-release", "trained_on", " "),
        ("access-grant", "model_developer", "deepseek/v3"),
        ("export-control", "supersedes", "us-ai-diffusion?"),
        ("chip", "source", "café"),
    ],
)
def test_malformed_slug(client, basename, param, value):
    errors = bad_request(client, basename, {param: value})
    assert errors == {param: [f"Enter a valid slug (letters, digits, hyphens, underscores); got {value!r}."]}


@pytest.mark.parametrize(
    ("basename", "param"),
    [
        ("model-release", "developer"),
        ("model-release", "trained_on"),
        ("access-grant", "model_developer"),
        ("export-control", "supersedes"),
        ("chip", "source"),
    ],
)
def test_unknown_slug(client, basename, param):
    errors = bad_request(client, basename, {param: "no-such-slug"})
    assert errors == {param: ["Select a valid choice. no-such-slug is not the slug of a published record."]}


def test_the_slug_of_an_unpublished_record_is_unknown(client):
    factories.make_organization(slug="draft-lab", review_status="draft")
    assert list(bad_request(client, "model-release", {"developer": "draft-lab"})) == ["developer"]


def test_null_character_in_text(client):
    assert list(bad_request(client, "model-release", {"q": "deep\x00seek"})) == ["q"]
    assert list(bad_request(client, "source", {"publisher": "Reu\x00ters"})) == ["publisher"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_date_time_outside_the_utc_range(client, value):
    errors = bad_request(client, "model-release", {"updated_since": value})
    assert errors == {"updated_since": ["Enter a date-time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z."]}


@pytest.mark.parametrize(
    ("basename", "param", "value"),
    [
        ("model-release", "parameters_total_min", "671B"),
        ("model-release", "parameters_total_max", "1.5"),
        ("chip", "tpp_min", "high"),
    ],
)
def test_non_number(client, basename, param, value):
    assert bad_request(client, basename, {param: value}) == {param: ["Enter a whole number."]}


@pytest.mark.parametrize(("value", "message"), [("1" + "0" * 30, "less than or equal to"), ("-1", "greater than")])
def test_number_out_of_range(client, value, message):
    errors = bad_request(client, "model-release", {"parameters_total_min": value})
    assert list(errors) == ["parameters_total_min"]
    assert message in errors["parameters_total_min"][0]


def test_non_boolean(client):
    assert bad_request(client, "model-release", {"has_released": "maybe"}) == {
        "has_released": ['Enter "true" or "false".']
    }


def test_unknown_ordering_field(client):
    errors = bad_request(client, "model-release", {"ordering": "curator_notes"})
    assert list(errors) == ["ordering"]


@pytest.mark.parametrize("value", [",", "name,", "name,,slug"])
def test_empty_sort_key(client, value):
    errors = bad_request(client, "model-release", {"ordering": value})
    assert errors == {"ordering": ["Enter sort keys separated by single commas, without an empty one."]}


@pytest.mark.parametrize("value", ["501", "0", "-5", "ten", "1.5"])
def test_bad_limit(client, value):
    assert bad_request(client, "organization", {"limit": value}) == {"limit": ["Enter a whole number from 1 to 500."]}


@pytest.mark.parametrize("value", ["-1", "first"])
def test_bad_offset(client, value):
    assert bad_request(client, "organization", {"offset": value}) == {"offset": ["Enter a whole number, 0 or more."]}


def test_every_bad_parameter_is_named_at_once(client):
    errors = bad_request(
        client, "model-release", {"released_on_after": "soon", "weights": "closed", "developer": "no body"}
    )
    assert set(errors) == {"released_on_after", "weights", "developer"}
    errors = bad_request(client, "organization", {"limit": "1000", "offset": "x"})
    assert set(errors) == {"limit", "offset"}


@pytest.mark.parametrize(
    ("basename", "param", "value"),
    [
        ("chip", "develper", "nvidia"),  # a typo of a filter's name
        ("model-release", "page", "2"),  # page numbers: this API pages with limit and offset
        ("chip", "_facet", "vendor"),  # Datasette's name: ours is facet
    ],
)
def test_unknown_parameter(client, basename, param, value):
    # Ignored, it would give every record, as if the client had asked for them all.
    errors = bad_request(client, basename, {param: value})
    assert list(errors) == [param]
    [message] = errors[param]
    assert message.startswith("Unknown parameter. Accepted: ")
    assert {"format", "limit", "offset", "ordering", "q"} <= set(message.removesuffix(".").split(": ")[1].split(", "))


@pytest.mark.parametrize("url", ["/api/v1/chips/", "/api/v1/chips/no-such-chip/", "/api/v1/"])
def test_unknown_format(client, url):
    # DRF's own answer is a 404, which on a list reads as "no such resource".
    response = client.get(url, {"format": "xml"})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["Select a valid choice. xml is not one of the available choices."]}


@pytest.mark.parametrize(
    ("basename", "param", "values"),
    [
        ("chip", "tpp_max", ["high", "5"]),
        ("model-release", "released_on_after", ["2025-01-01", "2025-02-01"]),
        ("organization", "q", ["deepseek", "qwen"]),
        ("organization", "limit", ["600", "5"]),
        ("organization", "format", ["xml", "json"]),
    ],
)
def test_a_single_value_parameter_given_twice(client, basename, param, values):
    # Django would read the last value and silently ignore the others.
    errors = bad_request(client, basename, {param: values})
    assert errors == {param: ["Give this parameter once: it takes a single value."]}


@pytest.mark.parametrize("url", ["/api/v1/chips/%C2%84/", "/api/v1/no-such-resource/", "/api/nothing"])
def test_unmatched_api_url_is_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unmatched_page_outside_the_api_is_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
