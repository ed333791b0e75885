"""The headline question ``kg build`` answers, through its saved query, in the answer vocabulary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef

from kg.answers import Answer, Basis, Effect, summary_flags
from kg.evidence import Evidence, publication_identifier
from kg.lookup import NameIndex
from kg.namespaces import iri_to_curie
from kg.reports.common import Sources, join_blocks, paragraph
from kg.text import Column, render, terminal_width

HEADLINE = "Which calcineurin inhibitors spare type I interferon (IFN-α/β)?"
QUERY = "cni_type1_ifn"


@dataclass(frozen=True)
class HeadlineRow:
    """One drug's answer to the headline question."""

    drug: str
    answer: Answer
    detail: str          # the stated relation and its context, or the chain of steps in words

    def to_dict(self) -> dict[str, Any]:
        # "status" and "citation" keep the names of the first version's JSON output.
        return {"drug": self.drug, "status": self.answer.effect.value, "basis": self.answer.basis.value,
                "answer": self.answer.phrase(), "detail": self.detail, "flags": self.answer.flags(),
                "citation": "; ".join(e.text() for e in self.answer.evidence),
                "answer_detail": self.answer.to_dict()}


def _curie(term: Any) -> str:
    return iri_to_curie(str(term)) or str(term)


def headline_rows(graph: Graph, query: str = QUERY, params: dict[str, str] | None = None) -> list[HeadlineRow]:
    """Each calcineurin inhibitor's answer, from the saved query (one row per drug)."""
    from kg.query import run_query

    index = NameIndex.of(graph)
    by_drug: dict[str, list[dict[str, Any]]] = defaultdict(list)
    order: list[str] = []
    for rec in run_query(query, params or {}, graph=graph).records():
        name = str(rec["drugLabel"])
        if name not in by_drug:
            order.append(name)
        by_drug[name].append(rec)
    rows = []
    for name in order:
        recs = by_drug[name]
        first = recs[0]
        evidence = tuple(Evidence(citation=_curie(r["citation"]), citation_label=index.label(r["citation"]),
                                  identifier=publication_identifier(graph, URIRef(str(r["citation"]))),
                                  locator="" if str(r["basis"]) == "via mechanism" else str(r["locator"] or ""),
                                  certainty=_curie(r["certainty"]) if r.get("certainty") is not None else "kg:stated")
                         for r in recs if r.get("citation") is not None)
        hypothesis = any(str(r.get("hypothesis")).lower() == "true" for r in recs) or any(
            e.certainty not in ("kg:stated", "") for e in evidence)
        answer = Answer(Effect(str(first["status"])), Basis(str(first["basis"])), evidence,
                        steps=int(first["steps"]) if first.get("steps") is not None else None, hypothesis=hypothesis)
        if answer.basis is Basis.VIA_MECHANISM:
            detail = str(first.get("route") or "")
        elif first.get("relation") is not None:
            detail = index.label(first["relation"]) + (f" ({first['context']})" if first.get("context") else "")
        else:
            detail = "no curated source says anything about it, and no chain of cited steps connects them"
        rows.append(HeadlineRow(name, answer, detail))
    return rows


def headline_text(rows: list[HeadlineRow], width: int | None = None, question: str = HEADLINE) -> str:
    """The question, one line per drug (answer, how it is known, papers as footnotes), and the flags."""
    width = width or terminal_width()
    sources = Sources()
    body = []
    for row in rows:
        cited = sources.all(row.answer.evidence)
        body.append([row.drug, row.answer.phrase(), row.detail, cited])
    table = render([Column("drug", priority=1), "answer", "how", "source"], body, title=question, width=width)
    flagged = [(row.drug, flag) for row in rows for flag in row.answer.flags()]
    notes = ""
    if flagged:
        by_flag: dict[str, list[str]] = defaultdict(list)
        for drug, flag in flagged:
            by_flag[flag].append(drug)
        notes = paragraph("Flags: " + "; ".join(f"{', '.join(drugs)}: {flag}" for flag, drugs in by_flag.items())
                          + ".", width)
    legend = paragraph("stated: a source says it of the drug; via class: of its class; via mechanism: derived "
                       "along cited steps (kg explain DRUG TARGET lists them); no evidence: unknown, not sparing.",
                       width)
    return join_blocks(table, notes, legend, sources.render(width))


def flags_of(rows: list[HeadlineRow]) -> list[str]:
    """Every flag the answers carry (for a one-line summary)."""
    return summary_flags([row.answer for row in rows])


def build_summary(result, width: int | None = None) -> str:
    """What ``kg build`` says about a build (a :class:`kg.build.BuildResult`): where, how big, what was inferred."""
    width = width or terminal_width()
    r = result.report
    state = "up to date (inputs unchanged; use --force to rebuild)" if result.skipped else "built"
    inferred = ", ".join(f"{k} {v}" for k, v in r["inferred_per_class"].items())
    shacl = "conforms" if r["validation"]["conforms"] else "FAILS"
    lines = [
        f"Graph {state}: {result.dist}",
        f"  {r['triples']} triples; {r['classes']} classes, {r['object_properties']} object and "
        f"{r['datatype_properties']} data properties; {r['individuals']} individuals",
        f"  {r['publications']} publications, {r['patients']} patients, {r['treatment_courses']} treatment "
        f"courses, {r['therapy_reports']} therapy reports, {r['cited_axioms']} cited assertions",
        f"  HermiT inferred {r['inferred_types']} memberships ({inferred})",
        f"  {r.get('derived_effects', 0)} effects derived along cited mechanism steps",
        f"  SHACL: {shacl}; report: {result.dist / 'build-report.md'}",
    ]
    for warning in r.get("warnings", []):
        lines.append(f"  warning: {warning['file']}:{warning['line']}: {warning['message']}")
    return "\n".join(paragraph(line, width, indent="    ") for line in lines) + "\n"
