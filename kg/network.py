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
  drug as an edge with ``inherited=True`` and ``via`` the class CURIE;
* ``definitional=True`` on the relation a defined class states by definition
  (``TNF inhibitor inhibits TNF-α``, cited to the class definition).

Besides :func:`project`: :func:`node_id` finds a node by label, synonym or
CURIE; :func:`broader` / :func:`narrower` follow subtype and family links;
:func:`with_subsumption` lets claims about a general entity reach its special
cases (for the analyses in :mod:`kg.analysis`); :func:`export_projection`
writes GraphML or KGX TSV.

Examples
--------
>>> from kg.network import project
>>> G = project(graph)
>>> [d["sign"] for _, _, d in G.edges("kg:cyclosporine", data=True)
...  if d["relation"] == "kg:leavesUnchanged"]
[0]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import ontology
from kg.evidence import Evidence, EvidenceReader
from kg.namespaces import DEFINITION, KG, OBOINOWL, ONTOLOGY_IRI, iri_to_curie
from kg.ontology import class_definitions, drug_classes, relation_properties  # noqa: F401 (re-exported)


def curie(iri: URIRef | str) -> str:
    return iri_to_curie(str(iri)) or str(iri)


def _evidence_index(graph: Graph, reader: EvidenceReader) -> dict[tuple, list[Evidence]]:
    """(s, p, o) -> the evidence of its axioms."""
    index: dict[tuple, list[Evidence]] = defaultdict(list)
    for ax in graph.subjects(RDF.type, OWL.Axiom):
        record = reader.read(ax)
        if record is None:
            continue
        key = (graph.value(ax, OWL.annotatedSource), graph.value(ax, OWL.annotatedProperty),
               graph.value(ax, OWL.annotatedTarget))
        index[key].append(record)
    return index


class _Nodes:
    """Node attributes of one graph: label, category (from ``kg:categoryRank``), definition, names."""

    def __init__(self, graph: Graph, drug_classes: set[URIRef]):
        self.graph, self.drug_classes = graph, drug_classes
        self.ranked = [name for _, name in ontology.categories(graph)]
        self._supers: dict[URIRef, set[str]] = {}

    def supers(self, cls: URIRef) -> set[str]:
        if cls not in self._supers:
            self._supers[cls] = {str(a)[len(str(KG)):] for a in self.graph.transitive_objects(cls, RDFS.subClassOf)
                                 if str(a).startswith(str(KG))}
        return self._supers[cls]

    def attrs(self, iri: URIRef) -> dict[str, Any]:
        graph = self.graph
        types = {t for t in graph.objects(iri, RDF.type) if isinstance(t, URIRef)}
        all_types = set().union(*(self.supers(t) for t in types)) if types else set()
        if iri in self.drug_classes:
            kind, all_types = "DrugClass", all_types | {"DrugClass", "Therapy"}
        else:
            kind = next((k for k in self.ranked if k in all_types), "Other")
        return {
            "iri": str(iri),
            "curie": curie(iri),
            "label": str(graph.value(iri, RDFS.label) or curie(iri)),
            "kind": kind,
            "categories": sorted(all_types),
            "classes": sorted(curie(t) for t in types if t in self.drug_classes),
            "definition": str(graph.value(iri, DEFINITION) or ""),
            "synonyms": sorted(str(s) for s in graph.objects(iri, SKOS.altLabel)),
            "xrefs": sorted(str(x) for x in graph.objects(iri, OBOINOWL.hasDbXref)),
        }


def project(graph: Graph) -> nx.MultiDiGraph:
    """The entity-level network: entities and drug classes as nodes, cited relations as edges."""
    families = ontology.relation_families(graph)
    props = set(families)
    signs = ontology.signs(graph, props)
    labels = {p: str(graph.value(p, RDFS.label) or curie(p)) for p in props}
    reader = EvidenceReader.of(graph)
    evidence = _evidence_index(graph, reader)
    classes = drug_classes(graph)
    attrs = _Nodes(graph, classes)
    G = nx.MultiDiGraph(name="dmkg entity network")

    def node(iri: URIRef) -> str:
        key = curie(iri)
        if key not in G:
            G.add_node(key, **attrs.attrs(iri))
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
    _add_definitional_claims(graph, reader, G, node, props, labels, signs, families)
    _inherit_class_claims(G)
    return G


def _add_definitional_claims(graph: Graph, reader: EvidenceReader, G: nx.MultiDiGraph, node, props, labels, signs,
                             families) -> None:
    """A defined class states its defining relation: ``TNF inhibitor inhibits TNF-α``.

    The claim is true of every member by definition; its evidence names the class
    definition in the ontology (a curator inference), and members that already state
    the same relation themselves do not receive a copy of it.
    """
    definitions = class_definitions(graph)
    if not definitions:
        return
    ev_curie, ev_label, weight, rank = reader.evidence_type("kg:curator_inference")
    onto_label = str(graph.value(ONTOLOGY_IRI, RDFS.label) or "project ontology")
    for cls, restrictions in definitions.items():
        for prop, value in restrictions:
            if prop not in props:
                continue
            cls_label = str(graph.value(cls, RDFS.label) or curie(cls))
            evidence = [Evidence(citation=curie(ONTOLOGY_IRI), citation_label=onto_label, identifier="",
                                 locator=f"definition of {cls_label} (owl:equivalentClass)",
                                 evidence_type=ev_curie, evidence_label=ev_label, weight=weight, rank=rank,
                                 context="true of every member of the class by definition")]
            key = curie(prop)[3:] if curie(prop).startswith("kg:") else curie(prop)
            if G.has_edge(curie(cls), curie(value), key):
                continue  # a source asserts it too: keep the cited assertion
            G.add_edge(node(cls), node(value), key=key, relation=curie(prop), label=labels[prop],
                       sign=signs[prop], family=families[prop], evidence=evidence, inherited=False, via="",
                       definitional=True)


def _asserted_types(graph: Graph) -> set[tuple]:
    """rdf:type triples not marked as inferred by the reasoner."""
    inferred = {(graph.value(a, OWL.annotatedSource), RDF.type, graph.value(a, OWL.annotatedTarget))
                for a in graph.subjects(KG.inferredBy, None)}
    return set(graph.triples((None, RDF.type, None))) - inferred


def members(G: nx.MultiDiGraph, cls: str) -> set[str]:
    """Drugs that belong to drug class ``cls`` (directly or through its subclasses)."""
    subclasses = {cls} | {u for u in nx.ancestors(class_tree(G), cls)}
    return {u for u, v, k in G.in_edges(subclasses, keys=True) if k == "memberOfClass"}


def class_tree(G: nx.MultiDiGraph) -> nx.DiGraph:
    """Drug classes, each with an edge to the classes it is a subclass of."""
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
            if data.get("definitional") and any(
                    d["relation"] == data["relation"] and not d.get("inherited")
                    for d in G.get_edge_data(drug, target, default={}).values()):
                continue  # the member states the defining relation itself
            G.add_edge(drug, target, key=f"{key}@{cls}", **{**data, "inherited": True, "via": cls})


# --- names, subtypes and family members -------------------------------------------

#: What :func:`kg.analysis.predict.predict` ranks by default: drugs and drug classes.
THERAPY_KINDS = frozenset({"Drug", "DrugClass"})
_BROADER = frozenset({"kg:subtypeOf", "kg:memberOf"})


def is_condition(data: dict[str, Any]) -> bool:
    """True for a disease, manifestation or adverse effect (a node under ``kg:Condition``)."""
    return "Condition" in data.get("categories", ())


def is_therapy(data: dict[str, Any]) -> bool:
    """True for a drug, drug class, procedure or product (a node under ``kg:Therapy``)."""
    return "Therapy" in data.get("categories", ()) or data.get("kind") == "DrugClass"


def node_id(G: nx.MultiDiGraph, name: str, kind: str = "entity") -> str:
    """The node of ``G`` that ``name`` denotes: a CURIE, label, synonym or xref, in any case.

    ``kind`` restricts what may match (see :data:`kg.lookup.KINDS`). Raises
    :class:`~kg.errors.UnknownNameError` (with close matches) when nothing matches and
    :class:`~kg.errors.AmbiguousNameError` when several do. Resolving many names in one
    graph? Build ``kg.lookup.NameIndex.of_network(G)`` once and ask it.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("kg:cyclosporine", label="cyclosporine", synonyms=["ciclosporin", "CsA"])
    >>> node_id(G, "Ciclosporin")
    'kg:cyclosporine'
    """
    from kg.lookup import NameIndex

    if name in G:
        return name
    return str(NameIndex.of_network(G).resolve(name, kind))


def broader(G: nx.MultiDiGraph, node: str) -> set[str]:
    """Everything ``node`` is a subtype or member of, transitively (CADM -> DM -> IIM).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("kg:cadm", "kg:dm", relation="kg:subtypeOf")
    >>> _ = G.add_edge("kg:dm", "kg:iim", relation="kg:subtypeOf")
    >>> sorted(broader(G, "kg:cadm"))
    ['kg:dm', 'kg:iim']
    """
    return _closure(G, node, out=True)


def narrower(G: nx.MultiDiGraph, node: str) -> set[str]:
    """Every subtype or member of ``node``, transitively (DM -> CADM, classic DM, ...)."""
    return _closure(G, node, out=False)


def _closure(G: nx.MultiDiGraph, node: str, out: bool) -> set[str]:
    seen: set[str] = set()
    todo = [node]
    while todo:
        here = todo.pop()
        edges = G.out_edges(here, data=True) if out else G.in_edges(here, data=True)
        for u, v, d in edges:
            nxt = v if out else u
            if d.get("relation") in _BROADER and not d.get("inherited") and nxt not in seen and nxt != node:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def with_subsumption(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the projection where claims about a general entity reach its special cases.

    Two kinds of copied claim are added, each marked ``inherited=True`` with ``via`` the
    entity the claim was made about (as for class-level claims in :func:`project`):

    * a molecule, cell or process that is a subtype or family member of another
      (``kg:subtypeOf`` / ``kg:memberOf``) receives its mechanism claims: "T cells
      contribute to psoriasis" reaches helper T cells, "type I IFN contributes to DM"
      reaches IFN-α;
    * a drug class receives the claims of its superclasses (a topical calcineurin
      inhibitor inhibits calcineurin, because every calcineurin inhibitor does).

    Claims *about a disease* reach its subtypes differently: the analysis treats a
    path that ends at a broader or narrower condition as reaching the target (see
    :func:`kg.analysis.paths.endpoints`), so nothing is copied for conditions.
    The result carries ``graph["subsumed"] = True``; calling it again is a no-op.
    """
    if G.graph.get("subsumed"):
        return G
    H = G.copy()
    H.graph["subsumed"] = True

    def own(n: str, relation: str, target: str) -> bool:
        return any(d["relation"] == relation and not d.get("inherited")
                   for d in H.get_edge_data(n, target, default={}).values())

    additions = []
    for n, data in G.nodes(data=True):
        if is_condition(data) or is_therapy(data):
            continue
        for general in broader(G, n):
            for _, target, key, d in G.out_edges(general, keys=True, data=True):
                if d["family"] == "mechanism" and not d.get("inherited") and target != n \
                        and not own(n, d["relation"], target):
                    additions.append((n, target, f"{key}@{general}", {**d, "inherited": True, "via": general}))
    tree = class_tree(G)
    for cls in tree:
        for sup in nx.descendants(tree, cls):
            for _, target, key, d in G.out_edges(sup, keys=True, data=True):
                if d["family"] != "class" and not d.get("inherited") and not own(cls, d["relation"], target):
                    additions.append((cls, target, f"{key}@{sup}", {**d, "inherited": True, "via": sup}))
    for u, v, key, d in additions:
        H.add_edge(u, v, key=key, **d)
    return H
