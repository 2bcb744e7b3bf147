"""bench/generate.py at the smallest scale, run as bench/run.py runs it: every table of the registry gets rows, and
the API serves the generated records, so that a change of the models cannot break `make bench` unnoticed."""

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from datasets.models import ChangeEvent
from datasets.resources import RESOURCES
from tests import live_gunicorn

# What the project makes of the generated data, asked in a Django of its own (this process's Django serves the
# suite's test database): each resource's API list, and the problems import_dataset's checks find (bench/run.py
# times an import of the data's release).
REPORT = """
import json
from django.test import Client
from datasets.resources import RESOURCES
from datasets.models import Chip
from datasets.validation import STRUCTURAL_CHECKS, run_checks
lists = {resource.name: Client().get(f"/api/v1/{resource.name}/", {"limit": 1}) for resource in RESOURCES}
print(json.dumps({
    "lists": {name: [answer.status_code, answer.json().get("count")] for name, answer in lists.items()},
    "problems": [str(problem) for problem in run_checks(STRUCTURAL_CHECKS)],
    "tpp_off_rule": [chip.slug for chip in Chip.objects.all() if chip.tpp != (chip.computed_tpp() or chip.tpp)],
}))
"""


def run(command, var_dir):
    """``command`` in the embedded setup on ``var_dir``, from the checkout (as bench/run.py runs the generator)."""
    done = subprocess.run(
        [sys.executable, *command],
        cwd=live_gunicorn.ROOT,
        env=live_gunicorn.environment(var_dir, DJANGO_ALLOWED_HOSTS="testserver", DJANGO_API_ANON_RATE="off"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def generated(migrated_var_dir, tmp_path_factory):
    """A copy of the migrated database filled at factor 1 (the curated fixtures' own counts), and the summary."""
    var_dir = tmp_path_factory.mktemp("bench-var")
    shutil.copytree(migrated_var_dir, var_dir, dirs_exist_ok=True)
    summary = var_dir / "summary.json"
    run(["bench/generate.py", "--factor", "1", "--seed", "2026", "--summary", str(summary)], var_dir)
    return var_dir, json.loads(summary.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(generated):
    var_dir, _ = generated
    return json.loads(run(["manage.py", "shell", "--no-imports", "--command", REPORT], var_dir))


def count(var_dir, table, where="1"):
    with sqlite3.connect(var_dir / "registry.sqlite3") as database:
        # Table names from the models' own metadata.
        return database.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]  # noqa: S608


def published(var_dir, model):
    return count(var_dir, model._meta.db_table, "review_status = 'published'")


# The generator and the API run on the embedded SQLite setup whatever the suite's database: once, in `make test`.
@pytest.mark.sqlite
def test_every_table_gets_the_rows_the_summary_counts(generated):
    var_dir, summary = generated
    for resource in RESOURCES:
        model = resource.model
        assert count(var_dir, model._meta.db_table) == summary["rows"][resource.key] > 0, resource.name
        assert published(var_dir, model) > 0, resource.name
        if hasattr(model, "citations"):
            citations = model.citations.rel.related_model._meta.db_table
            label = f"{resource.basename.replace('-', '_')}_citations"
            assert count(var_dir, citations) == summary["rows"][label] > 0, resource.name
    assert count(var_dir, ChangeEvent._meta.db_table) == summary["rows"]["change_events"] > 0


@pytest.mark.sqlite
def test_every_published_record_is_in_the_change_feed(generated):
    var_dir, _ = generated
    records = sum(published(var_dir, resource.model) for resource in RESOURCES)
    assert count(var_dir, ChangeEvent._meta.db_table, "change = 'published'") == records


@pytest.mark.sqlite
def test_the_api_lists_every_published_record_of_each_resource(generated, report):
    var_dir, _ = generated
    assert report["lists"] == {resource.name: [200, published(var_dir, resource.model)] for resource in RESOURCES}


@pytest.mark.sqlite
def test_the_data_passes_the_checks_of_an_import(report):
    assert report["problems"] == []
    # import_dataset also checks each chip's TPP against the registry's rule (Chip.clean).
    assert report["tpp_off_rule"] == []


# The floor (bench/floor.py) must give our API's bytes for the benchmark's scenarios a and c, else ours/floor compares
# two different answers. Every generated release by slug (c), and the pages of scenario a's question (a).
FLOOR = """
import json, os, sys
sys.path.insert(0, "bench")
os.environ["FLOOR_DATABASE"] = os.path.join(os.environ["DJANGO_VAR_DIR"], "registry.sqlite3")
import floor
from django.test import Client
from datasets.models import ModelRelease

def from_floor(path, query=""):
    body = floor.application(
        {"PATH_INFO": path, "QUERY_STRING": query, "wsgi.url_scheme": "http", "HTTP_HOST": "testserver"},
        lambda status, headers: None,
    )
    return b"".join(body)

client, checked, different = Client(), 0, []
slugs = ModelRelease.objects.published().values_list("slug", flat=True)
questions = [(f"/api/v1/model-releases/{slug}/", "") for slug in slugs]
questions += [("/api/v1/model-releases/", f"weights=open_weights&ordering=-released_on&limit={limit}&offset={offset}")
              for limit, offset in ((50, 0), (3, 0), (3, 3))]
for path, query in questions:
    ours = client.get(path + ("?" + query if query else "")).content
    checked += 1
    if from_floor(path, query) != ours:
        different.append(path + "?" + query)
print(json.dumps({"checked": checked, "different": different}))
"""


@pytest.mark.sqlite
def test_the_floor_gives_our_apis_bytes_for_its_scenarios(generated):
    var_dir, summary = generated
    compared = json.loads(run(["manage.py", "shell", "--no-imports", "--command", FLOOR], var_dir))
    assert compared["checked"] > summary["rows"]["model_releases"] // 2
    assert compared["different"] == []
