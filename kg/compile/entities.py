"""Entities (data/entities) and their identifiers (data/identifiers.tsv).

:func:`register` makes every entity a name (before any record refers to one);
:func:`write` adds its triples; :func:`identifiers` adds the cross-references
(also names: a fact citing a database is located by them).
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import OWL, RDF, SKOS

from kg.compile.context import Context
from kg.compile.vocabulary import local
from kg.curation import Record
from kg.namespaces import KG, OBOINOWL, curie_to_iri


def register(ctx: Context, entities: list[Record]) -> None:
    """Claim each entity's IRI and note its class (every problem is reported at its line)."""
    for rec in entities:
        eid = rec["id"]
        iri = KG[eid]
        if iri in ctx.voc.classes or iri in ctx.voc.individuals or iri in ctx.voc.object_properties \
                or iri in ctx.voc.datatype_properties:
            ctx.problem(rec, f"entity id {eid!r} is already a name in the ontology (ontology/kg.ttl)",
                        code="data.duplicate")
            continue
        if not ctx.claim(iri, rec, f"entity id {eid!r}"):
            continue
        cls = KG[rec["type"]]
        if cls not in ctx.voc.classes:
            hint = ctx.suggest(rec["type"], "classes", [local(c) for c in ctx.voc.classes])
            ctx.problem(rec, f"unknown entity type {rec['type']!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                        code="data.name")
            continue
        ctx.entity_types[iri] = cls


def write(ctx: Context, entities: list[Record]) -> None:
    """Each registered entity as a typed, labelled, defined individual."""
    g = ctx.graph
    for rec in entities:
        iri = KG[rec["id"]]
        if iri not in ctx.entity_types or ctx.nodes.get(iri) is not rec:
            continue
        g.add((iri, RDF.type, OWL.NamedIndividual))
        g.add((iri, RDF.type, ctx.entity_types[iri]))
        ctx.apply(iri, rec, "entity")


def identifiers(ctx: Context, rows: list[Record]) -> None:
    """Each row of data/identifiers.tsv as ``oboInOwl:hasDbXref`` and ``skos:exactMatch``."""
    seen: dict[tuple[str, str], Record] = {}
    for row in rows:
        iri = KG[row["entity"]]
        if not ctx.is_name(iri):
            hint = ctx.suggest(row["entity"], "entities", [local(i) for i in ctx.entity_types])
            ctx.problem(row, f"identifier for unknown entity {row['entity']!r}"
                        + (f"; did you mean {hint[0]!r}?" if hint else ""), code="data.name")
            continue
        try:
            target = curie_to_iri(row["curie"])
        except ValueError as exc:
            ctx.problem(row, str(exc), code="data.identifier")
            continue
        key = (row["entity"], row["curie"])
        if key in seen:
            ctx.warn(row, f"the same identifier as line {seen[key].line}", code="data.duplicate")
            continue
        seen[key] = row
        ctx.graph.add((iri, OBOINOWL.hasDbXref, Literal(row["curie"])))
        ctx.graph.add((iri, SKOS.exactMatch, target))
        ctx.xrefs.setdefault(iri, []).append(row["curie"])
