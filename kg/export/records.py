"""The graph as Biolink node and edge records: what the KGX export writes, one dict per row.

* entities and drug classes, with the relations of the projection
  (:func:`kg.network.project`), each relation with its Biolink predicate, qualifiers,
  publications, knowledge level and agent type;
* patients (``biolink:Case``) with their diagnoses and the findings reported present
  or absent (``negated``); treatment courses (``biolink:Treatment``) with the therapy
  given, the condition treated and the outcome;
* therapy reports of the literature as edges from the therapy to each condition,
  their predicate read from the report's ``kg:Direction``;
* publications (``biolink:Publication``) with PMID or DOI as id where verified.

Identifiers: a node's id is its verified external identifier with the prefix
Biolink prefers for its category (:meth:`BiolinkMap.canonical_id`), else its ``kg:``
CURIE; the ``kg:`` CURIE is always in ``xref`` and the project IRI in ``iri``.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.export.biolink import INFORES, BiolinkMap, qualifiers
from kg.namespaces import KG, ONTOLOGY_IRI, iri_to_curie

#: Drug-class membership and subclass links of the projection (rdf:type, rdfs:subClassOf) are not
#: properties of the ontology, so they cannot carry a mapping there: both are biolink:subclass_of.
CLASS_LINK = "biolink:subclass_of"
ASSERTED = ("knowledge_assertion", "manual_agent")
ENTAILED = ("logical_entailment", "automated_agent")
OBSERVED = ("observation", "manual_agent")


def _curie(iri) -> str:
    return iri_to_curie(str(iri)) or str(iri)


def edge_id(subject: str, key: str, obj: str) -> str:
    """The id of an edge in every tabular export: ``SUBJECT/KEY/OBJECT`` with the ``kg:`` CURIEs.

    Examples
    --------
    >>> edge_id("kg:cyclosporine", "leavesUnchanged", "kg:type_i_ifn")
    'kg:cyclosporine/leavesUnchanged/kg:type_i_ifn'
    """
    return f"{subject}/{key}/{obj}"


def kg_iri(curie: str) -> URIRef:
    return KG[curie[3:]] if curie.startswith("kg:") else URIRef(curie)


class Records:
    """Node and edge records of one graph (see the module docstring)."""

    def __init__(self, graph: Graph):
        from kg.network import _Nodes, drug_classes

        self.graph = graph
        self.map = BiolinkMap.of(graph)
        self._attrs = _Nodes(graph, drug_classes(graph))
        self.nodes: dict[str, dict[str, Any]] = {}       # kg CURIE -> record
        self.edges: list[dict[str, Any]] = []
        self._pub_ids: dict[str, list[str]] = {}

    # -- publications ---------------------------------------------------------------
    def publication_ids(self, pub: str) -> list[str]:
        """Identifiers of a cited publication (kg CURIE): PMID and DOI if verified, else its kg CURIE."""
        if pub not in self._pub_ids:
            iri = kg_iri(pub)
            ids = [f"PMID:{v}" for v in self.graph.objects(iri, KG.pmid)]
            ids += [f"doi:{v}" for v in self.graph.objects(iri, KG.doi)]
            self._pub_ids[pub] = sorted(ids) or [pub]
        return self._pub_ids[pub]

    def _pubs(self, citations) -> list[str]:
        return sorted({i for c in citations if c for i in self.publication_ids(c)})

    # -- nodes ------------------------------------------------------------------------
    def node(self, iri: URIRef, cls: URIRef | None = None) -> str:
        """Add the node of ``iri`` (once); returns its id."""
        key = _curie(iri)
        if key in self.nodes:
            return self.nodes[key]["id"]
        attrs = self._attrs.attrs(iri) if cls is None else {
            "label": str(self.graph.value(iri, RDFS.label) or key), "kind": str(cls)[len(str(KG)):],
            "definition": "", "synonyms": [], "xrefs": []}
        kind = attrs["kind"]
        cls = cls or (KG.Drug if kind == "DrugClass" else KG[kind] if kind != "Other" else KG.BiomedicalEntity)
        node_id = self.map.canonical_id(iri, cls)
        xref = sorted(set(self.map.exact_ids(iri)) - {node_id}) + ([key] if node_id != key else [])
        self.nodes[key] = {"id": node_id, "category": [self.map.category(cls)], "name": attrs["label"],
                           "description": attrs["definition"], "xref": xref, "synonym": attrs["synonyms"],
                           "iri": str(iri), "kind": kind, "provided_by": [INFORES]}
        return node_id

    def edge(self, rid: str, s: str, predicate: str, o: str, levels: tuple[str, str], citations=(),
             **extra) -> None:
        self.edges.append({"id": rid, "subject": s, "predicate": predicate, "object": o,
                           "knowledge_level": levels[0], "agent_type": levels[1],
                           "primary_knowledge_source": INFORES, "publications": self._pubs(citations),
                           **{k: v for k, v in extra.items() if v not in (None, "", [])}})

    # -- the entity network -----------------------------------------------------------
    def add_projection(self) -> None:
        from kg.network import project

        G = project(self.graph)
        ids = {n: self.node(URIRef(d["iri"])) for n, d in sorted(G.nodes(data=True))}
        for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
            relation = d["relation"]
            if relation in ("rdf:type", "rdfs:subClassOf"):
                predicate, sign = CLASS_LINK, None
                levels = ENTAILED if d.get("inferred") else ASSERTED
            else:
                predicate, sign = self.map.predicate(kg_iri(relation)), d.get("sign")
                levels = ENTAILED if d.get("inherited") else ASSERTED
            self.edge(edge_id(u, key, v), ids[u], predicate, ids[v], levels,
                      [e["citation"] for e in d.get("evidence", ())], **qualifiers(predicate, sign),
                      original_predicate=relation, sign=sign, family=d["family"],
                      inherited="true" if d.get("inherited") else "false", via=d.get("via", ""))

    # -- cases --------------------------------------------------------------------------
    def add_cases(self) -> None:
        g = self.graph
        for patient in sorted(g.subjects(RDF.type, KG.Patient)):
            pid = self.node(patient, KG.Patient)
            self.nodes[_curie(patient)]["description"] = str(g.value(patient, KG.presentationText) or "")
            cites = [_curie(g.value(patient, KG.citation))]
            for disease in sorted(g.objects(patient, KG.hasDiagnosis)):
                self.edge(edge_id(_curie(patient), "hasDiagnosis", _curie(disease)), pid,
                          self.map.predicate(KG.hasDiagnosis), self.node(disease), OBSERVED, cites,
                          original_predicate="kg:hasDiagnosis")
            for finding in sorted(g.objects(patient, KG.hasFinding)):
                what = g.value(finding, KG.ofManifestation)
                if what is None:
                    continue
                absent = g.value(finding, KG.findingStatus) == KG.absent
                self.edge(_curie(finding), pid, self.map.predicate(KG.hasFinding), self.node(what), OBSERVED,
                          [_curie(g.value(finding, KG.citation))] if g.value(finding, KG.citation) else cites,
                          negated="true" if absent else "", original_predicate="kg:hasFinding")
            for course in sorted(g.objects(patient, KG.hasTreatmentCourse)):
                self._course(patient, pid, course)

    def _course(self, patient: URIRef, pid: str, course: URIRef) -> None:
        g = self.graph
        cid = self.node(course, KG.TreatmentCourse)
        cites = [_curie(c) for c in g.objects(course, KG.citation)]
        outcome = g.value(course, KG.hasOutcome)
        self.edge(edge_id(_curie(patient), "hasTreatmentCourse", _curie(course)), pid,
                  self.map.predicate(KG.hasTreatmentCourse), cid, OBSERVED, cites,
                  original_predicate="kg:hasTreatmentCourse")
        therapy = g.value(course, KG.usesTherapy)
        if therapy is not None:
            self.edge(edge_id(_curie(course), "usesTherapy", _curie(therapy)), cid, self.map.predicate(KG.usesTherapy),
                      self.node(therapy), OBSERVED, cites, original_predicate="kg:usesTherapy")
        for target in sorted(g.objects(course, KG.outcomeTarget)):
            self.edge(edge_id(_curie(course), "outcomeTarget", _curie(target)), cid,
                      self.map.predicate(KG.outcomeTarget), self.node(target), OBSERVED, cites,
                      original_predicate="kg:outcomeTarget",
                      outcome=_curie(outcome) if outcome is not None else "")

    # -- literature ---------------------------------------------------------------------
    def add_therapy_reports(self) -> None:
        g = self.graph
        for report in sorted(g.subjects(RDF.type, KG.TherapyReport)):
            therapy, direction = g.value(report, KG.reportsTherapy), g.value(report, KG.direction)
            if therapy is None or direction is None:
                continue
            predicate = self.map.term(direction) or "biolink:related_to"
            sign = g.value(direction, KG.sign)
            cites = [_curie(c) for c in g.objects(report, KG.citation)]
            for condition in sorted(g.objects(report, KG.reportsCondition)):
                self.edge(edge_id(_curie(report), "reportsCondition", _curie(condition)), self.node(therapy),
                          predicate, self.node(condition), ASSERTED, cites,
                          **qualifiers(predicate, None if sign is None else int(sign)),
                          original_predicate="kg:TherapyReport", direction=_curie(direction))

    def add_publications(self) -> None:
        g = self.graph
        for pub in sorted(g.subjects(RDF.type, KG.Publication)):
            key = _curie(pub)
            ids = self.publication_ids(key)
            # a DOI has '/' in it, which KGX does not accept in an id: PMID, else the project's id
            preferred = next((i for p in self.map.id_prefixes(KG.Publication) for i in ids
                              if i.startswith(p + ":") and "/" not in i), key)
            self.nodes[key] = {"id": preferred, "category": [self.map.category(KG.Publication)],
                               "name": str(g.value(pub, DCTERMS.title) or g.value(pub, RDFS.label) or key),
                               "description": str(g.value(pub, RDFS.label) or ""),
                               "xref": sorted(set(ids + [key]) - {preferred}), "synonym": [], "iri": str(pub),
                               "kind": "Publication", "provided_by": [INFORES]}
        # the ontology itself is cited by definitional claims
        self.nodes.setdefault(_curie(ONTOLOGY_IRI), {
            "id": _curie(ONTOLOGY_IRI), "category": [self.map.category(KG.InformationResource)],
            "name": str(g.value(ONTOLOGY_IRI, RDFS.label) or "project ontology"), "description": "",
            "xref": [], "synonym": [], "iri": str(ONTOLOGY_IRI), "kind": "Ontology", "provided_by": [INFORES]})


def records(graph: Graph) -> Records:
    """Every node and edge record of ``graph`` (entities, cases, reports, publications), sorted by id."""
    r = Records(graph)
    r.add_publications()
    r.add_projection()
    r.add_cases()
    r.add_therapy_reports()
    r.edges.sort(key=lambda e: e["id"])
    return r
