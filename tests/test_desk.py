"""The curators' desk on the admin's index (datasets.services.desk): what waits for whom, drafts, checks due."""

import datetime

import pytest
from django.urls import reverse

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.services import desk
from tests import factories
from tests.admin_testing import staff

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def people():
    return {
        "carla": staff("carla", "Curators"),
        "rui": staff("rui", "Reviewers"),
        "ana": staff("ana", "Reviewers"),
    }


def written_by(user, **fields):
    """A draft release saved by ``user`` (so its history names them), then submitted for review."""
    release = factories.make_model_release(review_status=ReviewStatusChoices.DRAFT, **fields)
    release.notes = "Edited."
    services.save_edit(release, user, release.version)
    return release


def test_a_reviewer_waits_only_for_what_others_wrote_oldest_first(people):
    carla, rui = people["carla"][0], people["rui"][0]
    older = written_by(carla, slug="older")
    services.submit_for_review(older, carla)
    own = written_by(rui, slug="own")
    services.submit_for_review(own, rui)
    newer = written_by(carla, slug="newer")
    services.submit_for_review(newer, carla)
    assert [record.slug for record in desk.awaiting_review(rui)] == ["older", "newer"]
    assert [record.slug for record in desk.awaiting_review(people["ana"][0])] == ["older", "own", "newer"]
    assert desk.awaiting_review(carla) == []  # a curator publishes nothing


def test_a_curator_sees_their_own_drafts(people):
    carla, rui = people["carla"][0], people["rui"][0]
    written_by(carla, slug="carlas")
    written_by(rui, slug="ruis")
    assert [record.slug for record in desk.own_drafts(carla)] == ["carlas"]


def test_records_are_due_for_a_check_when_ended_since_checked_never_checked_or_checked_long_ago(settings):
    settings.RECHECK_AFTER_DAYS = 180
    suspended = factories.make_export_control(
        slug="affiliates-rule-suspension",
        effective_on=datetime.date(2025, 11, 10),
        ends_on=datetime.date(2026, 11, 9),
        end_reason="expired",
        status_checked_on=datetime.date(2026, 6, 1),
    )
    checked_after_end = factories.make_export_control(
        slug="checked-after",
        ends_on=datetime.date(2026, 1, 1),
        end_reason="expired",
        status_checked_on=datetime.date(2026, 2, 1),
    )
    never = factories.make_model_release(slug="never-checked", status_checked_on=None)
    stale = factories.make_model_release(slug="stale", status_checked_on=datetime.date(2026, 1, 1))
    fresh = factories.make_model_release(slug="fresh", status_checked_on=datetime.date(2026, 11, 1))
    draft = factories.make_model_release(slug="draft", review_status=ReviewStatusChoices.DRAFT)
    due = {item.record.slug: item.reason for item in desk.recheck_queue(TODAY, limit=100)}
    assert due[suspended.slug] == "ended on 2026-11-09, since its last check"
    assert due[stale.slug] == "last checked on 2026-01-01"
    assert due[never.slug] == "never checked"
    assert fresh.slug not in due and draft.slug not in due
    assert due.get(checked_after_end.slug, "").startswith("ended") is False
    first = desk.recheck_queue(TODAY, limit=100)[0]
    assert first.record.slug == suspended.slug  # what ended comes first


def test_the_admin_index_shows_the_desk_to_each_user(people):
    carla, carla_client = people["carla"]
    rui_client = people["rui"][1]
    release = written_by(carla, slug="glm-4-6", name="GLM-4.6")
    services.submit_for_review(release, carla)
    written_by(carla, slug="draft-one", name="Draft One")
    page = rui_client.get(reverse("admin:index")).content.decode()
    assert "Waiting for your review" in page and "GLM-4.6" in page
    assert page.index("Your desk") < page.index("app-datasets")
    page = carla_client.get(reverse("admin:index")).content.decode()
    assert "Waiting for your review" not in page
    assert "Your drafts" in page and "Draft One" in page


def test_a_revision_waiting_for_review_says_it_changes_a_published_record(people):
    carla = people["carla"][0]
    rui_client = people["rui"][1]
    published = factories.make_model_release(slug="glm-4-6", name="GLM-4.6")
    revision = services.start_revision(published, carla)
    revision.notes = "Corrected."
    services.save_edit(revision, carla, revision.version)
    services.submit_for_review(revision, carla)
    fresh = written_by(carla, slug="glm-5", name="GLM-5")
    services.submit_for_review(fresh, carla)
    page = rui_client.get(reverse("admin:index")).content.decode()
    waiting = page.split('class="desk-awaiting"', 1)[1].split("</ol>", 1)[0]
    items = waiting.split("<li>")[1:]
    assert "GLM-4.6" in items[0] and "a change to the published record" in items[0]
    assert "GLM-5" in items[1] and "a change to the published record" not in items[1]
