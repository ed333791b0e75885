"""What the ontology says about its own terms, read from the TBox (never from tables in code).

* :func:`signs` - the ``kg:sign`` of each relation (+1 raises, -1 lowers, 0 leaves
  unchanged), inherited from the nearest signed super-property;
* :func:`relation_families` - the ``kg:relationFamily`` of each relation (mechanism,
  clinical, comparison, association, taxonomy, membership, other);
* :func:`categories` - the node categories (classes with ``kg:categoryRank``);
* :func:`drug_classes` and :func:`class_definitions` - the OWL classes of drugs and the
  ``hasValue`` restrictions that define them.

Only rdflib is imported, so name lookup and queries can use this without networkx.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import KG


def signs(graph: Graph, props: set[URIRef]) -> dict[URIRef, int | None]:
    """Each property in ``props`` -> its ``kg:sign`` (or its nearest signed super-property's), else None."""
    out: dict[URIRef, int | None] = {}
    for prop in props:
        sign = None
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
            value = graph.value(ancestor, KG.sign)
            if value is not None:
                sign = int(value)
                break
        out[prop] = sign
    return out


def relation_families(graph: Graph) -> dict[URIRef, str]:
    """Every object property under a ``kg:relationFamily`` root -> its family (read from the ontology)."""
    roots = {p: str(f) for p, f in graph.subject_objects(KG.relationFamily)}
    out: dict[URIRef, str] = {}
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
            if ancestor in roots:
                out[prop] = roots[ancestor]
                break
    return out


def relation_properties(graph: Graph) -> set[URIRef]:
    """Object properties whose assertions are relations between entities (they have a family)."""
    return set(relation_families(graph))


def categories(graph: Graph) -> list[tuple[int, str]]:
    """The node categories the ontology declares (``kg:categoryRank``), most specific first."""
    return sorted((int(rank), str(cls)[len(str(KG)):]) for cls, rank in graph.subject_objects(KG.categoryRank))


def drug_classes(graph: Graph) -> set[URIRef]:
    """OWL classes under kg:Drug: asserted, through a defined class's intersection, or a
    subclass of such a defined class (a topical calcineurin inhibitor is a calcineurin
    inhibitor, which is defined as a drug that inhibits calcineurin)."""
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    roots = {KG.Drug} | set(class_definitions(graph))
    return {c for c in classes if c != KG.Drug
            and any(a in roots for a in graph.transitive_objects(c, RDFS.subClassOf))}


def class_definitions(graph: Graph) -> dict[URIRef, list[tuple[URIRef, URIRef]]]:
    """Defined drug classes -> their ``(property, value)`` hasValue restrictions.

    ``kg:TNFInhibitor`` is defined as ``Drug and (inhibits value kg:tnf)``, so it maps
    to ``[(kg:inhibits, kg:tnf)]``; a class defined with ``someValuesFrom`` (JAK
    inhibitor) names no single value and maps to ``[]``.
    """
    out: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for c in graph.subjects(OWL.equivalentClass, None):
        if not isinstance(c, URIRef):
            continue
        for eq in graph.objects(c, OWL.equivalentClass):
            parts = graph.value(eq, OWL.intersectionOf)
            items = list(graph.items(parts)) if parts is not None else []
            if KG.Drug not in items:
                continue
            values = out.setdefault(c, [])
            for item in items:
                prop, value = graph.value(item, OWL.onProperty), graph.value(item, OWL.hasValue)
                if isinstance(prop, URIRef) and isinstance(value, URIRef):
                    values.append((prop, value))
    return out
