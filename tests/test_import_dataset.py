"""import_dataset: all or nothing, idempotent, counts what it changed."""

import json
from io import StringIO

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import (
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    ExportControl,
    ExportControlCitation,
    ImportedVersion,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    OrganizationCitation,
    Source,
)
from tests import factories

pytestmark = pytest.mark.django_db

CITATIONS = [ChipCitation, ModelReleaseCitation, AccessGrantCitation, ExportControlCitation]
ORDER = [Organization, Source, Chip, ModelRelease, AccessGrant, ExportControl, *CITATIONS]


@pytest.fixture
def fixture_dir(tmp_path):
    """A small dataset written as fixture files, then removed from the database."""
    nvidia = factories.make_organization(slug="nvidia", kind="chipmaker")
    h100 = factories.make_chip(slug="nvidia-h100", vendor=nvidia)
    # Files list records newest first, so this variant comes before its parent: a forward reference.
    factories.make_chip(slug="a-variant", vendor=nvidia, china_variant_of=h100)
    release = factories.make_model_release(slug="deepseek-v3")
    release.training_chips.add(h100)
    source = factories.make_source(slug="readme")
    ModelReleaseCitation.objects.create(record=release, source=source, locator="README")
    factories.make_access_grant(slug="v3-amd", model=release)
    control = factories.make_export_control(slug="us-rule")
    control.target_countries.add("CN", "MO")
    control.covered_chips.add(h100)
    # Published records cite a source (import validates that before it commits).
    for citation_model in CITATIONS:
        record_model = citation_model._meta.get_field("record").related_model
        for record in record_model.objects.exclude(citations__source=source):
            citation_model.objects.create(record=record, source=source)
    for number, model in enumerate(ORDER, start=1):
        text = serializers.serialize(
            "json",
            model.objects.order_by("-pk"),
            indent=2,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        (tmp_path / f"{number:02d}_{model._meta.model_name}.json").write_text(text)
    Chip.objects.update(china_variant_of=None)
    for model in reversed(ORDER):
        model.objects.all().delete()
    return tmp_path


def run(*args):
    out = StringIO()
    call_command("import_dataset", *map(str, args), stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model._meta.label: json.loads(
            serializers.serialize("json", model.objects.order_by("pk"), use_natural_foreign_keys=True)
        )
        for model in ORDER
    }


def test_import_creates_everything_then_a_second_import_changes_nothing(fixture_dir):
    first = run(fixture_dir)
    assert "datasets.chip: 2 created, 0 updated, 0 unchanged" in first
    assert "changed 14 record(s)" in first
    assert Chip.objects.get(slug="a-variant").china_variant_of.slug == "nvidia-h100"
    assert set(ExportControl.objects.get().target_countries.values_list("code", flat=True)) == {"CN", "MO"}
    assert ModelRelease.objects.get().citations.get().locator == "README"

    before = snapshot()
    second = run(fixture_dir)
    assert "changed 0 record(s)" in second
    assert "datasets.chip: 0 created, 0 updated, 2 unchanged" in second
    assert snapshot() == before


def test_changed_record_is_updated_in_place(fixture_dir):
    run(fixture_dir)
    path = next(fixture_dir.glob("*_organization.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["name"] = "Renamed"
    path.write_text(json.dumps(entries))
    output = run(fixture_dir)
    assert "datasets.organization:" in output and "1 updated" in output
    assert Organization.objects.filter(name="Renamed").count() == 1
    assert Organization.objects.count() == len(entries)


def test_bad_record_near_the_end_leaves_the_database_exactly_as_it_was(fixture_dir):
    run(fixture_dir)
    path = next(fixture_dir.glob("*_organization.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["name"] = "Changed before the failure"
    path.write_text(json.dumps(entries))
    last = sorted(fixture_dir.glob("*.json"))[-1]
    citations = json.loads(last.read_text())
    citations.append({**citations[0], "fields": {**citations[0]["fields"], "source": ["no-such-source"]}})
    last.write_text(json.dumps(citations))
    before = snapshot()
    with pytest.raises(CommandError, match="nothing was changed"):
        run(fixture_dir)
    assert snapshot() == before


def test_invalid_choice_is_refused_with_the_record_named(fixture_dir):
    path = next(fixture_dir.glob("*_modelrelease.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["weights"] = "leaked"
    path.write_text(json.dumps(entries))
    with pytest.raises(CommandError, match=r"deepseek-v3.*weights"):
        run(fixture_dir)
    assert not Organization.objects.exists()


def test_dry_run_counts_but_writes_nothing(fixture_dir):
    output = run(fixture_dir, "--dry-run")
    assert "would change 14 record(s) (dry run)" in output
    assert not Organization.objects.exists()


def test_missing_or_empty_directory_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        run(tmp_path / "nowhere")
    with pytest.raises(CommandError, match=r"no \*\.json"):
        run(tmp_path)


def test_equal_values_written_differently_count_as_unchanged(fixture_dir):
    run(fixture_dir)
    path = next(fixture_dir.glob("*_chip.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["memory_gb"] = "80"
    path.write_text(json.dumps(entries))
    run(fixture_dir)  # the first write of 80
    entries[0]["fields"]["memory_gb"] = "80.0"
    path.write_text(json.dumps(entries))
    assert "datasets.chip: 0 created, 0 updated, 2 unchanged" in run(fixture_dir)


def test_curated_fixtures_import_cleanly_and_a_second_import_changes_nothing(settings):
    fixtures = settings.BASE_DIR / "fixtures"
    assert "changed 0 record(s)" not in run(fixtures)
    assert "changed 0 record(s)" in run(fixtures)


def test_import_keeps_history_and_tells_the_feed_once_per_record(fixture_dir):
    from datasets.models import ChangeEvent

    run(fixture_dir)
    release = ModelRelease.objects.get(slug="deepseek-v3")
    imported = release.history.filter(history_change_reason__startswith="Imported from")
    assert imported.count() == 1
    published = ChangeEvent.objects.filter(resource="model-releases", slug="deepseek-v3")
    assert list(published.values_list("change", flat=True)) == ["published"]

    path = next(fixture_dir.glob("*_modelrelease.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["name"] = "DeepSeek-V3 (and V3-Base)"
    path.write_text(json.dumps(entries))
    run(fixture_dir)
    assert imported.count() == 2
    assert imported.latest().name == "DeepSeek-V3 (and V3-Base)"
    assert list(published.values_list("change", flat=True)) == ["published", "updated"]
    assert "changed 0 record(s)" in run(fixture_dir)
    assert published.count() == 2


def many_records(count: int) -> None:
    """``count`` records of every kind, linked and cited like the curated ones (each measure supersedes the
    previous one, which the files list after it: a forward reference in a many-to-many field)."""
    previous = None
    for number in range(count):
        organization = factories.make_organization(slug=f"org-{number}")
        source = factories.make_source(slug=f"source-{number}")
        chip = factories.make_chip(slug=f"chip-{number}", vendor=organization)
        release = factories.make_model_release(slug=f"model-{number}", developer=organization)
        release.training_chips.add(chip)
        grant = factories.make_access_grant(slug=f"grant-{number}", model=release, grantee=organization)
        control = factories.make_export_control(slug=f"control-{number}", authority=organization)
        control.covered_chips.add(chip)
        control.target_countries.add("CN")
        control.targeted_organizations.add(organization)
        if previous is not None:
            control.supersedes.add(previous)
        previous = control
        for record in (organization, chip, release, grant, control):
            factories.make_citation(record, source)


def write_and_wipe(directory) -> None:
    """Write the database's records as fixture files (newest first), then empty the database (records and what
    earlier imports remember of them), as a fresh one."""
    directory.mkdir()
    for number, model in enumerate([*ORDER[:6], OrganizationCitation, *CITATIONS], start=1):
        text = serializers.serialize(
            "json", model.objects.order_by("-pk"), use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        (directory / f"{number:02d}_{model._meta.model_name}.json").write_text(text)
    Chip.objects.update(china_variant_of=None)
    for model in reversed([*ORDER[:6], OrganizationCitation, *CITATIONS]):
        model.objects.all().delete()
    ImportedVersion.objects.all().delete()


def test_import_runs_as_many_queries_for_many_records_as_for_few(tmp_path):
    """No query per record: a fresh import and a second one each take a fixed number of queries."""
    counts = []
    for count in (2, 6):
        many_records(count)
        write_and_wipe(tmp_path / str(count))
        with CaptureQueriesContext(connection) as fresh:
            assert f"changed {count * 11} record(s)" in run(tmp_path / str(count))
        with CaptureQueriesContext(connection) as again:
            assert "changed 0 record(s)" in run(tmp_path / str(count))
        assert ExportControl.objects.get(slug="control-1").supersedes.get().slug == "control-0"
        counts.append((len(fresh), len(again)))
        write_and_wipe(tmp_path / f"{count}-done")
    assert counts[0] == counts[1]


def test_record_the_database_refuses_in_a_large_file_is_named_and_nothing_is_written(tmp_path):
    many_records(2)
    write_and_wipe(tmp_path / "data")
    run(tmp_path / "data")
    path = tmp_path / "data" / "03_chip.json"
    entries = json.loads(path.read_text())
    template = entries[0]["fields"]
    for number in range(300):
        memory = "-1" if number == 150 else "80"  # full_clean() lets a negative size pass; a CHECK does not
        fields = {**template, "slug": f"extra-{number}", "memory_gb": memory}
        entries.append({"model": "datasets.chip", "fields": fields})
    entries[0]["fields"]["name"] = "Changed before the failure"
    path.write_text(json.dumps(entries))
    before = snapshot()
    with pytest.raises(CommandError, match=r"03_chip.json: datasets.chip extra-150: .*memory_not_negative"):
        run(tmp_path / "data")
    assert snapshot() == before


def test_reference_to_a_missing_record_is_refused_naming_both(fixture_dir):
    path = next(fixture_dir.glob("*_chip.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["vendor"] = ["no-such-org"]
    path.write_text(json.dumps(entries))
    missing = r"datasets.chip a-variant refers to a missing record \(vendor: datasets.organization no-such-org\)"
    with pytest.raises(CommandError, match=rf"{path.name}: {missing}"):
        run(fixture_dir)
    assert not Organization.objects.exists()


def test_links_a_file_no_longer_lists_are_removed_and_new_ones_added(fixture_dir):
    run(fixture_dir)
    path = next(fixture_dir.glob("*_exportcontrol.json"))
    entries = json.loads(path.read_text())
    entries[0]["fields"]["target_countries"] = ["CN", "HK"]
    path.write_text(json.dumps(entries))
    assert "datasets.exportcontrol: 0 created, 1 updated, 0 unchanged" in run(fixture_dir)
    control = ExportControl.objects.get()
    assert set(control.target_countries.values_list("code", flat=True)) == {"CN", "HK"}
    assert {row.country_id for row in control.history.latest().target_countries.all()} == {"CN", "HK"}
    assert "changed 0 record(s)" in run(fixture_dir)


def test_history_keeps_one_version_per_imported_record_with_its_links(fixture_dir):
    from api.history import public_versions

    run(fixture_dir)
    release = ModelRelease.objects.get(slug="deepseek-v3")
    version = release.history.get()
    assert [row.chip_id for row in version.training_chips.all()] == [Chip.objects.get(slug="nvidia-h100").pk]
    assert len(public_versions(release)) == 1
    control = ExportControl.objects.get()
    assert {row.country_id for row in control.history.get().target_countries.all()} == {"CN", "MO"}


def test_a_new_grant_whose_entry_names_no_grantor_gets_the_models_developer_as_in_the_admin(fixture_dir):
    path = fixture_dir / "05_accessgrant.json"
    entries = json.loads(path.read_text())
    for entry in entries:
        del entry["fields"]["grantor"]
    path.write_text(json.dumps(entries))
    run(str(fixture_dir))
    grant = AccessGrant.objects.get(slug="v3-amd")
    assert grant.grantor is not None
    assert grant.grantor == grant.model.developer


def test_an_explicit_null_grantor_stays_null(fixture_dir):
    # A release says null for a grantor that is not public: an import must not put a fact of its own there.
    path = fixture_dir / "05_accessgrant.json"
    entries = json.loads(path.read_text())
    for entry in entries:
        entry["fields"]["grantor"] = None
    path.write_text(json.dumps(entries))
    run(str(fixture_dir))
    assert AccessGrant.objects.get(slug="v3-amd").grantor is None


def planner_statistics(table: str) -> int:
    """How many statistics rows the database's planner holds for ``table`` (ANALYZE writes them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchall():
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0]


def test_an_import_refreshes_the_planners_statistics_and_a_dry_run_does_not(fixture_dir):
    table = ModelRelease._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchall():
                cursor.execute("DELETE FROM sqlite_stat1")
    before = planner_statistics(table)
    run(fixture_dir, "--dry-run")
    assert planner_statistics(table) == before
    run(fixture_dir)
    assert planner_statistics(table) > before
