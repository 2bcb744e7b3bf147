"""``manage.py mcp``: the MCP server on stdio, for a local MCP client (``api.mcp``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from api import mcp


class Command(BaseCommand):
    help = "Serve the registry's MCP tools on stdin/stdout, for a local MCP client (read-only, published records)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the records' URLs point (the API that serves them): http://127.0.0.1:8000 by default.",
        )

    def handle(self, *args, base_url, **options):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise CommandError(f"--base-url: an origin such as https://registry.example was expected, not {base_url!r}")
        mcp.STDIO_ORIGIN.update(scheme=parts.scheme, host=parts.netloc)
        # The tools' requests are to that host: this process serves it (and nothing else).
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, parts.hostname]
        mcp.server.run("stdio")
