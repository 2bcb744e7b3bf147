"""Settings come from the environment, with safe defaults; the production checklist is clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_VAR_DIR": str(tmp_path), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def warning_ids(output: str) -> set[str]:
    return set(re.findall(r"\((\w+\.\w\d+)\)", output))


def test_debug_is_off_unless_asked_for(tmp_path):
    show = ("shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)")
    assert "DEBUG False" in run_manage(*show, env_overrides={}, tmp_path=tmp_path).stdout
    assert "DEBUG True" in run_manage(*show, env_overrides={"DJANGO_DEBUG": "1"}, tmp_path=tmp_path).stdout


def test_env_bool_refuses_unclear_values(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TEST_FLAG"):
        project_settings.env_bool("DJANGO_TEST_FLAG", False)
    monkeypatch.setenv("DJANGO_TEST_FLAG", "ON")
    assert project_settings.env_bool("DJANGO_TEST_FLAG", False) is True


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_HOSTS", " example.org, ,api.example.org ")
    assert project_settings.env_list("DJANGO_TEST_HOSTS", []) == ["example.org", "api.example.org"]


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(project_settings, "VAR_DIR", tmp_path / "var")
    first = project_settings.load_or_create_secret_key()
    second = project_settings.load_or_create_secret_key()
    assert first == second
    assert len(first) >= 50
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")
    assert project_settings.load_or_create_secret_key() == "from-the-environment"


def test_generated_state_lives_in_a_git_ignored_folder():
    assert "var/" in (ROOT / ".gitignore").read_text().split()
    assert project_settings.SECRET_KEY not in (ROOT / "config" / "settings.py").read_text()


def test_check_deploy_has_no_errors_and_only_the_documented_https_warnings(tmp_path):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    plain = run_manage("check", "--deploy", "--fail-level", "ERROR", env_overrides=env, tmp_path=tmp_path)
    assert plain.returncode == 0, plain.stderr
    # README explains each of these: they depend on the deployment terminating TLS.
    assert warning_ids(plain.stderr) == {"security.W004", "security.W008", "security.W012", "security.W016"}

    behind_tls = {
        **env,
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "DJANGO_SECURE_COOKIES": "1",
        "DJANGO_SECURE_HSTS_SECONDS": "31536000",
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "DJANGO_SECURE_HSTS_PRELOAD": "1",
    }
    tls = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=behind_tls, tmp_path=tmp_path)
    assert tls.returncode == 0, tls.stderr
    assert warning_ids(tls.stderr) == set()


def test_migrations_are_in_step_with_the_models(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", env_overrides={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
