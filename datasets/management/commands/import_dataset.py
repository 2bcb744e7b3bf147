"""manage.py import_dataset DIR [--dry-run]: load the curated dataset, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datasets.imports import ImportRefused, import_fixtures
from datasets.validation import STRUCTURAL_CHECKS, run_checks


def validate() -> list[str]:
    """What must hold after any import (citations, URLs, dates, links); checked before it commits."""
    return [str(problem) for problem in run_checks(STRUCTURAL_CHECKS)]


class Command(BaseCommand):
    help = (
        "Load a release (checked against its SHA256SUMS) or a directory of fixture files (Django serialization "
        "format, natural keys) into the database in one transaction: the data is loaded, validated, and committed "
        "only if it passes; otherwise nothing changes. Prints created / updated / unchanged counts per model; "
        "importing the same data twice changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A release directory, or a directory of *.json fixtures.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then undo everything.")

    def handle(self, *args, directory: Path, dry_run: bool, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        try:
            report = import_fixtures(directory, dry_run=dry_run, validate=validate)
        except ImportRefused as error:
            raise CommandError(f"Import refused, nothing was changed: {error}") from error
        for line in report.lines():
            self.stdout.write(line)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {report.changed} record(s)" + (" (dry run)" if dry_run else "")))
