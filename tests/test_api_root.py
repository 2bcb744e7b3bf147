"""/api/v1/: the dataset, its licence, and every resource with its count of published records."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_root_describes_the_dataset_and_links_every_resource(client):
    factories.make_model_release(slug="deepseek-v3")  # and its published developer
    factories.make_model_release(slug="draft-model", review_status="draft")
    factories.make_source(review_status="withdrawn")
    response = client.get(reverse("api:root"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["name"] == "AI Access Registry"
    assert body["license"] == "CC BY 4.0"
    assert body["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["documentation"] == {
        "swagger_ui": "http://testserver/api/docs/",
        "redoc": "http://testserver/api/redoc/",
        "schema": "http://testserver/api/schema/",
    }
    assert body["resources"] == {
        "organizations": {"url": "http://testserver/api/v1/organizations/", "count": 2},
        "sources": {"url": "http://testserver/api/v1/sources/", "count": 0},
        "chips": {"url": "http://testserver/api/v1/chips/", "count": 0},
        "model-releases": {"url": "http://testserver/api/v1/model-releases/", "count": 1},
        "access-grants": {"url": "http://testserver/api/v1/access-grants/", "count": 0},
        "export-controls": {"url": "http://testserver/api/v1/export-controls/", "count": 0},
    }


def test_every_link_in_the_root_answers(client):
    resources = client.get(reverse("api:root")).json()["resources"]
    for resource in resources.values():
        assert client.get(resource["url"]).status_code == 200, resource["url"]


def test_root_is_read_only(client):
    assert client.post(reverse("api:root"), {}, content_type="application/json").status_code == 405


def test_browsers_get_the_browsable_api_and_clients_json(client):
    url = reverse("api:model-release-list")
    assert client.get(url)["Content-Type"] == "application/json"
    html = client.get(url, headers={"accept": "text/html"})
    assert html.status_code == 200
    assert html["Content-Type"].startswith("text/html")
    assert client.get(url, {"format": "json"})["Content-Type"] == "application/json"
