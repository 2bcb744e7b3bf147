"""Batch drafts: a CSV file per resource imported from the admin as drafts, all or nothing, with a report
(``datasets.services.batches``); the template CSV of each resource; the drafts then go through review."""

import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse

from api.exports import resource_fields
from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.models import AccessGrant, ExportControl, ModelRelease, Organization, Source
from datasets.resources import RESOURCES
from datasets.services import batches
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
def world():
    """What the rows name: a developer, a chip, a source."""
    return {
        "developer": factories.make_organization(slug="zhipu-ai", name="Zhipu AI", country="CN"),
        "chip": factories.make_chip(slug="ascend-910c"),
        "source": factories.make_source(slug="glm-card"),
        "other_source": factories.make_source(slug="glm-blog"),
    }


def csv_file(rows: list[dict], name="releases.csv", bom=False) -> io.BytesIO:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    upload = io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    upload.name = name
    return upload


def release_row(**cells) -> dict:
    row = {
        "name": "GLM-4.6",
        "slug": "",
        "developer": "zhipu-ai",
        "parameters_total": "355B",
        "parameters_active": "32B",
        "architecture": "moe",
        "weights": "open_weights",
        "training_chips": "ascend-910c",
        "released_on": "2025-09-30",
        "date_precision": "day",
        "confidence": "medium",
        "citation_1_source": "glm-card",
        "citation_1_locator": "Model summary",
        "citation_1_quote": "355B total parameters, 32B active",
    }
    row.update(cells)
    return row


def import_url(model):
    return reverse(f"admin:datasets_{model._meta.model_name}_import")


def post(client, model, upload):
    return client.post(import_url(model), {"file": upload})


class TestImport:
    def test_rows_become_drafts_written_by_the_importer(self, curator, world):
        user, client = curator
        upload = csv_file(
            [
                release_row(),
                release_row(
                    name="GLM-4.6 Air",
                    slug="glm-4-6-air-preview",
                    parameters_total="106B",
                    training_chips="",
                    citation_1_source="glm-blog",
                    citation_1_locator="",
                    citation_1_quote="",
                    citation_2_source="glm-card",
                    citation_2_locator="Air",
                    citation_2_quote="",
                ),
            ]
        )
        response = post(client, ModelRelease, upload)
        assert response.status_code == 200, response.content.decode()
        page = response.content.decode()
        assert "Imported 2 drafts from releases.csv" in page

        first = ModelRelease.objects.get(slug="glm-4-6")  # made from the name by the slug convention
        assert first.review_status == ReviewStatusChoices.DRAFT
        assert first.parameters_total == 355_000_000_000 and first.parameters_active == 32_000_000_000
        assert first.developer == world["developer"]
        assert list(first.training_chips.all()) == [world["chip"]]
        assert list(first.citations.values_list("source__slug", "locator", "quote")) == [
            ("glm-card", "Model summary", "355B total parameters, 32B active")
        ]
        assert first.last_edited_by == user
        reasons = set(first.history.values_list("history_change_reason", flat=True))
        assert "Imported from releases.csv, row 2" in reasons
        assert services.authors(first) == {user.pk}

        second = ModelRelease.objects.get(slug="glm-4-6-air-preview")
        assert second.training_chips.count() == 0
        assert sorted(second.citations.values_list("source__slug", "locator")) == [
            ("glm-blog", ""),
            ("glm-card", "Air"),
        ]
        # The report links each draft to its page.
        assert reverse("admin:datasets_modelrelease_change", args=[second.pk]) in page

    def test_drafts_are_not_public(self, curator, world, client):
        assert post(curator[1], ModelRelease, csv_file([release_row()])).status_code == 200
        assert ModelRelease.objects.filter(slug="glm-4-6").exists()
        assert client.get("/api/v1/model-releases/glm-4-6/").status_code == 404

    def test_one_bad_row_changes_nothing_and_every_problem_is_reported(self, curator, world):
        _user, client = curator
        before = (ModelRelease.objects.count(), Organization.objects.count(), ModelRelease.history.count())
        upload = csv_file(
            [
                release_row(),
                release_row(name="GLM-5", developer="no-such-lab", parameters_total="1.2345678901234B"),
                release_row(name="GLM-5 Air", released_on="2025-01-01", announced_on="2025-02-01"),
                release_row(name="GLM-5 Mini", citation_1_source="", citation_1_locator="", citation_1_quote=""),
            ]
        )
        response = post(client, ModelRelease, upload)
        assert response.status_code == 400
        assert (ModelRelease.objects.count(), Organization.objects.count(), ModelRelease.history.count()) == before
        report = response.context["report"]
        problems = {(problem.row, problem.column) for problem in report.problems}
        assert (3, "developer") in problems
        assert (3, "parameters_total") in problems
        assert (4, "released_on") in problems  # the constraint's message, on its field
        assert (5, "citation_1_source") in problems
        assert not any(problem.row == 2 for problem in report.problems)
        page = response.content.decode()
        assert "Nothing was imported" in page
        assert "No organization has the slug no-such-lab." in page

    def test_a_slug_given_twice_in_the_file_is_a_problem(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row(), release_row(name="GLM 4.6")]))
        assert response.status_code == 400
        assert [(p.row, p.column) for p in response.context["report"].problems] == [(3, "slug")]
        assert not ModelRelease.objects.filter(slug="glm-4-6").exists()

    def test_a_slug_off_the_convention_is_refused_with_the_suggestion(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row(slug="GLM_4.6")]))
        assert response.status_code == 400
        assert "glm-4-6" in response.context["report"].problems[0].message

    def test_unknown_citation_source_and_quote_without_source(self, curator, world):
        row = release_row(citation_1_source="nowhere", citation_2_quote="quoted but uncited")
        response = post(curator[1], ModelRelease, csv_file([row]))
        problems = {(p.column, p.message) for p in response.context["report"].problems}
        assert ("citation_1_source", "No source has the slug nowhere: import or add the source first.") in problems
        assert any(column == "citation_2_source" for column, _ in problems)

    def test_unknown_columns_refuse_the_file(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row(paramters_total="1B")]))
        assert response.status_code == 400
        assert "Unknown columns: paramters_total." in response.context["refused"]
        assert not ModelRelease.objects.exists()

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (b"", "The file is empty"),
            (b"name,slug\n", "no rows"),
            ("name,slug\nGLM-4.6,\n".encode("utf-16"), "not UTF-8"),
            (b"name,name\nA,B\n", "Columns given twice: name."),
            (b"name,slug\nA,a,extra\n", "Row 2 has 3 cells"),
        ],
    )
    def test_unreadable_files_are_refused_with_a_reason(self, curator, world, content, expected):
        upload = io.BytesIO(content)
        upload.name = "bad.csv"
        response = post(curator[1], ModelRelease, upload)
        assert response.status_code == 400
        assert expected in response.context["refused"]

    def test_a_file_over_the_size_limit_is_refused(self, curator, world, monkeypatch):
        monkeypatch.setattr(batches, "MAX_BYTES", 200)
        upload = csv_file([release_row(notes="x" * 300)])
        response = post(curator[1], ModelRelease, upload)
        assert response.status_code == 400
        assert "larger than" in response.context["refused"]
        assert not ModelRelease.objects.exists()

    def test_a_spreadsheets_byte_order_mark_and_blank_rows_are_fine(self, curator, world):
        upload = csv_file([release_row(), dict.fromkeys(release_row(), "")], bom=True)
        response = post(curator[1], ModelRelease, upload)
        assert response.status_code == 200
        assert ModelRelease.objects.filter(slug="glm-4-6").exists()

    def test_an_api_csv_row_imports_as_it_reads(self, curator, world):
        """A CSV the API wrote (its computed columns ignored, a neutralised cell read back, citations by slug)."""
        published = factories.make_model_release(slug="glm-4-5", developer=world["developer"], notes="-- see below")
        factories.make_citation(published, world["source"])
        exported = b"".join(curator[1].get("/api/v1/model-releases/?format=csv").streaming_content).decode()
        exported = exported.replace('"glm-4-5"', '"glm-4-5-copy"', 1)
        upload = io.BytesIO(exported.encode())
        upload.name = "api.csv"
        response = post(curator[1], ModelRelease, upload)
        assert response.status_code == 200, response.context["report"].problems
        assert response.context["report"].ignored == ["url", "created_at", "updated_at"]
        copy = ModelRelease.objects.get(slug="glm-4-5-copy")
        assert copy.notes == "-- see below"  # the API wrote "'-- see below"
        assert copy.developer == world["developer"]
        assert list(copy.citations.values_list("source__slug", flat=True)) == ["glm-card"]

    def test_relations_to_many_and_countries_and_aliases(self, curator, world):
        _user, client = curator
        factories.make_export_control(slug="old-rule")
        upload = csv_file(
            [
                {
                    "title": "A new rule",
                    "jurisdiction": "US",
                    "instrument": "rule",
                    "target_countries": "CN;MO",
                    "supersedes": "old-rule",
                    "covered_chips": "ascend-910c",
                    "confidence": "high",
                    "citation_1_source": "glm-card",
                }
            ],
            name="controls.csv",
        )
        response = post(client, ExportControl, upload)
        assert response.status_code == 200, response.context["report"].problems
        rule = ExportControl.objects.get(slug="a-new-rule")
        assert sorted(rule.target_countries.values_list("code", flat=True)) == ["CN", "MO"]
        assert [c.slug for c in rule.supersedes.all()] == ["old-rule"]

        upload = csv_file(
            [
                {
                    "name": "Moonshot AI",
                    "kind": "ai_lab",
                    "aliases": "Moonshot;月之暗面",
                    "confidence": "high",
                    "citation_1_source": "glm-card",
                }
            ],
            name="orgs.csv",
        )
        assert post(client, Organization, upload).status_code == 200
        assert Organization.objects.get(slug="moonshot-ai").alias_list == ["Moonshot", "月之暗面"]

        upload = csv_file(
            [
                {
                    "title": "A report",
                    "publisher": "Reuters",
                    "kind": "news_report",
                    "document_url": "https://example.org/report",
                    "date_precision": "day",
                }
            ],
            name="s.csv",
        )
        assert post(client, Source, upload).status_code == 200
        assert Source.objects.get(slug="a-report").url == "https://example.org/report"

    def test_an_access_grant_without_grantor_gets_the_models_developer(self, curator, world):
        release = factories.make_model_release(slug="glm-4-5", developer=world["developer"])
        upload = csv_file(
            [
                {
                    "slug": "glm-4-5-huawei",
                    "model": "glm-4-5",
                    "grantee_description": "Huawei",
                    "access_type": "early_access",
                    "outcome": "granted",
                    "claim_status": "reported",
                    "date_precision": "day",
                    "confidence": "low",
                    "citation_1_source": "glm-card",
                }
            ],
            name="grants.csv",
        )
        response = post(curator[1], AccessGrant, upload)
        assert response.status_code == 200, response.context["report"].problems
        assert AccessGrant.objects.get(slug="glm-4-5-huawei").grantor == release.developer

    def test_imported_drafts_go_through_review(self, curator, reviewer, world, client):
        post(curator[1], ModelRelease, csv_file([release_row()]))
        draft = ModelRelease.objects.get(slug="glm-4-6")
        take_step(curator[1], draft, "submit_for_review")
        # The importer wrote it: they may not publish it, another reviewer may.
        draft.refresh_from_db()
        assert draft.review_status == ReviewStatusChoices.IN_REVIEW
        take_step(reviewer[1], draft, "publish")
        draft.refresh_from_db()
        assert draft.review_status == ReviewStatusChoices.PUBLISHED
        assert client.get("/api/v1/model-releases/glm-4-6/").json()["parameters_total"] == 355_000_000_000


class TestPages:
    def test_the_list_offers_the_import_to_who_may_add(self, curator, world):
        page = curator[1].get(reverse("admin:datasets_modelrelease_changelist")).content.decode()
        assert import_url(ModelRelease) in page
        assert "Import CSV as drafts" in page

    def test_who_may_not_add_gets_no_import(self, world):
        _, client = staff("vera", None)  # staff without any permission
        assert client.get(import_url(ModelRelease)).status_code == 403
        assert client.get(reverse("admin:datasets_modelrelease_import_template")).status_code == 403

    def test_who_may_add_records_but_not_their_citations_gets_no_import(self, world):
        from django.contrib.auth.models import Permission

        user, client = staff("vera", None)
        user.user_permissions.add(*Permission.objects.filter(codename__in=["add_modelrelease", "view_modelrelease"]))
        assert client.get(import_url(ModelRelease)).status_code == 403
        user.user_permissions.add(Permission.objects.get(codename="add_modelreleasecitation"))
        user = type(user).objects.get(pk=user.pk)  # permissions are cached on the instance
        client.force_login(user)
        assert client.get(import_url(ModelRelease)).status_code == 200

    def test_the_import_page_lists_the_columns(self, curator):
        page = curator[1].get(import_url(ModelRelease)).content.decode()
        assert "<code>parameters_total</code>" in page and "671B" in page
        assert "<code>citation_1_quote</code>" in page

    @pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.name)
    def test_a_template_per_resource_in_the_apis_column_names(self, curator, resource):
        response = curator[1].get(reverse(f"admin:datasets_{resource.model._meta.model_name}_import_template"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert f'filename="{resource.name}-template.csv"' in response["Content-Disposition"]
        header = next(csv.reader(io.StringIO(response.content.decode())))
        api_columns = set(resource_fields(resource))
        own = {"curator_notes"} | {name for name in header if batches.CITATION_COLUMN.fullmatch(name)}
        assert set(header) - own <= api_columns
        # Every API column is in the template, or set by the registry, or the citations' columns.
        assert api_columns - set(header) <= {*batches.COMPUTED_COLUMNS, "citations"}
        # The template imports: its header alone is a file without rows, refused for that reason only.
        upload = io.BytesIO(response.content)
        upload.name = "template.csv"
        refused = post(curator[1], resource.model, upload).context["refused"]
        assert "no rows" in refused


def test_the_admin_form_is_what_checks_rows(world, curator):
    """The batch is checked with the admin's own add form: its count field reads 671B."""
    request = type("Request", (), {"user": curator[0]})()
    form_class = admin.site._registry[ModelRelease].batch_form(request)
    report = batches.import_drafts(form_class, csv_file([release_row(parameters_total="671B")]).read(), curator[0])
    assert report.imported
    assert ModelRelease.objects.get(slug="glm-4-6").parameters_total == 671_000_000_000


class TestCellsAsFilesWriteThem:
    """What a spreadsheet's file holds, read as it means: each of these was once stored wrong or a server error."""

    def test_a_long_file_name_is_shortened_in_the_history(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row()], name="a" * 150 + ".csv"))
        assert response.status_code == 200
        history = ModelRelease.objects.get(slug="glm-4-6").history.filter(history_change_reason__startswith="Imported")
        (text,) = set(history.values_list("history_change_reason", flat=True))
        assert len(text) <= 100 and text.endswith(", row 2")

    @pytest.mark.parametrize("part", ["source", "locator", "quote"])
    def test_a_nul_in_a_citation_is_a_problem_on_its_column(self, curator, world, part):
        row = release_row(**{f"citation_1_{part}": "glm\x00card"})
        response = post(curator[1], ModelRelease, csv_file([row]))
        assert response.status_code == 400
        assert [(p.column, p.message) for p in response.context["report"].problems] == [
            (f"citation_1_{part}", "Null characters are not allowed.")
        ]

    def test_a_revision_is_neither_cited_nor_referred_to(self, curator, world):
        user = curator[0]
        source_revision = services.start_revision(world["source"], user)
        lab_revision = services.start_revision(world["developer"], user)
        row = release_row(developer=lab_revision.slug, citation_1_source=source_revision.slug)
        response = post(curator[1], ModelRelease, csv_file([row]))
        problems = {p.column: p.message for p in response.context["report"].problems}
        assert problems["developer"] == f"No organization has the slug {lab_revision.slug}."
        assert problems["citation_1_source"].startswith(f"{source_revision.slug} is a revision")

    def test_true_and_false_are_read_as_written_and_anything_else_is_a_problem(self, curator):
        rows = [
            {
                "title": f"Report {flag or 'blank'}",
                "publisher": "Reuters",
                "kind": "news_report",
                "date_precision": "day",
                "document_url": f"https://example.org/{flag}",
                "url_checked": flag,
            }
            for flag in ("true", "1", "Yes", "false", "0", "no", "")
        ]
        assert post(curator[1], Source, csv_file(rows, name="s.csv")).status_code == 200
        checked = dict(Source.objects.values_list("title", "url_checked"))
        assert checked == {
            "Report true": True,
            "Report 1": True,
            "Report Yes": True,
            "Report false": False,
            "Report 0": False,
            "Report no": False,
            "Report blank": False,
        }
        bad = [{**rows[0], "title": "Other", "document_url": "https://example.org/o", "url_checked": "off"}]
        response = post(curator[1], Source, csv_file(bad, name="s.csv"))
        assert [(p.column, p.message) for p in response.context["report"].problems] == [
            ("url_checked", "'off' is not true or false: write true, false, 1 or 0.")
        ]

    @pytest.mark.parametrize("date", ["01/02/2025", "1/2/25", "2 January 2025", "2025/01/02"])
    def test_a_date_is_yyyy_mm_dd_only(self, curator, world, date):
        response = post(curator[1], ModelRelease, csv_file([release_row(released_on=date)]))
        assert [(p.column, p.message) for p in response.context["report"].problems] == [
            ("released_on", "Enter a date as YYYY-MM-DD.")
        ]

    def test_a_value_in_a_column_without_a_name_refuses_the_file(self, curator, world):
        row = {**release_row(), "": "https://example.org"}
        response = post(curator[1], ModelRelease, csv_file([row]))
        assert "Column 15 has no name in the header, but row 2 has a value in it." in response.context["refused"]

    def test_a_very_wide_header_is_refused_at_once(self, curator, world):
        upload = io.BytesIO(("," * 100_000 + "\n").encode())
        upload.name = "wide.csv"
        response = post(curator[1], ModelRelease, upload)
        assert "100,001 columns" in response.context["refused"]

    def test_the_apis_citations_column_names_a_source_cited_twice_once(self, curator, world):
        row = {key: value for key, value in release_row().items() if not key.startswith("citation_")}
        response = post(curator[1], ModelRelease, csv_file([{**row, "citations": "glm-card;glm-card;glm-blog"}]))
        assert response.status_code == 200, response.context["report"].problems
        cited = ModelRelease.objects.get(slug="glm-4-6").citations.values_list("source__slug", flat=True)
        assert sorted(cited) == ["glm-blog", "glm-card"]

    def test_a_quote_keeps_plain_line_ends(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row(citation_1_quote="one\r\ntwo")]))
        assert response.status_code == 200
        assert ModelRelease.objects.get(slug="glm-4-6").citations.get().quote == "one\ntwo"

    def test_a_name_that_makes_no_slug_asks_for_one(self, curator, world):
        response = post(curator[1], ModelRelease, csv_file([release_row(name="月之暗面")]))
        assert [(p.column, p.message) for p in response.context["report"].problems] == [
            ("slug", "No slug can be made from the name '月之暗面': give one.")
        ]
