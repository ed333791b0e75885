"""``kg concordance``, ``kg bridges`` and ``kg similar`` as text (the same strings from Python)."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from kg.analysis.bridges import BridgeReport
from kg.analysis.concordance import Concordance
from kg.clinical import ClinicalEvidence
from kg.reports.common import Sources, join_blocks, paragraph
from kg.text import Column, render, terminal_width

STATUSES = ("agree", "disagree", "uncertain", "no prediction", "not assessable")


def short_label(G: nx.MultiDiGraph, node: str, fallback: str) -> str:
    """An acronym synonym when the label is long (CADM, DM), else the label."""
    data = G.nodes[node] if node in G else {}
    label = data.get("label", fallback)
    short = [s for s in data.get("synonyms", ()) if s.isupper() and 1 < len(s) <= 6]
    return min(short, key=len) if short and len(label) > 12 else label


def concordance_text(result: Concordance, evidence: ClinicalEvidence, G: nx.MultiDiGraph,
                     width: int | None = None) -> str:
    """Each course's expected effect next to its outcome; what differs between failed and favourable courses."""
    width = width or terminal_width()
    sources = Sources()
    rows = []
    for r in result.rows:
        c = r.course
        diagnoses = ", ".join(short_label(G, d, result.labels.get(d, d)) for d in c.diagnoses)
        given = f"{c.dose()}; {c.route or 'route not stated'}; {c.duration()}"
        expected = f"{r.expected} (from {r.basis})" if r.basis != "none" else str(r.expected)
        rows.append([c.patient.removeprefix("kg:patient_").replace("_", "-"), str(c.sequence), c.therapy_label, given,
                     ", ".join(c.concurrent_therapies), diagnoses, expected,
                     f"{c.outcome_label} ({c.target_label})" if c.target_label else c.outcome_label, r.status,
                     "\n".join(r.notes[:2]), sources.evidence(c.citation)])
    summary = ", ".join(f"{result.count(s)} {s}" for s in STATUSES if result.count(s))
    main = render([Column("patient", priority=2), Column("#", priority=2), Column("therapy", priority=2),
                   "given (dose; route; duration)", "given with", "diagnosis", "expected", "observed", "status",
                   "notes", "source"], rows, title=f"Predictions against outcomes ({summary})", width=width)
    contrast_rows = [[k.therapy_label, d.field, d.failed, d.succeeded, "\n".join(d.statements)]
                     for k in result.contrasts for d in k.differences]
    contrasts = ""
    if contrast_rows:
        pairs = "; ".join(f"{k.failed.label} vs {k.succeeded.label}" for k in result.contrasts)
        contrasts = render([Column("therapy", priority=1), "differs in", "failed course", "favourable course",
                            "what it means"], contrast_rows,
                           title=f"What differs between failed and favourable courses of one therapy ({pairs})",
                           width=width)
    for r in result.rows:
        for rec in evidence.recommendations_for(r.course.therapy):
            sources.evidence(rec.citation)
    return join_blocks(main, contrasts, sources.render(width))


def bridges_text(report: BridgeReport, G: nx.MultiDiGraph, layers: tuple[str, ...],
                 width: int | None = None) -> str:
    """The entities that connect two diseases, their share of the connecting paths, and shared therapies."""
    width = width or terminal_width()
    a, b = report.a, report.b
    la, lb = report.labels[a], report.labels[b]
    sa, sb = short_label(G, a, la), short_label(G, b, lb)

    def effect(value, reported: bool) -> str:
        return f"{value} (reported)" if reported else str(value)

    rows = [[str(x.rank), x.label, x.kind, f"{round(100 * x.share)}%", str(x.paths),
             effect(x.effect_a, x.reported_a), effect(x.effect_b, x.reported_b), " - ".join(x.example)]
            for x in report.bridges]
    main = render([Column("#", align="right"), Column("entity", priority=1), "kind", "share of paths", "paths",
                   f"on {sa}", f"on {sb}", "strongest path"], rows,
                  title=f"What connects {la} and {lb} ({report.n_paths} paths of at most {report.max_length} steps "
                        f"through {' and '.join(layers)} relations)", width=width)
    shared = [[s.label + (" (drug class)" if s.kind == "DrugClass" else ""),
               f"{s.reported_a}: " + "; ".join(s.edges_a), f"{s.reported_b}: " + "; ".join(s.edges_b)]
              for s in report.shared_therapies]
    shared_text = render([Column("therapy", priority=1), la, lb], shared,
                         title="Therapies reported for both", width=width, empty="(none)")
    legend = paragraph("Share of paths: of all the evidence-weighted paths between the two diseases, the part that "
                       "runs through the entity (hubs count less). On a disease: what a rise in the entity does to "
                       "it by its own cited paths (raises, lowers), or what a drug does (improves, worsens).", width)
    return join_blocks(main, shared_text, legend)


def similar_text(drug: str, ranked, labels: Mapping[str, str], vias: Mapping[str, list[str]],
                 width: int | None = None) -> str:
    """Drugs whose signed mechanism profile is closest to ``drug``'s, with what they share."""
    width = width or terminal_width()
    word = {-1: "lower", 1: "raise", 0: "spare", None: "bind"}
    rows = []
    for s in ranked:
        same: dict[str, list[str]] = {}
        for n, sign in s.same:
            same.setdefault(word[sign], []).append(labels.get(n, n))
        same_text = "\n".join(f"both {k} {', '.join(v)}" for k, v in same.items())
        opposite = "\n".join(f"{labels.get(n, n)} ({'lowers' if x < 0 else 'raises'} vs "
                             f"{'lowers' if y < 0 else 'raises'})" for n, x, y in s.opposite)
        rows.append([str(s.rank), s.label, f"{round(100 * s.score)}%", same_text, opposite,
                     ", ".join(labels.get(v, v) for v in vias.get(s.other, ()))])
    return render([Column("#", align="right"), Column("drug", priority=1), "similarity", "moved the same way",
                   "moved oppositely", "claims borrowed from"], rows,
                  title=f"Drugs most similar to {labels.get(drug, drug)} by what they raise, lower and spare",
                  width=width, empty="(no drug with a mechanism profile to compare)")
