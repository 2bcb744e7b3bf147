"""WSGI entry point (gunicorn config.wsgi): Django, and beside it the MCP server at /mcp/ (``api.mcp``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/mcp" or path.startswith("/mcp/"):
        from api.mcp import serve_http  # after Django's set-up; the MCP app starts on the first request

        return serve_http(environ, start_response)
    return django_application(environ, start_response)
