"""Binary facts: a direct triple plus an ``owl:Axiom`` carrying the evidence.

Two checks run as the facts of one source are compiled, both read from the TBox:

* a ``type`` fact that would make an entity a member of two disjoint classes
  (``owl:disjointWith``, ``owl:AllDisjointClasses``, through superclasses) is an
  error at the fact's line, before the reasoner ever sees it;
* two facts citing the same publication about the same subject and object whose
  properties' signs (``kg:sign``, or the nearest signed super-property's)
  contradict - one leaves unchanged (0) while the other raises or lowers, or one
  raises (+1) while the other lowers (-1) - are a warning naming both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.compile.context import Context, decimal
from kg.compile.vocabulary import local
from kg.curation import Record
from kg.curation.shape import shown
from kg.curation.spec import SPECS
from kg.namespaces import KG

_SIGN_WORDS = {1: "raises", -1: "lowers", 0: "leaves unchanged"}


@dataclass
class FactChecks:
    """What earlier facts said, for the disjointness and sign checks of later ones."""

    types: dict[URIRef, dict[URIRef, Record | None]] = field(default_factory=dict)
    signed: dict[tuple[URIRef, URIRef, URIRef], dict[int, tuple[URIRef, Record]]] = field(default_factory=dict)


def default_evidence(ctx: Context, defaults: Record | None) -> URIRef | None:
    """The evidence type of a source's facts that name none (its ``defaults``), checked once."""
    key = SPECS["defaults"].keys["evidence"]
    if defaults is None or not defaults.get("evidence"):
        return ctx.lookup(key.vocab, key.default)
    return ctx.pick(defaults, key.vocab, defaults["evidence"], key.what)


def fact(ctx: Context, rec: Record, pub: URIRef, default_ev: URIRef | None, checks: FactChecks) -> None:
    """One fact of the source whose publication is ``pub``."""
    spec = SPECS["fact"]
    citation: URIRef | None = pub
    if rec.get("cite"):
        citation = ctx.resources.get(str(rec["cite"]))
        if citation is None:
            hint = ctx.suggest(str(rec["cite"]), "publications", ctx.resources)
            ctx.problem(rec, f"cite names unknown publication {rec['cite']!r}"
                        + (f"; did you mean {hint[0]!r}?" if hint else ""), code="data.name")
    evidence = default_ev
    if rec.get("evidence"):
        evidence = ctx.pick(rec, spec.keys["evidence"].vocab, rec["evidence"], "evidence type")
    subj = ctx.resolve(rec, rec["s"])
    prop = _property(ctx, rec)
    obj = _object(ctx, rec, prop) if prop is not None else None
    if None in (citation, subj, prop, obj, evidence):
        ctx.apply(None, rec, "fact")  # still report every problem of the record
        return
    refs = [int(r) for r in rec.get("refs") or []]
    at = str(rec["at"])
    locator = at + (f"; ref{'s' if len(refs) > 1 else ''} {', '.join(map(str, refs))}" if refs else "")
    if (prefix := ctx.keyed_by.get(citation)) is not None:
        keys = [x for x in ctx.xrefs.get(subj, []) if x.startswith(prefix + ":")]
        if keys:
            locator = f"{keys[0]} ({at})"
        else:
            ctx.warn(rec, f"{local(citation)} is keyed by {prefix} identifiers, but {rec['s']!r} has none in "
                          "data/identifiers.tsv; the locator is the 'at' text", code="data.identifier")
    supporting = [ctx.ref_entries[(pub, n)] for n in refs if (pub, n) in ctx.ref_entries]
    if prop == RDF.type and not _fits_disjoint(ctx, rec, subj, obj, checks):
        return
    axiom = ctx.assert_cited(subj, prop, obj, citation, evidence, locator, supporting)
    ctx.apply(axiom, rec, "fact")
    _check_sign(ctx, rec, citation, subj, prop, obj, checks)


def _property(ctx: Context, rec: Record) -> URIRef | None:
    if rec["p"] == "type":
        return RDF.type
    prop = KG[rec["p"]]
    if prop in ctx.voc.object_properties or prop in ctx.voc.datatype_properties:
        return prop
    names = [local(p) for p in ctx.voc.object_properties | ctx.voc.datatype_properties] + ["type"]
    hint = ctx.suggest(rec["p"], "properties", sorted(names))
    ctx.problem(rec, f"unknown property {rec['p']!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                code="data.name")
    return None


def _object(ctx: Context, rec: Record, prop: URIRef) -> URIRef | Literal | None:
    if prop in ctx.voc.datatype_properties:
        return _literal(ctx, rec, prop)
    obj = ctx.resolve(rec, rec["o"])
    if obj is None:
        return None
    if prop == RDF.type:
        if obj not in ctx.voc.classes:
            ctx.problem(rec, f"'type' needs a class as object, {rec['o']!r} is not one", code="data.range")
            return None
        return obj
    ctx.check_range(rec, prop, obj)
    return obj


def _literal(ctx: Context, rec: Record, prop: URIRef) -> Literal | None:
    """The object of a data property fact, typed by the property's range (a problem if it does not fit)."""
    rng, text = ctx.voc.ranges.get(prop), str(rec["o"]).strip()
    try:
        if rng == XSD.integer:
            return Literal(int(text))
        if rng == XSD.decimal:
            return decimal(text)
        if rng == XSD.boolean and text.lower() in ("true", "false"):
            return Literal(text.lower() == "true")
    except ValueError:
        pass
    else:
        if rng not in (XSD.integer, XSD.decimal, XSD.boolean):
            return Literal(rec["o"])
    ctx.problem(rec, f"{shown(rec['o'])} is not an {str(rng).removeprefix(str(XSD))}, as {local(prop)!r} requires",
                code="data.range")
    return None


def _fits_disjoint(ctx: Context, rec: Record, subj: URIRef, cls: URIRef, checks: FactChecks) -> bool:
    """False (and a problem) if typing ``subj`` as ``cls`` puts it in two disjoint classes."""
    if subj in ctx.voc.classes:
        return True  # a class-level statement (punning), not a membership
    known = checks.types.get(subj)
    if known is None:
        known = checks.types[subj] = {}
        if subj in ctx.entity_types:
            known[ctx.entity_types[subj]] = ctx.nodes.get(subj)
        for c in sorted(ctx.voc.individuals.get(subj, ())):
            known[c] = None
    if cls in known:
        return True
    for other, where in known.items():
        pair = ctx.voc.clash({other, cls})
        if pair is not None:
            said = f" ({local(other)} at {where.file.name}:{where.line})" if isinstance(where, Record) else ""
            ctx.problem(rec, f"{local(subj)!r} cannot be a {local(cls)}: it would be both {local(pair[0])} and "
                             f"{local(pair[1])}, which the ontology declares disjoint{said}", code="data.disjoint")
            return False
    known[cls] = rec
    return True


def _check_sign(ctx: Context, rec: Record, citation: URIRef, subj: URIRef, prop: URIRef, obj: URIRef | Literal,
                checks: FactChecks) -> None:
    """Warn when this fact's sign contradicts an earlier fact of the same citation on the same pair.

    Only the first fact of each sign is kept per (citation, subject, object), so this is constant time.
    """
    sign = ctx.voc.signs.get(prop)
    if sign is None or not isinstance(obj, URIRef):
        return
    earlier = checks.signed.setdefault((citation, subj, obj), {})
    for other_sign, (other_prop, other) in earlier.items():
        if (sign == 0) != (other_sign == 0) or sign * other_sign == -1:
            ctx.warn(rec, f"contradicts {other.file.name}:{other.line}: {local(subj)} {local(prop)} {local(obj)} "
                          f"({_SIGN_WORDS[sign]}) but {local(other_prop)} ({_SIGN_WORDS[other_sign]}), "
                          f"both citing {local(citation)}", code="data.contradiction")
            break
    earlier.setdefault(sign, (prop, rec))
