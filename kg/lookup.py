"""Find a thing by label, synonym, CURIE, cross-reference or case id: one name index.

``NameIndex.of(graph)`` indexes every labelled resource of an RDF graph,
``NameIndex.of_network(G)`` every node of a networkx projection; both answer
``index.resolve(name, kind)`` the same way:

* names match case-, space-, dash- and Greek-insensitively ("IFN-γ" = "ifn gamma");
* ``kind`` restricts what may match ("entity", the default, is anything but a
  property; "drug" finds drugs and drug classes; "condition" diseases,
  manifestations and adverse effects; "patient" patients, also by case id
  ``000-1``; "any" anything with a label);
* no match raises :class:`~kg.errors.UnknownNameError` with close matches of the
  right kind (and says what the name does denote, if anything); several matches
  raise :class:`~kg.errors.AmbiguousNameError` listing them.

An index describes the graph it was built from at that moment: build a new one
after changing the graph (nothing here is cached between calls).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.errors import AmbiguousNameError, UnknownNameError, UsageError
from kg.namespaces import KG, OBOINOWL, iri_to_curie

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "κ": "kappa"}

#: What each ``kind`` accepts: the categories (class local names, or ``DrugClass``) a match may have.
KINDS: dict[str, frozenset[str]] = {
    "drug": frozenset({"Drug", "DrugClass"}),
    "therapy": frozenset({"Therapy", "DrugClass"}),
    "condition": frozenset({"Condition"}),
    "disease": frozenset({"Condition"}),
    "patient": frozenset({"Patient"}),
    "publication": frozenset({"InformationResource", "Publication", "Database"}),
}
#: Categories that are never an "entity" (what a user names as a drug, target or condition).
#: An absolute IRI as SPARQL and N-Triples accept it (no space, no ``<>"{}|\\^``` characters).
IRI_PATTERN = re.compile(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+", re.IGNORECASE)
_NOT_ENTITIES = frozenset({"Property", "Ontology"})
_PATIENT = re.compile(r"^patient_(\d+)_(\w+)$")


def normalise(name: str) -> str:
    """Case-, space-, dash- and Greek-insensitive key: 'IFN-γ' == 'ifn gamma' == 'IFN-gamma'.

    Examples
    --------
    >>> normalise("IFN-γ") == normalise("ifn gamma")
    True
    """
    text = unicodedata.normalize("NFKC", name).strip().lower()
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    return "".join(ch for ch in text if ch.isalnum() or ch in "/+%.:")


def case_id(iri: str) -> str | None:
    """``kg:patient_000_1`` (or its IRI) -> ``000-1``; None for anything else."""
    local = str(iri).rsplit("/", 1)[-1].removeprefix("kg:")
    match = _PATIENT.match(local)
    return f"{match.group(1)}-{match.group(2)}" if match else None


@dataclass
class NameIndex:
    """Every way to name each resource of one graph, and what kind of thing each is."""

    by_key: dict[str, list[Hashable]] = field(default_factory=dict)
    labels: dict[Hashable, str] = field(default_factory=dict)
    kinds: dict[Hashable, frozenset[str]] = field(default_factory=dict)
    aliases: dict[Hashable, list[str]] = field(default_factory=dict)   # every name given, as written
    identifiers: dict[Hashable, str] = field(default_factory=dict)     # publication -> doi:/PMID:/local id

    def add(self, ident: Hashable, names: Iterable[str], label: str | None, kinds: Iterable[str]) -> None:
        if label is not None:
            self.labels.setdefault(ident, label)
        self.kinds[ident] = self.kinds.get(ident, frozenset()) | frozenset(kinds)
        for name in names:
            key = normalise(str(name))
            if not key:
                continue
            shown = self.aliases.setdefault(ident, [])
            if str(name) not in shown:
                shown.append(str(name))
            bucket = self.by_key.setdefault(key, [])
            if ident not in bucket:
                bucket.append(ident)

    # -- building ---------------------------------------------------------------------
    @classmethod
    def of(cls, graph: Graph) -> NameIndex:
        """Index an RDF graph: labels, synonyms, cross-references, CURIEs, patients' case ids."""
        index = cls()
        categories = _categories(graph)
        for s, label in graph.subject_objects(RDFS.label):
            if not isinstance(s, URIRef) or s in index.labels:
                continue
            curie = iri_to_curie(str(s))
            names = [str(label)]
            if curie:
                names += [curie, curie[3:]] if curie.startswith("kg:") else [curie]
            if (cid := case_id(str(s))) is not None:
                names += [cid, cid.replace("-", "_"), f"patient {cid}"]
            index.add(s, names, str(label), categories.get(s, ()))
        for prop, is_text in ((SKOS.altLabel, True), (OBOINOWL.hasDbXref, False)):
            for s, name in graph.subject_objects(prop):
                if isinstance(s, URIRef) and s in index.labels and (is_text or isinstance(name, Literal)):
                    index.add(s, [str(name)], None, ())
        from kg.evidence import publication_identifier

        for s, kinds in categories.items():
            if "InformationResource" in kinds:
                index.identifiers[s] = publication_identifier(graph, s)
        return index

    @classmethod
    def of_network(cls, G) -> NameIndex:
        """Index the nodes of a networkx projection (:func:`kg.network.project`) by their attributes."""
        index = cls()
        for n, d in G.nodes(data=True):
            names = [n, n[3:] if n.startswith("kg:") else n, d.get("label", ""), *d.get("synonyms", ()),
                     *d.get("xrefs", ())]
            if (cid := case_id(n)) is not None:
                names.append(cid)
            kinds = set(d.get("categories", ())) | {d.get("kind", "")}
            index.add(n, [x for x in names if x], d.get("label") or n, kinds - {""})
        return index

    # -- asking -----------------------------------------------------------------------
    def names(self, kind: str = "entity") -> list[str]:
        """Every name of everything of ``kind``: labels, synonyms, case ids (for suggestions)."""
        return sorted({name for ident, names in self.aliases.items() if self._fits(ident, kind) for name in names
                       if ":" not in name or ident not in self.labels})

    def label(self, ident: Hashable) -> str:
        """The label of ``ident``, else its CURIE."""
        return self.labels.get(ident) or iri_to_curie(str(ident)) or str(ident)

    def _fits(self, ident: Hashable, kind: str) -> bool:
        if kind == "any":
            return True
        kinds = self.kinds.get(ident, frozenset())
        if kind in KINDS:
            return bool(kinds & KINDS[kind])
        return not (kinds & _NOT_ENTITIES)

    def resolve(self, name: str, kind: str = "entity", what: str | None = None) -> Hashable:
        """The one thing of ``kind`` that ``name`` denotes.

        ``what`` is the word used in messages (default: ``kind``).
        """
        what = what or kind
        text = name.strip()
        hits = self.by_key.get(normalise(text), [])
        if not hits and ":" in text:  # another spelling of an identifier: an IRI, a lower-case prefix, Kind::id
            from kg.identifiers import canonical_curie

            canonical = canonical_curie(text)
            hits = self.by_key.get(normalise(canonical), []) if canonical else []
        fitting = [h for h in hits if self._fits(h, kind)]
        if len(fitting) > 1:
            exact = [h for h in fitting if normalise(self.labels.get(h, "")) == normalise(text)]
            if len(exact) == 1:
                return exact[0]
            raise AmbiguousNameError(what, name, [(self.label(h), iri_to_curie(str(h)) or str(h))
                                                  for h in sorted(fitting, key=str)])
        if fitting:
            return fitting[0]
        hint = ""
        if hits:
            other = sorted({self._describe(h) for h in hits})
            article = "an" if what[:1].lower() in "aeiou" else "a"
            hint = f" ({name!r} names {', '.join(other)}, not {article} {what})"
        raise UnknownNameError(what, name, self.names(kind), hint=hint)

    def _describe(self, ident: Hashable) -> str:
        kinds = self.kinds.get(ident, frozenset())
        if "Property" in kinds:
            return f"the property {iri_to_curie(str(ident)) or ident}"
        word = next((k for k in ("DrugClass", "Drug", "Condition", "Patient", "Publication") if k in kinds), "")
        return f"{self.label(ident)} ({word or 'a resource'})"


def _categories(graph: Graph) -> dict[URIRef, frozenset[str]]:
    """Each typed resource -> local names of its classes and their superclasses (plus DrugClass, Property)."""
    from kg.ontology import drug_classes

    supers: dict[URIRef, frozenset[str]] = {}
    drug_class = drug_classes(graph)

    def closure(cls: URIRef) -> frozenset[str]:
        if cls not in supers:
            supers[cls] = frozenset(_local(c) for c in graph.transitive_objects(cls, RDFS.subClassOf)
                                    if isinstance(c, URIRef))
        return supers[cls]

    out: dict[URIRef, set[str]] = {}
    for s, t in graph.subject_objects(RDF.type):
        if not isinstance(s, URIRef) or not isinstance(t, URIRef):
            continue
        bucket = out.setdefault(s, set())
        if t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property):
            bucket.add("Property")
        elif t == OWL.Class:
            if s in drug_class:
                bucket.add("DrugClass")
            bucket.add("Class")
        elif t == OWL.Ontology:
            bucket.add("Ontology")
        elif t != OWL.NamedIndividual:
            bucket |= closure(t)
    return {s: frozenset(k) for s, k in out.items()}


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text[len(str(KG)):] if text.startswith(str(KG)) else text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def resolve(graph: Graph | NameIndex, name: str, kind: str = "entity", what: str | None = None) -> URIRef:
    """The resource ``name`` denotes in ``graph`` (an IRI in <...> or http(s) form is taken as is).

    Pass a :class:`NameIndex` when resolving many names against one graph.
    """
    text = name.strip()
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    if iri is not text or text.startswith(("http://", "https://")):
        if not IRI_PATTERN.fullmatch(iri):
            raise UsageError(f"{what or kind} {text!r} is not a valid IRI (no spaces or any of <>\"{{}}|\\^`)")
        return URIRef(iri)
    index = graph if isinstance(graph, NameIndex) else NameIndex.of(graph)
    return index.resolve(text, kind, what)  # type: ignore[return-value]


def label(graph: Graph | NameIndex, iri: URIRef) -> str:
    """Human label of a resource, or its CURIE."""
    if isinstance(graph, NameIndex):
        return graph.label(iri)
    value = graph.value(iri, RDFS.label)
    return str(value) if value is not None else (iri_to_curie(str(iri)) or str(iri))


def is_project_term(iri: URIRef) -> bool:
    return str(iri).startswith(str(KG))
