"""``kg explain`` and ``kg predict`` as text: the answer first, then the paths, reports, cases and papers.

The same strings come back from Python (``explain_text(prediction)``) as the
command prints. Signs and scores are given in words: a path *lowers* or
*raises*, a candidate's evidence is *strong for* or *weak against*.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.analysis.explain import Prediction
from kg.analysis.predict import Candidate
from kg.answers import Effect, summary_flags
from kg.reports.common import Sources, join_blocks, paragraph, plural, strength
from kg.text import Column, render, terminal_width

#: Words for the kinds of evidence, in the order reports show them.
KINDS = {"mechanism": "mechanism", "reported": "reported clinically", "literature": "literature", "cases": "cases"}


def _counts(prediction: Prediction, kind: str) -> str:
    if kind == "literature" and prediction.literature:
        signs = [x.report.sign for x in prediction.literature]
        parts = {"benefit": signs.count(-1), "harm": signs.count(1), "no benefit": signs.count(0),
                 "no result stated": signs.count(None)}
        return f"{plural(len(signs), 'report')}: " + ", ".join(f"{n} {k}" for k, n in parts.items() if n)
    if kind == "cases" and prediction.cases:
        outcomes = [x.course.outcome_class for x in prediction.cases]
        parts = {"favourable": outcomes.count("favourable"), "failed": outcomes.count("non-response"),
                 "partial": outcomes.count("partial")}
        return f"{plural(len(outcomes), 'course')}: " + ", ".join(f"{n} {k}" for k, n in parts.items() if n)
    return ""


def answers_table(prediction: Prediction, width: int) -> str:
    """One line per kind of evidence: what it says and how it is known."""
    rows = []
    for kind, answer in prediction.answers.items():
        if kind in ("literature", "cases") and not prediction.condition:
            continue  # reports and cases speak of conditions, not of molecules
        counts = _counts(prediction, kind)
        text = answer.phrase() if answer.effect.known else "no evidence"
        rows.append([KINDS[kind], text + (f"; {counts}" if counts else "")])
    title = f"{prediction.label(prediction.drug)} and {prediction.label(prediction.target)}"
    return render(["evidence", "what it says"], rows, title=title, width=width)


def _graph_of(edge) -> str:
    """' (graph het)' for a step read from an imported graph, '' for a curated one."""
    graph = edge.get("graph")
    return f" (graph {graph})" if graph and graph != "curated" else ""


def paths_table(prediction: Prediction, sources: Sources, width: int) -> str:
    labels = prediction.labels
    heaviest = max((p.weight for p in prediction.counted_paths), default=0.0)
    rows = []
    for path in prediction.paths:
        effect = Effect.of_signs({path.sign}, prediction.condition)
        notes = []
        if path.overridden_by:
            notes.append(f"not counted: a source says the drug leaves "
                         f"{labels.get(path.overridden_by['target'], path.overridden_by['target'])} unchanged")
        if path.scope != "target":
            notes.append(f"ends at a {path.scope} condition")
        if path.hypothetical:
            notes.append("a step is a hypothesis")
        if path.via:
            notes.append("borrows claims about " + ", ".join(labels.get(v, v) for v in path.via))
        weight = f"{round(100 * path.weight / heaviest)}% of the strongest" if heaviest and path.counted else "-"
        steps = [f"step {n}{_graph_of(e)}: " + (sources.all(e.get("evidence", ()), sep=", ") or "uncited")
                 for n, e in enumerate(path.edges, 1)]
        rows.append([path.sentence(labels), "; ".join([str(effect), *notes]), weight, "\n".join(steps)])
    if not rows:
        return paragraph(f"No chain of cited mechanism steps (at most {prediction.max_length}) links "
                         f"{prediction.label(prediction.drug)} to {prediction.label(prediction.target)}.", width)
    return render([Column("path", priority=1), "effect", "weight", "sources"], rows,
                  title="Mechanism paths, strongest first", width=width)


def reported_table(prediction: Prediction, sources: Sources, width: int) -> str:
    rows = []
    for r in prediction.reported:
        says = {-1: "helps", 1: "harms", 0: "no effect"}.get(r.get("sign"), "no direction")
        who = prediction.label(r["source"]) + (f" (as a {prediction.label(r['via'])})" if r.get("via") else "")
        target = prediction.label(r["target"]) + ("" if r["scope"] == "target" else f" ({r['scope']} condition)")
        rows.append([f"{who} {r.get('label')} {target}", says, sources.all(r.get("evidence", ()))])
    if not rows:
        return ""
    return render([Column("statement", priority=1), "says", "sources"], rows, title="Reported clinically",
                  width=width)


def literature_table(prediction: Prediction, sources: Sources, width: int) -> str:
    rows = []
    for item in prediction.literature:
        report = item.report
        therapy = prediction.label(prediction.drug) + (f" (as a {prediction.label(item.via)})" if item.via else "")
        conditions = ", ".join(prediction.label(c) for c in report.conditions)
        scope = "" if item.scope == "target" else f" ({item.scope} condition)"
        rows.append([therapy, conditions + scope, report.direction_label, report.citation.evidence_label,
                     sources.evidence(report.citation)])
    if not rows:
        return ""
    return render([Column("therapy", priority=1), "in", "direction", "study design", "source"], rows,
                  title="Literature, best study design first", width=width)


def cases_table(prediction: Prediction, sources: Sources, width: int) -> str:
    rows = []
    for item in prediction.cases:
        c = item.course
        who = c.patient.removeprefix("kg:patient_").replace("_", "-")
        therapy = c.therapy_label + (f" (a {prediction.label(prediction.drug)})" if item.via else "")
        rows.append([f"patient {who}, course {c.sequence}", therapy, c.dose(), c.duration(), c.outcome_label,
                     sources.evidence(c.citation)])
    if not rows:
        return ""
    return render([Column("course", priority=1), "therapy", "dose", "duration", "outcome", "source"], rows,
                  title="Treatment courses in the cases", width=width)


def explain_text(prediction: Prediction, width: int | None = None) -> str:
    """Everything ``kg explain`` prints for one prediction."""
    width = width or terminal_width()
    sources = Sources()
    lines = []
    if prediction.spared:
        lines.append("A source says the drug leaves " + ", ".join(prediction.label(s) for s in prediction.spared)
                     + " unchanged; chains through it are listed but not counted.")
    flags = summary_flags(list(prediction.answers.values()))
    if flags:
        lines.append("Note: " + "; ".join(f"an answer above {flag}" for flag in flags) + ".")
    notes = "\n".join(paragraph(line, width) for line in lines)
    blocks = [answers_table(prediction, width), notes, paths_table(prediction, sources, width),
              reported_table(prediction, sources, width), literature_table(prediction, sources, width),
              cases_table(prediction, sources, width), sources.render(width)]
    return join_blocks(*blocks)


# --- kg predict -------------------------------------------------------------------------

def _verdict(candidate: Candidate) -> str:
    parts = []
    for entry in candidate.per_disease.values():
        pred = entry.prediction
        says = [f"{KINDS[k]} {a.effect}" for k, a in pred.answers.items() if a.effect.known and k != "cases"]
        if pred.cases:
            says.append("cases " + _counts(pred, "cases"))
        parts.append(", ".join(says) or "no evidence")
    return "; ".join(parts)


def _components(candidate: Candidate, diseases: Sequence[str], labels: dict[str, str]) -> str:
    lines = []
    for dis in diseases:
        e = candidate.per_disease[dis]
        head = f"{labels.get(dis, dis)}: " if len(diseases) > 1 else ""
        bits = [f"{name} {strength(value)}" for name, value in (("mechanism", e.mechanism), ("reported", e.reported),
                                                                 ("cases", e.cases), ("literature", e.literature))
                if value]
        lines.append(head + (", ".join(bits) or (e.why_zero() or "balanced")))
    return "\n".join(lines)


def predict_text(ranked: Sequence[Candidate], diseases: Sequence[str], labels: dict[str, str], *, top: int = 10,
                 width: int | None = None) -> str:
    """Both ends of a ranking: the drugs most likely to help, the ones with evidence against, and the rest."""
    width = width or terminal_width()
    names = " and ".join(labels.get(d, d) for d in diseases)
    helps = [c for c in ranked if c.score > 1e-12][:top]
    against = [c for c in reversed(ranked) if c.score < -1e-12][:top]
    neutral = [c for c in ranked if abs(c.score) <= 1e-12]

    def table(rows: list[Candidate], title: str) -> str:
        if not rows:
            return f"{title}: none."
        body = [[str(c.rank), c.label + (" (drug class)" if c.kind == "DrugClass" else ""), _verdict(c),
                 _components(c, diseases, labels)] for c in rows]
        return render([Column("rank", align="right"), Column("drug", priority=1), "what the evidence says",
                       "how strongly"], body, title=title, width=width)

    blocks = [table(helps, f"Most likely to help in {names} (of {plural(len(ranked), 'drug')} with evidence)"),
              table(against, f"Evidence against, for {names} (strongest against first)")]
    if neutral:
        reasons: dict[str, list[str]] = {}
        for c in neutral:
            why = "; ".join(e.why_zero() for e in c.per_disease.values() if e.why_zero()) or "balanced"
            reasons.setdefault(why, []).append(c.label)
        blocks.append("No net evidence either way:\n" + "\n".join(
            "  " + paragraph(f"{', '.join(v)}: {k}", width - 2, indent="    ") for k, v in reasons.items()))
    blocks.append(paragraph("Rank orders every drug with evidence by the sum of four components (mechanism paths, "
                            "reported clinical statements, case courses, literature reports)"
                            + (", taking for two diseases the smaller sum" if len(diseases) > 1 else "")
                            + ". A failed course counts against a drug; it is not evidence of harm.", width))
    return join_blocks(*blocks)
