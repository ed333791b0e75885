"""``kg cases`` and ``kg cite``: the patients with a line each, and one paper with every claim that cites it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.clinical import ClinicalEvidence, Patient
from kg.errors import UnknownNameError
from kg.evidence import identifier_link, publication_identifier
from kg.lookup import NameIndex
from kg.namespaces import KG, iri_to_curie
from kg.reports.common import NOT_IDENTIFIED, Sources, join_blocks, plural
from kg.text import Column, render, terminal_width


def course_story(evidence: ClinicalEvidence, patient: Patient) -> str:
    """'10 courses failed (hydroxychloroquine ... ustekinumab), then cyclosporine: remission'."""
    courses = evidence.courses_for(patient.id)
    if not courses:
        return "no treatment course reported"
    failed = [c for c in courses if c.outcome_class == "non-response"]
    good = [c for c in courses if c.outcome_class == "favourable"]
    parts = []
    if failed:
        names = list(dict.fromkeys(c.therapy_label for c in failed))
        parts.append(f"{plural(len(failed), 'course')} failed ({', '.join(names)})")
    if good:
        parts.append("then " + "; ".join(f"{c.therapy_label}: {c.outcome_label}" for c in good))
    other = [c for c in courses if c.outcome_class not in ("non-response", "favourable")]
    if other:
        parts.append("also " + ", ".join(f"{c.therapy_label} ({c.outcome_label})" for c in other))
    return ", ".join(parts)


def cases_text(evidence: ClinicalEvidence, width: int | None = None) -> str:
    """One line per patient: case id, who, diagnoses, what was tried and what worked, the paper."""
    width = width or terminal_width()
    sources = Sources()
    rows = []
    for p in evidence.patients:
        who = ", ".join(x for x in (f"{p.age} years" if p.age is not None else "", p.sex) if x)
        rows.append([p.case_id, who, ", ".join(p.diagnoses) + ("; refractory" if p.refractory else ""),
                     course_story(evidence, p), sources.evidence(p.citation)])
    table = render([Column("case", priority=1), "patient", "diagnoses", "treatment", "source"], rows,
                   title=f"{plural(len(rows), 'patient')} (use the case id with kg viz --case, kg concordance "
                         f"--patient, or -p patient=...)", width=width)
    return join_blocks(table, sources.render(width))


# --- kg cite -------------------------------------------------------------------------

@dataclass
class Citing:
    """A publication and every statement in the graph that cites it."""

    pub: URIRef
    fields: dict[str, str]
    identifier: str
    claims: list[tuple[str, str]] = field(default_factory=list)   # (what is stated, where in the paper)

    def to_dict(self) -> dict[str, Any]:
        return {"publication": iri_to_curie(str(self.pub)), **self.fields, "identifier": self.identifier,
                "link": identifier_link(self.identifier),
                "claims": [{"statement": s, "locator": loc} for s, loc in self.claims]}


_FIELDS = (("title", DCTERMS.title), ("authors", KG.authors), ("journal", KG.journal), ("year", KG.year),
           ("volume", KG.volume), ("issue", KG.issue), ("pages", KG.pages), ("doi", KG.doi), ("pmid", KG.pmid),
           ("local id", KG.localId), ("study type", KG.studyType), ("note", KG.note))


def find_publication(graph: Graph | NameIndex, name: str, index: NameIndex | None = None) -> URIRef:
    """A publication by id (``pub_002``), CURIE, label, DOI (with or without ``doi:``) or PMID."""
    index = index or (graph if isinstance(graph, NameIndex) else NameIndex.of(graph))
    text = name.strip()
    for candidate in (text, f"DOI:{text}", f"PMID:{text}", f"pub_{text}"):
        try:
            return URIRef(str(index.resolve(candidate, "publication", what="publication")))
        except UnknownNameError:
            continue
    index.resolve(text, "publication", what="publication")   # raises with close matches
    raise AssertionError("unreachable")


def citing(graph: Graph, pub: URIRef, index: NameIndex | None = None) -> Citing:
    """The publication's bibliographic fields and the statements that cite it, in the graph's words."""
    index = index or NameIndex.of(graph)
    fields = {}
    for name, prop in _FIELDS:
        value = graph.value(pub, prop)
        if value is not None:
            fields[name] = index.label(value) if isinstance(value, URIRef) else str(value)
    record = Citing(pub=pub, fields=fields, identifier=publication_identifier(graph, pub))
    for node in graph.subjects(KG.citation, pub):
        locator = str(graph.value(node, KG.locator) or "")
        if (node, RDF.type, OWL.Axiom) in graph:
            s, p, o = (graph.value(node, x) for x in (OWL.annotatedSource, OWL.annotatedProperty,
                                                     OWL.annotatedTarget))
            statement = f"{index.label(s)} {index.label(p)} {index.label(o) if isinstance(o, URIRef) else o}"
        else:
            kind = next((index.label(t) for t in graph.objects(node, RDF.type) if t != OWL.NamedIndividual), "")
            statement = f"{kind}: {graph.value(node, RDFS.label) or index.label(node)}"
        record.claims.append((statement, locator))
    record.claims.sort()
    return record


def cite_text(record: Citing, width: int | None = None) -> str:
    """The full reference with its link (or 'publication not identified') and every claim citing it."""
    width = width or terminal_width()
    link = identifier_link(record.identifier)
    rows = [[k, v] for k, v in record.fields.items()]
    rows.append(["link", link or f"{NOT_IDENTIFIED} (no DOI or PMID was verified)"])
    head = render(["field", "value"], rows, title=iri_to_curie(str(record.pub)) or str(record.pub), width=width)
    claims = render([Column("statement", priority=1), "where in the paper"], [list(c) for c in record.claims],
                    title=f"{plural(len(record.claims), 'statement')} in the graph cite it", width=width,
                    empty="(nothing in the graph cites it)")
    return join_blocks(head, claims)
