"""manage.py validate_dataset [--fixtures DIR]: check the curated dataset beyond what the database enforces."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from datasets.models import CITATION_MODELS, AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source
from datasets.validation import run_checks

# Deletion order for clearing the registry inside the rolled-back transaction (protected references last).
CLEAR_ORDER = (*CITATION_MODELS, AccessGrant, ExportControl, ModelRelease, Chip, Source, Organization)


class Command(BaseCommand):
    help = (
        "Check the dataset for what database constraints cannot: every field clean, citations, source URLs, date "
        "order, cycles between measures, grant and model dates, and a published record's required relations "
        "published. Prints one line per problem with the record's slug and exits non-zero if there is any. With "
        "--fixtures DIR, checks the fixture files alone: they are loaded into an emptied registry inside a "
        "transaction that is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            type=Path,
            metavar="DIR",
            help="Validate the *.json fixture files in DIR instead of the current database.",
        )

    def handle(self, *args, fixtures: Path | None, **options):
        if fixtures is None:
            problems = run_checks()
            scope = "the database"
        else:
            problems = self.check_fixtures(fixtures)
            scope = str(fixtures)
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {scope}")
        self.stdout.write(self.style.SUCCESS(f"No problems found in {scope}."))

    def check_fixtures(self, directory: Path):
        files = sorted(directory.glob("*.json"))
        if not files:
            raise CommandError(f"no *.json fixture files in {directory}")
        with transaction.atomic():
            # The registry is emptied first so that only the fixtures are checked; the rollback restores it.
            for model in CLEAR_ORDER:
                if model is Chip:
                    Chip.objects.update(china_variant_of=None)
                model.objects.all().delete()
            try:
                call_command("loaddata", *map(str, files), verbosity=0)
            except Exception as error:
                raise CommandError(f"the fixtures do not load: {error}") from error
            problems = run_checks()
            transaction.set_rollback(True)
        return problems
