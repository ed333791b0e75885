"""Saved SPARQL queries: read their headers, bind parameters, run them anywhere.

A saved query is ``queries/NAME.rq``: valid SPARQL whose first comment lines
are a grlc-style header, YAML after ``#+``::

    #+ summary: One line saying what the query answers
    #+ question: 1                      # competency question number(s), or null
    #+ tags: [mechanism, interferon]
    #+ params:
    #+   - name: cytokine
    #+     type: entity                 # entity | iri | string | integer | decimal | boolean
    #+     default: type I interferon   # omit for a required parameter
    #+     description: What it is

Parameter values are turned into RDF terms (entities through label / synonym /
CURIE lookup) and bound with a ``VALUES`` block placed first in the outer
``WHERE`` group: never pasted as text, and the same on the embedded store and
on any SPARQL 1.1 endpoint.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import EndpointError, KGError, QueryError, UnknownNameError
from kg.namespaces import iri_to_curie

PARAM_TYPES = ("entity", "iri", "string", "integer", "decimal", "boolean")
HEADER_KEYS = {"summary": True, "question": True, "tags": True, "params": False}
PARAM_KEYS = {"name": True, "type": True, "default": False, "description": True}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    default: Any = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class SavedQuery:
    name: str
    text: str
    summary: str
    questions: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    path: Path | None = None


# ---------------------------------------------------------------------------
# Reading saved queries
# ---------------------------------------------------------------------------

def parse_header(text: str, source: str = "<query>") -> dict[str, Any]:
    """The ``#+`` header as a dict; a malformed header raises :class:`QueryError`."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped and not stripped.startswith("#"):
            break
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict):
        raise QueryError(f"{source}: header must be 'key: value' lines")
    for key in header:
        if key not in HEADER_KEYS:
            raise QueryError(f"{source}: unknown header key {key!r} (known: {', '.join(HEADER_KEYS)})")
    return header


def load_query(path: Path, strict: bool = True) -> SavedQuery:
    """Read one ``.rq`` file; with ``strict`` its header must be complete and well-formed."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    header = parse_header(text, str(path))
    if not header and not strict:
        return SavedQuery(name=name, text=text, summary="(ad hoc query)", path=path)
    for key, required in HEADER_KEYS.items():
        if required and key not in header:
            raise QueryError(f"{path}: header lacks '#+ {key}:'")
    summary = header["summary"]
    if not isinstance(summary, str) or not summary.strip():
        raise QueryError(f"{path}: summary must be a non-empty line of text")
    questions = header["question"]
    if questions is None:
        questions = []
    elif isinstance(questions, int):
        questions = [questions]
    if not isinstance(questions, list) or not all(isinstance(q, int) and 1 <= q <= 99 for q in questions):
        raise QueryError(f"{path}: question must be a competency question number, a list of them, or null")
    tags = header["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise QueryError(f"{path}: tags must be a non-empty list of words")
    params = tuple(_param(p, path) for p in header.get("params") or [])
    if params and not _where_brace(text):
        raise QueryError(f"{path}: a query with parameters needs an explicit 'WHERE {{'")
    return SavedQuery(name=name, text=text, summary=summary.strip(), questions=tuple(questions),
                      tags=tuple(tags), params=params, path=path)


def _param(raw: Any, path: Path) -> Param:
    if not isinstance(raw, dict):
        raise QueryError(f"{path}: each param is a mapping with name, type, description (and default)")
    for key in raw:
        if key not in PARAM_KEYS:
            raise QueryError(f"{path}: unknown param key {key!r} (known: {', '.join(PARAM_KEYS)})")
    for key, required in PARAM_KEYS.items():
        if required and not raw.get(key):
            raise QueryError(f"{path}: param lacks {key!r}")
    if raw["type"] not in PARAM_TYPES:
        raise QueryError(f"{path}: param {raw['name']!r} has type {raw['type']!r}; use one of {', '.join(PARAM_TYPES)}")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(raw["name"])):
        raise QueryError(f"{path}: param name {raw['name']!r} is not a SPARQL variable name")
    return Param(name=str(raw["name"]), type=raw["type"], description=str(raw["description"]),
                 default=raw.get("default"))


def saved_queries(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query, by name (``folder`` defaults to the project's ``queries/``)."""
    from kg.project import Project

    folder = folder or Project.discover().queries
    return {q.name: q for q in (load_query(p) for p in sorted(folder.glob("*.rq")))}


def find_query(name_or_path: str) -> SavedQuery:
    """A saved query by name, or any ``.rq`` file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or candidate.exists():
        if not candidate.is_file():
            raise QueryError(f"no query file {name_or_path}")
        return load_query(candidate, strict=False)
    from kg.project import Project

    own = Project.discover().queries / f"{name_or_path}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and own.is_file():  # read only the one asked for
        return load_query(own)
    queries = saved_queries()
    if name_or_path in queries:
        return queries[name_or_path]
    raise UnknownNameError("query", name_or_path, queries)


# ---------------------------------------------------------------------------
# Binding parameters
# ---------------------------------------------------------------------------

def _where_brace(text: str) -> int | None:
    """Offset just after the '{' that opens the outer WHERE group (comments and strings ignored)."""
    masked = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*',
                    lambda m: " " * len(m.group(0)), text)
    match = re.search(r"\bWHERE\s*\{", masked, flags=re.IGNORECASE)
    return match.end() if match else None


def to_term(param: Param, value: Any, graph: Graph | None) -> URIRef | Literal:
    """A user's value (text) as the RDF term the parameter's type asks for."""
    if isinstance(value, (URIRef, Literal)):
        return value
    text = str(value)
    try:
        if param.type == "entity":
            if graph is None:
                raise QueryError(f"parameter {param.name!r}: an entity name needs the local graph to look up")
            from kg.lookup import resolve

            return resolve(graph, text, kind=f"value for {param.name}")
        if param.type == "iri":
            if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+", text):
                raise QueryError(f"parameter {param.name!r}: {text!r} is not an IRI")
            return URIRef(text)
        if param.type == "integer":
            return Literal(int(text))
        if param.type == "decimal":
            return Literal(Decimal(text))
        if param.type == "boolean":
            if text.lower() not in ("true", "false"):
                raise QueryError(f"parameter {param.name!r}: {text!r} is not true or false")
            return Literal(text.lower() == "true")
        return Literal(text)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"parameter {param.name!r}: {text!r} is not a valid {param.type}") from exc


def bind(query: SavedQuery, values: dict[str, Any], graph: Graph | None) -> str:
    """Query text with a VALUES block binding every declared parameter (given or default)."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(f"{query.name}: unknown parameter {unknown[0]!r} (parameters: {names})")
    bound: list[tuple[str, URIRef | Literal]] = []
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            raise QueryError(f"{query.name}: missing parameter {param.name!r} ({param.description}); "
                             f"give --param {param.name}=VALUE")
        bound.append((param.name, to_term(param, value, graph)))
    if not bound:
        return query.text
    at = _where_brace(query.text)
    if at is None:
        raise QueryError(f"{query.name}: parameters need an explicit 'WHERE {{' to bind into")
    names = " ".join(f"?{n}" for n, _ in bound)
    terms = " ".join(term.n3() for _, term in bound)
    return f"{query.text[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{query.text[at:]}"


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

@dataclass
class QueryResult:
    """Rows of a SELECT (terms or None), or the answer of an ASK."""

    variables: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.variables.index(name)
        return [row[i] for row in self.rows]


def run_query(query: str | SavedQuery, params: dict[str, Any] | None = None, *,
              graph: Graph | str | list[str] | None = None, endpoint: str | None = None, limit: int | None = None,
              store: Any = None, timeout: float = 60.0) -> QueryResult:
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
    >>> sorted(str(r["status"]) for r in result.records())
    ['no evidence', 'no evidence', 'spares']
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
    lookup = rdf if rdf is not None else snapshot.lookup_graph if snapshot is not None and names_entities else None
    text = bind(saved, dict(params or {}), lookup)
    if not endpoint and is_update(text):
        raise QueryError(f"{saved.name} is a SPARQL Update and the embedded graph is read-only; "
                         f"run it on a writable store with --endpoint (kg serve --writable)")
    if endpoint:
        result = _run_remote(text, endpoint, saved.name, timeout, graphs=_graph_iris(selector))
    elif rdf is not None:
        result = _run_local(text, rdf, saved.name)
    else:
        result = _run_store(text, snapshot, selector, saved.name)
    if limit is not None:
        if limit < 0:
            raise QueryError("--limit must be zero or more")
        result.rows = result.rows[:limit]
    return result


def _graph_iris(selector: str | list[str] | None) -> list[str]:
    """IRIs of the graphs a selector names, without opening the store (for an endpoint); [] for "all"."""
    from kg.store import CURATED, IMPORT_BASE, META

    names = selector.split(",") if isinstance(selector, str) else list(selector or [])
    names = [n.strip() for n in names]
    if not names or "all" in names:
        return []
    return [CURATED if n == "curated" else META if n == "meta" else IMPORT_BASE + n for n in names]


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


# ---------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------

FORMATS = ("table", "csv", "tsv", "json")


def to_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2)
    bindings = []
    for row in result.rows:
        item = {}
        for var, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, URIRef):
                item[var] = {"type": "uri", "value": str(term)}
            elif isinstance(term, BNode):
                item[var] = {"type": "bnode", "value": str(term)}
            else:
                cell: dict[str, str] = {"type": "literal", "value": str(term)}
                if term.language:
                    cell["xml:lang"] = term.language
                elif term.datatype and term.datatype != XSD.string:
                    cell["datatype"] = str(term.datatype)
                item[var] = cell
        bindings.append(item)
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      indent=2, ensure_ascii=False)


def to_delimited(result: QueryResult, delimiter: str) -> str:
    """CSV or TSV: a header row of variable names, then plain values (IRIs in full)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow([str(result.boolean).lower()])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else str(t) for t in row])
    return out.getvalue()


def cell_text(term: Any, graph: Graph | None) -> str:
    """A term for people: 'label (CURIE)' for a resource, the value for a literal."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        curie = iri_to_curie(str(term)) or str(term)
        if graph is not None:
            from kg.lookup import name_index

            label = name_index(graph).labels.get(term)
            if label and label != curie:
                return f"{label} ({curie})"
        return curie
    return str(term)


def format_result(result: QueryResult, fmt: str, graph: Graph | None = None) -> str:
    """Render a result as table, csv, tsv or json."""
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_delimited(result, ",")
    if fmt == "tsv":
        return to_delimited(result, "\t")
    if fmt != "table":
        raise KGError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    from kg.render_text import table

    rows = [[cell_text(t, graph) for t in row] for row in result.rows]
    return table(result.variables, rows)
