"""The processes bench/run.py starts: our API under gunicorn, Datasette, and management commands.


Every server runs in a session of its own and is stopped with its whole process group (gunicorn's workers
too), whatever happens to the run.
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CACHE_DIR = BASE_DIR / "var" / "bench"
BIN = Path(sys.executable).parent
PORTS = range(9300, 9400)


class BenchError(Exception):
    """Something the benchmark cannot go on without."""


class Processes:
    """The servers this run started; ``stop_all`` ends each one's process group (gunicorn's workers too)."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
        with log.open("ab") as handle:
            process = subprocess.Popen(  # noqa: S603
                command, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # Workers left behind by a master that died first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(reversed(self.running)):
            self.stop(process)


MIGRATE = ["manage.py", "migrate", "--noinput", "-v0"]


def run_command(command: list[str], *, env: dict, what: str, timeout: float | None = None) -> tuple[float, str]:
    """Run a command to completion; returns (seconds, output). A failure stops the benchmark, with its output."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")
    return elapsed, output


def free_port(taken: set[int]) -> int:
    """A loopback port in 9300-9399 that nothing listens on."""
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise BenchError("no free port in 9300-9399")


# Extra settings for our side (--env NAME=VALUE), e.g. DJANGO_API_CACHE_SECONDS=0 to measure without the answer cache.
EXTRA_ENV: dict[str, str] = {}
# --postgres: the PostgreSQL database our side runs on (the DATABASE_URL of .ci/with-postgres), else None (SQLite).
POSTGRES: dict[str, str | None] = {"url": None}


def django_env(var_dir: Path) -> dict:
    """Production settings on the SQLite file in ``var_dir``; whatever DJANGO_* / DATABASE_* the caller has set
    is left out, so that every run measures the same configuration."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_")) and name != "CACHE_URL"
    }
    env.update(
        DJANGO_VAR_DIR=str(var_dir),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_API_ANON_RATE="off",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if POSTGRES["url"]:
        env["DATABASE_URL"] = POSTGRES["url"]
    env.update(EXTRA_ENV)
    return env


def get(port: int, path: str, headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, bytes]:
    """One GET on loopback: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_up(port: int, path: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Wait until the server answers ``path`` with a 200 (Datasette counts a large file's rows first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"server on port {port} exited ({process.returncode}):\n{tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, _ = get(port, path, timeout=30)
            if status == 200:
                return
        time.sleep(0.3)
    raise BenchError(f"server on port {port} did not answer {path} within {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path, size: int = 3000) -> str:
    """The end of a log file."""
    return path.read_text(encoding="utf-8", errors="replace")[-size:] if path.exists() else ""


@dataclass
class Servers:
    """Our API and Datasette, running on the same SQLite file; and, while our answer cache is on, a second
    server of ours with it off (``built``), whose every answer is built from the database."""

    ours_port: int
    datasette_port: int | None
    ours: subprocess.Popen
    datasette: subprocess.Popen | None
    logs: dict = field(default_factory=dict)
    built_port: int | None = None
    built: subprocess.Popen | None = None
    floor_port: int | None = None
    floor: subprocess.Popen | None = None

    def port(self, server: str) -> int:
        ports = {"ours": self.ours_port, "built": self.built_port, "datasette": self.datasette_port}
        return {**ports, "floor": self.floor_port}[server]

    def processes(self) -> list[subprocess.Popen]:
        return [process for process in (self.ours, self.built, self.datasette, self.floor) if process is not None]

    @property
    def has_datasette(self) -> bool:
        return self.datasette is not None


def answer_cache_on() -> bool:
    return EXTRA_ENV.get("DJANGO_API_CACHE_SECONDS", "") != "0"


def gunicorn(port: int) -> list[str]:
    """As `make serve` runs it, without the access log."""
    return [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]


def start_servers(
    processes: Processes, var_dir: Path, ports: set[int], datasette: list[str], metadata: Path
) -> Servers:
    """Our API and Datasette on ``var_dir/registry.sqlite3``, each on a free loopback port, answering; on PostgreSQL
    (``--postgres``), ours alone."""
    env = django_env(var_dir)
    database = var_dir / "registry.sqlite3"
    ours_port, datasette_port = free_port(ports), free_port(ports)
    ours_log, datasette_log = var_dir / "gunicorn.log", var_dir / "datasette.log"
    ours = processes.start(gunicorn(ours_port), env=env, log=ours_log)
    built = built_port = None
    logs = {"ours": ours_log, "datasette": datasette_log}
    if answer_cache_on():
        built_port, logs["built"] = free_port(ports), var_dir / "gunicorn-built.log"
        built = processes.start(gunicorn(built_port), env={**env, "DJANGO_API_CACHE_SECONDS": "0"}, log=logs["built"])
    if POSTGRES["url"]:
        wait_until_up(ours_port, "/api/v1/", ours, ours_log)
        if built is not None:
            wait_until_up(built_port, "/api/v1/", built, logs["built"])
        return Servers(ours_port, None, ours, None, logs, built_port, built)
    serve = [
        *datasette,
        "serve",
        "--immutable",
        str(database),
        "--host",
        "127.0.0.1",
        "--port",
        str(datasette_port),
        "--metadata",
        str(metadata),
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "sql_time_limit_ms",
        "10000",
        # Suggested facets are for the HTML pages' sidebar; an API client never reads them.
        "--setting",
        "suggest_facets",
        "off",
    ]
    theirs = processes.start(serve, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, log=datasette_log)
    # The floor (bench/floor.py): the same two answers from the same file, on no framework, with gunicorn as ours.
    floor_port, logs["floor"] = free_port(ports), var_dir / "floor.log"
    floor_command = [str(BIN / "gunicorn"), "floor:application", "--chdir", str(BASE_DIR / "bench")]
    floor_command += ["--bind", f"127.0.0.1:{floor_port}", "--workers", "2"]
    floor_env = {**os.environ, "FLOOR_DATABASE": str(database), "PYTHONDONTWRITEBYTECODE": "1"}
    floor = processes.start(floor_command, env=floor_env, log=logs["floor"])
    wait_until_up(ours_port, "/api/v1/", ours, ours_log)
    wait_until_up(datasette_port, "/-/versions.json", theirs, datasette_log)
    if built is not None:
        wait_until_up(built_port, "/api/v1/", built, logs["built"])
    wait_until_up(floor_port, "/api/v1/model-releases/?weights=open_weights&limit=1", floor, logs["floor"])
    return Servers(ours_port, datasette_port, ours, theirs, logs, built_port, built, floor_port, floor)


def datasette_command() -> list[str]:
    """Datasette from this venv (requirements-dev.txt pins it), else from a venv of its own in var/bench/."""
    local = BIN / "datasette"
    if local.exists():
        return [str(local)]
    venv = CACHE_DIR / "datasette-venv"
    if not (venv / "bin" / "datasette").exists():
        print("bench: installing datasette==0.65.5 into var/bench/datasette-venv", flush=True)
        run_command([sys.executable, "-m", "venv", str(venv)], env=dict(os.environ), what="venv")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "datasette==0.65.5"]
        run_command(pip, env=dict(os.environ), what="pip install datasette")
    return [str(venv / "bin" / "datasette")]


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process (VmRSS), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def child_pids(pid: int) -> list[int]:
    """The children of ``pid`` (gunicorn's workers, for its master)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(stat.parent.name))
        return sorted(children)
