"""/api/v1/<resource>/<slug>/history/: the versions the public saw, with what changed, nothing private."""

import pytest
from django.contrib.auth.models import Group, User

from datasets import services
from tests import factories

pytestmark = pytest.mark.django_db


def role(name, group):
    user = User.objects.create_user(name, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_history_lists_public_versions_and_their_changes(client):
    curator, reviewer = role("carla", "Curators"), role("rui", "Reviewers")
    chip = factories.make_chip(slug="nvidia-h800")
    record = factories.make_model_release(slug="deepseek-v3", name="DeepSeek-V3", review_status="draft")
    services.save_edit(record, curator, record.version)
    services.submit_for_review(record, curator)
    services.publish(record, reviewer)

    revision = services.start_revision(record, curator)
    revision.name = "DeepSeek-V3 (and V3-Base)"
    revision.curator_notes = "checked against the README"
    services.save_edit(revision, curator, revision.version)
    revision.training_chips.add(chip)
    services.submit_for_review(revision, curator)
    services.publish(revision, reviewer)

    response = client.get("/api/v1/model-releases/deepseek-v3/history/")
    assert response.status_code == 200
    versions = response.json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["changes"] == []
    changes = {change["field"]: change for change in versions[1]["changes"]}
    assert changes["name"] == {"field": "name", "old": "DeepSeek-V3", "new": "DeepSeek-V3 (and V3-Base)"}
    assert changes["training_chips"]["new"] == ["nvidia-h800"]
    text = response.content.decode()
    for private in ["carla", "rui", "checked against", "curator_notes", "review_status", "in_review"]:
        assert private not in text


def test_history_of_a_hidden_record_is_a_404(client):
    factories.make_model_release(slug="draft-model", review_status="draft")
    assert client.get("/api/v1/model-releases/draft-model/history/").status_code == 404
    assert client.get("/api/v1/model-releases/no-such/history/").status_code == 404
