"""Running a query: on the embedded store, or on any SPARQL 1.1 endpoint through SPARQLWrapper."""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import EndpointError, QueryError, ServerError
from kg.query.binding import bind
from kg.query.guard import refuse_outbound
from kg.query.results import QueryResult
from kg.query.saved import SavedQuery, find_query


def run_query(query: str | SavedQuery, params: dict[str, Any] | None = None, *,
              graph: Graph | str | list[str] | None = None, endpoint: str | None = None, limit: int | None = None,
              store: Any = None, timeout: float = 60.0, allow_service: bool = False) -> QueryResult:
    """Run a saved query (name, path or :class:`SavedQuery`) on the embedded store, a graph, or an endpoint.

    ``graph`` is an rdflib Graph to run on, or names the graphs of the
    persistent store (:mod:`kg.store`) to query: ``"all"`` (the default: the
    curated graph and every import), ``"curated"``, an import's name, or a
    list of them. On an endpoint a name becomes the request's default graph
    (``default-graph-uri``); ``"all"`` leaves the server's default. ``store``
    is ``"oxigraph"`` (the persistent store, opened for this call), ``"memory"``
    (a copy of the chosen graphs in rdflib's memory store) or an open
    :class:`kg.store.Snapshot` to reuse across queries.

    Examples
    --------
    >>> from kg.query import run_query
    >>> result = run_query("cni_type1_ifn", graph="curated")
    >>> for drug, status, basis in sorted({(str(r["drugLabel"]), str(r["status"]), str(r["basis"]))
    ...                                    for r in result.records()}):
    ...     print(drug, status, basis, sep=" | ")
    cyclosporine | spares | stated
    pimecrolimus | raises | via mechanism
    tacrolimus | raises | via mechanism
    """
    saved = query if isinstance(query, SavedQuery) else find_query(query)
    selector = None if isinstance(graph, Graph) else (graph or "all")
    rdf = graph if isinstance(graph, Graph) else None
    snapshot = store if hasattr(store, "select") else None  # an open kg.store.Snapshot
    names_entities = any(p.type == "entity" for p in saved.params)
    if rdf is None and snapshot is None and (endpoint is None or names_entities):
        if store == "memory" and endpoint is None:
            from kg.store import load_graph

            rdf = load_graph(store="memory", graph=selector)
        else:
            from kg.store import open_store

            snapshot = open_store()
    names = rdf if rdf is not None else snapshot.rdflib_graph("curated") if snapshot is not None else None
    from kg.lookup import NameIndex

    index = NameIndex.of(names) if names is not None and names_entities else None
    text = bind(saved, dict(params or {}), index if index is not None else names)
    if not endpoint:
        refuse_outbound(text, saved.name, allow_service)
    if not endpoint and is_update(text):
        raise QueryError(f"{saved.name} is a SPARQL Update and the embedded graph is read-only; "
                         f"run it on a writable store with --endpoint (kg serve --writable)")
    if endpoint:
        result = _run_remote(text, check_endpoint_url(endpoint), saved.name, timeout, graphs=_graph_iris(selector))
    elif rdf is not None:
        result = _run_local(text, rdf, saved.name)
    else:
        result = _run_store(text, snapshot, selector, saved.name)
    if limit is not None:
        if limit < 0:
            raise QueryError("--limit must be zero or more")
        result.rows = result.rows[:limit]
    result.graph, result._index = names, index
    return result


def _graph_iris(selector: str | list[str] | None) -> list[str]:
    """IRIs of the graphs a selector names, without opening the store (for an endpoint); [] for "all"."""
    from kg.store import CURATED, IMPORT_BASE, META

    names = selector.split(",") if isinstance(selector, str) else list(selector or [])
    names = [n.strip() for n in names]
    if not names or "all" in names:
        return []
    return [CURATED if n == "curated" else META if n == "meta" else IMPORT_BASE + n for n in names]


def _run_store(text: str, snapshot, selector, name: str) -> QueryResult:
    """Run ``text`` with pyoxigraph on the graphs ``selector`` names in a store snapshot."""
    import pyoxigraph as ox

    from kg.store import to_rdflib

    try:
        res = snapshot.query(text, graph=selector)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"{name}: {_one_line(exc)}") from exc
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(variables=[], boolean=bool(res))
    if not isinstance(res, ox.QuerySolutions):
        raise QueryError(f"{name}: only SELECT and ASK queries are supported here")
    variables = [v.value for v in res.variables]
    return QueryResult(variables=variables, rows=[tuple(to_rdflib(t) for t in row) for row in res])


def _run_local(text: str, graph: Graph, name: str) -> QueryResult:
    from pyparsing import ParseException

    try:
        res = graph.query(text)
    except ParseException as exc:
        raise QueryError(f"{name}: SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from exc
    except Exception as exc:  # oxrdflib/pyoxigraph raise SyntaxError or ValueError with position
        if isinstance(exc, (SyntaxError, ValueError)):
            raise QueryError(f"{name}: {_one_line(exc)}") from exc
        raise
    if res.type == "ASK":
        return QueryResult(variables=[], boolean=bool(res.askAnswer))
    if res.type != "SELECT":
        raise QueryError(f"{name}: only SELECT and ASK queries are supported here")
    variables = [str(v) for v in res.vars]
    return QueryResult(variables=variables, rows=[tuple(row) for row in res])


def check_endpoint_url(endpoint: str) -> str:
    """``endpoint`` if it is an http(s) URL with a host, else a one-line :class:`ServerError` (no file:, ftp:...)."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServerError(f"{endpoint!r} is not an http(s) URL of a SPARQL endpoint "
                          f"(for example http://127.0.0.1:7878/query)")
    return endpoint.strip()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


_UPDATE_VERBS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


def is_update(text: str) -> bool:
    """True when ``text`` is a SPARQL Update (its first keyword after the prologue is INSERT, DELETE, ...)."""
    masked = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*', " ", text)
    body = re.sub(r"(?i)^\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*", "", masked)  # IRIs are blanked already
    first = re.match(r"[A-Za-z]+", body)
    return bool(first) and first.group(0).upper() in _UPDATE_VERBS


def update_endpoint(endpoint: str) -> str:
    """Where SPARQL updates go: ``.../update`` beside a ``.../query`` endpoint (Oxigraph, Fuseki), else the same URL."""
    base, sep, query = endpoint.partition("?")
    if base.rstrip("/").endswith("/query"):
        base = base.rstrip("/")[: -len("query")] + "update"
    return base + sep + query


def _server_message(exc: BaseException) -> str:
    """The server's own message inside a SPARQLWrapper exception, on one line."""
    import ast

    text = str(exc)
    if "Response:" in text:
        raw = text.split("Response:", 1)[1].strip()
        try:
            value = ast.literal_eval(raw)
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        except (ValueError, SyntaxError):
            text = raw
    return _one_line(text)


def _syntax_message(message: str) -> str:
    """'error at 2:1: expected X' (Oxigraph) as 'SPARQL syntax error at line 2, column 1: expected X'."""
    match = re.match(r"(?:.*?error at |.*?line )(\d+):(\d+):?\s*(.*)", message, flags=re.IGNORECASE)
    if match:
        return f"SPARQL syntax error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"
    return f"the endpoint rejected the query: {message}"


def _run_remote(text: str, endpoint: str, name: str, timeout: float, graphs: list[str] = ()) -> QueryResult:
    import http.client
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        SPARQLWrapperException,
        Unauthorized,
    )

    update = is_update(text)
    target = update_endpoint(endpoint) if update else endpoint
    client = SPARQLWrapper(endpoint, updateEndpoint=update_endpoint(endpoint))
    client.setQuery(text)
    for iri in graphs:  # the dataset: default-graph-uri / named-graph-uri of the SPARQL protocol
        client.addDefaultGraph(iri)
        client.addNamedGraph(iri)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    try:
        body = client.query().response.read()
        if update:
            return QueryResult(variables=[], rows=[])
    except QueryBadFormed as exc:
        raise QueryError(f"{name}: {_syntax_message(_server_message(exc))}") from exc
    except Unauthorized as exc:
        raise EndpointError(f"{target} needs credentials (HTTP 401): {_server_message(exc)}") from exc
    except EndPointNotFound as exc:
        raise EndpointError(f"{target} has no SPARQL {'update' if update else 'query'} service (HTTP 404); "
                            f"check the URL (Oxigraph's is http://HOST:PORT/query)") from exc
    except EndPointInternalError as exc:
        raise EndpointError(f"{target} failed on the query (HTTP 500): {_server_message(exc)}") from exc
    except SPARQLWrapperException as exc:
        raise EndpointError(f"{target}: {_server_message(exc)}") from exc
    except HTTPError as exc:
        detail = _one_line(exc.read().decode("utf-8", "replace")) or exc.reason
        if exc.code == 403 and update:
            raise EndpointError(f"the endpoint is read-only: {target} refused the update (HTTP 403: {detail}); "
                                f"run updates on a writable store (kg serve --writable)") from exc
        raise EndpointError(f"{target} answered HTTP {exc.code}: {detail}") from exc
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise EndpointError(f"{target}: query timed out after {int(timeout)} s (no answer)") from exc
        raise EndpointError(f"cannot reach SPARQL endpoint {target}: {exc.reason}; is the server running "
                            f"(kg serve) and the URL right?") from exc
    except TimeoutError as exc:
        raise EndpointError(f"{target}: query timed out after {int(timeout)} s (no answer)") from exc
    except OSError as exc:
        raise EndpointError(f"cannot reach SPARQL endpoint {target}: {exc}") from exc
    except http.client.IncompleteRead as exc:
        raise EndpointError(f"{target}: the answer was cut off (query timed out, or the server stopped)") from exc
    try:
        data = json.loads(body.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if re.search(rb"cancel|time ?out|timed out", body[-500:], flags=re.IGNORECASE):  # Oxigraph's soft timeout
            raise EndpointError(f"{target}: query timed out (the server cancelled it and cut the answer off); "
                                f"simplify the query or raise the server's timeout") from exc
        raise EndpointError(f"{endpoint} did not answer with SPARQL JSON results: "
                            f"{_one_line(body[:120].decode('utf-8', 'replace'))}") from exc
    if not isinstance(data, dict):
        raise EndpointError(f"{endpoint} did not answer with SPARQL JSON results")
    if "boolean" in data:
        return QueryResult(variables=[], boolean=bool(data["boolean"]))
    variables = data["head"]["vars"]
    rows = [tuple(_term(b.get(v)) for v in variables) for b in data["results"]["bindings"]]
    return QueryResult(variables=variables, rows=rows)


def _term(binding: dict[str, str] | None) -> Any:
    """A SPARQL JSON binding as an rdflib term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=binding.get("xml:lang"), datatype=binding.get("datatype"))
