"""Project the RDF graph onto a networkx MultiDiGraph for analysis and drawing.

Nodes are resources (keyed by CURIE, e.g. ``"kg:cyclosporine"``); literals
become attributes, never nodes. Edges are the relations between entities,
each with:

* ``relation`` (CURIE of the property), ``label``, ``family``
  (``mechanism``, ``clinical``, ``comparison``, ``association``, ``taxonomy``,
  ``membership`` or ``other``);
* ``sign`` read from the ontology (``kg:sign`` on the property or its nearest
  signed super-property): +1, -1, 0, or ``None`` when the relation has none;
* ``evidence``: a list of dicts (citation, identifier, locator, evidence type,
  its weight and rank, context, certainty);
* ``inherited`` / ``via``: a claim made about a drug class reaches each member
  drug as an edge with ``inherited=True`` and ``via`` the class CURIE.

Examples
--------
>>> from kg.network import project
>>> G = project(graph)                                     # doctest: +SKIP
>>> [d["sign"] for _, _, d in G.edges("kg:cyclosporine", data=True)
...  if d["relation"] == "kg:leavesUnchanged"]             # doctest: +SKIP
[0]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import DEFINITION, KG, OBOINOWL, iri_to_curie

FAMILIES = {
    KG.mechanismRelation: "mechanism",
    KG.clinicalRelation: "clinical",
    KG.drugComparison: "comparison",
    KG.associatedWith: "association",
    KG.subtypeOf: "taxonomy",
    KG.memberOf: "membership",
}
# Relations between entities that the projection keeps (besides class membership).
_ENTITY_RELATION_ROOTS = tuple(FAMILIES) + (KG.hasManifestation, KG.hasRole, KG.usedToAssess)
# Categories a node can have, most specific first.
_KINDS = ("Cytokine", "JanusKinase", "Protein", "ProteinComplex", "ProteinFamily", "Autoantibody",
          "Disease", "Manifestation", "AdverseEffect", "Drug", "Procedure", "Photoprotection",
          "CellType", "BiologicalProcess", "LabTest", "AssessmentInstrument", "PharmacologicalRole")


def curie(iri: URIRef | str) -> str:
    return iri_to_curie(str(iri)) or str(iri)


def _signs(graph: Graph, props: set[URIRef]) -> dict[URIRef, int | None]:
    out: dict[URIRef, int | None] = {}
    for prop in props:
        sign = None
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
            value = graph.value(ancestor, KG.sign)
            if value is not None:
                sign = int(value)
                break
        out[prop] = sign
    return out


def _family(graph: Graph, prop: URIRef) -> str:
    for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
        if ancestor in FAMILIES:
            return FAMILIES[ancestor]
    return "other"


def relation_properties(graph: Graph) -> set[URIRef]:
    """Object properties whose assertions are relations between entities."""
    props: set[URIRef] = set()
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        if any(a in _ENTITY_RELATION_ROOTS for a in graph.transitive_objects(prop, RDFS.subPropertyOf)):
            props.add(prop)
    return props


def _evidence_index(graph: Graph) -> dict[tuple[URIRef, URIRef, URIRef], list[dict[str, Any]]]:
    """(s, p, o) -> the evidence records of its axioms."""
    types: dict[URIRef, dict[str, Any]] = {}
    for ev in graph.subjects(RDF.type, KG.EvidenceType):
        types[ev] = {"label": str(graph.value(ev, RDFS.label) or curie(ev)),
                     "weight": float(graph.value(ev, KG.evidenceWeight) or 0.3),
                     "rank": int(graph.value(ev, KG.evidenceRank) or 99)}
    index: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for ax in graph.subjects(RDF.type, OWL.Axiom):
        citation = graph.value(ax, KG.citation)
        if citation is None:
            continue
        key = (graph.value(ax, OWL.annotatedSource), graph.value(ax, OWL.annotatedProperty),
               graph.value(ax, OWL.annotatedTarget))
        ev_type = graph.value(ax, KG.evidenceType)
        info = types.get(ev_type, {"label": "", "weight": 0.3, "rank": 99})
        ident = ""
        for prop, prefix in ((KG.doi, "doi:"), (KG.pmid, "PMID:"), (KG.localId, "")):
            value = graph.value(citation, prop)
            if value is not None:
                ident = f"{prefix}{value}"
                break
        certainty = graph.value(ax, KG.certainty)
        index[key].append({
            "citation": curie(citation),
            "citation_label": str(graph.value(citation, RDFS.label) or curie(citation)),
            "identifier": ident,
            "locator": str(graph.value(ax, KG.locator) or ""),
            "evidence_type": curie(ev_type) if ev_type is not None else "",
            "evidence_label": info["label"],
            "weight": info["weight"],
            "rank": info["rank"],
            "context": str(graph.value(ax, KG.context) or ""),
            "certainty": curie(certainty) if certainty is not None else "kg:stated",
            "supporting": sorted(curie(r) for r in graph.objects(ax, KG.supportingReference)),
        })
    return index


def _node_attrs(graph: Graph, iri: URIRef, drug_classes: set[URIRef]) -> dict[str, Any]:
    types = {t for t in graph.objects(iri, RDF.type) if isinstance(t, URIRef)}
    if iri in drug_classes:
        kind = "DrugClass"
    else:
        all_types = {str(a)[len(str(KG)):] for t in types for a in graph.transitive_objects(t, RDFS.subClassOf)
                     if str(a).startswith(str(KG))}
        kind = next((k for k in _KINDS if k in all_types), "Other")
    return {
        "iri": str(iri),
        "curie": curie(iri),
        "label": str(graph.value(iri, RDFS.label) or curie(iri)),
        "kind": kind,
        "classes": sorted(curie(t) for t in types if t in drug_classes),
        "definition": str(graph.value(iri, DEFINITION) or ""),
        "synonyms": sorted(str(s) for s in graph.objects(iri, SKOS.altLabel)),
        "xrefs": sorted(str(x) for x in graph.objects(iri, OBOINOWL.hasDbXref)),
    }


def drug_classes(graph: Graph) -> set[URIRef]:
    """OWL classes under kg:Drug (asserted or through a defined class's intersection)."""
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    out = set()
    for c in classes:
        if c == KG.Drug:
            continue
        if KG.Drug in set(graph.transitive_objects(c, RDFS.subClassOf)):
            out.add(c)
            continue
        for eq in graph.objects(c, OWL.equivalentClass):
            members = graph.value(eq, OWL.intersectionOf)
            if members is not None and KG.Drug in set(graph.items(members)):
                out.add(c)
    return out


def project(graph: Graph) -> nx.MultiDiGraph:
    """The entity-level network: entities and drug classes as nodes, cited relations as edges."""
    props = relation_properties(graph)
    signs = _signs(graph, props)
    labels = {p: str(graph.value(p, RDFS.label) or curie(p)) for p in props}
    families = {p: _family(graph, p) for p in props}
    evidence = _evidence_index(graph)
    classes = drug_classes(graph)
    G = nx.MultiDiGraph(name="dmkg entity network")

    def node(iri: URIRef) -> str:
        key = curie(iri)
        if key not in G:
            G.add_node(key, **_node_attrs(graph, iri, classes))
        return key

    for prop in props:
        for s, o in graph.subject_objects(prop):
            if not isinstance(s, URIRef) or not isinstance(o, URIRef) or isinstance(o, Literal):
                continue
            G.add_edge(node(s), node(o), key=curie(prop)[3:] if curie(prop).startswith("kg:") else curie(prop),
                       relation=curie(prop), label=labels[prop], sign=signs[prop], family=families[prop],
                       evidence=evidence.get((s, prop, o), []), inherited=False, via="")
    # Class membership of drugs (asserted or inferred), and subclass links between drug classes.
    asserted = _asserted_types(graph)
    for cls in classes:
        for member in graph.subjects(RDF.type, cls):
            if isinstance(member, URIRef) and (member, RDF.type, OWL.NamedIndividual) in graph:
                G.add_edge(node(member), node(cls), key="memberOfClass", relation="rdf:type",
                           label="member of class", sign=None, family="class",
                           evidence=evidence.get((member, RDF.type, cls), []),
                           inferred=(member, RDF.type, cls) not in asserted, inherited=False, via="")
        for sup in graph.objects(cls, RDFS.subClassOf):
            if sup in classes:
                G.add_edge(node(cls), node(sup), key="subClassOf", relation="rdfs:subClassOf",
                           label="subclass of", sign=None, family="class", evidence=[], inherited=False, via="")
    _inherit_class_claims(G)
    return G


def _asserted_types(graph: Graph) -> set[tuple]:
    """rdf:type triples not marked as inferred by the reasoner."""
    inferred = {(graph.value(a, OWL.annotatedSource), RDF.type, graph.value(a, OWL.annotatedTarget))
                for a in graph.subjects(KG.inferredBy, None)}
    return set(graph.triples((None, RDF.type, None))) - inferred


def members(G: nx.MultiDiGraph, cls: str) -> set[str]:
    """Drugs that belong to drug class ``cls`` (directly or through its subclasses)."""
    subclasses = {cls} | {u for u in nx.ancestors(_class_tree(G), cls)}
    return {u for u, v, k in G.in_edges(subclasses, keys=True) if k == "memberOfClass"}


def _class_tree(G: nx.MultiDiGraph) -> nx.DiGraph:
    tree = nx.DiGraph()
    tree.add_edges_from((u, v) for u, v, k in G.edges(keys=True) if k == "subClassOf")
    tree.add_nodes_from(n for n, d in G.nodes(data=True) if d.get("kind") == "DrugClass")
    return tree


def _inherit_class_claims(G: nx.MultiDiGraph) -> None:
    """Copy each class-level claim onto the class's member drugs, marked inherited."""
    claims = [(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
              if G.nodes[u].get("kind") == "DrugClass" and d["family"] not in ("class",)]
    for cls, target, key, data in claims:
        for drug in members(G, cls):
            G.add_edge(drug, target, key=f"{key}@{cls}", **{**data, "inherited": True, "via": cls})


def export_projection(graph: Graph, fmt: str, out: Path) -> Path:
    """Write the projection as GraphML or KGX TSV; implemented with the analysis layer."""
    raise NotImplementedError("GraphML/KGX export is added with the analysis module")
