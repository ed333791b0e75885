"""Where a SPARQL store's query, update and Graph Store services are, from the one URL a user gives.

Each store lays its services out its own way. :func:`store_urls` recognises
the layout from the URL's path; :func:`detect_store` settles the two
ambiguous cases (a server's root, and ``/sparql`` at the root, which both
Oxigraph and Virtuoso serve) by one ``GET`` of the server's root, whose
``Server`` header names the product. ``HOST`` stands for ``scheme://host:port``::

    URL given                                  store      query           update          graph store
    HOST/query | /update | /store              Oxigraph   /query          /update         /store
    HOST (root; probed)                        Oxigraph   /query          /update         /store
                                               Virtuoso   /sparql         /sparql         /sparql-graph-crud
    HOST/sparql (probed) | /sparql-graph-crud  Virtuoso   /sparql         /sparql         /sparql-graph-crud
    HOST/sparql-auth | /sparql-graph-crud-auth Virtuoso   /sparql-auth    /sparql-auth    /sparql-graph-crud-auth
    HOST/DATASET/sparql|query|update|data|get  Fuseki     /DATASET/sparql /DATASET/update /DATASET/data
    HOST/.../repositories/ID[/statements|...]  GraphDB,   /repositories/ID  .../ID/statements  .../ID/rdf-graphs/service
                                               RDF4J
    anything else                              -          the URL         the URL         the URL

Virtuoso checks credentials only on its ``-auth`` services (HTTP Digest), so
with a user name its plain URLs become those. Sources for the layouts:
Oxigraph's server (its ``/`` page lists them), Virtuoso 7.2.5 as run here,
Jena's Fuseki configuration documentation (service names ``sparql``,
``query``, ``update``, ``data``, ``get``) and the RDF4J REST API reference
(https://rdf4j.org/documentation/reference/rest-api/), which GraphDB
implements. Only Oxigraph and Virtuoso are tested against a running server.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.sparql_http import check_url, request

_FUSEKI_SERVICES = ("sparql", "query", "update", "data", "get")
_VIRTUOSO_SERVICES = ("sparql", "sparql-auth", "sparql-graph-crud", "sparql-graph-crud-auth")


@dataclass(frozen=True)
class StoreURLs:
    """The three services of a SPARQL store, and which product serves them ("" when not known)."""

    query: str
    update: str
    store: str
    kind: str = ""

    @property
    def default_graph_writable(self) -> bool:
        """False for Virtuoso: it has no default graph of its own (queries without FROM read every graph)."""
        return self.kind != "virtuoso"


def _virtuoso(root: str, auth: bool) -> StoreURLs:
    tail = "-auth" if auth else ""
    return StoreURLs(f"{root}/sparql{tail}", f"{root}/sparql{tail}", f"{root}/sparql-graph-crud{tail}", "virtuoso")


def _oxigraph(root: str) -> StoreURLs:
    return StoreURLs(f"{root}/query", f"{root}/update", f"{root}/store", "oxigraph")


def is_ambiguous(endpoint: str) -> bool:
    """Whether the layout of ``endpoint`` depends on the product (a server root, or ``/sparql`` at the root)."""
    return urlsplit(check_url(endpoint)).path.rstrip("/") in ("", "/sparql")


def store_urls(endpoint: str, server: str = "", user: str | None = None) -> StoreURLs:
    """The services of the store at ``endpoint`` (any of its URLs), given its ``Server`` header if known.

    Examples
    --------
    >>> store_urls("http://127.0.0.1:7878").update
    'http://127.0.0.1:7878/update'
    >>> store_urls("http://127.0.0.1:8890/sparql").store
    'http://127.0.0.1:8890/sparql-graph-crud'
    >>> store_urls("http://127.0.0.1:8890/sparql", user="dba").update
    'http://127.0.0.1:8890/sparql-auth'
    >>> store_urls("http://localhost:3030/ds/query").store
    'http://localhost:3030/ds/data'
    >>> store_urls("http://localhost:7200/repositories/kg").update
    'http://localhost:7200/repositories/kg/statements'
    """
    parts = urlsplit(check_url(endpoint))
    root = f"{parts.scheme}://{parts.netloc}"
    segments = [s for s in parts.path.split("/") if s]
    vendor = server.lower()
    if "repositories" in segments[:-1]:
        at = segments.index("repositories")
        repo = root + "/" + "/".join(segments[:at + 2])
        return StoreURLs(repo, f"{repo}/statements", f"{repo}/rdf-graphs/service", "rdf4j")
    last = segments[-1] if segments else ""
    url = root + parts.path.rstrip("/")
    if len(segments) == 1 and last in _VIRTUOSO_SERVICES[1:]:
        return _virtuoso(root, auth=last.endswith("-auth") or user is not None)
    if not segments or segments == ["sparql"]:  # probed: Server header given, or "" when not asked
        if "virtuoso" in vendor or segments and not vendor:
            return _virtuoso(root, auth=user is not None)
        if "oxigraph" in vendor or not segments:
            return _oxigraph(root)
        return StoreURLs(url, url, url)
    if len(segments) == 1 and last in ("query", "update", "store"):
        return _oxigraph(root)
    if len(segments) > 1 and last in _FUSEKI_SERVICES:
        dataset = root + "/" + "/".join(segments[:-1])
        query = f"{dataset}/query" if last == "query" else f"{dataset}/sparql"
        return StoreURLs(query, f"{dataset}/update", f"{dataset}/data", "fuseki")
    return StoreURLs(url, url, url)


def detect_store(endpoint: str, user: str | None = None, timeout: float = 30.0) -> StoreURLs:
    """:func:`store_urls`, with one ``GET`` of the server's root to read its ``Server`` header when ambiguous."""
    server = ""
    if is_ambiguous(endpoint):
        parts = urlsplit(check_url(endpoint))
        answer = request("GET", f"{parts.scheme}://{parts.netloc}/", deadline_s=timeout, max_bytes=1 << 16,
                         truncate=True)
        server = answer.server
    return store_urls(endpoint, server=server, user=user)
