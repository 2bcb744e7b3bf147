"""manage.py check_sources against a local HTTP server: 200, 404, a redirect, a refused HEAD and a timeout."""

import http.server
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from datasets.models import LinkCheck
from tests import factories

pytestmark = pytest.mark.django_db


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def answer(self):
        type(self).seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/gone":
            self.send_response(404)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    Handler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_each_address_is_checked_and_its_answer_kept_without_changing_the_source(site):
    sources = {
        name: factories.make_source(slug=f"source-{name}", url=f"{site}/{name}")
        for name in ("ok", "gone", "moved", "no-head", "slow")
    }
    sources["ok"].archived_url = f"{site}/gone"
    sources["ok"].save()
    before = {slug: (source.version, source.updated_at, source.history.count()) for slug, source in sources.items()}
    out = StringIO()
    call_command("check_sources", "--timeout", "0.5", "--rate", "50", stdout=out)
    checks = {(check.source.slug, check.which): check for check in LinkCheck.objects.select_related("source")}
    assert checks["source-ok", "url"].status == 200 and checks["source-ok", "url"].alive
    assert checks["source-ok", "archived_url"].status == 404
    assert checks["source-gone", "url"].status == 404 and not checks["source-gone", "url"].alive
    moved = checks["source-moved", "url"]
    assert moved.status == 200 and moved.final_url == f"{site}/ok"
    assert checks["source-no-head", "url"].status == 200  # asked again with GET
    slow = checks["source-slow", "url"]
    assert slow.status is None and "no answer within 0.5 s" in slow.error
    assert "6 address(es) checked, 3 without a page." in out.getvalue()
    # Politely: a user agent that says who asks; HEAD first.
    assert all("AIAccessRegistry" in agent for _, _, agent in Handler.seen)
    assert ("HEAD", "/ok", Handler.seen[0][2]) in Handler.seen
    # No record changed.
    for slug, source in sources.items():
        source.refresh_from_db()
        assert (source.version, source.updated_at, source.history.count()) == before[slug]


def test_a_second_check_replaces_the_first(site):
    source = factories.make_source(slug="source-ok", url=f"{site}/ok")
    call_command("check_sources", "source-ok", "--rate", "50", stdout=StringIO())
    source.url = f"{site}/gone"
    source.save()
    call_command("check_sources", "source-ok", "--rate", "50", stdout=StringIO())
    (check,) = LinkCheck.objects.all()
    assert check.status == 404


def test_an_unknown_slug_or_bad_option_is_refused():
    with pytest.raises(CommandError, match="No source has the slug nope"):
        call_command("check_sources", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="must be more than 0"):
        call_command("check_sources", "--rate", "0", stdout=StringIO())


def test_the_desk_lists_dead_links(site, admin_client):
    factories.make_source(slug="source-gone", title="Gone report", url=f"{site}/gone")
    factories.make_source(slug="source-refused", title="Refused report", url="http://127.0.0.1:1/closed")
    factories.make_source(slug="source-ok", title="Live report", url=f"{site}/ok")
    call_command("check_sources", "--rate", "50", "--timeout", "2", stdout=StringIO())
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Dead links" in page and "Gone report" in page and "HTTP 404" in page
    assert "Refused report" in page  # no answer at all
    assert "Live report" not in page
