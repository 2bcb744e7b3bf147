"""/api/v1/sources/."""

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
