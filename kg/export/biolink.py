"""What the ontology says about Biolink: categories, predicates and preferred identifiers of our terms.

The mapping lives in ``ontology/kg.ttl``, never in this module:

* a class or property of the project has ``skos:exactMatch``, ``skos:closeMatch`` or
  ``skos:broadMatch`` to a Biolink term (``https://w3id.org/biolink/vocab/Disease``,
  ``.../affects``); a term without one takes its nearest super-class's or
  super-property's (``kg:firstLineTreatmentFor`` -> ``kg:treats`` -> ``biolink:treats``);
* a category class lists, in ``kg:idPrefixes``, the identifier prefixes Biolink
  accepts as node ids for it, in Biolink's order of preference (Biolink's spelling);
* a ``kg:Direction`` of a therapy report matches the Biolink predicate of such a report.

Signs come from ``kg:sign`` as everywhere: a signed relation mapped to
``biolink:affects`` gets ``object_direction_qualifier`` ``increased``/``decreased``,
and a sign of 0 ("leaves unchanged", "no benefit") is written ``negated``.

Examples
--------
>>> m = BiolinkMap.of(graph)
>>> m.category(KG.Cytokine), m.predicate(KG.firstLineTreatmentFor)
('biolink:Protein', 'biolink:treats')
>>> m.canonical_id(KG.dermatomyositis, KG.Disease)
'MONDO:0016367'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS, SKOS

from kg.namespaces import KG, iri_to_curie

BIOLINK = Namespace("https://w3id.org/biolink/vocab/")
#: The knowledge source every edge names (an infores-style id for this graph).
INFORES = "infores:dmkg"
_MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
#: Where our prefix spelling differs from Biolink's for the same identifiers (kg.namespaces spells
#: prefixes as bioregistry does; Biolink keeps older spellings).
BIOLINK_SPELLING = {"UNIPROT": "UniProtKB", "NCBIGENE": "NCBIGene", "DOI": "doi"}


def biolink_curie(iri: URIRef | str) -> str | None:
    """``https://w3id.org/biolink/vocab/Disease`` -> ``biolink:Disease`` (None for other IRIs)."""
    text = str(iri)
    return "biolink:" + text[len(str(BIOLINK)):] if text.startswith(str(BIOLINK)) else None


def external_curie(iri: URIRef | str) -> str | None:
    """The CURIE of an external identifier in Biolink's spelling (``UniProtKB:P01375``), else None."""
    curie = iri_to_curie(str(iri))
    if curie is None or curie.startswith("kg:"):
        return None
    prefix, _, local = curie.partition(":")
    return f"{BIOLINK_SPELLING.get(prefix.upper(), prefix)}:{local}"


@dataclass
class BiolinkMap:
    """The Biolink mapping of one graph's ontology (build with :meth:`of`)."""

    graph: Graph
    _terms: dict[URIRef, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph) -> BiolinkMap:
        return cls(graph)

    def _own(self, term: URIRef) -> str | None:
        hits = sorted(c for p in _MATCHES for m in self.graph.objects(term, p) if (c := biolink_curie(m)))
        return hits[0] if hits else None

    def _nearest(self, term: URIRef, up: URIRef) -> str | None:
        if term not in self._terms:
            found = None
            for ancestor in self.graph.transitive_objects(term, up):
                if (found := self._own(ancestor)) is not None:
                    break
            self._terms[term] = found
        return self._terms[term]

    def category(self, cls: URIRef) -> str:
        """Biolink category of a class of the project (``biolink:NamedThing`` when none is mapped)."""
        return self._nearest(cls, RDFS.subClassOf) or "biolink:NamedThing"

    def predicate(self, prop: URIRef) -> str:
        """Biolink predicate of a property of the project (``biolink:related_to`` when none is mapped)."""
        return self._nearest(prop, RDFS.subPropertyOf) or "biolink:related_to"

    def term(self, iri: URIRef) -> str | None:
        """The Biolink term an individual (a report direction) matches, if any."""
        return self._own(iri)

    def id_prefixes(self, cls: URIRef) -> list[str]:
        """``kg:idPrefixes`` of the class or its nearest super-class that has them."""
        for ancestor in self.graph.transitive_objects(cls, RDFS.subClassOf):
            value = self.graph.value(ancestor, KG.idPrefixes)
            if value is not None:
                return str(value).split()
        return []

    def canonical_id(self, entity: URIRef, cls: URIRef) -> str:
        """The entity's verified identifier (``skos:exactMatch``) with the class's most preferred
        prefix, else its ``kg:`` CURIE."""
        exact = sorted(c for m in self.graph.objects(entity, SKOS.exactMatch) if (c := external_curie(m)))
        by_prefix = {c.partition(":")[0]: c for c in reversed(exact)}
        for prefix in self.id_prefixes(cls):
            if prefix in by_prefix:
                return by_prefix[prefix]
        return iri_to_curie(str(entity)) or str(entity)

    def exact_ids(self, entity: URIRef) -> list[str]:
        """Every verified exact identifier of the entity, in Biolink's spelling, sorted."""
        return sorted(c for m in self.graph.objects(entity, SKOS.exactMatch) if (c := external_curie(m)))


def qualifiers(predicate: str, sign: int | None) -> dict[str, str]:
    """Biolink 4 qualifiers for a relation with ``predicate`` and ``sign``.

    Examples
    --------
    >>> qualifiers("biolink:affects", -1)
    {'object_direction_qualifier': 'decreased'}
    >>> qualifiers("biolink:affects", 0)
    {'negated': 'true'}
    >>> qualifiers("biolink:treats", -1)
    {}
    """
    if sign == 0:
        return {"negated": "true"}
    if predicate == "biolink:affects" and sign in (1, -1):
        return {"object_direction_qualifier": "increased" if sign == 1 else "decreased"}
    return {}
