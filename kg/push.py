"""Upload graphs to another SPARQL store: idempotent, atomic, counted, in bounded chunks.

``push(endpoint)`` sends the built graph (``dist/kg.nt``); ``push_graphs``
sends any number of graphs, each a :class:`GraphSource` (target graph or None
for the default graph, a callable that yields N-Triples bytes, its triple
count). The store's services are found from the URL given
(:mod:`kg.store_urls`: Oxigraph, Virtuoso, Fuseki, GraphDB/RDF4J layouts).
For each graph:

1. Blank nodes get stable IRIs under :data:`kg.skolem.GENID` (a hash of what
   each says), so sending the same build again adds nothing.
2. The triples go, in requests of at most ``chunk`` triples and
   ``chunk_bytes`` bytes, into a fresh temporary named graph
   ``<urn:uuid:...>``: Graph Store Protocol ``POST``, or SPARQL Update
   ``INSERT DATA`` (at most :data:`INSERT_DATA_TRIPLES` per request) where
   the store has no Graph Store service (HTTP 404, 405, 415 or 501). Only
   one chunk is held in memory at a time.
3. A ``COUNT`` checks that the temporary graph holds every triple sent.
4. One SPARQL Update request puts it in place: ``MOVE`` (``replace``) or
   ``ADD`` then ``DROP`` (the default, adding). Readers of the target see it
   before or after, never half-written.
5. A ``COUNT`` checks the target: exactly the triples sent (replacing), or
   what it held before plus the sent triples it did not hold yet (counted
   before step 4).

A failure before step 4 drops the temporary graph and says how far the push
got and that the target was not changed. Virtuoso has no writable default
graph (its queries without FROM read the union of every graph): a push to
"the default graph" there fills :data:`GRAPH_STAND_IN` instead, and the
result's ``note`` says so. While a push runs, Virtuoso's union also shows the
temporary graph; if the server dies midway, that graph stays until dropped
(the error names it).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from kg.errors import KGError, ServerError
from kg.skolem import skolem_labels, skolemise
from kg.sparql_http import Answer, Credentials, check_url, count_answer, request
from kg.store_urls import StoreURLs, detect_store, store_urls

__all__ = ["GRAPH_STAND_IN", "GraphSource", "PushResult", "StoreURLs", "file_source", "push", "push_graphs",
           "store_urls"]

#: Where a push to the default graph goes on a store without one of its own (Virtuoso).
GRAPH_STAND_IN = "https://w3id.org/dmkg/graph"
#: Triples per ``INSERT DATA`` request at most: Virtuoso 7.2.5 refuses 2,000 of the built graph's
#: ("the length of generated SQL text has exceeded 10000 lines").
INSERT_DATA_TRIPLES = 1000
_NO_GRAPH_STORE = (404, 405, 415, 501)
_IRI = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+")
Progress = Callable[[str | None, int, int], None]


@dataclass(frozen=True)
class GraphSource:
    """One graph to push: target graph IRI (None: default graph), N-Triples chunks, triple count.

    ``chunks`` is called twice (once to name the blank nodes, once to send):
    each call must yield the same bytes, in pieces of any size.
    """

    graph: str | None
    chunks: Callable[[], Iterable[bytes]]
    triples: int


@dataclass(frozen=True)
class PushResult:
    """What a push sent and what the store holds afterwards."""

    triples_sent: int
    triples_in_store: int
    triples_before: int
    graph: str | None  # the graph filled; None: the default graph
    method: str  # "Graph Store Protocol POST (N requests), then MOVE|ADD" or "SPARQL Update INSERT DATA (...)"
    url: str
    seconds: float
    note: str = ""  # e.g. where a default-graph push went on Virtuoso

    @property
    def target(self) -> str:
        return f"graph <{self.graph}>" if self.graph else "the default graph"

    @property
    def rate(self) -> float:
        """Triples sent per second, the COUNT checks included."""
        return self.triples_sent / self.seconds if self.seconds > 0 else 0.0


def file_source(path: Path | str, graph: str | None = None, triples: int | None = None,
                block: int = 256 * 1024) -> GraphSource:
    """A :class:`GraphSource` reading the N-Triples file ``path`` in blocks (counting its triples if not given)."""
    path = Path(path)

    def chunks() -> Iterator[bytes]:
        from kg.errors import file_error

        try:
            with open(path, "rb") as handle:
                while data := handle.read(block):
                    yield data
        except OSError as exc:
            raise file_error(path, exc, "read") from exc

    if triples is None:
        triples = sum(1 for _ in nt_lines(chunks()))
    return GraphSource(graph, chunks, triples)


def nt_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The triple lines of N-Triples text given in pieces (blank and comment lines dropped).

    Examples
    --------
    >>> list(nt_lines([b"<a> <b> <c> .\\n# note\\n<a> <b", b'> "d" .\\n\\n']))
    [b'<a> <b> <c> .', b'<a> <b> "d" .']
    """
    rest = b""
    for piece in chunks:
        lines = (rest + piece).split(b"\n")
        rest = lines.pop()
        for line in lines:
            line = line.strip()
            if line and not line.startswith(b"#"):
                yield line
    if rest.strip() and not rest.strip().startswith(b"#"):
        yield rest.strip()


def batches(lines: Iterable[bytes], chunk: int, chunk_bytes: int) -> Iterator[list[bytes]]:
    """Lines grouped into lists of at most ``chunk`` lines and (unless one line is longer) ``chunk_bytes`` bytes."""
    batch: list[bytes] = []
    size = 0
    for line in lines:
        if batch and (len(batch) >= chunk or size + len(line) + 1 > chunk_bytes):
            yield batch
            batch, size = [], 0
        batch.append(line)
        size += len(line) + 1
    if batch:
        yield batch


class _Store:
    """The requests of one push to one store (its URLs, credentials, per-request deadline)."""

    def __init__(self, urls: StoreURLs, user: str | None, password: str | None, timeout: float):
        self.urls, self.user, self.timeout = urls, user, timeout
        self.credentials = Credentials(user, password) if user is not None else None
        self.answered = True  # whether the last request got an answer

    def send(self, method: str, url: str, body: bytes, content_type: str, accept: str = "*/*") -> Answer:
        self.answered = False
        answer = request(method, url, body, {"Content-Type": content_type, "Accept": accept},
                         credentials=self.credentials, deadline_s=self.timeout,
                         read_timeout_s=self.timeout)  # a server may work in silence: moving 842k triples took > 60 s
        self.answered = True
        return answer

    def count(self, graph: str | None, *others: str | None) -> int:
        """Triples in ``graph`` (None: the default graph), or in it and in each of ``others``."""
        pattern = " ".join(_pattern(g) for g in (graph, *others))
        body = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}).encode()
        answer = self.send("POST", self.urls.query, body, "application/x-www-form-urlencoded",
                           "application/sparql-results+json")
        _check(answer, self.urls.query, self.user)
        return count_answer(answer.text, self.urls.query)

    def update(self, text: bytes) -> None:
        answer = self.send("POST", self.urls.update, text, "application/sparql-update; charset=utf-8")
        if answer.status in _NO_GRAPH_STORE:
            raise ServerError(f"{self.urls.update} has no SPARQL Update service (HTTP {answer.status}); give the "
                              f"store's base URL or its update URL")
        _check(answer, self.urls.update, self.user)

    def post(self, graph: str, body: bytes) -> bool:
        """Add N-Triples to ``graph`` with the Graph Store Protocol; False when the store has none."""
        url = f"{self.urls.store}?graph={quote(graph, safe='')}"
        answer = self.send("POST", url, body, "application/n-triples")
        if answer.status in _NO_GRAPH_STORE:
            return False
        _check(answer, self.urls.store, self.user)
        return True

    def drop(self, graph: str) -> bool:
        """Drop ``graph`` if it exists; whether that worked."""
        try:
            self.update(f"DROP SILENT GRAPH <{graph}>".encode())
        except KGError:
            return False
        return True


def _pattern(graph: str | None) -> str:
    return f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"


def _check(answer: Answer, url: str, user: str | None) -> None:
    """Turn an error status into one line that says what to do."""
    if answer.status < 300:
        return
    message = " ".join(answer.text.split())[:300] or "no message"
    if answer.status == 401:
        hint = "check --user and --password" if user else "give --user and --password"
        raise ServerError(f"the store at {url} needs credentials (HTTP 401: {message}); {hint}")
    if answer.status == 403:
        raise ServerError(f"the store at {url} is read-only or refuses writes (HTTP 403: {message}); push to a "
                          f"writable store (kg serve --writable, or oxigraph serve)")
    if "virtuoso" in answer.server.lower() and re.search(r"SR186|permission|SPARQL_UPDATE", message):
        raise ServerError(f"Virtuoso at {url} refuses updates (HTTP {answer.status}: {message}); grant them with "
                          f"isql-vt: GRANT SPARQL_UPDATE TO \"SPARQL\"; or give --user with a user that has them")
    if answer.status < 400:
        where = answer.headers.get("location", "elsewhere")
        raise ServerError(f"{url} answered HTTP {answer.status} (moved to {where}); give the store's own URL")
    raise ServerError(f"the store at {url} answered HTTP {answer.status}: {message}")


def push_graphs(endpoint: str, sources: Iterable[GraphSource], *, replace: bool = False, user: str | None = None,
                password: str | None = None, timeout: float = 120.0, chunk: int = 5000,
                chunk_bytes: int = 4 << 20, progress: Progress | None = None,
                urls: StoreURLs | None = None) -> list[PushResult]:
    """Push each of ``sources`` to the store at ``endpoint``, one after the other (see the module docstring).

    Parameters
    ----------
    endpoint
        The store's base URL or one of its service URLs (see :mod:`kg.store_urls`).
    replace
        Replace each target graph's content instead of adding to it.
    user, password
        Credentials (HTTP Basic, or Digest when the store asks for it).
    timeout
        Deadline in seconds for each request, answer included, and for the silence before an answer.
    chunk, chunk_bytes
        At most this many triples and bytes per request.
    progress
        Called after each request as ``progress(graph, triples_sent, triples_total)``.
    urls
        Explicit service URLs, overriding those found from ``endpoint``.

    Raises
    ------
    ServerError
        The store is unreachable, refuses, fails, or holds other counts than
        expected; the message says how far the push got.
    """
    _check_args(None, user, password)
    urls = urls or detect_store(endpoint, user=user, timeout=timeout)
    store = _Store(urls, user, password, timeout)
    return [_push_one(store, source, replace, chunk, chunk_bytes, progress) for source in sources]


def _check_args(graph: str | None, user: str | None, password: str | None) -> None:
    if graph is not None and not _IRI.fullmatch(graph):
        raise KGError(f"--graph {graph!r} is not an absolute IRI (e.g. {GRAPH_STAND_IN})")
    if password is not None and user is None:
        raise KGError("--password needs --user")


def _push_one(store: _Store, source: GraphSource, replace: bool, chunk: int, chunk_bytes: int,
              progress: Progress | None) -> PushResult:
    _check_args(source.graph, None, None)
    target, note = source.graph, ""
    if target is None and not store.urls.default_graph_writable:
        target = GRAPH_STAND_IN
        note = (f"Virtuoso has no writable default graph, so the triples went to graph <{target}>, which its "
                f"queries without FROM read with every other graph; add ?default-graph-uri="
                f"{quote(target, safe='')} to the query URL to read only it")
    where = f"graph <{target}>" if target else "the default graph"
    started = time.perf_counter()
    before = store.count(target)
    labels = skolem_labels(nt_lines(source.chunks()))
    temp = f"urn:uuid:{uuid.uuid4()}"
    sent = requests = 0
    created, swapping, loader = False, False, "Graph Store Protocol POST"
    try:
        store.update(f"CREATE GRAPH <{temp}>".encode())
        created = True
        lines = (skolemise(line, labels) for line in nt_lines(source.chunks()))
        for batch in batches(lines, chunk, chunk_bytes):
            body = b"\n".join(batch) + b"\n"
            if loader.startswith("Graph") and not store.post(temp, body):
                loader = "SPARQL Update INSERT DATA"
            parts = [batch] if loader.startswith("Graph") else batches(batch, INSERT_DATA_TRIPLES, chunk_bytes)
            for part in parts:
                if not loader.startswith("Graph"):
                    store.update(b"INSERT DATA { GRAPH <%s> {\n%s\n} }" % (temp.encode(), b"\n".join(part)))
                sent += len(part)
                requests += 1
                if progress is not None:
                    progress(source.graph, sent, source.triples)
        if sent != source.triples:
            raise KGError(f"the source of {where} gave {sent:,} triples, not the {source.triples:,} announced")
        staged = store.count(temp)
        if staged != sent:
            raise ServerError(f"the store kept {staged:,} of the {sent:,} triples sent (it merged or dropped some)")
        overlap = store.count(temp, target) if before and not replace else 0
        swapping = True
        into = f"GRAPH <{target}>" if target else "DEFAULT"
        store.update((f"MOVE GRAPH <{temp}> TO {into}" if replace
                      else f"ADD GRAPH <{temp}> TO {into} ; DROP GRAPH <{temp}>").encode())
    except KGError as exc:
        raise _failure(exc, store, temp, created, swapping, sent, source.triples, where) from exc
    after = store.count(target)
    expected = sent if replace else before + sent - overlap
    if after != expected:
        held = "" if replace else f" (it held {before:,}, {overlap:,} of them among those sent)"
        raise ServerError(f"sent {sent:,} triples to {where} at {store.urls.query}{held}: it now holds {after:,}, "
                          f"not {expected:,}; is another client writing to it?")
    url = store.urls.store if loader.startswith("Graph") else store.urls.update
    return PushResult(triples_sent=sent, triples_in_store=after, triples_before=before, graph=target,
                      method=f"{loader} ({requests:,} requests), then {'MOVE' if replace else 'ADD'}", url=url,
                      seconds=time.perf_counter() - started, note=note)


def _failure(exc: KGError, store: _Store, temp: str, created: bool, swapping: bool, sent: int, total: int,
             where: str) -> KGError:
    """The one-line error for a push that failed: how far it got and what the store holds now."""
    text = str(exc).rstrip(".")
    if swapping and not store.answered:
        tail = (f"; the last request, moving the {sent:,} triples from temporary graph <{temp}> into {where}, got "
                f"no answer: count {where} to see whether it was applied")
    else:
        dropped = created and store.drop(temp)
        got = f"stopped after {sent:,} of {total:,} triples; " if created else ""
        tail = f"; {got}nothing was changed in {where}"
        if created and not dropped:
            tail += f"; the temporary graph <{temp}> is left over: DROP SILENT GRAPH <{temp}> once the store is back"
    return (ServerError if isinstance(exc, ServerError) else KGError)(text + tail)


def push(endpoint: str, graph: str | None = None, replace: bool = False, user: str | None = None,
         password: str | None = None, source: Path | None = None, timeout: float = 120.0, chunk: int = 5000,
         urls: StoreURLs | None = None, progress: Progress | None = None, chunk_bytes: int = 4 << 20) -> PushResult:
    """Upload the built graph (or the N-Triples file ``source``) to the store at ``endpoint``.

    A thin call to :func:`push_graphs` with one :class:`GraphSource`; see there
    for the parameters. ``graph`` is the target graph IRI, None for the
    default graph.
    """
    _check_args(graph, user, password)
    check_url(endpoint)
    if source is None:
        from kg.build import ensure_built

        built = ensure_built()
        graph_source = file_source(built.ntriples, graph, triples=built.report.get("triples"))
    else:
        graph_source = file_source(source, graph)
    return push_graphs(endpoint, [graph_source], replace=replace, user=user, password=password, timeout=timeout,
                       chunk=chunk, chunk_bytes=chunk_bytes, urls=urls, progress=progress)[0]
