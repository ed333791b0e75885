"""One patient's treatment sequence from the RDF graph, as a networkx graph laid out in time.

Courses are nodes, placed top to bottom by ``kg:sequencePosition``; courses
that share a position (given together) sit side by side on one row. Each
course carries its outcome; "then" edges link each row to the next.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import UnknownNameError
from kg.namespaces import DEFINITION, KG, OBOINOWL, iri_to_curie
from kg.render.style import outcome_style

ROW = 76   # vertical distance between steps, in vis units
COLUMN = 260  # horizontal distance between concurrent courses

_CASE_ID = re.compile(r"^\s*(?:patient[ _-]?)?(\d{3})[-_ ](\d+)\s*$", re.IGNORECASE)


def _curie(iri: Any) -> str:
    return iri_to_curie(str(iri)) or str(iri)


def _text(graph: Graph, s: Any, p: URIRef) -> str:
    value = graph.value(s, p)
    return str(value) if value is not None else ""


def _label(graph: Graph, s: Any) -> str:
    return _text(graph, s, RDFS.label) or _curie(s).removeprefix("kg:").replace("_", " ")


def patients(graph: Graph) -> dict[URIRef, str]:
    """Every kg:Patient with its label."""
    return {p: _label(graph, p) for p in graph.subjects(RDF.type, KG.Patient) if isinstance(p, URIRef)}


def case_id(patient: URIRef) -> str:
    """kg:patient_000_1 -> '000-1'."""
    local = str(patient).rsplit("/", 1)[-1].removeprefix("patient_")
    return local.replace("_", "-")


def find_patient(graph: Graph, name: str) -> URIRef:
    """A patient from its case id ('000-1'), CURIE ('kg:patient_000_1'), IRI or label."""
    known = patients(graph)
    if m := _CASE_ID.match(name):
        iri = KG[f"patient_{m.group(1)}_{m.group(2)}"]
        if iri in known:
            return iri
    else:
        from kg.lookup import resolve

        try:
            iri = resolve(graph, name, kind="patient")
        except UnknownNameError:
            iri = None
        if iri in known:
            return iri
    candidates = [case_id(p) for p in known] + list(known.values())
    raise UnknownNameError("patient", name, candidates)


def _citation(graph: Graph, subject: Any) -> list[dict[str, Any]]:
    """The citation of a course or patient in the edge-evidence shape of :mod:`kg.network`."""
    from kg.cite import identifier

    pub = graph.value(subject, KG.citation)
    if pub is None:
        return []
    ev_type = graph.value(subject, KG.evidenceType)
    return [{"citation": _curie(pub), "citation_label": _label(graph, pub), "identifier": identifier(graph, pub),
             "locator": _text(graph, subject, KG.locator),
             "evidence_label": _label(graph, ev_type) if ev_type is not None else "",
             "context": "", "certainty": "kg:stated"}]


def _entity(graph: Graph, iri: Any, kind: str) -> dict[str, Any]:
    return {"label": _label(graph, iri), "kind": kind, "curie": _curie(iri), "iri": str(iri),
            "definition": _text(graph, iri, DEFINITION),
            "xrefs": sorted(str(x) for x in graph.objects(iri, OBOINOWL.hasDbXref))}


def case_graph(graph: Graph, patient: str | URIRef) -> nx.MultiDiGraph:
    """The patient, their diagnoses, and their treatment courses in order, with fixed x/y positions."""
    iri = patient if isinstance(patient, URIRef) else find_patient(graph, patient)
    G = nx.MultiDiGraph(name=f"treatment sequence of {_curie(iri)}")
    pid = _curie(iri)
    findings = sorted(_label(graph, f) for f in graph.objects(iri, KG.hasFinding))
    facts = [("Case", case_id(iri))]
    if findings:
        facts.append(("Findings", "; ".join(findings)))
    G.add_node(pid, **_entity(graph, iri, "Patient"), display_label=f"Patient {case_id(iri)}", facts=facts,
               x=0, y=0, evidence=_citation(graph, iri))
    G.nodes[pid]["definition"] = _text(graph, iri, KG.presentationText)
    diagnoses = sorted(graph.objects(iri, KG.hasDiagnosis), key=str)
    for i, dx in enumerate(diagnoses):
        did = _curie(dx)
        side = -1 if i % 2 == 0 else 1
        G.add_node(did, **_entity(graph, dx, "Disease"), x=side * COLUMN * (1 + i // 2), y=0)
        G.add_edge(pid, did, key="hasDiagnosis", relation="kg:hasDiagnosis", label="diagnosis", sign=None,
                   family="case", category="diagnosis", evidence=_citation(graph, iri), inherited=False, via="")
    rows: dict[int, list[Any]] = defaultdict(list)
    for course in graph.objects(iri, KG.hasTreatmentCourse):
        position = graph.value(course, KG.sequencePosition)
        rows[int(position) if position is not None else 0].append(course)
    previous = [pid]
    for r, position in enumerate(sorted(rows)):
        courses = sorted(rows[position], key=lambda c: _label(graph, graph.value(c, KG.usesTherapy) or c))
        current = []
        for j, course in enumerate(courses):
            cid = _curie(course)
            therapy = graph.value(course, KG.usesTherapy)
            outcome = graph.value(course, KG.hasOutcome)
            outcome_key = _curie(outcome).removeprefix("kg:") if outcome is not None else None
            outcome_label = _label(graph, outcome) if outcome is not None else outcome_style(None)[0]
            route = graph.value(course, KG.route)
            facts = [("Step", str(position)), ("Therapy", _label(graph, therapy) if therapy is not None else "?")]
            for name, value in (("Dose", _text(graph, course, KG.doseText)),
                                ("Route", _label(graph, route) if route is not None else ""),
                                ("Duration", _text(graph, course, KG.durationText)),
                                ("Outcome", outcome_label),
                                ("Outcome detail", _text(graph, course, KG.outcomeDetail)),
                                ("Follow-up", _text(graph, course, KG.followUpText))):
                if value:
                    facts.append((name, value))
            therapy_attrs = _entity(graph, therapy, "Drug") if therapy is not None else {}
            therapy_ids = [therapy_attrs.get("curie")] + therapy_attrs.get("xrefs", [])
            G.add_node(cid, label=_label(graph, course), kind="TreatmentCourse", curie=cid, iri=str(course),
                       definition="", xrefs=[x for x in therapy_ids if x],
                       therapy=therapy_attrs.get("label", ""), position=position, outcome=outcome_key,
                       outcome_label=outcome_label, dose=_text(graph, course, KG.doseText),
                       duration=_text(graph, course, KG.durationText), facts=facts,
                       evidence=_citation(graph, course),
                       x=round((j - (len(courses) - 1) / 2) * COLUMN), y=round((r + 1.3) * ROW))
            current.append(cid)
        for a in previous:
            for b in current:
                first = a == pid
                G.add_edge(a, b, key="first" if first else "then", relation="kg:sequencePosition",
                           label="first" if first else "then", sign=None, family="case", category="sequence",
                           evidence=G.nodes[b]["evidence"], inherited=False, via="")
        previous = current
    G.graph["patient"] = pid
    G.graph["patient_label"] = _label(graph, iri)
    return G
