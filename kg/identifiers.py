"""One canonical form for an identifier, whatever spelling it arrives in.

Graphs name the same thing in many ways: cyclosporine is ``DRUGBANK:DB00091``,
``drugbank:DB00091``, ``https://go.drugbank.com/drugs/DB00091``,
``https://identifiers.org/DRUGBANK:DB00091``, ``https://bioregistry.io/drugbank:DB00091``
or Hetionet's ``Compound::DB00091``; dermatomyositis is ``MONDO:0016367`` or
``http://purl.obolibrary.org/obo/MONDO_0016367``. :func:`canonical_curie` turns each
of them into the CURIE the project's curated data uses (``DRUGBANK:DB00091``,
``MONDO:0016367``; the prefix spelled as in ``data/identifiers.tsv``).

CURIEs are parsed by prefix (any case, bioregistry's synonyms such as
``UniProtKB`` or ``PubMed``), IRIs with the Bioregistry's offline registry
(``bioregistry.parse_iri``, which knows each resource's OBO PURL,
identifiers.org, n2t, bioregistry.io and provider URLs; the registry ships in the
wheel, so nothing is fetched; it loads in about 1 s on first use, then parses an
IRI in a few microseconds). The project's own IRIs become ``kg:`` CURIEs.

Examples
--------
>>> canonical_curie("drugbank:DB00091"), canonical_curie("https://go.drugbank.com/drugs/DB00091")
('DRUGBANK:DB00091', 'DRUGBANK:DB00091')
>>> canonical_curie("Compound::DB00091"), canonical_curie("http://purl.obolibrary.org/obo/MONDO_0016367")
('DRUGBANK:DB00091', 'MONDO:0016367')
>>> canonical_curie("ncbigene:2280"), canonical_curie("UniProtKB:P01579")
('NCBIGene:2280', 'UNIPROT:P01579')
>>> canonical_curie("https://w3id.org/dmkg/cyclosporine"), canonical_curie("cyclosporine")
('kg:cyclosporine', None)
"""

from __future__ import annotations

import functools
import re

from kg.namespaces import KG

#: The prefixes as the curated data spells them (``data/identifiers.tsv``, the ``kg:`` pages),
#: keyed by the Bioregistry's normalised prefix. Other registered prefixes keep the
#: Bioregistry's preferred spelling.
PROJECT_PREFIXES = ("CHEBI", "CL", "DOID", "DRUGBANK", "GO", "HGNC", "HP", "LOINC", "MESH", "MONDO",
                    "NCBIGene", "NCIT", "UNIPROT", "UBERON", "PMID", "DOI", "PMC", "ECO", "RO")

#: Hetionet v1.0's node kinds (``Kind::identifier``) whose identifiers carry no prefix, and their
#: resource. Read from hetio/hetionet, hetnet/tsv/hetionet-v1.0-nodes.tsv: line 13176
#: ``Compound::DB00014`` Goserelin (DrugBank), line 14865 ``Gene::1`` A1BG (NCBI Gene), line 46595
#: ``Symptom::D000006`` "Abdomen, Acute" (MeSH), line 40861 ``Side Effect::C0000727`` (UMLS, from
#: SIDER). The other kinds write a CURIE after ``::`` (``Disease::DOID:0050156``,
#: ``Anatomy::UBERON:0000002``, ``Biological Process::GO:0000002``) and are parsed as such.
HETIONET_KINDS = {"compound": "DRUGBANK", "gene": "NCBIGene", "symptom": "MESH", "side effect": "UMLS"}

_HETIONET = re.compile(r"^([A-Za-z][A-Za-z ]*)::(\S+)$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9._-]*):(\S+)$")


@functools.cache
def _registry():
    import bioregistry

    return bioregistry


@functools.cache
def canonical_prefix(prefix: str) -> str | None:
    """The project's spelling of ``prefix`` (any case or registered synonym), or None if unknown.

    Examples
    --------
    >>> canonical_prefix("uniprotkb"), canonical_prefix("PubMed"), canonical_prefix("nosuch")
    ('UNIPROT', 'PMID', None)
    """
    if prefix.lower() == "kg":
        return "kg"
    registry = _registry()
    normal = registry.normalize_prefix(prefix)
    if normal is None:
        return None
    for ours in PROJECT_PREFIXES:
        if registry.normalize_prefix(ours) == normal:
            return ours
    return registry.get_preferred_prefix(normal) or normal


def canonical_curie(text: str) -> str | None:
    """The canonical CURIE of an identifier in any common form, or None when ``text`` is not one."""
    text = str(text).strip()
    if not text or " " in text.strip() and "::" not in text:
        return None
    if text.startswith(str(KG)):
        return "kg:" + text[len(str(KG)):]
    if (hetionet := _HETIONET.match(text)) is not None:
        kind, local = hetionet.group(1).lower(), hetionet.group(2)
        if kind in HETIONET_KINDS:
            return f"{HETIONET_KINDS[kind]}:{local}"
        return canonical_curie(local) if ":" in local else None
    if text.startswith(("http://", "https://")):
        return _from_iri(text)
    match = _CURIE.match(text)
    if match is None:
        return None
    prefix, local = match.groups()
    ours = canonical_prefix(prefix)
    if ours is None:
        return None
    if local.upper().startswith(prefix.upper() + ":"):  # CHEBI:CHEBI:4031, as some tables write it
        local = local[len(prefix) + 1:]
    return f"{ours}:{local}"


_DOI_IRI = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$")


def _from_iri(iri: str) -> str | None:
    """The CURIE of an IRI. A doi.org IRI is a DOI first: bioregistry reads ``doi.org/10.1186/ar1724``
    as ISRCTN's pattern (its registrations are DOIs under 10.1186)."""
    doi = _DOI_IRI.match(iri)
    if doi is not None:
        return f"DOI:{doi.group(1)}"
    registry = _registry()
    parsed = registry.parse_iri(iri)
    if parsed is not None and parsed[0] and parsed[0] != "idot":
        ours = canonical_prefix(parsed[0])
        return f"{ours}:{parsed[1]}" if ours else None
    match = re.match(r"^https?://(?:www\.)?identifiers\.org/(.+)$", iri)  # identifiers.org/PREFIX:ID
    if match is not None and _CURIE.match(match.group(1)):
        return canonical_curie(match.group(1))
    return None


#: Resolvers that write ``HOST/prefix:local``, with the prefix in any case.
_RESOLVERS = ("identifiers.org", "bioregistry.io", "n2t.net")


@functools.cache
def iri_forms(curie: str) -> frozenset[str]:
    """The IRIs a graph may name identifier ``curie`` by, each one :func:`canonical_curie` reads back as ``curie``.

    Bioregistry's provider URLs (OBO PURL, the resource's own pages, its RDF IRI, bio2rdf ...), the
    resolvers identifiers.org, bioregistry.io and n2t.net with the prefix in the project's, the
    registry's, lower and upper case, the project's own IRI (``kg.namespaces.IRI_STEMS``), each over
    http and https. :func:`kg.joins.join_import` looks these up in an RDF import instead of reading
    every node of it.

    Examples
    --------
    >>> forms = iri_forms("DRUGBANK:DB00864")
    >>> sorted(f for f in forms if "identifiers.org" in f and f.startswith("https"))
    ['https://identifiers.org/DRUGBANK:DB00864', 'https://identifiers.org/drugbank:DB00864']
    >>> "http://purl.obolibrary.org/obo/MONDO_0016367" in iri_forms("MONDO:0016367")
    True
    """
    from kg.namespaces import IRI_STEMS

    prefix, _, local = curie.partition(":")
    registry = _registry()
    normal = registry.normalize_prefix(prefix)
    if normal is None or not local:
        return frozenset()
    urls = {url for url in registry.get_providers(normal, local).values() if url}
    if prefix.upper() in IRI_STEMS:  # keyed in upper case (NCBIGENE for NCBIGene)
        urls.add(IRI_STEMS[prefix.upper()] + local)
    spellings = {prefix, prefix.lower(), prefix.upper(), normal, registry.get_preferred_prefix(normal) or normal}
    urls |= {f"https://{host}/{spelling}:{local}" for host in _RESOLVERS for spelling in spellings}
    urls |= {"http://" + url[len("https://"):] for url in urls if url.startswith("https://")}
    urls |= {"https://" + url[len("http://"):] for url in urls if url.startswith("http://")}
    return frozenset(url for url in urls if canonical_curie(url) == curie)
