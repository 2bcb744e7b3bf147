"""The curated fixtures, the dataset's one source of truth: they load, every object is valid, the records keep
the dataset's invariants (counts, citations, review state), and they answer the questions the dataset exists for.
"""

import datetime
import json
from collections import Counter

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from api.dataset import COVERAGE_HORIZON, COVERAGE_STARTS_ON
from datasets.choices import ClaimStatusChoices, ConfidenceChoices, OutcomeChoices, ReviewStatusChoices
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
from datasets.querysets import published_lookup

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
FIXTURE_FILES = sorted(FIXTURES_DIR.glob("*.json"))
# Records of fact, which must cite sources (organizations are exempt, as in datasets/validation.py).
CITING_MODELS = (Chip, ModelRelease, AccessGrant, ExportControl)
RECORD_MODELS = (Organization, Source, *CITING_MODELS)
MODELS = (*RECORD_MODELS, *CITATION_MODELS)

# What fixtures/ holds. A change to the dataset changes this table in the same commit.
EXPECTED_COUNTS = {
    Organization: 80,
    Source: 586,
    Chip: 21,
    ModelRelease: 114,
    AccessGrant: 58,
    ExportControl: 84,
    OrganizationCitation: 53,
    ChipCitation: 126,
    ModelReleaseCitation: 281,
    AccessGrantCitation: 113,
    ExportControlCitation: 218,
}


def counts():
    return {model: model.objects.count() for model in MODELS}


def day(text):
    return datetime.date.fromisoformat(text)


def slugs(queryset):
    return set(queryset.values_list("slug", flat=True))


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


class CuratedFixturesTests(TestCase):
    """Read-only checks on the loaded fixtures. They are loaded once for the class (``loaddata`` takes seconds);
    each test runs in a savepoint that is rolled back, so a test that writes leaves nothing for the next one."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)

    def test_every_object_passes_full_clean(self):
        checked = 0
        for model in MODELS:
            for obj in model.objects.all():
                obj.full_clean()
                checked += 1
        assert checked == sum(EXPECTED_COUNTS.values())

    def test_record_counts(self):
        assert counts() == EXPECTED_COUNTS

    def test_every_fixture_object_is_a_distinct_record(self):
        # Two objects with the same natural key would load as one record.
        in_files = Counter()
        for path in FIXTURE_FILES:
            in_files.update(obj["model"] for obj in json.loads(path.read_text(encoding="utf-8")))
        assert in_files == {model._meta.label_lower: count for model, count in counts().items()}

    def test_loading_twice_creates_no_duplicates(self):
        before = counts()
        call_command("loaddata", *map(str, FIXTURE_FILES), verbosity=0)
        assert counts() == before

    def test_every_record_of_fact_cites_a_source_and_a_published_one_once_published(self):
        for model in CITING_MODELS:
            assert not model.objects.filter(citations__isnull=True).exists(), model.__name__
            uncited = model.objects.published().exclude(published_lookup("citations__source__"))
            assert not uncited.exists(), (model.__name__, slugs(uncited))

    def test_organizations_added_since_the_first_list_cite_a_source_that_names_them(self):
        # The first organization list (2026-11-28) gave no sources; every organization added since (the Entity
        # List batches' AI and chip companies, the parties to grants) cites the page that names it.
        added = Organization.objects.exclude(created_at__date=datetime.date(2026, 11, 28))
        assert added.count() >= 40
        uncited = added.exclude(published_lookup("citations__source__"))
        assert not uncited.exists(), slugs(uncited)
        targeted = added.filter(export_controls_targeting__in=ExportControl.objects.published()).distinct()
        assert targeted.count() >= 20

    def test_records_in_review_carry_a_curator_note_and_published_ones_none(self):
        for model in RECORD_MODELS:
            in_review = model.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW)
            assert not in_review.filter(curator_notes="").exists(), (model.__name__, slugs(in_review))
            assert not model.objects.published().exclude(curator_notes="").exists(), model.__name__
            # The fixtures hold nothing else: no drafts, no withdrawn records.
            assert model.objects.published().count() + in_review.count() == EXPECTED_COUNTS[model], model.__name__

    def test_sources_with_unchecked_urls_are_in_review_with_a_note(self):
        unchecked = Source.objects.filter(url_checked=False)
        assert unchecked.count() == 37
        assert slugs(unchecked) == slugs(Source.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW))
        assert not unchecked.filter(curator_notes="").exists()

    def test_records_awaiting_review(self):
        in_review = {
            model: slugs(model.objects.filter(review_status=ReviewStatusChoices.IN_REVIEW)) for model in RECORD_MODELS
        }
        assert in_review[Organization] == set()
        # A chip is in review exactly when its figures rest on low-confidence sources.
        assert in_review[Chip] == slugs(Chip.objects.filter(confidence=ConfidenceChoices.LOW))
        assert len(in_review[Chip]) == 4
        # Releases whose primary sources are not stored, or whose dates rest on weak sites only.
        assert in_review[ModelRelease] == {
            "claude-3",
            "claude-opus-4-1",
            "deepseek-v2-5",
            "doubao-1-5-pro",
            "ernie-x1-1",
            "gemini-1-5-pro",
            "gemini-2-0-flash",
            "gemini-2-5-pro",
            "gemma-4",
            "mistral-7b",
            "qwen3-vl",
        }
        assert in_review[AccessGrant] == {
            "anthropic-dow-ota-2025",
            "de-berlin-dpa-deepseek-2025",
            "glm46-moore-threads",
            "glm5-huawei-day0",
            "qwen35-huawei-day0",
            "ukaisi-claude35-june",
        }
        # Measures whose only sources are weak or conflicting.
        assert in_review[ExportControl] == {
            "cn-us31-easing-2025-11",
            "tw-shtc-items-2026",
            "us-sme-annual-licences-2026",
        }

    def test_deepseek_v4_grants_huawei_and_withholds_from_nvidia_and_amd(self):
        grants = AccessGrant.objects.published().filter(model__slug="deepseek-v4", access_type="early_access")
        by_grantee = {grant.grantee.slug: grant for grant in grants if grant.grantee}
        assert by_grantee["huawei"].outcome == OutcomeChoices.GRANTED
        for chipmaker in ("nvidia", "amd"):
            assert by_grantee[chipmaker].outcome == OutcomeChoices.WITHHELD
            assert by_grantee[chipmaker].claim_status == ClaimStatusChoices.REPORTED
        # The unnamed "Chinese chipmakers" are described, not linked to an organization.
        assert grants.filter(grantee__isnull=True, grantee_description__startswith="Chinese chipmakers").exists()

    def test_published_counts_reach_the_2026_targets(self):
        # Issue 16: the window 2025-01-01 to the horizon, swept; at least these many published records.
        targets = {ModelRelease: 75, AccessGrant: 45, ExportControl: 60, Organization: 80}
        for model, target in targets.items():
            assert model.objects.published().count() >= target, model.__name__

    def test_every_record_of_fact_was_checked_up_to_a_date_not_after_the_horizon(self):
        assert COVERAGE_HORIZON is not None and COVERAGE_STARTS_ON < COVERAGE_HORIZON
        for model in (Organization, *CITING_MODELS):
            assert not model.objects.filter(status_checked_on__isnull=True).exists(), model.__name__
            assert not model.objects.filter(status_checked_on__gt=COVERAGE_HORIZON).exists(), model.__name__

    def test_the_suspensions_of_2025_2026_answer_which_measures_are_suspended_and_until_when(self):
        suspended = self.client.get("/api/v1/export-controls/", {"end_reason": "suspended", "limit": 500}).json()
        by_slug = {record["slug"]: record for record in suspended["results"]}
        for slug in ("us-affiliates-rule", "cn-61-2025", "cn-62-2025", "cn-57-2025", "cn-46-2024-art2"):
            assert by_slug[slug]["suspended_by"], slug
        assert [(s["slug"], s["ends_on"]) for s in by_slug["us-affiliates-rule"]["suspended_by"]] == [
            ("us-affiliates-susp-2025", "2026-11-10")
        ]
        # Every measure ended by a suspension names one, and each suspension lists what it suspends.
        assert all(record["suspended_by"] for record in suspended["results"])
        suspensions = self.client.get("/api/v1/export-controls/", {"instrument": "suspension", "limit": 500}).json()
        assert {"cn-70-2025", "cn-72-2025", "us-affiliates-susp-2025"} <= {r["slug"] for r in suspensions["results"]}
        assert all(record["suspends"] for record in suspensions["results"])
        # After the horizon, an answer is flagged as unverified: the Affiliates Rule is scheduled back in force.
        page = self.client.get("/api/v1/export-controls/", {"in_force_on": "2026-12-01", "limit": 500}).json()
        listed = {record["slug"] for record in page["results"]}
        assert "us-affiliates-rule" in listed and "us-affiliates-susp-2025" not in listed
        assert set(page["status_unverified"]) == listed

    def test_ai_diffusion_rule_in_force_in_march_2025_not_june(self):
        us_in_force = ExportControl.objects.published().filter(jurisdiction="US")
        assert us_in_force.in_force_on(day("2025-03-01")).filter(slug="us-ai-diffusion").exists()
        assert not us_in_force.in_force_on(day("2025-06-01")).filter(slug="us-ai-diffusion").exists()

    def test_mofcom_57_of_2025_never_took_effect_and_is_scheduled_to_when_no_70_ends(self):
        first, last = day("2025-10-01"), day("2026-11-10")
        for offset in range((last - first).days):
            on = first + datetime.timedelta(days=offset)
            assert not ExportControl.objects.in_force_on(on).filter(slug="cn-57-2025").exists(), on
        # No. 70 suspended it "until November 10, 2026": from then it applies, as its own text schedules.
        assert ExportControl.objects.in_force_on(last).filter(slug="cn-57-2025").exists()

    def test_suspensions_and_partial_suspensions(self):
        in_force = ExportControl.objects.in_force_on
        # Nos. 61 and 62 were in force from 2025-10-09 until No. 70 suspended them on 2025-11-07.
        assert in_force(day("2025-10-20")).filter(slug="cn-61-2025").exists()
        assert not in_force(day("2025-11-07")).filter(slug__in=["cn-61-2025", "cn-62-2025"]).exists()
        # The Affiliates Rule was in force on 2025-11-09, suspended from 2025-11-10.
        assert in_force(day("2025-11-09")).filter(slug="us-affiliates-rule").exists()
        assert not in_force(day("2025-11-10")).filter(slug="us-affiliates-rule").exists()
        # ...and scheduled to be reimposed on 2026-11-10, when its one-year suspension ends.
        assert in_force(day("2026-11-10")).filter(slug="us-affiliates-rule").exists()
        # Only Article 2 of No. 46 of 2024 was suspended (by No. 72, until 2026-11-27): the measure stays in force,
        # its Article 2 (a record of its own) does not.
        assert in_force(day("2026-01-01")).filter(slug="cn-46-2024").exists()
        assert not in_force(day("2026-01-01")).filter(slug="cn-46-2024-art2").exists()
        assert in_force(day("2026-11-27")).filter(slug="cn-46-2024-art2").exists()
        # The "is-informed" letter was superseded by the October 2022 rule.
        assert not in_force(day("2022-10-07")).filter(slug="us-nvda-isinformed-2022").exists()
        assert ExportControl.objects.get(slug="us-oct2022").supersedes.filter(slug="us-nvda-isinformed-2022").exists()
        # No. 70 suspends the whole October 2025 package.
        assert slugs(ExportControl.objects.get(slug="cn-70-2025").suspends.all()) == {
            "cn-55-2025",
            "cn-56-2025",
            "cn-57-2025",
            "cn-58-2025",
            "cn-61-2025",
            "cn-62-2025",
        }

    def test_links_between_records(self):
        assert ModelRelease.objects.get(slug="deepseek-v3").training_chips.filter(slug="nvidia-h800-sxm").exists()
        assert ModelRelease.objects.get(slug="llama-4").training_chips.filter(slug="nvidia-h100-sxm").exists()
        variants = dict(
            Chip.objects.filter(china_variant_of__isnull=False).values_list("slug", "china_variant_of__slug")
        )
        assert variants == {
            "nvidia-a800-sxm": "nvidia-a100-sxm",
            "nvidia-h800-sxm": "nvidia-h100-sxm",
            "nvidia-h20": "nvidia-h100-sxm",
            "amd-mi308x": "amd-mi300x",
        }
        acs = ExportControl.objects.get(slug="us-oct2023-acs")
        assert slugs(acs.covered_chips.all()) == {
            "nvidia-a100-sxm",
            "nvidia-a800-sxm",
            "nvidia-h100-sxm",
            "nvidia-h800-sxm",
            "nvidia-l40s",
        }
        assert set(acs.target_countries.values_list("code", flat=True)) == {"CN", "MO"}
        listing = ExportControl.objects.get(slug="us-el-oct2023")
        assert slugs(listing.targeted_organizations.all()) == {"biren", "moore-threads"}
        h20_licence = ExportControl.objects.get(slug="us-h20-licence-2025")
        assert slugs(h20_licence.covered_chips.all()) == {"nvidia-h20", "amd-mi308x"}
        zhipu_listing = ExportControl.objects.get(slug="us-el-zhipu-2025")
        assert slugs(zhipu_listing.targeted_organizations.all()) == {"zhipu", "keyi-hongyuan"}

    def test_normalised_figures_and_kept_caveats(self):
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
