"""export_dataset / import_dataset: versioned, checksummed, deterministic releases of the public records."""

import csv
import hashlib
import io
import json
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import duckdb
import pytest
from django.core.management import CommandError, call_command

from datasets.models import (
    CITATION_MODELS,
    ChangeEvent,
    Chip,
    ExportControl,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
)
from datasets.resources import RESOURCES
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    """A small dataset with public and hidden records, hidden links, notes and citations."""
    source = factories.make_source(slug="readme", curator_notes="check the archive copy")
    hidden_source = factories.make_source(slug="unchecked", review_status="in_review")
    nvidia = factories.make_organization(slug="nvidia", kind="chipmaker")
    h100 = factories.make_chip(slug="nvidia-h100", vendor=nvidia, memory_gb="80.0", tpp=15832)
    h20 = factories.make_chip(slug="nvidia-h20", vendor=nvidia, china_variant_of=h100, review_status="in_review")
    release = factories.make_model_release(slug="deepseek-v3", curator_notes="internal: verify GPU hours")
    release.training_chips.add(h100, h20)
    factories.make_model_release(slug="draft-model", review_status="draft")
    grant = factories.make_access_grant(slug="v3-amd", model=release)
    control = factories.make_export_control(slug="us-rule")
    control.target_countries.add("CN", "MO")
    control.covered_chips.add(h100, h20)
    for model in CITATION_MODELS:
        record_model = model._meta.get_field("record").related_model
        for record in record_model.objects.all():
            model.objects.create(record=record, source=source)
    ModelReleaseCitation.objects.create(record=release, source=hidden_source, locator="p. 1")
    return {"release": release, "grant": grant, "control": control}


def export(path):
    call_command("export_dataset", str(path), stdout=StringIO())
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def import_(path, *args):
    out = StringIO()
    call_command("import_dataset", str(path), *args, stdout=out)
    return out.getvalue()


def wipe():
    Chip.objects.update(china_variant_of=None)
    for model in [*CITATION_MODELS, *reversed([r.model for r in RESOURCES])]:
        model.objects.all().delete()


def test_release_has_json_csv_records_datapackage_and_checksums(dataset, tmp_path):
    files = export(tmp_path)
    for resource in RESOURCES:
        assert f"{resource.name}.json" in files and f"{resource.name}.csv" in files
    assert any(name.startswith("records/") for name in files)
    lines = files["SHA256SUMS"].decode().splitlines()
    assert len(lines) == len(files) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest

    package = json.loads(files["datapackage.json"])
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["version"].startswith(dataset["release"].updated_at.strftime("%Y.%m.%d") + "+")
    for resource in package["resources"]:
        assert resource["path"] in files
        if resource["format"] == "csv":
            header = next(csv.reader(io.StringIO(files[resource["path"]].decode())))
            assert header == [field["name"] for field in resource["schema"]["fields"]]
            assert all(field["description"] for field in resource["schema"]["fields"])


def test_release_files_use_the_api_field_names_and_records(dataset, tmp_path, client):
    files = export(tmp_path)
    released = json.loads(files["model-releases.json"])
    api = client.get("/api/v1/model-releases/").json()["results"]
    assert [r["slug"] for r in released] == [r["slug"] for r in api] == ["deepseek-v3"]
    assert list(released[0]) == list(api[0])
    assert released[0]["url"] == "/api/v1/model-releases/deepseek-v3/"
    assert [chip["slug"] for chip in released[0]["training_chips"]] == ["nvidia-h100"]
    rows = list(csv.DictReader(io.StringIO(files["model-releases.csv"].decode())))
    assert rows[0]["developer"] == released[0]["developer"]["slug"]
    assert rows[0]["training_chips"] == "nvidia-h100"
    controls = list(csv.DictReader(io.StringIO(files["export-controls.csv"].decode())))
    assert controls[0]["target_countries"] == "CN;MO"


def readable(name: str, content: bytes) -> str:
    """A release file's text; a Parquet file's records as JSON lines, column names included."""
    if not name.endswith(".parquet"):
        return content.decode()
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    rows = duckdb.execute("SELECT to_json(records)::VARCHAR FROM read_parquet(?) AS records", [str(path)]).fetchall()
    return "\n".join(row[0] for row in rows)


def test_release_holds_no_hidden_record_note_or_link(dataset, tmp_path):
    files = export(tmp_path)
    # The Parquet files are compressed: read, every value as text.
    everything = "".join(readable(name, content) for name, content in files.items())
    for secret in ["draft-model", "nvidia-h20", "unchecked", "internal: verify", "check the archive", "in_review"]:
        assert secret not in everything, secret
    for private in ["curator_notes", "last_edited_by", "revision_of"]:
        assert private not in everything, private
    records = b"".join(content for name, content in files.items() if name.startswith("records/")).decode()
    assert '"version"' not in records


def test_export_is_deterministic(dataset, tmp_path):
    assert export(tmp_path / "a") == export(tmp_path / "b")


def without_updated_at(files: dict) -> dict:
    """The release's JSON files with every record's updated_at left out, and what follows from them: the
    release's version, date of last change and citation text."""

    def strip(value):
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key != "updated_at"}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    stripped = {name: strip(json.loads(data)) for name, data in files.items() if name.endswith(".json")}
    for name in ("version", "last_change", "citation"):
        del stripped["datapackage.json"][name]
    return stripped


def test_round_trip_into_an_empty_database_gives_the_same_records_published_at_the_import(dataset, tmp_path):
    first = export(tmp_path / "first")
    wipe()
    output = import_(tmp_path / "first")
    assert "datasets.modelrelease: 1 created" in output
    second = export(tmp_path / "second")
    # The same records; published here at the import, so updated_at is that instant (the feed's, issue 13).
    assert without_updated_at(second) == without_updated_at(first)
    for resource in RESOURCES:
        for record in json.loads(second[f"{resource.name}.json"]):
            published = ChangeEvent.objects.get(resource=resource.name, slug=record["slug"])
            assert record["updated_at"] == published.changed_at.isoformat().replace("+00:00", "Z")
    assert "changed 0 record(s)" in import_(tmp_path / "first")
    assert export(tmp_path / "third") == second


def test_importing_a_release_keeps_notes_and_links_to_unpublished_records(dataset, tmp_path):
    export(tmp_path)
    assert "changed 0 record(s)" in import_(tmp_path)
    release = ModelRelease.objects.get(slug="deepseek-v3")
    assert release.curator_notes == "internal: verify GPU hours"
    assert set(release.training_chips.values_list("slug", flat=True)) == {"nvidia-h100", "nvidia-h20"}
    assert ExportControl.objects.get().covered_chips.count() == 2


def test_import_refuses_a_release_whose_checksums_do_not_match(dataset, tmp_path):
    export(tmp_path / "release")
    wipe()
    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "release", tampered)
    records = tampered / "records" / "01_organization.json"
    records.write_text(records.read_text().replace("nvidia", "nvidia-x"))
    with pytest.raises(CommandError, match="does not match its checksum"):
        import_(tampered)
    extra = tmp_path / "extra"
    shutil.copytree(tmp_path / "release", extra)
    (extra / "notes.txt").write_text("not part of the release")
    with pytest.raises(CommandError, match="not listed"):
        import_(extra)
    assert not Organization.objects.exists()


def test_import_that_fails_validation_changes_nothing(dataset, tmp_path):
    export(tmp_path)
    wipe()
    # A published record citing no source: loadable, but not valid.
    path = tmp_path / "records" / "09_modelreleasecitation.json"
    path.write_text("[]\n")
    lines = [
        line
        for line in (tmp_path / "SHA256SUMS").read_text().splitlines()
        if not line.endswith("09_modelreleasecitation.json")
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "SHA256SUMS").write_text("\n".join([*lines, f"{digest}  records/09_modelreleasecitation.json"]) + "\n")
    with pytest.raises(CommandError, match=r"does not validate[\s\S]*deepseek-v3"):
        import_(tmp_path)
    assert not ModelRelease.objects.exists()
    assert not Organization.objects.exists()
