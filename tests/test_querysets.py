"""Read rules: published(), active_on(), in_force_on(), released()."""

import datetime

import pytest

from datasets.models import AccessGrant, ExportControl, ModelRelease
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def test_published_hides_drafts_reviews_and_withdrawals():
    public = factories.make_organization(slug="public")
    for status in ["draft", "in_review", "withdrawn"]:
        factories.make_organization(slug=status.replace("_", "-"), review_status=status)
    assert list(type(public).objects.published()) == [public]


def test_released_excludes_announced_only_models():
    released = factories.make_model_release(slug="out")
    factories.make_model_release(slug="announced", announced_on=D(2026, 1, 1), released_on=None)
    assert list(ModelRelease.objects.released()) == [released]


def test_active_on_includes_open_start_and_excludes_ended_grants():
    open_start = factories.make_access_grant(slug="open-start", starts_on=None, ends_on=D(2026, 4, 24))
    running = factories.make_access_grant(slug="running", starts_on=D(2026, 1, 1))
    factories.make_access_grant(slug="future", starts_on=D(2026, 6, 1))
    factories.make_access_grant(slug="ended", starts_on=D(2025, 1, 1), ends_on=D(2026, 3, 1))
    active = set(AccessGrant.objects.active_on(D(2026, 3, 1)).values_list("slug", flat=True))
    assert active == {open_start.slug, running.slug}
    # On its end date a grant is no longer active.
    assert "open-start" not in set(AccessGrant.objects.active_on(D(2026, 4, 24)).values_list("slug", flat=True))


def test_in_force_on_follows_effective_and_end_dates():
    diffusion = factories.make_export_control(
        slug="ai-diffusion", effective_on=D(2025, 1, 13), ends_on=D(2025, 5, 13), end_reason="rescinded"
    )
    factories.make_export_control(slug="later", effective_on=D(2025, 9, 29))
    factories.make_export_control(slug="no-date", effective_on=None)
    assert list(ExportControl.objects.in_force_on(D(2025, 3, 1))) == [diffusion]
    assert list(ExportControl.objects.in_force_on(D(2025, 5, 13))) == []
    assert list(ExportControl.objects.in_force_on(D(2025, 1, 13))) == [diffusion]


def test_measure_ended_before_taking_effect_is_never_in_force():
    factories.make_export_control(
        slug="mofcom-57-2025", effective_on=D(2025, 11, 8), ends_on=D(2025, 11, 7), end_reason="suspended"
    )
    for day in [D(2025, 11, 6), D(2025, 11, 7), D(2025, 11, 8), D(2026, 12, 1)]:
        assert not ExportControl.objects.in_force_on(day).exists(), day


def test_in_force_on_excludes_measures_suspended_by_a_published_suspension_in_force():
    suspended = factories.make_export_control(slug="mofcom-61-2025", effective_on=D(2025, 10, 9))
    suspension = factories.make_export_control(
        slug="mofcom-70-2025",
        instrument="suspension",
        effective_on=D(2025, 11, 7),
        ends_on=D(2026, 11, 10),
        end_reason="expired",
    )
    suspension.suspends.add(suspended)

    def in_force(day):
        return set(ExportControl.objects.in_force_on(day).values_list("slug", flat=True))

    assert in_force(D(2025, 10, 20)) == {"mofcom-61-2025"}
    assert in_force(D(2026, 1, 1)) == {"mofcom-70-2025"}
    assert in_force(D(2026, 11, 10)) == {"mofcom-61-2025"}

    # A suspension that is not published does not change what the public is told is in force.
    suspension.review_status = "in_review"
    suspension.save()
    assert "mofcom-61-2025" in in_force(D(2026, 1, 1))


def test_measure_ended_by_a_suspension_returns_when_every_suspension_has_ended():
    rule = factories.make_export_control(
        slug="affiliates-rule", effective_on=D(2025, 9, 29), ends_on=D(2025, 11, 10), end_reason="suspended"
    )
    one_year = factories.make_export_control(
        slug="one-year-suspension",
        instrument="suspension",
        effective_on=D(2025, 11, 10),
        ends_on=D(2026, 11, 10),
        end_reason="expired",
    )
    one_year.suspends.add(rule)

    def in_force(day):
        return "affiliates-rule" in set(ExportControl.objects.in_force_on(day).values_list("slug", flat=True))

    assert in_force(D(2025, 11, 9))
    assert not in_force(D(2025, 11, 10))
    assert not in_force(D(2026, 11, 9))
    # The suspension ran out: the rule applies again, as scheduled.
    assert in_force(D(2026, 11, 10))
    assert in_force(D(2026, 12, 1))

    # A second suspension still running keeps it out, even though the first one ended.
    extension = factories.make_export_control(
        slug="extension", instrument="suspension", effective_on=D(2026, 11, 10), ends_on=None, end_reason=""
    )
    extension.suspends.add(rule)
    assert not in_force(D(2026, 12, 1))
    # ...and one without an end never lets it back.
    extension.suspends.remove(rule)
    open_ended = factories.make_export_control(
        slug="open-ended", instrument="suspension", effective_on=D(2025, 11, 10), ends_on=None, end_reason=""
    )
    open_ended.suspends.add(rule)
    assert not in_force(D(2027, 1, 1))


def test_measure_suspended_before_it_took_effect_takes_effect_when_the_suspension_ends():
    no_57 = factories.make_export_control(
        slug="mofcom-57-2025", effective_on=D(2025, 11, 8), ends_on=D(2025, 11, 7), end_reason="suspended"
    )
    no_70 = factories.make_export_control(
        slug="mofcom-70-2025",
        instrument="suspension",
        effective_on=D(2025, 11, 7),
        ends_on=D(2026, 11, 10),
        end_reason="expired",
    )
    no_70.suspends.add(no_57)
    in_force = ExportControl.objects.in_force_on
    for day in [D(2025, 11, 8), D(2026, 1, 1), D(2026, 11, 9)]:
        assert not in_force(day).filter(slug="mofcom-57-2025").exists(), day
    assert in_force(D(2026, 11, 10)).filter(slug="mofcom-57-2025").exists()
    # A suspension the public cannot see does not bring anything back either.
    no_70.review_status = "in_review"
    no_70.save()
    assert not in_force(D(2026, 12, 1)).filter(slug="mofcom-57-2025").exists()


def test_a_rescinded_measure_does_not_return_when_a_suspension_of_it_ends():
    rescinded = factories.make_export_control(
        slug="rescinded", effective_on=D(2025, 1, 1), ends_on=D(2025, 6, 1), end_reason="rescinded"
    )
    suspension = factories.make_export_control(
        slug="suspension",
        instrument="suspension",
        effective_on=D(2025, 3, 1),
        ends_on=D(2025, 4, 1),
        end_reason="expired",
    )
    suspension.suspends.add(rescinded)
    assert not ExportControl.objects.in_force_on(D(2025, 7, 1)).filter(slug="rescinded").exists()
