"""/api/v1/chips/."""

from decimal import Decimal

import pytest

from tests import factories
from tests.api_testing import CuratedAPIResourceTests

pytestmark = pytest.mark.django_db


class TestChipAPI(CuratedAPIResourceTests):
    basename = "chip"
    fields = (
        "slug",
        "url",
        "name",
        "kind",
        "announced_on",
        "date_precision",
        "memory_gb",
        "memory_type",
        "memory_bandwidth_tbps",
        "dense_bf16_tflops",
        "dense_fp8_tflops",
        "interconnect_bandwidth_gbps",
        "tpp",
        "tpp_basis",
        "notes",
        "vendor",
        "china_variant_of",
        "citations",
        "confidence",
        "status_checked_on",
        "created_at",
        "updated_at",
    )
    dossier = ("export_controls", "trained_models")

    def make(self, **fields):
        return factories.make_chip(**fields)

    def make_rich(self, slug):
        return factories.make_chip(slug=slug, china_variant_of=factories.make_chip())

    def test_vendor_and_variant_are_brief_records(self, client):
        nvidia = factories.make_organization(slug="nvidia", name="NVIDIA")
        h100 = factories.make_chip(slug="nvidia-h100", name="H100 SXM", vendor=nvidia)
        h800 = factories.make_chip(slug="nvidia-h800", vendor=nvidia, china_variant_of=h100)
        body = client.get(self.detail_url(h800)).json()
        assert body["vendor"] == {
            "slug": "nvidia",
            "name": "NVIDIA",
            "url": "http://testserver/api/v1/organizations/nvidia/",
        }
        assert body["china_variant_of"] == {
            "slug": "nvidia-h100",
            "name": "H100 SXM",
            "url": "http://testserver/api/v1/chips/nvidia-h100/",
        }

    def test_unpublished_vendor_and_variant_read_as_null(self, client):
        chip = factories.make_chip(
            vendor=factories.make_organization(slug="draft-vendor", review_status="draft"),
            china_variant_of=factories.make_chip(slug="withdrawn-chip", review_status="withdrawn"),
        )
        for response in (client.get(self.detail_url(chip)), client.get(self.list_url())):
            assert b"draft-vendor" not in response.content
            assert b"withdrawn-chip" not in response.content
        body = client.get(self.detail_url(chip)).json()
        assert body["vendor"] is None
        assert body["china_variant_of"] is None

    def test_figures_are_json_numbers(self, client):
        chip = factories.make_chip(memory_gb=Decimal("96.0"), memory_bandwidth_tbps=Decimal("4.000"), tpp=2368)
        body = client.get(self.detail_url(chip)).json()
        assert body["memory_gb"] == 96
        assert body["memory_bandwidth_tbps"] == 4
        assert body["tpp"] == 2368
        assert body["dense_bf16_tflops"] is None
