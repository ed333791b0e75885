"""The ontology header that every build and export carries: version, licence, creators, dates.

``ontology/kg.ttl`` states what does not change (title, description, licence,
creators, creation date, preferred prefix and namespace); :func:`stamp` adds what
the build knows: ``owl:versionIRI`` and ``owl:versionInfo`` from the package version
and the build id, ``dcterms:modified``, and a ``skos:definition`` beside each
IAO:0000115 definition of a class, property or vocabulary individual of the TBox
(tools such as pyLODE and SKOS browsers read only that one).
:func:`graph_metadata` reads the header back for the exports that are not RDF.

Examples
--------
>>> meta = graph_metadata(graph)
>>> meta["version_iri"].startswith("https://w3id.org/dmkg/ontology/"), meta["license"]
(True, 'https://spdx.org/licenses/MIT')
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.namespaces import DEFINITION, ONTOLOGY_IRI

_TERMS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


def version_iri(version: str, build_id: str) -> URIRef:
    """``https://w3id.org/dmkg/ontology/1.0.0/<build id>``."""
    return URIRef(f"{ONTOLOGY_IRI}/{version}/{build_id}")


def modified_date(files: list[Path]) -> str:
    """The day the newest input changed (``SOURCE_DATE_EPOCH`` wins when set): the same for the same inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = int(epoch) if epoch and epoch.isdigit() else max((int(p.stat().st_mtime) for p in files), default=0)
    return time.strftime("%Y-%m-%d", time.gmtime(stamp))


def skos_definitions(tbox: Graph) -> Graph:
    """``skos:definition`` for every term of ``tbox`` that has an IAO:0000115 definition."""
    out = Graph()
    terms = {s for kind in _TERMS for s in tbox.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    for term in terms:
        for text in tbox.objects(term, DEFINITION):
            out.add((term, SKOS.definition, text))
    return out


def stamp(graph: Graph, tbox: Graph, version: str, build_id: str, modified: str) -> None:
    """Add the build's part of the header (and the skos:definition copies) to ``graph``."""
    graph.set((ONTOLOGY_IRI, OWL.versionIRI, version_iri(version, build_id)))
    graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(f"{version}+{build_id}")))
    graph.set((ONTOLOGY_IRI, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    graph += skos_definitions(tbox)


def graph_metadata(graph: Graph) -> dict:
    """The header of ``graph`` as plain values (for KGX, CSV and GraphML)."""
    def one(p) -> str:
        value = graph.value(ONTOLOGY_IRI, p)
        return "" if value is None else str(value)

    return {"name": one(RDFS.label), "description": one(DCTERMS.description), "ontology": str(ONTOLOGY_IRI),
            "version": one(OWL.versionInfo), "version_iri": one(OWL.versionIRI), "license": one(DCTERMS.license),
            "creator": sorted(str(c) for c in graph.objects(ONTOLOGY_IRI, DCTERMS.creator)),
            "created": one(DCTERMS.created), "modified": one(DCTERMS.modified)}
