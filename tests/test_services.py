"""The review workflow's rules, as the service functions enforce them."""

import pytest
from django.contrib.auth.models import Group, User

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.models import AccessGrant, ChangeEvent, ModelRelease, Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    user = User.objects.create_user("carla", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def reviewer():
    user = User.objects.create_user("rui", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def second_reviewer():
    user = User.objects.create_user("rosa", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def draft_by(user, **fields):
    """A draft whose content ``user`` wrote (a real change: a save that changes nothing makes no author)."""
    record = factories.make_model_release(review_status="draft", **fields)
    record.notes = f"Written by {user.username}."
    assert services.save_edit(record, user, record.version)
    return record


def test_draft_goes_through_review_before_publication(curator, reviewer):
    record = draft_by(curator)
    with pytest.raises(services.TransitionError, match="draft"):
        services.publish(record, reviewer)
    services.submit_for_review(record, curator)
    services.publish(record, reviewer)
    record.refresh_from_db()
    assert record.review_status == "published"


def test_a_curator_cannot_publish_or_withdraw(curator):
    record = draft_by(curator)
    services.submit_for_review(record, curator)
    with pytest.raises(services.TransitionError, match="Only a reviewer"):
        services.publish(record, curator)
    public = factories.make_model_release()
    with pytest.raises(services.TransitionError, match="Only a reviewer"):
        services.withdraw(public, curator, "wrong")


def test_a_reviewer_cannot_publish_their_own_change(reviewer, second_reviewer):
    record = draft_by(reviewer)
    services.submit_for_review(record, reviewer)
    with pytest.raises(services.TransitionError, match="four eyes"):
        services.publish(record, reviewer)
    services.publish(record, second_reviewer)
    assert ModelRelease.objects.get(pk=record.pk).review_status == "published"


def test_withdraw_needs_a_reason_and_keeps_it(reviewer):
    record = factories.make_source()
    with pytest.raises(services.TransitionError, match="reason"):
        services.withdraw(record, reviewer, "  ")
    services.withdraw(record, reviewer, "URL points to a different article")
    record.refresh_from_db()
    assert record.review_status == "withdrawn"
    assert "URL points to a different article" in record.curator_notes
    assert record.history.first().history_change_reason == "Withdrawn: URL points to a different article"


def test_withdrawn_record_returns_to_draft_not_straight_to_public(reviewer):
    record = factories.make_organization(review_status="withdrawn")
    with pytest.raises(services.TransitionError):
        services.publish(record, reviewer)
    services.return_to_draft(record, reviewer)
    assert record.review_status == "draft"


def test_publishing_and_withdrawing_append_to_the_feed_in_order(curator, reviewer):
    record = draft_by(curator, slug="feed-model")
    services.submit_for_review(record, curator)
    services.publish(record, reviewer)
    services.withdraw(record, reviewer, "duplicate")
    events = list(ChangeEvent.objects.values_list("resource", "slug", "change"))
    assert events == [("model-releases", "feed-model", "published"), ("model-releases", "feed-model", "withdrawn")]
    seqs = list(ChangeEvent.objects.values_list("seq", flat=True))
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_published_record_is_changed_only_through_a_reviewed_revision(curator, reviewer, second_reviewer):
    chip = factories.make_chip(slug="nvidia-h800")
    source = factories.make_source(slug="readme")
    record = factories.make_model_release(slug="deepseek-v3", name="DeepSeek-V3", parameters_total=671)
    record.training_chips.add(chip)
    factories.make_citation(record, source, locator="p. 1")
    with pytest.raises(services.TransitionError, match="revision"):
        services.save_edit(record, curator, record.version)

    revision = services.start_revision(record, curator)
    assert revision.review_status == "draft" and revision.revision_of == record
    assert list(revision.training_chips.all()) == [chip]
    assert revision.citations.get().locator == "p. 1"
    with pytest.raises(services.TransitionError, match="already has a revision"):
        services.start_revision(record, curator)

    revision.name = "DeepSeek-V3 (and V3-Base)"
    services.save_edit(revision, curator, revision.version)
    revision.citations.all().delete()
    factories.make_citation(revision, source, locator="p. 2")
    # Until the revision is published, the public record is unchanged.
    assert ModelRelease.objects.published().get(slug="deepseek-v3").name == "DeepSeek-V3"

    services.submit_for_review(revision, curator)
    public = services.publish(revision, reviewer)
    assert public.pk == record.pk
    record.refresh_from_db()
    assert record.name == "DeepSeek-V3 (and V3-Base)"
    assert record.slug == "deepseek-v3" and record.review_status == "published"
    assert list(record.citations.values_list("locator", flat=True)) == ["p. 2"]
    assert not ModelRelease.objects.filter(pk=revision.pk).exists()
    assert ChangeEvent.objects.last().change == "updated"


def test_stale_edit_is_refused_and_names_what_changed(curator, reviewer):
    record = draft_by(curator, name="First")
    loaded = record.version
    other = ModelRelease.objects.get(pk=record.pk)
    other.name = "Changed by the reviewer"
    services.save_edit(other, reviewer, loaded)
    record.name = "Changed by the curator"
    with pytest.raises(services.EditConflict, match=r"rui saved this model release .*changed: name"):
        services.save_edit(record, curator, loaded)
    assert ModelRelease.objects.get(pk=record.pk).name == "Changed by the reviewer"


def test_revert_of_a_published_record_makes_a_revision_with_the_old_values(curator, reviewer, second_reviewer):
    record = draft_by(curator, name="Old name")
    services.submit_for_review(record, curator)
    services.publish(record, reviewer)
    revision = services.start_revision(record, curator)
    revision.name = "New name"
    services.save_edit(revision, curator, revision.version)
    services.submit_for_review(revision, curator)
    services.publish(revision, reviewer)
    record.refresh_from_db()
    old = record.history.filter(name="Old name", review_status="published").first()

    reverting = services.revert_to(record, old, second_reviewer)
    assert reverting.review_status == "draft" and reverting.name == "Old name"
    record.refresh_from_db()
    assert record.name == "New name"  # still public until the revert is reviewed


def test_published_and_withdrawn_records_are_locked_against_edits_in_place():
    locked = {status for status in ReviewStatusChoices.values if ModelRelease(review_status=status).is_locked}
    assert locked == {"published", "withdrawn"}


def test_fill_default_grantor_gives_a_grant_without_one_its_models_developer():
    release = factories.make_model_release()
    grant = AccessGrant(slug="new-grant", model=release)
    services.fill_default_grantor(grant)
    assert grant.grantor == release.developer

    named = factories.make_organization(slug="named-grantor")
    kept = AccessGrant(slug="named-grant", model=release, grantor=named)
    services.fill_default_grantor(kept)
    assert kept.grantor == named

    unknown_model = AccessGrant(slug="unknown-model", model_description="an unnamed model")
    services.fill_default_grantor(unknown_model)
    assert unknown_model.grantor is None


@pytest.mark.parametrize("name", list(services.TRANSITIONS))
def test_each_step_starts_only_from_the_states_the_table_lists(name, reviewer):
    transition = services.TRANSITIONS[name]
    for status in ReviewStatusChoices.values:
        record = factories.make_organization(review_status=status)
        if status in transition.from_states:
            transition.run(record, reviewer, "a reason")
        else:
            with pytest.raises(services.TransitionError):
                transition.run(record, reviewer, "a reason")
            assert Organization.objects.get(pk=record.pk).review_status == status


@pytest.mark.parametrize("name", list(services.TRANSITIONS))
def test_only_reviewers_take_the_steps_the_table_keeps_for_them(name, curator):
    transition = services.TRANSITIONS[name]
    record = factories.make_organization(review_status=transition.from_states[0])
    if transition.reviewers_only:
        with pytest.raises(services.TransitionError, match="Only a reviewer"):
            transition.run(record, curator, "a reason")
    else:
        transition.run(record, curator, "a reason")


def test_the_workflow_table_is_the_documented_one():
    # The README's rules, written out: a test derived from the table itself could not catch a wrong row.
    assert [(step.name, tuple(step.from_states), step.reviewers_only) for step in services.TRANSITIONS.values()] == [
        ("submit_for_review", ("draft",), False),
        ("publish", ("in_review",), True),
        ("return_to_draft", ("in_review", "withdrawn"), False),
        ("start_revision", ("published",), False),
        ("withdraw", ("published",), True),
    ]
