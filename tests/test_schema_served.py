"""/api/schema/ answers from the schema generated and rendered once per process and format (api.docs.SchemaView)."""

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator

from api import docs

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(monkeypatch):
    """How many times the schema is generated from the code."""
    monkeypatch.setattr(docs, "RENDERED", {})
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    return calls


def test_the_schema_is_generated_once_per_format_and_served_as_it_was(client, generated, settings):
    first = client.get("/api/schema/")
    assert first.status_code == 200 and len(generated) == 1
    again = client.get("/api/schema/")
    assert again.content == first.content and len(generated) == 1
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Disposition"] == first["Content-Disposition"]
    as_json = client.get("/api/schema/", {"format": "json"})
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json") and len(generated) == 2
    assert client.get("/api/schema/", {"format": "json"}).content == as_json.content and len(generated) == 2
    # What it serves is the committed schema, whatever it kept.
    committed = yaml.safe_load((settings.BASE_DIR / "api" / "openapi.yaml").read_text(encoding="utf-8"))
    assert yaml.safe_load(again.content) == committed == as_json.json()


def test_the_kept_schema_still_refuses_what_the_view_refuses(client, generated):
    client.get("/api/schema/")
    assert client.get("/api/schema/", {"version": "2"}).status_code == 400
    assert client.get("/api/schema/", HTTP_ACCEPT="text/html").status_code == 406
