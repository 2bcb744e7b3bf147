"""The embedded SQLite database under concurrent use: two curators saving in the admin while the API is read
each get their save or a conflict message, never "database is locked" (config/settings.py's SQLite options)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# How long each phase (same record, then different records) runs: the whole test takes about 8 s.
PHASE_SECONDS = 3


@pytest.fixture(scope="module")
def trial(migrated_var_dir, tmp_path_factory):
    """What tests/sqlite_concurrency_trial.py saw, run on a SQLite file of its own (a copy of the suite's migrated
    one: migrating takes seconds): the suite's own in-memory database locks whole tables instead of the file, and
    would prove nothing."""
    var_dir = tmp_path_factory.mktemp("var")
    shutil.copytree(migrated_var_dir, var_dir, dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_VAR_DIR": str(var_dir),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            # Every read is counted and reaches the database: no rate limit, no cached answers.
            "DJANGO_API_ANON_RATE": "off",
            "DJANGO_API_CACHE_SECONDS": "0",
        }
    )
    run = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_concurrency_trial", "--seconds", str(PHASE_SECONDS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert (var_dir / "registry.sqlite3").is_file()
    return json.loads(run.stdout)


@pytest.mark.sqlite
def test_the_database_file_is_in_wal_mode(trial):
    # Readers go on reading while a curator's save is being written.
    assert trial["journal_mode"] == "wal"


@pytest.mark.sqlite
def test_concurrent_admin_saves_and_api_reads_never_fail(trial):
    failures = {key: trial[key] for key in ("error_answers", "exceptions", "database_errors")}
    assert trial["errors"] == 0, failures
    assert not trial["exceptions"], failures
    # Even where the admin would turn it into a message, no query waited in vain for the lock.
    assert not trial["database_errors"], failures


@pytest.mark.sqlite
def test_both_curators_save_and_the_reader_keeps_reading(trial):
    same, different = trial["phases"]["same record"], trial["phases"]["different records"]
    # On one record, the curator who saves second is told the first one's save came in between.
    assert sum(same[name].get("saves", 0) for name in ("carla", "cora")) >= 2, same
    for name in ("carla", "cora"):
        assert same[name].get("saves", 0) + same[name].get("conflicts", 0) >= 1, same
        # On records of their own, every save of each goes through.
        assert different[name].get("saves", 0) >= 3, different
        assert "conflicts" not in different[name], different
    assert same["reader"]["reads"] >= 20 and different["reader"]["reads"] >= 20, trial["phases"]
