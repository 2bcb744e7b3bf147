"""The anonymous rate limit: DJANGO_API_ANON_RATE requests per client address, then a 429 with Retry-After.

Each test starts with an empty cache (tests/conftest.py), so no request of another test counts here.
"""

import os
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parent.parent / "api" / "openapi.yaml"
# A cheap request that still passes the throttle: it is refused (400) after the throttle let it in.
CHEAP = "/api/v1/organizations/?limit=0"


def rate_limit() -> int:
    return int(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"].partition("/")[0])


@pytest.fixture
def rate(settings):
    """Set the anonymous rate for one test: ``rate("3/minute")``, ``rate(None)`` for off."""

    def set_rate(value):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": value}}

    return set_rate


def test_the_default_limit_is_120_a_minute():
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "120/minute"}


def test_the_default_limit_answers_429_with_retry_after_and_a_json_body_naming_it(client):
    limit = rate_limit()
    for number in range(limit):
        assert client.get(CHEAP).status_code == 400, f"request {number + 1} of {limit} was refused"
    refused = client.get("/api/v1/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert 0 < int(refused["Retry-After"]) <= 60
    detail = refused.json()["detail"]
    assert f"at most {limit} per minute from one address" in detail
    assert f"Expected available in {refused['Retry-After']} second" in detail


@pytest.mark.parametrize(
    "url", ["/api/v1/", "/api/v1/changes/", "/api/v1/dataset/", "/api/v1/chips/", "/api/v1/chips/nope/", "/api/schema/"]
)
def test_every_kind_of_api_view_is_limited(client, rate, url):
    rate("1/minute")
    client.get(CHEAP)
    assert client.get(url).status_code == 429


def test_a_csv_request_gets_its_429_as_json(client, rate):
    rate("1/minute")
    client.get(CHEAP)
    refused = client.get("/api/v1/chips/?format=csv")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"


def test_the_limit_counts_per_client_address(client, rate):
    rate("2/minute")
    for _ in range(2):
        client.get(CHEAP, REMOTE_ADDR="192.0.2.1")
    assert client.get(CHEAP, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(CHEAP, REMOTE_ADDR="192.0.2.2").status_code == 400


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client, rate):
    # DJANGO_NUM_PROXIES=0 (the default): a client cannot pose as many addresses by sending the header itself.
    rate("2/minute")
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    for number in range(2):
        client.get(CHEAP, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert client.get(CHEAP, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_one_proxy_the_address_it_appended_counts(client, rate, settings):
    rate("2/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy (REMOTE_ADDR 10.0.0.1) appends the address it saw; whatever the client wrote before it is ignored.
    for number in range(2):
        client.get(CHEAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}, 192.0.2.7")
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 429
    assert client.get(CHEAP, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8").status_code == 400


def test_off_switches_the_limit_off(client, rate):
    more_than_the_default = rate_limit() + 5
    rate(None)
    for _ in range(more_than_the_default):
        assert client.get(CHEAP).status_code == 400


def test_the_admin_is_not_counted(client, rate):
    rate("1/minute")
    client.get(CHEAP)
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize("url", ["/", "/access/", "/timeline/", "/model-releases/", "/search/?q=x", "/chips/nope/"])
def test_the_explorers_pages_are_counted_with_the_api_and_answer_429_as_a_page(client, rate, url):
    rate("1/minute")
    client.get(CHEAP)
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "at most 1 per minute from one address" in refused.content.decode()


# Runs in `make test-redis` (CACHE_URL=redis://...); deselected elsewhere (tests/conftest.py).
@pytest.mark.redis
def test_with_redis_the_counts_are_seen_by_every_app_server(client, rate):
    assert django_settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    rate("1/minute")
    client.get(CHEAP)
    # Another app server is another process with its own connection to Redis: it reads the same count.
    elsewhere = redis.Redis.from_url(os.environ["CACHE_URL"])
    assert elsewhere.exists("registry:1:throttle_anon_127.0.0.1")
    assert client.get(CHEAP).status_code == 429


def test_every_operation_documents_the_429_and_its_retry_after():
    schema = yaml.safe_load(SCHEMA.read_text())
    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    assert operations
    for operation in operations:
        too_many = operation["responses"]["429"]
        assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"
        assert too_many["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
