"""What the API's validators hash (api/conditional.py): every input that changes an answer's bytes, so that
neither a 304 nor an answer from the server's cache is ever one made for another host, scheme, script prefix
or release."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import set_script_prefix

from datasets import services
from tests import factories

pytestmark = pytest.mark.django_db

# Every kind of answer that holds absolute URLs: a list, a record, the root, the feed, the dataset.
URLS = [
    "/api/v1/model-releases/",
    "/api/v1/model-releases/deepseek-v3/",
    "/api/v1/model-releases/?format=csv&limit=50",  # a page: a full export is streamed, never kept
    "/api/v1/",
    "/api/v1/changes/",
    "/api/v1/dataset/",
]


@pytest.fixture(autouse=True)
def served(settings, tmp_path, django_user_model):
    """Two hosts, the answer cache on, a published record with relations, and a release."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.API_CACHE_SECONDS = 600
    settings.RELEASE_DIR = tmp_path / "release"
    reviewer = django_user_model.objects.create_user("rui", password=None, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    record = factories.make_model_release(slug="deepseek-v3", review_status="in_review")
    record.training_chips.add(factories.make_chip())
    factories.make_citation(record)
    services.publish(record, reviewer)
    call_command("export_dataset", stdout=StringIO())


def api_urls(response) -> list[str]:
    """Every URL of the API in an answer (record, page, documentation and download URLs)."""
    text = response.content.decode()
    return [word for word in text.replace('"', " ").replace(",", " ").split() if "/api/" in word]


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    assert api_urls(response), url
    return response


@pytest.mark.parametrize("url", URLS)
def test_an_answer_made_for_one_host_is_not_served_to_another(client, url):
    first = get(client, url, HTTP_HOST="localhost")
    again = get(client, url, HTTP_HOST="127.0.0.1")
    assert all(link.startswith("http://127.0.0.1/api/") for link in api_urls(again)), api_urls(again)
    assert again["ETag"] != first["ETag"]
    # Nor its 304: the tag of the other host's answer names another answer.
    assert client.get(url, HTTP_HOST="127.0.0.1", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get(url, HTTP_HOST="127.0.0.1", HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


@pytest.mark.parametrize("url", URLS)
def test_the_port_is_part_of_the_host(client, url):
    first = get(client, url, HTTP_HOST="127.0.0.1:8000")
    again = get(client, url, HTTP_HOST="127.0.0.1")
    assert all(link.startswith("http://127.0.0.1/api/") for link in api_urls(again))
    assert again["ETag"] != first["ETag"]


@pytest.mark.parametrize("url", URLS)
def test_an_answer_made_over_http_is_not_served_over_https(client, url):
    plain = get(client, url, HTTP_HOST="127.0.0.1")
    secure = get(client, url, HTTP_HOST="127.0.0.1", secure=True)
    assert all(link.startswith("https://127.0.0.1/api/") for link in api_urls(secure)), api_urls(secure)
    assert secure["ETag"] != plain["ETag"]
    again = get(client, url, HTTP_HOST="127.0.0.1")
    assert again.content == plain.content


@pytest.mark.parametrize("url", URLS)
def test_the_scheme_is_the_one_a_trusted_proxy_reports(client, settings, url):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = get(client, url, HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="http")
    proxied = get(client, url, HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert all(link.startswith("https://127.0.0.1/api/") for link in api_urls(proxied)), api_urls(proxied)
    assert proxied["ETag"] != plain["ETag"]


def get_mounted(client, url, prefix: str, **extra):
    """``url`` of the API mounted under ``prefix`` (SCRIPT_NAME), with the script prefix set as Django's WSGI
    handler sets it (the test client leaves it alone)."""
    set_script_prefix(prefix)
    try:
        return get(client, url, SCRIPT_NAME=prefix.rstrip("/"), **extra)
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("url", URLS)
def test_an_answer_made_under_one_script_prefix_is_not_served_under_another(client, url):
    bare = get_mounted(client, url, "/", HTTP_HOST="127.0.0.1")
    mounted = get_mounted(client, url, "/registry/", HTTP_HOST="127.0.0.1")
    assert all(link.startswith("http://127.0.0.1/registry/api/") for link in api_urls(mounted)), api_urls(mounted)
    assert mounted["ETag"] != bare["ETag"]
    # Served again from the cache, under its prefix.
    assert get_mounted(client, url, "/registry/", HTTP_HOST="127.0.0.1").content == mounted.content


def test_a_new_release_is_never_hidden_behind_the_old_ones_tag_or_cached_answer(client, settings, tmp_path):
    before = get(client, "/api/v1/dataset/")
    assert client.get("/api/v1/dataset/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    # Another release, of the same data, with another version (a release of the same data and version is the
    # same bytes): nothing in the change feed says so.
    call_command("export_dataset", "--release-version", "2.0.0", stdout=StringIO())
    after = client.get("/api/v1/dataset/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["version"] == "2.0.0"
    assert after["ETag"] != before["ETag"]
    assert client.get("/api/v1/dataset/").json()["version"] == "2.0.0"
    # No release at all: the dataset says so at once, too.
    settings.RELEASE_DIR = tmp_path / "nothing-here"
    assert client.get("/api/v1/dataset/", HTTP_IF_NONE_MATCH=after["ETag"]).json()["downloads"] == []
