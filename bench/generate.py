"""Fill a freshly migrated database with a synthetic registry at a chosen scale, for the benchmarks.

    DJANGO_VAR_DIR=/tmp/x .venv/bin/python manage.py migrate
    DJANGO_VAR_DIR=/tmp/x .venv/bin/python bench/generate.py --scale medium [--seed 2026] [--summary out.json]

The target database is the project's (``DATABASE_URL``, else ``$DJANGO_VAR_DIR/registry.sqlite3``); it must be
empty. Every table grows by the same factor over the curated fixtures (``BASE_COUNTS``, counted from
``fixtures/``), so the proportions stay those of the real data; ``large`` is sized so that access grants plus
citations come to about a million rows.

The records themselves, and what makes them realistic enough to benchmark with, are in ``records.py``; this
module writes them in one transaction, with the search index built once at the end, and prints and returns a
summary. No django-simple-history rows are written (that would double the work for a feature the benchmark
does not touch), so ``/history/`` of a generated record is empty. The same seed gives the same data.

Its module level is Django-free: bench/run.py reads ``SCALES`` from it before any Django setup.
"""

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from records import Generator
from synth import SEARCH_WORD, check_word_lists

BASE_DIR = Path(__file__).resolve().parent.parent

# Records in the curated fixtures (fixtures/*.json), per table: the proportions every scale keeps.
BASE_COUNTS = {
    "organizations": 36,
    "sources": 235,
    "chips": 21,
    "model_releases": 41,
    "access_grants": 30,
    "export_controls": 34,
    "organization_citations": 2,
    "chip_citations": 126,
    "model_release_citations": 63,
    "access_grant_citations": 52,
    "export_control_citations": 71,
}
# Multipliers of BASE_COUNTS (711 records): about 10k, 100k records, and 1M access grants + citations.
SCALES = {"small": 14, "medium": 141, "large": 2900}


def scaled_counts(factor: int) -> dict[str, int]:
    """Rows per table at ``factor`` times the curated data."""
    return {name: count * factor for name, count in BASE_COUNTS.items()}


def database_is_empty() -> bool:
    from datasets.models import ChangeEvent, Organization, Source

    return not (Organization.objects.exists() or Source.objects.exists() or ChangeEvent.objects.exists())


@contextmanager
def search_index_rebuilt_after(connection, generator: Generator):
    """On SQLite, fill the FTS5 search tables once at the end (``'rebuild'``, as migration 0007 does for the
    rows already there) instead of row by row through their triggers: four times cheaper. The triggers that
    write into an FTS5 table are dropped meanwhile and created again from their own SQL, in the same
    transaction; the result is the index a migrated database with these rows would have."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
        indexes = [name for name, sql in cursor.fetchall() if "fts5" in sql.lower() and "content=" in sql.lower()]
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = [(name, sql) for name, sql in cursor.fetchall() if any(index in sql for index in indexes)]
        for name, _ in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _, sql in triggers:
            cursor.execute(sql)
        for index in indexes:
            quoted = connection.ops.quote_name(index)
            # Names read from sqlite_master, quoted.
            cursor.execute(f"INSERT INTO {quoted}({quoted}) VALUES ('rebuild')")  # noqa: S608
    generator.record_timing(f"search indexes ({len(indexes)} FTS5 tables)", started, 0)


def generate(factor: int, seed: int) -> dict:
    """Write the data in one transaction; returns a summary (counts, timings, values the benchmark probes)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from datasets import models
    from datasets.countries import COUNTRIES
    from datasets.imports.run import analyze

    check_word_lists(name for _, name in COUNTRIES)
    if not database_is_empty():
        raise SystemExit("generate.py: the database already holds records; migrate a fresh one first")
    if connection.vendor == "sqlite":
        # For this connection only: a bigger page cache (index maintenance dominates the inserts) and the
        # rollback journal in memory (a fresh database that a crash would only need to regenerate).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("PRAGMA journal_mode = MEMORY")
            cursor.execute("PRAGMA synchronous = OFF")
    generator = Generator(scaled_counts(factor), seed)
    started = time.perf_counter()
    with transaction.atomic():
        with search_index_rebuilt_after(connection, generator):
            generator.run()
        if connection.vendor == "postgresql":
            # Primary keys were assigned here: move the sequences past them.
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(generator.written)):
                    cursor.execute(statement)
    started_analyze = time.perf_counter()
    analyze()  # what an import does: the planner's statistics (datasets.imports.run.analyze)
    generator.record_timing("planner statistics (ANALYZE)", started_analyze, 0)
    elapsed = time.perf_counter() - started
    print(f"  {'total':<40} {sum(generator.rows.values()):>9} rows {elapsed:7.1f} s", flush=True)
    probe = models.ModelRelease.objects.published().order_by("pk")
    sample = probe[probe.count() // 2]
    return {
        "factor": factor,
        "seed": seed,
        "database": connection.vendor,
        "rows": generator.rows,
        "records": sum(generator.counts.values()),
        "timings_s": generator.timings,
        "total_s": round(elapsed, 2),
        "search_word": SEARCH_WORD,
        "sample_release": {"slug": sample.slug, "id": sample.pk},
        # Its developer, whose own route lists its models, grants, listings and chips (scenario i).
        "sample_organization": {"slug": sample.developer.slug},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small", help="how much data (default: small)")
    parser.add_argument("--factor", type=int, help="multiplier of the curated counts, instead of --scale")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    parser.add_argument("--summary", type=Path, help="also write the summary as JSON to this file")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    factor = args.factor or SCALES[args.scale]
    print(f"generate: factor {factor} ({sum(scaled_counts(factor).values()):,} records), seed {args.seed}")
    summary = generate(factor, args.seed)
    summary["scale"] = None if args.factor else args.scale
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
