"""Compile curated records into one RDF graph: the TBox plus every cited fact.

The meaning of every record key is read from :mod:`kg.curation.spec`; each
record kind has one small function over a shared :class:`~kg.compile.context.Context`:

========================  =================================================
module                    record kinds
========================  =================================================
:mod:`.entities`          entity, identifier (data/identifiers.tsv)
:mod:`.publications`      publication (and database)
:mod:`.references`        reference file, reference
:mod:`.reports`           therapy report
:mod:`.facts`             fact, defaults
:mod:`.doses`             dose recommendation, dose, duration
:mod:`.cases`             patient, finding, lab, course
========================  =================================================

The only order is "names before the facts that use them": first every name a
record can refer to (entities, publications, identifiers, reference-list
numbers), then every record, in any order, reading other records only through
the context's registries (never the graph being built).

Every problem is reported with its file and line, all at once, as one
:class:`~kg.errors.DataError`; warnings (contradicting facts of one source, a
database locator that fell back to text) come back in :attr:`Compilation.warnings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph

from kg.compile import cases, doses, entities, facts, publications, references
from kg.compile.context import Context, decimal
from kg.compile.reports import therapy_report
from kg.compile.vocabulary import Vocabulary, load_tbox, local
from kg.curation import Curation, Record
from kg.curation.yamlfile import paused_gc
from kg.errors import DataError, Problem
from kg.namespaces import KG

__all__ = ["Compilation", "Vocabulary", "compile_curation", "compile_graph", "decimal", "load_tbox", "local"]


@dataclass
class Compilation:
    """The asserted graph and the warnings found while building it."""

    graph: Graph
    warnings: list[Problem] = field(default_factory=list)


def compile_curation(curation: Curation, tbox: Graph) -> Compilation:
    """The asserted graph (TBox, entities, identifiers, publications, facts, cases) and its warnings.

    Raises :class:`~kg.errors.DataError` listing every problem if there is any (its ``warnings``
    attribute holds the warnings found as well).

    Examples
    --------
    >>> from kg.curation import read_curation
    >>> from kg.project import Project
    >>> p = Project.discover()
    >>> result = compile_curation(read_curation(p.data), load_tbox(p.ontology))
    >>> len(result.graph) > 9000, result.warnings   # the curated data raise no warning today
    (True, [])
    """
    with paused_gc():
        return _compile(curation, tbox)


def _compile(curation: Curation, tbox: Graph) -> Compilation:
    ctx = Context(Vocabulary.from_tbox(tbox))
    # names
    entities.register(ctx, curation.entities)
    for rec in publications.records(curation):
        publications.register(ctx, rec)
    entities.identifiers(ctx, curation.xrefs)
    entries = references.register(ctx, curation.reference_lists)
    # records
    entities.write(ctx, curation.entities)
    for rec in publications.records(curation):
        publications.write(ctx, rec)
    references.write(ctx, entries)
    checks = facts.FactChecks()
    for doc in curation.sources:
        source(ctx, doc, checks)
    cases.all_different(ctx)
    if ctx.problems:
        error = DataError(ctx.problems)
        error.warnings = ctx.warnings
        raise error
    return Compilation(ctx.graph, ctx.warnings)


def compile_graph(curation: Curation, tbox: Graph) -> Graph:
    """The asserted graph of :func:`compile_curation` (its warnings dropped)."""
    return compile_curation(curation, tbox).graph


def source(ctx: Context, doc: Record, checks: facts.FactChecks) -> None:
    """Everything one source file states, cited to its publication."""
    pid = str(doc["publication"]["id"])
    pub = ctx.resources.get(pid)
    if pub is None or ctx.nodes.get(pub) is not doc["publication"]:
        return  # its publication could not be registered (already reported)
    tag = re.sub(r"^pub_", "", pid)
    default_ev = facts.default_evidence(ctx, doc.get("defaults"))
    for rec in doc.get("facts") or []:
        facts.fact(ctx, rec, pub, default_ev, checks)
    for rec in doc.get("dose_recommendations") or []:
        doses.dose_recommendation(ctx, rec, pub, tag)
    for k, rep in enumerate(doc.get("therapy_reports") or [], start=1):
        rid = rep.get("id") or str(k)
        therapy_report(ctx, rep, KG[f"report_{tag}_{rid}"], pub, None, rep.get("at") or "text")
    for rec in doc.get("patients") or []:
        cases.patient(ctx, rec, pub, tag)
