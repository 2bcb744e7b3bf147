"""Read replicas: the public API reads from one of them, everything else uses the primary (``default``).

``DATABASE_REPLICA_URLS`` lists the replicas (settings: ``DATABASE_REPLICAS``, the aliases ``replica_1`` ...).
``ReplicaReadsMiddleware`` picks one replica per safe API request (GET, HEAD, OPTIONS under ``/api/``) and
``ReplicaRouter`` sends that request's reads there; a whole request reads from one replica, so that its ETag and
its records come from the same copy. The admin, management commands, and every write use the primary.
Migrations run on the primary only: replicas are copies of it.
"""

import contextlib
import random
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

# The replica that the current request reads from; None (the primary) outside public API requests.
read_alias: ContextVar[str | None] = ContextVar("registry_read_alias", default=None)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@contextlib.contextmanager
def reading_from(alias: str | None) -> Iterator[None]:
    """Within the block, reads go to ``alias`` (None: the primary)."""
    token = read_alias.set(alias)
    try:
        yield
    finally:
        read_alias.reset(token)


def streamed_from_this_copy(steps: Iterator) -> Iterator:
    """Each step of ``steps`` (a streamed answer's body) reading from the copy that the current request reads
    from: the body is read after ``ReplicaReadsMiddleware`` has returned, and so has forgotten its pick."""
    alias = read_alias.get()  # now, while the request is being answered: the steps run later

    def each_step():
        while True:
            with reading_from(alias):
                try:
                    step = next(steps)
                except StopIteration:
                    return
            yield step

    return each_step()


class ReplicaRouter:
    """Reads of a public API request go to its replica; all other reads, every write and migrations to the
    primary."""

    def db_for_read(self, model, **hints):
        return read_alias.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The primary and its replicas hold the same rows: a record read from one may point at one read from another.
        databases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """For a safe request under ``/api/``, pick a replica at random to read from (when there are replicas)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = settings.DATABASE_REPLICAS
        if not replicas or request.method not in SAFE_METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        with reading_from(random.choice(replicas)):  # noqa: S311 - spreading load, not a secret
            return self.get_response(request)
