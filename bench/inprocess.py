"""Time one API request in process, through Django's test client: a cached answer and a 304, or (with
``--cache-seconds 0``) a page built from the database and its 304. No server, no network, no load generator:
what the application itself costs, steadier than wrk on a shared machine, for comparing two trees side by side.

    .venv/bin/python bench/inprocess.py var/bench/small.sqlite3 "/api/v1/model-releases/?weights=open_weights"

Run it from the root of each tree, alternating, on a copy of the same database (it copies the file given).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a migrated SQLite file (bench/generate.py makes them)")
    parser.add_argument("url", help="the request, path and query string")
    parser.add_argument("--requests", type=int, default=3000, help="requests per measurement (default 3000)")
    parser.add_argument("--cache-seconds", default="600", help="DJANGO_API_CACHE_SECONDS (default 600)")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="inprocess-"))
    shutil.copyfile(args.database, var_dir / "registry.sqlite3")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_VAR_DIR=str(var_dir),
        DJANGO_API_ANON_RATE="off",
        DJANGO_API_CACHE_SECONDS=args.cache_seconds,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_DEBUG="0",
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: no collectstatic in a throw-away var/
    django.setup()
    from django.test import Client

    client = Client()
    for _ in range(20):  # warm: connections, caches, the kept answer
        response = client.get(args.url)
    if response.status_code != 200:
        sys.exit(f"{args.url} answered {response.status_code}")
    etag = response["ETag"]
    timings = {}
    for name, headers in (("200", {}), ("304", {"HTTP_IF_NONE_MATCH": etag})):
        start = time.perf_counter()
        for _ in range(args.requests):
            client.get(args.url, **headers)
        timings[name] = (time.perf_counter() - start) / args.requests * 1000
    shutil.rmtree(var_dir, ignore_errors=True)
    print(f"{BASE_DIR} cache={args.cache_seconds}s  200: {timings['200']:.3f} ms  304: {timings['304']:.3f} ms")


if __name__ == "__main__":
    main()
