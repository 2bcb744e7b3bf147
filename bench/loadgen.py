"""Load generators for bench/run.py: wrk (preferred), or a Python fallback with threads and keep-alive.

Both return the same measurement: requests, requests per second, latency percentiles in milliseconds and the
error counts. A server that answers a 4xx or 5xx, or drops connections, makes the run fail loudly.
"""

import atexit
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

# wrk prints this from its done() hook: exact counts and percentiles instead of its rounded text report.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
    .. '"max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass
class Measurement:
    """One load run against one URL."""

    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict
    bytes_per_response: int

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def failed(self) -> bool:
        return any(self.errors.values())


class LoadError(Exception):
    """A server answered errors under load, or the load generator failed."""


def find_wrk() -> str | None:
    """wrk from the machine's packages, installed with apt-get when missing and we may (root)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("bench: installing wrk from the machine's packages (apt-get install -y wrk)", flush=True)
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "check": False}
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], **quiet)  # noqa: S603
        if not shutil.which("wrk"):
            subprocess.run([apt, "update", "-qq"], **quiet)  # noqa: S603
            subprocess.run([apt, "install", "-y", "-qq", "wrk"], **quiet)  # noqa: S603
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    output = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    match = re.search(r"wrk (\S+)", output.stdout + output.stderr)
    return match.group(1) if match else "unknown"


class Wrk:
    """Drives a URL with wrk: fixed connections, fixed duration, latency percentiles from its done() hook."""

    name = "wrk"

    def __init__(self, path: str, threads: int):
        self.path = path
        self.threads = threads
        folder = tempfile.mkdtemp(prefix="bench-wrk-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        self.script = Path(folder) / "report.lua"
        self.script.write_text(WRK_REPORT, encoding="utf-8")

    def run(self, url: str, *, concurrency: int, duration: float, headers: dict | None = None) -> Measurement:
        command = [
            self.path,
            f"--threads={min(self.threads, concurrency)}",
            f"--connections={concurrency}",
            f"--duration={max(1, round(duration))}s",
            "--timeout=30s",
            "--latency",
            f"--script={self.script}",
        ]
        for name, value in (headers or {}).items():
            command += ["--header", f"{name}: {value}"]
        done = subprocess.run([*command, url], capture_output=True, text=True, check=False)  # noqa: S603
        line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH-JSON ")), None)
        if done.returncode != 0 or line is None:
            raise LoadError(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
        data = json.loads(line.removeprefix("BENCH-JSON "))
        if not data["requests"]:
            raise LoadError(f"no request to {url} completed in {duration:g} s: each takes longer than the run")
        seconds = data["duration_us"] / 1e6
        errors = {
            "http_4xx_5xx": data["status_errors"],
            "connect": data["connect_errors"],
            "read": data["read_errors"],
            "write": data["write_errors"],
            "timeout": data["timeouts"],
        }
        return Measurement(
            tool=self.name,
            requests=data["requests"],
            seconds=round(seconds, 3),
            rps=round(data["requests"] / seconds, 1) if seconds else 0.0,
            p50_ms=round(data["p50_us"] / 1000, 2),
            p90_ms=round(data["p90_us"] / 1000, 2),
            p99_ms=round(data["p99_us"] / 1000, 2),
            max_ms=round(data["max_us"] / 1000, 2),
            errors=errors,
            bytes_per_response=round(data["bytes"] / data["requests"]) if data["requests"] else 0,
        )


class PythonLoad:
    """The fallback when wrk cannot be had: one thread per connection, http.client with keep-alive.

    It competes with the servers for the CPU (and the GIL caps it at a few thousand requests per second), so
    its numbers are lower than wrk's for fast endpoints: compare runs made with the same tool only.
    """

    name = "python"

    def run(self, url: str, *, concurrency: int, duration: float, headers: dict | None = None) -> Measurement:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        deadline = time.perf_counter() + duration
        latencies: list[list[float]] = [[] for _ in range(concurrency)]
        errors = {"http_4xx_5xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
        sizes = [0] * concurrency
        lock = threading.Lock()

        def worker(index: int) -> None:
            connection = None
            while time.perf_counter() < deadline:
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    started = time.perf_counter()
                    connection.request("GET", target, headers=headers or {})
                    response = connection.getresponse()
                    body = response.read()
                    latencies[index].append(time.perf_counter() - started)
                    sizes[index] += len(body)
                    if response.status >= 400:
                        with lock:
                            errors["http_4xx_5xx"] += 1
                    if response.will_close:
                        connection.close()
                        connection = None
                except (OSError, http.client.HTTPException):
                    with lock:
                        errors["read"] += 1
                    if connection is not None:
                        connection.close()
                    connection = None
            if connection is not None:
                connection.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(index,)) for index in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        samples = sorted(latency for per_thread in latencies for latency in per_thread)
        if not samples:
            raise LoadError(f"no request to {url} completed")

        def percentile(share: float) -> float:
            return round(samples[min(len(samples) - 1, int(share * len(samples)))] * 1000, 2)

        return Measurement(
            tool=self.name,
            requests=len(samples),
            seconds=round(seconds, 3),
            rps=round(len(samples) / seconds, 1),
            p50_ms=percentile(0.50),
            p90_ms=percentile(0.90),
            p99_ms=percentile(0.99),
            max_ms=round(samples[-1] * 1000, 2),
            errors=errors,
            bytes_per_response=round(sum(sizes) / len(samples)),
        )
