"""/api/v1/dataset/: the current release, its licence and citation, counts, and downloadable files."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def release_dir(settings, tmp_path):
    settings.RELEASE_DIR = tmp_path / "release"
    return settings.RELEASE_DIR


@pytest.fixture
def records():
    factories.make_model_release(slug="deepseek-v3")
    factories.make_model_release(slug="hidden", review_status="in_review")


def export():
    call_command("export_dataset", stdout=StringIO())


def test_before_any_release_the_dataset_still_describes_itself(client, release_dir, records):
    body = client.get("/api/v1/dataset/").json()
    assert body["version"] is None
    assert body["release_is_current"] is False
    assert body["downloads"] == []
    assert body["license"] == "CC BY 4.0"
    assert body["counts"]["model-releases"] == 1
    assert body["last_change"] is not None


def test_release_files_are_listed_with_checksums_and_downloadable(client, release_dir, records):
    export()
    body = client.get("/api/v1/dataset/").json()
    assert body["release_is_current"] is True
    assert body["version"] in body["how_to_cite"]
    names = {download["name"] for download in body["downloads"]}
    assert {"model-releases.csv", "model-releases.json", "datapackage.json", "SHA256SUMS"} <= names
    csv_file = next(d for d in body["downloads"] if d["name"] == "model-releases.csv")
    response = client.get(csv_file["url"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == csv_file["sha256"]
    assert len(content) == csv_file["size"]
    assert b"deepseek-v3" in content and b"hidden" not in content
    assert response["Content-Disposition"] == 'attachment; filename="model-releases.csv"'


def test_a_change_after_the_release_marks_it_stale(client, release_dir, records):
    export()
    factories.make_model_release(slug="new-one")
    assert client.get("/api/v1/dataset/").json()["release_is_current"] is False


def test_only_listed_release_files_are_served(client, release_dir, records, settings):
    export()
    (release_dir / "stray.txt").write_text("not in the release")
    assert client.get("/api/v1/dataset/files/stray.txt").status_code == 404
    assert client.get("/api/v1/dataset/files/..%2Fsecret_key").status_code == 404
    assert client.get("/api/v1/dataset/files/01_organization.json").status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("model-releases.parquet", "application/vnd.apache.parquet"),
        ("model-releases.ndjson", "application/x-ndjson; charset=utf-8"),
        ("model-releases.csv", "text/csv; charset=utf-8"),
        ("datapackage.json", "application/json; charset=utf-8"),
        ("SHA256SUMS", "text/plain; charset=utf-8"),
    ],
)
def test_typed_release_files_are_downloadable_with_their_media_types(client, release_dir, records, name, content_type):
    export()
    downloads = {download["name"]: download for download in client.get("/api/v1/dataset/").json()["downloads"]}
    response = client.get(downloads[name]["url"])
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == content_type
    assert hashlib.sha256(content).hexdigest() == downloads[name]["sha256"]
    if name.endswith(".parquet"):
        assert content[:4] == content[-4:] == b"PAR1"  # a Parquet file, whole (a binary file has no charset)
