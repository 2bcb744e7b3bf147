"""How far each record's facts were checked (``status_checked_on``), the dataset's coverage, and valid-time answers
that say where they stop being verified (issue 16)."""

import csv
import datetime
import io

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from api.exports import export_release
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization
from tests import factories
from tests.admin_testing import staff
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db

CURATED = {
    "organizations": factories.make_organization,
    "chips": factories.make_chip,
    "model-releases": factories.make_model_release,
    "access-grants": factories.make_access_grant,
    "export-controls": factories.make_export_control,
}


@pytest.mark.parametrize("resource", CURATED)
def test_every_curated_record_says_how_far_it_was_checked(client, resource):
    checked = CURATED[resource](status_checked_on=datetime.date(2026, 6, 30))
    unchecked = CURATED[resource]()
    assert client.get(f"/api/v1/{resource}/{checked.slug}/").json()["status_checked_on"] == "2026-06-30"
    assert client.get(f"/api/v1/{resource}/{unchecked.slug}/").json()["status_checked_on"] is None
    rows = list(csv.DictReader(io.StringIO(content_of(client.get(f"/api/v1/{resource}/", {"format": "csv"})).decode())))
    assert {row["slug"]: row["status_checked_on"] for row in rows if row["slug"] in (checked.slug, unchecked.slug)} == {
        checked.slug: "2026-06-30",
        unchecked.slug: "",
    }


def test_sources_are_documents_not_facts_and_carry_no_check_date(client):
    source = factories.make_source()
    assert "status_checked_on" not in client.get(f"/api/v1/sources/{source.slug}/").json()


def test_in_force_on_marks_the_measures_not_checked_up_to_that_date(client):
    checked = factories.make_export_control(slug="checked", status_checked_on=datetime.date(2026, 6, 30))
    never = factories.make_export_control(slug="never-checked")
    factories.make_export_control(
        slug="ended", ends_on=datetime.date(2024, 1, 1), end_reason="expired"
    )  # not in force: not listed
    page = client.get("/api/v1/export-controls/", {"in_force_on": "2026-12-01"}).json()
    assert {record["slug"] for record in page["results"]} == {checked.slug, never.slug}
    assert sorted(page["status_unverified"]) == [checked.slug, never.slug]
    page = client.get("/api/v1/export-controls/", {"in_force_on": "2026-06-30"}).json()
    assert page["status_unverified"] == [never.slug]
    assert client.get("/api/v1/export-controls/").json()["status_unverified"] == []


def test_active_on_marks_the_grants_not_checked_up_to_that_date(client):
    checked = factories.make_access_grant(slug="checked", status_checked_on=datetime.date(2026, 3, 1))
    never = factories.make_access_grant(slug="never-checked")
    page = client.get("/api/v1/access-grants/", {"active_on": "2026-01-15"}).json()
    assert {record["slug"] for record in page["results"]} == {checked.slug, never.slug}
    assert page["status_unverified"] == [never.slug]
    assert client.get("/api/v1/access-grants/", {"active_on": "2026-03-02"}).json()["status_unverified"] == [
        checked.slug,
        never.slug,
    ]


def test_the_dataset_states_its_window(client):
    dataset = client.get("/api/v1/dataset/").json()
    assert dataset["coverage_starts_on"] == "2025-01-01"
    assert "coverage_horizon" in dataset


@pytest.mark.parametrize("model", [Organization, Chip, ModelRelease, AccessGrant, ExportControl])
def test_curators_set_the_check_date_in_the_admin(model):
    user, _ = staff("cleo", "Curators")
    request = RequestFactory().get("/")
    request.user = user
    fields = admin.site._registry[model].get_form(request)().fields
    assert "status_checked_on" in fields


def test_the_release_carries_the_check_dates(tmp_path):
    factories.make_export_control(slug="checked", status_checked_on=datetime.date(2026, 6, 30))
    package = export_release(tmp_path / "release")
    schema = next(entry for entry in package["resources"] if entry["name"] == "export-controls")["schema"]
    assert {"name": "status_checked_on", "type": "date"}.items() <= next(
        field for field in schema["fields"] if field["name"] == "status_checked_on"
    ).items()
    assert (
        '"status_checked_on": "2026-06-30"' in (tmp_path / "release" / "records" / "06_exportcontrol.json").read_text()
    )


def test_a_check_cannot_be_dated_in_the_future():
    record = factories.make_model_release()
    record.status_checked_on = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert "status_checked_on" in refused.value.message_dict
    record.status_checked_on = datetime.date.today()
    record.full_clean()
