"""What the TBox declares, read once into plain sets and dicts for checking curated records.

Classes and their superclasses, properties with their (inherited) ranges and
signs, individuals with their classes, disjoint classes, and the allowed
values of every vocabulary a record key names (:class:`kg.curation.spec.Vocab`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.curation.spec import Vocab
from kg.namespaces import KG


def local(iri: URIRef) -> str:
    """The local name of a project IRI (``kg:cyclosporine`` -> ``cyclosporine``); other IRIs whole.

    Examples
    --------
    >>> local(KG.cyclosporine)
    'cyclosporine'
    """
    return str(iri).removeprefix(str(KG))


def slug(text: str) -> str:
    """The key a vocabulary value is matched on: lower case, runs of other characters as ``_``.

    Examples
    --------
    >>> slug("Not established")
    'not_established'
    """
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


@dataclass
class Vocabulary:
    """Names the TBox declares, for resolving and checking curated records."""

    tbox: Graph
    classes: set[URIRef] = field(default_factory=set)
    object_properties: set[URIRef] = field(default_factory=set)
    datatype_properties: set[URIRef] = field(default_factory=set)
    individuals: dict[URIRef, set[URIRef]] = field(default_factory=dict)   # individual -> its classes
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=dict)  # class -> all superclasses (incl. itself)
    ranges: dict[URIRef, URIRef] = field(default_factory=dict)             # property -> range (inherited)
    signs: dict[URIRef, int] = field(default_factory=dict)                 # property -> kg:sign (inherited)
    disjoint: set[frozenset[URIRef]] = field(default_factory=set)          # pairs of disjoint classes
    _values: dict[Vocab, dict[str, URIRef | Literal]] = field(default_factory=dict)

    @classmethod
    def from_tbox(cls, tbox: Graph) -> Vocabulary:
        """Read the vocabulary of ``tbox``.

        Examples
        --------
        >>> from kg.project import Project
        >>> voc = Vocabulary.from_tbox(load_tbox(Project.discover().ontology))
        >>> voc.signs[KG.inhibits], voc.signs[KG.leavesUnchanged], KG.binds in voc.signs
        (-1, 0, False)
        >>> frozenset({KG.Drug, KG.Procedure}) in voc.disjoint
        True
        """
        voc = cls(tbox)
        voc.classes = {c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        voc.object_properties = set(tbox.subjects(RDF.type, OWL.ObjectProperty))
        voc.datatype_properties = set(tbox.subjects(RDF.type, OWL.DatatypeProperty))
        for ind in tbox.subjects(RDF.type, OWL.NamedIndividual):
            voc.individuals[ind] = {t for t in tbox.objects(ind, RDF.type) if t != OWL.NamedIndividual}
        for c in voc.classes:
            voc.superclasses[c] = {s for s in tbox.transitive_objects(c, RDFS.subClassOf) if isinstance(s, URIRef)}
        for prop in voc.object_properties | voc.datatype_properties:
            for attr, into in ((RDFS.range, voc.ranges), (KG.sign, voc.signs)):
                for ancestor in tbox.transitive_objects(prop, RDFS.subPropertyOf):  # nearest first
                    value = tbox.value(ancestor, attr)
                    if value is not None:
                        into[prop] = int(value) if attr == KG.sign else value
                        break
        for a, b in tbox.subject_objects(OWL.disjointWith):
            voc.disjoint.add(frozenset((a, b)))
        for node in tbox.subjects(RDF.type, OWL.AllDisjointClasses):
            members = list(Collection(tbox, tbox.value(node, OWL.members)))
            voc.disjoint.update(frozenset((a, b)) for a in members for b in members if a != b)
        return voc

    def values(self, vocab: Vocab) -> dict[str, URIRef | Literal]:
        """The allowed values of ``vocab``, keyed by what a curator may write.

        Individuals of a class are keyed by local name and by label (as :func:`slug`),
        subclasses likewise; with ``vocab.by``, by that literal exactly (stored as the literal).
        """
        if vocab in self._values:
            return self._values[vocab]
        out: dict[str, URIRef | Literal] = {}
        if vocab.values:
            out = {v: Literal(v) for v in vocab.values}
        elif vocab.subclasses:
            for c in sorted(self.classes):
                if vocab.cls in self.superclasses.get(c, ()) and c != vocab.cls:
                    out.setdefault(slug(local(c)), c)
                    for label in self.tbox.objects(c, RDFS.label):
                        out.setdefault(slug(str(label)), c)
        else:
            members = sorted(i for i, types in self.individuals.items() if vocab.cls in types)
            if vocab.by is not None:
                out = {str(code): Literal(str(code)) for i in members for code in self.tbox.objects(i, vocab.by)}
            else:
                for ind in members:
                    out.setdefault(local(ind), ind)
                for ind in members:
                    for label in self.tbox.objects(ind, RDFS.label):
                        out.setdefault(slug(str(label)), ind)
        self._values[vocab] = out
        return out

    def value_names(self, vocab: Vocab) -> list[str]:
        """What to list in a message: the values' own names (local names, codes, fixed words)."""
        values = self.values(vocab)
        if vocab.values or vocab.by is not None:
            return list(values)
        return sorted({slug(local(v)) if vocab.subclasses else local(v) for v in values.values()})

    def classes_of(self, direct: set[URIRef]) -> set[URIRef]:
        """Every superclass of the classes ``direct`` (themselves included)."""
        out: set[URIRef] = set()
        for c in direct:
            out |= self.superclasses.get(c, {c})
        return out

    def clash(self, classes: set[URIRef]) -> tuple[URIRef, URIRef] | None:
        """Two disjoint classes among ``classes`` (with their superclasses), or None."""
        closed = self.classes_of(classes)
        for pair in self.disjoint:
            if pair <= closed:
                a, b = sorted(pair)
                return a, b
        return None


def load_tbox(ontology_dir: Path) -> Graph:
    """Parse the hand-written Turtle TBox (all ``*.ttl`` except SHACL shapes).

    A syntax error is a :class:`~kg.errors.DataError` naming the file and line.
    """
    from kg.files import parse_turtle

    g = Graph()
    for path in sorted(Path(ontology_dir).glob("*.ttl")):
        if path.name != "shapes.ttl":
            g += parse_turtle(path)
    return g
