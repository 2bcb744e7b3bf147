"""manage.py build_fixtures: turn the shared fact sheets into the curated dataset's fixture files.

Reads ``facts.yaml`` and ``chips.yaml`` and writes one JSON file per model (Django serialization format,
natural keys, records sorted by slug, indent 2) into ``fixtures/``, named so that they sort in load order.
The same sheets always give byte-identical files. The mapping decisions (slugs, sizes, context lengths as
K = 1,000 tokens, review status, links between records) are documented in ``datasets/factsheets/build.py``
and ``datasets/factsheets/tables.py``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from datasets.factsheets.build import FIXTURE_FILES, SheetError, build_from_directory


class Command(BaseCommand):
    help = "Build the fixture files in fixtures/ from the fact sheets (facts.yaml, chips.yaml)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=settings.BASE_DIR.parent / "shared" / "data",
            help="Directory holding facts.yaml and chips.yaml (default: <BASE_DIR>/../shared/data).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "fixtures",
            help="Directory the fixture files are written to (default: <BASE_DIR>/fixtures).",
        )

    def handle(self, *args, data_dir: Path, output: Path, **options):
        for name in ("facts.yaml", "chips.yaml"):
            if not (data_dir / name).is_file():
                raise CommandError(f"{data_dir / name} not found")
        try:
            build = build_from_directory(data_dir)
        except SheetError as error:
            raise CommandError(f"The fact sheets cannot be mapped faithfully, nothing was written:\n{error}") from error
        for warning in build.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        output.mkdir(parents=True, exist_ok=True)
        texts = build.render()
        for name, _model in FIXTURE_FILES:
            (output / name).write_text(texts[name], encoding="utf-8")
            self.stdout.write(f"{name}: {len(build.files[name])} object(s)")
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(FIXTURE_FILES)} fixture files to {output}"))
