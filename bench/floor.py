"""The floor: the least a Python web process can do to answer two of the benchmark's questions from the same file.

A WSGI application on the standard library's sqlite3 and orjson, no framework, that answers scenario c (one model
release by slug, with its dossier) and scenario a (a filtered, ordered page of 50 model releases) with the same
JSON bytes as our API (tests/test_bench_generate.py compares them on generated data). bench/run.py serves it with
gunicorn, as ours, and reports ours/floor beside ours/Datasette: the distance to what this machine can do for the
same answer. It knows nothing else: no other route, filter or format, no validation, no cache, no ETag.

    gunicorn --chdir bench floor:application      # FLOOR_DATABASE=path/to/registry.sqlite3
"""

import os
import sqlite3
import threading
from urllib.parse import parse_qsl, urlencode

import orjson

DATABASE = os.environ.get("FLOOR_DATABASE", "registry.sqlite3")
PREFIX = "/api/v1/model-releases/"

# A record's own columns, in the API's order (the nested ones and the URL are put in between in Python).
RELEASE_COLUMNS = [
    *("slug", "name", "family", "announced_on", "released_on", "date_precision", "parameters_total"),
    *("parameters_active", "parameters_note", "architecture", "architecture_note", "context_length", "weights"),
    *("license", "training_compute_note", "training_data_note", "huggingface_repo", "arxiv_id", "notes"),
]
TAIL_COLUMNS = ("confidence", "status_checked_on", "created_at", "updated_at")

NESTED = """
  (SELECT json_object('slug', o.slug, 'name', o.name) FROM datasets_organization o
     WHERE o.id = r.developer_id AND o.review_status = 'published') AS developer,
  (SELECT json_group_array(json_object('slug', c.slug, 'name', c.name))
     FROM datasets_modelrelease_training_chips t JOIN datasets_chip c ON c.id = t.chip_id
     WHERE t.modelrelease_id = r.id AND c.review_status = 'published') AS training_chips,
  (SELECT json_group_array(json_object('source', s.slug, 'title', s.title, 'publisher', s.publisher, 'url', s.url,
       'published_on', s.published_on, 'date_precision', s.date_precision, 'locator', m.locator, 'quote', m.quote))
     FROM datasets_modelreleasecitation m JOIN datasets_source s ON s.id = m.source_id
     WHERE m.record_id = r.id AND s.review_status = 'published') AS citations
"""

DOSSIER = """
  (SELECT json_group_array(json_object('slug', g.slug,
       'model', (SELECT x.slug FROM datasets_modelrelease x
                 WHERE x.id = g.model_id AND x.review_status = 'published'),
       'grantee', (SELECT x.slug FROM datasets_organization x
                   WHERE x.id = g.grantee_id AND x.review_status = 'published'),
       'grantor', (SELECT x.slug FROM datasets_organization x
                   WHERE x.id = g.grantor_id AND x.review_status = 'published'),
       'access_type', g.access_type, 'outcome', g.outcome, 'claim_status', g.claim_status,
       'starts_on', g.starts_on, 'ends_on', g.ends_on))
     FROM datasets_accessgrant g WHERE g.model_id = r.id AND g.review_status = 'published') AS access_grants,
  (SELECT json_group_array(json_object('slug', e.slug, 'title', e.title, 'instrument', e.instrument,
       'jurisdiction', e.jurisdiction, 'effective_on', e.effective_on, 'ends_on', e.ends_on,
       'end_reason', e.end_reason))
     FROM datasets_exportcontrol e WHERE e.review_status = 'published' AND e.id IN (
       SELECT k.exportcontrol_id FROM datasets_exportcontrol_covered_chips k
       JOIN datasets_chip c ON c.id = k.chip_id AND c.review_status = 'published'
       JOIN datasets_modelrelease_training_chips t ON t.chip_id = c.id WHERE t.modelrelease_id = r.id))
     AS controls_on_training_chips
"""

COLUMNS = ", ".join(f"r.{name}" for name in (*RELEASE_COLUMNS, *TAIL_COLUMNS))
RECORD_SQL = f"""SELECT {COLUMNS}, {NESTED}, {DOSSIER} FROM datasets_modelrelease r
WHERE r.slug = ? AND r.review_status = 'published'"""  # noqa: S608
PAGE_SQL = f"""SELECT {COLUMNS}, {NESTED} FROM datasets_modelrelease r WHERE r.id IN (
  SELECT id FROM datasets_modelrelease WHERE review_status = 'published' AND weights = ?
  ORDER BY released_on DESC NULLS LAST, slug LIMIT ? OFFSET ?)
ORDER BY r.released_on DESC NULLS LAST, r.slug"""  # noqa: S608
COUNT_SQL = "SELECT count(*) FROM datasets_modelrelease WHERE review_status = 'published' AND weights = ?"

_local = threading.local()


def database() -> sqlite3.Connection:
    """One read-only connection per thread, kept (as ours keeps its own)."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True)
    return connection


def brief(items: str, origin: str, route: str, key: str = "slug") -> list[dict]:
    """A JSON array of related records, sorted by ``key``, each with its URL after its label."""
    records = sorted(orjson.loads(items), key=lambda item: item[key])
    out = []
    for item in records:
        fields = list(item.items())
        fields.insert(2, ("url", f"{origin}/api/v1/{route}/{item['slug']}/"))
        out.append(dict(fields))
    return out


def stamp(value: str | None) -> str | None:
    """A datetime column as DRF writes it: ISO 8601, in UTC, with a Z."""
    return None if value is None else value.replace(" ", "T") + "Z"


def release(row: tuple, origin: str, dossier: bool) -> dict:
    """One model release as the API shows it."""
    own = len(RELEASE_COLUMNS)
    record = dict(zip(RELEASE_COLUMNS, row[:own], strict=True))
    record = {"slug": record["slug"], "url": f"{origin}{PREFIX}{record['slug']}/", **record}
    confidence, checked, created, updated = row[own : own + 4]
    developer, chips, citations = row[own + 4 : own + 7]
    record["developer"] = brief(f"[{developer}]", origin, "organizations")[0] if developer else None
    record["training_chips"] = brief(chips, origin, "chips")
    record["citations"] = sorted(orjson.loads(citations), key=lambda item: (item["source"], item["locator"]))
    record.update(confidence=confidence, status_checked_on=checked)
    record.update(created_at=stamp(created), updated_at=stamp(updated))
    if dossier:
        grants, controls = row[own + 7 : own + 9]
        record["access_grants"] = [
            {"slug": grant["slug"], "url": f"{origin}/api/v1/access-grants/{grant['slug']}/", **grant}
            for grant in sorted(orjson.loads(grants), key=lambda item: item["slug"])
        ]
        record["controls_on_training_chips"] = brief(controls, origin, "export-controls")
    return record


def page(query: dict, origin: str) -> dict:
    """Scenario a's question: open-weights releases, newest first, by ``limit`` and ``offset``."""
    weights, limit, offset = query["weights"], int(query.get("limit", 50)), int(query.get("offset", 0))
    connection = database()
    count = connection.execute(COUNT_SQL, (weights,)).fetchone()[0]
    rows = connection.execute(PAGE_SQL, (weights, limit, offset)).fetchall()

    def link(at: int) -> str:
        pairs = sorted({**query, "limit": str(limit), "offset": str(at)}.items())
        if at == 0:
            pairs = [pair for pair in pairs if pair[0] != "offset"]
        return f"{origin}{PREFIX}?{urlencode(pairs)}"

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": (link(max(offset - limit, 0)) if offset > 0 else None),
        "results": [release(row, origin, dossier=False) for row in rows],
        "withdrawn": [],
        "status_unverified": [],
        "facets": {},
    }


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    origin = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', 'localhost')}"
    body = None
    if path == PREFIX:
        body = orjson.dumps(page(dict(parse_qsl(environ.get("QUERY_STRING", ""))), origin))
    elif path.startswith(PREFIX) and path.endswith("/") and path.count("/") == 5:
        row = database().execute(RECORD_SQL, (path[len(PREFIX) : -1],)).fetchone()
        if row is not None:
            body = orjson.dumps(release(row, origin, dossier=True))
    if body is None:
        start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
