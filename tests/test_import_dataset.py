"""import_dataset: all or nothing, idempotent, counts what it changed."""

import json
from io import StringIO

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command

from datasets.models import (
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    ExportControl,
    ExportControlCitation,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
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
