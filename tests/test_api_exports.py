"""Full exports (issue 19): a list in CSV or NDJSON without ``limit`` or ``offset`` is every matching record,
streamed in batches, equal record for record to the JSON pages; with either, the page."""

import csv
import io
import json
import tracemalloc

import pytest
from django.core.cache import cache

from api import views
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
    assert streamed(client.get("/api/v1/chips/", {"format": "ndjson"})) == b""
    header = streamed(client.get("/api/v1/chips/", {"format": "csv"})).decode()
    assert header.startswith("slug,url,name,") and header.count("\n") == 1


N = 10_000


def test_an_export_of_many_records_keeps_memory_flat(client, monkeypatch):
    """10,000 sources exported: the peak of Python's allocations stays under what a tenth of them would take as
    JSON pages, i.e. it does not grow with the export (the 100k-record run is in the closing note)."""
    from datasets.models import Source

    Source.objects.bulk_create(
        factories.Source(
            slug=f"source-{number:05d}",
            title=f"Title {number}",
            publisher="Reuters",
            url=f"https://example.org/{number}",
            kind="news_report",
            published_on="2025-01-01",
            review_status="published",
        )
        for number in range(N)
    )
    tracemalloc.start()
    try:
        response = client.get("/api/v1/sources/", {"format": "ndjson"})
        count, size = 0, 0
        for chunk in response.streaming_content:
            count += chunk.count(b"\n")
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == N
    print("PEAK", peak, size)
    assert peak < size / 4, (peak, size)
