"""Generic API tests shared by every resource (NetBox's per-model API test classes, for pytest).

A resource's test module subclasses ``APIResourceTests`` and says how to build its records; every test
here then runs for that resource, through the real URL routes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datasets.choices import ReviewStatusChoices
from tests import factories

UNPUBLISHED = [ReviewStatusChoices.DRAFT, ReviewStatusChoices.IN_REVIEW, ReviewStatusChoices.WITHDRAWN]
# The ETag (api/conditional.py), the count, the page's keys, and the page's records, whose query also reads
# every related record and citation (api/nesting.py). Issue #7 asks for at most 6.
MAX_LIST_QUERIES = 4


def content_of(response) -> bytes:
    """An answer's bytes, streamed (a full CSV or NDJSON export) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def slugs(response) -> list[str]:
    """The slugs on a list page, in order."""
    assert response.status_code == 200, response.content
    return [record["slug"] for record in response.json()["results"]]


class APIResourceTests:
    """Behaviour every resource shares: list, retrieve, published only, read only, constant query count."""

    basename: str  # router basename, e.g. "model-release"
    fields: tuple[str, ...]  # the record's keys, in their documented order
    dossier: tuple[str, ...] = ()  # the keys its own route adds after them: the records that refer to it
    curated = False  # curated records cite sources and carry a confidence level
    max_list_queries = MAX_LIST_QUERIES

    def make(self, **fields):
        """A saved record, published unless ``fields`` say otherwise."""
        raise NotImplementedError

    def make_rich(self, slug: str):
        """A published record with several related records (published or not), so that a list that
        fetched relations row by row would show in the query count."""
        raise NotImplementedError

    def list_url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, record) -> str:
        return reverse(f"api:{self.basename}-detail", kwargs={"slug": record.slug})

    def test_list_returns_published_records_as_json(self, client):
        first, second = self.make(), self.make()
        response = client.get(self.list_url())
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results", "withdrawn", "status_unverified", "facets"}
        assert body["count"] == type(first).objects.published().count()
        assert {first.slug, second.slug} <= set(slugs(response))

    def test_list_is_ordered_by_slug_by_default(self, client):
        self.make(slug="zz-last")
        self.make(slug="aa-first")
        listed = slugs(client.get(self.list_url(), {"limit": 500}))
        assert listed == sorted(listed)
        assert listed.index("aa-first") < listed.index("zz-last")

    def test_retrieve_returns_the_record_with_its_fields_in_order(self, client):
        record = self.make()
        response = client.get(self.detail_url(record))
        assert response.status_code == 200
        body = response.json()
        assert list(body) == [*self.fields, *self.dossier]
        assert body["slug"] == record.slug
        assert body["url"] == f"http://testserver{self.detail_url(record)}"

    def test_list_rows_have_the_same_shape_as_the_record(self, client):
        record = self.make()
        listed = client.get(self.list_url(), {"limit": 500}).json()["results"]
        row = next(row for row in listed if row["slug"] == record.slug)
        detail = client.get(self.detail_url(record)).json()
        # The record's own route adds the records that refer to it (its dossier); lists stay lean.
        assert row == {name: value for name, value in detail.items() if name not in self.dossier}

    def test_retrieve_of_an_unknown_slug_is_404(self, client):
        response = client.get(reverse(f"api:{self.basename}-detail", kwargs={"slug": "no-such-record"}))
        assert response.status_code == 404
        assert "detail" in response.json()

    @pytest.mark.parametrize("status", UNPUBLISHED)
    def test_unpublished_records_are_neither_listed_nor_retrievable(self, client, status):
        public = self.make()
        hidden = self.make(review_status=status)
        listed = slugs(client.get(self.list_url(), {"limit": 500}))
        assert public.slug in listed
        assert hidden.slug not in listed
        assert client.get(self.detail_url(hidden)).status_code == 404

    def test_curation_fields_never_appear(self, client):
        record = self.make(curator_notes="CURATOR-ONLY remark")
        for response in (client.get(self.list_url()), client.get(self.detail_url(record))):
            assert response.status_code == 200
            assert b"CURATOR-ONLY" not in response.content
            assert b"curator_notes" not in response.content
            assert b"review_status" not in response.content

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_refused_with_405(self, client, method):
        record = self.make()
        for url in (self.list_url(), self.detail_url(record)):
            response = getattr(client, method)(url, data={"slug": "changed"}, content_type="application/json")
            assert response.status_code == 405, (method, url)
        assert type(record).objects.filter(slug=record.slug).exists()

    def test_list_runs_the_same_number_of_queries_for_one_or_many_rows(self, client):
        # The rich records sort first, so that the one-row page has every kind of relation too.
        for number in range(3):
            record = self.make_rich(slug=f"a-rich-{number}")
            if self.curated:
                factories.make_citation(record)
                factories.make_citation(record)
        # A first request lets the connection run its one-time feature checks (SQLite's JSON support).
        assert client.get(self.list_url()).status_code == 200
        counts = {}
        for limit in (1, 200):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(self.list_url(), {"limit": limit})
            assert response.status_code == 200
            assert len(response.json()["results"]) == (1 if limit == 1 else response.json()["count"])
            counts[limit] = len(queries)
        assert counts[1] == counts[200], counts
        assert counts[200] <= self.max_list_queries, counts


class CuratedAPIResourceTests(APIResourceTests):
    """Behaviour of the curated resources, which cite sources."""

    curated = True

    def test_citations_list_published_sources_only(self, client):
        record = self.make()
        source = factories.make_source(
            slug="cited", title="The Document", publisher="Reuters", url="https://example.org/doc"
        )
        factories.make_citation(record, source, locator="p. 4", quote="Quoted text.")
        factories.make_citation(record, factories.make_source(slug="draft-source", review_status="draft"))
        body = client.get(self.detail_url(record)).json()
        assert body["citations"] == [
            {
                "source": "cited",
                "title": "The Document",
                "publisher": "Reuters",
                "url": "https://example.org/doc",
                "published_on": "2025-01-01",
                "date_precision": "day",
                "locator": "p. 4",
                "quote": "Quoted text.",
            }
        ]
        assert b"draft-source" not in client.get(self.list_url()).content
