"""Bounds on queries: a time limit and a row cap on the embedded store, Ctrl-C that stops it, and an endpoint
client with a total deadline that checks every answer against the SPARQL 1.1 JSON results format.

The embedded cases run a real Cartesian product over the built graph (~15,000
triples, so 10^12 solutions or more). The endpoint cases use tiny
``http.server`` servers on 127.0.0.1 that answer each request with one bad (or
good) body, or drip a byte every 50 ms; each is started and shut down by its test.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.errors import QueryError, QueryTimeout, ServerError
from kg.query import run_query

KG = str(Path(sys.executable).parent / "kg")
CARTESIAN = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # evaluated whole inside pyoxigraph
HINT = "allow more with --timeout SECONDS, or ask for less (a LIMIT in the query, --limit N)"
CAP_HINT = "add a LIMIT to the query, print fewer with --limit N, or raise the cap with --max-rows N"
#: The embedded stores: Oxigraph (the default) in the fast loop, rdflib's memory store in the full suite.
STORES = [None, pytest.param("memory", marks=pytest.mark.slow)]


@pytest.fixture
def rq(tmp_path):
    """Write a query text to ``NAME.rq`` and return its path."""
    def write(text: str, name: str) -> str:
        path = tmp_path / f"{name}.rq"
        path.write_text(text + "\n", encoding="utf-8")
        return str(path)

    return write


def kg_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The single ``error: ...`` line of a failed command (exit 1, nothing else on stderr or stdout)."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert proc.stdout == ""
    return lines[0][len("error: "):]


# ---------------------------------------------------------------------------
# Embedded store: time limit
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("text", [CARTESIAN, CARTESIAN_COUNT], ids=["streamed", "aggregate"])
def test_a_cartesian_query_stops_at_its_time_limit(built, rq, store, text):
    path = rq(text, "cartesian")
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        run_query(path, store=store, timeout=1.5, max_rows=10**12)
    assert str(caught.value) == f"cartesian: stopped after 1.5 s, the time limit; {HINT}"
    assert caught.value.code == "query.timeout"
    assert time.monotonic() - started < 60  # loading the memory copy included; without a limit it never ends


@pytest.mark.slow  # waits for the time limit in a kg process
def test_the_command_line_stops_at_its_time_limit_on_one_line(built, rq):
    path = rq(CARTESIAN_COUNT, "cartesian")
    assert one_line_error(kg_cli("query", path, "--timeout", "1")) == f"cartesian: stopped after 1 s, the time limit; {HINT}"


def test_a_bad_time_limit_is_refused(built, rq):
    path = rq("ASK { ?s ?p ?o }", "ask")
    for endpoint in (None, "http://127.0.0.1:9/query"):  # refused before anything is sent
        with pytest.raises(QueryError, match=r"^ask: the time limit must be more than 0 s \(--timeout\)$"):
            run_query(path, timeout=0, endpoint=endpoint)
        with pytest.raises(QueryError, match=r"^ask: the row cap must be at least 1 \(--max-rows\)$"):
            run_query(path, max_rows=0, endpoint=endpoint)
    proc = kg_cli("query", path, "--timeout", "0")
    assert proc.returncode == 2 and "Invalid value for '--timeout'" in proc.stderr


def test_a_quick_query_is_not_touched_by_the_bounds(built):
    unbounded = run_query("autoantibodies", graph="curated", timeout=None, max_rows=None).rows
    assert unbounded  # the query answers something, so the cap below is tested at its edge
    assert run_query("autoantibodies", graph="curated", timeout=30, max_rows=len(unbounded)).rows == unbounded
    with pytest.raises(QueryError, match=f"^autoantibodies: more than {len(unbounded) - 1:,} rows; "):
        run_query("autoantibodies", graph="curated", max_rows=len(unbounded) - 1)


# ---------------------------------------------------------------------------
# Embedded store: row cap
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("store", STORES)
def test_more_rows_than_the_cap_is_an_error_not_a_truncation(built, rq, store):
    path = rq(CARTESIAN, "cartesian")
    with pytest.raises(QueryError) as caught:
        run_query(path, store=store, max_rows=1000)
    assert str(caught.value) == f"cartesian: more than 1,000 rows; {CAP_HINT}"
    assert not isinstance(caught.value, QueryTimeout)
    with pytest.raises(QueryError, match="^cartesian: more than 1,000 rows; "):  # a --limit above the cap
        run_query(path, store=store, max_rows=1000, limit=1001)


@pytest.mark.parametrize("store", STORES)
def test_a_limit_within_the_cap_reads_only_that_many_rows(built, rq, store):
    path = rq(CARTESIAN, "cartesian")
    result = run_query(path, store=store, max_rows=1000, limit=1000)
    assert len(result.rows) == 1000 and len(result.variables) == 9
    assert run_query(path, store=store, limit=0).rows == []


@pytest.mark.slow  # reads past the row cap in kg processes
def test_the_command_line_reports_the_cap_on_one_line(built, rq):
    path = rq(CARTESIAN, "cartesian")
    assert one_line_error(kg_cli("query", path, "--max-rows", "50")) == f"cartesian: more than 50 rows; {CAP_HINT}"
    proc = kg_cli("query", path, "--max-rows", "50", "--limit", "3", "--format", "csv", "--no-labels")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 4  # the header and 3 rows


# ---------------------------------------------------------------------------
# Embedded store: Ctrl-C
# ---------------------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")
@pytest.mark.parametrize("text", [CARTESIAN, CARTESIAN_COUNT], ids=["streamed", "aggregate"])
@pytest.mark.slow  # waits for a kg process to be under way, then interrupts it
def test_ctrl_c_stops_the_embedded_store_at_once(built, rq, text):
    path = rq(text, "cartesian")
    started = time.monotonic()  # a whole quick command: imports, the store opened (and synced once), the answer
    subprocess.run([KG, "query", rq("ASK { ?s ?p ?o }", "warm")], capture_output=True, timeout=120, check=True)
    quick = time.monotonic() - started
    proc = subprocess.Popen([KG, "query", path, "--timeout", "600", "--max-rows", str(10**12)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(max(3.0, 2 * quick))  # past the imports and the opening: the query under way (it runs for hours)
        assert proc.poll() is None, proc.communicate()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["interrupted"]  # click's newline ends the terminal's ^C echo
    assert out == ""
    assert elapsed < 20, elapsed  # generous: measured 0.1-1.3 s on this 2-core machine


# ---------------------------------------------------------------------------
# Endpoint: checked answers and a total deadline
# ---------------------------------------------------------------------------

class _Answers(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``body`` (200, SPARQL JSON content type), or drips a space every 50 ms."""

    body: bytes = b""
    drip: bool = False

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            if self.drip:
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def answering():
    """Start a loopback server answering with a body (or dripping); yields a function returning its /query URL."""
    servers = []

    def start(body: bytes = b"", drip: bool = False) -> str:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("A", (_Answers,), {"body": body, "drip": drip}))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/query"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


BAD_ANSWERS = {
    "{}": ('no "head" object', b"{}"),
    "binding without value": ("the binding of ?n has no type and string value",
                              b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal"}}]}}'),
    "results as a list": ('no "results.bindings" list', b'{"head": {"vars": ["n"]}, "results": []}'),
    "vars not a list": ('"head.vars" is not a list of names', b'{"head": {"vars": "n"}, "results": {"bindings": []}}'),
    "a number as value": ("the binding of ?n has no type and string value",
                          b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": 3}}]}}'),
    "unknown term type": ("the binding of ?n has no type and string value",
                          b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "x", "value": "3"}}]}}'),
    "a binding that is a list": ("a binding is not an object", b'{"head": {"vars": ["n"]}, "results": {"bindings": [[]]}}'),
    "datatype not a string": ("the binding of ?n has a datatype or language that is not a string",
                              b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
                              b'"value": "3", "datatype": 7}}]}}'),
    "boolean not a boolean": ('"boolean" is not true or false', b'{"head": {}, "boolean": "yes"}'),
    "an array": ('no "head" object', b"[]"),
    "not JSON": ("not JSON ('<html>busy</html>')", b"<html>busy</html>"),
    "empty": ("not JSON ('an empty answer')", b""),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_an_answer_that_is_not_sparql_json_fails_on_one_line(case, rq, answering):
    reason, body = BAD_ANSWERS[case]
    url = answering(body)
    with pytest.raises(ServerError) as caught:
        run_query(rq("SELECT ?n WHERE { ?s ?p ?n }", "values"), endpoint=url)
    assert str(caught.value) == f"{url} did not answer with SPARQL JSON results: {reason}"


def test_the_command_line_reports_a_bad_answer_on_one_line(built, rq, answering):
    url = answering(b'{"head": {"vars": ["n"]}, "results": []}')
    proc = kg_cli("query", rq("SELECT ?n WHERE { ?s ?p ?n }", "values"), "--endpoint", url)
    assert one_line_error(proc) == f'{url} did not answer with SPARQL JSON results: no "results.bindings" list'


def test_a_dripping_endpoint_is_cut_off_at_the_total_deadline(rq, answering):
    url = answering(drip=True)  # a byte every 50 ms: a per-read timeout alone would wait 30 s
    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        run_query(rq("SELECT ?n WHERE { ?s ?p ?n }", "values"), endpoint=url, timeout=1.5)
    assert str(caught.value) == f"{url} sent no complete answer within 1.5 s; allow more with --timeout SECONDS"
    assert time.monotonic() - started < 15


@pytest.mark.slow  # waits for the deadline in a kg process
def test_a_dripping_endpoint_fails_the_command_line_on_one_line(built, rq, answering):
    url = answering(drip=True)
    proc = kg_cli("query", rq("SELECT ?n WHERE { ?s ?p ?n }", "values"), "--endpoint", url, "--timeout", "1")
    assert one_line_error(proc) == f"{url} sent no complete answer within 1 s; allow more with --timeout SECONDS"


def test_a_valid_answer_is_read_as_rdf_terms(rq, answering):
    url = answering(b'{"head": {"vars": ["s", "n", "x"]}, "results": {"bindings": [{"s": {"type": "uri", "value": '
                    b'"https://w3id.org/dmkg/tacrolimus"}, "n": {"type": "literal", "value": "Tacrolimus", '
                    b'"xml:lang": "en"}}]}}')
    result = run_query(rq("SELECT ?s ?n ?x WHERE { ?s ?p ?n }", "values"), endpoint=url)
    assert result.variables == ["s", "n", "x"]
    assert result.rows == [(URIRef("https://w3id.org/dmkg/tacrolimus"), Literal("Tacrolimus", lang="en"), None)]
    ask = answering(b'{"head": {}, "boolean": true}')
    assert run_query(rq("ASK { ?s ?p ?o }", "ask"), endpoint=ask).boolean is True


def test_the_row_cap_holds_on_an_endpoint_too(rq, answering):
    row = b'{"n": {"type": "literal", "value": "1"}}'
    url = answering(b'{"head": {"vars": ["n"]}, "results": {"bindings": [' + b",".join([row] * 3) + b"]}}")
    path = rq("SELECT ?n WHERE { ?s ?p ?n }", "values")
    with pytest.raises(QueryError) as caught:
        run_query(path, endpoint=url, max_rows=2)
    assert str(caught.value) == f"values: more than 2 rows; {CAP_HINT}"
    assert run_query(path, endpoint=url, max_rows=2, limit=2).rows == [(Literal("1"),), (Literal("1"),)]
    assert len(run_query(path, endpoint=url, max_rows=3).rows) == 3


def test_without_a_time_limit_the_query_runs_in_the_calling_thread():
    from kg.query.bounds import evaluate

    seen: list[threading.Thread] = []

    def produce():
        seen.append(threading.current_thread())
        return ["n"], iter([(1,)]), None

    assert evaluate(produce, "here", timeout=None).rows == [(1,)]
    assert evaluate(produce, "there", timeout=5).rows == [(1,)]
    assert seen[0] is threading.current_thread()
    assert seen[1] is not threading.current_thread() and seen[1].name == "kg query there" and seen[1].daemon
