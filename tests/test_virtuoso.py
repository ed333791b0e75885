"""``kg push`` into a real Virtuoso 7.2.5 (Debian's ``virtuoso-opensource``), and the saved queries run there.

Each server is a scratch ``virtuoso-t`` started by :mod:`virtuoso` (its own
database folder and loopback ports) and stopped in its fixture's teardown.

The saved queries are compared with the embedded store's answers. Those that
Virtuoso answers differently are listed in :data:`VIRTUOSO_DIFFERENCES` with
the cause found by reducing each to small probes, and marked
``xfail(strict=True)``: the day a rewrite of the query (or a Virtuoso release)
makes them agree, the test fails and the entry must go.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from virtuoso import listening_sockets, start_virtuoso

from kg.errors import ServerError
from kg.project import Project
from kg.push import GRAPH_STAND_IN, push
from kg.query import bind, compare_results, find_query, run_query
from kg.skolem import unskolemised
from kg.sparql_http import count_answer, request
from kg.store_urls import StoreURLs


def _triples_in_the_build() -> int:
    """Triples of the current build, counted in its N-Triples file (the build's report is checked against it)."""
    from kg.build import ensure_built

    with open(ensure_built().ntriples, "rb") as handle:
        return sum(1 for line in handle if line.strip())


TRIPLES = _triples_in_the_build()

pytestmark = pytest.mark.slow

KG = str(Path(sys.executable).parent / "kg")
SAVED = sorted(p.stem for p in Project.discover().queries.glob("*.rq"))
NAMED = "https://w3id.org/dmkg/graph/test"
STAND_IN_NOTE = (f"Note: Virtuoso has no writable default graph, so the triples went to graph <{GRAPH_STAND_IN}>, "
                 f"which its queries without FROM read with every other graph; add ?default-graph-uri="
                 f"{quote(GRAPH_STAND_IN, safe='')} to the query URL to read only it.")

# The saved queries read closures kg build materialises (kg/closure.py) instead of property paths, so the
# property-path faults of Virtuoso 7.2.5 that made 10 of 19 queries differ no longer apply; EXISTS inside BIND is
# gone where Virtuoso refused it (SQ074) or gave no answer (dm_ild_therapies), and cadm_psoriasis_candidates reads its evidence
# and each side in sub-queries and sums its score with its counts (Virtuoso ran out of its memory pool, then
# gave no answer, on the earlier forms). All 19 agree. A query that differs again is listed here with what
# Virtuoso does (an expected failure, strict: it fails the suite once it agrees again):
VIRTUOSO_DIFFERENCES: dict[str, str] = {}
_RAISES: dict[str, type[Exception]] = {}
#: Differences that are a server limit rather than a wrong answer, and so may pass where Virtuoso has more memory.
_NOT_STRICT: set[str] = set()


def kg_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], check=False, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def count(url: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    body = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}).encode()
    answer = request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": "application/sparql-results+json"})
    return count_answer(answer.text, url)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, built):
    with start_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


def test_virtuoso_listens_only_on_its_two_loopback_ports(virtuoso):
    assert listening_sockets(virtuoso.process.pid) == {("127.0.0.1", virtuoso.sql_port),
                                                       ("127.0.0.1", virtuoso.http_port)}


def test_kg_push_to_the_default_graph_at_the_sparql_url(virtuoso):
    url = virtuoso.sparql_url
    proc = kg_cli("push", "--endpoint", url)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"Sent {TRIPLES:,} triples to graph <{GRAPH_STAND_IN}> at {virtuoso.base_url}"
                               f"/sparql-graph-crud (Graph Store Protocol POST ({-(-TRIPLES // 5000)} requests), then ADD; ")
    assert lines[1:] == [f"Checked with COUNT: graph <{GRAPH_STAND_IN}> now holds {TRIPLES:,} triples (0 before).",
                         STAND_IN_NOTE]
    assert count(url, GRAPH_STAND_IN) == TRIPLES
    assert count(f"{url}?default-graph-uri={quote(GRAPH_STAND_IN, safe='')}") == TRIPLES
    again = kg_cli("push", "--endpoint", url)
    assert again.returncode == 0, again.stderr
    assert f"now holds {TRIPLES:,} triples ({TRIPLES:,} before)" in again.stdout
    assert count(url, GRAPH_STAND_IN) == TRIPLES


def test_kg_push_to_a_named_graph_from_any_virtuoso_url(virtuoso):
    proc = kg_cli("push", "--endpoint", virtuoso.sparql_url, "--graph", NAMED)
    assert proc.returncode == 0, proc.stderr
    assert f"Sent {TRIPLES:,} triples to graph <{NAMED}>" in proc.stdout and "Note:" not in proc.stdout
    assert f"now holds {TRIPLES:,} triples (0 before)" in proc.stdout
    for endpoint in (virtuoso.base_url, f"{virtuoso.base_url}/sparql-graph-crud"):
        again = kg_cli("push", "--endpoint", endpoint, "--graph", NAMED)
        assert again.returncode == 0, again.stderr
        assert f"now holds {TRIPLES:,} triples ({TRIPLES:,} before)" in again.stdout
    replaced = push(virtuoso.base_url + "/", graph=NAMED, replace=True)
    assert replaced.method == f"Graph Store Protocol POST ({-(-TRIPLES // 5000)} requests), then MOVE"
    assert (replaced.triples_before, replaced.triples_in_store) == (TRIPLES, TRIPLES)
    assert count(virtuoso.sparql_url, NAMED) == TRIPLES


def test_kg_push_with_digest_credentials(virtuoso):
    graph = NAMED + "/auth"
    proc = kg_cli("push", "--endpoint", virtuoso.sparql_url, "--graph", graph, "--user", "dba",
                  KG_PUSH_PASSWORD="dba")
    assert proc.returncode == 0, proc.stderr
    assert f"at {virtuoso.base_url}/sparql-graph-crud-auth (Graph Store Protocol POST" in proc.stdout
    assert count(virtuoso.sparql_url, graph) == TRIPLES
    wrong = kg_cli("push", "--endpoint", virtuoso.sparql_url, "--graph", graph, "--user", "dba",
                   KG_PUSH_PASSWORD="not-dba")
    assert wrong.returncode == 1
    assert wrong.stderr == (f"error: the store at {virtuoso.base_url}/sparql-auth needs credentials (HTTP 401: no "
                            f"message); check --user and --password\n")


def test_update_fallback_sends_no_blank_nodes(virtuoso):
    graph = NAMED + "/update"
    urls = StoreURLs(virtuoso.sparql_url, virtuoso.sparql_url, virtuoso.base_url + "/no-graph-store", "virtuoso")
    first = push(virtuoso.sparql_url, graph=graph, urls=urls)
    assert first.method == f"SPARQL Update INSERT DATA ({-(-TRIPLES // 1000)} requests), then ADD"  # 1,000 each
    assert (first.triples_before, first.triples_in_store) == (0, TRIPLES)
    again = push(virtuoso.sparql_url, graph=graph, urls=urls)
    assert (again.triples_before, again.triples_in_store) == (TRIPLES, TRIPLES)


def test_missing_update_grant_is_explained(virtuoso):
    virtuoso.isql('REVOKE SPARQL_UPDATE FROM "SPARQL";')
    try:
        with pytest.raises(ServerError) as caught:
            push(virtuoso.sparql_url, graph=NAMED + "/refused")
    finally:
        virtuoso.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    message = str(caught.value)
    assert message.startswith(f"Virtuoso at {virtuoso.sparql_url} refuses updates (HTTP 500: Virtuoso 42000 Error "
                              f"SR186:SECURITY: No permission to execute procedure DB.DBA.SPARUL_CREATE")
    assert message.endswith("grant them with isql-vt: GRANT SPARQL_UPDATE TO \"SPARQL\"; or give --user with a "
                            f"user that has them; nothing was changed in graph <{NAMED}/refused>")


def test_virtuoso_killed_midway_leaves_the_target_unchanged(tmp_path, built):
    folder = tmp_path / "db"
    graph = NAMED + "/killed"
    with start_virtuoso(folder) as server:
        push(server.sparql_url, graph=graph, source=_three_triples(tmp_path))

        def kill_after_two(target, sent, total):
            if sent == 4000:
                server.kill()

        with pytest.raises(ServerError) as caught:
            push(server.sparql_url, graph=graph, chunk=2000, progress=kill_after_two)
    message = str(caught.value)
    assert f"stopped after 4,000 of {TRIPLES:,} triples; nothing was changed in graph <{graph}>" in message
    temp = message.split("the temporary graph <")[1].split(">")[0]
    with start_virtuoso(folder) as again:  # reopens the database: committed requests survive the kill
        assert count(again.sparql_url, graph) == 3
        assert count(again.sparql_url, temp) == 4000  # visible in Virtuoso's union until dropped, as documented
        request("POST", again.sparql_url, f"DROP SILENT GRAPH <{temp}>".encode(),
                {"Content-Type": "application/sparql-update"})
        assert count(again.sparql_url, temp) == 0


def _three_triples(folder: Path) -> Path:
    path = folder / "three.nt"
    path.write_text("".join(f'<https://w3id.org/dmkg/test/s> <https://w3id.org/dmkg/test/p> "earlier {i}" .\n'
                            for i in range(3)))
    return path


# ---------------------------------------------------------------------------
# The saved queries on Virtuoso
# ---------------------------------------------------------------------------

class _Pushed:
    """A Virtuoso holding the built graph just pushed to its default graph, as a user has it after ``kg push``.

    Virtuoso's answers depend on the state of its database: several queries
    that differ right after the push agree once the server has been restarted
    on the same database. So a query that leaves the server hanging is followed
    by a new server with a new push, never by a restart of the old one.
    """

    def __init__(self, folder: Path):
        self.folder, self.generation = folder, 0
        self.server = self._fresh()

    def _fresh(self):
        self.generation += 1
        server = start_virtuoso(self.folder / str(self.generation))
        push(server.sparql_url)
        return server

    def replace(self) -> None:
        self.server.kill()
        self.server = self._fresh()


@pytest.fixture(scope="module")
def pushed(tmp_path_factory, built):
    handle = _Pushed(tmp_path_factory.mktemp("virtuoso-queries"))
    try:
        yield handle
    finally:
        handle.server.stop()


#: Queries whose answers on Virtuoso changed from one server start to the next before the closures; they have
#: agreed in every run since, but Virtuoso's answers depend on the state of its database, so they stay listed.
UNSTABLE = {"ivig_mechanism", "therapy_evidence", "tnf_inhibitor_dm"}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=name not in _NOT_STRICT, reason=VIRTUOSO_DIFFERENCES[name],
                                               raises=_RAISES.get(name, AssertionError)))
    if name in VIRTUOSO_DIFFERENCES else
    pytest.param(name, marks=pytest.mark.xfail(strict=False, reason="varied between server starts before the "
                                                                    "closures")) if name in UNSTABLE else name
    for name in SAVED])
def test_saved_query_on_virtuoso_answers_like_embedded_store(pushed, graph, name):
    saved = find_query(name)
    local = run_query(saved, graph=graph)
    try:
        remote = run_query(saved, graph=graph, endpoint=pushed.server.sparql_url, timeout=10)
    except ServerError as exc:
        if "timed out" in str(exc) or "no complete answer" in str(exc):
            pushed.replace()
            raise AssertionError(f"{name}: {exc}") from exc
        raise
    difference = compare_results(local, unskolemised(remote), bind(saved, {}, graph))
    assert difference is None, f"{name}: {difference}"


def test_every_listed_difference_names_a_saved_query():
    assert set(VIRTUOSO_DIFFERENCES) <= set(SAVED)
