"""``kg serve``: a real Oxigraph SPARQL endpoint answers every saved query as the embedded store does.

Every server here is real (no mocks), listens on a free loopback port found at
run time, and is stopped in its fixture's teardown even when a test fails.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import EndpointError, KGError, QueryError
from kg.project import Project
from kg.query import bind, compare_results, find_query, run_query
from kg.serve import free_port, start_server

pytestmark = pytest.mark.slow

KG = str(Path(sys.executable).parent / "kg")
SAVED = sorted(p.stem for p in Project.discover().queries.glob("*.rq"))
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # 10^8 rows: cancelled by a 1 s timeout


def kg_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed ``kg`` command line."""
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture(scope="module")
def server(built):
    """The built graph served read-only on a free port, for the whole module."""
    handle = start_server(port=free_port(), timeout=30)
    try:
        yield handle
    finally:
        handle.stop()
    assert not handle.running()


@pytest.fixture
def rq(tmp_path):
    """Write a query text to a .rq file and return its path."""
    def write(text: str, name: str = "adhoc") -> str:
        path = tmp_path / f"{name}.rq"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_saved_queries_found():
    assert SAVED, "queries/ holds no .rq file"


@pytest.mark.parametrize("name", SAVED)
def test_endpoint_answers_like_embedded_store(server, graph, name):
    saved = find_query(name)
    local = run_query(saved, graph=graph)
    remote = run_query(saved, graph=graph, endpoint=server.url)
    difference = compare_results(local, remote, bind(saved, {}, graph))
    assert difference is None, f"{name}: {difference}"


def test_endpoint_holds_every_triple(server, built, rq):
    result = run_query(rq("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "count"), endpoint=server.url)
    assert int(result.rows[0][0]) == built.report["triples"]


def test_update_on_read_only_endpoint_is_refused(server, rq):
    path = rq("PREFIX kg: <https://w3id.org/dmkg/>\n# adds a triple\nINSERT DATA { kg:a kg:b kg:c }\n", "add")
    with pytest.raises(EndpointError, match="the endpoint is read-only"):
        run_query(path, endpoint=server.url)
    assert_one_line_error(kg_cli("query", path, "--endpoint", server.url), "the endpoint is read-only")


def test_update_on_embedded_graph_is_refused(rq):
    with pytest.raises(QueryError, match="SPARQL Update"):
        run_query(rq("CLEAR DEFAULT", "clear"))


def test_syntax_error_from_server_has_position(server, rq):
    path = rq("PREFIX kg: <https://w3id.org/dmkg/>\nSELECT * WHERE { ?s ?p ?o FILTER(?o = ) }\n", "broken")
    with pytest.raises(QueryError, match=r"SPARQL syntax error at line \d+, column \d+"):
        run_query(path, endpoint=server.url)
    assert_one_line_error(kg_cli("query", path, "--endpoint", server.url), "SPARQL syntax error at line ")


def test_second_server_on_same_port_fails(server):
    with pytest.raises(EndpointError, match=f"port {server.port} .* already in use"):
        start_server(port=server.port)
    # without the early check, the server dying at start is detected too
    with pytest.raises(EndpointError, match=f"port {server.port} .* already in use"):
        start_server(port=server.port, check_port=False)
    assert_one_line_error(kg_cli("serve", "--port", str(server.port)), "already in use")


def test_unreachable_endpoint(rq):
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError, match="cannot reach SPARQL endpoint"):
        run_query(SAVED[0], endpoint=url)
    assert_one_line_error(kg_cli("query", SAVED[0], "--endpoint", url), "cannot reach SPARQL endpoint")


def test_soft_timeout_reads_as_timed_out(built, rq):
    path = rq(SLOW_QUERY, "slow")
    with start_server(port=free_port(), timeout=1) as quick:
        with pytest.raises(EndpointError, match="query timed out \\(the server cancelled it"):
            run_query(path, endpoint=quick.url, timeout=120)


def test_non_loopback_host_needs_public():
    with pytest.raises(KGError, match="--public"):
        start_server(host="0.0.0.0", port=free_port())
    assert_one_line_error(kg_cli("serve", "--host", "0.0.0.0", "--port", str(free_port())), "--public")


def test_writable_server_accepts_updates_on_a_scratch_copy(built, rq):
    path = rq("PREFIX kg: <https://w3id.org/dmkg/>\nINSERT DATA { kg:a kg:b kg:c }\n", "add")
    count = rq("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "count")
    with start_server(port=free_port(), writable=True) as scratch:
        run_query(path, endpoint=scratch.url)
        assert int(run_query(count, endpoint=scratch.url).rows[0][0]) == built.report["triples"] + 1
        location = scratch.location
    assert not location.exists()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find the server process")
def test_kg_serve_runs_until_ctrl_c(built):
    port = free_port()
    proc = subprocess.Popen([KG, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}/query" in text, text + proc.stderr.read()
        assert "curl" in text
        children = _children(proc.pid)
        assert children, "kg serve started no server process"
        result = run_query(SAVED[0], endpoint=f"http://127.0.0.1:{port}/query")
        assert result.variables
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        for child in children:  # kg serve stopped and reaped its server
            assert not Path(f"/proc/{child}").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            stream.close()


# ---------------------------------------------------------------------------
# The endpoint fetches nothing on a client's behalf (issue 16, item 4)
# ---------------------------------------------------------------------------

@pytest.fixture
def internal():
    """A real HTTP service on loopback standing for an internal one; counts the requests it gets."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self):
            hits.append(self.path)
            data = b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", "value": "secret"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    service = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=service.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{service.server_address[1]}/internal", hits
    finally:
        service.shutdown()
        service.server_close()


def _send(url: str, data: bytes | None = None, content_type: str = "") -> tuple[int, str]:
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    headers = {"Accept": "application/sparql-results+json", **({"Content-Type": content_type} if content_type else {})}
    try:
        with urlopen(Request(url, data=data, headers=headers), timeout=30) as response:
            return response.status, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_endpoint_refuses_service_in_every_protocol_form_and_fetches_nothing(server, internal):
    from urllib.parse import quote, urlencode

    target, hits = internal
    query = f"SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    answers = [
        _send(f"{server.url}?query={quote(query)}"),
        _send(server.url, urlencode({"query": query}).encode(), "application/x-www-form-urlencoded"),
        _send(server.url, query.lower().encode(), "application/sparql-query"),
    ]
    for status, text in answers:
        assert status == 403 and "refuses SERVICE" in text and "--allow-service" in text, (status, text)
    assert hits == []
    # the word inside a literal is no call: the query is answered
    literal = 'ASK { ?s ?p "SERVICE <http://x/>" }'
    status, text = _send(f"{server.url}?query={quote(literal)}")
    assert status == 200 and '"boolean"' in text


def test_writable_endpoint_refuses_load_and_allow_service_lets_federation_through(built, internal):
    from urllib.parse import quote

    target, hits = internal
    with start_server(port=free_port(), writable=True) as scratch:
        status, text = _send(scratch.update_url, f"LOAD <{target}/data.nt>".encode(), "application/sparql-update")
        assert status == 403 and "refuses LOAD" in text
    assert hits == []
    query = f"SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    with start_server(port=free_port(), allow_service=True) as federating:
        status, text = _send(f"{federating.url}?query={quote(query)}")
    assert status == 200 and "secret" in text and len(hits) == 1  # the refusal, not the network, stopped it above
