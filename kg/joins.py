"""Where an imported graph meets the curated one: shared identifiers become ``skos:exactMatch`` links.

After ``kg import`` has loaded a graph (:mod:`kg.graph_import`), :func:`join_import`
finds the imported nodes that carry a verified identifier of a curated entity (its
``oboInOwl:hasDbXref``). A KGX import is matched by the identifiers its files give
(:func:`kg.identifiers.canonical_curie` reads CURIEs of any case, IRIs and Hetionet's
``Compound::DB00091``); an RDF import by looking up, in the graph's indexes, each curated
identifier's IRI forms (:func:`kg.identifiers.iri_forms`: OBO PURLs, identifiers.org,
bioregistry.io, n2t and providers' URLs, http or https), so joining costs the same for a
million-edge import as for a small one. Each match the
curated graph does not already state (it states ``skos:exactMatch`` to the IRIs of
``kg.namespaces.IRI_STEMS``) is written into the **import's own graph** as ::

    <curated entity> skos:exactMatch <imported node> .

so that removing the import removes its links, and the import's provenance record
(``kg graphs``) counts them by prefix under ``joins``: every ``skos:exactMatch`` from a
``kg:`` entity in an import's graph was computed by ``kg import``, none is curated.
Links are computed against the curated graph at import time; after a rebuild that
adds identifiers, ``kg import --replace`` the file to refresh them. Nodes whose label
equals a curated entity's label or synonym but share no identifier are listed as
``candidates`` (names only; no link is written).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kg.identifiers import canonical_curie, iri_forms
from kg.kgx import fallback_parts
from kg.lookup import normalise
from kg.namespaces import KG

_SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
_XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
#: Properties whose objects are not nodes of the graph: types, categories, identifiers of other
#: resources (KGX ``xref``), citations, and the parts of a reified statement (its ends are nodes anyway).
_NOT_NODES = frozenset((
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate", "http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
    "https://w3id.org/biolink/vocab/category", "https://w3id.org/biolink/vocab/xref",
    "https://w3id.org/biolink/vocab/publications", _XREF))
#: How many label-only candidates a report keeps (the count is always complete).
CANDIDATES_SHOWN = 50


@dataclass
class Joins:
    """What :func:`join_import` linked."""

    links: list[tuple[str, str]] = field(default_factory=list)   # (curated entity IRI, imported node IRI)
    written: list[tuple[str, str]] = field(default_factory=list)  # the links the curated graph lacked
    by_prefix: Counter = field(default_factory=Counter)
    candidates: list[dict] = field(default_factory=list)         # {"node", "label", "entity"}
    candidate_count: int = 0


def _is_node(store, iri: str, graph) -> bool:
    """True when ``iri`` is a subject in ``graph``, or an object of a property that links nodes."""
    import pyoxigraph as ox

    term = ox.NamedNode(iri)
    if next(iter(store.quads_for_pattern(term, None, None, graph)), None) is not None:
        return True
    return any(quad.predicate.value not in _NOT_NODES for quad in store.quads_for_pattern(None, None, term, graph))


def node_curie(iri: str, graph_iri: str) -> str | None:
    """The canonical CURIE of an imported node's IRI, including the fallback IRIs KGX imports mint.

    A KGX identifier of a prefix without a known IRI becomes ``<graph>/PREFIX/LOCAL``
    (:mod:`kg.kgx`); Hetionet's ``Compound::DB00091`` so becomes ``<graph>/Compound/:DB00091``.

    Examples
    --------
    >>> het = "https://w3id.org/dmkg/graph/import/het"
    >>> node_curie(het + "/Compound/:DB00091", het), node_curie("http://purl.obolibrary.org/obo/MONDO_0016367", het)
    ('DRUGBANK:DB00091', 'MONDO:0016367')
    """
    if iri.startswith(graph_iri + "/"):
        parts = fallback_parts(iri, graph_iri)
        if parts is None or parts[0] in ("edge", "_"):
            return None
        prefix, local = parts
        return canonical_curie(f"{prefix}::{local[1:]}" if local.startswith(":") else f"{prefix}:{local}")
    if iri.startswith(str(KG)):
        return None
    return canonical_curie(iri)


def join_import(store, graph_iri: str, curated_iri: str, kgx_ids: dict[str, str] | None = None) -> Joins:
    """Link the nodes of import ``graph_iri`` to curated entities by identifier, in a writable store.

    ``kgx_ids`` (a KGX import: every node identifier its files name -> the node's IRI) is matched
    by identifier directly. Without it (an RDF import) each curated identifier's IRI forms
    (:func:`kg.identifiers.iri_forms`) are looked up in the graph's indexes, so the cost follows the
    curated graph (a few hundred identifiers), not the import.
    """
    import pyoxigraph as ox

    curated = ox.NamedNode(curated_iri)
    by_curie: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(_XREF), None, curated):
        canonical = canonical_curie(quad.object.value)
        if canonical and isinstance(quad.subject, ox.NamedNode):
            by_curie.setdefault(canonical, set()).add(quad.subject.value)
    names: dict[str, set[str]] = {}
    for prop in (_LABEL, _ALT):
        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None, curated):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(str(KG)):
                names.setdefault(normalise(quad.object.value), set()).add(quad.subject.value)

    graph = ox.NamedNode(graph_iri)
    if kgx_ids is None:
        found = sorted((node, curie) for curie in by_curie for node in iri_forms(curie) if _is_node(store, node, graph))
    else:
        found = sorted((iri, curie) for identifier, iri in kgx_ids.items()
                       if (curie := canonical_curie(identifier)) in by_curie)
    joins = Joins()
    joined: set[str] = set()
    for node, canonical in found:
        for entity in sorted(by_curie[canonical]):
            joins.links.append((entity, node))
            joins.by_prefix[canonical.split(":", 1)[0]] += 1
            joined.add(node)
    exact = ox.NamedNode(_SKOS_EXACT)
    asserted = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, exact, None, curated)}
    joins.written = [link for link in joins.links if link not in asserted]  # the curated graph has the others
    store.extend([ox.Quad(ox.NamedNode(e), exact, ox.NamedNode(n), graph) for e, n in joins.written])

    label = ox.NamedNode(_LABEL)
    for quad in store.quads_for_pattern(None, label, None, graph):
        node = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else None
        if node is None or node in joined or not isinstance(quad.object, ox.Literal):
            continue
        for entity in sorted(names.get(normalise(quad.object.value), ())):
            joins.candidate_count += 1
            if len(joins.candidates) < CANDIDATES_SHOWN:
                joins.candidates.append({"node": node, "label": quad.object.value,
                                         "entity": "kg:" + entity[len(str(KG)):]})
    return joins
