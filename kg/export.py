"""Write the built graph in the formats other semantic tools read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from kg.errors import FormatError
from kg.files import write_atomic

if TYPE_CHECKING:
    import networkx as nx

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
    and ``graphml`` go through the networkx projection of :mod:`kg.network`
    (:func:`export_projection`).
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if fmt in RDF_FORMATS:
        serializer, _ = RDF_FORMATS[fmt]
        kwargs = {"auto_compact": True} if fmt == "jsonld" else {}
        data = graph.serialize(format=serializer, encoding="utf-8", **kwargs)
        write_atomic(out, data)
        return out
    return export_projection(graph, fmt, out)


BIOLINK_CATEGORY = {
    "Drug": "biolink:Drug", "Disease": "biolink:Disease", "Manifestation": "biolink:PhenotypicFeature",
    "AdverseEffect": "biolink:PhenotypicFeature", "Protein": "biolink:Protein", "Cytokine": "biolink:Protein",
    "JanusKinase": "biolink:Protein", "CellType": "biolink:Cell", "BiologicalProcess": "biolink:BiologicalProcess",
    "Procedure": "biolink:Procedure", "DrugClass": "biolink:ChemicalEntity",
}
KGX_NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym")
KGX_EDGE_COLUMNS = ("id", "subject", "predicate", "object", "relation", "publications", "knowledge_source",
                    "sign", "family", "inherited", "via")


def export_projection(graph: Graph, fmt: str, out: Path) -> Path:
    """Write the projection of ``graph`` as GraphML or KGX TSV, atomically.

    ``graphml``: :func:`networkx.write_graphml` of :func:`project`, with list and dict
    attributes (evidence, classes, synonyms, xrefs) serialised as JSON strings and
    ``None`` values left out. Returns ``out``.

    ``kgx``: two KGX TSV files, ``OUT_nodes.tsv`` (id, category, name, description,
    xref, synonym) and ``OUT_edges.tsv`` (id, subject, predicate, object, relation,
    publications, knowledge_source and the projection's sign, family, inherited and
    via). Predicates are the project's own CURIEs (``kg:inhibits``); ``relation`` is the
    RO term the property (or its nearest super-property) matches with
    ``skos:exactMatch``/``skos:closeMatch``; categories are Biolink classes for the
    obvious kinds and ``biolink:NamedThing`` otherwise; ``publications`` lists DOIs,
    PMIDs or local ids, ``knowledge_source`` the citing resources. Multi-valued cells
    are joined with ``|``. Returns the nodes file (the edges file sits beside it).

    Examples
    --------
    >>> import tempfile
    >>> export_projection(graph, "kgx", Path(tempfile.mkdtemp()) / "kg").name
    'kg_nodes.tsv'
    """
    from kg.network import project

    G = project(graph)
    out = Path(out)
    if fmt == "graphml":
        write_atomic(out, _graphml_bytes(G))
        return out
    if fmt != "kgx":
        raise FormatError(f"unknown projection format {fmt!r}; choose graphml or kgx")
    stem = out.with_suffix("") if out.suffix in (".tsv", ".kgx") else out
    nodes_path = stem.parent / f"{stem.name}_nodes.tsv"
    edges_path = stem.parent / f"{stem.name}_edges.tsv"
    ro = _ro_matches(graph)
    node_rows = [[n, BIOLINK_CATEGORY.get(d.get("kind", ""), "biolink:NamedThing"), d.get("label", ""),
                  d.get("definition", ""), "|".join(d.get("xrefs", ())), "|".join(d.get("synonyms", ()))]
                 for n, d in sorted(G.nodes(data=True))]
    edge_rows = []
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        pubs = sorted({e.get("identifier") or e.get("citation", "") for e in d.get("evidence", ())} - {""})
        sources = sorted({e.get("citation", "") for e in d.get("evidence", ())} - {""})
        sign = d.get("sign")
        edge_rows.append([f"{u}/{key}/{v}", u, d.get("relation", ""), v, ro.get(d.get("relation", ""), ""),
                          "|".join(pubs), "|".join(sources), "" if sign is None else str(sign),
                          d.get("family", ""), str(bool(d.get("inherited"))).lower(), d.get("via", "")])
    write_atomic(nodes_path, _tsv(KGX_NODE_COLUMNS, node_rows))
    write_atomic(edges_path, _tsv(KGX_EDGE_COLUMNS, edge_rows))
    return nodes_path


def _tsv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    def clean(value: object) -> str:
        return " ".join(str(value).replace("\t", " ").split())
    lines = ["\t".join(header)] + ["\t".join(clean(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _scalar_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attributes are all GraphML scalars (str, int, float, bool)."""
    import networkx as nx

    def scalar(attrs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in attrs.items():
            if v is None:
                continue
            scalar = isinstance(v, (str, int, float, bool))
            out[k] = v if scalar else json.dumps(_plain(v), ensure_ascii=False, sort_keys=True)
        return out

    H = nx.MultiDiGraph(name=G.graph.get("name", ""))
    H.add_nodes_from((n, scalar(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, scalar(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


def _graphml_bytes(G: nx.MultiDiGraph) -> bytes:
    import io

    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(_scalar_copy(G), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _ro_matches(graph: Graph) -> dict[str, str]:
    """Property CURIE -> the RO CURIE it (or its nearest super-property) matches."""
    out: dict[str, str] = {}
    from kg.network import curie
    from kg.ontology import relation_properties

    for prop in relation_properties(graph):
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
            hits = sorted(str(m) for p in (SKOS.exactMatch, SKOS.closeMatch) for m in graph.objects(ancestor, p)
                          if str(m).startswith("http://purl.obolibrary.org/obo/RO_"))
            if hits:
                out[curie(prop)] = curie(URIRef(hits[0]))
                break
    return out


def _plain(value: Any) -> Any:
    """Lists, tuples and mappings (evidence records) as plain JSON values."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
