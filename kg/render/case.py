"""One patient's treatment sequence, as a networkx graph laid out in time.

Courses are nodes, placed top to bottom by their sequence position; courses
that share a position (given together) sit side by side on one row. Each
course carries its outcome; "then" edges link each row to the next. The
courses come from :func:`kg.clinical.clinical_evidence` (the one reader of
treatment courses) and the patient from the name index (``000-1``, a CURIE or
a label).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.clinical import Course, clinical_evidence
from kg.evidence import EvidenceReader
from kg.lookup import NameIndex, case_id
from kg.namespaces import DEFINITION, KG, OBOINOWL, iri_to_curie
from kg.render.style import outcome_style

ROW = 76   # vertical distance between steps, in vis units
COLUMN = 260  # horizontal distance between concurrent courses


def _curie(iri: Any) -> str:
    return iri_to_curie(str(iri)) or str(iri)


def _label(graph: Graph, s: Any) -> str:
    value = graph.value(s, RDFS.label)
    return str(value) if value is not None else _curie(s).removeprefix("kg:").replace("_", " ")


def find_patient(graph: Graph | NameIndex, name: str) -> URIRef:
    """A patient from its case id ('000-1'), CURIE ('kg:patient_000_1'), IRI or label."""
    index = graph if isinstance(graph, NameIndex) else NameIndex.of(graph)
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://")):
        text = iri_to_curie(text) or text
    return URIRef(str(index.resolve(text, "patient")))  # type: ignore[arg-type]


def _entity(graph: Graph, iri: Any, kind: str) -> dict[str, Any]:
    return {"label": _label(graph, iri), "kind": kind, "curie": _curie(iri), "iri": str(iri),
            "definition": str(graph.value(iri, DEFINITION) or ""),
            "xrefs": sorted(str(x) for x in graph.objects(iri, OBOINOWL.hasDbXref))}


def _course_facts(course: Course) -> list[tuple[str, str]]:
    facts = [("Step", str(course.sequence)), ("Therapy", course.therapy_label or "?")]
    for name, value in (("Dose", course.dose_text), ("Route", course.route), ("Duration", course.duration_text),
                        ("Outcome", course.outcome_label or outcome_style(None)[0]),
                        ("Outcome detail", course.detail), ("Follow-up", course.follow_up)):
        if value:
            facts.append((name, value))
    return facts


def case_graph(graph: Graph, patient: str | URIRef) -> nx.MultiDiGraph:
    """The patient, their diagnoses, and their treatment courses in order, with fixed x/y positions."""
    iri = patient if isinstance(patient, URIRef) else find_patient(graph, patient)
    reader = EvidenceReader.of(graph)
    cite = reader.read(iri)
    patient_evidence = [cite] if cite is not None else []
    G = nx.MultiDiGraph(name=f"treatment sequence of {_curie(iri)}")
    pid = _curie(iri)
    findings = sorted(_label(graph, f) for f in graph.objects(iri, KG.hasFinding))
    facts = [("Case", case_id(str(iri)) or pid)]
    if findings:
        facts.append(("Findings", "; ".join(findings)))
    G.add_node(pid, **_entity(graph, iri, "Patient"), display_label=f"Patient {case_id(str(iri))}", facts=facts,
               x=0, y=0, evidence=patient_evidence)
    G.nodes[pid]["definition"] = str(graph.value(iri, KG.presentationText) or "")
    diagnoses = sorted(graph.objects(iri, KG.hasDiagnosis), key=str)
    for i, dx in enumerate(diagnoses):
        did = _curie(dx)
        side = -1 if i % 2 == 0 else 1
        G.add_node(did, **_entity(graph, dx, "Disease"), x=side * COLUMN * (1 + i // 2), y=0)
        G.add_edge(pid, did, key="hasDiagnosis", relation="kg:hasDiagnosis", label="diagnosis", sign=None,
                   family="case", category="diagnosis", evidence=patient_evidence, inherited=False, via="")
    rows: dict[int, list[Course]] = defaultdict(list)
    for course in clinical_evidence(graph).courses:
        if course.patient == pid:
            rows[course.sequence if course.sequence is not None else 0].append(course)
    previous = [pid]
    for r, position in enumerate(sorted(rows)):
        courses = sorted(rows[position], key=lambda c: c.therapy_label or c.label)
        current = []
        for j, course in enumerate(courses):
            therapy = URIRef(str(KG) + course.therapy[3:]) if course.therapy.startswith("kg:") else None
            therapy_attrs = _entity(graph, therapy, "Drug") if therapy is not None else {}
            therapy_ids = [therapy_attrs.get("curie")] + therapy_attrs.get("xrefs", [])
            G.add_node(course.id, label=course.label, kind="TreatmentCourse", curie=course.id,
                       iri=str(KG) + course.id.removeprefix("kg:"), definition="",
                       xrefs=[x for x in therapy_ids if x], therapy=therapy_attrs.get("label", ""),
                       position=position, outcome=course.outcome.removeprefix("kg:") or None,
                       outcome_label=course.outcome_label or outcome_style(None)[0], dose=course.dose_text,
                       duration=course.duration_text, facts=_course_facts(course),
                       evidence=[course.citation] if course.citation.citation else [],
                       x=round((j - (len(courses) - 1) / 2) * COLUMN), y=round((r + 1.3) * ROW))
            current.append(course.id)
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
