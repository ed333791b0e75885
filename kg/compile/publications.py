"""Publications and databases: the things a statement cites.

Each is declared once, in a source file's ``publication`` or inline in a
reference list, and referred to by id everywhere else. A database declares
``keyed_by: PREFIX`` when its records are found by an identifier: a fact citing
it is then located by the subject's identifier in that prefix (DrugBank:
``DRUGBANK:DB00091 (DrugBank cyclosporine record)``).
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.compile.context import Context
from kg.curation import Curation, Record
from kg.curation.spec import SPECS
from kg.namespaces import IRI_STEMS, KG, OBOINOWL, curie_to_iri

#: Publication keys that are identifiers -> their CURIE prefix.
IDENTIFIER_KEYS = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMC"}


def records(curation: Curation) -> Iterator[Record]:
    """Every publication record: each source file's, then those defined inline in reference lists."""
    for doc in curation.sources:
        yield doc["publication"]
    for doc in curation.reference_lists:
        for ref in doc["references"]:
            if isinstance(ref.get("pub"), Record):
                yield ref["pub"]


def register(ctx: Context, rec: Record) -> None:
    """Make the publication's id a name (with its class, study type and locator prefix)."""
    pid = str(rec["id"])
    if pid in ctx.resources:
        ctx.problem(rec, f"publication id {pid!r} defined twice; refer to it by id instead", code="data.duplicate")
        return
    iri = KG[pid]
    if not ctx.claim(iri, rec, f"publication id {pid!r}"):
        return
    ctx.resources[pid] = iri
    if rec.get("study_type") and (study := ctx.lookup(SPECS["publication"].keys["study_type"].vocab,
                                                      rec["study_type"])) is not None:
        ctx.study_types[iri] = study
    if rec.get("keyed_by"):
        prefix = str(rec["keyed_by"]).upper()
        if kind_of(ctx, rec) != KG.Database:
            ctx.problem(rec, "keyed_by is for a database (kind: database)", code="data.shape")
        elif prefix not in IRI_STEMS:
            ctx.problem(rec, f"keyed_by names unknown identifier prefix {rec['keyed_by']!r}; known: "
                             f"{', '.join(sorted(IRI_STEMS))}", code="data.identifier")
        else:
            ctx.keyed_by[iri] = prefix


def kind_of(ctx: Context, rec: Record, report: bool = False) -> URIRef | None:
    """The class a publication record's ``kind`` names (kg:Publication unless it says otherwise)."""
    key = SPECS["publication"].keys["kind"]
    value = rec.get("kind") or key.default
    return ctx.pick(rec, key.vocab, value, key.what) if report else ctx.lookup(key.vocab, value)


def write(ctx: Context, rec: Record) -> None:
    """The publication's triples: class, label, bibliographic fields, identifiers as xrefs."""
    pid = str(rec["id"])
    iri = KG[pid]
    if ctx.resources.get(pid) != iri or ctx.nodes.get(iri) is not rec:
        return
    g = ctx.graph
    cls = kind_of(ctx, rec, report=True)
    g.add((iri, RDF.type, OWL.NamedIndividual))
    if cls is not None:
        g.add((iri, RDF.type, cls))
    authors = rec.get("authors")
    first = rec.get("first_author") or (authors.split(",")[0].strip() if authors else None)
    if first and rec.get("year"):
        journal = rec.get("journal")
        label = f"{first} {rec['year']}" + (f", {journal}" if journal else "")
    else:
        label = rec["title"]
    g.add((iri, RDFS.label, Literal(label)))
    if first:
        g.add((iri, KG.firstAuthor, Literal(first)))
    ctx.apply(iri, rec, "publication")
    for key, prefix in IDENTIFIER_KEYS.items():
        value = rec.get(key)
        if not value:
            continue
        value = str(value).strip()
        if key == "pmcid":
            value = "PMC" + value.upper().removeprefix("PMC")
        prop = SPECS["publication"].keys[key].prop
        g.add((iri, prop, Literal(value)))
        curie = f"{prefix}:{value}"
        g.add((iri, OBOINOWL.hasDbXref, Literal(curie)))
        g.add((iri, SKOS.exactMatch, curie_to_iri(curie)))
    if not (rec.get("doi") or rec.get("pmid") or rec.get("local_id")) and cls == KG.Publication:
        g.add((iri, KG.localId, Literal(f"dmkg-pub-{pid}")))

