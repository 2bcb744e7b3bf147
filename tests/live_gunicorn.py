"""gunicorn as `make serve` runs it, for what only a real HTTP server shows: several workers, its request line limit.

The command line is the Makefile's own (the serve target's), on a free loopback port, in a throw-away var folder
holding a copy of a migrated SQLite database: the embedded setup, whatever the caller's environment says (as
.ci/fuzz runs it). Each worker writes one access-log line per request, ``<pid> <status> <path>``, so that a test
can tell which worker answered. Requests go through ``urllib``, one new connection each.
"""

import contextlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The variables of the serve target's command line, as a test runs it: this venv, loopback, two workers.
MAKE_VARIABLES = {
    "$(VENV)/bin": str(Path(sys.executable).parent),
    "$(HOST)": "127.0.0.1",
    "$${WEB_CONCURRENCY:-2}": "2",
}
# How long a server may take to start both workers (each imports Django), at most.
START_SECONDS = 30
# Asked until both workers have answered: nothing is there, and no static file is needed to say so (var/ has none).
PROBE = "/live-gunicorn-probe"


def serve_command(port: int) -> list[str]:
    """The gunicorn command that `make serve` runs, on ``port``."""
    recipe = re.search(r"^serve:.*\n\t(.*gunicorn .*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "the Makefile's serve target no longer starts with its gunicorn command"
    line = recipe.group(1).replace("$(PORT)", str(port))
    for variable, value in MAKE_VARIABLES.items():
        line = line.replace(variable, value)
    assert "$" not in line, f"a Make variable that tests/live_gunicorn.py does not know: {line}"
    return shlex.split(line)


def environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The embedded setup in ``var_dir``: SQLite, the default cache, no setting from the caller's environment."""
    ignored = ("DATABASE_URL", "DATABASE_REPLICA_URLS", "CACHE_URL", "WEB_CONCURRENCY")
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_") and name not in ignored}
    return {**env, "DJANGO_VAR_DIR": str(var_dir), "DJANGO_ALLOWED_HOSTS": "127.0.0.1", **overrides}


def migrate(var_dir: Path) -> None:
    """Create the SQLite database of ``var_dir`` (a few seconds: tests migrate once and copy the folder)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment(var_dir),
        check=True,
        capture_output=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def get(url: str, timeout: float = 10) -> Response:
    """GET ``url`` on a new connection; an error status is an answer like any other."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - a loopback http:// URL
            return Response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, dict(error.headers), error.read())


@dataclass
class Server:
    url: str
    access_log: Path

    def answers(self, path: str) -> list[tuple[str, str]]:
        """The (worker pid, status) of every request for ``path`` so far, in the order they were logged."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [(pid, status) for pid, status, logged in (line.split(" ", 2) for line in lines) if logged == path]

    def workers(self, path: str) -> set[str]:
        """The workers (pids) that have answered a request for ``path`` so far."""
        return {pid for pid, _ in self.answers(path)}


@contextlib.contextmanager
def running(migrated: Path, var_dir: Path, **env: str) -> Iterator[Server]:
    """A gunicorn server on a copy of the ``migrated`` var folder in ``var_dir``, with ``env`` added to the
    embedded setup; yielded once both workers answer (a 404 outside the API, which no rate limit counts)."""
    shutil.copytree(migrated, var_dir, dirs_exist_ok=True)
    port = free_port()
    server = Server(url=f"http://127.0.0.1:{port}", access_log=var_dir / "access.log")
    log_options = ["--access-logfile", str(server.access_log), "--access-logformat", "%(p)s %(s)s %(U)s"]
    with (var_dir / "server.log").open("wb") as errors:
        process = subprocess.Popen(  # the last of a repeated option wins: the log options replace the Makefile's
            [*serve_command(port), *log_options], cwd=ROOT, env=environment(var_dir, **env), stderr=errors
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while len(server.workers(PROBE)) < 2:
            assert process.poll() is None, (var_dir / "server.log").read_text()
            assert time.monotonic() < deadline, "gunicorn's two workers did not both answer in time"
            with contextlib.suppress(OSError):
                get(f"{server.url}{PROBE}", timeout=2)
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
