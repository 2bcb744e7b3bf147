"""manage.py create_curator NAME --role curator|reviewer: an admin account in one of the two roles."""

import getpass
import secrets
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

ROLES = {"curator": "Curators", "reviewer": "Reviewers"}


class Command(BaseCommand):
    help = (
        "Create a staff account in a curation role: curators create and edit drafts and submit them for review; "
        "reviewers also publish and withdraw. Asks for the password (twice), or with --generate-password makes a "
        "random one and prints it once. There is never a default password."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account's user name.")
        parser.add_argument("--role", choices=sorted(ROLES), default="curator", help="The role (default: curator).")
        parser.add_argument("--email", default="", help="The account's e-mail address.")
        parser.add_argument(
            "--generate-password", action="store_true", help="Generate a random password and print it once."
        )

    def handle(self, *args, username: str, role: str, email: str, generate_password: bool, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(username=username, email=email, is_staff=True)
        password = secrets.token_urlsafe(18) if generate_password else self.ask_password(user)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(
            self.style.SUCCESS(f"Created {role} {username!r}; they can log in at {reverse('admin:index')}.")
        )
        if generate_password:
            self.stdout.write(f"Password (shown once, pass it on privately): {password}")

    def ask_password(self, user) -> str:
        if not self.stdin_is_interactive():
            raise CommandError("No terminal to ask for a password: use --generate-password.")
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No acceptable password given.")

    def stdin_is_interactive(self) -> bool:
        return sys.stdin.isatty()
