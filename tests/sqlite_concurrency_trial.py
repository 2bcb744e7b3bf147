"""Two curators save in the admin while the API is read, on a real SQLite file; prints what happened as JSON.

Run by tests/test_sqlite_concurrency.py in a subprocess whose environment points DJANGO_VAR_DIR at a throw-away
directory (and sets no DATABASE_URL), so that the database is a file with SQLite's file locking, as `make serve`
runs it: the in-memory database of the test suite locks whole tables instead, and would prove nothing.

    env -u DATABASE_URL DJANGO_VAR_DIR=$(mktemp -d) DJANGO_ALLOWED_HOSTS=testserver DJANGO_API_ANON_RATE=off \
        DJANGO_API_CACHE_SECONDS=0 .venv/bin/python -m tests.sqlite_concurrency_trial --seconds 3

Each writer is a thread with its own database connection, as each gunicorn worker has its own: it loads a
draft's change page, changes the description and posts the form back, over and over. A reader thread reads
two API lists meanwhile. First both writers edit the same record, then each its own.
"""

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from io import StringIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import got_request_exception  # noqa: E402
from django.db import DatabaseError, connection, connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from datasets.choices import ReviewStatusChoices  # noqa: E402
from datasets.models import Organization  # noqa: E402
from tests import factories  # noqa: E402

READ_PATHS = ("/api/v1/organizations/", "/api/v1/model-releases/")


class ChangeFormParser(HTMLParser):
    """The values a browser would post from the change form with the given id (hidden fields included,
    the inlines' empty template forms and the other forms on the page left out)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def add(self, name: str, value: str) -> bool:
        if "__prefix__" in name:
            return False
        self.data.setdefault(name, []).append(value)
        return True

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        name = attrs.get("name")
        kind = attrs.get("type", "text")
        if tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif not name:
            return
        elif tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.add(name, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "textarea" and self.add(name, ""):
            self.textarea = name
        elif tag == "select":
            self.select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            # Like a browser, drop the newline that Django writes after <textarea>.
            value = self.data[self.textarea][-1]
            self.data[self.textarea][-1] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data


class Errors:
    """What went wrong, from every thread: answers that were neither a save, a conflict nor a read; the
    exceptions behind 500s; and every error a query raised, even one the admin turned into a message."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers: Counter[str] = Counter()
        self.exceptions: Counter[str] = Counter()
        self.database: Counter[str] = Counter()

    def answer(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1

    def exception(self, sender, request=None, **kwargs) -> None:
        """A got_request_exception receiver: it runs in the thread that raised."""
        error = sys.exc_info()[1]
        with self.lock:
            self.exceptions[f"{type(error).__module__}.{type(error).__name__}: {error}"] += 1

    def watch_queries(self, execute, sql, params, many, context):
        """A database execute wrapper: it sees "database is locked" even where a view catches it."""
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            with self.lock:
                self.database[f"{type(error).__name__}: {error} ({sql.split()[0]})"] += 1
            raise


class Worker(threading.Thread):
    """A thread that repeats ``once`` from the moment every worker is ready until told to stop; any exception
    it raises is an error. It closes its database connection when done, as a worker process would."""

    def __init__(self, name: str, ready: threading.Barrier, stop: threading.Event, errors: Errors):
        super().__init__(name=name)
        self.ready, self.stop, self.errors = ready, stop, errors
        self.counts: Counter[str] = Counter()

    def run(self) -> None:
        self.ready.wait()
        try:
            # This thread's own connection: the wrapper watches its queries only.
            with connection.execute_wrapper(self.errors.watch_queries):
                while not self.stop.is_set():
                    self.once()
        except Exception as error:
            self.errors.answer(f"{self.name} raised {error!r}")
        finally:
            connections.close_all()

    def once(self) -> None:
        raise NotImplementedError


class Curator(Worker):
    """Loads a draft's change page, changes its description and saves, as a curator in a browser would."""

    def __init__(self, client: Client, record: Organization, *args):
        super().__init__(*args)
        self.client, self.record = client, record
        self.url = reverse("admin:datasets_organization_change", args=[record.pk])
        self.saved_url = reverse("admin:datasets_organization_changelist")
        self.edits = 0

    def once(self) -> None:
        page = self.client.get(self.url)
        if page.status_code != 200:
            self.errors.answer(f"{self.name} GET change page: {page.status_code}")
            return
        form = ChangeFormParser("organization_form")
        form.feed(page.content.decode())
        self.edits += 1
        data = {**form.data, "description": [f"Edit {self.edits} by {self.name}."], "_save": ["Save"]}
        response = self.client.post(self.url, data)
        if response.status_code == 302 and response.url.split("?")[0] == self.saved_url:
            self.counts["saves"] += 1
        elif response.status_code in (200, 302) and self.saved_since(int(form.data["loaded_version"][0])):
            # Refused because the other curator saved first (the form's version check shows the page again,
            # a save that raced past it is sent back to it): the protection against lost updates at work.
            self.counts["conflicts"] += 1
        else:
            self.errors.answer(f"{self.name} POST change page: {response.status_code}")

    def saved_since(self, version: int) -> bool:
        """Whether someone saved the record since ``version``, whatever the admin's message says."""
        return Organization.objects.filter(pk=self.record.pk, version__gt=version).exists()


class Reader(Worker):
    """Reads the public lists, as the API's clients do."""

    def __init__(self, *args):
        super().__init__(*args)
        self.client = Client(raise_request_exception=False)

    def once(self) -> None:
        for path in READ_PATHS:
            response = self.client.get(path)
            if response.status_code == 200:
                self.counts["reads"] += 1
            else:
                self.errors.answer(f"{self.name} GET {path}: {response.status_code}")


def run_phase(clients: dict[str, Client], records: list[Organization], seconds: float, errors: Errors) -> dict:
    """The curators and a reader at once, for ``seconds``: what each of them managed."""
    ready, stop = threading.Barrier(len(clients) + 2), threading.Event()
    workers = [
        Curator(client, record, name, ready, stop, errors)
        for (name, client), record in zip(clients.items(), records, strict=True)
    ]
    workers.append(Reader("reader", ready, stop, errors))
    for worker in workers:
        worker.start()
    ready.wait()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return {worker.name: dict(worker.counts) for worker in workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.5, help="How long each of the two phases runs.")
    seconds = parser.parse_args().seconds

    # The admin's pages link their static files; the hashed names' manifest exists only after collectstatic.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    call_command("migrate", verbosity=0)
    for _ in range(20):
        factories.make_model_release()
    drafts = [factories.make_organization(review_status=ReviewStatusChoices.DRAFT) for _ in range(2)]
    clients = {}
    for name in ("carla", "cora"):
        call_command("create_curator", name, "--role", "curator", "--generate-password", stdout=StringIO())
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(get_user_model().objects.get(username=name))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()

    errors = Errors()
    got_request_exception.connect(errors.exception)
    began = time.monotonic()
    phases = {
        "same record": run_phase(clients, [drafts[0], drafts[0]], seconds, errors),
        "different records": run_phase(clients, drafts, seconds, errors),
    }
    totals: Counter[str] = Counter()
    for workers in phases.values():
        for counts in workers.values():
            totals.update(counts)
    print(
        json.dumps(
            {
                "journal_mode": journal_mode,
                "seconds": round(time.monotonic() - began, 1),
                "phases": phases,
                "saves": totals["saves"],
                "conflicts": totals["conflicts"],
                "reads": totals["reads"],
                "errors": sum(errors.answers.values()),
                "error_answers": dict(errors.answers),
                "exceptions": dict(errors.exceptions),
                "database_errors": dict(errors.database),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
