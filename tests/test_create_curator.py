"""create_curator: accounts in a role, with a password asked for or generated, never a default one."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from datasets.management.commands import create_curator
from tests import factories

pytestmark = pytest.mark.django_db


def test_generated_password_is_printed_once_and_works():
    out = StringIO()
    call_command("create_curator", "rosa", "--role", "reviewer", "--generate-password", stdout=out)
    password = out.getvalue().rsplit(": ", 1)[1].strip()
    user = User.objects.get(username="rosa")
    assert user.is_staff and not user.is_superuser
    assert user.check_password(password) and len(password) >= 20
    assert list(user.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert user.has_perm("datasets.review_modelrelease")


def test_curator_role_cannot_review(monkeypatch):
    monkeypatch.setattr(create_curator.Command, "stdin_is_interactive", lambda self: True)
    answers = iter(["correct horse battery staple", "correct horse battery staple"])
    monkeypatch.setattr(create_curator.getpass, "getpass", lambda prompt: next(answers))
    call_command("create_curator", "carla", stdout=StringIO())
    user = User.objects.get(username="carla")
    assert user.check_password("correct horse battery staple")
    assert user.has_perm("datasets.change_modelrelease")
    assert not user.has_perm("datasets.review_modelrelease")
    assert not user.has_perm("datasets.review_modelrelease", factories.make_model_release())


def test_weak_or_mismatched_passwords_are_refused(monkeypatch):
    monkeypatch.setattr(create_curator.Command, "stdin_is_interactive", lambda self: True)
    answers = iter(["password", "password", "a long passphrase", "another one", "letmein123", "letmein123"])
    monkeypatch.setattr(create_curator.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="No acceptable password"):
        call_command("create_curator", "weak", stdout=StringIO(), stderr=StringIO())
    assert not User.objects.filter(username="weak").exists()


def test_without_a_terminal_a_password_must_be_generated(monkeypatch):
    monkeypatch.setattr(create_curator.Command, "stdin_is_interactive", lambda self: False)
    with pytest.raises(CommandError, match="--generate-password"):
        call_command("create_curator", "bot", stdout=StringIO())
    User.objects.create_user("taken")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_curator", "taken", "--generate-password", stdout=StringIO())
