"""Namespaces, and CURIE <-> IRI conversion for the vocabularies the graph cites.

Prefixes follow bioregistry's preferred spelling; each prefix has one IRI form
(``IRI_STEMS``): the OBO PURL for OBO ontologies, identifiers.org for the other
entity prefixes (bioregistry.io where identifiers.org has none), and the
registry's own resolver for publications (doi.org, PubMed, PMC).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

KG = Namespace("https://w3id.org/dmkg/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DEFINITION = OBO.IAO_0000115
ONTOLOGY_IRI = URIRef("https://w3id.org/dmkg/ontology")

# prefix -> IRI stem. OBO ontologies share the PURL pattern PREFIX_LOCALID.
_OBO = ("MONDO", "DOID", "HP", "CHEBI", "GO", "CL", "NCIT", "ECO", "RO", "IAO", "UBERON", "PATO", "BFO")
IRI_STEMS: dict[str, str] = {p: f"http://purl.obolibrary.org/obo/{p}_" for p in _OBO}
# One IRI form per prefix. Entities: the OBO PURL for OBO ontologies (above), else identifiers.org
# with the prefix as MIRIAM registers it (bioregistry's "miriam" provider: drugbank, hgnc, ncbigene,
# uniprot, mesh), else bioregistry.io (LOINC: bioregistry lists no MIRIAM provider for it).
# Publications: their registries' own resolvers (doi.org, PubMed, PMC), the links readers follow.
IRI_STEMS.update({
    "DRUGBANK": "https://identifiers.org/drugbank:",
    "HGNC": "https://identifiers.org/hgnc:",
    "NCBIGENE": "https://identifiers.org/ncbigene:",
    "UNIPROT": "https://identifiers.org/uniprot:",
    "MESH": "https://identifiers.org/mesh:",
    "LOINC": "https://bioregistry.io/loinc:",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/",
    "PMC": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
    "DOI": "https://doi.org/",
})
# Prefixes KGX graphs use (for kg import), IRIs as the Biolink Model's prefix map gives them
# (biolink/biolink-model, project/prefixmap/biolink-model-prefix-map.json, commit ebaa35d); the
# OBO ones keep their mixed-case PURL stem. infores: as Translator tools expand it (w3id biolink/infores).
IRI_STEMS.update({
    "BIOLINK": "https://w3id.org/biolink/vocab/",
    "INFORES": "https://w3id.org/biolink/infores/",
    "NCBITAXON": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "PR": "http://purl.obolibrary.org/obo/PR_",
    "UNIPROTKB": "http://purl.uniprot.org/uniprot/",
    "UMLS": "http://identifiers.org/umls/",
    "REACT": "http://www.reactome.org/PathwayBrowser/#/",
    "WIKIPATHWAYS": "http://identifiers.org/wikipathways/",
    "PUBCHEM.COMPOUND": "http://identifiers.org/pubchem.compound/",
    "CHEMBL.COMPOUND": "http://identifiers.org/chembl.compound/",
    "ENSEMBL": "http://identifiers.org/ensembl/",
    "UNII": "http://identifiers.org/unii/",
})

# Prefixes bound when serialising, so Turtle stays readable.
BINDINGS = {
    "kg": KG, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "skos": SKOS,
    "dcterms": DCTERMS, "prov": PROV, "obo": OBO, "oboInOwl": OBOINOWL,
}


def curie_to_iri(curie: str) -> URIRef:
    """``MONDO:0016367`` -> its IRI. Raises ``ValueError`` for an unknown prefix."""
    prefix, _, local = curie.partition(":")
    stem = IRI_STEMS.get(prefix.upper())
    if stem is None or not local:
        raise ValueError(f"unknown CURIE prefix in {curie!r}; known: {', '.join(sorted(IRI_STEMS))}")
    return URIRef(stem + local)


def iri_to_curie(iri: str) -> str | None:
    """The CURIE of an external IRI, or ``kg:local`` for the project's own terms."""
    if iri.startswith(str(KG)):
        return "kg:" + iri[len(str(KG)):]
    for prefix, stem in IRI_STEMS.items():
        if iri.startswith(stem):
            return f"{prefix}:{iri[len(stem):]}"
    return None


def bind_prefixes(graph) -> None:
    for prefix, ns in BINDINGS.items():
        graph.bind(prefix, ns, override=True)


#: Characters that cannot stand in an IRI (RFC 3987), so not in a CURIE's local part either.
_NOT_IN_IRI = frozenset(' <>"{}|\\^`\t\n\r')


def curie_problem(curie: str) -> str | None:
    """What is wrong with ``curie`` (``PREFIX:local``), or None if nothing is.

    The local part must be IRI-safe (no space, ``<``, ``>``, quotes, braces ...)
    and match the prefix's pattern in the Bioregistry (``MONDO`` wants seven
    digits). The registry ships in the ``bioregistry`` wheel, so this works
    offline; it is imported on first use (about 0.8 s). Prefixes the Bioregistry
    does not know (and the project's own ``kg:``) are checked for IRI safety only.

    Examples
    --------
    >>> curie_problem("MONDO:0016367") is None
    True
    >>> curie_problem("MONDO:abc")
    "'MONDO:abc' does not match the MONDO pattern ^\\\\d{7}$ (Bioregistry)"
    >>> curie_problem("CHEBI:12 34")
    "the local part of 'CHEBI:12 34' contains ' ', which cannot be part of an IRI"
    """
    prefix, colon, local = str(curie).partition(":")
    if not colon or not prefix or not local:
        return f"{curie!r} is not a CURIE (PREFIX:local)"
    if bad := sorted({ch for ch in local if ch in _NOT_IN_IRI}):
        shown = ", ".join(repr(ch) for ch in bad)
        return f"the local part of {curie!r} contains {shown}, which cannot be part of an IRI"
    if prefix.lower() == "kg":
        return None
    pattern = _registry_pattern(prefix.lower())
    if pattern is not None and not re.match(pattern, local):
        return f"{curie!r} does not match the {prefix} pattern {pattern} (Bioregistry)"
    return None


@lru_cache(maxsize=256)
def _registry_pattern(prefix: str) -> str | None:
    import bioregistry  # ~0.8 s to import: only when a CURIE is checked

    norm = bioregistry.normalize_prefix(prefix)
    return bioregistry.get_pattern(norm) if norm else None
