"""The explorer (issue 18): the human pages, on the API's read rules, through the real routes."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from datasets import services
from datasets.models import ChangeEvent
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def text(page: str) -> str:
    """A page's text, tags stripped and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def story():
    """DeepSeek-V4: Huawei given early access, Nvidia and AMD refused; measures of two jurisdictions."""
    deepseek = factories.make_organization(slug="deepseek", name="DeepSeek", country="CN")
    huawei = factories.make_organization(slug="huawei", name="Huawei Technologies", country="CN", kind="chipmaker")
    nvidia = factories.make_organization(slug="nvidia", name="NVIDIA", kind="chipmaker")
    amd = factories.make_organization(slug="amd", name="AMD", kind="chipmaker")
    bis = factories.make_organization(slug="us-bis", name="BIS", kind="government_agency")
    mofcom = factories.make_organization(slug="mofcom", name="MOFCOM", country="CN", kind="government_agency")
    h20 = factories.make_chip(slug="nvidia-h20", name="NVIDIA H20", vendor=nvidia)
    v4 = factories.make_model_release(
        slug="deepseek-v4", name="DeepSeek-V4", developer=deepseek, released_on=D(2026, 4, 24)
    )
    v3 = factories.make_model_release(
        slug="deepseek-v3", name="DeepSeek-V3", developer=deepseek, released_on=D(2024, 12, 26)
    )
    v3.training_chips.add(h20)
    factories.make_access_grant(slug="v4-huawei", model=v4, grantee=huawei, outcome="granted", claim_status="confirmed")
    factories.make_access_grant(slug="v4-nvidia", model=v4, grantee=nvidia, outcome="withheld", claim_status="reported")
    factories.make_access_grant(slug="v4-amd", model=v4, grantee=amd, outcome="withheld", claim_status="reported")
    factories.make_access_grant(slug="v3-nvidia", model=v3, grantee=nvidia, outcome="granted")
    licence = factories.make_export_control(
        slug="us-h20-licence",
        title="H20 licence requirement",
        jurisdiction="US",
        authority=bis,
        effective_on=D(2025, 4, 9),
        ends_on=D(2025, 7, 14),
        end_reason="rescinded",
    )
    licence.covered_chips.add(h20)
    listing = factories.make_export_control(
        slug="us-huawei-listing",
        title="Huawei added to the Entity List",
        jurisdiction="US",
        authority=bis,
        effective_on=D(2019, 5, 16),
    )
    listing.targeted_organizations.add(huawei)
    factories.make_export_control(
        slug="cn-gallium",
        title="Gallium export licensing",
        jurisdiction="CN",
        authority=mofcom,
        effective_on=D(2023, 8, 1),
        ends_on=D(2025, 11, 9),
        end_reason="suspended",
    )
    source = factories.make_source(
        slug="reuters-v4",
        title="DeepSeek gives Huawei early access",
        publisher="Reuters",
        archived_url="https://web.archive.org/web/2026/https://example.org/v4",
    )
    factories.make_citation(v4, source, quote="DeepSeek gave Huawei early access to V4", locator="para. 3")
    return {"v4": v4}


# Every kind of page, in the story's data.
PAGES = [
    "/",
    "/access/",
    "/access/?model_developer=deepseek&grantee_country=CN",
    "/timeline/",
    "/timeline/?in_force_on=2025-06-01",
    "/search/?q=huawei",
    "/search/",
    "/organizations/",
    "/sources/",
    "/chips/",
    "/model-releases/",
    "/model-releases/?developer=deepseek&ordering=-released_on",
    "/access-grants/",
    "/export-controls/",
    "/organizations/huawei/",
    "/sources/reuters-v4/",
    "/chips/nvidia-h20/",
    "/model-releases/deepseek-v4/",
    "/access-grants/v4-huawei/",
    "/export-controls/us-h20-licence/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_with_html_that_links_pages_and_the_api(client, story, url):
    page = html(client, url)
    assert "<main" in page and "<h1" in page
    links = re.findall(r'href="([^"]+)"', page)
    # A record links to the record's page, not to its JSON (that is offered as "JSON" / "CSV" only).
    for link in links:
        if link.startswith("/api/v1/") and link.rstrip("/").count("/") > 3 and "format=" not in link:
            assert re.search(rf'href="{re.escape(link)}">(JSON|CSV)<', page), (url, link)


def test_the_access_matrix_shows_deepseek_v4_granted_to_huawei_and_withheld_from_nvidia_and_amd(client, story):
    page = html(client, "/access/")
    columns = [text(cell).strip() for cell in re.findall(r"<th scope=\"col\">(.*?)</th>", page, re.S)]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    v4 = next(row for row in rows if "DeepSeek-V4" in row)
    cells = [text(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", v4, re.S)]
    by_grantee = dict(zip(columns[1:], cells, strict=True))
    assert by_grantee["Huawei Technologies"].startswith("granted · confirmed")
    assert by_grantee["NVIDIA"].startswith("withheld · reported")
    assert by_grantee["AMD"].startswith("withheld · reported")
    # At a glance: the newest model's grantees are the first columns.
    assert set(columns[1:4]) == {"Huawei Technologies", "NVIDIA", "AMD"}
    # Newest model first; each cell links to the grant's page.
    assert rows.index(v4) < rows.index(next(row for row in rows if "DeepSeek-V3" in row))
    assert 'href="/access-grants/v4-huawei/"' in v4
    # The API's filters, by the API's names.
    chinese = html(client, "/access/?grantee_country=CN")
    assert "v4-huawei" in chinese and "v4-nvidia" not in chinese
    assert "v4-amd" not in html(client, "/access/?access_type=api")


@pytest.mark.parametrize("day", ["2019-01-01", "2019-05-16", "2025-04-09", "2025-06-01", "2025-07-14", "2026-12-01"])
def test_the_timeline_in_force_on_a_date_lists_what_the_api_lists(client, story, day):
    api = client.get("/api/v1/export-controls/", {"in_force_on": day, "limit": 500}).json()["results"]
    page = html(client, f"/timeline/?in_force_on={day}")
    table = page[page.index("<h2>Measures in force on") :]
    listed = re.findall(r'href="/export-controls/([^/"]+)/"', table)
    assert sorted(listed) == sorted(record["slug"] for record in api)
    # Bars of the measures not in force that day are dimmed, the others not.
    dimmed = set(re.findall(r'<a href="/export-controls/([^/"]+)/" class="bar dimmed', page))
    assert dimmed == {"us-h20-licence", "us-huawei-listing", "cn-gallium"} - set(listed)


def test_the_timeline_draws_each_dated_measure_in_its_jurisdictions_lane(client, story):
    page = html(client, "/timeline/")
    assert re.search(r">US</text>.*us-huawei-listing.*us-h20-licence.*>CN</text>.*cn-gallium", page, re.S)
    assert 'class="bar suspended"' in page  # the suspended measure is striped
    assert '<title id="timeline-title">' in page and 'role="group"' in page
    # A text alternative: the table lists every measure with its dates.
    assert re.search(r"Huawei added to the Entity List.*2019-05-16.*still in force", text(page))


def test_a_record_page_shows_facts_sources_history_and_how_to_cite(client, story):
    page = html(client, "/model-releases/deepseek-v4/")
    words = text(page)
    assert "DeepSeek-V4" in words and "2026-04-24" in words
    assert 'href="/organizations/deepseek/"' in page  # the developer, as a link to its page
    assert "DeepSeek gave Huawei early access to V4" in words and "para. 3" in words
    assert 'href="https://web.archive.org/web/2026/https://example.org/v4"' in page
    assert 'href="/sources/reuters-v4/"' in page
    assert 'href="/api/v1/model-releases/deepseek-v4/">JSON<' in page
    assert 'href="/api/v1/model-releases/deepseek-v4/?format=csv">CSV<' in page
    assert "@misc{ai-access-registry-deepseek-v4," in page
    assert "http://testserver/model-releases/deepseek-v4/" in page
    # The dossier: the grants, with links, and the records they name by slug as links too.
    assert 'href="/access-grants/v4-nvidia/"' in page
    huawei = html(client, "/organizations/huawei/")
    assert 'href="/access-grants/v4-huawei/"' in huawei and 'href="/model-releases/deepseek-v4/">deepseek-v4<' in huawei
    assert "first published" in words
    # A grant, which has no name, is called by who got (or was refused) access to what.
    grant = html(client, "/access-grants/v4-nvidia/")
    assert re.search(r"<h1>DeepSeek-V4 to NVIDIA: withheld</h1>", grant)
    assert "DeepSeek-V4 to AMD: withheld" in html(client, "/access-grants/")


def test_a_list_page_takes_the_apis_parameters_and_refuses_what_it_refuses(client, story):
    page = html(client, "/model-releases/?developer=deepseek&ordering=-released_on")
    table = page[page.index('<table class="records">') :]
    assert table.index("DeepSeek-V4") < table.index("DeepSeek-V3")
    # Each value sits under its own header.
    headers = [text(cell).strip(" ▲▼") for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table, re.S)]
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S)[1]
    cells = [text(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", first_row, re.S)]
    row = dict(zip(headers, cells, strict=True))
    assert (row["Record"], row["Developer"], row["Released on"]) == ("DeepSeek-V4", "DeepSeek", "2026-04-24")
    # The form holds the API's filters by their names, filled in from the request.
    assert re.search(r'<input type="text" name="developer" value="deepseek"', page)
    # Sorting by a column: the header links to the other direction, and says how the table is sorted.
    assert 'aria-sort="descending"><a href="?developer=deepseek&amp;ordering=released_on">' in page
    assert 'href="/api/v1/model-releases/?developer=deepseek&amp;ordering=-released_on">JSON<' in page
    bad = html(client, "/model-releases/?developer=nobody", status=400)
    assert "developer" in bad
    unknown = html(client, "/model-releases/?colour=red", status=400)
    assert "colour" in unknown and "Unknown parameter" in unknown
    assert "Not found" in html(client, "/model-releases/nothing-here/", status=404)
    html(client, "/timeline/?in_force_on=yesterday", status=400)
    html(client, "/access/?model_developer=nobody", status=400)


def test_list_pages_follow_to_the_next_page_on_the_site(client, story):
    page = html(client, "/access-grants/?limit=2")
    assert 'rel="next" href="/access-grants/?limit=2&amp;offset=2"' in page


def role(name: str, group: str) -> User:
    user = User.objects.create_user(name, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


SECRETS = ["DRAFT-SECRET", "REVIEW-SECRET", "WITHDRAWN-SECRET", "CURATOR-NOTE-SECRET", "UNREVIEWED-EDIT"]


def test_no_unpublished_record_or_curator_note_reaches_any_page(client, story):
    reviewer, curator = role("rui", "Reviewers"), role("carla", "Curators")
    story["v4"].curator_notes = "CURATOR-NOTE-SECRET"
    story["v4"].save()
    draft_org = factories.make_organization(slug="draft-lab", name="DRAFT-SECRET Lab", review_status="draft")
    factories.make_model_release(
        slug="draft-model", name="DRAFT-SECRET model", developer=draft_org, review_status="draft"
    )
    factories.make_access_grant(
        slug="review-grant", model=story["v4"], grantee_description="REVIEW-SECRET", review_status="in_review"
    )
    factories.make_export_control(
        slug="review-rule", title="REVIEW-SECRET rule", effective_on=D(2025, 1, 1), review_status="in_review"
    )
    withdrawn = factories.make_chip(slug="withdrawn-chip", name="WITHDRAWN-SECRET chip")
    services.withdraw(withdrawn, reviewer, "duplicate")
    revision = services.start_revision(story["v4"], curator)
    revision.name = "UNREVIEWED-EDIT"
    services.save_edit(revision, curator, revision.version)
    cache.clear()
    for url in [*PAGES, "/search/?q=secret", "/search/?q=draft", "/access/?model_developer=deepseek"]:
        page = html(client, url)
        for secret in SECRETS:
            assert secret not in page, (secret, url)
        assert "curator_notes" not in page and "review_status" not in page, url
    for hidden in ["/organizations/draft-lab/", "/access-grants/review-grant/", "/chips/withdrawn-chip/"]:
        html(client, hidden, status=404)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/access/",
        "/timeline/?in_force_on=2025-06-01",
        "/search/?q=deepseek",
        "/model-releases/",
        "/export-controls/",
        "/model-releases/deepseek-v4/",
        "/organizations/huawei/",
        "/chips/nvidia-h20/",
        "/export-controls/us-h20-licence/",
        "/access-grants/v4-huawei/",
        "/sources/reuters-v4/",
        "/access-grants/",
        "/sources/",
    ],
)
def test_a_page_costs_the_same_queries_however_much_data(client, story, url, settings):
    # The records below are written without the change feed, which keys the kept counts: count each time.
    settings.API_COUNT_CACHE_SECONDS = 0

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html(client, url)
        return len(captured.captured_queries)

    few = queries()
    huawei = story["v4"].developer
    for number in range(8):
        release = factories.make_model_release(slug=f"deepseek-v{number + 10}", developer=huawei)
        factories.make_citation(release)
        factories.make_access_grant(model=release, grantee=factories.make_organization(country="CN"))
        factories.make_access_grant(model=story["v4"], grantee=factories.make_organization())
        control = factories.make_export_control(effective_on=D(2024, 1, number + 1))
        control.targeted_organizations.add(factories.make_organization(slug=f"deepseek-{number}-target"))
        control.covered_chips.add(factories.make_chip(vendor=huawei))
    assert queries() == few


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_304_to_a_current_copy_with_its_validators(client, story, url):
    # The validators come from the change feed: one change, a day ago (a Last-Modified is given once the second
    # of the last change is over).
    grant = factories.make_access_grant(slug="feed-grant", model=story["v4"], review_status="in_review")
    services.publish(grant, role("rui", "Reviewers"))
    ChangeEvent.objects.update(changed_at=timezone.now() - datetime.timedelta(days=1))
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"another"').status_code == 200


def test_pages_answer_304_to_a_current_copy_and_200_after_a_change(client, story):
    first = client.get("/access/")
    etag = first["ETag"]
    assert etag and first.status_code == 200
    again = client.get("/access/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    reviewer = role("rui", "Reviewers")
    grant = factories.make_access_grant(slug="new-grant", model=story["v4"], review_status="in_review")
    services.publish(grant, reviewer)
    after = client.get("/access/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert "new-grant" in after.content.decode()
    # Each page has its own tag.
    assert client.get("/timeline/")["ETag"] != client.get("/")["ETag"]
