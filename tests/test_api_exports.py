"""Full exports (issue 19): a list in CSV or NDJSON without ``limit`` or ``offset`` is every matching record,
streamed in batches, equal record for record to the JSON pages; with either, the page."""

import csv
import datetime
import gc
import io
import json

import pytest
from django.core.cache import cache

from api import views
from datasets.models import Source
from tests import factories

pytestmark = pytest.mark.django_db


def streamed(response) -> bytes:
    assert response.status_code == 200, response.content if not response.streaming else ""
    return b"".join(response.streaming_content) if response.streaming else response.content


def all_pages(client, path: str, **params) -> list[dict]:
    """Every record of a list through its JSON pages."""
    records, offset = [], 0
    while True:
        page = client.get(path, {**params, "limit": 7, "offset": offset}).json()
        records += page["results"]
        if page["next"] is None:
            return records
        offset += 7


@pytest.fixture
def many(settings, monkeypatch):
    """More records than one batch of an export (made small here), some filtered out, one draft."""
    monkeypatch.setattr(views, "EXPORT_BATCH", 4)
    deepseek = factories.make_organization(slug="deepseek")
    for number in range(11):
        release = factories.make_model_release(
            slug=f"r-{number:02d}", developer=deepseek, notes=f"line one\nline {number}"
        )
        factories.make_citation(release)
        factories.make_access_grant(model=release)
    factories.make_model_release(slug="other")
    factories.make_model_release(slug="hidden", developer=deepseek, review_status="draft")


@pytest.mark.parametrize(
    "params",
    [
        {"developer": "deepseek"},
        {"developer": "deepseek", "ordering": "-slug", "fields": "name,notes"},
        {"expand": "access_grants"},
        {},
    ],
)
def test_ndjson_and_csv_without_limit_are_every_record_equal_to_the_json_pages(client, many, params):
    expected = all_pages(client, "/api/v1/model-releases/", **params)
    assert len(expected) > 8
    cache.clear()
    response = client.get("/api/v1/model-releases/", {**params, "format": "ndjson"})
    assert response.streaming and response["Content-Type"] == "application/x-ndjson"
    lines = streamed(response).decode().splitlines()
    assert [json.loads(line) for line in lines] == expected
    response = client.get("/api/v1/model-releases/", {**params, "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="model-releases.csv"'
    rows = list(csv.DictReader(io.StringIO(streamed(response).decode())))
    assert [row["slug"] for row in rows] == [record["slug"] for record in expected]
    assert "hidden" not in {row["slug"] for row in rows}
    if "fields" in params:
        assert list(rows[0]) == ["slug", "url", "name", "notes"]
        assert rows[0]["notes"] == expected[0]["notes"]  # a line break inside a value survives


def test_with_limit_or_offset_an_export_format_is_that_page(client, many):
    page = client.get("/api/v1/model-releases/", {"format": "ndjson", "limit": 3, "offset": 2})
    assert not page.streaming
    assert [json.loads(line)["slug"] for line in page.content.decode().splitlines()] == ["r-01", "r-02", "r-03"]
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/api/v1/model-releases/", {"format": "csv", "limit": 2}).content.decode())
        )
    )
    assert [row["slug"] for row in rows] == ["other", "r-00"]


def test_an_export_refuses_what_the_list_refuses_and_a_record_is_one_line(client, many):
    bad = client.get("/api/v1/model-releases/", {"format": "ndjson", "developer": "nobody"})
    assert bad.status_code == 400 and "developer" in bad.json()
    record = client.get("/api/v1/model-releases/r-01/", {"format": "ndjson"})
    assert json.loads(record.content) == client.get("/api/v1/model-releases/r-01/").json()
    assert client.get("/api/v1/model-releases/", {"format": "xml"}).status_code == 400


def test_an_empty_export_is_a_csv_header_and_no_ndjson_line(client):
    for params in ({"format": "ndjson"}, {"format": "ndjson", "limit": 5}):  # the whole list, and a page
        empty = client.get("/api/v1/chips/", params)
        assert streamed(empty) == b""
        assert empty["Content-Type"] == "application/x-ndjson"  # found by make fuzz: DRF dropped it on a page
    header = streamed(client.get("/api/v1/chips/", {"format": "csv"})).decode()
    assert header.startswith("slug,url,name,") and header.count("\n") == 1


def resident_peak_kib() -> int:
    """The process's peak resident memory since it was last reset (Linux: VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def reset_resident_peak() -> None:
    """Start the peak anew from the current resident memory (Linux's clear_refs, 5: the peak only)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


EXPORTED = 100_000


def test_an_export_of_100k_records_streams_every_one_in_flat_memory(client):
    """100,000 sources exported as NDJSON and as CSV: every row arrives, and the process's peak resident memory
    grows by a small fraction of what was streamed (a list built whole would hold several times the bytes)."""
    for start in range(0, EXPORTED, 5_000):  # a batch at a time: the records made stay out of the peak
        Source.objects.bulk_create(
            Source(
                slug=f"source-{number:06d}",
                title=f"Title {number}",
                publisher="Reuters",
                url=f"https://example.org/{number}",
                kind="news_report",
                published_on=datetime.date(2025, 1, 1),
                review_status="published",
            )
            for number in range(start, start + 5_000)
        )
    # Warm up (imports, caches, the statements' first plans), so that the peak measures the export alone.
    streamed(client.get("/api/v1/sources/", {"format": "ndjson", "q": "Title 99999"}))
    for format in ("ndjson", "csv"):
        gc.collect()
        reset_resident_peak()
        before = resident_peak_kib()
        rows = size = 0
        for chunk in client.get("/api/v1/sources/", {"format": format}).streaming_content:
            rows += chunk.count(b"\n")
            size += len(chunk)
        growth = (resident_peak_kib() - before) * 1024
        assert rows == EXPORTED + (format == "csv")  # CSV: and its header
        print(f"{format}: {size / 2**20:.1f} MiB streamed, peak resident memory grew {growth / 2**20:.1f} MiB")
        assert growth < min(size / 8, 16 * 2**20), (format, growth, size)


def test_an_export_asked_again_is_streamed_again_in_full(client, many):
    """Exports are never kept whole in the answer cache (pages are): the same export twice is two full streams."""
    first, second = (client.get("/api/v1/model-releases/", {"format": "csv"}) for _ in range(2))
    assert first.streaming and second.streaming
    text = streamed(first)
    assert text == streamed(second)
    assert len(list(csv.DictReader(io.StringIO(text.decode())))) == 12  # every published release
