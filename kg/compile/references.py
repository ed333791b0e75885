"""Reference lists (data/references): numbered entries of a citing publication's list.

:func:`register` records which publication each number cites (names a fact's
``refs: [n]`` can point at) and the study type an entry gives a publication
that declares none; :func:`write` adds the entries and their therapy reports.
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib import Literal, URIRef

from kg.compile.context import Context
from kg.compile.reports import therapy_report
from kg.curation import Record
from kg.curation.spec import SPECS
from kg.namespaces import KG


class Entry(NamedTuple):
    """One usable entry of a reference list."""

    list_id: str
    citing: URIRef
    ref: Record
    cited: URIRef
    study: URIRef | None


def _cited_id(ref: Record) -> str:
    pub = ref["pub"]
    return str(pub["id"]) if isinstance(pub, Record) else str(pub)


def register(ctx: Context, lists: list[Record]) -> list[Entry]:
    """Map (citing publication, number) -> cited publication; returns the usable entries.

    An entry's study type becomes the cited publication's when that declares none
    (the first list to mention it wins, in file order).
    """
    study_key = SPECS["reference"].keys["study_type"]
    seen_lists: set[str] = set()
    usable: list[Entry] = []
    for doc in lists:
        list_id = str(doc["list_of"])
        citing = ctx.resources.get(list_id)
        if citing is None:
            hint = ctx.suggest(list_id, "publications", ctx.resources)
            ctx.problem(doc, f"list_of names unknown publication {list_id!r}"
                        + (f"; did you mean {hint[0]!r}?" if hint else ""), code="data.name")
            continue
        if list_id in seen_lists:
            ctx.problem(doc, f"a second reference list for {list_id!r}", code="data.duplicate")
            continue
        seen_lists.add(list_id)
        numbers: set[int] = set()
        for ref in doc["references"]:
            n = ref["n"]
            if n in numbers:
                ctx.problem(ref, f"reference number {n} appears twice", code="data.duplicate")
                continue
            numbers.add(n)
            cited = ctx.resources.get(_cited_id(ref))
            if cited is None:
                hint = ctx.suggest(_cited_id(ref), "publications", ctx.resources)
                ctx.problem(ref, f"unknown publication {_cited_id(ref)!r}"
                            + (f"; did you mean {hint[0]!r}?" if hint else ""), code="data.name")
                continue
            study = ctx.pick(ref, study_key.vocab, ref["study_type"], study_key.what)
            ctx.ref_entries[(citing, n)] = cited
            if study is not None and cited not in ctx.study_types:
                ctx.study_types[cited] = study
                ctx.derived_study_types[cited] = study
            usable.append(Entry(list_id, citing, ref, cited, study))
        if missing := sorted(set(range(1, max(numbers) + 1)) - numbers if numbers else ()):
            ctx.problem(doc, f"reference numbers missing from the list: {missing}", code="data.shape")
    return usable


def write(ctx: Context, entries: list[Entry]) -> None:
    """Each entry as a kg:ReferenceEntry cited to its list, and each report it holds."""
    g = ctx.graph
    for cited, study in ctx.derived_study_types.items():
        g.add((cited, KG.studyType, study))
    for list_id, citing, ref, cited, study in entries:
        n = ref["n"]
        entry = ctx.n_ary(KG[f"refentry_{list_id}_{n}"], KG.ReferenceEntry, f"{list_id} reference {n}", ref,
                          f"reference entry {n} of {list_id!r}")
        if entry is None:
            continue
        g.add((entry, KG.inReferenceListOf, citing))
        g.add((entry, KG.referenceNumber, Literal(int(n))))
        g.add((entry, KG.refersTo, cited))
        ctx.cite(entry, citing, ctx.study_types.get(citing) or ctx.evidence("review"), f"reference {n}")
        for k, rep in enumerate(ref["reports"], start=1):
            read = "abstract" if rep.get("basis") == "abstract" else "title"
            therapy_report(ctx, rep, KG[f"report_{list_id}_{n}_{k}"], cited, study, f"{read}; {list_id} reference {n}")
