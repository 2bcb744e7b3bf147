"""The review workflow end to end, in a real browser: a curator drafts a model release with a citation and an
access grant and submits them; a reviewer publishes them; the public API then serves them.

Pages are driven as a person would: fields found by their labels, buttons and links by their text, autocomplete
boxes opened, typed into and picked from. Screenshots of the key pages go to the screenshot folder (see
conftest.py); docs/screenshots/ holds a copy of each.
"""

import re
import secrets

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Locator, Page, expect

from datasets.choices import OrganizationKindChoices, SourceKindChoices
from datasets.models import AccessGrant, ModelRelease
from tests import factories

# serialized_rollback: the live server needs a transactional database, whose flush after each test would
# otherwise also remove the Curators and Reviewers groups that a migration made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RELEASE = "nimbus-2"
GRANT = "example-cloud-early-access-nimbus-2"


def staff(username: str, group: str) -> tuple[str, str]:
    """An admin account in a role, with a password of its own; returns (username, password)."""
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return username, password


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Records")).to_be_visible()


def autocomplete_box(scope: Locator, label: str) -> Locator:
    """The autocomplete (select2) box of a labelled field: the label names a hidden <select>, and select2 draws
    the box a person clicks beside it, in the same wrapper."""
    return scope.get_by_label(label, exact=True).locator("xpath=..").get_by_role("combobox")


def autocomplete(page: Page, box: Locator, typed: str, choice: str) -> None:
    """Pick ``choice`` in an autocomplete box as a person does: click it, type, click the match."""
    box.click()
    page.locator(".select2-container--open").get_by_role("searchbox").press_sequentially(typed)
    page.get_by_role("option", name=choice, exact=True).click()
    expect(box).to_contain_text(choice)  # an optional field also shows its clear button


def transition(page: Page, button: str, slug: str, status: str) -> None:
    """Click a workflow button on a record's page and wait for the message naming the record's new state."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"{button}: {slug} is now {status}.")


def test_curator_drafts_and_submits_a_reviewer_publishes_and_the_api_serves_it(chromium, screenshot):
    developer = factories.make_organization(slug="example-ai-lab", name="Example AI Lab")
    factories.make_organization(slug="example-cloud", name="Example Cloud", kind=OrganizationKindChoices.CLOUD_PROVIDER)
    factories.make_source(
        slug="example-ai-lab-nimbus-2-announcement",
        title="Introducing Nimbus-2",
        publisher="Example AI Lab",
        kind=SourceKindChoices.COMPANY_ANNOUNCEMENT,
    )
    curator = staff("carla", "Curators")
    reviewer = staff("rui", "Reviewers")

    with chromium() as new_session:
        # The curator logs in through the login form.
        page = new_session()
        page.goto("/admin/")
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        screenshot(page, "01-login")
        log_in(page, *curator)

        # ... opens Model releases, adds one: its facts, a citation and an access grant.
        page.get_by_role("main").get_by_role("link", name="Model releases", exact=True).click()
        page.get_by_role("link", name="Add model release").click()
        identity = page.get_by_role("group", name="Identity")
        name = identity.get_by_label("Name:", exact=True)
        # The slug is filled in from the name as one types, by the registry's convention (datasets/slugs.py: dots
        # and spaces become hyphens; Django's own would make "nimbus-25").
        name.press_sequentially("Nimbus 2.5")
        expect(identity.get_by_label("Slug:")).to_have_value("nimbus-2-5")
        name.press("Control+a")
        name.press_sequentially("Nimbus-2")
        expect(identity.get_by_label("Slug:")).to_have_value(RELEASE)
        autocomplete(page, autocomplete_box(identity, "Developer:"), "Example AI", "Example AI Lab")
        facts = page.get_by_role("group", name="Facts")
        facts.get_by_label("Parameters total:").fill("120B")  # stored as 120,000,000,000 (datasets/counts.py)
        facts.get_by_label("Architecture:", exact=True).select_option(label="Mixture of experts")
        facts.get_by_label("Weights:").select_option(label="Open weights (downloadable)")
        facts.get_by_label("License:").fill("Apache-2.0")
        page.get_by_role("group", name="Dates").get_by_label("Released on:").fill("2025-06-02")
        page.get_by_role("group", name="Provenance").get_by_label("Confidence:").select_option(
            label="High: primary source or several consistent sources"
        )

        page.get_by_role("button", name="Add another Citation").click()
        citations = page.get_by_role("group", name="Citations (sources supporting this record)")
        # A tabular inline's cells are labelled only by their column headers (Source, Locator, Quote).
        citation = citations.get_by_role("row").filter(has=page.get_by_role("combobox"))
        autocomplete(page, citation.get_by_role("combobox"), "Nimbus", "Example AI Lab: Introducing Nimbus-2")
        citation.locator("td.field-locator").get_by_role("textbox").fill("section 1")
        citation.locator("td.field-quote").get_by_role("textbox").fill("Nimbus-2 is released with open weights.")

        page.get_by_role("button", name="Add another Access grant").click()
        # The new form, under its heading (a hidden template form beside it carries the same fields).
        new_grant = page.get_by_role("heading", name="Access grant: #1")
        grant = page.get_by_role("group", name="Access grants").locator(".inline-related").filter(has=new_grant)
        grant.get_by_label("Slug:").fill(GRANT)
        grant.get_by_label("Access type:").select_option(label="Early access before public release")
        autocomplete(page, autocomplete_box(grant, "Grantee:"), "Example Cl", "Example Cloud")
        grant.get_by_label("Starts on:").fill("2025-05-15")
        grant.get_by_label("Claim status:").select_option(label="Confirmed by a party to it")
        grant.get_by_label("Purpose:").fill("Evaluation on the grantee's clusters before release")
        screenshot(page.get_by_role("main"), "02-add-form-filled")

        page.get_by_role("button", name="Save and continue editing").first.click()
        expect(page.get_by_text("was added successfully")).to_be_visible()
        expect(page.get_by_role("group", name="Curation")).to_contain_text("Draft")
        # The saved citation's row shows its source, locator and quote, not also its name ("... cites ...").
        saved = page.get_by_role("group", name="Citations (sources supporting this record)")
        expect(saved.locator("tr.has_original td.field-locator input")).to_have_value("section 1")
        expect(saved.get_by_text("Nimbus-2 cites")).to_be_hidden()
        screenshot(page, "03-change-page-workflow-buttons")

        # ... submits the release for review, then the grant from its own page (it has its own review).
        transition(page, "Submit for review", RELEASE, "in_review")
        # A curator is offered no Publish button (and the server would refuse it: tests/test_admin_workflow.py).
        expect(page.get_by_role("button", name="Publish")).to_have_count(0)
        page.get_by_role("group", name="Access grants").get_by_role("link", name="View").click()
        expect(page.get_by_role("heading", name=GRANT)).to_be_visible()
        transition(page, "Submit for review", GRANT, "in_review")

        # Nothing is public before a reviewer publishes it.
        assert page.request.get(f"/api/v1/model-releases/{RELEASE}/").status == 404
        assert page.request.get(f"/api/v1/access-grants/{GRANT}/").status == 404

        # A reviewer, in a separate session, finds the release on their desk, among what waits for them, and
        # publishes it.
        page = new_session()
        log_in(page, *reviewer)
        waiting = page.locator(".desk-awaiting")
        expect(waiting.get_by_role("link")).to_have_text(["Nimbus-2", GRANT])
        screenshot(page, "04a-reviewer-desk")
        waiting.get_by_role("link", name="Nimbus-2", exact=True).click()
        expect(page.get_by_role("button", name="Publish", exact=True)).to_be_visible()
        screenshot(page, "04-reviewer-before-publish")
        transition(page, "Publish", RELEASE, "published")
        expect(page.get_by_role("button", name="Withdraw")).to_be_visible()
        screenshot(page, "05-published")
        # ... and the access grant, from the release's page.
        page.get_by_role("group", name="Access grants").get_by_role("link", name="View").click()
        transition(page, "Publish", GRANT, "published")

        # The public API serves both, the release with its citation.
        release = page.request.get(f"/api/v1/model-releases/{RELEASE}/")
        assert release.ok, release.text()
        body = release.json()
        typed_in = {
            "name": "Nimbus-2",
            "architecture": "moe",
            "weights": "open_weights",
            "license": "Apache-2.0",
            "parameters_total": 120_000_000_000,
            "released_on": "2025-06-02",
            "confidence": "high",
        }
        assert {field: body[field] for field in typed_in} == typed_in
        assert body["developer"]["slug"] == developer.slug
        assert [(c["source"], c["locator"], c["quote"]) for c in body["citations"]] == [
            ("example-ai-lab-nimbus-2-announcement", "section 1", "Nimbus-2 is released with open weights.")
        ]
        grants = page.request.get("/api/v1/access-grants/", params={"model": RELEASE})
        assert grants.ok, grants.text()
        [served] = grants.json()["results"]
        assert (served["slug"], served["model"]["slug"], served["grantee"]["slug"]) == (GRANT, RELEASE, "example-cloud")
        assert served["grantor"]["slug"] == developer.slug  # left empty in the form: the model's developer
        assert (served["access_type"], served["claim_status"]) == ("early_access", "confirmed")

        page.goto(f"/api/v1/model-releases/{RELEASE}/")
        expect(page.get_by_text('"slug": "nimbus-2"')).to_be_visible()
        screenshot(page, "06-api-record")

    # Who did what is on record: the curator's edit, the reviewer's publication.
    record = ModelRelease.objects.get(slug=RELEASE)
    assert record.last_edited_by.username == "carla"
    assert record.history.latest().history_user.username == "rui"
    assert AccessGrant.objects.get(slug=GRANT).review_status == "published"


def batch_csv(*rows: dict) -> bytes:
    """A CSV file as a spreadsheet saves it: a header, then a row per record."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_a_batch_of_drafts_and_a_revision_reviewed_by_its_diff(chromium, screenshot):
    """A curator imports a CSV of releases as drafts (a file with a bad row first: nothing imported) and proposes
    a change to a published release; a reviewer finds all of it on their desk and publishes the change from a
    page that shows it beside the published values."""
    developer = factories.make_organization(slug="example-ai-lab", name="Example AI Lab")
    source = factories.make_source(slug="nimbus-card", title="Nimbus model card", publisher="Example AI Lab")
    published = factories.make_model_release(
        slug="nimbus-1", name="Nimbus-1", developer=developer, parameters_total=70_000_000_000
    )
    factories.make_citation(published, source, locator="p. 1", quote="Nimbus-1 has 70B parameters.")
    curator = staff("carla", "Curators")
    reviewer = staff("rui", "Reviewers")
    row = {
        "name": "Nimbus-3",
        "developer": "example-ai-lab",
        "parameters_total": "1.6T",
        "architecture": "moe",
        "weights": "api_only",
        "released_on": "2026-03-01",
        "date_precision": "day",
        "confidence": "medium",
        "citation_1_source": "nimbus-card",
        "citation_1_locator": "p. 3",
        "citation_1_quote": "Nimbus-3 has 1.6T parameters.",
    }
    mini = {**row, "name": "Nimbus-3 Mini", "parameters_total": "49B", "citation_1_quote": "Nimbus-3 Mini: 49B."}

    with chromium() as new_session:
        page = new_session()
        log_in(page, *curator)

        # The curator proposes a change to the published Nimbus-1: a parameter count and the citation's quote.
        page.goto(f"/admin/datasets/modelrelease/{published.pk}/change/")
        transition(page, "Propose a change", "nimbus-1--revision-1", "draft")
        page.get_by_role("group", name="Facts").get_by_label("Parameters total:").fill("72B")
        citations = page.get_by_role("group", name="Citations (sources supporting this record)")
        citations.locator("td.field-quote").get_by_role("textbox").fill("Nimbus-1 has 72B parameters.")
        page.get_by_role("button", name="Save and continue editing").first.click()
        expect(page.get_by_text("was changed successfully")).to_be_visible()
        # The revision's page shows what it changes against the published record.
        expect(page.locator(".revision-changes")).to_contain_text("72B")
        transition(page, "Submit for review", "nimbus-1--revision-1", "in_review")

        # ... then imports a spreadsheet of two new releases: a file with a mistake first, refused as a whole.
        page.goto("/admin/datasets/modelrelease/")
        page.get_by_role("link", name="Import CSV as drafts").click()
        expect(page.get_by_role("link", name="Download the template CSV")).to_be_visible()
        upload = page.get_by_label("CSV file")
        bad = {**mini, "developer": "example-labs"}
        upload.set_input_files(files=[{"name": "nimbus-3.csv", "mimeType": "text/csv", "buffer": batch_csv(row, bad)}])
        page.get_by_role("button", name="Check and import as drafts").click()
        expect(page.locator(".errornote")).to_contain_text("Nothing was imported: 1 problem in nimbus-3.csv")
        expect(page.locator(".batch-problems")).to_contain_text("No organization has the slug example-labs.")
        screenshot(page.get_by_role("main"), "07-batch-import-refused")
        upload = page.get_by_label("CSV file")
        upload.set_input_files(files=[{"name": "nimbus-3.csv", "mimeType": "text/csv", "buffer": batch_csv(row, mini)}])
        page.get_by_role("button", name="Check and import as drafts").click()
        # (Had the refused file kept its good row, Nimbus-3's slug would now be taken.)
        expect(page.locator(".messagelist")).to_contain_text("Imported 2 drafts from nimbus-3.csv")
        expect(page.locator(".batch-created").get_by_role("link")).to_have_text(["Nimbus-3", "Nimbus-3 Mini"])
        screenshot(page.get_by_role("main"), "08-batch-imported")

        # ... and submits both drafts from the list.
        page.get_by_role("link", name="All model release drafts").click()
        for name in ("Nimbus-3", "Nimbus-3 Mini"):
            page.get_by_role("checkbox", name=f"Select this object for an action - {name}", exact=True).check()
        page.get_by_label("Action:").select_option(label="Submit selected records for review")
        page.get_by_role("button", name="Go", exact=True).first.click()
        expect(page.locator(".messagelist")).to_contain_text("2 record(s) submitted for review")

        # The reviewer's desk lists the three, oldest first.
        page = new_session()
        log_in(page, *reviewer)
        waiting = page.locator(".desk-awaiting")
        expect(waiting.get_by_role("link")).to_have_text(["Nimbus-1", "Nimbus-3", "Nimbus-3 Mini"])
        screenshot(page, "09-reviewer-desk")

        # The revision: Publish first shows, field by field, the published value beside the proposed one.
        waiting.get_by_role("link", name="Nimbus-1", exact=True).click()
        page.get_by_role("button", name="Publish", exact=True).click()
        changes = page.locator(".revision-changes")
        expect(changes.get_by_role("row", name=re.compile("Parameters total"))).to_contain_text("70B")
        expect(changes.get_by_role("row", name=re.compile("Parameters total"))).to_contain_text("72B")
        expect(changes).to_contain_text("Nimbus-1 has 72B parameters.")
        screenshot(page.get_by_role("main"), "10-publish-by-diff")
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("Publish: nimbus-1 is now published.")

        # ... and a batch draft, from the desk.
        page.goto("/admin/")
        page.locator(".desk-awaiting").get_by_role("link", name="Nimbus-3", exact=True).click()
        transition(page, "Publish", "nimbus-3", "published")

        served = page.request.get("/api/v1/model-releases/nimbus-1/").json()
        assert served["parameters_total"] == 72_000_000_000
        assert [c["quote"] for c in served["citations"]] == ["Nimbus-1 has 72B parameters."]
        assert page.request.get("/api/v1/model-releases/nimbus-3/").json()["parameters_total"] == 1_600_000_000_000
        assert page.request.get("/api/v1/model-releases/nimbus-3-mini/").status == 404  # still in review
