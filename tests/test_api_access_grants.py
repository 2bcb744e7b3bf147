"""/api/v1/access-grants/."""

import pytest

from tests import factories
from tests.api_testing import CuratedAPIResourceTests

pytestmark = pytest.mark.django_db


class TestAccessGrantAPI(CuratedAPIResourceTests):
    basename = "access-grant"
    fields = (
        "slug",
        "url",
        "model_description",
        "grantee_description",
        "access_type",
        "outcome",
        "starts_on",
        "ends_on",
        "date_precision",
        "dates_note",
        "reported_on",
        "claim_status",
        "claim_note",
        "purpose",
        "notes",
        "model",
        "grantee",
        "grantor",
        "citations",
        "confidence",
        "status_checked_on",
        "created_at",
        "updated_at",
    )

    def make(self, **fields):
        return factories.make_access_grant(**fields)

    def make_rich(self, slug):
        return factories.make_access_grant(slug=slug, grantor=factories.make_organization())

    def test_model_grantee_and_grantor_are_brief_records(self, client):
        deepseek = factories.make_organization(slug="deepseek", name="DeepSeek")
        v4 = factories.make_model_release(slug="deepseek-v4", name="DeepSeek-V4", developer=deepseek)
        huawei = factories.make_organization(slug="huawei", name="Huawei")
        grant = factories.make_access_grant(model=v4, grantee=huawei)
        body = client.get(self.detail_url(grant)).json()
        assert body["model"] == {
            "slug": "deepseek-v4",
            "name": "DeepSeek-V4",
            "url": "http://testserver/api/v1/model-releases/deepseek-v4/",
        }
        assert body["grantee"]["slug"] == "huawei"
        assert body["grantor"] == {
            "slug": "deepseek",
            "name": "DeepSeek",
            "url": "http://testserver/api/v1/organizations/deepseek/",
        }

    def test_unpublished_model_grantee_and_grantor_read_as_null(self, client):
        grant = factories.make_access_grant(
            model=factories.make_model_release(slug="draft-model", review_status="draft"),
            grantee=factories.make_organization(slug="withdrawn-grantee", review_status="withdrawn"),
            grantor=factories.make_organization(slug="review-grantor", review_status="in_review"),
        )
        body = client.get(self.detail_url(grant)).json()
        assert (body["model"], body["grantee"], body["grantor"]) == (None, None, None)
        listed = client.get(self.list_url()).content
        for hidden in (b"draft-model", b"withdrawn-grantee", b"review-grantor"):
            assert hidden not in listed

    def test_unnamed_grantee_is_described(self, client):
        grant = factories.make_access_grant(grantee=None, grantee_description="Chinese chipmakers (unnamed)")
        body = client.get(self.detail_url(grant)).json()
        assert body["grantee"] is None
        assert body["grantee_description"] == "Chinese chipmakers (unnamed)"
