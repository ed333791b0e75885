"""One entity as the store knows it: names, identifiers, and the graphs that mention it (``kg lookup``).

An entity is looked up in the curated graph by any name :class:`kg.lookup.NameIndex`
accepts (label, synonym, CURIE in any spelling, IRI). Every graph of the store is
then asked how often it mentions the entity: the curated graph under the entity's own
IRI, each import under the IRIs the entity is linked to (``skos:exactMatch``, stated
by the curated graph or computed by ``kg import``, see :mod:`kg.joins`).

Examples
--------
>>> from kg.store import open_store
>>> with open_store() as snapshot:
...     record = look_up(snapshot, "CsA")
>>> record.curie, record.label, "DRUGBANK:DB00091" in record.identifiers
('kg:cyclosporine', 'cyclosporine', True)
>>> [(m.graph, m.edges > 0) for m in record.mentions][:1]
[('curated', True)]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kg.lookup import NameIndex
from kg.namespaces import iri_to_curie

_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
_XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Triples that describe a node rather than relate it (not counted as edges).
_NOT_EDGES = (_EXACT, _XREF, _ALT, _LABEL, _TYPE)


@dataclass(frozen=True)
class Mention:
    """How one graph of the store mentions the entity."""

    graph: str
    nodes: tuple[str, ...]   # the IRIs it is known by in that graph (those with edges there)
    edges: int               # triples that relate one of them to something else


@dataclass(frozen=True)
class EntityRecord:
    """What ``kg lookup`` shows."""

    iri: str
    curie: str
    label: str
    kinds: tuple[str, ...]
    synonyms: tuple[str, ...]
    identifiers: tuple[str, ...]
    mentions: tuple[Mention, ...] = field(default=())

    def to_dict(self) -> dict:
        return asdict(self)


def look_up(snapshot, name: str, index: NameIndex | None = None) -> EntityRecord:
    """The curated entity ``name`` denotes, with every graph of ``snapshot`` that mentions it."""
    import pyoxigraph as ox

    curated = snapshot.rdflib_graph("curated")
    index = index or NameIndex.of(curated)
    iri = index.resolve(name)
    store = snapshot.store
    node = ox.NamedNode(str(iri))

    def values(prop: str, graph: str) -> list[str]:
        return sorted({q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(prop), None,
                                                                       ox.NamedNode(graph))})

    curated_iri = snapshot.graphs["curated"].iri
    stated = values(_EXACT, curated_iri)
    mentions = []
    for info in snapshot.infos():
        names = [str(iri)] if info.kind == "curated" else sorted({*stated, *values(_EXACT, info.iri)})
        counts = {n: _edges(store, n, info.iri) for n in names}
        if info.kind == "curated" or any(counts.values()):
            used = tuple(n for n in names if counts[n] or info.kind == "curated")
            mentions.append(Mention(info.name, used, sum(counts.values())))
    kinds = tuple(sorted(k for k in index.kinds.get(iri, ()) if k not in ("Thing",)))
    return EntityRecord(iri=str(iri), curie=iri_to_curie(str(iri)) or str(iri), label=index.label(iri), kinds=kinds,
                        synonyms=tuple(values(_ALT, curated_iri)), identifiers=tuple(values(_XREF, curated_iri)),
                        mentions=tuple(mentions))


def _edges(store, iri: str, graph: str) -> int:
    """Triples of ``graph`` with ``iri`` at either end, other than its names, types and identifier links."""
    skip = ", ".join(f"<{p}>" for p in _NOT_EDGES)
    query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }} "
             f"FILTER(?p NOT IN ({skip})) }}")
    return int(next(iter(store.query(query)))[0].value)


def entity_text(record: EntityRecord, width: int | None = None) -> str:
    """The record as a short card and a table of the graphs that mention it."""
    from kg.text import render, terminal_width

    width = width or terminal_width()
    card = render(["field", "value"], [
        ["entity", f"{record.label} ({record.curie})"],
        ["kind", ", ".join(record.kinds) or "-"],
        ["synonyms", "; ".join(record.synonyms) or "-"],
        ["identifiers", ", ".join(record.identifiers) or "- (none verified; see data/identifier_gaps.tsv)"],
    ], width=width, layout="table")
    rows = [[m.graph, "\n".join(iri_to_curie(n) or n for n in m.nodes), f"{m.edges:,}"] for m in record.mentions]
    graphs = render(["graph", "known there as", "edges"], rows, width=width,
                    title="Graphs that mention it (edges: triples relating it to something else)")
    return card + "\n" + graphs
