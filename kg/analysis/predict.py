"""Drugs ranked for a disease, or for two diseases at once, from every kind of evidence.

Each candidate's evidence comes from :func:`kg.analysis.explain.explain`.

:func:`predict` ranks candidate drugs (drug classes too with ``kinds=("Drug",
"DrugClass")``) by four components each in [-1, 1]:

``mechanism``
    the signed DWPC of the drug's paths to the disease, divided by the largest
    absolute value among the candidates (positive = predicted improvement);
``reported``
    noisy-OR of the evidence weights of the reported clinical edges that say it
    helps, minus the same for those that say it harms;
``cases``
    noisy-OR of the evidence weights of treatment courses with a favourable
    outcome in patients with the disease (or a broader/narrower one), minus the
    same for courses that failed;
``literature``
    noisy-OR of the evidence weights of therapy reports with direction
    ``benefit`` (``kg:sign`` -1), minus those that report the disease induced or
    worsened or an adverse reaction (``kg:sign`` +1); reports about a drug's
    class count for the drug (marked inherited).

The score for one disease is their sum; for two diseases it is the smaller of
the two sums (a candidate must suit both), ties broken by the larger total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis.explain import Prediction, explain, reported_edges
from kg.analysis.paths import CERTAINTY_FACTOR, DAMPING, Mechanisms, mechanisms
from kg.clinical import ClinicalEvidence, Course, Report
from kg.evidence import noisy_or

__all__ = ["Candidate", "DiseaseEvidence", "Prediction", "explain", "predict", "reported_edges"]

#: What :func:`predict` ranks by default: drugs (``kinds=("Drug", "DrugClass")`` adds drug classes).
DRUGS = ("Drug",)


# --- ranking candidates -------------------------------------------------------------

@dataclass
class DiseaseEvidence:
    """Why a candidate scores what it does for one disease."""

    disease: str
    prediction: Prediction
    mechanism: float = 0.0
    reported: float = 0.0
    cases: float = 0.0
    literature: float = 0.0
    courses: list[Course] = field(default_factory=list)
    reports: list[tuple[Report, str]] = field(default_factory=list)   # (report, via class or "")

    @classmethod
    def of(cls, prediction: Prediction) -> DiseaseEvidence:
        """The components of one prediction (the mechanism component is scaled later, across candidates)."""
        entry = cls(disease=prediction.target, prediction=prediction)
        signed = [r for r in prediction.reported if r.get("sign") is not None]
        entry.reported = _balance([r["edge_weight"] for r in signed if r["sign"] < 0],
                                  [r["edge_weight"] for r in signed if r["sign"] > 0])
        entry.courses = [x.course for x in prediction.cases]
        entry.cases = _balance([c.citation.weight for c in entry.courses if c.outcome_class == "favourable"],
                               [c.citation.weight for c in entry.courses if c.outcome_class == "non-response"])
        entry.reports = [(x.report, x.via) for x in prediction.literature]
        entry.literature = _balance([r.citation.weight for r, _ in entry.reports if r.sign == -1],
                                    [r.citation.weight for r, _ in entry.reports if r.sign == 1])
        return entry

    def why_zero(self) -> str:
        """In words, why this disease's total is zero (or '' when it is not)."""
        if round(self.total, 12) != 0:
            return ""
        if not self.has_evidence:
            return "nothing in the graph connects them"
        parts = [name for name, value in (("mechanism", self.mechanism), ("reported", self.reported),
                                          ("cases", self.cases), ("literature", self.literature)) if value]
        if parts:
            return "the evidence for and against cancels out (" + ", ".join(parts) + ")"
        return "the evidence found states no direction (unsigned relations, reports without a result)"

    @property
    def total(self) -> float:
        return self.mechanism + self.reported + self.cases + self.literature

    @property
    def has_evidence(self) -> bool:
        return bool(self.prediction.paths or self.prediction.reported or self.courses or self.reports)

    def counts(self) -> dict[str, int]:
        return {"favourable_courses": sum(c.outcome_class == "favourable" for c in self.courses),
                "failed_courses": sum(c.outcome_class == "non-response" for c in self.courses),
                "benefit_reports": sum(r.sign == -1 for r, _ in self.reports),
                "harm_reports": sum(r.sign == 1 for r, _ in self.reports),
                "other_reports": sum(r.sign not in (-1, 1) for r, _ in self.reports)}

    def to_dict(self) -> dict[str, Any]:
        return {"disease": self.disease, "total": self.total, "mechanism": self.mechanism,
                "reported": self.reported, "cases": self.cases, "literature": self.literature,
                "mechanism_effect": self.prediction.effect, "mechanism_score": self.prediction.score,
                "reported_effect": self.prediction.reported_effect, **self.counts(),
                "paths": [p.text(self.prediction.labels) for p in self.prediction.counted_paths],
                "reported_edges": [f"{r.get('label')} {self.prediction.label(r['target'])}"
                                   + (f" (via {self.prediction.label(r['via'])})" if r.get("via") else "")
                                   for r in self.prediction.reported],
                "courses": [{"course": c.id, "patient": c.patient, "outcome": c.outcome_label, "dose": c.dose(),
                             "citation": c.citation.text()} for c in self.courses],
                "reports": [{"report": r.id, "direction": r.direction_label, "via": via,
                             "citation": r.citation.text()} for r, via in self.reports]}


@dataclass
class Candidate:
    """A drug (or drug class) ranked for one disease or a pair."""

    drug: str
    label: str
    kind: str
    per_disease: dict[str, DiseaseEvidence]
    score: float = 0.0
    rank: int = 0

    @property
    def total(self) -> float:
        return sum(e.total for e in self.per_disease.values())

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "drug": self.drug, "label": self.label, "kind": self.kind, "score": self.score,
                "per_disease": {d: e.to_dict() for d, e in self.per_disease.items()}}


def _balance(good: Iterable[float], bad: Iterable[float]) -> float:
    return noisy_or(good) - noisy_or(bad)


def predict(G: nx.MultiDiGraph | Mechanisms, disease: str, also: str | None = None, *,
            evidence: ClinicalEvidence | None = None,
            max_length: int = 4, top: int | None = None, kinds: Iterable[str] = DRUGS,
            damping: float = DAMPING, certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> list[Candidate]:
    """Drugs (and drug classes) ranked by predicted and reported benefit for a disease or two.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection.
    disease : str
        Name or CURIE of the disease.
    also : str, optional
        A second disease; the candidate must suit both (score = the smaller total).
    evidence : ClinicalEvidence, optional
        Cases and literature (:func:`kg.clinical.clinical_evidence`); without
        it only mechanism and reported edges count.
    top : int, optional
        Keep the first ``top`` candidates.

    Returns
    -------
    list of Candidate
        Best first; candidates with no evidence at all for any disease are left out.
        See the module docstring for the score.
    """
    index = mechanisms(G, certainty)
    H = index.H
    diseases = [index.node(disease, "disease")]
    if also is not None:
        diseases.append(index.node(also, "disease"))
    kinds = set(kinds)
    evidence = evidence or ClinicalEvidence()
    drugs = sorted(n for n, d in H.nodes(data=True) if d.get("kind") in kinds)
    candidates: list[Candidate] = []
    for drug in drugs:
        per = {dis: DiseaseEvidence.of(explain(index, drug, dis, max_length, evidence=evidence, damping=damping,
                                               certainty=certainty)) for dis in diseases}
        if any(e.has_evidence for e in per.values()):
            candidates.append(Candidate(drug=drug, label=H.nodes[drug].get("label", drug),
                                        kind=H.nodes[drug].get("kind", ""), per_disease=per))
    for dis in diseases:
        scale = max((abs(c.per_disease[dis].prediction.score) for c in candidates), default=0.0)
        for c in candidates:
            c.per_disease[dis].mechanism = -c.per_disease[dis].prediction.score / scale if scale else 0.0
    for c in candidates:
        c.score = min(e.total for e in c.per_disease.values())
    candidates.sort(key=lambda c: (-round(c.score, 12), -round(c.total, 12), c.label))
    for i, c in enumerate(candidates, 1):
        c.rank = i
    return candidates[:top] if top is not None else candidates
