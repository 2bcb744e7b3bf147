"""Structured logs (``DJANGO_LOG_FORMAT=json``): every log record as one JSON object per line, and one record
per request.

The request record says what a log collector needs to count and chart traffic: method, path, status, duration,
the client's address and the query string's length. Never headers, cookies, bodies or query values.
"""

import json
import logging
import time
from datetime import UTC, datetime

from config.http import client_ip

logger = logging.getLogger("registry.requests")

# The attributes every LogRecord has; anything else was passed in `extra` and goes into the JSON object as is,
# except the request object that Django attaches to its own records (its repr is the full URL; the rest of it,
# headers and cookies, has no place in a log).
LEFT_OUT = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "request"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC, ISO 8601), level, logger, message, the record's ``extra``
    fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in LEFT_OUT and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # default=str: an `extra` value JSON cannot encode (a date, a path) is written as its text.
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """Log one record per request on ``registry.requests`` (installed when ``DJANGO_LOG_FORMAT=json``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "remote_addr": client_ip(request),
                "query_length": len(request.META.get("QUERY_STRING", "")),
            },
        )
        return response
