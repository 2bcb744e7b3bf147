"""?format=csv: the same filtered records as the JSON list, as flat rows named like the API's fields."""

import csv
import io

import pytest

from tests import factories
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db


def rows(response):
    return list(csv.DictReader(io.StringIO(content_of(response).decode())))


@pytest.fixture
def releases():
    deepseek = factories.make_organization(slug="deepseek", country="CN")
    h800 = factories.make_chip(slug="nvidia-h800")
    hidden_chip = factories.make_chip(slug="secret-chip", review_status="draft")
    v3 = factories.make_model_release(slug="deepseek-v3", developer=deepseek)
    v3.training_chips.add(h800, hidden_chip)
    factories.make_citation(v3, factories.make_source(slug="readme"))
    factories.make_model_release(slug="llama-4")
    factories.make_model_release(slug="draft", developer=deepseek, review_status="draft")
    return v3


def test_csv_list_has_the_same_filtered_records_as_json(client, releases):
    query = "/api/v1/model-releases/?developer_country=CN"
    as_json = client.get(query).json()["results"]
    response = client.get(query + "&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="model-releases.csv"'
    table = list(csv.DictReader(io.StringIO(content_of(response).decode())))
    assert [row["slug"] for row in table] == [r["slug"] for r in as_json] == ["deepseek-v3"]
    assert list(table[0]) == list(as_json[0])  # the header


def test_csv_flattens_relations_to_slugs_and_hides_unpublished(client, releases):
    (row,) = rows(client.get("/api/v1/model-releases/?format=csv&developer=deepseek"))
    assert row["developer"] == "deepseek"
    assert row["training_chips"] == "nvidia-h800"
    assert row["citations"] == "readme"
    assert row["url"] == "http://testserver/api/v1/model-releases/deepseek-v3/"
    assert "curator_notes" not in row


def test_accept_header_asks_for_csv_too(client, releases):
    response = client.get("/api/v1/model-releases/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    assert {row["slug"] for row in rows(response)} == {"deepseek-v3", "llama-4"}


def test_csv_record_and_errors(client, releases):
    (row,) = rows(client.get("/api/v1/model-releases/deepseek-v3/?format=csv"))
    assert row["slug"] == "deepseek-v3"
    bad = client.get("/api/v1/model-releases/?format=csv&released_on_after=2025-13-01")
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/json"
    assert "released_on_after" in bad.json()
    missing = client.get("/api/v1/model-releases/draft/?format=csv")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


def test_empty_csv_list_still_has_its_header(client):
    response = client.get("/api/v1/chips/?format=csv")
    header = content_of(response).decode().splitlines()
    assert header[0].startswith("slug,url,name,")
    assert len(header) == 1
