"""/api/v1/export-controls/."""

import datetime

import pytest

from tests import factories
from tests.api_testing import CuratedAPIResourceTests

pytestmark = pytest.mark.django_db


class TestExportControlAPI(CuratedAPIResourceTests):
    basename = "export-control"
    fields = (
        "slug",
        "url",
        "title",
        "jurisdiction",
        "instrument",
        "instrument_note",
        "reference",
        "reference_details",
        "announced_on",
        "published_on",
        "effective_on",
        "ends_on",
        "end_reason",
        "dates_note",
        "summary",
        "covered_items",
        "targets_description",
        "status_note",
        "notes",
        "target_countries",
        "authority",
        "supersedes",
        "amends",
        "suspends",
        "suspended_by",
        "covered_chips",
        "targeted_organizations",
        "citations",
        "confidence",
        "status_checked_on",
        "created_at",
        "updated_at",
    )

    def make(self, **fields):
        return factories.make_export_control(**fields)

    def make_rich(self, slug):
        control = factories.make_export_control(slug=slug, authority=factories.make_organization())
        control.target_countries.set(["CN", "MO"])
        control.supersedes.set([factories.make_export_control(), factories.make_export_control()])
        control.amends.set([factories.make_export_control()])
        control.suspends.set([factories.make_export_control()])
        control.covered_chips.set([factories.make_chip(), factories.make_chip()])
        control.targeted_organizations.set([factories.make_organization(), factories.make_organization()])
        return control

    def test_relations_are_brief_records_and_countries_are_codes(self, client):
        bis = factories.make_organization(slug="us-bis", name="Bureau of Industry and Security")
        earlier = factories.make_export_control(slug="us-october-2022", title="October 2022 rule")
        control = factories.make_export_control(slug="us-october-2023", authority=bis)
        control.target_countries.set(["MO", "CN"])
        control.supersedes.add(earlier)
        control.covered_chips.add(factories.make_chip(slug="nvidia-h20", name="H20"))
        control.targeted_organizations.add(factories.make_organization(slug="huawei", name="Huawei"))
        body = client.get(self.detail_url(control)).json()
        assert body["target_countries"] == ["CN", "MO"]
        assert body["authority"]["slug"] == "us-bis"
        assert body["supersedes"] == [
            {
                "slug": "us-october-2022",
                "title": "October 2022 rule",
                "url": "http://testserver/api/v1/export-controls/us-october-2022/",
            }
        ]
        assert [chip["slug"] for chip in body["covered_chips"]] == ["nvidia-h20"]
        assert [org["slug"] for org in body["targeted_organizations"]] == ["huawei"]

    def test_a_suspended_measure_names_its_published_suspensions_and_their_dates(self, client):
        """ "Which measures are suspended, and until when?": one list call answers it."""
        rule = factories.make_export_control(
            slug="affiliates-rule",
            effective_on=datetime.date(2025, 9, 29),
            ends_on=datetime.date(2025, 11, 10),
            end_reason="suspended",
        )
        suspension = factories.make_export_control(
            slug="one-year-suspension",
            title="One Year Suspension",
            instrument="suspension",
            effective_on=datetime.date(2025, 11, 10),
            ends_on=datetime.date(2026, 11, 10),
            end_reason="expired",
        )
        suspension.suspends.add(rule)
        factories.make_export_control(
            slug="draft-extension", instrument="suspension", review_status="draft"
        ).suspends.add(rule)
        [listed] = client.get(self.list_url(), {"end_reason": "suspended"}).json()["results"]
        assert listed["suspended_by"] == [
            {
                "slug": "one-year-suspension",
                "title": "One Year Suspension",
                "url": "http://testserver/api/v1/export-controls/one-year-suspension/",
                "effective_on": "2025-11-10",
                "ends_on": "2026-11-10",
            }
        ]
        [suspending] = client.get(self.list_url(), {"instrument": "suspension"}).json()["results"]
        assert [measure["slug"] for measure in suspending["suspends"]] == ["affiliates-rule"]
        assert suspending["suspended_by"] == []
        # After the suspension, the rule applies again; checked only up to 2026-06-30, the answer says so.
        rule.status_checked_on = datetime.date(2026, 6, 30)
        rule.save()
        page = client.get(self.list_url(), {"in_force_on": "2026-12-01"}).json()
        assert [record["slug"] for record in page["results"]] == ["affiliates-rule"]
        assert page["status_unverified"] == ["affiliates-rule"]

    def test_unpublished_related_records_are_null_or_left_out(self, client):
        control = factories.make_export_control(
            authority=factories.make_organization(slug="draft-authority", review_status="draft")
        )
        control.supersedes.add(factories.make_export_control(slug="draft-control", review_status="draft"))
        control.amends.add(factories.make_export_control(slug="review-control", review_status="in_review"))
        control.suspends.add(factories.make_export_control(slug="withdrawn-control", review_status="withdrawn"))
        control.covered_chips.add(factories.make_chip(slug="draft-chip", review_status="draft"))
        control.targeted_organizations.add(factories.make_organization(slug="draft-target", review_status="draft"))
        body = client.get(self.detail_url(control)).json()
        assert body["authority"] is None
        for relation in ("supersedes", "amends", "suspends", "covered_chips", "targeted_organizations"):
            assert body[relation] == [], relation
        listed = client.get(self.list_url()).content
        for hidden in (b"draft-authority", b"draft-control", b"review-control", b"withdrawn-control", b"draft-chip"):
            assert hidden not in listed
