"""Limit/offset pagination: 50 by default, at most 500, with next/previous links."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("api:organization-list")


@pytest.fixture
def organizations():
    return [factories.make_organization(slug=f"org-{number:03d}") for number in range(60)]


def test_default_page_is_50_records(client, organizations):
    body = client.get(URL).json()
    assert body["count"] == 60
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/v1/organizations/?limit=50&offset=50"


def test_limit_and_offset_select_a_page(client, organizations):
    body = client.get(URL, {"limit": 5, "offset": 10}).json()
    assert [record["slug"] for record in body["results"]] == [f"org-{number:03d}" for number in range(10, 15)]
    assert body["next"] == "http://testserver/api/v1/organizations/?limit=5&offset=15"
    assert body["previous"] == "http://testserver/api/v1/organizations/?limit=5&offset=5"


def test_limit_of_500_is_allowed(client, organizations):
    body = client.get(URL, {"limit": 500}).json()
    assert len(body["results"]) == 60
    assert body["next"] is None


def test_offset_past_the_end_gives_an_empty_page(client, organizations):
    body = client.get(URL, {"offset": 1000}).json()
    assert body["count"] == 60
    assert body["results"] == []
