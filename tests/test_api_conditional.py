"""Conditional requests: ETag / Last-Modified on reads, 304 with no body, invalidated by any public change."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.http import http_date

from datasets import services
from datasets.models import ChangeEvent
from tests import factories

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/model-releases/",
    "/api/v1/model-releases/deepseek-v3/",
    "/api/v1/model-releases/deepseek-v3/history/",
    "/api/v1/changes/",
    "/api/v1/",
    "/api/v1/dataset/",
]


@pytest.fixture
def reviewer():
    user = User.objects.create_user("rui", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def published(reviewer):
    record = factories.make_model_release(slug="deepseek-v3", review_status="in_review")
    services.publish(record, reviewer)
    return record


@pytest.mark.parametrize("url", URLS)
def test_if_none_match_answers_304_until_a_public_change(client, published, reviewer, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]

    services.publish(factories.make_chip(slug="nvidia-h20", review_status="in_review"), reviewer)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_etag_differs_by_query_and_format(client, published):
    tags = {
        client.get("/api/v1/model-releases/")["ETag"],
        client.get("/api/v1/model-releases/?limit=1")["ETag"],
        client.get("/api/v1/model-releases/", HTTP_ACCEPT="text/csv")["ETag"],
    }
    assert len(tags) == 3


def test_if_modified_since_answers_304_until_a_later_change(client, published, reviewer):
    # A change in a past second: Last-Modified is given and validates.
    ChangeEvent.objects.update(changed_at=timezone.now() - datetime.timedelta(minutes=5))
    first = client.get("/api/v1/model-releases/")
    assert first["Last-Modified"]
    assert client.get("/api/v1/model-releases/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    services.withdraw(published, reviewer, "duplicate")
    assert client.get("/api/v1/model-releases/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_no_last_modified_during_the_second_of_a_change(client, published):
    # A second change later in the same second would hide behind it: the ETag alone validates meanwhile.
    ChangeEvent.objects.update(changed_at=timezone.now() + datetime.timedelta(seconds=30))
    response = client.get("/api/v1/model-releases/")
    assert "Last-Modified" not in response
    future = http_date((timezone.now() + datetime.timedelta(hours=1)).timestamp())
    assert client.get("/api/v1/model-releases/", HTTP_IF_MODIFIED_SINCE=future).status_code == 200


def test_errors_are_not_tagged_and_garbage_dates_are_ignored(client, published):
    bad = client.get("/api/v1/model-releases/?released_on_after=nope")
    assert bad.status_code == 400 and "ETag" not in bad
    assert client.get("/api/v1/model-releases/", HTTP_IF_MODIFIED_SINCE="yesterday").status_code == 200
    assert client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_updated_since_lists_changes_in_order_and_withdrawals_without_content(client, published, reviewer):
    since = timezone.now().isoformat()
    later = factories.make_model_release(slug="a-later-model", review_status="in_review")
    services.publish(later, reviewer)
    services.withdraw(published, reviewer, "duplicate of another record")
    body = client.get("/api/v1/model-releases/", {"updated_since": since}).json()
    assert [record["slug"] for record in body["results"]] == ["a-later-model"]
    assert [gone["slug"] for gone in body["withdrawn"]] == ["deepseek-v3"]
    assert set(body["withdrawn"][0]) == {"slug", "url", "withdrawn_at"}
    assert "duplicate" not in str(body)
    # Without updated_since there is nothing to report as withdrawn; published again, it is not withdrawn.
    assert client.get("/api/v1/model-releases/").json()["withdrawn"] == []
    services.return_to_draft(published, reviewer)
    services.submit_for_review(published, reviewer)
    services.publish(published, reviewer)
    assert client.get("/api/v1/model-releases/", {"updated_since": since}).json()["withdrawn"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/model-releases/?released_on_after=nope",
        "/api/v1/model-releases/?limit=0",
        "/api/v1/model-releases/deepseek-v3/?format=yaml",
        "/api/v1/changes/?after=-1",
    ],
)
def test_a_bad_request_is_a_400_whatever_its_conditional_headers(client, published, url):
    # The request is checked before the cache is consulted: "*" matches any current copy, yet this is a 400.
    response = client.get(url, HTTP_IF_NONE_MATCH="*", HTTP_IF_MODIFIED_SINCE="Fri, 01 Jan 2100 00:00:00 GMT")
    assert response.status_code == 400
