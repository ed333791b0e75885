"""Doses: dose recommendations of a source, the dose steps of a course, and time spans.

Time units are the kg:TimeUnit individuals of the TBox, matched on their
``skos:notation`` (UCUM ``d``, ``wk``, ``mo``, ``a``); the graph keeps the code.
"""

from __future__ import annotations

from rdflib import Literal, URIRef

from kg.compile.context import Context, decimal
from kg.compile.vocabulary import local
from kg.curation import Record
from kg.curation.spec import SPECS
from kg.namespaces import KG

#: Properties a time span is written with, by the course (or patient) key that holds it.
SPAN_PROPERTIES = {"duration": (KG.durationValue, KG.durationUnit, KG.durationText),
                   "response_after": (KG.responseAfterValue, KG.responseAfterUnit, KG.responseAfterText),
                   "prior_treatment_span": (KG.priorTreatmentSpanValue, KG.priorTreatmentSpanUnit,
                                            KG.priorTreatmentSpanText)}


def dose_recommendation(ctx: Context, rec: Record, pub: URIRef, tag: str) -> None:
    """A usual or recommended dose a source states, as a kg:DoseRecommendation node."""
    drug = ctx.resolve(rec, rec["drug"], "drug")
    if drug is None:
        ctx.apply(None, rec, "dose_recommendation")
        return
    node = ctx.n_ary(KG[f"doserec_{tag}_{rec['id']}"], KG.DoseRecommendation,
                     f"{local(drug)} {rec['value']} {rec['unit']} ({rec['role']})", rec,
                     f"dose recommendation {rec['id']!r}")
    if node is None:
        return
    ctx.check_range(rec, KG.forDrug, drug)
    ctx.graph.add((node, KG.forDrug, drug))
    ctx.apply(node, rec, "dose_recommendation")
    ctx.cite(node, pub, ctx.evidence("author_statement"), str(rec["at"]))


def time_span(ctx: Context, node: URIRef, key: str, span: Record) -> None:
    """A course's ``duration`` or ``response_after`` (a patient's ``prior_treatment_span``): its text always,
    value and unit when given."""
    value_prop, unit_prop, text_prop = SPAN_PROPERTIES[key]
    ctx.graph.add((node, text_prop, Literal(span["text"])))
    if span.get("value") is None:
        return
    vocab = SPECS["duration"].keys["unit"].vocab
    unit = ctx.lookup(vocab, span.get("unit"))
    if span.get("unit") is None or unit is None:
        codes = ctx.voc.value_names(vocab)
        ctx.problem(span, f"time unit must be one of {codes} (UCUM), got {span.get('unit')!r}",
                    code="data.vocabulary")
        return
    ctx.graph.add((node, value_prop, decimal(span["value"])))
    ctx.graph.add((node, unit_prop, unit))


def dose_steps(ctx: Context, course: URIRef, rec: Record) -> None:
    """Each of a course's ``doses`` as a numbered kg:DoseStep; the course's dose text if it has none."""
    texts = []
    for n, dose in enumerate(rec.get("doses") or [], start=1):
        step = ctx.n_ary(KG[f"{local(course)}_dose{n}"], KG.DoseStep, f"dose step {n} of {local(course)}", dose,
                         f"dose step {n} of {local(course)}")
        if step is None:
            continue
        ctx.graph.add((course, KG.hasDoseStep, step))
        ctx.graph.add((step, KG.stepNumber, Literal(n)))
        ctx.apply(step, dose, "dose")
        text = dose.get("text") or " ".join(str(dose[k]) for k in ("value", "unit") if dose.get(k) is not None)
        if not text:
            ctx.problem(dose, "a dose needs a value and unit, or a text", code="data.shape")
        ctx.graph.add((step, KG.doseText, Literal(text)))
        texts.append(text)
    if rec.get("dose_text"):
        ctx.graph.add((course, KG.doseText, Literal(str(rec["dose_text"]))))
    elif texts:
        ctx.graph.add((course, KG.doseText, Literal("; then ".join(texts))))
