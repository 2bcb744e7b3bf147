"""The curators' admin: every page a curator opens works, and the workflow rules hold there."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from datasets.choices import ReviewStatusChoices
from datasets.models import AccessGrant, AccessGrantCitation, ModelReleaseCitation
from tests import factories

pytestmark = pytest.mark.django_db

CURATED_MODELS = ["organization", "source", "chip", "modelrelease", "accessgrant", "exportcontrol"]


@pytest.fixture
def records():
    """One record of each kind, linked the way real records are (citations, grants, variants, targets)."""
    source = factories.make_source(slug="reuters-v4")
    nvidia = factories.make_organization(slug="nvidia", kind="chipmaker", aliases="NVDA\nNvidia Corp.")
    h100 = factories.make_chip(slug="nvidia-h100", vendor=nvidia)
    h800 = factories.make_chip(slug="nvidia-h800", vendor=nvidia, china_variant_of=h100)
    release = factories.make_model_release(slug="deepseek-v3")
    release.training_chips.add(h800)
    ModelReleaseCitation.objects.create(record=release, source=source, locator="p. 2")
    grant = factories.make_access_grant(slug="v3-nvidia", model=release, grantee=nvidia)
    AccessGrantCitation.objects.create(record=grant, source=source)
    control = factories.make_export_control(slug="us-oct-2023")
    control.covered_chips.add(h800)
    control.target_countries.add("CN", "MO")
    control.targeted_organizations.add(nvidia)
    return {
        "organization": nvidia,
        "source": source,
        "chip": h800,
        "modelrelease": release,
        "accessgrant": grant,
        "exportcontrol": control,
    }


@pytest.mark.parametrize("model_name", CURATED_MODELS)
def test_changelist_add_and_change_pages_open(admin_client, records, model_name):
    record = records[model_name]
    changelist = admin_client.get(reverse(f"admin:datasets_{model_name}_changelist"))
    assert changelist.status_code == 200
    assert record.slug.encode() in changelist.content or str(record).encode() in changelist.content

    assert admin_client.get(reverse(f"admin:datasets_{model_name}_add")).status_code == 200

    change = admin_client.get(reverse(f"admin:datasets_{model_name}_change", args=[record.pk]))
    assert change.status_code == 200
    assert record.slug.encode() in change.content


@pytest.mark.parametrize("model_name", CURATED_MODELS)
def test_changelist_search_and_review_filter_work(admin_client, records, model_name):
    record = records[model_name]
    url = reverse(f"admin:datasets_{model_name}_changelist")
    found = admin_client.get(url, {"q": record.slug})
    assert found.status_code == 200
    assert found.context["cl"].result_count == 1

    filtered = admin_client.get(url, {"review_status__exact": "draft"})
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count == 0
    # Review status is the first filter a curator sees.
    assert filtered.context["cl"].filter_specs[0].field_path == "review_status"


def test_organization_search_matches_aliases(admin_client, records):
    response = admin_client.get(reverse("admin:datasets_organization_changelist"), {"q": "NVDA"})
    assert list(response.context["cl"].result_list) == [records["organization"]]


def test_every_record_model_is_registered_with_autocomplete_for_relations():
    for model_admin in admin.site._registry.values():
        if model_admin.model._meta.app_label != "datasets" or model_admin.model.__name__ == "Country":
            continue
        assert model_admin.search_fields, model_admin
        relations = [
            field.name
            for field in model_admin.model._meta.get_fields()
            if (field.many_to_one or field.many_to_many)
            and not field.auto_created
            and field.concrete
            # The workflow's own links are set by the workflow, not typed in.
            and field.name not in ("last_edited_by", "revision_of")
        ]
        for name in relations:
            assert name in model_admin.autocomplete_fields, f"{model_admin.model.__name__}.{name}"


def test_citations_are_inline_on_every_curated_record(admin_client, records):
    for model_name in ["organization", "chip", "modelrelease", "accessgrant", "exportcontrol"]:
        record = records[model_name]
        page = admin_client.get(reverse(f"admin:datasets_{model_name}_change", args=[record.pk]))
        prefixes = [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]
        assert "citations" in prefixes, model_name


def test_model_release_page_edits_its_access_grants_inline(admin_client, records):
    page = admin_client.get(reverse("admin:datasets_modelrelease_change", args=[records["modelrelease"].pk]))
    grant_formsets = [f for f in page.context["inline_admin_formsets"] if f.formset.model is AccessGrant]
    assert len(grant_formsets) == 1
    assert grant_formsets[0].formset.queryset.get() == records["accessgrant"]


def test_access_grant_added_without_grantor_gets_the_model_developer(admin_client, records):
    release = records["modelrelease"]
    huawei = factories.make_organization(slug="huawei", country="CN")
    response = admin_client.post(
        reverse("admin:datasets_accessgrant_add"),
        {
            "slug": "v3-huawei",
            "model": release.pk,
            "grantee": huawei.pk,
            "access_type": "early_access",
            "outcome": "granted",
            "claim_status": "reported",
            "date_precision": "day",
            "confidence": "medium",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    grant = AccessGrant.objects.get(slug="v3-huawei")
    assert grant.grantor == release.developer
    assert grant.review_status == ReviewStatusChoices.DRAFT


def test_workflow_actions_move_records_and_refuse_bad_transitions(admin_client, records):
    draft = factories.make_model_release(slug="draft-model", review_status="draft")
    url = reverse("admin:datasets_modelrelease_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.review_status == "draft"  # a draft must be reviewed before it is published

    admin_client.post(url, {"action": "submit_for_review", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.review_status == "in_review"

    admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.review_status == "published"

    # Withdrawing asks for a reason, so it is a button on the record's page, not a list action.
    assert "withdraw" not in admin_client.get(url).context["action_form"].fields["action"].choices.__repr__()


def test_published_records_cannot_be_deleted_and_bulk_delete_is_gone(admin_client, records):
    release = records["modelrelease"]
    delete = admin_client.get(reverse("admin:datasets_modelrelease_delete", args=[release.pk]))
    assert delete.status_code == 403
    changelist = admin_client.get(reverse("admin:datasets_modelrelease_changelist"))
    assert "delete_selected" not in changelist.context["action_form"].fields["action"].choices.__repr__()


def test_review_status_is_not_editable_in_the_form(admin_client, records):
    page = admin_client.get(reverse("admin:datasets_modelrelease_change", args=[records["modelrelease"].pk]))
    assert "review_status" not in page.context["adminform"].form.fields


def test_date_hierarchy_on_dated_records(admin_client, records):
    records["modelrelease"].released_on = datetime.date(2024, 12, 26)
    records["modelrelease"].save()
    response = admin_client.get(reverse("admin:datasets_modelrelease_changelist"), {"released_on__year": "2024"})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model_name", CURATED_MODELS)
def test_change_page_links_to_the_public_api_record(admin_client, records, model_name):
    record = records[model_name]
    page = admin_client.get(reverse(f"admin:datasets_{model_name}_change", args=[record.pk]))
    api_path = f"/api/v1/{str(record._meta.verbose_name_plural).replace(' ', '-')}/{record.slug}/"
    assert f'href="{api_path}"'.encode() in page.content
    assert admin_client.get(api_path).status_code == 200


@pytest.mark.parametrize(
    ("changelist", "parameter", "found"),
    [
        ("admin:datasets_modelrelease_changelist", "developer__country__exact", "glm-4-6"),
        ("admin:datasets_organization_changelist", "country__exact", "zhipu-ai"),
        ("admin:datasets_accessgrant_changelist", "grantee__country__exact", "glm-grant"),
    ],
)
def test_a_country_filter_lists_only_the_countries_records_have(admin_client, changelist, parameter, found):
    import re

    lab = factories.make_organization(slug="zhipu-ai", country="CN")
    factories.make_organization(slug="mistral-ai", country="FR")
    release = factories.make_model_release(slug="glm-4-6", developer=lab)
    factories.make_access_grant(slug="glm-grant", model=release, grantee=lab)
    page = admin_client.get(reverse(changelist)).content.decode()
    listed = set(re.findall(rf"[?&]{parameter}=([A-Z]{{2}})", page))
    assert "CN" in listed and "TV" not in listed  # Tuvalu: a choice that no record has
    assert len(listed) <= 2
    # A value in use still filters.
    filtered = admin_client.get(reverse(changelist), {parameter: "CN"})
    assert filtered.status_code == 200 and found in filtered.content.decode()


@pytest.mark.parametrize(
    ("changelist", "parameter", "make"),
    [
        ("admin:datasets_modelrelease_changelist", "developer__id__exact", "release"),
        ("admin:datasets_chip_changelist", "vendor__id__exact", "chip"),
        ("admin:datasets_exportcontrol_changelist", "authority__id__exact", "control"),
    ],
)
def test_an_organization_filter_lists_only_the_organizations_records_name(admin_client, changelist, parameter, make):
    import re

    named = [factories.make_organization(slug="named-org"), factories.make_organization(slug="also-named-org")]
    unnamed = factories.make_organization(slug="unnamed-org")
    for organization in named:
        if make == "release":
            factories.make_model_release(developer=organization)
        elif make == "chip":
            factories.make_chip(vendor=organization)
        else:
            factories.make_export_control(authority=organization)
    page = admin_client.get(reverse(changelist)).content.decode()
    listed = {int(pk) for pk in re.findall(rf"[?&]{parameter}=([0-9]+)", page)}
    assert listed == {organization.pk for organization in named}
    assert unnamed.pk not in listed
