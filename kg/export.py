"""Write the built graph in the formats other semantic tools read."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.build import write_atomic
from kg.errors import KGError

# format name -> (rdflib serializer, usual suffix)
RDF_FORMATS = {
    "ttl": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".owl"),
}
FORMATS = tuple(RDF_FORMATS) + ("kgx", "graphml")


def export(graph: Graph, fmt: str, out: Path) -> Path:
    """Serialise ``graph`` as ``fmt`` to ``out`` (atomically); returns the path written.

    ``kgx`` (KGX TSV nodes/edges, written as ``out`` + ``_nodes.tsv``/``_edges.tsv``)
    and ``graphml`` go through the networkx projection of :mod:`kg.network`.
    """
    if fmt not in FORMATS:
        raise KGError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if fmt in RDF_FORMATS:
        serializer, _ = RDF_FORMATS[fmt]
        kwargs = {"auto_compact": True} if fmt == "jsonld" else {}
        data = graph.serialize(format=serializer, encoding="utf-8", **kwargs)
        write_atomic(out, data)
        return out
    from kg import network  # the projection belongs to the analysis layer

    return network.export_projection(graph, fmt, out)
