"""Issue 3: every numbered reference of sources 004 (99) and 003 (12) is cited evidence."""

from __future__ import annotations

import pytest
from rdflib.namespace import DCTERMS, RDF

from kg.namespaces import KG


def entries(graph, pub):
    return {int(graph.value(e, KG.referenceNumber)): e for e in graph.subjects(KG.inReferenceListOf, pub)}


@pytest.mark.parametrize("pub, count", [("pub_004", 99), ("pub_003", 12)])
def test_every_reference_is_present_typed_linked_and_cited_back(memory_graph, pub, count):
    g = memory_graph
    listed = entries(g, KG[pub])
    assert sorted(listed) == list(range(1, count + 1))
    for n, entry in listed.items():
        paper = g.value(entry, KG.refersTo)
        assert (paper, RDF.type, KG.Publication) in g, n
        assert g.value(paper, DCTERMS.title), n
        assert g.value(paper, KG.year) is not None and g.value(paper, KG.journal) is not None, n
        assert g.value(entry, KG.citation) == KG[pub] and str(g.value(entry, KG.locator)) == f"reference {n}"
        reports = list(g.subjects(KG.citation, paper))
        reports = [r for r in reports if (r, RDF.type, KG.TherapyReport) in g]
        assert reports, f"reference {n} reports nothing"
        assert any(g.value(r, KG.reportsTherapy) is not None and g.value(r, KG.reportsCondition) is not None
                   for r in reports), n


def test_shared_papers_are_one_publication(memory_graph):
    g = memory_graph
    for n004, n003 in ((1, 9), (7, 3), (10, 11), (11, 12)):
        assert g.value(entries(g, KG.pub_004)[n004], KG.refersTo) == g.value(entries(g, KG.pub_003)[n003], KG.refersTo)


def test_source_003_identifiers_as_printed(memory_graph):
    g = memory_graph
    basta = g.value(entries(g, KG.pub_003)[8], KG.refersTo)
    assert (str(g.value(basta, KG.pmid)), str(g.value(basta, KG.doi)), str(g.value(basta, KG.pmcid))) == \
        ("7962520", "10.1172/JCI117520", "PMC294563")


@pytest.mark.parametrize("n, therapy, condition, direction", [
    (26, "tacrolimus", "interstitial_lung_disease", "benefit"),
    (44, "ruxolitinib", "dermatomyositis", "benefit"),
    (57, "infliximab", "idiopathic_inflammatory_myopathy", "induced_or_worsened"),
    (62, "TNFInhibitor", "dermatomyositis", "induced_or_worsened"),
    (13, "rituximab", "delayed_type_hypersensitivity", "adverse_reaction"),
    (90, "diltiazem", "calcinosis_cutis", "benefit"),
])
def test_titles_become_therapy_reports(memory_graph, n, therapy, condition, direction):
    g = memory_graph
    paper = g.value(entries(g, KG.pub_004)[n], KG.refersTo)
    reports = [r for r in g.subjects(KG.citation, paper) if (r, RDF.type, KG.TherapyReport) in g]
    assert any(g.value(r, KG.reportsTherapy) == KG[therapy] and (r, KG.reportsCondition, KG[condition]) in g
               and g.value(r, KG.direction) == KG[direction] for r in reports)
