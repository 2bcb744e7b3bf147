"""Settings come from the environment, with safe defaults; the production checklist is clean."""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env as config_env
from config import settings as project_settings
from config.env import api_rate, env_bool, env_int, env_list, env_path, env_str

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"


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


@pytest.mark.parametrize(("overrides", "expected"), [({}, "60"), ({"DJANGO_DB_CONN_MAX_AGE": "0"}, "0")])
def test_sqlite_connections_are_kept_between_requests(tmp_path, overrides, expected):
    # A new SQLite connection reads the whole schema on its first query: kept, a 304 costs a fifth of it.
    show = (
        "shell",
        "-c",
        "from django.conf import settings; print('AGE', settings.DATABASES['default']['CONN_MAX_AGE'])",
    )
    assert f"AGE {expected}\n" in run_manage(*show, env_overrides=overrides, tmp_path=tmp_path).stdout


@pytest.mark.parametrize(("overrides", "expected"), [({}, -8192), ({"DJANGO_SQLITE_CACHE_MB": "32"}, -32768)])
def test_a_sqlite_connection_keeps_megabytes_of_pages(tmp_path, overrides, expected):
    # 2 MB (SQLite's default) cannot hold a search's pages at `large` from one request to the next.
    show = (
        "shell",
        "-c",
        "from django.db import connection; "
        "print('PAGES', connection.cursor().execute('PRAGMA cache_size').fetchone()[0])",
    )
    assert f"PAGES {expected}\n" in run_manage(*show, env_overrides=overrides, tmp_path=tmp_path).stdout


def test_env_bool_refuses_unclear_values(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TEST_FLAG"):
        env_bool("DJANGO_TEST_FLAG", False)
    monkeypatch.setenv("DJANGO_TEST_FLAG", "ON")
    assert env_bool("DJANGO_TEST_FLAG", False) is True


def test_env_str_strips_and_reads_empty_as_not_set(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_TEXT", "  json ")
    assert env_str("DJANGO_TEST_TEXT", "plain") == "json"
    monkeypatch.setenv("DJANGO_TEST_TEXT", " ")
    assert env_str("DJANGO_TEST_TEXT", "plain") == "plain"
    monkeypatch.delenv("DJANGO_TEST_TEXT")
    assert env_str("DJANGO_TEST_TEXT", "plain") == "plain"


def test_env_path_reads_empty_as_not_set(monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_TEST_DIR", f" {tmp_path} ")
    assert env_path("DJANGO_TEST_DIR", Path("var")) == tmp_path
    monkeypatch.setenv("DJANGO_TEST_DIR", "")
    assert env_path("DJANGO_TEST_DIR", Path("var")) == Path("var")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_HOSTS", " example.org, ,api.example.org ")
    assert env_list("DJANGO_TEST_HOSTS", []) == ["example.org", "api.example.org"]


def test_env_int_refuses_what_is_not_a_whole_number_in_range(monkeypatch):
    monkeypatch.setenv("DJANGO_TEST_NUMBER", " 7 ")
    assert env_int("DJANGO_TEST_NUMBER", 1) == 7
    monkeypatch.setenv("DJANGO_TEST_NUMBER", "")
    assert env_int("DJANGO_TEST_NUMBER", 1) == 1
    monkeypatch.setenv("DJANGO_TEST_NUMBER", "7.5")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TEST_NUMBER must be a whole number"):
        env_int("DJANGO_TEST_NUMBER", 1)
    monkeypatch.setenv("DJANGO_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TEST_NUMBER must be 1 or more"):
        env_int("DJANGO_TEST_NUMBER", 5, minimum=1)


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        (
            "redis://cache.internal:6379/0",
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.internal:6379/0",
        ),
        (
            "rediss://:pw@cache.internal:6380/1",
            "django.core.cache.backends.redis.RedisCache",
            "rediss://:pw@cache.internal:6380/1",
        ),
        ("", "django.core.cache.backends.locmem.LocMemCache", "registry"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "registry"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache", None),
    ],
)
def test_cache_url_picks_the_cache(url, backend, location):
    config = project_settings.cache_config(url)
    assert config["BACKEND"] == backend
    assert config.get("LOCATION") == location


def test_an_unknown_cache_url_is_refused_without_echoing_credentials():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with redis://") as refused:
        project_settings.cache_config("memcached://user:secret@cache.internal:11211")
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "rate"), [("", "120/minute"), ("5000/hour", "5000/hour"), ("OFF", None), ("2/s", "2/s")]
)
def test_api_rate_reads_drf_rates_and_off(monkeypatch, raw, rate):
    monkeypatch.setenv("DJANGO_TEST_RATE", raw)
    assert api_rate("DJANGO_TEST_RATE", "120/minute") == rate


@pytest.mark.parametrize("raw", ["120", "120/fortnight", "0/minute", "many/minute", "120 / minute"])
def test_api_rate_refuses_what_drf_would_misread(monkeypatch, raw):
    monkeypatch.setenv("DJANGO_TEST_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TEST_RATE must be a rate"):
        api_rate("DJANGO_TEST_RATE", "120/minute")


def test_replica_urls_become_test_mirrored_databases_and_the_cache_url_redis(tmp_path):
    show = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASE_REPLICAS); "
        "print({alias: (db['HOST'], db['NAME'], db['TEST']['MIRROR']) for alias, db in s.DATABASES.items()}); "
        "print(s.CACHES['default']['BACKEND'], s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], "
        "s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())",
    )
    env = {
        "DATABASE_URL": "postgres://app@primary.internal/registry",
        "DATABASE_REPLICA_URLS": "postgres://app@replica-a.internal/registry, postgres://app@replica-b.internal/registry",
        "CACHE_URL": "redis://cache.internal:6379/0",
        "DJANGO_API_ANON_RATE": "off",
        "DJANGO_NUM_PROXIES": "1",
        "DJANGO_AXES_FAILURE_LIMIT": "3",
        "DJANGO_AXES_COOLOFF_MINUTES": "60",
    }
    result = run_manage(*show, env_overrides=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['replica_1', 'replica_2']",
        "{'default': ('primary.internal', 'registry', None), "
        "'replica_1': ('replica-a.internal', 'registry', 'default'), "
        "'replica_2': ('replica-b.internal', 'registry', 'default')}",
        "django.core.cache.backends.redis.RedisCache {'anon': None} 1 3 3600.0",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CACHE_URL", "memcached://cache.internal"),
        ("DJANGO_API_ANON_RATE", "lots"),
        ("DJANGO_NUM_PROXIES", "-1"),
        ("DJANGO_AXES_FAILURE_LIMIT", "0"),
        ("DJANGO_ADMIN_PATH", "api/"),
        ("DJANGO_LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_production_setting_stops_the_service_with_its_name(tmp_path, name, value):
    result = run_manage("check", env_overrides={name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


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


def test_processes_starting_together_share_the_first_ones_secret_key(tmp_path, monkeypatch):
    # Another worker writes the key between this one's look for it and its own write: this one takes that key.
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    var_dir = tmp_path / "var"
    monkeypatch.setattr(project_settings, "VAR_DIR", var_dir)

    def meanwhile_another_worker(length):
        var_dir.mkdir(parents=True, exist_ok=True)
        (var_dir / "secret_key").write_text("the-other-workers-key")
        return "this-workers-key"

    monkeypatch.setattr(project_settings.secrets, "token_urlsafe", meanwhile_another_worker)
    assert project_settings.load_or_create_secret_key() == "the-other-workers-key"
    assert sorted(path.name for path in var_dir.iterdir()) == ["secret_key"]


def test_generated_state_lives_in_a_git_ignored_folder():
    assert "var/" in (ROOT / ".gitignore").read_text().split()
    assert project_settings.SECRET_KEY not in (ROOT / "config" / "settings.py").read_text()


def test_check_deploy_has_no_errors_and_only_the_documented_https_warnings(tmp_path):
    # django-axes and django-cors-headers add their own checks (tagged security): none of them may warn either.
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

    # The whole production environment of docs/deploy.md: PostgreSQL with replicas, Redis, behind one proxy, the
    # admin moved, JSON logs. (Checks do not connect to the databases or the cache.)
    scaled_out = {
        **behind_tls,
        "DATABASE_URL": "postgres://registry@primary.internal:5432/registry",
        "DATABASE_REPLICA_URLS": "postgres://registry@replica.internal:5432/registry",
        "CACHE_URL": "redis://cache.internal:6379/0",
        "DJANGO_NUM_PROXIES": "1",
        "DJANGO_ADMIN_PATH": "curators/",
        "DJANGO_LOG_FORMAT": "json",
    }
    full = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=scaled_out, tmp_path=tmp_path)
    assert full.returncode == 0, full.stderr
    assert warning_ids(full.stderr) == set()


def test_migrations_are_in_step_with_the_models(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", env_overrides={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def variables_read_by_config() -> set[str]:
    """The environment variables config/ reads: the name given to every call of a ``config.env`` reader."""
    readers = set(config_env.__all__)
    names = set()
    for path in CONFIG.glob("*.py"):
        if path.name == "env.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in readers:
                name = node.args[0]
                assert isinstance(name, ast.Constant), f"{path.name}:{node.lineno}: name the variable literally"
                names.add(name.value)
    return names


def documented_variables() -> dict[str, list[str]]:
    """The rows of docs/deploy.md's table of environment variables: each name with its other cells."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("\n## Environment variables\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and (name := re.fullmatch(r"`([A-Z][A-Z0-9_]*)`", cells[0])):
            rows[name[1]] = cells[1:]
    return rows


def test_config_reads_the_environment_only_through_config_env():
    # Otherwise a variable could be read where the table's test below does not look. (wsgi.py and asgi.py name
    # the settings module, as Django's do.)
    for path in CONFIG.glob("*.py"):
        if path.name != "env.py":
            text = path.read_text()
            found = re.findall(
                r'os\.(?:environ|getenv)\b(?!\.setdefault\("DJANGO_SETTINGS_MODULE")|dj_database_url\.config', text
            )
            assert found == [], f"{path.name} reads the environment itself: {found}"


def test_every_environment_variable_is_in_the_deployment_table():
    read = variables_read_by_config()
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_STATIC_ROOT"} <= read
    table = documented_variables()
    assert sorted(read - table.keys()) == [], "docs/deploy.md's table lacks these"
    # Nor does the table list what nothing reads, but for the Makefile's own (WEB_CONCURRENCY).
    makefile = (ROOT / "Makefile").read_text()
    assert [name for name in table.keys() - read if f"${{{name}" not in makefile] == []
    # Each with its default and its meaning.
    assert [name for name, cells in table.items() if len(cells) != 2 or not all(cells)] == []
