"""WSGI entry point (gunicorn config.wsgi): Django, and beside it the MCP server at /mcp/ (``api.mcp``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# As django.core.wsgi.get_wsgi_application(), with the handler that resolves a route once (config.http).
django.setup(set_prefix=False)

from config.http import WSGIHandler  # noqa: E402 - after the set-up, as Django's own handler

django_application = WSGIHandler()


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/mcp" or path.startswith("/mcp/"):
        from api.mcp import serve_http  # after Django's set-up; the MCP app starts on the first request

        return serve_http(environ, start_response)
    return django_application(environ, start_response)
