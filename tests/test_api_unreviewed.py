"""Nothing unreviewed reaches the public: not a draft, not a record in review, not an edit awaiting review,
through any door of the API (lists, records, nested records, citations, CSV, history, feed, updated_since)."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from datasets import services
from tests import factories
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db


def role(name, group):
    user = User.objects.create_user(name, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def scene():
    curator, reviewer = role("carla", "Curators"), role("rui", "Reviewers")
    source = factories.make_source(slug="readme")
    release = factories.make_model_release(slug="deepseek-v3", name="DeepSeek-V3", review_status="in_review")
    factories.make_citation(release, source, quote="public quote")
    services.publish(release, reviewer)
    grant = factories.make_access_grant(slug="v3-amd", model=release, review_status="in_review")
    services.publish(grant, reviewer)
    before = timezone.now()
    # An edit awaiting review: a revision in review with a new name, a new citation and a hidden chip.
    revision = services.start_revision(release, curator)
    revision.name = "UNREVIEWED NAME"
    services.save_edit(revision, curator, revision.version)
    factories.make_citation(revision, factories.make_source(slug="new-source"), quote="unreviewed quote")
    revision.training_chips.add(factories.make_chip(slug="draft-chip", review_status="draft"))
    services.submit_for_review(revision, curator)
    # A draft and a record in review, never published.
    factories.make_model_release(slug="draft-model", name="DRAFT NAME", review_status="draft")
    factories.make_model_release(slug="review-model", name="IN REVIEW NAME", review_status="in_review")
    return {"before": before - datetime.timedelta(seconds=1), "revision": revision}


SECRETS = [
    "UNREVIEWED NAME",
    "unreviewed quote",
    "draft-chip",
    "DRAFT NAME",
    "IN REVIEW NAME",
    "draft-model",
    "review-model",
    "--revision-",
]


def assert_hidden(text: str, where: str):
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked through {where}"


def test_unreviewed_content_is_invisible_through_every_door(client, scene):
    doors = [
        "/api/v1/model-releases/",
        "/api/v1/model-releases/?format=csv",
        "/api/v1/model-releases/?format=ndjson",
        "/api/v1/model-releases/?format=csv&limit=50",
        "/api/v1/model-releases/deepseek-v3/",
        "/api/v1/model-releases/deepseek-v3/?format=csv",
        "/api/v1/model-releases/deepseek-v3/history/",
        "/api/v1/access-grants/v3-amd/",
        "/api/v1/chips/",
        "/api/v1/sources/",
        "/api/v1/changes/",
        f"/api/v1/model-releases/?updated_since={scene['before'].isoformat().replace('+', '%2B')}",
        "/api/v1/",
        "/api/v1/dataset/",
    ]
    for url in doors:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hidden(content_of(response).decode(), url)
    public = client.get("/api/v1/model-releases/deepseek-v3/").json()
    assert public["name"] == "DeepSeek-V3"
    # The new citation awaits review with the rest of the edit (its source itself is public).
    assert [citation["source"] for citation in public["citations"]] == ["readme"]
    assert client.get("/api/v1/access-grants/v3-amd/").json()["model"]["name"] == "DeepSeek-V3"
    assert [v["number"] for v in client.get("/api/v1/model-releases/deepseek-v3/history/").json()] == [1]
    for hidden in ["draft-model", "review-model", scene["revision"].slug]:
        assert client.get(f"/api/v1/model-releases/{hidden}/").status_code == 404
        assert client.get(f"/api/v1/model-releases/{hidden}/history/").status_code == 404
