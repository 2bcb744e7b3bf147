"""The server-side cache of rendered API answers (api/conditional.py): keyed by the data's state, never stale."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets import services
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/model-releases/"


@pytest.fixture
def reviewer():
    user = User.objects.create_user("rui", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def releases(reviewer):
    records = []
    for slug in ("deepseek-v3", "qwen3"):
        record = factories.make_model_release(slug=slug, review_status="in_review")
        factories.make_citation(record)
        services.publish(record, reviewer)
        records.append(record)
    return records


def get(client, url=URL, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response, len(queries)


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_a_repeated_request_is_answered_from_the_cache_with_the_same_bytes(client, releases, accept):
    # A page (limit): a full CSV export is streamed, never kept whole (tests/test_api_exports.py).
    first, first_queries = get(client, URL + "?limit=50", HTTP_ACCEPT=accept)
    again, again_queries = get(client, URL + "?limit=50", HTTP_ACCEPT=accept)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    # Only the ETag's lookup: no count, no page.
    assert first_queries >= 3
    assert again_queries == 1


def test_csv_answer_keeps_its_download_name_from_the_cache(client, releases):
    get(client, URL + "?limit=50", HTTP_ACCEPT="text/csv")
    again, _ = get(client, URL + "?limit=50", HTTP_ACCEPT="text/csv")
    assert again["Content-Disposition"] == 'attachment; filename="model-releases.csv"'


def test_a_public_change_is_served_at_once(client, releases, reviewer):
    before, _ = get(client)
    assert [record["slug"] for record in before.json()["results"]] == ["deepseek-v3", "qwen3"]
    services.publish(factories.make_model_release(slug="llama-4", review_status="in_review"), reviewer)
    after, queries = get(client)
    assert [record["slug"] for record in after.json()["results"]] == ["deepseek-v3", "llama-4", "qwen3"]
    assert queries >= 3


def test_a_related_record_changing_refreshes_the_records_that_nest_it(client, releases, reviewer):
    developer = releases[0].developer
    get(client, f"{URL}deepseek-v3/")
    services.withdraw(developer, reviewer, reason="merged into another record")
    after, _ = get(client, f"{URL}deepseek-v3/")
    assert after.json()["developer"] is None


def test_requests_that_differ_get_their_own_answers(client, releases):
    page, _ = get(client)
    one, queries = get(client, f"{URL}?limit=1")
    assert len(one.json()["results"]) == 1 and queries >= 3
    assert one.content != page.content


def test_the_browsable_api_is_not_cached(client, releases):
    # Its HTML carries the visitor's CSRF token.
    get(client, HTTP_ACCEPT="text/html")
    _, queries = get(client, HTTP_ACCEPT="text/html")
    assert queries >= 3


def test_a_cache_time_of_zero_turns_the_cache_off(client, releases, settings):
    settings.API_CACHE_SECONDS = 0
    get(client)
    _, queries = get(client)
    assert queries >= 3


def test_bad_requests_are_not_answered_from_the_cache(client, releases):
    get(client)
    response = client.get(f"{URL}?limit=0")
    assert response.status_code == 400
    assert "limit" in response.json()


def test_a_cached_answer_is_served_without_building_the_filters(client, releases, monkeypatch):
    get(client, f"{URL}?weights=open_weights")

    def fail(*args, **kwargs):
        raise AssertionError("the parameters of a cached answer were parsed again")

    monkeypatch.setattr("api.conditional.PublicReadMixin.validate_parameters", fail)
    again, queries = get(client, f"{URL}?weights=open_weights")
    assert queries == 1
    not_modified = client.get(f"{URL}?weights=open_weights", HTTP_IF_NONE_MATCH=again["ETag"])
    assert not_modified.status_code == 304
