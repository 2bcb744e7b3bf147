"""The API's public reads (api.conditional.PublicReadMiddleware): the request is checked by its view, then it
gets a 304 or the answer kept in the server's cache, and only otherwise an answer built from the database. A
kept answer and a 304 are given before DRF runs, and are the same as the ones the view builds."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.views import APIView

from api.conditional import answer_key, newest_change, validators
from datasets import services
from datasets.models import ChangeEvent
from tests import factories

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/",
    "/api/v1/model-releases/",
    "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=1",
    "/api/v1/model-releases/?format=csv&limit=50",  # a page: a full export is streamed, never kept
    "/api/v1/model-releases/deepseek-v3/",
    "/api/v1/model-releases/deepseek-v3/history/",
    "/api/v1/changes/",
    "/api/v1/dataset/",
]


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user("rui", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def releases(reviewer):
    for slug in ("deepseek-v3", "qwen3"):
        record = factories.make_model_release(slug=slug, review_status="in_review")
        factories.make_citation(record)
        services.publish(record, reviewer)
    # Published in a past second, so that every answer carries the same Last-Modified.
    ChangeEvent.objects.update(changed_at=timezone.now() - datetime.timedelta(minutes=5))


@pytest.fixture
def block_views(monkeypatch):
    """Call it, and from then on any request that reaches a DRF view fails the test."""

    def fail(self, request, *args, **kwargs):
        raise AssertionError(f"{request.get_full_path()} reached the view")

    return lambda: monkeypatch.setattr(APIView, "dispatch", fail)


def answer(response) -> tuple:
    return response.status_code, response.content, dict(response.headers)


@pytest.mark.parametrize("url", URLS)
def test_kept_answers_are_the_views_answers(client, releases, url, block_views, settings):
    # Built by the view, with the answer cache off: a 200, then a 304 once the client names the tag.
    settings.API_CACHE_SECONDS = 0
    built = client.get(url, HTTP_ORIGIN="https://example.org")
    assert built.status_code == 200 and built["ETag"]
    built_not_modified = client.get(url, HTTP_ORIGIN="https://example.org", HTTP_IF_NONE_MATCH=built["ETag"])
    assert built_not_modified.status_code == 304
    # The same requests with the cache on: the first is built and kept, the next are answered before DRF.
    settings.API_CACHE_SECONDS = 600
    assert answer(client.get(url, HTTP_ORIGIN="https://example.org")) == answer(built)
    block_views()
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url, HTTP_ORIGIN="https://example.org")
        not_modified = client.get(url, HTTP_ORIGIN="https://example.org", HTTP_IF_NONE_MATCH=built["ETag"])
    assert answer(kept) == answer(built)
    assert answer(not_modified) == answer(built_not_modified)
    assert len(queries) == 2  # the ETag's lookup, once per request


def test_a_weak_or_listed_tag_is_current_too(client, releases, block_views):
    etag = client.get("/api/v1/model-releases/")["ETag"]
    block_views()
    for header in (f"W/{etag}", f'"other", {etag}'):
        assert client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=header).status_code == 304


def test_a_stale_tag_gets_the_new_answer(client, releases, reviewer):
    old = client.get("/api/v1/model-releases/")
    record = factories.make_model_release(slug="llama-4", review_status="in_review")
    factories.make_citation(record)
    services.publish(record, reviewer)
    new = client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=old["ETag"])
    assert new.status_code == 200
    assert new["ETag"] != old["ETag"]
    assert new.json()["count"] == 3


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"}],
    ids=["star", "date"],
)
def test_a_condition_that_names_no_request_is_checked_by_the_view(client, releases, headers):
    # Either would be a 304 for a good request; a bad one must still be told what is wrong with it.
    bad = client.get("/api/v1/model-releases/?weights=closed_and_open", **headers)
    assert bad.status_code == 400
    assert "weights" in bad.json()
    assert client.get("/api/v1/model-releases/", **headers).status_code == 304


def test_early_answers_count_towards_the_rate_limit(client, releases, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    etag = client.get("/api/v1/model-releases/")["ETag"]
    assert client.get("/api/v1/model-releases/").status_code == 200  # from the cache
    assert client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    refused = client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=etag)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "at most 3 per minute" in refused.json()["detail"]


@pytest.mark.parametrize("url", ["/api/no-such-thing/", "/api/schema/"])
def test_paths_without_conditional_views_are_left_alone(client, releases, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 404)
    assert not any("datasets_changeevent" in query["sql"] for query in queries)


def test_without_the_answer_cache_every_request_is_checked_and_built(client, releases, settings):
    etag = client.get("/api/v1/model-releases/")["ETag"]  # kept, with the cache on
    settings.API_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/model-releases/").status_code == 200
        assert client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Neither was taken from the cache: each read the records (the 304 saves the transfer, not the work).
    assert len([query for query in queries if "datasets_modelrelease" in query["sql"]]) >= 2


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/model-releases/?weights=closed_and_open",
        "/api/v1/model-releases/?developer=no-such-organization",
        "/api/v1/model-releases/?limit=0",
        "/api/v1/model-releases/qwen3/?format=yaml",
    ],
)
def test_a_bad_request_naming_its_own_current_tag_is_a_400_not_a_304(client, rf, releases, url):
    # Its tag is public (a hash of the request and the data's state), so a client can name it; the request is
    # still checked first, and its 400 says what is wrong, whatever the client holds.
    etag, _ = validators(rf.get(url, HTTP_HOST="testserver"))
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 400, response.content
    assert "ETag" not in response


def test_a_304_from_a_kept_check_needs_no_kept_answer(client, releases, monkeypatch, block_views):
    # An answer too large to keep is not kept, but that its request was checked is: a 304 to it stays cheap.
    monkeypatch.setattr("api.conditional.MAX_CACHED_BYTES", 10)
    etag = client.get("/api/v1/model-releases/")["ETag"]
    assert cache.get(answer_key(etag))["content"] is None  # not kept, only noted as checked
    block_views()
    assert client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_host_outside_allowed_hosts_is_refused_as_before(client, releases, block_views):
    etag = client.get("/api/v1/model-releases/")["ETag"]
    block_views()
    assert client.get("/api/v1/model-releases/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/api/v1/model-releases/", HTTP_HOST="evil.example", HTTP_IF_NONE_MATCH=etag).status_code == 400


def test_each_request_counts_once_towards_the_rate_limit(client, releases, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    # Three different requests, none cached: each passes the middleware and reaches its view.
    for url in ("/api/v1/model-releases/", "/api/v1/model-releases/qwen3/", "/api/v1/changes/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/chips/").status_code == 429


def test_a_client_over_its_limit_is_refused_without_a_query(client, releases, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    client.get("/api/v1/model-releases/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/model-releases/").status_code == 429
    assert len(queries) == 0


def test_the_feeds_newest_entry_is_read_as_the_orm_reads_it(releases):
    newest = ChangeEvent.objects.order_by("-seq").values_list("seq", "changed_at").first()
    assert newest_change() == newest
    assert newest_change()[1].tzinfo is not None


def test_a_head_gets_its_304_from_the_kept_check_without_a_build(client, releases, block_views):
    etag = client.get("/api/v1/model-releases/")["ETag"]
    block_views()
    with CaptureQueriesContext(connection) as queries:
        response = client.head("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert len(queries) == 1  # the ETag's lookup


def test_a_new_answer_format_changes_every_tag(client, releases, monkeypatch):
    # An upgrade that changes the answers' shape (the committed schema) with the data unchanged: no client copy
    # and no kept answer of the old shape passes for current.
    old = client.get("/api/v1/model-releases/")
    monkeypatch.setattr("api.conditional.answer_format", lambda: "another-schema")
    new = client.get("/api/v1/model-releases/", HTTP_IF_NONE_MATCH=old["ETag"])
    assert new.status_code == 200
    assert new["ETag"] != old["ETag"]


def test_a_refusal_without_a_known_wait_has_no_retry_after(client, releases, settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    monkeypatch.setattr("api.throttling.AnonRateThrottle.wait", lambda self: None)
    client.get("/api/v1/model-releases/")
    refused = client.get("/api/v1/model-releases/")
    assert refused.status_code == 429
    assert "Retry-After" not in refused
    assert "at most 1 per minute" in refused.json()["detail"]


def test_a_settings_file_without_the_middleware_fails_the_system_check(settings):
    assert not [error for error in checks.run_checks() if error.id == "api.E001"]
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "api.conditional.PublicReadMiddleware"]
    assert [error.id for error in checks.run_checks() if error.id == "api.E001"] == ["api.E001"]
