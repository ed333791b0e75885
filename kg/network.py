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

import weakref
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import DEFINITION, KG, OBOINOWL, ONTOLOGY_IRI, iri_to_curie

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
        certainty_weight = graph.value(certainty, KG.evidenceWeight) if certainty is not None else None
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
            "certainty_weight": float(certainty_weight) if certainty_weight is not None else 1.0,
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
    """OWL classes under kg:Drug: asserted, through a defined class's intersection, or a
    subclass of such a defined class (a topical calcineurin inhibitor is a calcineurin
    inhibitor, which is defined as a drug that inhibits calcineurin)."""
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    roots = {KG.Drug} | set(_definitions(graph))
    return {c for c in classes if c != KG.Drug
            and any(a in roots for a in graph.transitive_objects(c, RDFS.subClassOf))}


def _definitions(graph: Graph) -> dict[URIRef, list[tuple[URIRef, URIRef]]]:
    """Defined drug classes -> their ``(property, value)`` hasValue restrictions.

    ``kg:TNFInhibitor`` is defined as ``Drug and (inhibits value kg:tnf)``, so it maps
    to ``[(kg:inhibits, kg:tnf)]``; a class defined with ``someValuesFrom`` (JAK
    inhibitor) names no single value and maps to ``[]``.
    """
    out: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for c in graph.subjects(OWL.equivalentClass, None):
        if not isinstance(c, URIRef):
            continue
        for eq in graph.objects(c, OWL.equivalentClass):
            parts = graph.value(eq, OWL.intersectionOf)
            items = list(graph.items(parts)) if parts is not None else []
            if KG.Drug not in items:
                continue
            values = out.setdefault(c, [])
            for item in items:
                prop, value = graph.value(item, OWL.onProperty), graph.value(item, OWL.hasValue)
                if isinstance(prop, URIRef) and isinstance(value, URIRef):
                    values.append((prop, value))
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
    _add_definitional_claims(graph, G, node, props, labels, signs, families)
    _inherit_class_claims(G)
    return G


def _add_definitional_claims(graph: Graph, G: nx.MultiDiGraph, node, props, labels, signs, families) -> None:
    """A defined class states its defining relation: ``TNF inhibitor inhibits TNF-α``.

    The claim is true of every member by definition; its evidence names the class
    definition in the ontology (a curator inference), and members that already state
    the same relation themselves do not receive a copy of it.
    """
    ev_type = KG.curator_inference if (KG.curator_inference, RDF.type, KG.EvidenceType) in graph else None
    weight = float(graph.value(ev_type, KG.evidenceWeight) or 0.3) if ev_type else 0.3
    rank = int(graph.value(ev_type, KG.evidenceRank) or 99) if ev_type else 99
    onto_label = str(graph.value(ONTOLOGY_IRI, RDFS.label) or "project ontology")
    for cls, restrictions in _definitions(graph).items():
        for prop, value in restrictions:
            if prop not in props:
                continue
            cls_label = str(graph.value(cls, RDFS.label) or curie(cls))
            evidence = [{
                "citation": curie(ONTOLOGY_IRI), "citation_label": onto_label, "identifier": "",
                "locator": f"definition of {cls_label} (owl:equivalentClass)",
                "evidence_type": curie(ev_type) if ev_type else "",
                "evidence_label": str(graph.value(ev_type, RDFS.label) or "") if ev_type else "",
                "weight": weight, "rank": rank,
                "context": "true of every member of the class by definition",
                "certainty": "kg:stated", "supporting": [],
            }]
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
            if data.get("definitional") and any(
                    d["relation"] == data["relation"] and not d.get("inherited")
                    for d in G.get_edge_data(drug, target, default={}).values()):
                continue  # the member states the defining relation itself
            G.add_edge(drug, target, key=f"{key}@{cls}", **{**data, "inherited": True, "via": cls})


# --- names, subtypes and family members -------------------------------------------

CONDITION_KINDS = frozenset({"Disease", "Manifestation", "AdverseEffect"})
THERAPY_KINDS = frozenset({"Drug", "DrugClass"})
_BROADER = frozenset({"kg:subtypeOf", "kg:memberOf"})
_names: "weakref.WeakKeyDictionary[nx.MultiDiGraph, tuple[tuple[int, int], dict[str, set[str]]]]" = \
    weakref.WeakKeyDictionary()


def node_id(G: nx.MultiDiGraph, name: str, kind: str = "entity") -> str:
    """The node of ``G`` that ``name`` denotes: a CURIE, label, synonym or xref, in any case.

    Raises :class:`~kg.errors.UnknownNameError` (with close matches) when nothing or
    more than one node matches.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("kg:cyclosporine", label="cyclosporine", synonyms=["ciclosporin", "CsA"])
    >>> node_id(G, "Ciclosporin")
    'kg:cyclosporine'
    """
    from kg.errors import UnknownNameError
    from kg.lookup import normalise

    if name in G:
        return name
    signature = (G.number_of_nodes(), G.number_of_edges())
    cached = _names.get(G)
    if cached is None or cached[0] != signature:
        index: dict[str, set[str]] = defaultdict(set)
        for n, d in G.nodes(data=True):
            for text in [n, n[3:] if n.startswith("kg:") else n, d.get("label", ""),
                         *d.get("synonyms", ()), *d.get("xrefs", ())]:
                if text:
                    index[normalise(str(text))].add(n)
        cached = (signature, dict(index))
        _names[G] = cached
    hits = cached[1].get(normalise(name), set())
    if len(hits) > 1:
        exact = [h for h in hits if normalise(G.nodes[h].get("label", "")) == normalise(name)]
        if len(exact) == 1:
            return exact[0]
        shown = ", ".join(sorted(f"{G.nodes[h].get('label', h)} ({h})" for h in hits))
        raise UnknownNameError(kind, f"{name} (ambiguous: {shown}; use the CURIE)")
    if not hits:
        raise UnknownNameError(kind, name, sorted({d.get("label", n) for n, d in G.nodes(data=True)}))
    return next(iter(hits))


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
        kind = data.get("kind")
        if kind in CONDITION_KINDS or kind in THERAPY_KINDS:
            continue
        for general in broader(G, n):
            for _, target, key, d in G.out_edges(general, keys=True, data=True):
                if d["family"] == "mechanism" and not d.get("inherited") and target != n \
                        and not own(n, d["relation"], target):
                    additions.append((n, target, f"{key}@{general}", {**d, "inherited": True, "via": general}))
    tree = _class_tree(G)
    for cls in tree:
        for sup in nx.descendants(tree, cls):
            for _, target, key, d in G.out_edges(sup, keys=True, data=True):
                if d["family"] != "class" and not d.get("inherited") and not own(cls, d["relation"], target):
                    additions.append((cls, target, f"{key}@{sup}", {**d, "inherited": True, "via": sup}))
    for u, v, key, d in additions:
        H.add_edge(u, v, key=key, **d)
    return H


# --- export -----------------------------------------------------------------------

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
    from kg.build import write_atomic
    from kg.errors import KGError

    G = project(graph)
    out = Path(out)
    if fmt == "graphml":
        write_atomic(out, _graphml_bytes(G))
        return out
    if fmt != "kgx":
        raise KGError(f"unknown projection format {fmt!r}; choose graphml or kgx")
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
    import json

    def scalar(attrs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in attrs.items():
            if v is None:
                continue
            out[k] = v if isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False, sort_keys=True)
        return out

    H = nx.MultiDiGraph(name=G.graph.get("name", ""))
    H.add_nodes_from((n, scalar(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, scalar(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


def _graphml_bytes(G: nx.MultiDiGraph) -> bytes:
    import io

    buffer = io.BytesIO()
    nx.write_graphml(_scalar_copy(G), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _ro_matches(graph: Graph) -> dict[str, str]:
    """Property CURIE -> the RO CURIE it (or its nearest super-property) matches."""
    out: dict[str, str] = {}
    for prop in relation_properties(graph):
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
            hits = sorted(str(m) for p in (SKOS.exactMatch, SKOS.closeMatch) for m in graph.objects(ancestor, p)
                          if str(m).startswith("http://purl.obolibrary.org/obo/RO_"))
            if hits:
                out[curie(prop)] = curie(URIRef(hits[0]))
                break
    return out
