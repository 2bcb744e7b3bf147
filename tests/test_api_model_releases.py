"""/api/v1/model-releases/."""

import pytest

from tests import factories
from tests.api_testing import CuratedAPIResourceTests

pytestmark = pytest.mark.django_db


class TestModelReleaseAPI(CuratedAPIResourceTests):
    basename = "model-release"
    fields = (
        "slug",
        "url",
        "name",
        "family",
        "announced_on",
        "released_on",
        "date_precision",
        "parameters_total",
        "parameters_active",
        "parameters_note",
        "architecture",
        "architecture_note",
        "context_length",
        "weights",
        "license",
        "training_compute_note",
        "training_data_note",
        "huggingface_repo",
        "arxiv_id",
        "notes",
        "developer",
        "training_chips",
        "citations",
        "confidence",
        "status_checked_on",
        "created_at",
        "updated_at",
    )
    dossier = ("access_grants", "controls_on_training_chips")

    def make(self, **fields):
        return factories.make_model_release(**fields)

    def make_rich(self, slug):
        release = factories.make_model_release(slug=slug)
        release.training_chips.set(
            [factories.make_chip(), factories.make_chip(), factories.make_chip(review_status="draft")]
        )
        return release

    def test_developer_and_training_chips_are_brief_records(self, client):
        deepseek = factories.make_organization(slug="deepseek", name="DeepSeek")
        release = factories.make_model_release(slug="deepseek-v3", developer=deepseek, parameters_total=671_000_000_000)
        release.training_chips.add(factories.make_chip(slug="nvidia-h800", name="H800"))
        body = client.get(self.detail_url(release)).json()
        assert body["developer"] == {
            "slug": "deepseek",
            "name": "DeepSeek",
            "url": "http://testserver/api/v1/organizations/deepseek/",
        }
        assert body["training_chips"] == [
            {"slug": "nvidia-h800", "name": "H800", "url": "http://testserver/api/v1/chips/nvidia-h800/"}
        ]
        assert body["parameters_total"] == 671_000_000_000

    def test_unpublished_developer_reads_as_null_and_unpublished_chips_are_left_out(self, client):
        release = factories.make_model_release(
            developer=factories.make_organization(slug="draft-lab", review_status="draft")
        )
        release.training_chips.set(
            [
                factories.make_chip(slug="public-chip"),
                factories.make_chip(slug="review-chip", review_status="in_review"),
            ]
        )
        body = client.get(self.detail_url(release)).json()
        assert body["developer"] is None
        assert [chip["slug"] for chip in body["training_chips"]] == ["public-chip"]
        listed = client.get(self.list_url()).content
        assert b"draft-lab" not in listed
        assert b"review-chip" not in listed
