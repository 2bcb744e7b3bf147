"""The curated dataset, loaded as `make serve` loads it, answers the questions the registry exists for."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def curated(db, settings):
    call_command("import_dataset", str(settings.BASE_DIR / "fixtures"), stdout=StringIO())


pytestmark = pytest.mark.django_db


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_deepseek_v4_early_access_went_to_huawei_and_was_withheld_from_nvidia_and_amd(client, curated):
    grants = results(client, "/api/v1/access-grants/?model=deepseek-v4&access_type=early_access")
    outcomes = {(g["grantee"]["slug"] if g["grantee"] else None, g["outcome"]) for g in grants}
    assert ("huawei", "granted") in outcomes
    assert {("nvidia", "withheld"), ("amd", "withheld")} <= outcomes
    assert all(g["claim_status"] == "reported" for g in grants if g["outcome"] == "withheld")


def test_ai_diffusion_rule_in_force_in_march_2025_but_not_june(client, curated):
    march = results(client, "/api/v1/export-controls/?in_force_on=2025-03-01&jurisdiction=US&limit=500")
    june = results(client, "/api/v1/export-controls/?in_force_on=2025-06-01&jurisdiction=US&limit=500")
    assert "us-ai-diffusion" in {c["slug"] for c in march}
    assert "us-ai-diffusion" not in {c["slug"] for c in june}
