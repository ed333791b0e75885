"""Every spelling of a verified identifier resolves to the same curated entity (issue 13, item 2)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from kg.identifiers import canonical_curie, canonical_prefix
from kg.lookup import NameIndex
from kg.namespaces import KG, curie_to_iri
from kg.project import Project

OBO = ("MONDO", "DOID", "HP", "CHEBI", "GO", "CL", "NCIT", "UBERON")
_ROWS = list(csv.DictReader(open(Project.discover().data / "identifiers.tsv", encoding="utf-8"), delimiter="\t"))
_COUNTS = Counter(r["curie"] for r in _ROWS)
#: identifiers naming one curated entity only (a shared MeSH heading cannot resolve to one)
UNIQUE = [r for r in _ROWS if _COUNTS[r["curie"]] == 1]


def spellings(curie: str) -> list[str]:
    """The forms other graphs write ``curie`` in."""
    prefix, local = curie.split(":", 1)
    forms = [curie, f"{prefix.lower()}:{local}", str(curie_to_iri(curie)),
             f"https://bioregistry.io/{prefix.lower()}:{local}", f"https://identifiers.org/{prefix.lower()}:{local}"]
    if prefix in OBO:
        forms.append(f"http://purl.obolibrary.org/obo/{prefix}_{local}")
    if prefix == "DRUGBANK":
        forms += [f"Compound::{local}", f"https://www.drugbank.ca/drugs/{local}", f"DrugBank:{local}"]
    if prefix == "NCBIGene":
        forms += [f"Gene::{local}", f"https://www.ncbi.nlm.nih.gov/gene/{local}", f"ncbigene:{local}"]
    if prefix == "DOID":
        forms.append(f"Disease::{curie}")
    if prefix == "UNIPROT":
        forms += [f"UniProtKB:{local}", f"https://www.uniprot.org/uniprot/{local}"]
    return forms


@pytest.fixture(scope="module")
def index(graph) -> NameIndex:
    return NameIndex.of(graph)


@pytest.mark.parametrize("row", UNIQUE, ids=[r["curie"] for r in UNIQUE])
def test_every_spelling_of_an_identifier_is_the_same_entity(row, index):
    expected = KG[row["entity"]]
    for form in spellings(row["curie"]):
        assert canonical_curie(form) == row["curie"], form
        assert index.resolve(form) == expected, form


def test_most_identifiers_are_unique_to_one_entity():
    assert (len(_ROWS), len(UNIQUE)) == (len(_ROWS), len(_ROWS) - sum(n for n in _COUNTS.values() if n > 1))
    assert len(UNIQUE) > 0.9 * len(_ROWS)


@pytest.mark.parametrize("text", ["cyclosporine", "MONDO", "MONDO:", ":0016367", "nosuchprefix:123",
                                  "http://example.org/thing/1", "two words:1", ""])
def test_what_is_not_an_identifier_has_no_canonical_form(text):
    assert canonical_curie(text) is None


def test_prefixes_are_spelled_as_the_curated_data_spells_them():
    assert {canonical_prefix(p) for p in ("drugbank", "DrugBank", "ncbigene", "NCBIGENE", "uniprot", "UniProtKB",
                                          "pubmed", "PMID", "mondo")} == {"DRUGBANK", "NCBIGene", "UNIPROT", "PMID",
                                                                          "MONDO"}
    used = {r["curie"].split(":", 1)[0] for r in _ROWS}
    assert {canonical_prefix(p) for p in used} == used


def test_an_unknown_identifier_is_an_unknown_name_with_close_matches(index):
    from kg.errors import UnknownNameError

    with pytest.raises(UnknownNameError) as caught:
        index.resolve("drugbank:DB99999")
    assert "drugbank:DB99999" in str(caught.value)


def test_a_doi_iri_is_a_doi_whatever_its_suffix():
    assert canonical_curie("https://doi.org/10.1186/ar1724") == "DOI:10.1186/ar1724"  # not ISRCTN:ar1724
    assert canonical_curie("http://dx.doi.org/10.5021/ad.2011.23.3.348") == "DOI:10.5021/ad.2011.23.3.348"


def test_every_external_identifier_of_the_graph_has_one_iri_form_per_prefix(built):
    """Issue 15, item 9: OBO PURLs for OBO ontologies, identifiers.org (else bioregistry.io) for the
    other entity prefixes, the registry's resolver for publications; one form per prefix."""
    import re

    from kg.namespaces import IRI_STEMS

    ignored = ("https://w3id.org/", "http://www.w3.org/", "http://purl.org/", "http://www.geneontology.org/",
               "https://w3id.org/biolink/",
               "https://spdx.org/", "http://creativecommons.org/", "http://xmlns.com/", "http://schema.org/",
               "https://schema.org/")
    prefixes = set()
    for iri in set(re.findall(r"<(https?://[^>]+)>", built.ntriples.read_text(encoding="utf-8"))):
        if iri.startswith(ignored):
            continue
        curie = canonical_curie(iri)
        assert curie is not None, f"{iri} is no identifier bioregistry reads"
        if curie.startswith("PMC:") and not curie.startswith("PMC:PMC"):
            curie = "PMC:PMC" + curie[4:]  # bioregistry drops PMC's "PMC" from the local id; the project keeps it
        assert str(curie_to_iri(curie)) == iri, f"{iri} is not the graph's one form of {curie}"
        prefixes.add(curie.split(":", 1)[0])
    assert {"DRUGBANK", "MESH", "UNIPROT", "NCBIGene", "HGNC", "MONDO", "DOI", "PMID", "LOINC"} <= prefixes
    for prefix in prefixes:
        stem = IRI_STEMS[prefix.upper()]
        assert stem.startswith(("http://purl.obolibrary.org/obo/", "https://identifiers.org/", "https://bioregistry.io/",
                                "https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/",
                                "https://www.ncbi.nlm.nih.gov/pmc/")), (prefix, stem)
        assert stem.startswith("http://purl.obolibrary.org/obo/") == (prefix in OBO or prefix in (
            "ECO", "RO", "IAO", "BFO", "PATO")), (prefix, stem)
