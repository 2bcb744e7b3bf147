"""Review by diff: a revision's page and the confirmation of Publish show, field by field (relations and
citations included), the published value beside the proposed one; the reviewer publishes what they saw."""

import pytest

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.models import ModelReleaseCitation
from datasets.services.diffs import revision_changes
from tests import factories
from tests.admin_testing import admin_url, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def revision():
    """A published release and a revision of it that changes a field, the developer, a relation and a citation."""
    curator, _ = staff("carla", "Curators")
    zhipu = factories.make_organization(slug="zhipu-ai", name="Zhipu AI")
    zai = factories.make_organization(slug="z-ai", name="Z.ai")
    ascend = factories.make_chip(slug="huawei-ascend-910b", name="Ascend 910B")
    h800 = factories.make_chip(slug="nvidia-h800", name="H800")
    card = factories.make_source(slug="glm-4-6-model-card")
    blog = factories.make_source(slug="zai-blog-glm-4-6")
    release = factories.make_model_release(slug="glm-4-6", name="GLM-4.6", developer=zhipu)
    release.training_chips.add(h800)
    ModelReleaseCitation.objects.create(record=release, source=card, locator="p. 1", quote="355B parameters")
    copy = services.start_revision(release, curator)
    copy.name, copy.developer = "GLM-4.6 (Z.ai)", zai
    services.save_edit(copy, curator, copy.version)
    copy.training_chips.set([ascend])
    ModelReleaseCitation.objects.create(record=copy, source=blog, locator="", quote="")
    services.submit_for_review(copy, curator)
    copy.refresh_from_db()
    return copy


def test_the_changes_are_listed_field_by_field_with_relations_and_citations(revision):
    changes = {change.label: (change.published, change.proposed) for change in revision_changes(revision)}
    assert changes["Name"] == ("GLM-4.6", "GLM-4.6 (Z.ai)")
    assert changes["Developer"] == ("Zhipu AI", "Z.ai")
    assert changes["Training chips"] == ("H800", "Ascend 910B")
    published, proposed = changes["Citations"]
    assert published == "glm-4-6-model-card (p. 1): “355B parameters”"
    assert proposed == "glm-4-6-model-card (p. 1): “355B parameters”\nzai-blog-glm-4-6"
    assert "Slug" not in changes and "Review status" not in changes  # the workflow's, not the content


def test_a_revisions_page_shows_its_changes(revision):
    _, client = staff("rui", "Reviewers")
    page = client.get(admin_url(revision)).content.decode()
    assert "What publishing this revision changes in GLM-4.6" in page
    assert '<td class="published">Zhipu AI</td>' in page and '<td class="proposed">Z.ai</td>' in page


def test_publishing_a_revision_is_confirmed_on_its_changes_and_publishes_what_was_seen(revision):
    _, client = staff("rui", "Reviewers")
    url = admin_url(revision, "transition", "publish")
    confirm = client.post(url, {"transition": "publish"})  # the page's Publish button
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Ascend 910B" in text and f'name="seen_version" value="{revision.version}"' in text
    revision.refresh_from_db()
    assert revision.review_status == ReviewStatusChoices.IN_REVIEW  # nothing published yet
    done = client.post(url, {"transition": "publish", "seen_version": str(revision.version)})
    assert done.status_code == 302
    release = type(revision).objects.get(slug="glm-4-6")
    assert (release.name, release.developer.slug) == ("GLM-4.6 (Z.ai)", "z-ai")


def test_a_revision_changed_after_its_changes_were_shown_is_not_published(revision):
    _, client = staff("rui", "Reviewers")
    url = admin_url(revision, "transition", "publish")
    seen = str(revision.version)
    revision.notes = "One more change."
    services.save_edit(revision, staff("ana", "Curators")[0], revision.version)
    refused = client.post(url, {"transition": "publish", "seen_version": seen}, follow=True)
    assert "read them again before publishing" in refused.content.decode()
    assert type(revision).objects.get(slug="glm-4-6").name == "GLM-4.6"


def test_a_revision_is_not_published_from_the_list_without_its_changes(revision):
    _, client = staff("rui", "Reviewers")
    from django.urls import reverse

    response = client.post(
        reverse("admin:datasets_modelrelease_changelist"),
        {"action": "publish", "_selected_action": [revision.pk]},
        follow=True,
    )
    assert "publish it from its page" in response.content.decode()
    revision.refresh_from_db()
    assert revision.review_status == ReviewStatusChoices.IN_REVIEW


def test_a_count_is_shown_as_curators_write_it(revision):
    published = revision.revision_of
    published.__class__.objects.filter(pk=published.pk).update(parameters_total=355_000_000_000)
    published.refresh_from_db()
    revision.parameters_total = 1_600_000_000_000
    services.save_edit(revision, revision.last_edited_by, revision.version)
    changes = {change.label: (change.published, change.proposed) for change in revision_changes(revision)}
    assert changes["Parameters total"] == ("355B", "1.6T")
