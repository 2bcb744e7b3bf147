"""The rate limit holds per client address across the workers of one machine, with no service to run (issue 14).

Without CACHE_URL, the gunicorn workers count in one SQLite file under var/ (CACHES["throttle"]); they used to
count each on its own, so that two workers let a client through twice the rate. Redis (CACHE_URL=redis://) shares
the counts across machines, `locmem://` keeps them per worker, `dummy://` switches the limit off.
"""

import json
from pathlib import Path

import pytest

from config import settings as project_settings
from tests import live_gunicorn

RATE = 10
REQUESTS = 40


@pytest.fixture(scope="module")
def server(migrated_var_dir, tmp_path_factory):
    with live_gunicorn.running(
        migrated_var_dir, tmp_path_factory.mktemp("var"), DJANGO_API_ANON_RATE=f"{RATE}/minute"
    ) as server:
        yield server


# The server runs the embedded SQLite setup whatever the suite's database: it runs once, in `make test`.
@pytest.mark.sqlite
def test_two_gunicorn_workers_let_one_address_through_the_rate_and_no_more(server):
    # One request at a time, each on a new connection: whichever worker is free first takes it, at times the same
    # one many times in a row, so requests go on until both have answered (a bounded number of them).
    answers = []
    while len(answers) < REQUESTS or len(server.workers("/api/v1/")) < 2:
        assert len(answers) < 5 * REQUESTS, f"one worker took every request: {server.answers('/api/v1/')}"
        answers.append(live_gunicorn.get(f"{server.url}/api/v1/"))
    # Each worker counting on its own would have let up to RATE requests through each.
    assert [answer.status for answer in answers] == [200] * RATE + [429] * (len(answers) - RATE)
    for refused in answers[RATE:]:
        assert refused.headers["Content-Type"] == "application/json"
        assert f"at most {RATE} per minute from one address" in json.loads(refused.body)["detail"]


def test_without_cache_url_the_counts_live_in_a_file_of_the_machine():
    path = Path("/srv/registry/var/cache/rate-limits.sqlite3")
    assert project_settings.throttle_cache_config("", path) == {
        "BACKEND": "config.cache.SQLiteCache",
        "LOCATION": str(path),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


@pytest.mark.parametrize("url", ["redis://cache.internal:6379/0", "rediss://:pw@cache.internal:6380/1"])
def test_with_redis_the_counts_are_shared_by_every_app_server(url):
    config = project_settings.throttle_cache_config(url, Path("unused"))
    assert config == project_settings.cache_config(url)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        # Each worker counts on its own, as the default did before.
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
        # Nothing is counted: no limit.
        ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
    ],
)
def test_locmem_and_dummy_keep_their_meaning(url, backend):
    assert project_settings.throttle_cache_config(url, Path("unused"))["BACKEND"] == backend
