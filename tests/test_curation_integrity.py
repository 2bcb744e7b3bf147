"""Curation integrity (issue 13): nothing bypasses four eyes, nothing undoes a review, nothing is hard-deleted.

One test (or a few) per defect found on the earlier main, each named after the rule it checks.
"""

import datetime
import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from datasets import services
from datasets.models import (
    AccessGrant,
    ChangeEvent,
    ExportControl,
    ModelRelease,
    ModelReleaseCitation,
    ReviewedRecord,
    Source,
)
from datasets.resources import resource_of
from tests import factories
from tests.admin_testing import admin_url, form_data, staff, take_step

pytestmark = pytest.mark.django_db

FIXTURES = settings.BASE_DIR / "fixtures"


@pytest.fixture
def curator():
    return staff("carla", "Curators")


@pytest.fixture
def reviewer():
    return staff("rui", "Reviewers")


@pytest.fixture
def second_reviewer():
    return staff("rosa", "Reviewers")


def import_dataset(directory) -> str:
    out = StringIO()
    call_command("import_dataset", str(directory), stdout=out)
    return out.getvalue()


def transition(client, record, name, **data):
    return take_step(client, record, name, **data)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# 1. Re-running `make serve` (an import of the committed fixtures) never undoes a reviewed change.


def revise(record, curator, reviewer, **values):
    """A reviewed change of a published record: a revision by ``curator``, published by ``reviewer``."""
    revision = services.start_revision(record, curator)
    for name, value in values.items():
        setattr(revision, name, value)
    assert services.save_edit(revision, curator, revision.version)
    services.submit_for_review(revision, curator)
    return services.publish(revision, reviewer)


def test_importing_the_fixtures_again_keeps_a_published_change_and_says_so(curator, reviewer):
    import_dataset(FIXTURES)
    v3 = ModelRelease.objects.get(slug="deepseek-v3")
    assert v3.review_status == "published" and v3.license != "Changed by curators"
    revise(v3, curator[0], reviewer[0], license="Changed by curators")
    events, versions = ChangeEvent.objects.count(), v3.history.count()

    output = import_dataset(FIXTURES)

    v3.refresh_from_db()
    assert v3.license == "Changed by curators"
    assert "changed 0 record(s)" in output
    assert "kept datasets.modelrelease deepseek-v3: license changed here since the last import" in output
    assert re.search(r"datasets\.modelrelease: 0 created, 0 updated, \d+ unchanged, 1 kept", output)
    assert ChangeEvent.objects.count() == events
    assert v3.history.count() == versions
    assert not v3.history.filter(history_change_reason__startswith="Imported").exclude(
        history_id__in=[v3.history.earliest().history_id]
    )


def test_a_publication_by_reviewers_survives_a_new_import(curator, reviewer):
    import_dataset(FIXTURES)
    pending = publishable_release()
    services.publish(pending, reviewer[0])
    import_dataset(FIXTURES)
    pending.refresh_from_db()
    assert pending.review_status == "published"


def publishable_release() -> ModelRelease:
    """A model release in review that cites a published source (so that it passes validation once public)."""
    pending = ModelRelease.objects.filter(review_status="in_review", citations__source__review_status="published")
    return pending.order_by("slug").first()


def edited_copy(tmp_path, filename, slug, **fields) -> Path:
    """A copy of the fixtures in which one record of ``filename`` has new values."""
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    path = copy / filename
    entries = json.loads(path.read_text())
    (entry,) = [e for e in entries if e["fields"].get("slug") == slug]
    entry["fields"].update(fields)
    path.write_text(json.dumps(entries))
    return copy


def test_a_field_changed_only_in_the_file_is_applied_next_to_a_kept_one(tmp_path, curator, reviewer):
    import_dataset(FIXTURES)
    revise(ModelRelease.objects.get(slug="deepseek-v3"), curator[0], reviewer[0], license="Changed by curators")
    copy = edited_copy(tmp_path, "04_model_releases.json", "deepseek-v3", notes="Corrected in the file.")

    output = import_dataset(copy)

    v3 = ModelRelease.objects.get(slug="deepseek-v3")
    assert (v3.license, v3.notes) == ("Changed by curators", "Corrected in the file.")
    assert "datasets.modelrelease: 0 created, 1 updated" in output
    assert ChangeEvent.objects.last().change == "updated" and ChangeEvent.objects.last().slug == "deepseek-v3"


def test_a_field_changed_on_both_sides_is_not_overwritten_and_goes_to_review(tmp_path, curator, reviewer):
    import_dataset(FIXTURES)
    revise(ModelRelease.objects.get(slug="deepseek-v3"), curator[0], reviewer[0], license="Changed by curators")
    copy = edited_copy(tmp_path, "04_model_releases.json", "deepseek-v3", license="Changed in the file")

    output = import_dataset(copy)

    v3 = ModelRelease.objects.get(slug="deepseek-v3")
    assert v3.license == "Changed by curators"
    revision = ModelRelease.objects.get(revision_of=v3)
    assert (revision.license, revision.review_status) == ("Changed in the file", "in_review")
    assert (
        f"conflict datasets.modelrelease deepseek-v3: license changed both here and in the file; not overwritten, "
        f"the file's version is in review as {revision.slug}" in output
    )
    # Handed over once: the next import of the same file keeps the reviewers' decision.
    services.publish(revision, reviewer[0])
    assert "changed 0 record(s)" in import_dataset(copy)
    assert ModelRelease.objects.get(slug="deepseek-v3").license == "Changed in the file"


def test_a_citation_removed_by_a_reviewed_revision_stays_removed(curator, reviewer):
    import_dataset(FIXTURES)
    v3 = ModelRelease.objects.get(slug="deepseek-v3")
    cited = list(v3.citations.values_list("source__slug", flat=True))
    assert len(cited) > 1
    revision = services.start_revision(v3, curator[0])

    def drop_one():
        revision.citations.filter(source__slug=cited[0]).delete()

    assert services.save_edit(revision, curator[0], revision.version, related=drop_one)
    services.submit_for_review(revision, curator[0])
    services.publish(revision, reviewer[0])

    output = import_dataset(FIXTURES)
    assert sorted(v3.citations.values_list("source__slug", flat=True)) == sorted(cited[1:])
    assert f"kept datasets.modelreleasecitation deepseek-v3/{cited[0]}/" in output


# 2. Four eyes: the person who publishes wrote none of the content; a save that changes nothing records nothing.


def add_draft(client, developer, slug="new-model", **fields):
    data = {
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
        **fields,
    }
    response = client.post(reverse("admin:datasets_modelrelease_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return ModelRelease.objects.get(slug=slug)


def test_a_save_that_changes_nothing_records_nothing_and_makes_no_author(curator, reviewer, second_reviewer):
    (rui, rui_client), (_, carla_client) = reviewer, curator
    record = add_draft(rui_client, factories.make_organization(), notes="first line\r\nsecond line")
    versions = record.history.count()

    page = carla_client.get(admin_url(record))
    assert carla_client.post(admin_url(record), form_data(page)).status_code == 302

    record.refresh_from_db()
    assert record.history.count() == versions
    assert (record.last_edited_by, record.version) == (rui, 1)
    transition(rui_client, record, "submit_for_review")
    refused = transition(rui_client, record, "publish")
    assert any("four eyes" in message for message in messages_of(refused))
    assert ModelRelease.objects.get(pk=record.pk).review_status == "in_review"
    transition(second_reviewer[1], record, "publish")
    assert ModelRelease.objects.get(pk=record.pk).review_status == "published"


def test_a_reviewer_who_wrote_part_of_a_record_cannot_publish_it_after_another_edit(curator, reviewer):
    (rui, rui_client), (_, carla_client) = reviewer, curator
    record = add_draft(rui_client, factories.make_organization())
    page = carla_client.get(admin_url(record))
    carla_client.post(admin_url(record), form_data(page, notes="Added by Carla."))
    record.refresh_from_db()
    assert record.last_edited_by.username == "carla"
    services.submit_for_review(record, rui)
    assert services.authors(record) >= {rui.pk}
    with pytest.raises(services.TransitionError, match="four eyes"):
        services.publish(record, rui)


def test_a_citation_added_through_the_inline_makes_its_writer_an_author(curator, reviewer):
    (rui, rui_client), (carla, _) = reviewer, curator
    record = factories.make_model_release(slug="cited", review_status="draft")
    source = factories.make_source()
    page = rui_client.get(admin_url(record))
    data = form_data(page, **{"citations-TOTAL_FORMS": "1", "citations-0-source": str(source.pk)})
    assert rui_client.post(admin_url(record), data).status_code == 302
    assert record.citations.get().source == source
    record.refresh_from_db()
    assert services.authors(record) == {rui.pk}
    services.submit_for_review(record, carla)
    with pytest.raises(services.TransitionError, match="four eyes"):
        services.publish(record, rui)


# 3. No reviewed record is ever hard-deleted through the admin, by any path.


def reviewed_admins():
    return [
        (model, model_admin) for model, model_admin in admin.site._registry.items() if issubclass(model, ReviewedRecord)
    ]


MAKERS = {
    "organization": factories.make_organization,
    "source": factories.make_source,
    "chip": factories.make_chip,
    "modelrelease": factories.make_model_release,
    "accessgrant": factories.make_access_grant,
    "exportcontrol": factories.make_export_control,
}


def in_state(model, status):
    """A record of ``model`` in review, published or withdrawn (published first, as a reviewer would)."""
    record = MAKERS[model._meta.model_name](review_status="published")
    if status == "withdrawn":
        record.review_status = "withdrawn"
        record.save()
    elif status == "in_review":
        record = MAKERS[model._meta.model_name](review_status="in_review")
    if model is not Source:
        factories.make_citation(record)
    return record


@pytest.mark.parametrize("status", ["in_review", "published", "withdrawn"])
def test_no_reviewed_record_is_hard_deleted_through_the_admin(status):
    people = [staff("carla", "Curators")[1], staff("rui", "Reviewers")[1], staff("root", is_superuser=True)[1]]
    assert len(reviewed_admins()) == 6
    for model, model_admin in reviewed_admins():
        record = in_state(model, status)
        citations = list(record.citations.all()) if model is not Source else []
        for client in people:
            assert client.get(admin_url(record, "delete")).status_code == 403, model
            assert client.post(admin_url(record, "delete"), {"post": "yes"}).status_code == 403, model
            changelist = reverse(f"admin:datasets_{model._meta.model_name}_changelist")
            client.post(changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
            if status != "in_review":
                # Citation inline: a published or withdrawn record's page is read-only; a POST is refused.
                page = client.get(admin_url(record))
                data = form_data(page)
                for number, _ in enumerate(citations):
                    data[f"citations-{number}-DELETE"] = "on"
                assert client.post(admin_url(record), data).status_code == 403
            assert model.objects.filter(pk=record.pk).exists(), (model, client)
            for citation in citations:
                assert type(citation).objects.filter(pk=citation.pk).exists()
        for inline in model_admin.inlines:
            if inline.model is AccessGrant:
                release = factories.make_model_release(review_status="draft")
                grant = in_state(AccessGrant, status)
                grant.model = release
                grant.save()
                for client in people:
                    page = client.get(admin_url(release))
                    data = form_data(page)
                    data["access_grants-0-DELETE"] = "on"
                    client.post(admin_url(release), data)
                    assert AccessGrant.objects.filter(pk=grant.pk).exists()


def test_a_draft_never_public_may_be_deleted_but_one_once_public_may_not(curator, reviewer):
    _, client = curator
    draft = factories.make_model_release(review_status="draft")
    assert client.post(admin_url(draft, "delete"), {"post": "yes"}).status_code == 302
    assert not ModelRelease.objects.filter(pk=draft.pk).exists()

    once_public = factories.make_model_release()
    services.withdraw(once_public, reviewer[0], "duplicate")
    services.return_to_draft(once_public, reviewer[0])
    assert once_public.review_status == "draft"
    assert client.post(admin_url(once_public, "delete"), {"post": "yes"}).status_code == 403
    with pytest.raises(services.TransitionError, match="never deleted"):
        services.delete_draft(once_public, reviewer[0])
    assert ModelRelease.objects.filter(pk=once_public.pk).exists()


# 4. Every kind of record can be corrected ("Propose a change") and reverted to an earlier version.

TEXT_FIELD = {"organization": "description"}


@pytest.mark.parametrize("model_name", sorted(MAKERS))
def test_every_kind_of_record_can_be_corrected_and_reverted(model_name, curator, reviewer, second_reviewer, client):
    record = MAKERS[model_name](review_status="in_review")
    if model_name != "source":
        factories.make_citation(record, locator="p. 1")
    services.publish(record, staff("rene", "Reviewers")[0])
    field = TEXT_FIELD.get(model_name, "notes")
    original = getattr(record, field)
    (_, carla), (_, rui) = curator, reviewer

    page = transition(carla, record, "start_revision")
    assert page.status_code == 200
    revision = type(record).objects.get(revision_of=record)
    assert carla.post(admin_url(revision), form_data(page, **{field: "Corrected."})).status_code == 302
    transition(carla, revision, "submit_for_review")
    transition(rui, revision, "publish")
    record.refresh_from_db()
    assert getattr(record, field) == "Corrected."
    assert record.review_status == "published"
    resource = resource_of(type(record)).name
    assert client.get(f"/api/v1/{resource}/{record.slug}/").status_code == 200

    first = record.history.filter(review_status="published").earliest()
    reverted = second_reviewer[1].post(admin_url(record, "simple_history", first.pk), {}, follow=True)
    assert reverted.status_code == 200
    back = type(record).objects.get(revision_of=record)
    assert getattr(back, field) == original
    if model_name != "source":
        assert list(back.citations.values_list("locator", flat=True)) == ["p. 1"]
    transition(second_reviewer[1], back, "submit_for_review")
    transition(rui, back, "publish")
    record.refresh_from_db()
    assert getattr(record, field) == original


# 5. Text keeps its line ends as typed (\n), and a change of one field shows as exactly that one in /history/.


def test_line_ends_are_stored_as_typed_and_history_shows_only_the_changed_field(curator, reviewer, client):
    (_, carla_client), (_, rui_client) = curator, reviewer
    record = add_draft(carla_client, factories.make_organization(), notes="first line\r\nsecond line")
    record.refresh_from_db()
    assert record.notes == "first line\nsecond line"
    transition(carla_client, record, "submit_for_review")
    transition(rui_client, record, "publish")

    page = transition(carla_client, record, "start_revision")
    revision = ModelRelease.objects.get(revision_of=record)
    assert carla_client.post(admin_url(revision), form_data(page, license="MIT")).status_code == 302
    transition(carla_client, revision, "submit_for_review")
    transition(rui_client, revision, "publish")

    versions = client.get(f"/api/v1/model-releases/{record.slug}/history/").json()
    assert [change["field"] for change in versions[-1]["changes"]] == ["license"]
    assert client.get(f"/api/v1/model-releases/{record.slug}/").json()["notes"] == "first line\nsecond line"


# 6. updated_at is when the public content last changed: the instant the change feed records.


def assert_updated_at_agrees_with_the_feed(client, since):
    for model in (ModelRelease, AccessGrant, ExportControl, Source):
        resource = resource_of(model).name
        for record in model.objects.published():
            newest = ChangeEvent.objects.filter(resource=resource, slug=record.slug).latest("seq")
            assert record.updated_at == newest.changed_at, (resource, record.slug)
        listed, page = set(), client.get(f"/api/v1/{resource}/", {"updated_since": since.isoformat(), "limit": 500})
        while True:  # every page: the dataset holds more sources than one page
            body = page.json()
            listed |= {r["slug"] for r in body["results"]}
            if not body["next"]:
                break
            page = client.get(body["next"])
        fed = ChangeEvent.objects.filter(resource=resource, changed_at__gte=since).exclude(change="withdrawn")
        public = set(model.objects.published().values_list("slug", flat=True))
        assert listed == set(fed.values_list("slug", flat=True)) & public, resource


def test_updated_at_is_the_instant_the_feed_records(client, curator, reviewer):
    (carla, _), (rui, _) = curator, reviewer
    before_import = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    import_dataset(FIXTURES)
    assert ModelRelease.objects.published().filter(updated_at__gte=before_import).count() == (
        ModelRelease.objects.published().count()
    )
    assert_updated_at_agrees_with_the_feed(client, before_import)

    checkpoint = ChangeEvent.objects.latest("seq").changed_at + datetime.timedelta(microseconds=1)
    services.publish(publishable_release(), rui)
    revise(ExportControl.objects.published().first(), carla, rui, notes="Revised.")
    services.withdraw(Source.objects.published().exclude(slug__in=cited_sources()).first(), rui, "duplicate")
    assert_updated_at_agrees_with_the_feed(client, checkpoint)
    assert len(client.get("/api/v1/changes/", {"after": 0, "limit": 500}).json()["results"]) > 0


def cited_sources():
    return ModelReleaseCitation.objects.values_list("source__slug", flat=True)


# 7. SQLite: concurrent writers wait their turn (tests/test_sqlite_concurrency.py runs them on a real file); a save
# that still loses the race gets the admin's message, never a 500.


def test_a_save_that_cannot_get_the_database_is_a_message_not_a_500(curator, monkeypatch):
    _, client = curator
    record = factories.make_model_release(review_status="draft", name="Before")
    page = client.get(admin_url(record))

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "save_edit", locked)
    response = client.post(admin_url(record), form_data(page, name="After"), follow=True)
    assert response.status_code == 200
    assert any("busy" in message and "nothing was saved" in message for message in messages_of(response))
    record.refresh_from_db()
    assert record.name == "Before"


# 8. The project reads nothing beside its checkout: the committed fixtures are the dataset's one source of truth.


def test_no_code_or_test_reads_beside_the_checkout():
    root = settings.BASE_DIR
    offenders = []
    for path in [*root.glob("*.py"), *root.glob("[a-z]*/**/*.py"), root / "Makefile", *root.glob(".ci/*")]:
        if ".venv" in path.parts or not path.is_file() or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"BASE_DIR\.parent|\.\./shared|parent\s*/\s*[\"']shared", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
