"""Benchmark the API against Datasette on the same SQLite file, at several data scales, in one run.

    .venv/bin/python bench/run.py                      # small, medium and large; 10 s per scenario and server
    .venv/bin/python bench/run.py --scales small --duration 5

For each scale: a temporary DJANGO_VAR_DIR with a migrated database filled by bench/generate.py (cached in
var/bench/<scale>.sqlite3, regenerated when the migrations, the generator or requirements.txt change), our API
under gunicorn (2 workers, production settings) and Datasette (``--immutable``) on the same file, each on a
loopback port; wrk drives every scenario on both with the same connections and duration. Then worker memory,
and the time ``import_dataset`` takes to load the release of the ``medium`` data into a fresh database.
Results: a Markdown report on stdout (bench/report.py; paste it into bench/RESULTS.md) and
var/bench/results-<timestamp>.json. Every server started here is stopped on the way out, whatever happens.
"""

import argparse
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import loadgen
import report
from scenarios import check_scenario, datasette_metadata, datasette_search_column, scenarios
from servers import (
    CACHE_DIR,
    EXTRA_ENV,
    MIGRATE,
    POSTGRES,
    BenchError,
    Processes,
    answer_cache_on,
    child_pids,
    datasette_command,
    django_env,
    rss_mb,
    run_command,
    start_servers,
    tail,
)

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
SCALES = ("small", "medium", "large")


# Data: generated once per scale and cached.


def cache_key(factor: int, seed: int) -> str:
    """Changes whenever the generated database would: the schema, the generator, the pinned packages."""
    digest = hashlib.sha256(f"{factor}:{seed}:{sqlite3.sqlite_version}".encode())
    files = sorted((BASE_DIR / "datasets" / "migrations").glob("*.py"))
    files += [BENCH_DIR / name for name in ("generate.py", "records.py", "synth.py", "tablewriter.py")]
    files.append(BASE_DIR / "requirements.txt")
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def empty_postgres_database() -> None:
    """--postgres: the database emptied (its schema dropped and made again), for the next scale's data."""
    import psycopg

    with psycopg.connect(POSTGRES["url"], autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def prepare_database(scale: str, factor: int, seed: int, var_dir: Path, *, use_cache: bool) -> dict:
    """``var_dir/registry.sqlite3`` (or, with --postgres, the PostgreSQL database) holds the scale's data; returns
    the generator's summary (counts, timings)."""
    env = django_env(var_dir)
    if POSTGRES["url"]:
        use_cache = False  # generated into the server each time: nothing to copy
        empty_postgres_database()
    database = var_dir / "registry.sqlite3"
    cached, summary_file = CACHE_DIR / f"{scale}.sqlite3", CACHE_DIR / f"{scale}.json"
    key = cache_key(factor, seed)
    if use_cache and cached.exists() and summary_file.exists():
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        if summary.get("cache_key") == key:
            print(f"[{scale}] data: cached {cached.relative_to(BASE_DIR)} (key {key})", flush=True)
            shutil.copyfile(cached, database)
            # A no-op unless an app outside datasets/ gained a migration since the cache was made.
            run_command([sys.executable, *MIGRATE], env=env, what="migrate")
            return {**summary, "cached": True}
    print(f"[{scale}] data: migrating and generating (factor {factor}, seed {seed})", flush=True)
    migrate_s, _ = run_command([sys.executable, *MIGRATE], env=env, what="migrate")
    summary_path = var_dir / "summary.json"
    command = [sys.executable, str(BENCH_DIR / "generate.py"), "--factor", str(factor), "--seed", str(seed)]
    started = time.perf_counter()
    process = subprocess.run(  # noqa: S603
        [*command, "--summary", str(summary_path)], cwd=BASE_DIR, env=env, check=False
    )
    if process.returncode != 0:
        raise BenchError(f"generate.py failed for {scale} (exit {process.returncode})")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary.update(
        scale=scale,
        cache_key=key,
        migrate_s=round(migrate_s, 1),
        wall_s=round(time.perf_counter() - started, 1),
        database_mb=postgres_mb() if POSTGRES["url"] else round(database.stat().st_size / 2**20, 1),
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )
    if POSTGRES["url"]:
        return {**summary, "cached": False}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    shutil.copyfile(database, partial)
    partial.replace(cached)
    summary_file.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return {**summary, "cached": False}


def postgres_mb() -> float:
    import psycopg

    with psycopg.connect(POSTGRES["url"]) as connection:
        return round(connection.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20, 1)


def measure(load, port: int, scenario_path: str, headers: dict, args) -> dict:
    """Warm up, then drive one URL for --duration seconds; a server error or a dropped connection fails it."""
    url = f"http://127.0.0.1:{port}{scenario_path}"
    if args.warmup > 0:
        # Unmeasured; a slow endpoint may complete nothing in it, which only the measured run may call a failure.
        with contextlib.suppress(loadgen.LoadError):
            load.run(url, concurrency=args.concurrency, duration=args.warmup, headers=headers)
    result = load.run(url, concurrency=args.concurrency, duration=args.duration, headers=headers)
    if result.failed:
        raise loadgen.LoadError(f"errors under load on {url}: {result.errors}")
    # Anything else running on the machine shows here (the servers and wrk account for about 2-3).
    return {**result.as_dict(), "load_average_after": round(os.getloadavg()[0], 2)}


def bench_scale(scale: str, args, load, processes: Processes, ports: set[int], datasette: list[str]) -> dict:
    """Data, servers, every scenario on both sides, memory, and (at --import-scale) the import, for one scale."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-{scale}-"))
    outcome: dict = {"scale": scale, "work_dir": str(work), "load_average_at_start": round(os.getloadavg()[0], 2)}
    try:
        outcome["data"] = prepare_database(scale, args.factors[scale], args.seed, work, use_cache=not args.regenerate)
        metadata = datasette_metadata(work / "datasette-metadata.json")
        servers = start_servers(processes, work, ports, datasette, metadata)
        try:
            search_column = None
            if servers.has_datasette:
                search_column = datasette_search_column(servers.datasette_port, outcome["data"]["search_word"])
                outcome["datasette_search"] = (
                    "_search (FTS5)" if search_column is None else f"{search_column}__contains"
                )
            results = {}
            for scenario in scenarios(outcome["data"], search_column, built=servers.built is not None):
                if not servers.has_datasette:  # PostgreSQL: ours alone
                    scenario.theirs = scenario.theirs_count = scenario.floor = None
                print(f"[{scale}] {scenario.key}: {scenario.title}", flush=True)
                entry = {"title": scenario.title, "ours_path": scenario.ours, "datasette_path": scenario.theirs}
                entry["answer_cache"] = "on" if scenario.server == "ours" and answer_cache_on() else "off"
                results[scenario.key] = entry
                try:
                    entry |= check_scenario(servers, scenario)
                    port = servers.port(scenario.server)
                    entry["ours"] = measure(load, port, scenario.ours, scenario.headers, args)
                    if scenario.theirs:
                        entry["datasette"] = measure(load, servers.datasette_port, scenario.theirs, {}, args)
                    if scenario.floor:
                        entry["floor"] = measure(load, servers.floor_port, scenario.floor, {}, args)
                except (BenchError, loadgen.LoadError, OSError, http.client.HTTPException) as error:
                    # Loudly, with the servers' last words; the other scenarios still run.
                    entry["error"] = f"{error}"
                    print(f"[{scale}] {scenario.key}: FAILED: {error}", file=sys.stderr, flush=True)
                    for side, log in servers.logs.items():
                        print(f"--- {side} log (end) ---\n{tail(log, 2000)}", file=sys.stderr, flush=True)
                    continue
                print(report.scenario_line(scenario.key, entry), flush=True)
            outcome["scenarios"] = results
            workers = child_pids(servers.ours.pid)
            outcome["memory_mb"] = {
                "gunicorn_workers": [rss_mb(pid) for pid in workers],
                "gunicorn_master": rss_mb(servers.ours.pid),
            }
            if servers.has_datasette:
                outcome["memory_mb"]["datasette"] = rss_mb(servers.datasette.pid)
                outcome["memory_mb"]["floor_workers"] = [rss_mb(pid) for pid in child_pids(servers.floor.pid)]
            if servers.built is not None:
                outcome["memory_mb"]["gunicorn_built_workers"] = [rss_mb(pid) for pid in child_pids(servers.built.pid)]
        finally:
            for process in servers.processes():
                processes.stop(process)
            # The servers' logs outlive the temporary directory: var/bench/logs/<scale>/.
            kept = CACHE_DIR / "logs" / scale
            kept.mkdir(parents=True, exist_ok=True)
            for log in servers.logs.values():
                if log.exists():
                    shutil.copyfile(log, kept / log.name)
            outcome["logs"] = str(kept.relative_to(BASE_DIR))
        if scale == args.import_scale and not args.skip_import and not POSTGRES["url"]:
            outcome["import"] = import_timing(scale, work, args.import_timeout)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return outcome


def import_timing(scale: str, source_var: Path, timeout: float) -> dict:
    """Export the scale's release, then time import_dataset of it into a fresh, migrated database."""
    release = source_var / "release"
    print(f"[{scale}] import: export_dataset, then import_dataset into a fresh database", flush=True)
    try:
        export_s, _ = run_command(
            [sys.executable, "manage.py", "export_dataset", str(release)],
            env=django_env(source_var),
            what="export_dataset",
            timeout=timeout,
        )
    except (BenchError, subprocess.TimeoutExpired) as error:
        # The other numbers are still worth having: report the failure, go on with the run.
        print(f"[{scale}] import: export_dataset FAILED", flush=True)
        return {
            "scale": scale,
            "ok": False,
            "export_s": None,
            "import_s": None,
            "release_mb": None,
            "output_tail": str(error)[-1500:],
        }
    fresh = Path(tempfile.mkdtemp(prefix=f"bench-import-{scale}-"))
    try:
        env = django_env(fresh)
        migrate_s, _ = run_command([sys.executable, *MIGRATE], env=env, what="migrate")
        started = time.perf_counter()
        try:
            done = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", "import_dataset", str(release)],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            ok, output = done.returncode == 0, done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            ok, output = False, f"timed out after {timeout:.0f} s"
        import_s = time.perf_counter() - started
        files = [path for path in release.rglob("*") if path.is_file()]
        result = {
            "scale": scale,
            "export_s": round(export_s, 1),
            "migrate_s": round(migrate_s, 1),
            "import_s": round(import_s, 1),
            "ok": ok,
            "release_mb": round(sum(path.stat().st_size for path in files) / 2**20, 1),
            "output_tail": output[-6000:],
        }
        print(f"[{scale}] import: {'ok' if result['ok'] else 'FAILED'} in {import_s:.1f} s", flush=True)
        return result
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def machine(load) -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 2**20, 1)

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    postgresql = None
    if POSTGRES["url"]:
        import psycopg

        with psycopg.connect(POSTGRES["url"]) as connection:
            postgresql = connection.execute("SHOW server_version").fetchone()[0]
    return {
        "postgresql": postgresql,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {name: version(name) for name in ("Django", "djangorestframework", "gunicorn", "datasette")},
        "load_generator": load.name if load.name != "wrk" else f"wrk {loadgen.wrk_version(load.path)}",
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default=",".join(SCALES), help="comma-separated (default: small,medium,large)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per scenario and server")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load before each (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: the servers need the CPU)")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    parser.add_argument("--import-scale", default="medium", help="scale whose release import is timed")
    parser.add_argument("--skip-import", action="store_true", help="do not time export/import")
    parser.add_argument("--import-timeout", type=float, default=1200, help="give up on the import after (s)")
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached databases in var/bench/")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories (logs, databases)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="our API on the PostgreSQL database of DATABASE_URL (run under .ci/with-postgres; emptied for each "
        "scale), alone: Datasette and the floor read SQLite files",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for our server (repeatable), e.g. DJANGO_API_CACHE_SECONDS=0",
    )
    args = parser.parse_args(argv)
    args.scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    from generate import SCALES as FACTORS  # its module level is Django-free

    unknown = [scale for scale in args.scales if scale not in FACTORS]
    if unknown:
        parser.error(f"unknown scale(s) {', '.join(unknown)}; choose from {', '.join(FACTORS)}")
    args.factors = FACTORS
    if args.postgres:
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            parser.error("--postgres needs DATABASE_URL of a PostgreSQL database: run it under .ci/with-postgres")
        POSTGRES["url"] = os.environ["DATABASE_URL"]
    for setting in args.env:
        name, equals, value = setting.partition("=")
        if not equals or not name.startswith("DJANGO_"):
            parser.error(f"--env takes DJANGO_NAME=VALUE, not {setting!r}")
        EXTRA_ENV[name] = value
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.environ.get("DATABASE_URL") and not args.postgres:
        print("bench: DATABASE_URL is ignored: Datasette serves SQLite, so both sides use a SQLite file", flush=True)
    wrk = None if args.python_load else loadgen.find_wrk()
    load = loadgen.Wrk(wrk, args.threads) if wrk else loadgen.PythonLoad()
    if not wrk and not args.python_load:
        print("bench: wrk unavailable, falling back to the Python load generator", flush=True)
    processes = Processes()
    # A SIGTERM (CI cancelling the job) unwinds like Ctrl-C, through the finally that stops the servers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    results: dict = {
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "concurrency": args.concurrency,
            "wrk_threads": args.threads,
            "seed": args.seed,
            "gunicorn_workers": 2,
            "extra_env": dict(EXTRA_ENV),
            "database": "PostgreSQL" if args.postgres else "SQLite",
        },
        "machine": machine(load),
        "scales": {},
    }
    failures = []
    try:
        datasette = datasette_command()
        ports: set[int] = set()
        for scale in args.scales:
            outcome = bench_scale(scale, args, load, processes, ports, datasette)
            results["scales"][scale] = outcome
            failures += [
                f"{scale} {key}: {entry['error']}"
                for key, entry in outcome.get("scenarios", {}).items()
                if "error" in entry
            ]
            if outcome.get("import") and not outcome["import"]["ok"]:
                failures.append(f"{scale} import: {outcome['import']['output_tail'][-500:]}")
    except (BenchError, loadgen.LoadError, OSError, http.client.HTTPException) as error:
        failures.append(str(error))
        print(f"\nbench: FAILED: {error}", file=sys.stderr, flush=True)
    finally:
        processes.stop_all()
    failed = "\n\n".join(failures) or None
    results["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    results["failed"] = failed
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = CACHE_DIR / f"results-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("\n" + report.markdown(results))
    print(f"\nResults: {out.relative_to(BASE_DIR)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
