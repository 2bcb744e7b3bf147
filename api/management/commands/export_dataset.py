"""manage.py export_dataset [OUT_DIR] [--release-version V]: write a versioned release of the published records."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from api.exports import ReleaseRefused, export_release
from datasets.release_format import CHECKSUMS


class Command(BaseCommand):
    help = (
        "Write a release of the published records into OUT_DIR: per resource a JSON and a CSV file (the API's "
        "field names), records/ (the load format of import_dataset), datapackage.json (Frictionless Data "
        "Package) and SHA256SUMS. The same data always gives byte-identical files. The release is written to a "
        "new directory beside OUT_DIR, then OUT_DIR is switched to it at once (a symbolic link), so that readers "
        "never see half of it; the previous release is kept until the next one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out_dir",
            type=Path,
            nargs="?",
            default=settings.RELEASE_DIR,
            help="Directory to write the release into (created if needed); default: the one /api/v1/dataset/ "
            "serves (DJANGO_RELEASE_DIR, var/release).",
        )
        parser.add_argument(
            "--release-version",
            help="Release version; default: <date of last change>+<content hash>, e.g. 2026.11.28+3f2a9c1b0d4e.",
        )

    def handle(self, *args, out_dir: Path, release_version: str | None, **options):
        try:
            package = export_release(out_dir, version=release_version)
        except ReleaseRefused as error:
            raise CommandError(f"No release written: {error}") from error
        for resource in package["resources"]:
            self.stdout.write(resource["path"])
        self.stdout.write(self.style.SUCCESS(f"Release {package['version']} written to {out_dir} ({CHECKSUMS})."))
