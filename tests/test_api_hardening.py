"""API hardening (issue 14): the release the dataset endpoint offers, its files, imports of a damaged release,
the schema's own view and the API's words in a 404."""

import hashlib
import json
import os
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api import releases
from datasets.models import ImportedVersion, ModelRelease
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def release_dir(settings, tmp_path):
    settings.RELEASE_DIR = tmp_path / "release"
    return settings.RELEASE_DIR


@pytest.fixture
def records():
    release = factories.make_model_release(slug="deepseek-v3")
    factories.make_citation(release)
    factories.make_model_release(slug="hidden", review_status="in_review")


def export(*args):
    call_command("export_dataset", *args, stdout=StringIO())


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


# 1. The dataset endpoint never serves a stale release.


def test_a_new_release_without_a_data_change_is_served_at_once(client, release_dir, records):
    export("--release-version", "1.0")
    first = client.get("/api/v1/dataset/")
    assert first.json()["version"] == "1.0"
    export("--release-version", "1.1")
    again = client.get("/api/v1/dataset/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    body = again.json()
    assert body["version"] == "1.1"
    for file in body["downloads"]:
        content = download(client, file["url"])
        assert hashlib.sha256(content).hexdigest() == file["sha256"] and len(content) == file["size"]
    assert again["ETag"] != first["ETag"]


def test_a_release_is_switched_into_place_at_once_and_a_reader_keeps_the_one_it_read(release_dir, records):
    export("--release-version", "1.0")
    assert release_dir.is_symlink()
    before = releases.read_release(release_dir)
    export("--release-version", "1.1")
    # The reader that looked before the switch still reads a whole 1.0 (downloads under way are not cut short).
    for file in before.files:
        assert hashlib.sha256((before.directory / file.name).read_bytes()).hexdigest() == file.sha256
    assert json.loads((before.directory / "datapackage.json").read_text())["version"] == "1.0"
    assert releases.read_release(release_dir).package["version"] == "1.1"
    export("--release-version", "1.2")
    assert not before.directory.exists()  # only the current release and the one before it are kept
    kept = [path for path in (release_dir.parent / ".release-releases").iterdir() if path.is_dir()]
    assert len(kept) == 2


def test_a_release_never_replaces_a_directory_of_other_files(tmp_path, records):
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("mine")
    with pytest.raises(CommandError, match=r"not part of a release \(thesis.txt\)"):
        export(str(other))
    assert (other / "thesis.txt").read_text() == "mine"


def test_a_release_written_before_releases_were_switched_is_replaced(tmp_path, records):
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "SHA256SUMS").write_text("")
    export(str(legacy))
    assert legacy.is_symlink()
    assert (legacy / "SHA256SUMS").read_text() != ""


# 2. Every file the checksums list can be downloaded: a release fetched over HTTP checks and imports.


def test_a_release_downloaded_over_http_checks_with_sha256sum_and_imports(client, release_dir, records, tmp_path):
    export()
    listed = {line.split("  ")[1] for line in (release_dir / "SHA256SUMS").read_text().splitlines()}
    assert any(name.startswith("records/") for name in listed)
    downloads = client.get("/api/v1/dataset/").json()["downloads"]
    assert {file["name"] for file in downloads} == listed | {"SHA256SUMS"}
    fetched = tmp_path / "fetched"
    for file in downloads:
        path = fetched / file["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(download(client, file["url"]))
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=fetched, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    ModelRelease.objects.all().delete()
    ImportedVersion.objects.all().delete()
    out = StringIO()
    call_command("import_dataset", str(fetched), stdout=out)
    assert "datasets.modelrelease: 1 created" in out.getvalue()
    assert ModelRelease.objects.get().slug == "deepseek-v3"


def test_only_files_the_checksums_list_are_served(client, release_dir, records):
    export()
    (release_dir / "records" / "stray.json").write_text("[]")
    for name in ("records/stray.json", "../secret_key", "records/../../secret_key", "%2Fetc%2Fpasswd"):
        response = client.get(f"/api/v1/dataset/files/{name}")
        assert response.status_code == 404, name
        assert response["Content-Type"] == "application/json"


# 8. A release whose SHA256SUMS was removed is refused with a clear message.


def test_a_release_without_its_checksums_is_refused_clearly(release_dir, records, tmp_path):
    export()
    damaged = tmp_path / "damaged"
    shutil.copytree(release_dir, damaged)
    os.remove(damaged / "SHA256SUMS")
    with pytest.raises(CommandError, match=r"looks like a release .* but its SHA256SUMS is missing"):
        call_command("import_dataset", str(damaged), stdout=StringIO())
    # The API's JSON files alone are no fixtures either: refused, naming the file, not a traceback.
    api_files = tmp_path / "api-files"
    api_files.mkdir()
    shutil.copy(damaged / "access-grants.json", api_files)
    shutil.copy(damaged / "model-releases.json", api_files)
    with pytest.raises(CommandError, match=r"Import refused.*\.json"):
        call_command("import_dataset", str(api_files), stdout=StringIO())


# 10. The schema's view: no echo of ?version, JSON errors.


def test_the_schema_takes_no_version_and_answers_errors_in_json(client):
    refused = client.get("/api/schema/", {"version": "99"})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/json"
    assert list(refused.json()) == ["version"]
    assert b"99" not in client.get("/api/schema/").content
    html_only = client.get("/api/schema/", HTTP_ACCEPT="text/html")
    assert html_only.status_code == 406 and html_only["Content-Type"] == "application/json"
    assert "format=json" in html_only.json()["detail"]
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200


# 7. A missing record's 404 in the API's words.


@pytest.mark.parametrize("suffix", ["", "history/"])
def test_a_missing_record_is_named_in_the_apis_words(client, suffix):
    factories.make_model_release(slug="hidden", review_status="in_review")
    for slug in ("no-such", "hidden"):
        response = client.get(f"/api/v1/model-releases/{slug}/{suffix}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"No published model release has the slug '{slug}'."}
