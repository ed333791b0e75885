"""Therapy reports: what one publication reports about one therapy in one or more conditions.

A report is an n-ary statement node (kg:TherapyReport) carrying its own
citation. Reports come from source files (``therapy_reports``) and from the
entries of reference lists (``reports``), where the cited paper is the citation
and the entry's study type the default.
"""

from __future__ import annotations

from rdflib import URIRef

from kg.compile.context import Context
from kg.compile.vocabulary import local
from kg.curation import Record
from kg.curation.spec import SPECS
from kg.namespaces import KG


def as_list(value: str | list[str]) -> list[str]:
    """A key that takes one id or a list of them, as a list."""
    return [value] if isinstance(value, str) else list(value)


def therapy_report(ctx: Context, rep: Record, iri: URIRef, citation: URIRef, study: URIRef | None,
                   locator: str) -> None:
    """One report as a kg:TherapyReport node, cited to ``citation`` with ``locator`` unless it has ``at``."""
    spec = SPECS["therapy_report"]
    if rep.get("study_type"):
        study = ctx.pick(rep, spec.keys["study_type"].vocab, rep["study_type"], "study type")
    therapies = as_list(rep["therapy"])
    found = [ctx.resolve(rep, t, "therapy") for t in therapies]
    if study is None:
        if not rep.get("study_type"):
            ctx.problem(rep, "a therapy report needs a study_type", code="data.shape")
        ctx.apply(None, rep, "therapy_report")
        return
    names = ", ".join(therapies) + " in " + ", ".join(as_list(rep["condition"]))
    node = ctx.n_ary(iri, KG.TherapyReport, f"report: {names}", rep, f"therapy report {local(iri)!r}")
    if node is None:
        return
    for t in filter(None, found):
        if t not in ctx.voc.classes and KG.Therapy not in ctx.classes_of(t):
            ctx.problem(rep, f"therapy {local(t)!r} is not a therapy or drug class", code="data.range")
        ctx.graph.add((node, spec.keys["therapy"].prop, t))
    ctx.apply(node, rep, "therapy_report")
    basis = rep.get("basis")
    if rep.get("abstract_from") and basis != "abstract":
        ctx.problem(rep, "abstract_from says where an abstract was read: it needs basis: abstract",
                    code="data.shape")
    elif basis == "abstract" and not rep.get("abstract_from"):
        ctx.warn(rep, "basis: abstract without abstract_from (where the abstract was read)", code="data.shape")
    ctx.cite(node, citation, study, rep.get("at") or locator)
