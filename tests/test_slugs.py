"""One slug convention (datasets.slugs): dots and spaces become hyphens; the admin checks a typed slug."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from datasets.choices import ReviewStatusChoices
from datasets.models import Organization
from datasets.slugs import CONVENTION, check_slug, slug_of
from tests import factories
from tests.admin_testing import admin_url, form_data

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("GLM-4.6", "glm-4-6"),
        ("DeepSeek V3.1-Terminus", "deepseek-v3-1-terminus"),
        ("Qwen2.5 (72B)", "qwen2-5-72b"),
        ("  Zhipu AI / Z.ai ", "zhipu-ai-z-ai"),
        ("Ascend 910C_b", "ascend-910c-b"),
        ("Mistral Médium 3", "mistral-medium-3"),
        ("Entity List: 2025-03-25", "entity-list-2025-03-25"),
    ],
)
def test_a_names_slug_makes_every_other_character_a_hyphen(name, slug):
    assert slug_of(name) == slug
    check_slug(slug)


@pytest.mark.parametrize("slug", ["glm-46.", "GLM-4-6", "glm--4-6", "glm_4_6", "-glm", "glm-4.6"])
def test_a_slug_outside_the_convention_is_refused_with_the_one_it_would_be(slug):
    with pytest.raises(ValidationError, match="lowercase letters and digits") as refused:
        check_slug(slug)
    assert slug_of(slug) in refused.value.messages[0]


def test_every_slug_of_the_dataset_follows_the_convention():
    slugs = [
        row["fields"]["slug"]
        for path in sorted(FIXTURES.glob("*.json"))
        for row in json.loads(path.read_text(encoding="utf-8"))
        if "slug" in row.get("fields", {})
    ]
    assert len(slugs) > 500
    assert [slug for slug in slugs if not CONVENTION.fullmatch(slug)] == []


@pytest.mark.django_db
def test_the_admin_refuses_a_typed_slug_outside_the_convention_on_its_field(admin_client):
    data = {"slug": "zhipu.ai", "name": "Zhipu AI", "kind": "ai_lab", "country": "CN", "confidence": "high"}
    data.update({"citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0"})
    response = admin_client.post(reverse("admin:datasets_organization_add"), data)
    assert response.status_code == 200
    assert "zhipu-ai" in response.context["adminform"].form.errors["slug"][0]
    assert not Organization.objects.filter(name="Zhipu AI").exists()
    response = admin_client.post(reverse("admin:datasets_organization_add"), {**data, "slug": "zhipu-ai"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organization.objects.get(slug="zhipu-ai").review_status == ReviewStatusChoices.DRAFT


@pytest.mark.django_db
def test_a_revisions_slug_made_by_the_workflow_is_kept_when_saved(admin_client):
    revision = factories.make_organization(slug="zhipu-ai--revision-1", review_status=ReviewStatusChoices.DRAFT)
    page = admin_client.get(admin_url(revision))
    response = admin_client.post(admin_url(revision), form_data(page, name="Zhipu AI (Z.ai)"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    revision.refresh_from_db()
    assert (revision.slug, revision.name) == ("zhipu-ai--revision-1", "Zhipu AI (Z.ai)")


@pytest.mark.django_db
def test_the_admins_pages_fill_slugs_by_the_convention(admin_client):
    page = admin_client.get(reverse("admin:datasets_modelrelease_add")).content.decode()
    # After Django's urlify.js, which it wraps.
    assert page.index("admin/js/urlify") < page.index("datasets/slug.js")
