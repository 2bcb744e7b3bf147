"""The benchmark's scenarios: the same question asked of our API and of Datasette, and a first check of each.

Datasette's side uses its documented interfaces only: the table API (``col__exact=``, ``_sort``, ``_size``,
``_search`` on the table's FTS5 index, ``_labels=on`` to show related rows' labels as our brief nested records
do, ``_nocol=`` to leave out the curators' columns) and, for the join that its table filters cannot express,
a canned query configured in its metadata.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from servers import BenchError, Servers, get

IN_FORCE_ON = "2025-03-01"


GRANTEE_COUNTRY = "CN"


# Columns our API never shows (curators' bookkeeping): left out of Datasette's answers too.
PRIVATE_COLUMNS = ("review_status", "curator_notes", "version", "last_edited_by_id", "revision_of_id")


GRANTS_BY_COUNTRY_SQL = """
select g.id, g.slug, m.slug as model_slug, m.name as model_name, g.model_description,
  e.slug as grantee_slug, e.name as grantee_name, g.grantee_description,
  r.slug as grantor_slug, r.name as grantor_name, g.access_type, g.outcome, g.starts_on, g.ends_on,
  g.date_precision, g.dates_note, g.reported_on, g.claim_status, g.claim_note, g.purpose, g.notes,
  g.confidence, g.created_at, g.updated_at
from datasets_accessgrant g
join datasets_organization e on e.id = g.grantee_id
left join datasets_modelrelease m on m.id = g.model_id and m.review_status = 'published'
left join datasets_organization r on r.id = g.grantor_id and r.review_status = 'published'
where g.review_status = 'published' and e.review_status = 'published' and e.country = :country
order by g.slug
limit 50
"""


GRANTS_BY_COUNTRY_COUNT_SQL = """
select count(*) as count
from datasets_accessgrant g
join datasets_organization e on e.id = g.grantee_id
where g.review_status = 'published' and e.review_status = 'published' and e.country = :country
"""


def datasette_metadata(path: Path) -> Path:
    """Datasette's configuration for this data: label columns (what ``_labels=on`` shows of a related row, as
    our brief nested records do) and the canned query of scenario b, which needs a join."""
    tables = {
        "datasets_organization": {"label_column": "name"},
        "datasets_source": {"label_column": "title"},
        "datasets_chip": {"label_column": "name"},
        "datasets_modelrelease": {"label_column": "name"},
        "datasets_exportcontrol": {"label_column": "title"},
    }
    queries = {
        "access_grants_by_grantee_country": {"sql": GRANTS_BY_COUNTRY_SQL.strip()},
        # Only to check that both sides find the same grants (our pages carry the count, this query does not).
        "access_grants_by_grantee_country_count": {"sql": GRANTS_BY_COUNTRY_COUNT_SQL.strip()},
    }
    path.write_text(json.dumps({"databases": {"registry": {"tables": tables, "queries": queries}}}, indent=2))
    return path


@dataclass
class Scenario:
    """One question: our path, Datasette's equivalent (None: ours only), and what a correct answer is."""

    key: str
    title: str
    ours: str
    theirs: str | None
    headers: dict = field(default_factory=dict)
    expect_status: int = 200
    # A Datasette query that counts the matches, where its answer itself does not say.
    theirs_count: str | None = None
    # Which server of ours answers: "ours" (production settings), or "built" (the same with the answer cache off).
    server: str = "ours"
    # The same question of the floor (bench/floor.py), which gives the same bytes; None: it cannot answer it.
    floor: str | None = None


def table_url(table: str, **params) -> str:
    pairs = [*params.items(), *(("_nocol", column) for column in PRIVATE_COLUMNS)]
    return f"/registry/{table}.json?{urlencode(pairs)}"


SCENARIO_A = "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=50"


# The search word names about 1% of the releases: 11 at `small`, so a page of 10 is full at every scale and the
# growth from `small` to `large` compares the same work (a page of 50 would hold 11 records at `small`, 50 at
# `large`).
SEARCH_PAGE = 10


def scenarios(summary: dict, search_column: str | None, *, built: bool) -> list[Scenario]:
    """The scenarios, in the order they run; g only when a server with the answer cache off runs beside ours."""
    word, slug = summary["search_word"], summary["sample_release"]["slug"]
    organization = summary["sample_organization"]["slug"]
    search = {"_search": word} if search_column is None else {f"{search_column}__contains": word}
    return [
        Scenario(
            "a",
            "filtered, ordered page of 50 model releases",
            "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=50",
            table_url(
                "datasets_modelrelease",
                review_status__exact="published",
                weights__exact="open_weights",
                _sort_desc="released_on",
                _size="50",
                _labels="on",
            ),
            floor=SCENARIO_A,
        ),
        Scenario(
            "f",
            "conditional GET of scenario a, answered 304",
            "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=50",
            None,
            expect_status=304,
        ),
        *(
            [
                Scenario(
                    "g",
                    "scenario a's page built from the database (our server with the answer cache off)",
                    "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=50",
                    None,
                    server="built",
                    floor=SCENARIO_A,
                )
            ]
            if built
            else []
        ),
        Scenario(
            "b",
            f"page of 50 access grants by grantee country ({GRANTEE_COUNTRY})",
            f"/api/v1/access-grants/?grantee_country={GRANTEE_COUNTRY}&limit=50",
            f"/registry/access_grants_by_grantee_country.json?country={GRANTEE_COUNTRY}&_shape=array",
            theirs_count=f"/registry/access_grants_by_grantee_country_count.json?country={GRANTEE_COUNTRY}&_shape=array",
        ),
        Scenario(
            "c",
            "one model release by slug",
            f"/api/v1/model-releases/{quote(slug)}/",
            table_url("datasets_modelrelease", slug__exact=slug, _labels="on"),
            floor=f"/api/v1/model-releases/{quote(slug)}/",
        ),
        Scenario(
            "d",
            f"full-text search for {word!r}, page of {SEARCH_PAGE}",
            f"/api/v1/model-releases/?q={quote(word)}&limit={SEARCH_PAGE}",
            table_url(
                "datasets_modelrelease",
                review_status__exact="published",
                _sort="slug",
                _size=str(SEARCH_PAGE),
                _labels="on",
                **search,
            ),
        ),
        Scenario(
            "e",
            f"page of 50 export controls in force on {IN_FORCE_ON}",
            f"/api/v1/export-controls/?in_force_on={IN_FORCE_ON}&limit=50",
            None,
        ),
        Scenario(
            "h",
            "facet counts: model releases per developer and per weights (a page of 1)",
            "/api/v1/model-releases/?facet=developer&facet=weights&limit=1",
            "/registry/datasets_modelrelease.json?"
            + urlencode(
                [
                    ("review_status__exact", "published"),
                    ("_facet", "developer_id"),
                    ("_facet", "weights"),
                    ("_size", "1"),
                    ("_labels", "on"),
                    *(("_nocol", column) for column in PRIVATE_COLUMNS),
                ]
            ),
        ),
        Scenario(
            "i",
            "one organization's dossier: its models, grants, listings and chips",
            f"/api/v1/organizations/{quote(organization)}/",
            None,
        ),
    ]


def datasette_search_column(port: int, word: str) -> str | None:
    """None when Datasette finds the release table's FTS index (``_search`` works), else the column that
    ``__contains`` searches instead."""
    path = table_url("datasets_modelrelease", _search=word, _size="1")
    status, _, body = get(port, path)
    everything = json.loads(get(port, table_url("datasets_modelrelease", _size="1"))[2])
    if status == 200:
        found = json.loads(body)
        if found.get("filtered_table_rows_count") != everything.get("filtered_table_rows_count"):
            return None
    return "name"


def hits(body: bytes, *, ours: bool) -> int | None:
    """How many records match (lists) or came back (a detail, a query)."""
    data = json.loads(body)
    if ours:
        return data.get("count") if isinstance(data, dict) and "results" in data else 1
    if isinstance(data, list):
        return len(data)
    return data.get("filtered_table_rows_count", len(data.get("rows", [])))


def check_scenario(servers: Servers, scenario: Scenario) -> dict:
    """GET each side once: it must answer as expected (and scenario f gets its ETag from scenario a's page)."""
    checked: dict = {}
    port = servers.port(scenario.server)
    if scenario.expect_status == 304:
        status, headers, _ = get(port, scenario.ours)
        etag = headers.get("ETag") or headers.get("etag")
        if status != 200 or not etag:
            raise BenchError(f"scenario {scenario.key}: {scenario.ours} gave {status} without an ETag")
        scenario.headers = {"If-None-Match": etag}
    status, _, body = get(port, scenario.ours, scenario.headers)
    if status != scenario.expect_status:
        raise BenchError(
            f"scenario {scenario.key}: ours answered {status}, not {scenario.expect_status}:\n{body[:500]}"
        )
    checked["ours_hits"] = hits(body, ours=True) if status == 200 else None
    checked["ours_bytes"] = len(body)
    if scenario.floor:
        # Both asked with the same Host, so that their absolute URLs are the same: the same bytes, or no floor.
        same_host = {**scenario.headers, "Host": "127.0.0.1"}
        _, _, ours_body = get(port, scenario.ours, same_host)
        status, _, floor_body = get(servers.floor_port, scenario.floor, {"Host": "127.0.0.1"})
        if status != 200 or floor_body != ours_body:
            raise BenchError(
                f"scenario {scenario.key}: the floor answered {status} with other bytes than ours "
                f"({len(floor_body)} against {len(ours_body)}): not the same answer"
            )
        checked["floor_bytes"] = len(floor_body)
    if scenario.theirs:
        status, _, body = get(servers.datasette_port, scenario.theirs)
        if status != 200:
            raise BenchError(f"scenario {scenario.key}: Datasette answered {status}:\n{body[:500]}")
        checked["datasette_hits"] = hits(body, ours=False)
        checked["datasette_bytes"] = len(body)
        if scenario.theirs_count:
            status, _, body = get(servers.datasette_port, scenario.theirs_count)
            if status != 200:
                raise BenchError(f"scenario {scenario.key}: Datasette's count answered {status}:\n{body[:500]}")
            checked["datasette_hits"] = json.loads(body)[0]["count"]
        if checked["ours_hits"] != checked["datasette_hits"]:
            # Not fatal (the two searches may read slightly different columns), but the comparison is off.
            print(
                f"bench: scenario {scenario.key}: ours finds {checked['ours_hits']}, "
                f"Datasette {checked['datasette_hits']}: not the same question",
                file=sys.stderr,
                flush=True,
            )
    return checked
