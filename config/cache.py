"""A Django cache in a SQLite file: shared by every process of one machine, with no server to run.

It holds the API's rate-limit counts by default (``CACHES["throttle"]``, settings.py), so that the gunicorn workers
of a machine count a client's requests together instead of each on its own. Django's own choices fall short here:
the file-based cache writes a new file and lists its folder on every write (about 4.5 ms more per API request,
measured in-process, against 0.6 ms for a whole cached answer), and the database cache would take the registry's
write lock for every API request (which an import holds for tens of seconds). Here the throttle's read and write
are two statements in WAL mode on a file of their own (about 0.15 ms more per request), and never wait for the
registry's database.

Each thread of each process opens its own connection when it first needs one and keeps it. Entries past their
time are never served; they, and the entries beyond ``MAX_ENTRIES`` that expire soonest, are deleted at most once
a minute per process. Values are pickled, as in Django's other caches: the file must be writable by the service
alone. It holds nothing that cannot be lost: deleting it (with its ``-wal`` and ``-shm`` files) resets the counts.
"""

import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

# No index on `expires`: it would make every write update a second tree (twice the cost), for the sake of a
# clean-up that reads the whole table once a minute anyway.
SCHEMA = "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"
# One statement, so one atomic step: add() replaces an entry only if it has expired.
UPSERT = (
    "INSERT INTO entries (key, value, expires) VALUES (:key, :value, :expires) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires"
)
ADD = f"{UPSERT} WHERE entries.expires IS NOT NULL AND entries.expires <= :now"
# Seconds between two clean-ups by one process.
PURGE_INTERVAL = 60


class SQLiteCache(BaseCache):
    """Django's cache API on the SQLite file ``LOCATION`` (created, with its folder, on first use)."""

    pickle_protocol = pickle.HIGHEST_PROTOCOL

    def __init__(self, location, params):
        super().__init__(params)
        self.path = Path(location)
        self._local = threading.local()
        self._next_purge = 0.0

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        # A connection is not shared across threads, nor inherited across a fork (gunicorn's workers).
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            # WAL: readers never wait for the writer. NORMAL: a power cut may lose the last writes, never corrupt.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._connection()
            .execute("SELECT value FROM entries WHERE key = ? AND (expires IS NULL OR expires > ?)", (key, time.time()))
            .fetchone()
        )
        return default if row is None else pickle.loads(row[0])  # noqa: S301 - written by this class alone

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._write(UPSERT, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write(ADD, key, value, timeout, version)

    def _write(self, statement: str, key, value, timeout, version) -> bool:
        row = {
            "key": self.make_and_validate_key(key, version=version),
            "value": pickle.dumps(value, self.pickle_protocol),
            "expires": self.get_backend_timeout(timeout),
            "now": time.time(),
        }
        written = self._connection().execute(statement, row).rowcount > 0
        self._purge_now_and_then()
        return written

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._connection().execute(
            "UPDATE entries SET expires = ? WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (self.get_backend_timeout(timeout), key, time.time()),
        )
        return cursor.rowcount > 0

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._connection().execute("DELETE FROM entries WHERE key = ?", (key,)).rowcount > 0

    def clear(self):
        self._connection().execute("DELETE FROM entries")

    def _purge_now_and_then(self) -> None:
        """Delete the expired entries, then the soonest to expire while more than MAX_ENTRIES remain (taking a
        third more, as Django's caches cull by CULL_FREQUENCY, so that the next clean-up has less to do)."""
        now = time.time()
        if now < self._next_purge:
            return
        self._next_purge = now + PURGE_INTERVAL
        connection = self._connection()
        connection.execute("DELETE FROM entries WHERE expires <= ?", (now,))
        (count,) = connection.execute("SELECT COUNT(*) FROM entries").fetchone()
        if count > self._max_entries:
            excess = count - self._max_entries + self._max_entries // max(self._cull_frequency, 1)
            connection.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY expires IS NULL, expires LIMIT ?)",
                (excess,),
            )
