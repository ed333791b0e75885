"""How a citation is shown to people: short label plus its verified identifier."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.namespaces import KG


def identifier(graph: Graph, pub: URIRef) -> str:
    """``doi:...``, ``PMID:...`` or the local id of a publication ('' if none)."""
    for prop, prefix in ((KG.doi, "doi:"), (KG.pmid, "PMID:"), (KG.localId, "")):
        value = graph.value(pub, prop)
        if value is not None:
            return f"{prefix}{value}"
    return ""


def citation(graph: Graph, pub: URIRef, locator: str | None = None) -> str:
    """'Antonopoulos I 2018, Mediterr J Rheumatol [doi:10.31138/...], Discussion; ref 8'."""
    label = str(graph.value(pub, RDFS.label) or pub)
    ident = identifier(graph, pub)
    text = f"{label} [{ident}]" if ident else label
    return f"{text}, {locator}" if locator else text
