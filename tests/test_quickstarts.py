"""The README's DuckDB and pandas quickstarts run as shown, on the curated dataset and its release: each line
of the shell block (the downloads, then the DuckDB queries, run by DuckDB's Python API as the CLI would run
them) and the whole Python block, against a live server."""

import json
import re
import shlex
import urllib.request
from io import StringIO

import duckdb
import pytest
from django.conf import settings
from django.core.management import call_command

README = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
SECTION = README.split("### In DuckDB and pandas", 1)[1].split("\n## ", 1)[0]
SHELL = re.search(r"```sh\n(.*?)```", SECTION, re.DOTALL)[1]
PYTHON = re.search(r"```python\n(.*?)```", SECTION, re.DOTALL)[1]
SERVED = "http://127.0.0.1:8000"

# The live server reads the database from another thread: the records must be committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def released(settings, tmp_path):
    """The curated dataset, loaded as `make serve` loads it, and its release written where the API serves it."""
    call_command("import_dataset", str(settings.BASE_DIR / "fixtures"), stdout=StringIO())
    settings.RELEASE_DIR = tmp_path / "release"
    call_command("export_dataset", str(settings.RELEASE_DIR), stdout=StringIO())


def test_the_duckdb_quickstart_runs_line_by_line(released, client, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    queries = 0
    for line in SHELL.splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].startswith("API="):
            continue
        if words[0] == "curl":
            url = next(word for word in words if word.startswith("$API")).replace("$API", "/api/v1")
            name = words[words.index("-o") + 1] if "-o" in words else url.rpartition("/")[2]
            response = client.get(url)
            assert response.status_code == 200, url
            content = b"".join(response.streaming_content) if response.streaming else response.content
            (work / name).write_bytes(content)
            continue
        assert words[:2] == ["duckdb", "-c"], line
        database = duckdb.connect()
        database.execute("SET file_search_path = ?", [str(work)])
        rows = database.execute(words[2]).fetchall()
        assert rows, words[2]  # every query answers something on the curated dataset
        queries += 1
    assert queries == 2


def test_the_duckdb_quickstart_reads_typed_columns(released, client, tmp_path):
    parquet = tmp_path / "model-releases.parquet"
    parquet.write_bytes(b"".join(client.get("/api/v1/dataset/files/model-releases.parquet").streaming_content))
    result = duckdb.execute(
        "SELECT released_on, developer.name AS developer FROM read_parquet(?) LIMIT 1", [str(parquet)]
    )
    assert [column[1] for column in result.description] == ["DATE", "VARCHAR"]


def test_the_pandas_quickstart_runs_against_a_live_server(released, live_server, capsys):
    code = PYTHON.replace(SERVED, live_server.url)
    assert code != PYTHON  # the block talks to `make serve`'s address, which the test swaps for the live server
    namespace = {}
    exec(compile(code, "README.md (pandas quickstart)", "exec"), namespace)  # noqa: S102 - the README's own code
    releases, controls, grants = namespace["releases"], namespace["controls"], namespace["grants"]
    types = {name: str(kind) for name, kind in releases.dtypes.items()}
    assert types["released_on"] == "date32[day][pyarrow]"
    assert types["parameters_total"] == "int64[pyarrow]"
    assert types["created_at"] == "timestamp[us, tz=UTC][pyarrow]"
    assert types["developer"].startswith("struct<slug: string")
    assert len(releases) == client_count(live_server, "/api/v1/model-releases/")
    assert len(controls) == client_count(live_server, "/api/v1/export-controls/")
    assert len(controls) > 50  # more than one page: the live export is every record
    assert len(grants) == client_count(live_server, "/api/v1/access-grants/?outcome=withheld") > 0
    assert len(namespace["chinese_open"]) > 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(len(releases)), str(len(namespace["chinese_open"])), str(len(controls)), str(len(grants))]


def client_count(live_server, path: str) -> int:
    """A list's count, as the live server's JSON page says."""
    with urllib.request.urlopen(live_server.url + path) as answer:  # noqa: S310 - the test's own server
        return json.load(answer)["count"]
