"""Classify the graph with HermiT (through owlready2) and return what it infers.

owlready2 cannot read Turtle, so the graph goes in as N-Triples from memory
(no file, no ``owl:imports``, so nothing is fetched). HermiT needs Java.
Only class memberships of individuals come back: for an IRI that is both a
class and an individual (a drug class with class-level claims), owlready2
reports subclass links as types, so punned IRIs are skipped.

A claim about a drug class is a claim about each member (the project's reading
of a punned class, which the analyses follow too): before reasoning, each
asserted ``Class p o`` between a class and an entity becomes the class axiom
``Class rdfs:subClassOf (p value o)`` in the reasoner's copy of the graph, so
that "topical corticosteroids are conventional therapy" makes every topical
corticosteroid a member of the class defined by that claim.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import ReasonerError
from kg.namespaces import KG


@dataclass
class Reasoning:
    """Result of one reasoner run."""

    inferred: Graph             # rdf:type triples not asserted (with their owl:Axiom markers)
    inferred_types: int         # number of new rdf:type triples
    seconds: float


def class_claim_axioms(graph: Graph) -> Graph:
    """``C rdfs:subClassOf [owl:onProperty p ; owl:hasValue o]`` for each class-level claim ``C p o``.

    ``C`` is an OWL class used as the subject of an object property assertion whose
    object is an entity (not a class); the graph itself is not changed.

    Examples
    --------
    >>> g = Graph()
    >>> _ = g.add((KG.Antimalarial, RDF.type, OWL.Class))
    >>> _ = g.add((KG.conventionalTherapyFor, RDF.type, OWL.ObjectProperty))
    >>> _ = g.add((KG.Antimalarial, KG.conventionalTherapyFor, KG.cutaneous_dermatomyositis))
    >>> axioms = class_claim_axioms(g)
    >>> restriction = axioms.value(KG.Antimalarial, RDFS.subClassOf)
    >>> axioms.value(restriction, OWL.onProperty) == KG.conventionalTherapyFor
    True
    """
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    out = Graph()
    for cls in sorted(classes):
        for prop, value in sorted(graph.predicate_objects(cls)):
            if prop not in properties or not isinstance(value, URIRef) or value in classes:
                continue
            restriction = BNode("cc" + hashlib.sha1(f"{cls}|{prop}|{value}".encode()).hexdigest()[:16])
            out.add((restriction, RDF.type, OWL.Restriction))
            out.add((restriction, OWL.onProperty, prop))
            out.add((restriction, OWL.hasValue, value))
            out.add((cls, RDFS.subClassOf, restriction))
    return out


def _punned_superclasses(world, punned: set[URIRef]) -> dict[str, list]:
    """Class IRI -> the defined classes HermiT found it to be a subclass of (with their ancestors).

    For an IRI that is both a class and an individual, owlready2 records an inferred
    superclass as an ``rdf:type`` of the individual rather than as ``rdfs:subClassOf``,
    so a member of ``Antimalarial`` would not see that every antimalarial is a
    ``ConventionalSkinTherapy``; this reads those types back as superclasses.
    """
    out: dict[str, list] = {}
    for iri in sorted(punned):
        found = []
        for (x,) in world.sparql(f"SELECT ?x WHERE {{ <{iri}> a ?x }}"):
            if hasattr(x, "ancestors") and str(getattr(x, "iri", "")).startswith(str(KG)):
                found += [a for a in x.ancestors() if a not in found]
        out[str(iri)] = found
    return out


def reason(graph: Graph) -> Reasoning:
    """Run HermiT on ``graph``; raise :class:`ReasonerError` if it is inconsistent or has unsatisfiable classes."""
    import time

    import owlready2  # heavy, and needs Java: import only when reasoning

    if shutil.which("java") is None and not getattr(owlready2, "JAVA_EXE", None):
        raise ReasonerError("HermiT needs Java on PATH (Java 11+); install a JRE or set owlready2.JAVA_EXE")
    started = time.perf_counter()
    world = owlready2.World()
    claims = class_claim_axioms(graph)
    data = (graph + claims).serialize(format="nt", encoding="utf-8")
    onto = world.get_ontology("https://w3id.org/dmkg/ontology").load(fileobj=io.BytesIO(data), format="ntriples")
    scratch = world.get_ontology("https://w3id.org/dmkg/inferred")
    try:
        with scratch:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise ReasonerError("HermiT found the ontology inconsistent: some curated facts contradict the "
                            "class axioms (check disjoint classes and functional properties)") from exc
    except owlready2.OwlReadyJavaError as exc:
        raise ReasonerError(f"HermiT failed to run: {str(exc).strip().splitlines()[-1]}") from exc
    unsat = [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]
    if unsat:
        raise ReasonerError("unsatisfiable classes: " + ", ".join(sorted(unsat)))

    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    defined = {c for c in classes if (c, OWL.equivalentClass, None) in graph}
    inferred = Graph()
    count = 0
    supers = _punned_superclasses(world, {c for c in claims.subjects(RDFS.subClassOf, None) if isinstance(c, URIRef)})
    for ind in onto.individuals():
        iri = URIRef(ind.iri)
        if iri in classes or not str(iri).startswith(str(KG)):
            continue
        # Types the asserted hierarchy already implies are left implicit, except
        # membership of defined classes, which users query directly.
        implied = {sup for t in graph.objects(iri, RDF.type) for sup in graph.transitive_objects(t, RDFS.subClassOf)}
        found = list(ind.INDIRECT_is_a)
        found += [s for c in found for s in supers.get(getattr(c, "iri", ""), ())]
        for cls in found:
            cls_iri = URIRef(getattr(cls, "iri", "") or "")
            if not str(cls_iri).startswith(str(KG)) or cls_iri not in classes:
                continue
            if cls_iri in implied and cls_iri not in defined:
                continue
            if (iri, RDF.type, cls_iri) in graph:
                continue
            inferred.add((iri, RDF.type, cls_iri))
            axiom = BNode("inf" + hashlib.sha1(f"{iri}|{cls_iri}".encode()).hexdigest()[:16])
            inferred.add((axiom, RDF.type, OWL.Axiom))
            inferred.add((axiom, OWL.annotatedSource, iri))
            inferred.add((axiom, OWL.annotatedProperty, RDF.type))
            inferred.add((axiom, OWL.annotatedTarget, cls_iri))
            inferred.add((axiom, KG.inferredBy, KG.hermit))
            count += 1
    world.close()
    return Reasoning(inferred=inferred, inferred_types=count, seconds=time.perf_counter() - started)
