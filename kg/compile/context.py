"""The state one compilation shares: the graph being built, the vocabulary, the names, the problems.

The per-kind functions (:mod:`kg.compile.entities`, :mod:`~kg.compile.facts`,
...) take a :class:`Context` and a record. What a key means is read from the
spec (:mod:`kg.curation.spec`): :meth:`Context.apply` writes every key that
has a property and no handler, so a per-kind function only handles the keys
that need logic.

Evidence pattern (one, used everywhere): a citation hangs on the node that
states the fact, as ``kg:citation``, ``kg:evidenceType`` and ``kg:locator``
(:meth:`Context.cite`); a binary fact is reified by an ``owl:Axiom`` first
(:meth:`Context.assert_cited`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.compile.vocabulary import Vocabulary, local, slug
from kg.curation import Record
from kg.curation.spec import BOOL, ID, INT, NUMBER, SPECS, TEXT_OR_LIST, Key, Vocab
from kg.errors import Problem, close_matches
from kg.namespaces import KG, bind_prefixes

#: Close-match suggestions are computed for at most this many distinct unknown names per
#: compilation (each costs a scan of all candidates); later ones get none.
SUGGESTION_BUDGET = 200


def decimal(value: Any) -> Literal:
    """An xsd:decimal in canonical lexical form (always with a point: 6 -> "6.0"), so it round-trips.

    Examples
    --------
    >>> str(decimal(6)), str(decimal(2.50))
    ('6.0', '2.5')
    """
    text = format(Decimal(str(value)).normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


@dataclass
class Context:
    """One compilation: graph, vocabulary, registries of names and nodes, problems and warnings."""

    voc: Vocabulary
    graph: Graph = field(default_factory=Graph)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    entity_types: dict[URIRef, URIRef] = field(default_factory=dict)     # entity -> its class (data/entities)
    resources: dict[str, URIRef] = field(default_factory=dict)           # publication/database id -> IRI
    keyed_by: dict[URIRef, str] = field(default_factory=dict)            # database -> identifier prefix
    study_types: dict[URIRef, URIRef] = field(default_factory=dict)      # publication -> its study type
    derived_study_types: dict[URIRef, URIRef] = field(default_factory=dict)  # ... when a reference entry gave it
    xrefs: dict[URIRef, list[str]] = field(default_factory=dict)         # entity -> CURIEs, in file order
    ref_entries: dict[tuple[URIRef, int], URIRef] = field(default_factory=dict)  # (citing pub, n) -> cited
    nodes: dict[URIRef, Record | None] = field(default_factory=dict)     # every named node -> its record
    members: dict[URIRef, list[URIRef]] = field(default_factory=dict)    # n-ary class -> its nodes
    _suggestions: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _candidates: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bind_prefixes(self.graph)
        self.graph += self.voc.tbox

    # -- reporting ------------------------------------------------------------
    def problem(self, rec: Record | None, message: str, code: str = "data") -> None:
        """Record an error at ``rec``'s file and line."""
        file, line = (rec.file, rec.line) if isinstance(rec, Record) else (Path("data"), None)
        self.problems.append(Problem(file, line, message, code=code))

    def warn(self, rec: Record | None, message: str, code: str = "data") -> None:
        """Record a warning (the graph is still built) at ``rec``'s file and line."""
        file, line = (rec.file, rec.line) if isinstance(rec, Record) else (Path("data"), None)
        self.warnings.append(Problem(file, line, message, code=code, severity="warning"))

    def suggest(self, name: str, pool: str, candidates: Iterable[str]) -> list[str]:
        """Close matches of ``name`` among ``candidates`` (named ``pool``), memoised and budgeted."""
        key = (pool, name)
        if key not in self._suggestions:
            if len(self._suggestions) >= SUGGESTION_BUDGET:
                return []
            if pool not in self._candidates:
                self._candidates[pool] = list(candidates)
            self._suggestions[key] = close_matches(name, self._candidates[pool])
        return self._suggestions[key]

    # -- names ------------------------------------------------------------------
    def is_name(self, iri: URIRef) -> bool:
        return iri in self.entity_types or iri in self.voc.classes or iri in self.voc.individuals

    def resolve(self, rec: Record, name: str, what: str = "entity") -> URIRef | None:
        """An entity id, a TBox class or a TBox individual -> its IRI (else a problem, and None)."""
        iri = KG[name]
        if self.is_name(iri):
            return iri
        hint = self.suggest(name, "names", [local(i) for i in self.entity_types]
                            + [local(c) for c in self.voc.classes if str(c).startswith(str(KG))])
        self.problem(rec, f"unknown {what} {name!r}" + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else
                                                        "; add it to data/entities/ first"), code="data.name")
        return None

    def classes_of(self, iri: URIRef) -> set[URIRef]:
        """The classes of an entity or TBox individual, with their superclasses."""
        direct = {self.entity_types[iri]} if iri in self.entity_types else self.voc.individuals.get(iri, set())
        return self.voc.classes_of(direct)

    def check_range(self, rec: Record, prop: URIRef, obj: URIRef) -> None:
        """A problem if ``obj`` is not in the (inherited) range of ``prop``."""
        rng = self.voc.ranges.get(prop)
        if rng is None or obj in self.voc.classes or not isinstance(obj, URIRef):
            return
        if rng not in self.classes_of(obj):
            self.problem(rec, f"{local(obj)!r} is not a {local(rng)}, as {local(prop)!r} requires", code="data.range")

    def lookup(self, vocab: Vocab, value: Any) -> URIRef | Literal | None:
        """The vocabulary value ``value`` names, or None (no problem recorded)."""
        key = str(value) if (vocab.by is not None or vocab.values) else slug(str(value))
        return self.voc.values(vocab).get(key)

    def pick(self, rec: Record, vocab: Vocab, value: Any, what: str) -> URIRef | Literal | None:
        """The vocabulary value ``value`` names (else a problem listing the allowed ones, and None)."""
        if (found := self.lookup(vocab, value)) is not None:
            return found
        names = self.voc.value_names(vocab)
        hint = self.suggest(str(value), f"vocab {what}", names)
        self.problem(rec, f"unknown {what} {value!r}; expected one of: {', '.join(names)}"
                     + (f" (did you mean {hint[0]!r}?)" if hint else ""), code="data.vocabulary")
        return None

    # -- nodes ------------------------------------------------------------------
    def claim(self, iri: URIRef, rec: Record | None, what: str) -> bool:
        """Register a named node; False (and a problem naming both lines) if it is taken."""
        if iri in self.nodes:
            first = self.nodes[iri]
            at = f" at {first.file.name}:{first.line}" if isinstance(first, Record) else ""
            self.problem(rec, f"{what} already defined{at}", code="data.duplicate")
            return False
        self.nodes[iri] = rec
        return True

    def n_ary(self, iri: URIRef, cls: URIRef, label: str, rec: Record, what: str) -> URIRef | None:
        """A new statement node of class ``cls`` (None, and a problem, if ``iri`` is taken)."""
        if not self.claim(iri, rec, what):
            return None
        g = self.graph
        g.add((iri, RDF.type, OWL.NamedIndividual))
        g.add((iri, RDF.type, cls))
        g.add((iri, RDFS.label, Literal(label)))
        self.members.setdefault(cls, []).append(iri)
        return iri

    def apply(self, node: URIRef | BNode | None, rec: Record, kind: str) -> dict[str, list[URIRef | Literal]]:
        """Write every key of ``rec`` that the spec of ``kind`` maps to a property without a handler.

        Returns the terms written, by key. With ``node=None`` nothing is written, but every
        value is still checked (so a record that failed elsewhere reports all its problems).
        """
        written: dict[str, list[URIRef | Literal]] = {}
        for key in SPECS[kind].keys.values():
            if key.prop is None or key.handler:
                continue
            value = rec.get(key.name)
            if value is None or value == "":
                value = key.default
                if value is None:
                    continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                obj = self.value(rec, key, item)
                if obj is not None:
                    written.setdefault(key.name, []).append(obj)
                    if node is not None:
                        self.graph.add((node, key.prop, obj))
        return written

    def value(self, rec: Record, key: Key, item: Any) -> URIRef | Literal | None:
        """The RDF term for one value of ``key`` (resolved, picked from its vocabulary, or a literal)."""
        if key.vocab is not None:
            return self.pick(rec, key.vocab, item, key.what)
        kind = key.item if key.type == TEXT_OR_LIST or key.item in (ID, INT, NUMBER, BOOL) else key.type
        if kind == ID:
            target = self.resolve(rec, str(item), key.what)
            if target is not None:
                self.check_range(rec, key.prop, target)
            return target
        if kind == INT:
            return Literal(int(item))
        if kind == NUMBER:
            return decimal(item)
        if kind == BOOL:
            return Literal(bool(item))
        return Literal(str(item))

    # -- evidence ---------------------------------------------------------------
    def cite(self, node: URIRef | BNode, citation: URIRef, evidence: URIRef, locator: str,
             supporting: Iterable[URIRef] = ()) -> None:
        """Hang the evidence on the node that states the fact."""
        g = self.graph
        g.add((node, KG.citation, citation))
        g.add((node, KG.evidenceType, evidence))
        g.add((node, KG.locator, Literal(locator)))
        for ref in supporting:
            g.add((node, KG.supportingReference, ref))

    def assert_cited(self, s: URIRef, p: URIRef, o: URIRef | Literal, citation: URIRef, evidence: URIRef,
                     locator: str, supporting: Iterable[URIRef] = ()) -> BNode:
        """Add the direct triple and its owl:Axiom with the evidence; return the axiom."""
        g = self.graph
        g.add((s, p, o))
        digest = hashlib.sha1(f"{s}|{p}|{o}|{citation}|{locator}".encode()).hexdigest()[:16]
        axiom = BNode(f"ax{digest}")
        g.add((axiom, RDF.type, OWL.Axiom))
        g.add((axiom, OWL.annotatedSource, s))
        g.add((axiom, OWL.annotatedProperty, p))
        g.add((axiom, OWL.annotatedTarget, o))
        self.cite(axiom, citation, evidence, locator, supporting)
        return axiom

    def evidence(self, name: str) -> URIRef:
        """A kg:EvidenceType individual the compiler uses by default (``case_report``)."""
        return KG[name]
