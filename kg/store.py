"""Load the built graph into an embedded store.

Two backends answer the same rdflib ``Graph.query`` call:

* ``oxigraph`` - rdflib over pyoxigraph (oxrdflib): fast parse and query;
* ``memory``   - rdflib's own in-memory store.

The default is whichever ``bench/bench_stores.py`` measured faster on the
saved queries with identical answers (see README, "Query").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from kg.errors import KGError

STORES = ("oxigraph", "memory")
DEFAULT_STORE = "oxigraph"


def load_graph(path: Path | None = None, store: str = DEFAULT_STORE) -> Graph:
    """The built graph (``dist/kg.nt``, building it first if needed) in the chosen store."""
    if store not in STORES:
        raise KGError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    if path is None:
        from kg.build import ensure_built

        path = ensure_built().ntriples
    return _load(Path(path).resolve(), store, Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: Path, store: str, _mtime: int) -> Graph:
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
