"""Helpers for tests that call the WSGI application itself, not Django's test client."""

import contextlib
import io
import sys

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def environ(path: str, query: str = "", **headers) -> dict:
    """A GET of ``path`` as a WSGI server hands it over; ``headers`` as WSGI names them (``HTTP_ACCEPT=...``)."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **headers,
    }


@contextlib.contextmanager
def connection_kept():
    """As Django's test client does: the test's connection (and its transaction) outlives the request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
