"""Predictions against observed outcomes of the treatment courses in the cases.

For every course, the predicted effect of its therapy on each of the patient's
diagnoses (a claim about DM answers for CADM, see :func:`kg.analysis.paths.endpoints`)
is set next to the observed outcome:

* ``expected`` is the mechanism prediction (:func:`kg.analysis.explain`), or the
  reported clinical effect when no mechanism path exists (``basis`` says which);
* ``status`` is ``agree`` (improvement expected and a favourable outcome seen, or
  no improvement expected and none seen), ``disagree``, ``uncertain`` (the
  prediction conflicts), ``no prediction`` or ``not assessable`` (partial response,
  outcome not assessed).

When courses of the same therapy end differently (one favourable, one failed),
:func:`concordance` lists what differs between them - dose and unit, route,
co-medication (concurrent courses), duration, outcome target, diagnosis, place in
the sequence - and turns doses into statements against each other and against
the graph's ``kg:DoseRecommendation`` for the drug, e.g. "50 mg/d is below the
usual starting dose 2.5 mg/kg/d for any patient heavier than 20 kg".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis.explain import Prediction, explain
from kg.analysis.paths import Mechanisms, mechanisms
from kg.answers import Effect
from kg.clinical import TIME_DAYS, ClinicalEvidence, Course, DoseRecommendation, DoseStep, months, patient_index

__all__ = ["Concordance", "ConcordanceRow", "Contrast", "Difference", "concordance", "dose_statement",
           "parse_dose_unit"]

_MASS = {"g": 1000.0, "mg": 1.0, "ug": 0.001, "mcg": 0.001}


@dataclass(frozen=True)
class DoseUnit:
    """A dose unit taken apart: mass in mg, per kg body weight or not, per day or per dose."""

    mg: float
    per_kg: bool
    per_days: float | None   # the unit is per this many days (1 for /d, 7 for /wk), None for a single dose

    def daily(self, value: float) -> float | None:
        """The dose in mg (per kg when ``per_kg``) per day, or None for a single dose."""
        return None if self.per_days is None else value * self.mg / self.per_days


def parse_dose_unit(unit: str) -> DoseUnit | None:
    """``'mg/kg/d'`` -> DoseUnit(mg=1, per_kg=True, per_days=1); None for units that are not mass doses.

    Examples
    --------
    >>> parse_dose_unit("mg/kg/d")
    DoseUnit(mg=1.0, per_kg=True, per_days=1.0)
    >>> parse_dose_unit("mg/wk").daily(70)
    10.0
    >>> parse_dose_unit("%") is None
    True
    """
    parts = [p.strip() for p in unit.strip().split("/") if p.strip()]
    if not parts or parts[0] not in _MASS:
        return None
    per_kg = "kg" in parts[1:]
    times = [p for p in parts[1:] if p != "kg"]
    if len(times) > 1 or any(t not in TIME_DAYS for t in times):
        return None
    return DoseUnit(mg=_MASS[parts[0]], per_kg=per_kg, per_days=TIME_DAYS[times[0]] if times else None)


def _fmt(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def dose_statement(value: float, unit: str, ref_value: float, ref_unit: str, ref_name: str) -> str | None:
    """How a dose compares with a reference dose, computed from the two values and units.

    Examples
    --------
    >>> dose_statement(50, "mg/d", 2.5, "mg/kg/d", "the usual starting dose")
    '50 mg/d is below the usual starting dose 2.5 mg/kg/d for any patient heavier than 20 kg (it equals it at 20 kg)'
    >>> dose_statement(5, "mg/kg/d", 2.5, "mg/kg/d", "the usual starting dose")
    '5 mg/kg/d is 2× the usual starting dose 2.5 mg/kg/d'
    """
    a, b = parse_dose_unit(unit), parse_dose_unit(ref_unit)
    if a is None or b is None:
        return None
    da, db = a.daily(value), b.daily(ref_value)
    if da is None or db is None:
        if a == b:
            da, db = value * a.mg, ref_value * b.mg
        else:
            return None
    here, there = f"{value:g} {unit}", f"{ref_name} {ref_value:g} {ref_unit}"
    if a.per_kg == b.per_kg:
        ratio = da / db
        if abs(ratio - 1) < 1e-9:
            return f"{here} equals {there}"
        return f"{here} is {_fmt(ratio)}× {there}"
    if not a.per_kg and b.per_kg:      # absolute dose against a weight-based one
        weight = da / db
        return (f"{here} is below {there} for any patient heavier than {_fmt(weight)} kg "
                f"(it equals it at {_fmt(weight)} kg)")
    weight = db / da                   # weight-based dose against an absolute one
    return f"{here} is above {there} for any patient heavier than {_fmt(weight)} kg (it equals it at {_fmt(weight)} kg)"


@dataclass
class Difference:
    """One field in which two courses of the same therapy differ."""

    field: str
    failed: str
    succeeded: str
    statements: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "failed": self.failed, "succeeded": self.succeeded,
                "statements": list(self.statements)}


@dataclass
class Contrast:
    """A failed and a favourable course of the same therapy, and what differs."""

    therapy: str
    therapy_label: str
    failed: Course
    succeeded: Course
    differences: list[Difference]

    def to_dict(self) -> dict[str, Any]:
        return {"therapy": self.therapy, "therapy_label": self.therapy_label, "failed": self.failed.id,
                "succeeded": self.succeeded.id, "differences": [d.to_dict() for d in self.differences]}


@dataclass
class ConcordanceRow:
    course: Course
    predictions: dict[str, Prediction]
    expected: Effect
    basis: str
    status: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"course": self.course.to_dict(), "expected": self.expected, "basis": self.basis,
                "status": self.status, "observed": self.course.outcome_label,
                "predictions": {d: {"effect": p.effect, "score": p.score, "reported_effect": p.reported_effect,
                                    "paths": [x.text(p.labels) for x in p.counted_paths]}
                                for d, p in self.predictions.items()},
                "notes": list(self.notes)}


@dataclass
class Concordance:
    rows: list[ConcordanceRow]
    contrasts: list[Contrast]
    labels: dict[str, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    def disagreements(self) -> list[ConcordanceRow]:
        return [r for r in self.rows if r.status == "disagree"]

    def to_dict(self) -> dict[str, Any]:
        statuses = ("agree", "disagree", "uncertain", "no prediction", "not assessable")
        return {"summary": {s: self.count(s) for s in statuses},
                "rows": [r.to_dict() for r in self.rows], "contrasts": [c.to_dict() for c in self.contrasts]}


def _combine(effects: Iterable[Effect]) -> Effect:
    found = set(effects) - {Effect.NO_EVIDENCE}
    if not found:
        return Effect.NO_EVIDENCE
    if Effect.CONFLICTING in found or {Effect.IMPROVES, Effect.WORSENS} <= found:
        return Effect.CONFLICTING
    for effect in (Effect.IMPROVES, Effect.WORSENS):
        if effect in found:
            return effect
    return Effect.NO_EFFECT


def _status(expected: Effect, outcome_class: str) -> str:
    if outcome_class not in ("favourable", "non-response"):
        return "not assessable"
    if not expected.known:
        return "no prediction"
    if expected is Effect.CONFLICTING:
        return "uncertain"
    good = outcome_class == "favourable"
    return "agree" if (expected is Effect.IMPROVES) == good else "disagree"


def concordance(G: nx.MultiDiGraph | Mechanisms, evidence: ClinicalEvidence, patient: str | None = None,
                max_length: int = 4) -> Concordance:
    """Predicted effect of each course's therapy next to its observed outcome.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.project`).
    evidence : ClinicalEvidence
        Courses and dose recommendations (:func:`kg.clinical.clinical_evidence`).
    patient : str, optional
        Only this patient's courses ("002-1", "patient_002_1" or its CURIE); contrasts
        still draw on every patient's courses of the same therapies.

    Returns
    -------
    Concordance
        ``rows`` (one per course, in patient and sequence order) and ``contrasts``
        (failed against favourable courses of the same therapy, with differences).
    """
    selected = evidence.courses
    if patient is not None:
        who = str(patient_index(evidence).resolve(patient, "patient"))
        selected = [c for c in evidence.courses if c.patient == who]
    G = mechanisms(G)
    cache: dict[tuple[str, str], Prediction | None] = {}

    def predicted(therapy: str, diagnosis: str) -> Prediction | None:
        key = (therapy, diagnosis)
        if key not in cache:
            cache[key] = (explain(G, therapy, diagnosis, max_length)
                          if therapy in G.H and diagnosis in G.H else None)
        return cache[key]

    rows = []
    for course in selected:
        preds = {d: p for d in course.diagnoses if (p := predicted(course.therapy, d)) is not None}
        mech = _combine(p.effect for p in preds.values())
        basis = "mechanism"
        expected = mech
        if not mech.known:
            expected = _combine(_reported_as_effect(p.reported_effect) for p in preds.values())
            basis = "reported" if expected.known else "none"
        if course.indication and course.indication not in course.diagnoses:
            expected, basis = Effect.NO_EVIDENCE, "none"   # given for another condition
        rows.append(ConcordanceRow(course=course, predictions=preds, expected=expected, basis=basis,
                                   status=_status(expected, course.outcome_class)))
    contrasts = []
    for therapy in sorted({r.course.therapy for r in rows}):
        courses = evidence.courses_of(therapy)
        good = [c for c in courses if c.outcome_class == "favourable"]
        bad = [c for c in courses if c.outcome_class == "non-response"]
        for failed in bad:
            for succeeded in good:
                if failed.id in {r.course.id for r in rows} or succeeded.id in {r.course.id for r in rows}:
                    contrasts.append(Contrast(therapy=therapy, therapy_label=failed.therapy_label, failed=failed,
                                              succeeded=succeeded,
                                              differences=differences(failed, succeeded, evidence)))
    by_course = {r.course.id: r for r in rows}
    for contrast in contrasts:
        for course, other, verb in ((contrast.failed, contrast.succeeded, "failed"),
                                    (contrast.succeeded, contrast.failed, "succeeded")):
            row = by_course.get(course.id)
            if row is None:
                continue
            fields = ", ".join(d.field for d in contrast.differences) or "nothing recorded"
            row.notes.append(f"contrast with {_course_name(other)} ({other.outcome_label}): differs in {fields}")
            if verb == "failed":
                row.notes.extend(s for d in contrast.differences for s in d.statements)
    for row in rows:
        if not any(c.failed.id == row.course.id or c.succeeded.id == row.course.id for c in contrasts):
            row.notes.extend(_dose_notes(row.course, evidence.recommendations_for(row.course.therapy)))
    return Concordance(rows=rows, contrasts=contrasts, labels=dict(evidence.labels))


def _reported_as_effect(reported_effect: Effect) -> Effect:
    keep = (Effect.IMPROVES, Effect.WORSENS, Effect.CONFLICTING)
    return reported_effect if reported_effect in keep else Effect.NO_EVIDENCE


def _dose_notes(course: Course, recs: list[DoseRecommendation]) -> list[str]:
    notes = []
    for step in course.doses:
        if step.value is None or not step.unit:
            continue
        for rec in recs:
            text = dose_statement(step.value, step.unit, rec.value, rec.unit, f"the {rec.role}")
            if text:
                source = rec.citation.identifier or rec.citation.citation_label
                notes.append(f"{text} ({source}, {rec.citation.locator})")
    return notes


def _top_dose(course: Course) -> DoseStep | None:
    steps = [s for s in course.doses if s.value is not None and s.unit]
    return steps[-1] if steps else None


def differences(failed: Course, succeeded: Course, evidence: ClinicalEvidence) -> list[Difference]:
    """What differs between a failed and a favourable course of the same therapy, dose first."""
    labels = evidence.labels
    out: list[Difference] = []
    if failed.dose() != succeeded.dose():
        diff = Difference("dose", failed.dose(), succeeded.dose())
        recs = evidence.recommendations_for(failed.therapy)
        diff.statements.extend(_dose_notes(failed, recs))
        low, high = _top_dose(failed), _top_dose(succeeded)
        if low and high:
            text = dose_statement(low.value, low.unit, high.value, high.unit, "the successful dose")
            if text:
                diff.statements.append(text)
        diff.statements.extend(_dose_notes(succeeded, recs))
        out.append(diff)
    if failed.duration() != succeeded.duration():
        diff = Difference("duration", failed.duration(), succeeded.duration())
        took = months(succeeded.response_after_value, succeeded.response_after_unit)
        lasted = months(failed.duration_value, failed.duration_unit)
        if took is not None and lasted is not None and lasted < took:
            diff.statements.append(
                f"the failed course lasted {failed.duration()}, less than the favourable course took to respond "
                f"({succeeded.response_after_text or _fmt(took) + ' mo'})")
        out.append(diff)
    if set(failed.concurrent_therapies) != set(succeeded.concurrent_therapies):
        out.append(Difference("co-medication", ", ".join(failed.concurrent_therapies) or "none",
                              ", ".join(succeeded.concurrent_therapies) or "none"))
    if failed.route != succeeded.route:
        out.append(Difference("route", failed.route or "not stated", succeeded.route or "not stated"))
    if set(failed.diagnoses) != set(succeeded.diagnoses):
        out.append(Difference("diagnosis", ", ".join(labels.get(d, d) for d in failed.diagnoses),
                              ", ".join(labels.get(d, d) for d in succeeded.diagnoses)))
    if failed.target != succeeded.target:
        out.append(Difference("outcome target", failed.target_label, succeeded.target_label))
    if failed.sequence != succeeded.sequence:
        out.append(Difference("place in sequence", _ordinal(failed.sequence), _ordinal(succeeded.sequence)))
    return out


def _course_name(course: Course) -> str:
    """'patient 000-1, course 11'."""
    who = course.patient.removeprefix("kg:patient_").replace("_", "-")
    return f"patient {who}, course {course.sequence}" if course.sequence is not None else f"patient {who}"


def _ordinal(n: int | None) -> str:
    if n is None:
        return "not stated"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} course"

