"""GraphML of the entity network, for Gephi, Cytoscape and networkx: unique edge ids, typed attributes.

Each edge's GraphML id is ``SOURCE/KEY/TARGET`` (:func:`kg.export.records.edge_id`; KEY, kept as
``projection_key``, is the relation, or ``relation@class`` for a claim inherited from a drug class), so
tools that key edges by id keep every one. Attributes keep their types (``sign``
an int, ``inherited`` a boolean); lists and evidence records are JSON strings;
absent values are left out. Nodes and edges are written in sorted order and the
graph carries the ontology's version, so the same build gives the same bytes.

Examples
--------
>>> import io, networkx as nx
>>> H = nx.read_graphml(io.BytesIO(graphml_bytes(graph)), force_multigraph=True)
>>> len({k for _, _, k in H.edges(keys=True)}) == H.number_of_edges()
True
"""

from __future__ import annotations

import io
import json
from typing import Any

from rdflib import Graph

from kg.export.header import graph_metadata
from kg.export.records import edge_id


def _plain(value: Any) -> Any:
    """Lists, tuples and mappings (evidence records) as plain JSON values."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in sorted(attrs.items()):
        if v is None:
            continue
        out[k] = v if isinstance(v, (str, int, float, bool)) else json.dumps(_plain(v), ensure_ascii=False,
                                                                              sort_keys=True)
    return out


def graphml_bytes(graph: Graph) -> bytes:
    """The projection of ``graph`` as GraphML (UTF-8)."""
    import networkx as nx

    from kg.network import project

    G = project(graph)
    meta = graph_metadata(graph)
    H = nx.MultiDiGraph(name=G.graph.get("name", ""), version=meta["version"], version_iri=meta["version_iri"],
                        license=meta["license"])
    H.add_nodes_from((n, _scalars(d)) for n, d in sorted(G.nodes(data=True)))
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        H.add_edge(u, v, key=edge_id(u, key, v), **_scalars({**d, "projection_key": key}))
    buffer = io.BytesIO()
    nx.write_graphml(H, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buffer.getvalue()
