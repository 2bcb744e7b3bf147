"""The README's API examples work as shown, on the curated dataset as `make serve` loads it: every `curl`
line answers as its comment says, the record shown "with its citations" has some, and the change feed's
example numbers are the feed's."""

import re
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from datasets.models import ChangeEvent

README = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
# `curl -s URL` or `curl -s "URL"`, the URL on $API, and the comment after it, if any.
EXAMPLE = re.compile(r'^curl -s (?:"(?P<quoted>\$API[^"]*)"|(?P<bare>\$API\S*))(?P<rest>.*)$', re.MULTILINE)


def examples() -> list[tuple[str, str]]:
    found = []
    for match in EXAMPLE.finditer(README):
        url = (match["quoted"] or match["bare"]).replace("$API", "/api/v1")
        comment = match["rest"].partition("#")[2].strip()
        found.append((url, comment))
    return found


class ReadmeExamplesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("import_dataset", str(settings.BASE_DIR / "fixtures"), stdout=StringIO())

    def test_there_are_examples(self):
        assert len(examples()) >= 25

    def test_every_example_answers_as_its_comment_says(self):
        for url, comment in examples():
            expected = int(comment[:3]) if comment[:3].isdigit() else 200
            response = self.client.get(url)
            assert response.status_code == expected, (url, response.status_code, response.content[:300])
            if expected == 200 and "format=" not in url:
                body = response.json()
                if isinstance(body, dict) and "results" in body and "?" in url and "after=" not in url:
                    assert body["count"] > 0, f"{url} lists nothing"
            if "with its citations" in comment:
                assert response.json()["citations"], url

    def test_the_feed_example_shows_the_feeds_numbers(self):
        # On a fresh `make serve` the feed counts from 1 (here, on PostgreSQL, a sequence may start higher).
        first = self.client.get("/api/v1/changes/", {"after": 0, "limit": 100}).json()
        shown = re.search(r'"next": "\.\.\./changes/\?after=(\d+)&limit=100", "last_seq": (\d+)', README)
        assert shown is not None
        feed = list(ChangeEvent.objects.values_list("seq", flat=True))
        assert first["next"].endswith(f"/changes/?after={feed[int(shown[1]) - 1]}&limit=100")
        assert len(feed) == int(shown[2])
        assert f'"$API/changes/?after={shown[2]}"' in README
        assert first["results"][0]["slug"] in README.split("/changes/?after=0")[1][:200]
