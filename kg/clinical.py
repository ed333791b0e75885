"""Case and literature evidence read from the RDF graph, as plain records.

The projection (:mod:`kg.network`) holds entities and their relations; the n-ary
records that the analyses compare predictions with live here:

* :class:`Course` - one treatment course of one patient (therapy, dose steps,
  route, duration, concurrent courses, outcome and its target);
* :class:`Report` - a ``kg:TherapyReport`` from the literature (therapy,
  conditions, direction, study type);
* :class:`DoseRecommendation` - a usual dose a source states.

Each record's ``citation`` is a :class:`kg.evidence.Evidence` (weights read from the
ontology), outcome classes come from the reasoner's ``kg:FavourableOutcome`` /
``kg:PartialOutcome`` / ``kg:NonResponseOutcome`` memberships, and report signs from
``kg:sign`` on the direction individuals. This is the one reader of treatment
courses: analyses, views and commands all take their courses from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.evidence import Evidence, EvidenceReader
from kg.lookup import NameIndex, case_id
from kg.namespaces import KG, iri_to_curie


def curie(iri) -> str:
    return iri_to_curie(str(iri)) or str(iri)


@dataclass(frozen=True)
class DoseStep:
    number: int
    value: float | None
    unit: str
    text: str
    start: str = ""
    schedule: str = ""          # CURIE of its kg:DosingFrequency, when the source gives one

    def show(self) -> str:
        if self.value is not None and self.unit:
            return f"{_num(self.value)}%" if self.unit == "%" else f"{_num(self.value)} {self.unit}"
        return self.text or "dose not stated"


@dataclass(frozen=True)
class Course:
    """One treatment course (``kg:TreatmentCourse``) with its patient's diagnoses."""

    id: str
    label: str
    patient: str
    patient_label: str
    diagnoses: tuple[str, ...]
    therapy: str
    therapy_label: str
    sequence: int | None
    route: str
    doses: tuple[DoseStep, ...]
    dose_text: str
    duration_value: float | None
    duration_unit: str
    duration_text: str
    administrations: int | None
    outcome: str
    outcome_label: str
    outcome_class: str          # favourable | non-response | partial | not assessed
    target: str                 # the outcome target's CURIE (several, comma-joined, when judged on several)
    target_label: str
    detail: str
    other_effect: str
    follow_up: str
    response_after_value: float | None
    response_after_unit: str
    response_after_text: str
    concurrent: tuple[str, ...]
    concurrent_therapies: tuple[str, ...]
    indication: str
    citation: Evidence
    targets: tuple[str, ...] = ()   # every outcome target's CURIE, sorted

    def dose(self) -> str:
        if self.doses:
            return " → ".join(step.show() for step in self.doses)
        return self.dose_text or "not stated"

    def duration(self) -> str:
        if self.duration_value is not None and self.duration_unit:
            return f"{_num(self.duration_value)} {self.duration_unit}"
        return self.duration_text or "not stated"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "patient": self.patient, "diagnoses": list(self.diagnoses),
                "therapy": self.therapy, "therapy_label": self.therapy_label, "sequence": self.sequence,
                "route": self.route, "dose": self.dose(),
                "doses": [{"step": s.number, "value": s.value, "unit": s.unit, "text": s.text, "start": s.start,
                           "schedule": s.schedule} for s in self.doses],
                "duration": self.duration(), "duration_text": self.duration_text,
                "administrations": self.administrations, "outcome": self.outcome,
                "outcome_label": self.outcome_label, "outcome_class": self.outcome_class,
                "target": self.target, "targets": list(self.targets), "target_label": self.target_label,
                "detail": self.detail,
                "response_after": self.response_after_text, "concurrent_therapies": list(self.concurrent_therapies),
                "citation": self.citation.to_dict()}


@dataclass(frozen=True)
class Report:
    """A ``kg:TherapyReport``: what one publication says about therapies in conditions."""

    id: str
    therapies: tuple[str, ...]
    conditions: tuple[str, ...]
    direction: str
    direction_label: str
    sign: int | None
    refractory: bool
    population: str
    citation: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "therapies": list(self.therapies), "conditions": list(self.conditions),
                "direction": self.direction, "direction_label": self.direction_label, "sign": self.sign,
                "refractory": self.refractory, "population": self.population, "citation": self.citation.to_dict()}


@dataclass(frozen=True)
class DoseRecommendation:
    id: str
    drug: str
    value: float
    unit: str
    role: str
    indication: str
    citation: Evidence

    def show(self) -> str:
        return f"{_num(self.value)} {self.unit} ({self.role})"


@dataclass(frozen=True)
class Patient:
    """One reported patient: who, with what, and where the case is described."""

    id: str
    case_id: str
    label: str
    age: int | None
    sex: str
    diagnoses: tuple[str, ...]        # labels
    refractory: bool                  # inferred by HermiT (kg:RefractoryPatient)
    citation: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "case": self.case_id, "label": self.label, "age": self.age, "sex": self.sex,
                "diagnoses": list(self.diagnoses), "refractory": self.refractory, "citation": self.citation.to_dict()}


@dataclass
class ClinicalEvidence:
    """Everything :func:`clinical_evidence` reads: patients, courses, reports, dose recommendations."""

    patients: list[Patient] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    recommendations: list[DoseRecommendation] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def courses_of(self, therapy: str) -> list[Course]:
        return [c for c in self.courses if c.therapy == therapy]

    def courses_for(self, patient: str) -> list[Course]:
        """A patient's courses in sequence order."""
        return [c for c in self.courses if c.patient == patient]

    def recommendations_for(self, drug: str) -> list[DoseRecommendation]:
        return [r for r in self.recommendations if r.drug == drug]


#: Days in each UCUM time unit the curated durations use (a month is a twelfth of a Julian year).
TIME_DAYS = {"d": 1.0, "wk": 7.0, "mo": 30.4375, "a": 365.25}


def months(value: float | None, unit: str) -> float | None:
    """A duration in months, or None when its value or unit is not given.

    Examples
    --------
    >>> months(2, "a"), months(8, "wk") is not None, months(None, "mo"), months(3, "")
    (24.0, True, None, None)
    """
    if value is None or unit not in TIME_DAYS:
        return None
    return value * TIME_DAYS[unit] / TIME_DAYS["mo"]


def _num(value: float) -> str:
    return f"{value:g}"


def _text(graph: Graph, s: URIRef, p: URIRef) -> str:
    value = graph.value(s, p)
    return str(value) if value is not None else ""


def _float(graph: Graph, s: URIRef, p: URIRef) -> float | None:
    value = graph.value(s, p)
    return float(value) if value is not None else None


def _curie_or_empty(node) -> str:
    return curie(node) if node is not None else ""


def _int(graph: Graph, s: URIRef, p: URIRef) -> int | None:
    value = graph.value(s, p)
    return int(value) if value is not None else None


def _label(graph: Graph, node: URIRef | None) -> str:
    if node is None:
        return ""
    return str(graph.value(node, RDFS.label) or curie(node))


def clinical_evidence(graph: Graph) -> ClinicalEvidence:
    """Read every treatment course, therapy report and dose recommendation of ``graph``."""
    reader = EvidenceReader.of(graph)
    favourable = set(graph.subjects(RDF.type, KG.FavourableOutcome))
    partial = set(graph.subjects(RDF.type, KG.PartialOutcome))
    failed = set(graph.subjects(RDF.type, KG.NonResponseOutcome))
    evidence = ClinicalEvidence()
    labels = evidence.labels

    def lab(node: URIRef | None) -> str:
        if node is None:
            return ""
        text = _label(graph, node)
        labels[curie(node)] = text
        return text

    refractory = set(graph.subjects(RDF.type, KG.RefractoryPatient))
    for patient in sorted(graph.subjects(RDF.type, KG.Patient)):
        diagnoses = tuple(sorted(curie(d) for d in graph.objects(patient, KG.hasDiagnosis)))
        evidence.patients.append(Patient(
            id=curie(patient), case_id=case_id(str(patient)) or curie(patient), label=lab(patient),
            age=_int(graph, patient, KG.age), sex=lab(graph.value(patient, KG.sex)),
            diagnoses=tuple(sorted(lab(d) for d in graph.objects(patient, KG.hasDiagnosis))),
            refractory=patient in refractory, citation=_cite(reader, patient)))
        for d in graph.objects(patient, KG.hasDiagnosis):
            lab(d)
        for course in sorted(graph.objects(patient, KG.hasTreatmentCourse)):
            therapy = graph.value(course, KG.usesTherapy)
            outcome = graph.value(course, KG.hasOutcome)
            targets = sorted(graph.objects(course, KG.outcomeTarget))
            route = graph.value(course, KG.route)
            indication = graph.value(course, KG.indication)
            steps = []
            for step in graph.objects(course, KG.hasDoseStep):
                steps.append(DoseStep(number=_int(graph, step, KG.stepNumber) or 0,
                                      value=_float(graph, step, KG.doseValue), unit=_text(graph, step, KG.doseUnit),
                                      text=_text(graph, step, KG.doseText), start=_text(graph, step, KG.stepStartText),
                                      schedule=_curie_or_empty(graph.value(step, KG.schedule))))
            concurrent = sorted(graph.objects(course, KG.concurrentWith))
            outcome_class = ("favourable" if outcome in favourable else "non-response" if outcome in failed
                             else "partial" if outcome in partial else "not assessed")
            evidence.courses.append(Course(
                id=curie(course), label=_label(graph, course), patient=curie(patient),
                patient_label=lab(patient), diagnoses=diagnoses,
                therapy=curie(therapy) if therapy is not None else "", therapy_label=lab(therapy),
                sequence=_int(graph, course, KG.sequencePosition), route=lab(route),
                doses=tuple(sorted(steps, key=lambda s: s.number)), dose_text=_text(graph, course, KG.doseText),
                duration_value=_float(graph, course, KG.durationValue),
                duration_unit=_text(graph, course, KG.durationUnit),
                duration_text=_text(graph, course, KG.durationText),
                administrations=_int(graph, course, KG.administrations),
                outcome=curie(outcome) if outcome is not None else "", outcome_label=lab(outcome),
                outcome_class=outcome_class,
                target=", ".join(curie(x) for x in targets), target_label=", ".join(lab(x) for x in targets),
                targets=tuple(curie(x) for x in targets),
                detail=_text(graph, course, KG.outcomeDetail), other_effect=_text(graph, course, KG.otherEffect),
                follow_up=_text(graph, course, KG.followUpText),
                response_after_value=_float(graph, course, KG.responseAfterValue),
                response_after_unit=_text(graph, course, KG.responseAfterUnit),
                response_after_text=_text(graph, course, KG.responseAfterText),
                concurrent=tuple(curie(c) for c in concurrent),
                concurrent_therapies=tuple(sorted(lab(graph.value(c, KG.usesTherapy)) for c in concurrent)),
                indication=curie(indication) if indication is not None else "",
                citation=_cite(reader, course)))
    for report in sorted(graph.subjects(RDF.type, KG.TherapyReport)):
        direction = graph.value(report, KG.direction)
        sign = graph.value(direction, KG.sign) if direction is not None else None
        population = graph.value(report, KG.population)
        therapies = sorted(graph.objects(report, KG.reportsTherapy))
        conditions = sorted(graph.objects(report, KG.reportsCondition))
        for node in therapies + conditions:
            lab(node)
        evidence.reports.append(Report(
            id=curie(report), therapies=tuple(curie(t) for t in therapies),
            conditions=tuple(curie(c) for c in conditions),
            direction=curie(direction) if direction is not None else "", direction_label=lab(direction),
            sign=int(sign) if sign is not None else None,
            refractory=str(graph.value(report, KG.refractory) or "").lower() == "true",
            population=lab(population), citation=_cite(reader, report)))
    evidence.courses.sort(key=lambda c: (c.patient, c.sequence if c.sequence is not None else 10**6, c.therapy_label))
    for rec in sorted(graph.subjects(RDF.type, KG.DoseRecommendation)):
        drug = graph.value(rec, KG.forDrug)
        value = _float(graph, rec, KG.doseValue)
        if drug is None or value is None:
            continue
        lab(drug)
        evidence.recommendations.append(DoseRecommendation(
            id=curie(rec), drug=curie(drug), value=value, unit=_text(graph, rec, KG.doseUnit),
            role=_text(graph, rec, KG.doseRole), indication=_text(graph, rec, KG.indicationText),
            citation=_cite(reader, rec)))
    return evidence


def _cite(reader: EvidenceReader, node: URIRef) -> Evidence:
    """The evidence an n-ary record carries (every course, report and recommendation is cited)."""
    found = reader.read(node)
    return found if found is not None else Evidence(citation="", citation_label="", identifier="", locator="")


def patient_index(evidence: ClinicalEvidence) -> NameIndex:
    """The patients of ``evidence`` by CURIE, case id (``000-1``) and label."""
    index = NameIndex()
    for course in evidence.courses:
        label = evidence.labels.get(course.patient, course.patient)
        index.add(course.patient, [course.patient, case_id(course.patient) or "", label], label, {"Patient"})
    return index
