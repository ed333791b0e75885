"""Running a query: on the embedded store, or on any SPARQL 1.1 endpoint, within a time limit and a row cap.

On the embedded store (pyoxigraph, or rdflib for ``store="memory"``) the query
runs in a worker thread that the caller waits for (:mod:`kg.query.bounds`), so
a timeout or Ctrl-C stops the command at once. On an endpoint the request goes
through :mod:`kg.sparql_http`: one total deadline (a server that drips bytes
cannot hold it past ``timeout``), a cap on the answer's size, and the answer
checked against the SPARQL 1.1 Query Results JSON format before use.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import QueryError, ServerError
from kg.query.binding import bind
from kg.query.bounds import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, check_bounds, evaluate, too_many_rows
from kg.query.guard import refuse_outbound
from kg.query.results import QueryResult
from kg.query.saved import SavedQuery, find_query


def run_query(query: str | SavedQuery, params: dict[str, Any] | None = None, *,
              graph: Graph | str | list[str] | None = None, endpoint: str | None = None, limit: int | None = None,
              store: Any = None, timeout: float | None = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
              allow_service: bool = False) -> QueryResult:
    """Run a saved query (name, path or :class:`SavedQuery`) on the embedded store, a graph, or an endpoint.

    ``graph`` is an rdflib Graph to run on, or names the graphs of the
    persistent store (:mod:`kg.store`) to query: ``"all"`` (the default: the
    curated graph and every import), ``"curated"``, an import's name, or a
    list of them. On an endpoint a name becomes the request's default graph
    (``default-graph-uri``); ``"all"`` leaves the server's default. ``store``
    is ``"oxigraph"`` (the persistent store, opened for this call), ``"memory"``
    (a copy of the chosen graphs in rdflib's memory store) or an open
    :class:`kg.store.Snapshot` to reuse across queries.

    ``timeout`` (seconds; None for none) bounds the whole query, on the
    embedded store as on an endpoint: past it, :class:`kg.errors.QueryTimeout`
    (embedded) or :class:`kg.errors.ServerError` (endpoint). ``max_rows``
    caps the solutions read: a query with more raises a one-line
    :class:`kg.errors.QueryError` (not a silently truncated answer) unless
    ``limit`` asks for no more than the cap, in which case only ``limit``
    rows are read.

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
    from kg.lookup import NameIndex

    names = rdf  # the graph whose names label the answer (an rdflib Graph given), else the store's index
    if rdf is not None:
        index = NameIndex.of(rdf) if names_entities else None
    else:
        index = snapshot.names() if snapshot is not None else None
    text = bind(saved, dict(params or {}), index if index is not None else names)
    if not endpoint:
        refuse_outbound(text, saved.name, allow_service)
    if not endpoint and is_update(text):
        raise QueryError(f"{saved.name} is a SPARQL Update and the embedded graph is read-only; "
                         f"run it on a writable store with --endpoint (kg serve --writable)")
    if limit is not None and limit < 0:
        raise QueryError("--limit must be zero or more")
    if endpoint:
        check_bounds(saved.name, timeout, max_rows)
        result = _run_remote(text, check_endpoint_url(endpoint), saved.name, timeout, graphs=_graph_iris(selector),
                             max_rows=max_rows, limit=limit)
    else:
        run = (lambda: _run_local(text, rdf, saved.name)) if rdf is not None else (
            lambda: _run_store(text, snapshot, selector, saved.name))
        try:
            result = evaluate(run, saved.name, timeout=timeout, max_rows=max_rows, limit=limit)
        except OSError as exc:  # a SERVICE call (allowed with --allow-service) that failed while rows were read
            services = ", ".join(dict.fromkeys(re.findall(r"(?i)\bSERVICE\s+(?:SILENT\s+)?<([^>]*)>", text)))
            raise ServerError(f"{saved.name}: SERVICE {services or '(a federated query)'} failed: "
                              f"{_one_line(exc)}") from exc
    if limit is not None:
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


def _run_store(text: str, snapshot, selector, name: str):
    """Start ``text`` with pyoxigraph on the graphs ``selector`` names in a store snapshot (for :func:`evaluate`)."""
    import pyoxigraph as ox

    from kg.store import to_rdflib

    try:
        res = snapshot.query(text, graph=selector)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"{name}: {_one_line(exc)}") from exc
    if isinstance(res, ox.QueryBoolean):
        return bool(res)
    if not isinstance(res, ox.QuerySolutions):
        raise QueryError(f"{name}: only SELECT and ASK queries are supported here")
    return [v.value for v in res.variables], res, lambda row: tuple(to_rdflib(t) for t in row)


def _run_local(text: str, graph: Graph, name: str):
    """Start ``text`` with rdflib on ``graph`` (for :func:`evaluate`)."""
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
        return bool(res.askAnswer)
    if res.type != "SELECT":
        raise QueryError(f"{name}: only SELECT and ASK queries are supported here")
    return [str(v) for v in res.vars], res, None


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


def _syntax_message(message: str) -> str:
    """'error at 2:1: expected X' (Oxigraph) as 'SPARQL syntax error at line 2, column 1: expected X'."""
    match = re.match(r"(?:.*?error at |.*?line )(\d+):(\d+):?\s*(.*)", message, flags=re.IGNORECASE)
    if match:
        return f"SPARQL syntax error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"
    return f"the endpoint rejected the query: {message}"


#: Largest answer read from an endpoint (a --max-rows answer of wide rows fits; a runaway one does not).
MAX_REMOTE_BYTES = 256 * 1024 * 1024


def _run_remote(text: str, endpoint: str, name: str, timeout: float | None, graphs: list[str] = (), *,
                max_rows: int | None = DEFAULT_MAX_ROWS, limit: int | None = None) -> QueryResult:
    """POST ``text`` to ``endpoint`` (the SPARQL 1.1 protocol) within one total deadline; the checked answer."""
    from urllib.parse import urlencode

    from kg.sparql_http import check_results, request

    update = is_update(text)
    target = update_endpoint(endpoint) if update else endpoint
    fields = [("update" if update else "query", text)]
    for iri in graphs:  # the dataset: default-graph-uri / named-graph-uri of the SPARQL protocol
        fields += [("using-graph-uri" if update else "default-graph-uri", iri),
                   ("using-named-graph-uri" if update else "named-graph-uri", iri)]
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Accept": "application/sparql-results+json, application/json;q=0.9"}
    seconds = timeout if timeout is not None else 24 * 3600.0
    try:
        answer = request("POST", target, urlencode(fields).encode("utf-8"), headers, deadline_s=seconds,
                         read_timeout_s=seconds, max_bytes=MAX_REMOTE_BYTES)
    except ServerError as exc:
        message = str(exc)
        if message.startswith(f"cannot reach the store at {target}: "):
            reason = message[len(f"cannot reach the store at {target}: "):].split("; is it running")[0]
            raise ServerError(f"cannot reach SPARQL endpoint {target}: {reason}; is the server running "
                              f"(kg serve) and the URL right?") from exc
        raise ServerError(f"{message}; allow more with --timeout SECONDS"
                          if " within " in message or " sent nothing for " in message else message) from exc
    detail = _one_line(answer.text[:500]) or f"HTTP {answer.status}"
    if answer.status == 400:
        raise QueryError(f"{name}: {_syntax_message(detail)}")
    if answer.status == 401:
        raise ServerError(f"{target} needs credentials (HTTP 401): {detail}")
    if answer.status == 404:
        raise ServerError(f"{target} has no SPARQL {'update' if update else 'query'} service (HTTP 404); "
                          f"check the URL (Oxigraph's is http://HOST:PORT/query)")
    if answer.status == 403 and update:
        raise ServerError(f"the endpoint is read-only: {target} refused the update (HTTP 403: {detail}); "
                          f"run updates on a writable store (kg serve --writable)")
    if answer.status == 500:
        raise ServerError(f"{target} failed on the query (HTTP 500): {detail}")
    if not 200 <= answer.status < 300:
        raise ServerError(f"{target} answered HTTP {answer.status}: {detail}")
    if update:
        return QueryResult(variables=[], rows=[])
    try:
        data = json.loads(answer.text)
    except json.JSONDecodeError as exc:
        if re.search(r"cancel|time ?out|timed out", answer.text[-500:], flags=re.IGNORECASE):  # Oxigraph's soft timeout
            raise ServerError(f"{target}: query timed out (the server cancelled it and cut the answer off); "
                              f"simplify the query or raise the server's timeout") from exc
        shown = _one_line(answer.text[:120]) or "an empty answer"
        raise ServerError(f"{endpoint} did not answer with SPARQL JSON results: not JSON ({shown!r})") from exc
    checked = check_results(data, endpoint)
    if isinstance(checked, bool):
        return QueryResult(variables=[], boolean=checked)
    variables, bindings = checked
    if limit is not None and (max_rows is None or limit <= max_rows):
        bindings = bindings[:limit]
    elif max_rows is not None and len(bindings) > max_rows:
        raise too_many_rows(name, max_rows)
    return QueryResult(variables=variables, rows=[tuple(_term(b.get(v)) for v in variables) for b in bindings])


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
