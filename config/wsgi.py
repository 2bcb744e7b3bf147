"""WSGI entry point (gunicorn config.wsgi): Django, and beside it the MCP server at /mcp/ (``api.mcp``)."""

import gc
import itertools
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# As django.core.wsgi.get_wsgi_application(), with the handler that resolves a route once (config.http).
django.setup(set_prefix=False)

from django.core.signals import request_finished  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from config.http import WSGIHandler  # noqa: E402 - after the set-up, as Django's own handler

django_application = WSGIHandler()


class Collector:
    """Memory kept flat: a request leaves objects in reference cycles (request, view, response) that only a
    collection of the oldest generation frees, which Python runs rarely in a process that holds the hundreds of
    thousands of objects Django and the apps made at start-up; until then they and the free lists hold memory
    (one worker grew from 77 to 101 MB over a few thousand pages of 50 records). Those start-up objects are
    frozen (never garbage: no collection looks at them), which makes a full collection about a millisecond; one
    runs every ``EVERY`` requests, when each has finished."""

    EVERY = 100

    def __init__(self):
        self.finished = itertools.count(1)

    def __call__(self, **kwargs):
        if next(self.finished) % self.EVERY == 0:
            gc.collect()


get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views now, to be frozen with the rest
gc.freeze()
collector = Collector()
request_finished.connect(collector, dispatch_uid="config.wsgi.collector")


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/mcp" or path.startswith("/mcp/"):
        from api.mcp import serve_http  # after Django's set-up; the MCP app starts on the first request

        return serve_http(environ, start_response)
    return django_application(environ, start_response)
