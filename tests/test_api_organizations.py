"""/api/v1/organizations/."""

import pytest

from tests import factories
from tests.api_testing import CuratedAPIResourceTests

pytestmark = pytest.mark.django_db


class TestOrganizationAPI(CuratedAPIResourceTests):
    basename = "organization"
    fields = (
        "slug",
        "url",
        "name",
        "country",
        "kind",
        "website",
        "aliases",
        "description",
        "citations",
        "confidence",
        "status_checked_on",
        "created_at",
        "updated_at",
    )
    dossier = (
        "model_releases",
        "grants_given",
        "grants_received",
        "export_controls_targeting",
        "export_controls_issued",
        "chips",
    )

    def make(self, **fields):
        return factories.make_organization(**fields)

    def make_rich(self, slug):
        return factories.make_organization(slug=slug, aliases="One\nTwo")

    def test_aliases_are_a_list_of_names(self, client):
        org = factories.make_organization(slug="deepseek", aliases="DeepSeek AI\n\n  深度求索  \n")
        body = client.get(self.detail_url(org)).json()
        assert body["aliases"] == ["DeepSeek AI", "深度求索"]
        assert body["country"] == "US"
        assert body["kind"] == "ai_lab"
