"""``kg push``: upload the built graph to a real, writable Oxigraph server and query it there.

Each server starts on an empty temporary store on a free loopback port and is
stopped in its fixture's teardown.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import EndpointError, KGError
from kg.project import Project
from kg.push import chunks, push, store_urls, triple_lines
from kg.query import bind, compare_results, find_query, run_query
from kg.serve import free_port, start_server

pytestmark = pytest.mark.slow

KG = str(Path(sys.executable).parent / "kg")
SAVED = sorted(p.stem for p in Project.discover().queries.glob("*.rq"))
NAMED = "https://w3id.org/dmkg/graph/test"


def kg_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120)


def empty_server(tmp_path_factory, name: str):
    """A writable Oxigraph server on a new, empty store."""
    return start_server(port=free_port(), writable=True, location=tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def store(built, tmp_path_factory):
    """A writable server holding the built graph pushed into its default graph (Graph Store Protocol)."""
    handle = empty_server(tmp_path_factory, "gsp")
    try:
        handle.pushed = push(handle.url)
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def update_store(built, tmp_path_factory):
    """A writable server filled through the SPARQL Update fallback (its graph-store URL made to 404)."""
    handle = empty_server(tmp_path_factory, "update")
    try:
        urls = store_urls(handle.url)
        no_gsp = type(urls)(query=urls.query, update=urls.update, store=handle.base_url + "/no-graph-store")
        handle.pushed = push(handle.url, urls=no_gsp, chunk=500)
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def read_only(built):
    handle = start_server(port=free_port())
    try:
        yield handle
    finally:
        handle.stop()


def test_push_fills_the_default_graph(store, built):
    result = store.pushed
    assert result.method == "Graph Store Protocol POST"
    assert result.triples_before == 0
    assert result.triples_sent == result.triples_in_store == built.report["triples"]


def test_push_into_a_named_graph_and_replace(store, built):
    first = push(store.url, graph=NAMED)
    assert first.triples_in_store == built.report["triples"]
    again = push(store.base_url, graph=NAMED, replace=True)  # the base URL works as well as /query
    assert again.method == "Graph Store Protocol PUT"
    assert again.triples_before == again.triples_in_store == built.report["triples"]


@pytest.mark.parametrize("name", SAVED)
def test_pushed_store_answers_like_embedded_store(store, update_store, graph, name):
    saved = find_query(name)
    local = run_query(saved, graph=graph)
    for server in (store, update_store):
        remote = run_query(saved, graph=graph, endpoint=server.url)
        difference = compare_results(local, remote, bind(saved, {}, graph))
        assert difference is None, f"{name} on {server.pushed.method}: {difference}"


def test_update_fallback_keeps_counts(update_store, built):
    result = update_store.pushed
    assert result.method.startswith("SPARQL Update")
    assert result.triples_in_store == built.report["triples"]


def test_chunks_keep_blank_nodes_together(built):
    lines = triple_lines(built.ntriples)
    parts = chunks(lines, 50)
    assert sorted(line for part in parts for line in part) == sorted(lines)
    owner: dict[bytes, int] = {}
    for i, part in enumerate(parts):
        for line in part:
            for token in line.split():
                if token.startswith(b"_:"):
                    assert owner.setdefault(token, i) == i, f"{token!r} split across chunks"


def test_push_to_read_only_store_fails(read_only):
    with pytest.raises(EndpointError, match="read-only"):
        push(read_only.url)
    proc = kg_cli("push", "--endpoint", read_only.url)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "read-only" in proc.stderr


def test_push_to_unreachable_store_fails():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EndpointError, match="cannot reach the store"):
        push(url)
    proc = kg_cli("push", "--endpoint", url)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: cannot reach the store")


def test_push_rejects_a_bad_graph_iri(store):
    with pytest.raises(KGError, match="absolute IRI"):
        push(store.url, graph="not an iri")


def test_kg_push_cli(built, tmp_path_factory):
    with empty_server(tmp_path_factory, "cli") as server:
        proc = kg_cli("push", "--endpoint", server.url, "--graph", NAMED)
        assert proc.returncode == 0, proc.stderr
        count = f"{built.report['triples']:,}"
        assert f"Sent {count} triples to graph <{NAMED}>" in proc.stdout
        assert f"now holds {count} triples" in proc.stdout


def test_store_urls():
    oxigraph = store_urls("http://127.0.0.1:7878/query")
    assert oxigraph == store_urls("http://127.0.0.1:7878/") == store_urls("http://127.0.0.1:7878/store")
    assert (oxigraph.update, oxigraph.store) == ("http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store")
    other = store_urls("http://example.org/sparql")
    assert other.query == other.update == other.store == "http://example.org/sparql"
    with pytest.raises(KGError):
        store_urls("127.0.0.1:7878")
