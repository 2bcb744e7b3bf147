"""Database constraints: each rule rejects a bad record in the database itself, not only in forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from datasets.models import Chip, ExportControl, ModelRelease, ModelReleaseCitation, Organization
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def rejected(callable_, *args, **kwargs):
    """True when the database refuses the write (the savepoint keeps the test's transaction usable)."""
    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except IntegrityError:
        return True
    return False


def test_slugs_are_unique_for_every_record_kind():
    org = factories.make_organization(slug="deepseek")
    assert rejected(factories.make_organization, slug="deepseek")
    factories.make_source(slug="doc")
    assert rejected(factories.make_source, slug="doc")
    factories.make_chip(slug="h800", vendor=org)
    assert rejected(factories.make_chip, slug="h800", vendor=org)
    release = factories.make_model_release(slug="v3", developer=org)
    assert rejected(factories.make_model_release, slug="v3", developer=org)
    factories.make_access_grant(slug="g", model=release)
    assert rejected(factories.make_access_grant, slug="g", model=release)
    factories.make_export_control(slug="c")
    assert rejected(factories.make_export_control, slug="c")


def test_active_parameters_cannot_exceed_total():
    release = factories.make_model_release(parameters_total=671_000_000_000, parameters_active=37_000_000_000)
    assert rejected(ModelRelease.objects.filter(pk=release.pk).update, parameters_active=700_000_000_000)
    # Equal is allowed (a dense model may state both).
    ModelRelease.objects.filter(pk=release.pk).update(parameters_active=671_000_000_000)


def test_release_cannot_precede_announcement():
    release = factories.make_model_release(announced_on=D(2026, 2, 1), released_on=D(2026, 4, 24))
    assert rejected(ModelRelease.objects.filter(pk=release.pk).update, released_on=D(2026, 1, 31))
    ModelRelease.objects.filter(pk=release.pk).update(released_on=None)  # announced, not yet released


def test_access_grant_cannot_end_before_it_starts():
    assert rejected(factories.make_access_grant, starts_on=D(2026, 3, 1), ends_on=D(2026, 2, 1))
    factories.make_access_grant(starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 1))


def test_access_grant_needs_a_grantee_and_a_model_or_their_descriptions():
    release = factories.make_model_release()
    assert rejected(factories.make_access_grant, model=release, grantee=None)
    assert rejected(factories.make_access_grant, model=None, model_description="")
    factories.make_access_grant(model=release, grantee=None, grantee_description="Chinese chipmakers (unnamed)")
    factories.make_access_grant(model=None, model_description="Claude models")


def test_export_control_cannot_end_before_it_takes_effect_except_when_suspended_or_rescinded():
    kwargs = {"effective_on": D(2025, 11, 8), "ends_on": D(2025, 11, 7)}
    assert rejected(factories.make_export_control, end_reason="superseded", **kwargs)
    assert rejected(factories.make_export_control, end_reason="expired", **kwargs)
    # MOFCOM Announcement No. 57 of 2025 was suspended the day before it was due to take effect.
    factories.make_export_control(slug="mofcom-57-2025", end_reason="suspended", **kwargs)
    factories.make_export_control(slug="rescinded-early", end_reason="rescinded", **kwargs)


def test_ended_export_control_needs_an_end_reason():
    assert rejected(factories.make_export_control, effective_on=D(2025, 1, 13), ends_on=D(2025, 5, 13))
    factories.make_export_control(effective_on=D(2025, 1, 13), ends_on=D(2025, 5, 13), end_reason="rescinded")


def test_chip_cannot_be_a_variant_of_itself_and_figures_are_not_negative():
    chip = factories.make_chip()
    assert rejected(Chip.objects.filter(pk=chip.pk).update, china_variant_of=chip.pk)
    assert rejected(Chip.objects.filter(pk=chip.pk).update, memory_gb=-1)
    assert rejected(Chip.objects.filter(pk=chip.pk).update, memory_bandwidth_tbps=-1)
    assert rejected(Chip.objects.filter(pk=chip.pk).update, dense_bf16_tflops=-1)


def test_a_record_cites_the_same_source_at_the_same_locator_once():
    release = factories.make_model_release()
    source = factories.make_source()
    ModelReleaseCitation.objects.create(record=release, source=source, locator="p. 1")
    assert rejected(ModelReleaseCitation.objects.create, record=release, source=source, locator="p. 1")
    ModelReleaseCitation.objects.create(record=release, source=source, locator="p. 2")


def test_cited_sources_cannot_be_deleted():
    source = factories.make_source()
    ModelReleaseCitation.objects.create(record=factories.make_model_release(), source=source)
    with pytest.raises(ProtectedError):
        source.delete()


def test_country_codes_are_validated_and_target_countries_are_filterable():
    org = Organization(slug="x", name="X", kind="ai_lab", country="XX")
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "country" in error.value.message_dict

    china = factories.make_export_control(slug="china-rule")
    china.target_countries.add("CN", "MO")
    other = factories.make_export_control(slug="russia-rule")
    other.target_countries.add("RU")
    assert list(ExportControl.objects.filter(target_countries__code="MO")) == [china]


def test_review_status_defaults_to_draft_and_records_have_natural_keys():
    org = Organization.objects.create(slug="new-lab", name="New Lab", kind="ai_lab")
    assert org.review_status == "draft"
    assert Organization.objects.get_by_natural_key("new-lab") == org
    assert org.natural_key() == ("new-lab",)


def test_chip_tpp_is_the_highest_over_published_dense_figures():
    """The registry's one TPP rule: BF16 x 16 or FP8 x 8, whichever is higher (the L40S: 733 x 8 = 5,864
    beats 362.05 x 16 = 5,792.8), rounded half up; a TPP stated by hand only where no figure is published."""
    from decimal import Decimal

    l40s = factories.make_chip(slug="l40s", dense_bf16_tflops=Decimal("362.1"), dense_fp8_tflops=Decimal("733"))
    assert l40s.computed_tpp() == 5864
    l40s.tpp = 5794  # BF16 x 16, rounded: not the rule
    with pytest.raises(ValidationError) as caught:
        l40s.full_clean()
    assert "5864" in str(caught.value.message_dict["tpp"])
    l40s.tpp = 5864
    l40s.full_clean()
    h100 = factories.make_chip(slug="h100", dense_bf16_tflops=Decimal("989.4"), dense_fp8_tflops=Decimal("1978.9"))
    assert h100.computed_tpp() == 15831  # 1,978.9 x 8 = 15,831.2 over 989.4 x 16 = 15,830.4
    estimated = factories.make_chip(slug="estimated", tpp=5120)
    assert estimated.computed_tpp() is None
    estimated.full_clean()
