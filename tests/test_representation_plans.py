"""The fast representation (``api.serializers.plans``) gives DRF's answer, byte for byte, for every resource.

Each URL is asked twice of the curated dataset with the answer cache off: by the plans, then with
``RecordSerializer.to_representation`` put back to DRF's own (which walks the serializer's fields); the bodies
must be the same bytes, whatever the resource, the route (list, detail with its dossier), ``expand``,
``fields``, the format.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework import serializers as drf_serializers

from api.serializers import RecordSerializer, plans
from datasets.resources import RESOURCES
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db

DOSSIER_RELATIONS = {
    "organizations": ("model_releases", "grants_given", "grants_received", "chips"),
    "chips": ("export_controls", "trained_models"),
    "model-releases": ("access_grants", "controls_on_training_chips"),
}


@pytest.fixture
def curated(db, settings, monkeypatch):
    settings.API_CACHE_SECONDS = 0
    # Hundreds of requests from one address: the rate limit is not what is tested here.
    monkeypatch.setattr("api.throttling.AnonRateThrottle.allow_request", lambda self, request, view: True)
    call_command("import_dataset", str(settings.BASE_DIR / "fixtures"), stdout=StringIO())


def both_ways(client, monkeypatch, url: str, **headers) -> tuple[bytes, bytes]:
    """The body of ``url`` by the plans, and by DRF's own representation."""
    fast = client.get(url, **headers)
    assert fast.status_code == 200, fast.content[:500]
    with monkeypatch.context() as patched:
        patched.setattr(RecordSerializer, "to_representation", drf_serializers.ModelSerializer.to_representation)
        slow = client.get(url, **headers)
    assert slow.status_code == 200
    return content_of(fast), content_of(slow)


def urls_of(client, resource) -> list[str]:
    base = f"/api/v1/{resource.name}/"
    page = client.get(f"{base}?limit=500").json()
    assert page["count"] > 0, resource.name
    details = [record["url"].removeprefix("http://testserver") for record in page["results"]]
    lists = [f"{base}?limit=500", f"{base}?limit=7&offset=3&fields=created_at,updated_at"]
    lists += [f"{base}?limit=100&expand={name}" for name in DOSSIER_RELATIONS.get(resource.name, ())]
    return lists + details


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.name)
def test_every_answer_of_a_resource_is_drfs_byte_for_byte(client, monkeypatch, curated, resource):
    for url in urls_of(client, resource):
        fast, slow = both_ways(client, monkeypatch, url)
        assert fast == slow, url


@pytest.mark.parametrize("form", ["csv", "ndjson"])
def test_exports_are_drfs_byte_for_byte(client, monkeypatch, curated, form):
    for resource in RESOURCES:
        fast, slow = both_ways(client, monkeypatch, f"/api/v1/{resource.name}/?format={form}")
        assert fast == slow, resource.name


def test_records_urls_follow_the_requests_host_and_scheme(client, monkeypatch, curated, settings):
    settings.ALLOWED_HOSTS = ["registry.example"]
    fast, slow = both_ways(
        client, monkeypatch, "/api/v1/model-releases/?limit=5", HTTP_HOST="registry.example", secure=True
    )
    assert b'"https://registry.example/api/v1/model-releases/' in fast
    assert fast == slow


def test_the_kept_plans_stay_few_however_many_field_sets_are_asked(client, curated, monkeypatch):
    monkeypatch.setattr(plans, "MAX_PLANS", 4)
    monkeypatch.setattr(plans, "_PLANS", {})
    names = ["name", "family", "weights", "license", "notes", "arxiv_id"]
    for count in range(1, len(names) + 1):
        response = client.get(f"/api/v1/model-releases/?limit=2&fields={','.join(names[:count])}")
        assert response.status_code == 200
        assert set(response.json()["results"][0]) == {"slug", "url", *names[:count]}
        assert len(plans._PLANS) <= 4


def test_a_field_whose_value_depends_on_the_request_is_left_to_drf():
    class WithMethod(drf_serializers.Serializer):
        slug = drf_serializers.CharField()
        shout = drf_serializers.SerializerMethodField()

        def get_shout(self, record):
            return self.context["request"].upper()

    assert plans.plan_of(WithMethod(context={"request": None})) is None


def test_a_kept_plan_holds_no_request(client, curated):
    # A plan kept for ``?fields=`` or ``?expand=`` is built from unbound copies of the request's fields: it keeps
    # neither the request nor its page of records alive.
    plans._PLANS.clear()
    assert client.get("/api/v1/organizations/?limit=3&fields=name&expand=chips").status_code == 200
    kept = [plan for plan in plans._PLANS.values() if plan is not None]
    assert kept
    for plan in kept:
        for step in plan.steps:
            assert step.field.root.context.get("request") is None, step.name


def test_nested_records_sort_as_tuples_of_their_sort_keys_nulls_included():
    from api.serializers.base import CitationSerializer, sort_key
    from api.serializers.records import BriefOrganizationSerializer

    by_slug = sort_key(BriefOrganizationSerializer())
    assert sorted([{"slug": None}, {"slug": None}], key=by_slug) == [{"slug": None}, {"slug": None}]
    assert by_slug({"slug": "a"}) == ("a",)
    citations = [{"source": "b", "locator": ""}, {"source": "a", "locator": "p. 2"}, {"source": "a", "locator": ""}]
    ordered = sorted(citations, key=sort_key(CitationSerializer()))
    assert [(item["source"], item["locator"]) for item in ordered] == [("a", ""), ("a", "p. 2"), ("b", "")]
