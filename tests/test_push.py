"""``kg push`` against real, writable Oxigraph servers, and against small loopback HTTP servers that misbehave.

Each Oxigraph server starts on an empty temporary store on a free loopback
port and is stopped in its fixture's teardown. The misbehaving servers
(``http.server`` on 127.0.0.1) stand for what a real store does when it
breaks: a connection closed in the middle of a push (a proxy in front of a real
Oxigraph), or answers that are not SPARQL JSON, too large, or too slow.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.errors import EndpointError, KGError, ServerError
from kg.project import Project
from kg.push import GraphSource, batches, file_source, nt_lines, push, push_graphs
from kg.query import bind, compare_results, find_query, run_query
from kg.serve import free_port, start_server
from kg.skolem import GENID, unskolemised
from kg.sparql_http import count_answer, request
from kg.store_urls import StoreURLs, store_urls


def _build_counts() -> tuple[int, int, int, int]:
    """Counted in the current build's N-Triples file, independently of kg.push: its triples, the triples whose
    subject is a blank node, its owl:Axiom nodes, and its distinct blank nodes."""
    import re

    from kg.build import ensure_built

    lines = [line for line in ensure_built().ntriples.read_bytes().splitlines() if line.strip()]
    axiom = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Axiom> ."
    bnodes = {m for line in lines for m in re.findall(rb"(?<![\w\"])_:[A-Za-z0-9_.-]+", re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', line))}
    return (len(lines), sum(line.startswith(b"_:") for line in lines), sum(line.endswith(axiom) for line in lines),
            len(bnodes))


TRIPLES, BLANK_SUBJECT_TRIPLES, AXIOMS, BLANK_NODES = _build_counts()

pytestmark = pytest.mark.slow

KG = str(Path(sys.executable).parent / "kg")
SAVED = sorted(p.stem for p in Project.discover().queries.glob("*.rq"))
NAMED = "https://w3id.org/dmkg/graph/test"
PREFIX = b"<https://w3id.org/dmkg/test/s> <https://w3id.org/dmkg/test/p> "
EARLIER = [PREFIX + b'"earlier %d" .' % i for i in range(3)]


def kg_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([KG, *args], check=False, capture_output=True, text=True, timeout=180,
                          env={**os.environ, **env})


def empty_server(tmp_path_factory, name: str):
    """A writable Oxigraph server on a new, empty store."""
    return start_server(port=free_port(), writable=True, location=tmp_path_factory.mktemp(name))


def count(url: str, pattern: str = "?s ?p ?o") -> int:
    """Triples matching ``pattern`` at the query service ``url``."""
    body = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}).encode()
    answer = request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": "application/sparql-results+json"})
    return count_answer(answer.text, url)


def lines_source(lines: list[bytes], graph: str | None = None) -> GraphSource:
    return GraphSource(graph, lambda: [b"\n".join(lines) + b"\n"], len(lines))


def no_graph_store(handle) -> StoreURLs:
    """The server's URLs with its graph store replaced by a path that answers 404 (forces the Update fallback)."""
    return StoreURLs(handle.url, handle.update_url, handle.base_url + "/no-graph-store", "oxigraph")


@pytest.fixture(scope="module")
def store(built, tmp_path_factory):
    """A writable server holding the built graph pushed twice into its default graph (Graph Store Protocol)."""
    handle = empty_server(tmp_path_factory, "gsp")
    try:
        handle.first = push(handle.url)
        handle.pushed = push(handle.url)
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def update_store(built, tmp_path_factory):
    """A writable server filled twice through the SPARQL Update fallback (its graph-store URL made to 404)."""
    handle = empty_server(tmp_path_factory, "update")
    try:
        handle.first = push(handle.url, urls=no_graph_store(handle), chunk=500)
        handle.pushed = push(handle.url, urls=no_graph_store(handle), chunk=500)
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
    first = store.first
    assert first.method == f"Graph Store Protocol POST ({-(-TRIPLES // 5000)} requests), then ADD"
    assert (first.triples_before, first.triples_sent, first.triples_in_store) == (0, TRIPLES, TRIPLES)
    assert built.report["triples"] == TRIPLES
    assert first.rate == pytest.approx(first.triples_sent / first.seconds)
    assert count(store.url, "GRAPH ?g { ?s ?p ?o }") == 0  # no temporary graph left behind


@pytest.mark.parametrize("fixture", ["store", "update_store"])
def test_a_second_push_adds_nothing(fixture, request):
    server = request.getfixturevalue(fixture)
    again = server.pushed
    assert (again.triples_before, again.triples_sent, again.triples_in_store) == (TRIPLES, TRIPLES, TRIPLES)
    assert count(server.url) == TRIPLES
    assert count(server.url, "?s ?p ?o FILTER(isBlank(?s) || isBlank(?o))") == 0
    assert count(server.url, f'?s ?p ?o FILTER(STRSTARTS(STR(?s), "{GENID}"))') == BLANK_SUBJECT_TRIPLES


def test_blank_nodes_travel_as_stable_iris(store, built):
    evidence = count(store.url, "?a a <http://www.w3.org/2002/07/owl#Axiom>")
    assert evidence == AXIOMS  # cited and inferred axioms, each once after two pushes


def test_push_into_a_named_graph_and_replace(store):
    first = push(store.url, graph=NAMED)
    assert (first.triples_before, first.triples_in_store) == (0, TRIPLES)
    again = push(store.base_url, graph=NAMED, replace=True)  # the base URL works as well as /query
    assert again.method == f"Graph Store Protocol POST ({-(-TRIPLES // 5000)} requests), then MOVE"
    assert again.triples_before == again.triples_in_store == TRIPLES
    assert count(store.url, "GRAPH ?g { ?s ?p ?o }") == TRIPLES  # the named graph only, no temporary one


def test_non_replacing_push_keeps_what_was_there(tmp_path_factory, built):
    with empty_server(tmp_path_factory, "add") as server:
        push_graphs(server.url, [lines_source(EARLIER)])
        result = push(server.url)
        assert (result.triples_before, result.triples_in_store) == (3, TRIPLES + 3)
        again = push(server.url)
        assert (again.triples_before, again.triples_in_store) == (TRIPLES + 3, TRIPLES + 3)
        replaced = push(server.url, replace=True)
        assert (replaced.triples_before, replaced.triples_in_store) == (TRIPLES + 3, TRIPLES)


@pytest.mark.parametrize("name", SAVED)
def test_pushed_store_answers_like_embedded_store(store, update_store, graph, name):
    saved = find_query(name)
    local = run_query(saved, graph=graph)
    for server in (store, update_store):
        remote = unskolemised(run_query(saved, graph=graph, endpoint=server.url))
        difference = compare_results(local, remote, bind(saved, {}, graph))
        assert difference is None, f"{name} on {server.pushed.method}: {difference}"


def test_update_fallback_keeps_counts(update_store):
    result = update_store.first
    assert result.method == f"SPARQL Update INSERT DATA ({-(-TRIPLES // 500)} requests), then ADD"  # 500 per request
    assert result.url == update_store.update_url
    assert (result.triples_before, result.triples_in_store) == (0, TRIPLES)


def test_push_to_read_only_store_fails(read_only):
    with pytest.raises(EndpointError, match=r"read-only .*; nothing was changed in the default graph$"):
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


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/sparql", "127.0.0.1:7878", "not a url",
                                 "http://", "http://127.0.0.1:99999/sparql"])
def test_only_http_urls_are_accepted(url):
    with pytest.raises(ServerError, match="is not an http\\(s\\) URL"):
        push(url)
    proc = kg_cli("push", "--endpoint", url)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "is not an http(s) URL" in proc.stderr


def test_push_rejects_a_bad_graph_iri(store):
    with pytest.raises(KGError, match="absolute IRI"):
        push(store.url, graph="not an iri")


def test_kg_push_cli(built, tmp_path_factory):
    with empty_server(tmp_path_factory, "cli") as server:
        proc = kg_cli("push", "--endpoint", server.url, "--graph", NAMED)
        assert proc.returncode == 0, proc.stderr
        assert f"Sent {TRIPLES:,} triples to graph <{NAMED}> at {server.store_url}" in proc.stdout
        assert f"now holds {TRIPLES:,} triples (0 before)" in proc.stdout
        assert re.search(r"; \d+\.\d s, [\d,]+ triples/s\)", proc.stdout)
        proc = kg_cli("push", "--endpoint", server.base_url, "--graph", NAMED, "--format", "json")
        answer = json.loads(proc.stdout)
        assert (answer["triples_before"], answer["triples_in_store"], answer["note"]) == (TRIPLES, TRIPLES, "")


# ---------------------------------------------------------------------------
# A store that dies in the middle of a push
# ---------------------------------------------------------------------------

def test_server_killed_midway_leaves_the_target_unchanged(built, tmp_path):
    location = tmp_path / "store"
    server = start_server(port=free_port(), writable=True, location=location)
    try:
        push_graphs(server.url, [lines_source(EARLIER)])

        def kill_after_five(graph, sent, total):
            if sent == 2500:
                server.process.kill()
                server.process.wait()

        with pytest.raises(ServerError) as caught:
            push(server.url, urls=no_graph_store(server), chunk=500, progress=kill_after_five)
    finally:
        server.stop()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"cannot reach the store at {server.update_url}")
    assert f"stopped after 2,500 of {TRIPLES:,} triples; nothing was changed in the default graph" in message
    temp = re.search(r"the temporary graph <(urn:uuid:[0-9a-f-]+)> is left over", message).group(1)
    with start_server(port=free_port(), writable=True, location=location) as again:
        assert count(again.url) == 3
        assert count(again.url, f"GRAPH <{temp}> {{ ?s ?p ?o }}") == 2500
        request("POST", again.update_url, f"DROP SILENT GRAPH <{temp}>".encode(),
                {"Content-Type": "application/sparql-update"})
        assert count(again.url, "GRAPH ?g { ?s ?p ?o }") == 0


class _Proxy(http.server.BaseHTTPRequestHandler):
    """Forwards to ``upstream``; closes the connection of request number ``cut`` without answering."""

    upstream: str
    cut: int
    seen: list

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.command)
        if len(self.seen) == self.cut:
            self.close_connection = True
            return
        host, port = self.upstream.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = _forward

    def log_message(self, *args) -> None:
        pass


def serve(handler) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_connection_lost_midway_drops_the_temporary_graph(built, tmp_path_factory):
    with empty_server(tmp_path_factory, "proxied") as server:
        push_graphs(server.url, [lines_source(EARLIER)])
        handler = type("Cut", (_Proxy,), {"upstream": f"127.0.0.1:{server.port}", "cut": 10, "seen": []})
        httpd, proxy = serve(handler)
        try:
            urls = StoreURLs(f"{proxy}/query", f"{proxy}/update", f"{proxy}/no-graph-store", "oxigraph")
            with pytest.raises(ServerError) as caught:
                push(proxy, urls=urls, chunk=500)
        finally:
            httpd.shutdown()
        message = str(caught.value)
        # requests: COUNT, CREATE, a Graph Store POST (404), INSERT DATA of 500 triples each: the 10th request
        # (the 7th INSERT) is cut, then DROP goes through
        assert message.startswith(f"cannot reach the store at {proxy}/update: Remote end closed connection")
        assert message.endswith(f"; stopped after 3,000 of {TRIPLES:,} triples; nothing was changed in the default graph")
        assert handler.seen == ["POST"] * 11
        assert count(server.url) == 3
        assert count(server.url, "GRAPH ?g { ?s ?p ?o }") == 0


# ---------------------------------------------------------------------------
# Answers that are not SPARQL JSON, too large or too slow
# ---------------------------------------------------------------------------

BAD_ANSWERS = {
    "{}": ('no "head" object', b"{}"),
    "binding without value": ('the binding of ?n has no type and string value',
                              b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal"}}]}}'),
    "results as a list": ('no "results.bindings" list', b'{"head": {"vars": ["n"]}, "results": []}'),
    "not JSON": ("not JSON ('<html>busy</html>')", b"<html>busy</html>"),
    "no rows": ("answered a COUNT query with 0 rows and no ?n",
                b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}'),
    "not a number": ("answered a COUNT query with 'many', not a count",
                     (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
                      b'"value": "many"}}]}}')),
}


class _Answers(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``body`` (200, JSON content type), or drips/floods per ``mode``."""

    body: bytes = b""
    mode: str = "plain"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            if self.mode == "drip":
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif self.mode == "flood":
                for _ in range(64):
                    self.wfile.write(b" " * (1 << 20))
            else:
                self.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_answers_that_are_not_sparql_json_fail_on_one_line(case, built):
    reason, body = BAD_ANSWERS[case]
    httpd, url = serve(type("Bad", (_Answers,), {"body": body}))
    try:
        with pytest.raises(ServerError) as caught:
            push(f"{url}/ds/sparql")
        assert str(caught.value).endswith(reason) and "\n" not in str(caught.value)
        assert str(caught.value).startswith(f"{url}/ds/sparql ")
        proc = kg_cli("push", "--endpoint", f"{url}/ds/sparql")
        assert proc.returncode == 1
        assert proc.stderr == f"error: {caught.value}\n"
    finally:
        httpd.shutdown()


def test_a_dripping_answer_hits_the_total_deadline(built):
    httpd, url = serve(type("Drip", (_Answers,), {"mode": "drip"}))
    try:
        started = time.monotonic()
        with pytest.raises(ServerError, match=r"^http://127\.0\.0\.1:\d+/ds/sparql sent no complete answer "
                                              r"within 1\.5 s$"):
            push(f"{url}/ds/sparql", timeout=1.5)
        assert time.monotonic() - started < 20  # a per-read timeout alone would wait 30 s per read
    finally:
        httpd.shutdown()


def test_an_oversized_answer_is_not_read_whole(built):
    httpd, url = serve(type("Flood", (_Answers,), {"mode": "flood"}))
    try:
        with pytest.raises(ServerError, match=r"/ds/sparql sent more than 8 MiB in answer; is this a SPARQL"):
            push(f"{url}/ds/sparql")
        # the root URL is probed with a GET whose answer is cut at 64 KiB; the layout guessed is Oxigraph's
        with pytest.raises(ServerError, match=f"^{url}/query sent more than 8 MiB in answer"):
            push(url)
    finally:
        httpd.shutdown()


# ---------------------------------------------------------------------------
# Several graphs, streamed in bounded chunks
# ---------------------------------------------------------------------------

def synthetic(n: int, offset: int = 0):
    """N-Triples for ``n`` triples without blank nodes, generated in pieces (never all in memory)."""
    def chunks():
        for start in range(offset, offset + n, 1000):
            yield b"".join(b"<https://w3id.org/dmkg/test/s%d> <https://w3id.org/dmkg/test/p> \"value %d\" .\n"
                           % (i, i) for i in range(start, min(start + 1000, offset + n)))
    return chunks


def test_push_graphs_streams_several_graphs_in_bounded_chunks(built, tmp_path_factory):
    seen: list[tuple] = []
    sources = [file_source(built.ntriples, "https://w3id.org/dmkg/graph/a"),
               GraphSource("https://w3id.org/dmkg/graph/b", synthetic(40000), 40000),
               GraphSource(None, synthetic(5, offset=99), 5)]
    with empty_server(tmp_path_factory, "many") as server:
        tracemalloc.start()
        try:
            results = push_graphs(server.base_url, sources, chunk=100000, chunk_bytes=256 * 1024,
                                  progress=lambda *args: seen.append(args))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [(r.graph, r.triples_in_store) for r in results] == [
            ("https://w3id.org/dmkg/graph/a", TRIPLES), ("https://w3id.org/dmkg/graph/b", 40000), (None, 5)]
        assert count(server.url, "GRAPH ?g { ?s ?p ?o }") == TRIPLES + 40000
    from kg.skolem import skolem_labels, skolemise

    def sent(source):  # the lines push sends: blank nodes as their stable IRIs
        labels = skolem_labels(nt_lines(source.chunks()))
        return (skolemise(line, labels) for line in nt_lines(source.chunks()))

    batched = [list(batches(sent(s), 100000, 256 * 1024)) for s in sources]
    assert all(sum(len(line) + 1 for line in b) <= 256 * 1024 for parts in batched for b in parts)  # bounded bytes
    requests = [len(parts) for parts in batched]
    size = sum(len(line) + 1 for line in sent(sources[0]))
    longest = max(len(line) for line in sent(sources[0])) + 1
    # greedy packing: no fewer requests than the bytes need, and no more than if each wasted its longest line
    assert requests[1:] == [13, 1] and -(-size // (256 * 1024)) <= requests[0] <= -(-size // (256 * 1024 - longest))
    assert [r.method for r in results] == [f"Graph Store Protocol POST ({n} requests), then ADD" for n in requests]
    assert [s for s in seen if s[0] == "https://w3id.org/dmkg/graph/b"][-1] == ("https://w3id.org/dmkg/graph/b",
                                                                                 40000, 40000)
    assert len(seen) == sum(requests)
    # less than the 3.8 MB of N-Triples of the 40,000-triple graph: what is held is one 256 kB batch and the
    # skolem labels of the built graph's blank nodes (its file is 1.8 MB)
    assert peak < 3 * 1024 * 1024


def test_a_source_that_gives_fewer_triples_than_announced_changes_nothing(tmp_path_factory):
    with empty_server(tmp_path_factory, "short") as server:
        with pytest.raises(KGError, match=r"^the source of the default graph gave 5 triples, not the 6 announced; "
                                          r"stopped after 5 of 6 triples; nothing was changed in the default graph$"):
            push_graphs(server.url, [GraphSource(None, synthetic(5), 6)])
        assert count(server.url) == 0 and count(server.url, "GRAPH ?g { ?s ?p ?o }") == 0


def test_store_urls():
    oxigraph = store_urls("http://127.0.0.1:7878/query")
    assert oxigraph == store_urls("http://127.0.0.1:7878/") == store_urls("http://127.0.0.1:7878/store")
    assert oxigraph == store_urls("http://127.0.0.1:7878/sparql", server="Oxigraph/0.5.13")
    assert (oxigraph.update, oxigraph.store, oxigraph.kind) == ("http://127.0.0.1:7878/update",
                                                               "http://127.0.0.1:7878/store", "oxigraph")
    virtuoso = StoreURLs("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud", "virtuoso")
    assert virtuoso == store_urls("http://h:8890/sparql") == store_urls("http://h:8890/sparql-graph-crud")
    assert virtuoso == store_urls("http://h:8890", server="Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
    assert not virtuoso.default_graph_writable and oxigraph.default_graph_writable
    auth = store_urls("http://h:8890/sparql-graph-crud-auth")
    assert (auth.query, auth.update, auth.store) == ("http://h:8890/sparql-auth", "http://h:8890/sparql-auth",
                                                     "http://h:8890/sparql-graph-crud-auth")
    assert store_urls("http://h:8890/sparql", user="dba") == auth
    fuseki = StoreURLs("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data", "fuseki")
    assert fuseki == store_urls("http://h:3030/ds/sparql") == store_urls("http://h:3030/ds/update/")
    assert store_urls("http://h:3030/ds/query").query == "http://h:3030/ds/query"
    graphdb = StoreURLs("http://h:7200/repositories/kg", "http://h:7200/repositories/kg/statements",
                        "http://h:7200/repositories/kg/rdf-graphs/service", "rdf4j")
    assert graphdb == store_urls("http://h:7200/repositories/kg") == store_urls(
        "http://h:7200/repositories/kg/statements")
    other = store_urls("http://example.org/sparql", server="Apache-Jena-Fuseki/5.1")
    assert other == StoreURLs(*["http://example.org/sparql"] * 3)
    assert store_urls("http://example.org/endpoint/") == StoreURLs(*["http://example.org/endpoint"] * 3)
    with pytest.raises(KGError):
        store_urls("127.0.0.1:7878")

