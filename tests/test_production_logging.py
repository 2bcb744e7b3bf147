"""Structured logs: with DJANGO_LOG_FORMAT=json every log line is a JSON object, and every request adds one."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logging import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def request_log(settings, caplog):
    """Log requests as DJANGO_LOG_FORMAT=json does; the records they log."""
    settings.MIDDLEWARE = ["config.logging.RequestLogMiddleware", *settings.MIDDLEWARE]
    caplog.set_level(logging.INFO, logger="registry.requests")
    return lambda: [record for record in caplog.records if record.name == "registry.requests"]


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_status_path_and_duration(client, request_log):
    response = client.get(
        "/api/v1/organizations/?limit=0&q=secret-looking", HTTP_COOKIE="sessionid=abc123", REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 400
    [record] = request_log()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "registry.requests"
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/organizations/"
    assert entry["status"] == 400
    assert isinstance(entry["duration_ms"], float)
    assert entry["duration_ms"] >= 0
    assert entry["remote_addr"] == "192.0.2.5"
    assert entry["query_length"] == len("limit=0&q=secret-looking")
    # No query values, no cookies.
    assert "secret-looking" not in line
    assert "abc123" not in line


def test_the_json_formatter_keeps_tracebacks_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", ("it",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: it"
    assert "ValueError: boom" in entry["exception"]


def run_one_request(tmp_path, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_VAR_DIR": str(tmp_path), "DJANGO_ALLOWED_HOSTS": "testserver", **env_overrides})
    (tmp_path / "static").mkdir()  # else WhiteNoise warns, on stderr, that collectstatic has not run
    # A URL that no route matches: the API's JSON 404, which needs no database.
    code = "from django.test import Client; Client().get('/api/no-such-thing/?x=1')"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_djangos_log_format_json_makes_every_log_line_json(tmp_path):
    result = run_one_request(tmp_path, DJANGO_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    [request] = [entry for entry in entries if entry["logger"] == "registry.requests"]
    assert request["path"] == "/api/no-such-thing/"
    assert request["status"] == 404
    assert request["duration_ms"] >= 0
    # Django's own note of the 404 is JSON too, without the request object it carries.
    [note] = [entry for entry in entries if entry["logger"] == "django.request"]
    assert note["status_code"] == 404
    assert "request" not in note


def test_plain_logs_stay_the_default(tmp_path):
    result = run_one_request(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["Not Found: /api/no-such-thing/"]
