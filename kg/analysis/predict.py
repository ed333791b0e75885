"""Predicted effect of a drug on a target, and drugs ranked for a disease.

:func:`explain` is the stable entry point other modules (``kg viz --path``) build on::

    explain(G, drug, target, max_length=4) -> Prediction

A :class:`Prediction` keeps two things apart:

* the **mechanism** prediction: ``effect`` and ``score`` from the signed paths
  (:mod:`kg.analysis.paths`), every path in ``paths`` with its evidence;
* the **reported** effect: the clinical edges (treats, first-line, worsens,
  withdrawal may trigger, avoided in ...) from the drug to the target or to a
  broader/narrower condition, in ``reported`` and ``reported_effect``.

Systemic corticosteroids, for instance, have no mechanism path to
dermatomyositis in the graph (``effect == "unknown"``) but are reported first
line for it (``reported_effect == "improves"``).

:func:`predict` ranks candidate drugs for a disease, or for two diseases at
once, by four components each in [-1, 1]:

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

from kg.analysis.paths import (
    ARROW,
    CERTAINTY_FACTOR,
    DAMPING,
    Mechanisms,
    Path,
    edge_weight,
    effect_of_signs,
    endpoints,
    mechanisms,
    net_effect,
    paths_score,
    signed_paths,
)
from kg.clinical import ClinicalEvidence, Course, Report
from kg.evidence import citation_text, noisy_or
from kg.network import THERAPY_KINDS, is_condition

__all__ = ["Prediction", "explain", "reported_edges", "Candidate", "DiseaseEvidence", "predict"]


@dataclass
class Prediction:
    """What the graph predicts and reports about one drug and one target.

    Attributes
    ----------
    drug, target : str
        CURIEs.
    effect : str
        Mechanism prediction: ``improves``, ``worsens`` (``decreases``/``increases``
        for a target that is not a condition), ``no effect``, ``conflicting`` or
        ``unknown``.
    score : float
        Signed DWPC of the counted paths: negative lowers the target (improves a
        disease), positive raises it.
    paths : list of Path
        Every mechanism path, heaviest first, with each step's evidence.
    reported : list of dict
        Direct clinical edges from the drug to the target (or a broader or narrower
        condition): edge data plus ``source``, ``target``, ``key``, ``scope``,
        ``edge_weight``.
    reported_effect : str
        ``improves``, ``worsens``, ``conflicting``, ``no direction stated`` (only
        unsigned edges such as "avoided in") or ``none reported``.
    reported_score : float
        Sum of sign × evidence weight of the signed reported edges.
    """

    drug: str
    target: str
    effect: str
    score: float
    paths: list[Path]
    reported: list[dict[str, Any]]
    reported_effect: str
    reported_score: float
    max_length: int = 4
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def counted_paths(self) -> list[Path]:
        return [p for p in self.paths if p.counted]

    @property
    def inherited(self) -> bool:
        """True when a counted path or a reported edge rests on a class/supertype claim."""
        return any(p.inherited for p in self.counted_paths) or any(r.get("inherited") for r in self.reported)

    @property
    def via(self) -> list[str]:
        found = {v for p in self.counted_paths for v in p.via}
        found |= {r["via"] for r in self.reported if r.get("via")}
        return sorted(found)

    @property
    def spared(self) -> list[str]:
        """Nodes the drug is stated to leave unchanged on its way to the target."""
        return sorted({p.nodes[1] for p in self.paths if p.edges and p.edges[0].get("sign") == 0})

    def label(self, node: str) -> str:
        return self.labels.get(node, node)

    def summary(self) -> str:
        """One line: 'TNF inhibitor -> dermatomyositis: worsens (mechanism, 2 paths); reported: worsens'."""
        n = len(self.counted_paths)
        return (f"{self.label(self.drug)} -> {self.label(self.target)}: {self.effect} "
                f"(mechanism, {n} path{'s' if n != 1 else ''}, score {self.score:+.4f}); "
                f"reported: {self.reported_effect}")

    def to_dict(self) -> dict[str, Any]:
        return {"drug": self.drug, "drug_label": self.label(self.drug), "target": self.target,
                "target_label": self.label(self.target), "effect": self.effect, "score": self.score,
                "max_length": self.max_length, "inherited": self.inherited, "via": self.via,
                "spared": self.spared,
                "paths": [{**p.to_dict(), "text": p.text(self.labels)} for p in self.paths],
                "reported_effect": self.reported_effect, "reported_score": self.reported_score,
                "reported": [_reported_summary(r) for r in self.reported]}


def _reported_summary(edge: Mapping[str, Any]) -> dict[str, Any]:
    return {"source": edge["source"], "relation": edge["relation"], "label": edge.get("label"),
            "target": edge["target"], "sign": edge.get("sign"), "scope": edge.get("scope"),
            "inherited": bool(edge.get("inherited")), "via": edge.get("via", ""),
            "edge_weight": edge.get("edge_weight"), "evidence": [dict(e) for e in edge.get("evidence", ())]}


def reported_edges(G: nx.MultiDiGraph | Mechanisms, drug: str, target: str,
                   certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> list[dict[str, Any]]:
    """Clinical edges from ``drug`` to ``target`` or a broader/narrower condition.

    Class-level claims reach member drugs (``inherited``, ``via`` the class), and a
    superclass's claims reach its subclasses.
    """
    index = mechanisms(G, certainty)
    H = index.H
    drug, target = index.node(drug, "drug"), index.node(target, "target")
    goals = endpoints(H, target)
    out = []
    for _, v, key, d in H.out_edges(drug, keys=True, data=True):
        if d.get("family") == "clinical" and v in goals:
            out.append({**d, "source": drug, "target": v, "key": key, "scope": goals[v],
                        "edge_weight": edge_weight(d, certainty)})
    out.sort(key=lambda e: (e["scope"] != "target", e.get("inherited", False), e["relation"], e["target"], e["key"]))
    return out


def explain(G: nx.MultiDiGraph | Mechanisms, drug: str, target: str, max_length: int = 4, *, damping: float = DAMPING,
            certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> Prediction:
    """Signed mechanism paths and reported clinical edges from ``drug`` to ``target``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection, :func:`kg.network.project`.
    drug, target : str
        CURIEs, labels or synonyms (``"TNF inhibitor"``, ``"ciclosporin"``, ``"DM"``).
    max_length : int
        Longest path, in steps (default 4).

    Returns
    -------
    Prediction

    Raises
    ------
    kg.errors.UnknownNameError
        When a name matches no node (the message suggests close matches).

    Examples
    --------
    >>> p = explain(G, "TNF inhibitor", "dermatomyositis")
    >>> p.effect, p.paths[0].text(p.labels)
    ('worsens', 'TNF inhibitor → type I interferon → dermatomyositis')
    """
    index = mechanisms(G, certainty)
    H = index.H
    drug, target = index.node(drug, "drug"), index.node(target, "target")
    paths = signed_paths(index, drug, target, max_length, damping=damping, certainty=certainty)
    reported = reported_edges(index, drug, target, certainty)
    condition = is_condition(H.nodes[target])
    signs = {int(r["sign"]) for r in reported if r.get("sign") is not None}
    if reported and not signs:
        reported_effect = "no direction stated"
    elif not reported:
        reported_effect = "none reported"
    else:
        reported_effect = effect_of_signs(signs, True)
    involved = {drug, target} | {n for p in paths for n in p.nodes} | {r["target"] for r in reported}
    involved |= {v for p in paths for v in p.via} | {r["via"] for r in reported if r.get("via")}
    involved |= {p.overridden_by["target"] for p in paths if p.overridden_by}
    labels = {n: H.nodes[n].get("label", n) for n in involved if n in H}
    return Prediction(drug=drug, target=target, effect=net_effect(paths, condition), score=paths_score(paths),
                      paths=paths, reported=reported, reported_effect=reported_effect,
                      reported_score=sum(int(r["sign"]) * r["edge_weight"] for r in reported
                                         if r.get("sign") is not None),
                      max_length=max_length, labels=labels)


def step_lines(prediction: Prediction, path: Path) -> list[str]:
    """One line per step of ``path``: 'TNF inhibitor ⊣ TNF-α (inhibits) - citation; citation'."""
    lines = []
    for edge in path.edges:
        cites = "; ".join(citation_text(e, with_type=True) for e in edge.get("evidence", ())) or "no citation"
        via = f" [inherited from {prediction.label(edge['via'])}]" if edge.get("via") else ""
        lines.append(f"{prediction.label(edge['source'])} {ARROW.get(edge.get('sign'), '—')} "
                     f"{prediction.label(edge['target'])} ({edge.get('label', edge['relation'])}){via}: {cites}")
    return lines


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
            max_length: int = 4, top: int | None = None, kinds: Iterable[str] = THERAPY_KINDS,
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
    classes_of = {n: set(H.nodes[n].get("classes", ())) for n in drugs}
    candidates: list[Candidate] = []
    for drug in drugs:
        per: dict[str, DiseaseEvidence] = {}
        for dis in diseases:
            goals = endpoints(H, dis)
            pred = explain(index, drug, dis, max_length, damping=damping, certainty=certainty)
            entry = DiseaseEvidence(disease=dis, prediction=pred)
            signed = [r for r in pred.reported if r.get("sign") is not None]
            entry.reported = _balance([r["edge_weight"] for r in signed if r["sign"] < 0],
                                      [r["edge_weight"] for r in signed if r["sign"] > 0])
            entry.courses = [c for c in evidence.courses_of(drug) if set(c.diagnoses) & set(goals)
                             and (not c.indication or c.indication in goals)]
            entry.cases = _balance([c.citation.weight for c in entry.courses if c.outcome_class == "favourable"],
                                   [c.citation.weight for c in entry.courses if c.outcome_class == "non-response"])
            for report in evidence.reports:
                if not set(report.conditions) & set(goals):
                    continue
                if drug in report.therapies:
                    entry.reports.append((report, ""))
                else:
                    via = sorted(classes_of[drug] & set(report.therapies))
                    if via:
                        entry.reports.append((report, via[0]))
            entry.literature = _balance([r.citation.weight for r, _ in entry.reports if r.sign == -1],
                                        [r.citation.weight for r, _ in entry.reports if r.sign == 1])
            per[dis] = entry
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
