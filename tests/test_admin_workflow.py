"""The review workflow in the admin, as curators and reviewers use it: buttons, four eyes, revisions,
history and revert, and edits that cannot overwrite each other."""

import pytest
from django.contrib import admin
from django.urls import reverse

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.models import ChangeEvent, ModelRelease, ReviewedRecord
from tests import factories
from tests.admin_testing import staff, take_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return staff("carla", "Curators")


@pytest.fixture
def reviewer():
    return staff("rui", "Reviewers")


@pytest.fixture
def second_reviewer():
    return staff("rosa", "Reviewers")


def change_url(record):
    return reverse("admin:datasets_modelrelease_change", args=[record.pk])


def transition(client, record, name, **data):
    return take_step(client, record, name, **data)


def form_data(page, **changes):
    """The values a browser would send back from a change page, with ``changes`` applied."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = str(management[name].value())
    data.update(changes)
    return data


def add_release(client, developer, slug="new-model"):
    response = client.post(
        reverse("admin:datasets_modelrelease_add"),
        {
            "name": "New model",
            "slug": slug,
            "developer": developer.pk,
            "architecture": "moe",
            "weights": "open_weights",
            "date_precision": "day",
            "confidence": "medium",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "access_grants-TOTAL_FORMS": "0",
            "access_grants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return ModelRelease.objects.get(slug=slug)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_curator_drafts_and_submits_and_a_reviewer_publishes(curator, reviewer):
    user, client = curator
    record = add_release(client, factories.make_organization())
    assert record.review_status == "draft" and record.last_edited_by == user

    page = client.get(change_url(record))
    assert [b["name"] for b in page.context["transition_buttons"]] == ["submit_for_review"]
    transition(client, record, "submit_for_review")
    record.refresh_from_db()
    assert record.review_status == "in_review"

    # A curator has no Publish button, and the server refuses the request all the same.
    assert "publish" not in [b["name"] for b in client.get(change_url(record)).context["transition_buttons"]]
    refused = transition(client, record, "publish")
    assert any("Only a reviewer" in m for m in messages_of(refused))
    record.refresh_from_db()
    assert record.review_status == "in_review"

    _, reviewer_client = reviewer
    published = transition(reviewer_client, record, "publish")
    assert any("published" in m for m in messages_of(published))
    record.refresh_from_db()
    assert record.review_status == "published"
    assert ChangeEvent.objects.get().slug == "new-model"


def test_a_reviewer_is_offered_publish_only_on_what_someone_else_wrote(reviewer, second_reviewer):
    _, client = reviewer
    record = add_release(client, factories.make_organization())
    transition(client, record, "submit_for_review")
    offered = [button["name"] for button in client.get(change_url(record)).context["transition_buttons"]]
    assert offered == ["return_to_draft"]  # not Publish: they wrote it (four eyes)
    page = second_reviewer[1].get(change_url(record))
    assert [button["name"] for button in page.context["transition_buttons"]] == ["publish", "return_to_draft"]
    assert b'value="publish"' in page.content


def test_a_records_page_shows_its_review_state_at_the_top(reviewer):
    _, client = reviewer
    record = add_release(client, factories.make_organization())
    page = client.get(change_url(record)).content.decode()
    assert '<p class="review-badge review-draft">Draft</p>' in page
    assert page.index("review-badge review-draft") < page.index('id="modelrelease_form"')
    transition(client, record, "submit_for_review")
    assert 'class="review-badge review-in_review">In review' in client.get(change_url(record)).content.decode()


def test_a_reviewer_cannot_publish_their_own_change(reviewer, second_reviewer):
    _, client = reviewer
    record = add_release(client, factories.make_organization())
    transition(client, record, "submit_for_review")
    refused = transition(client, record, "publish")
    assert any("four eyes" in m for m in messages_of(refused))
    record.refresh_from_db()
    assert record.review_status == "in_review"
    transition(second_reviewer[1], record, "publish")
    record.refresh_from_db()
    assert record.review_status == "published"


def test_published_record_is_read_only_and_changes_through_a_revision(curator, reviewer):
    record = factories.make_model_release(slug="deepseek-v3", name="DeepSeek-V3")
    _, client = curator
    page = client.get(change_url(record))
    assert page.context["has_change_permission"] is False
    assert [b["name"] for b in page.context["transition_buttons"]] == ["start_revision"]
    post = client.post(change_url(record), form_data(page, name="Sneaky edit"))
    assert post.status_code == 403
    record.refresh_from_db()
    assert record.name == "DeepSeek-V3"

    revision_page = transition(client, record, "start_revision")
    revision = ModelRelease.objects.get(revision_of=record)
    assert revision_page.redirect_chain[-1][0] == change_url(revision)
    edit = client.post(change_url(revision), form_data(revision_page, name="DeepSeek-V3 (and V3-Base)"))
    assert edit.status_code == 302
    transition(client, revision, "submit_for_review")
    # The public still sees the published version.
    assert client.get("/api/v1/model-releases/deepseek-v3/").json()["name"] == "DeepSeek-V3"
    transition(reviewer[1], revision, "publish")
    assert client.get("/api/v1/model-releases/deepseek-v3/").json()["name"] == "DeepSeek-V3 (and V3-Base)"
    assert not ModelRelease.objects.filter(pk=revision.pk).exists()


def test_second_of_two_concurrent_saves_is_refused_and_the_first_is_kept(curator, reviewer):
    record = factories.make_model_release(slug="draft-model", name="Draft", review_status="draft")
    _, first = curator
    _, second = reviewer
    first_page = first.get(change_url(record))
    second_page = second.get(change_url(record))

    assert first.post(change_url(record), form_data(first_page, name="First edit")).status_code == 302
    refused = second.post(change_url(record), form_data(second_page, name="Second edit"))
    assert refused.status_code == 200
    errors = " ".join(refused.context["adminform"].form.non_field_errors())
    assert "carla saved this model release while you were editing it (changed: name)" in errors
    record.refresh_from_db()
    assert record.name == "First edit"


def test_withdraw_asks_for_a_reason_and_keeps_it(reviewer):
    record = factories.make_model_release(slug="to-withdraw")
    _, client = reviewer
    url = reverse("admin:datasets_modelrelease_transition", args=[record.pk, "withdraw"])
    asked = client.post(url)
    assert asked.status_code == 200 and b'name="reason"' in asked.content
    record.refresh_from_db()
    assert record.review_status == "published"
    client.post(url, {"reason": "Duplicate of deepseek-v3"})
    record.refresh_from_db()
    assert record.review_status == "withdrawn"
    assert "Duplicate of deepseek-v3" in record.curator_notes
    assert ChangeEvent.objects.get().change == "withdrawn"


def test_history_shows_each_change_and_revert_goes_through_review(curator, reviewer, second_reviewer):
    _, client = curator
    record = add_release(client, factories.make_organization(), slug="history-model")
    page = client.get(change_url(record))
    client.post(change_url(record), form_data(page, name="Renamed"))
    transition(client, record, "submit_for_review")
    transition(reviewer[1], record, "publish")

    history = client.get(reverse("admin:datasets_modelrelease_history", args=[record.pk]))
    assert history.status_code == 200
    assert b"Renamed" in history.content and b"carla" in history.content

    first_version = record.history.earliest()
    revert_url = reverse("admin:datasets_modelrelease_simple_history", args=[record.pk, first_version.pk])
    assert client.get(revert_url).status_code == 200
    client.post(revert_url, {})
    revision = ModelRelease.objects.get(revision_of=record)
    assert revision.name == "New model" and revision.review_status == "draft"
    record.refresh_from_db()
    assert record.name == "Renamed"


def test_the_admins_actions_and_buttons_are_the_workflow_table(curator, reviewer):
    table = services.TRANSITIONS.values()
    # Actions: one per step that has a list action, with the table's description, and no other.
    reviewed = [model for model in admin.site._registry if issubclass(model, ReviewedRecord)]
    assert len(reviewed) == 6
    for model in reviewed:
        changelist = reviewer[1].get(reverse(f"admin:datasets_{model._meta.model_name}_changelist"))
        choices = changelist.context["action_form"].fields["action"].choices[1:]
        assert choices == [(step.name, step.action) for step in table if step.action], model

    # Buttons: on a record in each state, the steps that start from it, each with its label; a curator does
    # not get the steps kept for reviewers.
    for status in ReviewStatusChoices.values:
        record = factories.make_model_release(review_status=status)
        for (_, client), reviewer_role in ((curator, False), (reviewer, True)):
            buttons = client.get(change_url(record)).context["transition_buttons"]
            expected = [
                (step.name, step.label)
                for step in table
                if status in step.from_states and (reviewer_role or not step.reviewers_only)
            ]
            assert [(button["name"], button["label"]) for button in buttons] == expected, (status, reviewer_role)

    # Views: each step's confirmation page, titled with its label; a name not in the table is refused.
    record = factories.make_model_release()
    for step in table:
        page = reviewer[1].get(reverse("admin:datasets_modelrelease_transition", args=[record.pk, step.name]))
        assert page.status_code == 200 and page.context["label"] == step.label
        assert (b'name="reason"' in page.content) == step.needs_reason
    refused = reviewer[1].post(reverse("admin:datasets_modelrelease_transition", args=[record.pk, "delete"]))
    assert refused.status_code == 403
