"""A list's count is exact and counted once per question and state of the data (api.pagination.get_count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import ChangeTypeChoices
from datasets.services import record_change
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/model-releases/?weights=open_weights"


@pytest.fixture(autouse=True)
def _answers_built(settings):
    settings.API_CACHE_SECONDS = 0  # every request reaches the view: what is kept here is the count alone


@pytest.fixture
def releases():
    lab = factories.make_organization(slug="lab")
    made = [factories.make_model_release(slug=f"open-{n}", developer=lab, weights="open_weights") for n in range(5)]
    record_change(made[-1], ChangeTypeChoices.PUBLISHED)
    return made


def counted(client, url: str) -> tuple[int, int]:
    """The page's count, and how many COUNT queries answering it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["count"], sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_the_same_question_is_counted_once_whatever_its_page(client, releases):
    assert counted(client, f"{URL}&limit=2") == (5, 1)
    assert counted(client, f"{URL}&limit=2&offset=2") == (5, 0)
    assert counted(client, f"{URL}&limit=3&offset=4") == (5, 0)


def test_another_question_is_counted_anew(client, releases):
    assert counted(client, URL) == (5, 1)
    assert counted(client, "/api/v1/model-releases/?weights=api_only") == (0, 1)
    assert counted(client, f"{URL}&developer=lab") == (5, 1)


def test_a_change_to_the_data_counts_again(client, releases):
    assert counted(client, URL) == (5, 1)
    added = factories.make_model_release(slug="open-new", weights="open_weights")
    # Until the change is in the feed, the data's state is the same.
    record_change(added, ChangeTypeChoices.PUBLISHED)
    assert counted(client, URL) == (6, 1)
    assert counted(client, URL) == (6, 0)


def test_a_page_reads_the_datas_state_once_for_its_tag_and_its_count(client, releases):
    """The feed's newest entry names the data's state in the page's ETag and in its kept count's key: read once
    per request, so that both name the same state."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200 and response["ETag"]
    reads = [query["sql"] for query in queries.captured_queries if "datasets_changeevent" in query["sql"]]
    assert len(reads) == 1, reads


def test_with_the_count_cache_off_every_page_counts(client, releases, settings):
    settings.API_COUNT_CACHE_SECONDS = 0
    assert counted(client, URL) == (5, 1)
    assert counted(client, URL) == (5, 1)


def facet_queries(client, url: str) -> tuple[dict, int]:
    """The page's facets, and how many facet counts (``COUNT(...) AS "count"``) answering it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["facets"], sum('AS "count"' in query["sql"] for query in queries.captured_queries)


def test_facet_counts_are_counted_once_per_question_and_state_of_the_data(client, releases):
    url = f"{URL}&facet=developer&facet=weights&limit=1"
    facets, grouped = facet_queries(client, url)
    assert grouped >= 2  # at least one per facet
    assert facets["developer"]["values"] == [{"value": "lab", "label": "Lab", "count": 5}]
    assert facet_queries(client, f"{url}&offset=1") == (facets, 0)
    added = factories.make_model_release(slug="open-new", weights="open_weights", developer=releases[0].developer)
    record_change(added, ChangeTypeChoices.PUBLISHED)
    facets, again = facet_queries(client, url)
    assert again == grouped and facets["developer"]["values"][0]["count"] == 6
