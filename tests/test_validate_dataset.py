"""validate_dataset: passes on the fixtures, and reports each kind of problem with the record's slug."""

import datetime
import json
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DataError, connection, transaction
from django.test import TestCase

from datasets import validation
from datasets.models import (
    AccessGrant,
    ExportControl,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    Source,
)
from tests import factories

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
FIXTURE_FILES = sorted(FIXTURES_DIR.glob("*.json"))

pytestmark = pytest.mark.django_db


def validate(*args):
    """Run the command; return (exit ok?, output)."""
    out = StringIO()
    try:
        call_command("validate_dataset", *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def reported(slug, text, checks=validation.STRUCTURAL_CHECKS):
    """The problem lines that name ``slug`` and contain ``text``, from the structural checks unless told
    otherwise: ``check_fields`` cleans every object (a second or more a call) and finds field problems only."""
    return [str(p) for p in validation.run_checks(checks) if p.slug == slug and text in p.message]


def test_the_fixture_files_validate():
    ok, output = validate("--fixtures", str(FIXTURES_DIR))
    assert ok, output
    assert "No problems found" in output


def test_a_broken_copy_of_the_fixture_files_fails(tmp_path):
    for path in FIXTURE_FILES:
        shutil.copy(path, tmp_path / path.name)
    citations = tmp_path / "09_model_release_citations.json"
    kept = [c for c in json.loads(citations.read_text()) if c["fields"]["record"] != ["deepseek-v3"]]
    citations.write_text(json.dumps(kept, indent=2))
    ok, output = validate("--fixtures", str(tmp_path))
    assert not ok
    assert "model release deepseek-v3: published but cites no source" in output
    # The rollback leaves the test database as it was.
    assert not ModelRelease.objects.exists()


def test_fixture_files_that_do_not_load_are_reported(tmp_path):
    (tmp_path / "01_broken.json").write_text(
        '[{"model": "datasets.chip", "fields": {"slug": "x", "vendor": ["nope"]}}]'
    )
    ok, output = validate("--fixtures", str(tmp_path))
    assert not ok and "do not load" in output


def test_date_order_the_database_already_refuses():
    # Ends before effective without a suspension, and an announcement after release, cannot be saved (check
    # constraints); the per-record functions still report them, for data checked before it is saved.
    control = ExportControl(
        slug="x-rule", effective_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2024, 1, 1), end_reason="expired"
    )
    assert [str(p) for p in validation.export_control_date_problems(control)] == [
        "export control x-rule: ends 2024-01-01 before effective 2025-01-01 without being suspended"
    ]
    release = ModelRelease(
        slug="x-model", announced_on=datetime.date(2025, 2, 1), released_on=datetime.date(2025, 1, 1)
    )
    assert validation.model_release_date_problems(release)[0].slug == "x-model"
    grant = AccessGrant(slug="x-grant", starts_on=datetime.date(2025, 2, 1), ends_on=datetime.date(2025, 1, 1))
    assert validation.access_grant_date_problems(grant)[0].slug == "x-grant"


def test_citations_of_many_sources_are_checked_in_one_go():
    # Prefetching the sources by id would send one OR term per source, which SQLite refuses past ~1000.
    release = factories.make_model_release()
    sources = Source.objects.bulk_create(
        Source(
            slug=f"source-{number}", title="T", publisher="P", url=f"https://e.org/{number}", review_status="published"
        )
        for number in range(1200)
    )
    ModelReleaseCitation.objects.bulk_create(ModelReleaseCitation(record=release, source=source) for source in sources)
    Source.objects.filter(slug="source-7").update(review_status="withdrawn")
    problems = [(problem.slug, problem.message) for problem in validation.check_citations()]
    assert problems == [(release.slug, "cites withdrawn source source-7")]


class LoadedFixturesTests(TestCase):
    """The checks on a database holding the curated fixtures, each test breaking one thing. The fixtures are
    loaded once for the class (``loaddata`` takes seconds); each test's changes are rolled back after it."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)

    def test_the_loaded_database_validates(self):
        # The command prints any problem it finds, so a failure here names them.
        assert validate() == (True, "No problems found in the database.\n")

    def test_published_record_without_citations(self):
        ModelReleaseCitation.objects.filter(record__slug="deepseek-v3").delete()
        assert reported("deepseek-v3", "published but cites no source")
        ok, output = validate()
        assert not ok and "model release deepseek-v3: published but cites no source" in output

    def test_organizations_are_exempt_from_citing_sources(self):
        assert Organization.objects.get(slug="huawei").citations.count() == 0
        assert not [p for p in validation.check_citations() if p.slug == "huawei"]

    def test_published_record_citing_only_unpublished_sources(self):
        release = ModelRelease.objects.get(slug="deepseek-v3")
        Source.objects.filter(slug__in=release.citations.values("source__slug")).update(review_status="in_review")
        assert reported("deepseek-v3", "cites only unpublished sources (arxiv-ds-v3, gh-ds-v3)")

    def test_cited_source_withdrawn(self):
        Source.objects.filter(slug="gh-ds-v3").update(review_status="withdrawn")
        assert reported("deepseek-v3", "cites withdrawn source gh-ds-v3")

    def test_malformed_source_url(self):
        Source.objects.filter(slug="gh-ds-v3").update(url="ftp://github.com/deepseek-ai/DeepSeek-V3")
        Source.objects.filter(slug="arxiv-ds-v3").update(archived_url="not a url")
        assert reported("gh-ds-v3", "url is not a well-formed http(s) URL")
        assert reported("arxiv-ds-v3", "archived_url is not a well-formed http(s) URL")

    def test_source_url_that_is_not_a_uri(self):
        # The API's schema promises URIs: a pasted address with Chinese characters is reported (and saved through
        # the admin, clean() stores it percent-encoded).
        iri = "https://research.doubao.com/blog/字节跳动-seed"
        Source.objects.filter(slug="gh-ds-v3").update(url=iri)
        assert reported("gh-ds-v3", "url is not a URI (percent-encode it")
        source = Source.objects.get(slug="gh-ds-v3")
        source.full_clean()
        assert source.url == "https://research.doubao.com/blog/%E5%AD%97%E8%8A%82%E8%B7%B3%E5%8A%A8-seed"

    def test_field_values_the_database_does_not_enforce(self):
        ExportControl.objects.filter(slug="us-oct2022").update(instrument="decree")
        assert reported("us-oct2022", "instrument:", validation.CHECKS)
        too_long = ExportControl.objects.filter(slug="us-oct2022")
        if connection.vendor == "sqlite":
            # SQLite keeps text of any length in a varchar column: the check is what catches it.
            too_long.update(status_note="x" * 600)
            assert reported("us-oct2022", "status_note:", validation.CHECKS)
        else:
            with pytest.raises(DataError), transaction.atomic():
                too_long.update(status_note="x" * 600)

    def test_announced_after_effective_without_explanation(self):
        ExportControl.objects.filter(slug="us-oct2022").update(announced_on=datetime.date(2022, 10, 20))
        assert reported("us-oct2022", "announced 2022-10-20 after effective 2022-10-07, unexplained")
        # The 2022 letter was disclosed after it applied, and its dates note says so: not a problem.
        assert not reported("us-nvda-isinformed-2022", "announced")

    def test_suspended_before_taking_effect_is_not_a_date_problem(self):
        mofcom_57 = ExportControl.objects.get(slug="cn-57-2025")
        assert mofcom_57.ends_on < mofcom_57.effective_on
        assert validation.export_control_date_problems(mofcom_57) == []

    def test_cycle_between_measures(self):
        ExportControl.objects.get(slug="us-oct2022").amends.add(ExportControl.objects.get(slug="us-dec2024-fdp"))
        problems = [str(p) for p in validation.check_control_links()]
        assert problems == [
            "export control us-dec2024-fdp: cycle in supersedes/amends/suspends: "
            "us-dec2024-fdp -> us-oct2023-acs -> us-oct2022 -> us-dec2024-fdp"
        ]

    def test_only_suspension_measures_suspend(self):
        ExportControl.objects.get(slug="cn-46-2024").suspends.add(ExportControl.objects.get(slug="cn-gage-2023"))
        assert reported("cn-46-2024", "suspends other measures but its instrument is export_ban")

    def test_grant_ended_before_its_model_existed(self):
        ModelRelease.objects.filter(slug="deepseek-v4").update(released_on=datetime.date(2026, 5, 1))
        assert reported("dsv4-huawei-early", "ended 2026-04-24 before model deepseek-v4 was announced or released")
