"""Load the built graph into an embedded store.

Two backends answer the same rdflib ``Graph.query`` call:

* ``oxigraph`` - rdflib over pyoxigraph (oxrdflib): fast parse and query;
* ``memory``   - rdflib's own in-memory store.

The default is whichever ``bench/bench_stores.py`` measured faster on the
saved queries with identical answers (see README, "Query"). Each call loads a
fresh graph that belongs to its caller: nothing is cached here, so a graph one
caller edits is never handed to another.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import FormatError
from kg.project import Project

STORES = ("oxigraph", "memory")
DEFAULT_STORE = "oxigraph"


def load_graph(path: Path | None = None, store: str = DEFAULT_STORE, project: Project | None = None) -> Graph:
    """The built graph (``dist/current/kg.nt``, building it first if needed) in the chosen store."""
    if store not in STORES:
        raise FormatError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    if path is None:
        from kg.build import ensure_built

        path = ensure_built(project).ntriples
    path = Path(path)
    fmt = "nt" if path.suffix == ".nt" else "turtle"
    if store == "oxigraph":
        graph = Graph(store="Oxigraph")
        graph.parse(path, format=f"ox-{fmt}")
    else:
        graph = Graph()
        graph.parse(path, format=fmt)
    from kg.namespaces import bind_prefixes

    bind_prefixes(graph)
    return graph
