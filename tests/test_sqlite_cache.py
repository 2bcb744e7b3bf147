"""The SQLite-file cache that the workers of a machine share for the rate limit (config/cache.py): Django's cache
API, entries that expire, a bounded size, and one store for every process that opens the file."""

import subprocess
import sys
import time

import pytest

from config import cache as sqlite_cache
from config.cache import SQLiteCache


@pytest.fixture
def path(tmp_path):
    return tmp_path / "cache" / "rate-limits.sqlite3"


@pytest.fixture
def store(path):
    return SQLiteCache(str(path), {})


def test_a_value_set_is_read_back_until_it_expires(store, monkeypatch):
    store.set("throttle_anon_192.0.2.1", [1.5, 2.5], 60)
    assert store.get("throttle_anon_192.0.2.1") == [1.5, 2.5]
    assert store.get("missing", []) == []
    later = time.time() + 61
    monkeypatch.setattr(sqlite_cache.time, "time", lambda: later)
    assert store.get("throttle_anon_192.0.2.1", []) == []


def test_none_keeps_a_value_and_zero_keeps_none(store):
    store.set("forever", "kept", None)
    store.set("never", "dropped", 0)
    assert store.get("forever") == "kept"
    assert store.get("never") is None


def test_add_only_fills_a_free_or_expired_key(store):
    assert store.add("key", "first", 60) is True
    assert store.add("key", "second", 60) is False
    assert store.get("key") == "first"
    store.set("stale", "old", 0)
    assert store.add("stale", "new", 60) is True
    assert store.get("stale") == "new"


def test_touch_delete_and_clear(store):
    store.set("key", "value", 0)
    assert store.touch("key", 60) is False  # expired already
    store.set("key", "value", 60)
    assert store.touch("key", None) is True
    assert store.delete("key") is True
    assert store.delete("key") is False
    store.set("other", "value", 60)
    store.clear()
    assert store.get("other") is None


def test_keys_carry_the_prefix_and_version_as_in_djangos_caches(path):
    SQLiteCache(str(path), {"KEY_PREFIX": "a"}).set("key", "of a", 60)
    assert SQLiteCache(str(path), {"KEY_PREFIX": "b"}).get("key") is None
    assert SQLiteCache(str(path), {"KEY_PREFIX": "a"}).get("key") == "of a"


def test_past_max_entries_the_soonest_to_expire_are_dropped(path, monkeypatch):
    store = SQLiteCache(str(path), {"OPTIONS": {"MAX_ENTRIES": 6}})
    monkeypatch.setattr(sqlite_cache, "PURGE_INTERVAL", 0)
    store.set("expired", "gone", 0)
    for number in range(6):
        store.set(f"key{number}", number, 100 + number)
    store.set("last", "kept", 1000)
    # Expired first, then the soonest to expire: 6 left after the last write, less a third, as Django culls.
    assert store.get("expired") is None
    kept = [number for number in range(6) if store.get(f"key{number}") is not None]
    assert kept == [3, 4, 5]
    assert store.get("last") == "kept"


def test_another_process_reads_and_writes_the_same_store(store, path):
    store.set("throttle_anon_192.0.2.1", [1.0], 60)
    program = (
        "from config.cache import SQLiteCache; import sys; store = SQLiteCache(sys.argv[1], {}); "
        "print(store.get('throttle_anon_192.0.2.1')); store.set('throttle_anon_192.0.2.1', [1.0, 2.0], 60)"
    )
    other = subprocess.run(
        [sys.executable, "-c", program, str(path)], capture_output=True, text=True, check=True, timeout=30
    )
    assert other.stdout == "[1.0]\n"
    assert store.get("throttle_anon_192.0.2.1") == [1.0, 2.0]
