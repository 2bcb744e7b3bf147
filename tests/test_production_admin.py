"""The admin against password guessing: logins locked out after repeated failures, sessions that expire, and a
path that a deployment may move."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.urls import clear_url_caches

import config.urls
from config.settings import admin_path

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Dozens of logins: the production hasher's deliberate slowness would only slow the suite down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator():
    return get_user_model().objects.create_user("carla", password=PASSWORD, is_staff=True)


def log_in(client, password, remote_addr="192.0.2.10", username="carla"):
    return client.post(f"{LOGIN}?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=remote_addr)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_logs_in(client, curator):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in(client)


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, curator):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(4):
        response = log_in(client, f"guess-{attempt}")
        assert response.status_code == 200  # the login form again, with its error
        assert not logged_in(client)
    assert log_in(client, "guess-5").status_code == 429
    refused = log_in(client, PASSWORD)
    assert refused.status_code == 429
    assert b"too many login attempts" in refused.content
    assert not logged_in(client)


def test_the_lockout_holds_for_the_username_from_that_address_only(client, curator):
    # Keyed on username and address together: a guesser elsewhere cannot lock the curator out.
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess-{attempt}", remote_addr="198.51.100.66")
    assert log_in(client, PASSWORD, remote_addr="198.51.100.66").status_code == 429
    assert log_in(client, PASSWORD, remote_addr="192.0.2.10").status_code == 302
    assert logged_in(client)


def test_the_lockout_ends_after_the_cool_off(client, curator, settings):
    assert django_settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess-{attempt}")
    assert log_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert log_in(client, PASSWORD).status_code == 302


def test_sessions_expire_when_the_browser_closes_and_after_eight_hours(client, curator):
    log_in(client, PASSWORD)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes
    assert cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()
    assert django_settings.SESSION_COOKIE_AGE == 8 * 60 * 60  # and the server forgets it after that


@pytest.fixture
def admin_at(settings):
    """Serve the admin at another path for one test: ``admin_at("curators/")``."""
    original = settings.ADMIN_PATH

    def move(path: str) -> None:
        settings.ADMIN_PATH = path
        importlib.reload(config.urls)
        clear_url_caches()

    yield move
    move(original)


def test_the_admin_and_the_landing_page_link_follow_the_admin_path(client, admin_at, curator):
    admin_at("curators/desk/")
    assert client.get("/admin/login/").status_code == 404
    assert client.get("/curators/desk/login/").status_code == 200
    assert client.get("/curators/desk/").url.startswith("/curators/desk/login/")
    landing = client.get("/").content.decode()
    assert 'href="/curators/desk/"' in landing
    assert 'href="/admin/"' not in landing


def test_djangos_admin_path_comes_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_VAR_DIR": str(tmp_path), "DJANGO_ADMIN_PATH": "/curators"})
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.urls import reverse; print(reverse('admin:index'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "/curators/", result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("admin/", "admin/"), ("/curators", "curators/"), ("team/desk/", "team/desk/")]
)
def test_admin_path_takes_one_or_more_segments(raw, expected):
    assert admin_path(raw) == expected


@pytest.mark.parametrize("raw", ["", "/", "api/admin/", "static/", "a b/", "../x/", "x?y/"])
def test_admin_path_refuses_what_is_no_place_for_it(raw):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMIN_PATH"):
        admin_path(raw)
