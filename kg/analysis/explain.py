"""What the graph knows about one drug and one target: every kind of evidence, in one answer vocabulary.

:func:`explain` is the stable entry point other modules (``kg viz --path``,
:func:`kg.analysis.predict.predict`) build on::

    explain(G, drug, target, max_length=4, evidence=None) -> Prediction

A :class:`Prediction` keeps four kinds of evidence apart, each summarised as a
:class:`kg.answers.Answer` (what it says, how it is known, its flags):

* ``mechanism`` - the signed paths (:mod:`kg.analysis.paths`): *stated* for a
  one-step claim of the drug, *via class* for its class's, *via mechanism* for a
  chain of cited steps;
* ``reported`` - clinical edges (treats, first-line, worsens, avoided in ...)
  from the drug or its class to the target or a broader/narrower condition;
* ``literature`` - therapy reports of the drug or its class in the condition
  (narrower and broader conditions, and those the target manifests as, marked), best
  study design first;
* ``cases`` - treatment courses of the drug (or of the class's members) in
  patients with the condition.

Systemic corticosteroids, for instance, have no mechanism path to
dermatomyositis (``mechanism.effect`` is *no evidence*) but are reported first
line for it (``reported.effect`` is *improves*); IVIG has no path to calcinosis
but three case reports in the literature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis.paths import (
    CERTAINTY_FACTOR,
    DAMPING,
    Mechanisms,
    Path,
    answer_of_paths,
    edge_weight,
    endpoints,
    mechanisms,
    paths_score,
    signed_paths,
)
from kg.answers import NO_ANSWER, Answer, Basis, Effect, evidence_records
from kg.clinical import ClinicalEvidence, Course, Report
from kg.network import is_condition

__all__ = ["CaseItem", "LiteratureItem", "Prediction", "course_sign", "explain", "reported_edges"]


@dataclass(frozen=True)
class LiteratureItem:
    """A therapy report that speaks to the drug (or its class) and the condition."""

    report: Report
    via: str = ""          # the drug class the report names, when it does not name the drug
    scope: str = "target"  # or "broader" / "narrower": the report's condition relative to the target

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), "via": self.via, "scope": self.scope}


@dataclass(frozen=True)
class CaseItem:
    """A treatment course of the drug (or, for a class, of a member) in a patient with the condition."""

    course: Course
    via: str = ""          # the member drug given, when the question names a class
    scope: str = "target"

    def to_dict(self) -> dict[str, Any]:
        return {**self.course.to_dict(), "via": self.via, "scope": self.scope}


@dataclass
class Prediction:
    """What the graph predicts and reports about one drug and one target.

    Attributes
    ----------
    drug, target : str
        CURIEs.
    mechanism, reported_answer, literature_answer, cases_answer : Answer
        One answer per kind of evidence (see the module docstring).
    score : float
        Signed DWPC of the counted paths: negative lowers the target (improves a
        disease), positive raises it.
    paths : list of Path
        Every mechanism path, heaviest first, with each step's evidence.
    reported : list of dict
        Clinical edges: edge data plus ``source``, ``target``, ``key``, ``scope``, ``edge_weight``.
    literature, cases : list
        :class:`LiteratureItem` (best study design first) and :class:`CaseItem`.
    """

    drug: str
    target: str
    condition: bool
    mechanism: Answer
    score: float
    paths: list[Path]
    reported: list[dict[str, Any]]
    reported_answer: Answer
    reported_score: float
    literature: list[LiteratureItem] = field(default_factory=list)
    cases: list[CaseItem] = field(default_factory=list)
    literature_answer: Answer = NO_ANSWER
    cases_answer: Answer = NO_ANSWER
    max_length: int = 4
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def effect(self) -> Effect:
        """The mechanism prediction's effect."""
        return self.mechanism.effect

    @property
    def reported_effect(self) -> Effect:
        return self.reported_answer.effect

    @property
    def counted_paths(self) -> list[Path]:
        return [p for p in self.paths if p.counted]

    @property
    def answers(self) -> dict[str, Answer]:
        return {"mechanism": self.mechanism, "reported": self.reported_answer,
                "literature": self.literature_answer, "cases": self.cases_answer}

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
        """One line per kind of evidence that has something to say, in the answer vocabulary.

        'tacrolimus and type I interferon: mechanism raises - via mechanism, 4 steps through
        calcineurin, NF-AT, TNF-α; rests on a hypothesis'.
        """
        parts = [f"{kind} {answer.phrase()}" for kind, answer in self.answers.items() if answer.effect.known]
        return f"{self.label(self.drug)} and {self.label(self.target)}: " + ("; ".join(parts) or "no evidence")

    def to_dict(self) -> dict[str, Any]:
        return {"drug": self.drug, "drug_label": self.label(self.drug), "target": self.target,
                "target_label": self.label(self.target), "condition": self.condition,
                "effect": self.effect.value, "score": self.score, "max_length": self.max_length,
                "answers": {k: a.to_dict() for k, a in self.answers.items()},
                "inherited": self.inherited, "via": self.via, "spared": self.spared,
                "paths": [{**p.to_dict(), "text": p.text(self.labels), "words": p.sentence(self.labels)}
                          for p in self.paths],
                "reported_effect": self.reported_effect.value, "reported_score": self.reported_score,
                "reported": [_reported_summary(r) for r in self.reported],
                "literature": [x.to_dict() for x in self.literature], "cases": [x.to_dict() for x in self.cases]}


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


def _reported_answer(reported: list[dict[str, Any]], labels: Mapping[str, str]) -> Answer:
    signed = [r for r in reported if r.get("sign") is not None]
    effect = Effect.of_signs({int(r["sign"]) for r in signed}, condition=True)
    if not effect.known:
        return NO_ANSWER
    own = [r for r in signed if not r.get("inherited")]
    evidence = evidence_records(e for r in signed for e in r.get("evidence", ()))
    hypothesis = all(all(e.get("certainty") not in ("kg:stated", "", None) for e in r.get("evidence", ()))
                     and r.get("evidence") for r in signed)
    if own:
        return Answer(effect, Basis.STATED, evidence, hypothesis=hypothesis)
    via = tuple(sorted({labels.get(r["via"], r["via"]) for r in signed if r.get("via")}))
    return Answer(effect, Basis.VIA_CLASS, evidence, via=via, hypothesis=hypothesis)


def _tally_answer(signs: list[int | None], evidence, basis: Basis) -> Answer:
    """-1 helped, 0 did not help, +1 harmed (None: says nothing); a failure alone is 'no effect', not harm."""
    effect = Effect.of_signs({s for s in signs if s is not None}, condition=True)
    if not effect.known:
        return NO_ANSWER
    return Answer(effect, basis, evidence_records(evidence))


def _literature(H: nx.MultiDiGraph, drug: str, goals: Mapping[str, str],
                evidence: ClinicalEvidence) -> list[LiteratureItem]:
    classes = set(H.nodes[drug].get("classes", ())) if drug in H else set()
    items = []
    for report in evidence.reports:
        hit = [goals[c] for c in report.conditions if c in goals]
        if not hit:
            continue
        scope = "target" if "target" in hit else hit[0]
        if drug in report.therapies:
            items.append(LiteratureItem(report, "", scope))
        elif via := sorted(classes & set(report.therapies)):
            items.append(LiteratureItem(report, via[0], scope))
    items.sort(key=lambda x: (x.report.citation.rank, x.scope != "target", bool(x.via), x.report.id))
    return items


def _cases(H: nx.MultiDiGraph, drug: str, goals: Mapping[str, str], evidence: ClinicalEvidence) -> list[CaseItem]:
    from kg.network import members

    given = {drug: ""}
    if H.nodes.get(drug, {}).get("kind") == "DrugClass":
        given.update({m: m for m in members(H, drug)})
    items = []
    for course in evidence.courses:
        if course.therapy not in given:
            continue
        hit = [goals[d] for d in course.diagnoses if d in goals]
        if not hit or (course.indication and course.indication not in goals):
            continue
        items.append(CaseItem(course, given[course.therapy], "target" if "target" in hit else hit[0]))
    return items


def manifestations(H: nx.MultiDiGraph, target: str) -> dict[str, str]:
    """The conditions a source says the target manifests as (CADM: the skin disease of DM), scope 'manifestation'.

    A report on treating such a manifestation speaks to the target too, and is marked so.
    """
    return {v: "manifestation" for _, v, d in H.out_edges(target, data=True)
            if d.get("relation") == "kg:hasManifestation" and not d.get("inherited") and is_condition(H.nodes[v])}


def course_sign(course: Course) -> int | None:
    """-1 for a favourable outcome, +1 for worsening, 0 for another failure, None otherwise (partial, not assessed)."""
    if course.outcome == "kg:worsening":
        return 1
    return {"favourable": -1, "non-response": 0}.get(course.outcome_class)


def explain(G: nx.MultiDiGraph | Mechanisms, drug: str, target: str, max_length: int = 4, *,
            evidence: ClinicalEvidence | None = None, damping: float = DAMPING,
            certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> Prediction:
    """Every kind of evidence the graph holds about ``drug`` and ``target``.

    Parameters
    ----------
    G : networkx.MultiDiGraph or Mechanisms
        The projection, :func:`kg.network.project` (or its :class:`Mechanisms`).
    drug, target : str
        CURIEs, labels or synonyms (``"TNF inhibitor"``, ``"ciclosporin"``, ``"DM"``).
    max_length : int
        Longest path, in steps (default 4).
    evidence : ClinicalEvidence, optional
        Cases and literature (:func:`kg.clinical.clinical_evidence`); without it the
        prediction holds mechanism paths and reported clinical edges only.

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
    >>> str(p.effect), p.paths[0].text(p.labels)
    ('worsens', 'TNF inhibitor → type I interferon → dermatomyositis')
    """
    index = mechanisms(G, certainty)
    H = index.H
    drug, target = index.node(drug, "drug"), index.node(target, "target")
    paths = signed_paths(index, drug, target, max_length, damping=damping, certainty=certainty)
    reported = reported_edges(index, drug, target, certainty)
    condition = is_condition(H.nodes[target])
    goals = endpoints(H, target)
    reach = {**manifestations(H, target), **goals}
    literature = _literature(H, drug, reach, evidence) if evidence and condition else []
    cases = _cases(H, drug, goals, evidence) if evidence and condition else []
    involved = {drug, target} | {n for p in paths for n in p.nodes} | {r["target"] for r in reported}
    involved |= {v for p in paths for v in p.via} | {r["via"] for r in reported if r.get("via")}
    involved |= {p.overridden_by["target"] for p in paths if p.overridden_by}
    involved |= {x.via for x in literature + cases if x.via} | set(goals)
    involved |= {c for x in literature for c in x.report.conditions}
    known = evidence.labels if evidence else {}
    labels = {n: H.nodes[n].get("label", n) if n in H else known.get(n, n) for n in involved if n in H or n in known}
    return Prediction(
        drug=drug, target=target, condition=condition, mechanism=answer_of_paths(paths, condition, labels),
        score=paths_score(paths), paths=paths, reported=reported, reported_answer=_reported_answer(reported, labels),
        reported_score=sum(int(r["sign"]) * r["edge_weight"] for r in reported if r.get("sign") is not None),
        literature=literature, cases=cases,
        literature_answer=_tally_answer([x.report.sign for x in literature], [x.report.citation for x in literature],
                                        Basis.LITERATURE),
        cases_answer=_tally_answer([course_sign(x.course) for x in cases], [x.course.citation for x in cases],
                                   Basis.CASES),
        max_length=max_length, labels=labels)
