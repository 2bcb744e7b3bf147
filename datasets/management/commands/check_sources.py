"""``manage.py check_sources``: whether each source's URL (and archived URL) still answers (datasets.services.links)."""

from django.core.management.base import BaseCommand, CommandError

from datasets.models import Source
from datasets.services.links import check_sources


class Command(BaseCommand):
    help = (
        "Check that each source's URL and archived URL still answer (HEAD, then GET when HEAD is refused), "
        "politely, and keep when and with what status; the desk lists the dead ones. Changes no record."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these sources (default: every published source)")
        parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for an answer (default 10)")
        parser.add_argument("--rate", type=float, default=1, help="requests a second at most (default 1)")

    def handle(self, *args, slugs, timeout, rate, **options):
        if timeout <= 0 or rate <= 0:
            raise CommandError("--timeout and --rate must be more than 0.")
        sources = Source.objects.filter(slug__in=slugs) if slugs else Source.objects.published()
        missing = set(slugs) - set(sources.values_list("slug", flat=True))
        if missing:
            raise CommandError(f"No source has the slug {', '.join(sorted(missing))}.")
        checks = check_sources(sources.order_by("slug"), timeout=timeout, rate=rate)
        dead = [check for check in checks if not check.alive]
        for check in dead:
            self.stdout.write(f"{check.source.slug} {check.which}: {check.outcome} ({check.url})")
        self.stdout.write(f"{len(checks)} address(es) checked, {len(dead)} without a page.")
