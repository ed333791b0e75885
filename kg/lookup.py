"""Find an entity by label, synonym, CURIE or IRI, case-insensitively.

``resolve(graph, "ciclosporin")`` -> ``kg:cyclosporine``. Unknown names raise
:class:`~kg.errors.UnknownNameError` with close matches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from kg.errors import UnknownNameError
from kg.namespaces import KG, OBOINOWL, iri_to_curie

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "κ": "kappa"}


def normalise(name: str) -> str:
    """Case-, space-, dash- and Greek-insensitive key: 'IFN-γ' == 'ifn gamma' == 'IFN-gamma'."""
    text = unicodedata.normalize("NFKC", name).strip().lower()
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    return "".join(ch for ch in text if ch.isalnum() or ch in "/+%.:")


@dataclass(frozen=True)
class NameIndex:
    """Every way to name each resource of a graph."""

    by_key: dict[str, tuple[URIRef, ...]]
    labels: dict[URIRef, str]

    def names(self) -> list[str]:
        return sorted(set(self.labels.values()))


def name_index(graph: Graph) -> NameIndex:
    return _name_index(graph)


@lru_cache(maxsize=8)
def _name_index(graph: Graph) -> NameIndex:
    keys: dict[str, list[URIRef]] = {}
    labels: dict[URIRef, str] = {}

    def add(key: str, iri: URIRef) -> None:
        bucket = keys.setdefault(normalise(key), [])
        if iri not in bucket:
            bucket.append(iri)

    for s, label in graph.subject_objects(RDFS.label):
        if isinstance(s, URIRef):
            labels.setdefault(s, str(label))
            add(str(label), s)
    for s, syn in graph.subject_objects(SKOS.altLabel):
        if isinstance(s, URIRef):
            add(str(syn), s)
    for s, xref in graph.subject_objects(OBOINOWL.hasDbXref):
        if isinstance(s, URIRef) and isinstance(xref, Literal):
            add(str(xref), s)
    for s in labels:
        if curie := iri_to_curie(str(s)):
            add(curie, s)
            if curie.startswith("kg:"):
                add(curie[3:], s)
    return NameIndex({k: tuple(v) for k, v in keys.items()}, labels)


def resolve(graph: Graph, name: str, kind: str = "entity") -> URIRef:
    """The one resource ``name`` denotes; an IRI in <...> or http(s) form is taken as is."""
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    index = name_index(graph)
    hits = index.by_key.get(normalise(text), ())
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        # Prefer the resource whose own label matches (a synonym shared by several is ambiguous).
        exact = [h for h in hits if normalise(index.labels.get(h, "")) == normalise(text)]
        if len(exact) == 1:
            return exact[0]
        shown = ", ".join(f"{index.labels.get(h, h)} ({iri_to_curie(str(h))})" for h in hits)
        raise UnknownNameError(kind, f"{name} (ambiguous: {shown}; use the CURIE)")
    raise UnknownNameError(kind, name, index.names())


def label(graph: Graph, iri: URIRef) -> str:
    """Human label of a resource, or its CURIE."""
    return name_index(graph).labels.get(iri) or iri_to_curie(str(iri)) or str(iri)


def is_project_term(iri: URIRef) -> bool:
    return str(iri).startswith(str(KG))
