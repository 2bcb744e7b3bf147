"""/api/v1/changes/: every public change, in order, with a cursor that never skips or repeats one."""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from datasets import services
from datasets.models import ChangeEvent, ModelRelease
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    user = User.objects.create_user("rui", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def publish_draft(slug, reviewer):
    record = factories.make_model_release(slug=slug, review_status="in_review")
    return services.publish(record, reviewer)


def feed(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_feed_lists_publications_updates_and_withdrawals_in_order(client, reviewer):
    record = publish_draft("first", reviewer)
    publish_draft("second", reviewer)
    services.withdraw(record, reviewer, "duplicate")
    body = feed(client)
    assert [(c["slug"], c["change"]) for c in body["results"]] == [
        ("first", "published"),
        ("second", "published"),
        ("first", "withdrawn"),
    ]
    seqs = [c["seq"] for c in body["results"]]
    assert seqs == sorted(seqs) and body["last_seq"] == seqs[-1]
    assert body["results"][0]["url"] == "http://testserver/api/v1/model-releases/first/"
    assert body["next"] is None


def test_following_next_pages_through_everything_once(client, reviewer):
    for number in range(5):
        publish_draft(f"model-{number}", reviewer)
    seen, url = [], "/api/v1/changes/?limit=2"
    while url:
        body = client.get(url).json()
        seen += [change["seq"] for change in body["results"]]
        url = body["next"]
    assert seen == list(ChangeEvent.objects.values_list("seq", flat=True))
    # A client resuming after the last seq it saw gets only what came later.
    publish_draft("late", reviewer)
    assert [c["slug"] for c in feed(client, after=seen[-1])["results"]] == ["late"]


def test_feed_filters_and_bad_parameters(client, reviewer):
    publish_draft("a-model", reviewer)
    services.publish(factories.make_chip(slug="a-chip", review_status="in_review"), reviewer)
    assert [c["slug"] for c in feed(client, resource="chips")["results"]] == ["a-chip"]
    assert feed(client, change="withdrawn")["results"] == []
    for params, name in [({"after": "-1"}, "after"), ({"limit": "0"}, "limit"), ({"resource": "users"}, "resource")]:
        response = client.get("/api/v1/changes/", params)
        assert response.status_code == 400 and list(response.json()) == [name]


def test_drafts_and_reviews_never_reach_the_feed(client, reviewer):
    draft = factories.make_model_release(slug="draft-only", review_status="draft")
    services.submit_for_review(draft, reviewer)
    assert feed(client)["results"] == []


# serialized_rollback: the roles and countries the migrations made are restored for the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_publishing_leaves_no_gap_or_repeat(reviewer):
    records = [factories.make_model_release(slug=f"parallel-{n}", review_status="in_review") for n in range(8)]
    errors = []

    def publish(record):
        try:
            services.publish(ModelRelease.objects.get(pk=record.pk), reviewer)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if connection.vendor == "sqlite":
        # SQLite lets one writer in at a time; a writer that waited too long reports "database is locked".
        errors = [error for error in errors if "locked" not in str(error)]
    assert errors == []
    seqs = list(ChangeEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == len(set(seqs)) == ModelRelease.objects.published().count()
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
