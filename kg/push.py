"""Upload the built graph to another SPARQL store.

``push(endpoint)`` sends ``dist/kg.nt`` with the SPARQL 1.1 Graph Store
Protocol (``POST``, or ``PUT`` to replace, to ``STORE?default`` or
``STORE?graph=IRI``). A store without the protocol (HTTP 404/405/415/501
there) gets SPARQL Update ``INSERT DATA`` requests instead, in chunks that keep
each blank node's triples together. Afterwards a ``COUNT`` query checks that
the store holds the triples.

Which URLs are used, from the one given (Oxigraph's layout)::

    http://HOST:PORT            query /query, update /update, store /store
    http://HOST:PORT/query      the same (also .../update or .../store given)
    http://HOST/other/path      query, update and store all at that URL

Only the standard library's HTTP client is used.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from kg.errors import EndpointError, KGError

_OXIGRAPH_SERVICES = ("query", "update", "store")
_NO_GRAPH_STORE = (404, 405, 415, 501)


@dataclass(frozen=True)
class StoreURLs:
    """The three services of a SPARQL store."""

    query: str
    update: str
    store: str


@dataclass(frozen=True)
class PushResult:
    """What a push sent and what the store holds afterwards."""

    triples_sent: int
    triples_in_store: int
    triples_before: int
    graph: str | None  # None: the default graph
    method: str  # "Graph Store Protocol POST|PUT" or "SPARQL Update (N requests)"
    url: str
    seconds: float

    @property
    def target(self) -> str:
        return f"graph <{self.graph}>" if self.graph else "the default graph"


def store_urls(endpoint: str) -> StoreURLs:
    """Query, update and graph-store URLs from a store's base URL or any one of its service URLs."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KGError(f"{endpoint!r} is not an http(s) URL; give the store's URL, e.g. http://127.0.0.1:7878")
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last in _OXIGRAPH_SERVICES:
        path = path[: -len(last)].rstrip("/")
    elif path:
        url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        return StoreURLs(query=url, update=url, store=url)
    base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return StoreURLs(query=f"{base}/query", update=f"{base}/update", store=f"{base}/store")


def _graph_param(graph: str | None) -> str:
    return "default" if graph is None else "graph=" + quote(graph, safe="")


def _auth_header(user: str | None, password: str | None) -> dict[str, str]:
    if user is None:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _send(method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """One HTTP request: (status, body text). Only an unreachable server raises."""
    from urllib.error import HTTPError, URLError
    from urllib.request import Request, urlopen

    request = Request(url, data=body, method=method, headers=headers)
    try:
        with urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except URLError as exc:
        raise EndpointError(f"cannot reach the store at {url}: {exc.reason}; is it running, and is the URL "
                            f"right? (for a local one: kg serve --writable)") from exc
    except (TimeoutError, OSError) as exc:
        raise EndpointError(f"cannot reach the store at {url}: {exc}") from exc


def _check(status: int, text: str, url: str, user: str | None) -> None:
    """Turn an error status into one line that says what to do."""
    if status < 400:
        return
    message = " ".join(text.split())[:300] or "no message"
    if status == 401:
        hint = "check --user and --password" if user else "give --user and --password"
        raise EndpointError(f"the store at {url} needs credentials (HTTP 401: {message}); {hint}")
    if status == 403:
        raise EndpointError(f"the store at {url} is read-only or refuses writes (HTTP 403: {message}); push to a "
                            f"writable store (kg serve --writable, or oxigraph serve)")
    raise EndpointError(f"the store at {url} answered HTTP {status}: {message}")


def triple_lines(path: Path) -> list[bytes]:
    """The triples of an N-Triples file, one line each (blank and comment lines dropped)."""
    with open(path, "rb") as handle:
        return [line.rstrip(b"\r\n") for line in handle if line.strip() and not line.lstrip().startswith(b"#")]


_BNODE = re.compile(rb"(?<![\w\"])_:[A-Za-z0-9_][\w.-]*")


def chunks(lines: list[bytes], size: int) -> list[list[bytes]]:
    """Group N-Triples lines into chunks of about ``size``, never splitting a blank node's triples.

    Blank-node labels are local to one SPARQL Update request, so every triple
    mentioning a blank node (and, transitively, the blank nodes it links to)
    must travel in the same ``INSERT DATA``.
    """
    from networkx.utils import UnionFind

    linked = UnionFind()
    groups: dict[bytes | int, list[bytes]] = {}
    labelled: list[tuple[bytes, bytes]] = []
    for i, line in enumerate(lines):
        # literals and IRIs may contain "_:" text: only look outside them
        bare = re.sub(rb'"(?:[^"\\]|\\.)*"|<[^>]*>', b'""', line)
        nodes = _BNODE.findall(bare)
        if not nodes:
            groups[i] = [line]
            continue
        linked.union(*nodes)
        labelled.append((nodes[0], line))
    for node, line in labelled:
        groups.setdefault(linked[node], []).append(line)
    out: list[list[bytes]] = []
    current: list[bytes] = []
    for group in groups.values():
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current:
        out.append(current)
    return out


def count_triples(query_url: str, graph: str | None, headers: dict[str, str], timeout: float) -> int:
    """Triples in the store's default graph or in ``graph``, by a SPARQL COUNT query."""
    import json
    from urllib.parse import urlencode

    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    body = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}).encode()
    status, text = _send("POST", query_url, body, {**headers, "Accept": "application/sparql-results+json",
                                                   "Content-Type": "application/x-www-form-urlencoded"}, timeout)
    _check(status, text, query_url, headers.get("Authorization"))
    try:
        return int(json.loads(text)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError) as exc:
        raise EndpointError(f"{query_url} did not answer the COUNT query with SPARQL JSON results; give the "
                            f"store's query URL") from exc


def _graph_store_upload(urls: StoreURLs, graph: str | None, replace: bool, data: bytes,
                        headers: dict[str, str], timeout: float, user: str | None) -> str | None:
    """Upload with the Graph Store Protocol; the method used, or None when the store lacks the protocol."""
    method = "PUT" if replace else "POST"
    url = f"{urls.store}?{_graph_param(graph)}"
    status, text = _send(method, url, data, {**headers, "Content-Type": "application/n-triples"}, timeout)
    if status in _NO_GRAPH_STORE:
        return None
    _check(status, text, urls.store, user)
    return f"Graph Store Protocol {method}"


def _update_upload(urls: StoreURLs, graph: str | None, replace: bool, lines: list[bytes], chunk: int,
                   headers: dict[str, str], timeout: float, user: str | None) -> str:
    """Upload with SPARQL Update ``INSERT DATA`` requests (after ``CLEAR`` when replacing)."""
    post = {**headers, "Content-Type": "application/sparql-update"}
    requests = 0

    def update(text: bytes) -> None:
        nonlocal requests
        status, answer = _send("POST", urls.update, text, post, timeout)
        if status in _NO_GRAPH_STORE:
            raise EndpointError(f"{urls.store} has no Graph Store Protocol and {urls.update} no SPARQL Update "
                                f"(HTTP {status}); give the store's base URL or its update URL")
        _check(status, answer, urls.update, user)
        requests += 1

    if replace:
        update(b"CLEAR SILENT " + (b"DEFAULT" if graph is None else f"GRAPH <{graph}>".encode()))
    for part in chunks(lines, chunk):
        triples = b"\n".join(part)
        if graph is not None:
            triples = f"GRAPH <{graph}> {{\n".encode() + triples + b"\n}"
        update(b"INSERT DATA {\n" + triples + b"\n}")
    return f"SPARQL Update ({requests} requests)"


def push(endpoint: str, graph: str | None = None, replace: bool = False, user: str | None = None,
         password: str | None = None, source: Path | None = None, timeout: float = 120.0, chunk: int = 5000,
         urls: StoreURLs | None = None) -> PushResult:
    """Upload the built graph (or the N-Triples file ``source``) to the store at ``endpoint``.

    Parameters
    ----------
    endpoint
        The store's base URL or one of its service URLs (see the module docstring).
    graph
        IRI of the named graph to fill; None for the default graph.
    replace
        Replace the graph's content (PUT; CLEAR then INSERT on the fallback)
        instead of adding to it (POST).
    user, password
        HTTP basic authentication.
    urls
        Explicit service URLs, overriding those derived from ``endpoint``.

    Raises
    ------
    EndpointError
        The store is unreachable, refuses (401/403), fails (4xx/5xx, with its
        message), or holds fewer triples afterwards than were sent.
    """
    if graph is not None and not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+", graph):
        raise KGError(f"--graph {graph!r} is not an absolute IRI (e.g. https://w3id.org/dmkg/graph)")
    if source is None:
        from kg.build import ensure_built

        source = ensure_built().ntriples
    urls = urls or store_urls(endpoint)
    headers = _auth_header(user, password)
    lines = triple_lines(Path(source))
    started = time.perf_counter()
    before = count_triples(urls.query, graph, headers, timeout)
    method = _graph_store_upload(urls, graph, replace, b"\n".join(lines) + b"\n", headers, timeout, user)
    if method is None:
        method = _update_upload(urls, graph, replace, lines, chunk, headers, timeout, user)
    after = count_triples(urls.query, graph, headers, timeout)
    seconds = time.perf_counter() - started
    expected_min = len(lines) if replace else max(len(lines), before)
    if after < expected_min or (replace and after != len(lines)):
        raise EndpointError(f"sent {len(lines)} triples to {urls.store} but {'graph <' + graph + '>' if graph else 'the default graph'} "
                            f"now holds {after}; the store dropped or merged some")
    return PushResult(triples_sent=len(lines), triples_in_store=after, triples_before=before, graph=graph,
                      method=method, url=urls.store if method.startswith("Graph") else urls.update, seconds=seconds)
