"""/api/v1/sources/."""

import datetime

import pytest

from tests import factories
from tests.api_testing import APIResourceTests

pytestmark = pytest.mark.django_db


class TestSourceAPI(APIResourceTests):
    basename = "source"
    fields = (
        "slug",
        "url",
        "title",
        "publisher",
        "document_url",
        "archived_url",
        "published_on",
        "date_precision",
        "kind",
        "url_checked",
        "notes",
        "created_at",
        "updated_at",
    )

    def make(self, **fields):
        return factories.make_source(**fields)

    def make_rich(self, slug):
        return factories.make_source(slug=slug, archived_url="https://web.archive.org/example")

    def test_document_url_is_the_documents_address_and_url_the_records(self, client):
        source = factories.make_source(slug="bis-rule", url="https://www.bis.gov/rule")
        body = client.get(self.detail_url(source)).json()
        assert body["document_url"] == "https://www.bis.gov/rule"
        assert body["url"] == "http://testserver/api/v1/sources/bis-rule/"

    def test_a_month_precise_source_says_so_here_and_in_the_citations_of_records(self, client):
        """A report known only by its month (TechTarget on Microsoft's GPT-3 licence) is not shown as a day."""
        source = factories.make_source(
            slug="techtarget", published_on=datetime.date(2020, 9, 1), date_precision="month"
        )
        body = client.get(self.detail_url(source)).json()
        assert (body["published_on"], body["date_precision"]) == ("2020-09-01", "month")
        release = factories.make_model_release(slug="gpt-3")
        release.citations.create(source=source, quote="exclusive licence")
        [citation] = client.get(f"/api/v1/model-releases/{release.slug}/").json()["citations"]
        assert (citation["source"], citation["date_precision"]) == ("techtarget", "month")
