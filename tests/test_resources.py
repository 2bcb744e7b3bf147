"""The resource table (datasets.resources) names every resource everywhere it appears: the API's routes and
root, the dataset's counts, the change feed, the release's files and the admin's links to the API all agree
with it, for every resource."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User

from api.exports import export_release
from api.views import VIEWSETS
from datasets import services
from datasets.choices import ResourceChoices
from datasets.resources import RESOURCES, resource_named, resource_of
from tests import factories

pytestmark = pytest.mark.django_db

MAKE = {
    "organizations": factories.make_organization,
    "sources": factories.make_source,
    "chips": factories.make_chip,
    "model-releases": factories.make_model_release,
    "access-grants": factories.make_access_grant,
    "export-controls": factories.make_export_control,
}


@pytest.fixture
def published():
    """One record of every resource, published through the review workflow (so that the feed has it)."""
    reviewer = User.objects.create_user("rui", password=None, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    records = {}
    for resource in RESOURCES:
        record = MAKE[resource.name](review_status="in_review")
        if resource.name != "sources":
            factories.make_citation(record)
        services.publish(record, reviewer)
        records[resource.name] = record
    return records


def test_the_table_is_complete_and_its_names_unique():
    assert set(MAKE) == {resource.name for resource in RESOURCES}
    for attribute in ("name", "basename", "model_label", "label"):
        values = [getattr(resource, attribute) for resource in RESOURCES]
        assert len(set(values)) == len(values), attribute
    for resource in RESOURCES:
        assert resource_of(resource.model) is resource is resource_named(resource.name)


def test_each_resource_has_its_viewset_and_routes(client, published):
    assert list(VIEWSETS) == [resource.name for resource in RESOURCES]
    for resource in RESOURCES:
        viewset = VIEWSETS[resource.name]
        assert viewset.resource is resource
        assert viewset.queryset.model is resource.model
        record = published[resource.name]
        answer = client.get(f"/api/v1/{resource.name}/{record.slug}/")
        assert answer.status_code == 200
        assert answer.json()["url"] == f"http://testserver/api/v1/{resource.name}/{record.slug}/"


def test_the_root_and_the_dataset_name_every_resource_alike(client, published):
    root = client.get("/api/v1/").json()["resources"]
    assert list(root) == [resource.name for resource in RESOURCES]
    counts = client.get("/api/v1/dataset/").json()["counts"]
    assert list(counts) == list(root)
    for resource in RESOURCES:
        count = resource.model.objects.published().count()
        assert root[resource.name] == {"url": f"http://testserver/api/v1/{resource.name}/", "count": count}
        assert counts[resource.name] == count


def test_the_feed_names_each_record_by_its_resource_and_links_it(client, published):
    assert [value for value, _ in ResourceChoices.choices] == [resource.name for resource in RESOURCES]
    events = client.get("/api/v1/changes/").json()["results"]
    by_slug = {event["slug"]: event for event in events}
    for resource in RESOURCES:
        record = published[resource.name]
        event = by_slug[record.slug]
        assert event["resource"] == resource.name
        assert event["url"] == client.get(f"/api/v1/{resource.name}/{record.slug}/").json()["url"]


def test_the_release_has_the_files_of_every_resource(published, tmp_path):
    package = export_release(tmp_path / "release")
    described = {entry["name"]: entry["path"] for entry in package["resources"]}
    assert list(package["counts"]) == [resource.name for resource in RESOURCES]
    for resource in RESOURCES:
        assert described[resource.name] == f"{resource.name}.csv"
        assert described[f"{resource.name}-json"] == f"{resource.name}.json"
        records = json.loads((tmp_path / "release" / f"{resource.name}.json").read_text())
        assert f"/api/v1/{resource.name}/{published[resource.name].slug}/" in [record["url"] for record in records]


def test_the_admin_links_each_record_to_its_api_url(published):
    for resource in RESOURCES:
        record = published[resource.name]
        link = admin.site._registry[resource.model].public_api_link(record)
        assert f'href="/api/v1/{resource.name}/{record.slug}/"' in link
