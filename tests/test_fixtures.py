"""The curated fixtures: they load, every object is valid, they hold every sheet record, and they answer the
questions the dataset exists for."""

import datetime
import filecmp
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from datasets.choices import ClaimStatusChoices, OutcomeChoices, ReviewStatusChoices
from datasets.factsheets.tables import MODEL_RELEASES
from datasets.models import (
    CITATION_MODELS,
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    ExportControl,
    ExportControlCitation,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    OrganizationCitation,
    Source,
)

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
DATA_DIR = settings.BASE_DIR.parent / "shared" / "data"
FIXTURE_FILES = sorted(FIXTURES_DIR.glob("*.json"))
MODELS = (Organization, Source, Chip, ModelRelease, AccessGrant, ExportControl, *CITATION_MODELS)


@pytest.fixture(scope="module")
def sheets():
    facts = yaml.safe_load((DATA_DIR / "facts.yaml").read_text(encoding="utf-8"))
    chips = yaml.safe_load((DATA_DIR / "chips.yaml").read_text(encoding="utf-8"))
    return facts, chips


@pytest.fixture
def loaded(db):
    call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def day(text):
    return datetime.date.fromisoformat(text)


def test_fixture_files_sort_in_load_order():
    names = [path.name for path in FIXTURE_FILES]
    assert names[:6] == [
        "01_organizations.json",
        "02_sources.json",
        "03_chips.json",
        "04_model_releases.json",
        "05_access_grants.json",
        "06_export_controls.json",
    ]
    assert len(names) == 11
    assert all(name.split("_")[-1] == "citations.json" for name in names[6:])


@pytest.mark.usefixtures("loaded")
def test_every_object_passes_full_clean():
    checked = 0
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == sum(counts().values())


@pytest.mark.usefixtures("loaded")
def test_record_counts_match_the_sheets(sheets):
    facts, chips = sheets
    vendors_not_listed = {chip["vendor"] for chip in chips["chips"]} - {org["id"] for org in facts["organizations"]}
    assert vendors_not_listed == {"google"}
    assert Organization.objects.count() == len(facts["organizations"]) + 1 == 36
    source_ids = {source["id"] for source in facts["sources"] + chips["sources"]}
    assert Source.objects.count() == len(source_ids) == 235  # src_crowell_gp10 is in both sheets
    assert Chip.objects.count() == len(chips["chips"]) == 21
    assert ModelRelease.objects.count() == len(facts["model_releases"]) == 41
    # A grantee list of organization ids becomes one record per grantee.
    expected_grants = sum(
        len(g["grantee_org"]) if isinstance(g["grantee_org"], list) and len(g["grantee_org"]) > 1 else 1
        for g in facts["access_grants"]
    )
    assert AccessGrant.objects.count() == expected_grants == 26 + 1 + 1 + 2
    assert ExportControl.objects.count() == len(facts["export_controls"]) == 34


@pytest.mark.usefixtures("loaded")
def test_every_record_cites_all_its_sheet_sources(sheets):
    facts, chips = sheets

    def cited(model, slug):
        return set(model.objects.filter(record__slug=slug).values_list("source__slug", flat=True))

    def slugs(ids):
        return {i.removeprefix("src_").replace("_", "-") for i in ids}

    for chip in chips["chips"]:
        assert cited(ChipCitation, chip["id"]) == slugs(chip["sources"])
    for release in facts["model_releases"]:
        slug = MODEL_RELEASES[release["id"]]["slug"]
        assert cited(ModelReleaseCitation, slug) == slugs(release["sources"]), slug
    for control in facts["export_controls"]:
        slug = control["id"].removeprefix("ec_").replace("_", "-")
        assert cited(ExportControlCitation, slug) == slugs(control["sources"]), slug
    for grant in facts["access_grants"]:
        records = AccessGrant.objects.filter(slug__startswith=grant["id"].removeprefix("ag_").replace("_", "-"))
        assert records.exists()
        for record in records:
            assert cited(AccessGrantCitation, record.slug) == slugs(grant["reported_by"])
    # Organizations: the sheet gives none; the TPU vendor cites Google's own TPU pages.
    assert set(OrganizationCitation.objects.values_list("record__slug", flat=True)) == {"google"}


@pytest.mark.usefixtures("loaded")
def test_loading_twice_creates_no_duplicates():
    before = counts()
    call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)
    assert counts() == before


@pytest.mark.usefixtures("loaded")
def test_deepseek_v4_grants_huawei_and_withholds_from_nvidia_and_amd():
    grants = AccessGrant.objects.published().filter(model__slug="deepseek-v4", access_type="early_access")
    by_grantee = {grant.grantee.slug: grant for grant in grants if grant.grantee}
    assert by_grantee["huawei"].outcome == OutcomeChoices.GRANTED
    for chipmaker in ("nvidia", "amd"):
        assert by_grantee[chipmaker].outcome == OutcomeChoices.WITHHELD
        assert by_grantee[chipmaker].claim_status == ClaimStatusChoices.REPORTED
    # The unnamed "Chinese chipmakers" are described, not linked to an organization.
    assert grants.filter(grantee__isnull=True, grantee_description__startswith="Chinese chipmakers").exists()


@pytest.mark.usefixtures("loaded")
def test_ai_diffusion_rule_in_force_in_march_2025_not_june():
    us_in_force = ExportControl.objects.published().filter(jurisdiction="US")
    assert us_in_force.in_force_on(day("2025-03-01")).filter(slug="us-ai-diffusion").exists()
    assert not us_in_force.in_force_on(day("2025-06-01")).filter(slug="us-ai-diffusion").exists()


@pytest.mark.usefixtures("loaded")
def test_mofcom_57_of_2025_is_never_in_force():
    first, last = day("2025-10-01"), day("2027-06-01")
    for offset in range((last - first).days):
        on = first + datetime.timedelta(days=offset)
        assert not ExportControl.objects.in_force_on(on).filter(slug="cn-57-2025").exists(), on


@pytest.mark.usefixtures("loaded")
def test_suspensions_and_partial_suspensions():
    in_force = ExportControl.objects.in_force_on
    # Nos. 61 and 62 were in force from 2025-10-09 until No. 70 suspended them on 2025-11-07.
    assert in_force(day("2025-10-20")).filter(slug="cn-61-2025").exists()
    assert not in_force(day("2025-11-07")).filter(slug__in=["cn-61-2025", "cn-62-2025"]).exists()
    # The Affiliates Rule was in force on 2025-11-09, suspended from 2025-11-10.
    assert in_force(day("2025-11-09")).filter(slug="us-affiliates-rule").exists()
    assert not in_force(day("2025-11-10")).filter(slug="us-affiliates-rule").exists()
    # Only clause (2) of No. 46 of 2024 was suspended: the measure stays in force.
    assert in_force(day("2026-01-01")).filter(slug="cn-46-2024").exists()
    # The "is-informed" letter was superseded by the October 2022 rule.
    assert not in_force(day("2022-10-07")).filter(slug="us-nvda-isinformed-2022").exists()
    assert ExportControl.objects.get(slug="us-oct2022").supersedes.filter(slug="us-nvda-isinformed-2022").exists()
    assert set(ExportControl.objects.get(slug="cn-70-2025").suspends.values_list("slug", flat=True)) == {
        "cn-57-2025",
        "cn-61-2025",
        "cn-62-2025",
    }


@pytest.mark.usefixtures("loaded")
def test_links_the_sheets_state():
    assert ModelRelease.objects.get(slug="deepseek-v3").training_chips.filter(slug="nvidia-h800-sxm").exists()
    assert ModelRelease.objects.get(slug="llama-4").training_chips.filter(slug="nvidia-h100-sxm").exists()
    variants = dict(Chip.objects.filter(china_variant_of__isnull=False).values_list("slug", "china_variant_of__slug"))
    assert variants == {
        "nvidia-a800-sxm": "nvidia-a100-sxm",
        "nvidia-h800-sxm": "nvidia-h100-sxm",
        "nvidia-h20": "nvidia-h100-sxm",
        "amd-mi308x": "amd-mi300x",
    }
    acs = ExportControl.objects.get(slug="us-oct2023-acs")
    assert set(acs.covered_chips.values_list("slug", flat=True)) == {
        "nvidia-a100-sxm",
        "nvidia-a800-sxm",
        "nvidia-h100-sxm",
        "nvidia-h800-sxm",
        "nvidia-l40s",
    }
    assert set(acs.target_countries.values_list("code", flat=True)) == {"CN", "MO"}
    listing = ExportControl.objects.get(slug="us-el-oct2023")
    assert set(listing.targeted_organizations.values_list("slug", flat=True)) == {"biren", "moore-threads"}


@pytest.mark.usefixtures("loaded")
def test_normalised_figures_and_kept_caveats():
    v3 = ModelRelease.objects.get(slug="deepseek-v3")
    assert (v3.parameters_total, v3.parameters_active, v3.context_length) == (671 * 10**9, 37 * 10**9, 128_000)
    assert "685B on Hugging Face" in v3.parameters_note
    v4 = ModelRelease.objects.get(slug="deepseek-v4")
    assert v4.parameters_total == 1_600_000_000_000
    assert "V4-Flash 284B" in v4.parameters_note
    assert "disputed" in v4.training_compute_note.lower()
    assert not v4.training_chips.exists()
    v25 = ModelRelease.objects.get(slug="deepseek-v2-5")
    assert v25.date_precision == "day" and "2024-09-05/06" in v25.notes


@pytest.mark.usefixtures("loaded")
def test_review_status_follows_the_sheets(sheets):
    facts, chips = sheets
    unverified = {"us-affiliates-rule", "cn-70-2025", "cn-61-2025", "cn-62-2025", "cn-57-2025", "cn-46-2024"}
    in_review = set(
        ExportControl.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW).values_list("slug", flat=True)
    )
    assert in_review == unverified | {"us-inspur-2023"}  # confidence low
    unchecked_releases = {r["id"] for r in facts["model_releases"] if not r["source_checked"]}
    assert ModelRelease.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW).count() == len(unchecked_releases)
    low_chips = {c["id"] for c in chips["chips"] if c["confidence"] == "low"}
    assert set(Chip.objects.filter(review_status="in_review").values_list("slug", flat=True)) == low_chips
    unchecked_sources = Source.objects.filter(url_checked=False)
    assert unchecked_sources.count() == 20
    assert all(source.review_status == "in_review" and source.curator_notes for source in unchecked_sources)
    for model in (Chip, ModelRelease, AccessGrant, ExportControl):
        for record in model.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW):
            assert record.curator_notes, record.slug
        assert not model.objects.published().exclude(curator_notes="").exists()


def test_build_fixtures_reproduces_the_committed_files(tmp_path):
    call_command("build_fixtures", data_dir=DATA_DIR, output=tmp_path, stdout=StringIO(), stderr=StringIO())
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == [path.name for path in FIXTURE_FILES]
    match, mismatch, errors = filecmp.cmpfiles(FIXTURES_DIR, tmp_path, built, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert match == built
