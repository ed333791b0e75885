"""Closures the saved queries read, written into the build after reasoning (``kg build``).

Property paths (``kg:subtypeOf*``, ``rdf:type/rdfs:subClassOf*`` ...) are the
part of SPARQL 1.1 that engines get wrong most often (Virtuoso 7.2 drops or
duplicates rows when a path starts from a bound variable, sits in an
``OPTIONAL`` or a ``FILTER EXISTS``, or follows a ``VALUES`` block) and the
part whose cost grows fastest with the data. So ``kg build`` writes every
closure a saved query needs as plain triples of a dedicated property, and the
queries use single triple patterns instead of paths: the same rows on every
SPARQL 1.1 engine.

Each property is declared in the TBox (``ontology/kg.ttl``) with a label, a
definition, ``kg:inferredBy kg:closure`` and a note that the build fills it;
no curated file may use it, and none of it is given to HermiT (it is computed
from the graph HermiT has already classified). Both ends of every triple are
IRIs in the project's namespace:

* ``kg:subPropertyOfOrSelf``: a project object property -> itself and every
  super-property (replaces ``rdfs:subPropertyOf*``; an annotation);
* ``kg:subtypeOfOrSelf``: an entity -> itself and every broader kind (``kg:subtypeOf*``);
* ``kg:sameLineageAs``: an entity -> itself, its broader kinds and its subtypes
  (``(^kg:subtypeOf*|kg:subtypeOf+)``);
* ``kg:memberOfOrSelf``: an entity -> itself and every family it belongs to (``kg:memberOf*``);
* ``kg:broaderOrSelf``: an entity or class -> itself, its classes (asserted or inferred
  by HermiT), their superclasses, its broader kinds
  (``(rdf:type|rdfs:subClassOf|kg:subtypeOf)*``).

"Entity" is every individual of a class under ``kg:BiomedicalEntity``
(asserted or inferred), every project class, and anything linked by
``kg:subtypeOf`` or ``kg:memberOf``: each gets its reflexive triple, so that a
query parameter naming any of them matches itself.

Examples
--------
>>> from kg.closure import closures
>>> from kg.namespaces import KG
>>> added = closures(graph)
>>> sorted(str(o)[len(str(KG)):] for o in added.objects(KG.cadm, KG.subtypeOfOrSelf))
['cadm', 'dermatomyositis', 'idiopathic_inflammatory_myopathy']
>>> (KG.tacrolimus, KG.broaderOrSelf, KG.CalcineurinInhibitor) in added  # a HermiT inference, closed
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import KG

#: The closure properties this module fills (declared in ontology/kg.ttl).
CLOSURE_PROPERTIES = (KG.subPropertyOfOrSelf, KG.subtypeOfOrSelf, KG.sameLineageAs, KG.memberOfOrSelf,
                      KG.broaderOrSelf)
_GENID = str(KG) + ".well-known/genid/"

__all__ = ["CLOSURE_PROPERTIES", "closures", "entities"]


def _own(term) -> bool:
    """True for an IRI of the project's namespace (not a skolemised blank node)."""
    return isinstance(term, URIRef) and str(term).startswith(str(KG)) and not str(term).startswith(_GENID)


def _edges(graph: Graph, predicates: Iterable[URIRef]) -> dict[URIRef, set[URIRef]]:
    """Subject -> objects over ``predicates``, project IRIs only."""
    out: dict[URIRef, set[URIRef]] = defaultdict(set)
    for predicate in predicates:
        for s, o in graph.subject_objects(predicate):
            if _own(s) and _own(o):
                out[s].add(o)
    return out


def _reach(start: URIRef, edges: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    """``start`` and everything reachable from it along ``edges`` (reflexive-transitive closure)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def entities(graph: Graph) -> set[URIRef]:
    """The subjects that get reflexive closure triples: entities, project classes, subtype and member ends."""
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if _own(c)}
    under = {c for c in classes if KG.BiomedicalEntity in graph.transitive_objects(c, RDFS.subClassOf)}
    found = {s for cls in under for s in graph.subjects(RDF.type, cls) if _own(s) and s not in classes}
    for predicate in (KG.subtypeOf, KG.memberOf):
        for s, o in graph.subject_objects(predicate):
            found.update(t for t in (s, o) if _own(t))
    return found | classes


def closures(graph: Graph) -> Graph:
    """The closure triples of ``graph`` (a new graph; ``graph`` is left as it is).

    ``graph`` is the classified graph (asserted plus HermiT's inferred types).
    """
    out = Graph()
    nodes = sorted(entities(graph))
    subtype = _edges(graph, [KG.subtypeOf])
    member = _edges(graph, [KG.memberOf])
    broader = _edges(graph, [RDF.type, RDFS.subClassOf, KG.subtypeOf])
    for node in nodes:
        for up in _reach(node, subtype):
            out.add((node, KG.subtypeOfOrSelf, up))
            out.add((node, KG.sameLineageAs, up))
            out.add((up, KG.sameLineageAs, node))
        for family in _reach(node, member):
            out.add((node, KG.memberOfOrSelf, family))
        for cls in _reach(node, broader):
            out.add((node, KG.broaderOrSelf, cls))
    parents = _edges(graph, [RDFS.subPropertyOf])
    for prop in sorted(p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if _own(p)):
        for ancestor in _reach(prop, parents):
            out.add((prop, KG.subPropertyOfOrSelf, ancestor))
    return out
