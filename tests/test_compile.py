"""The compiled graph holds each source's facts, each cited, labelled and well typed.

Expected values are written by hand from the source texts in ../shared/sources.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import DEFINITION, KG


def cited(graph, s, p, o):
    """(citation local name, locator) pairs of the axioms that reify (s, p, o)."""
    out = set()
    for ax in graph.subjects(OWL.annotatedSource, s):
        if graph.value(ax, OWL.annotatedProperty) == p and graph.value(ax, OWL.annotatedTarget) == o:
            out.add((str(graph.value(ax, KG.citation)).rsplit("/", 1)[-1], str(graph.value(ax, KG.locator))))
    return out


def courses(graph, patient):
    """[(position, therapy, duration text, outcome)] of a patient's courses, in order."""
    rows = []
    for c in graph.objects(KG[patient], KG.hasTreatmentCourse):
        rows.append((int(graph.value(c, KG.sequencePosition)), str(graph.value(c, KG.usesTherapy))[len(str(KG)):],
                     str(graph.value(c, KG.durationText)), str(graph.value(c, KG.hasOutcome))[len(str(KG)):]))
    return sorted(rows)


# --- source 000 ------------------------------------------------------------------

def test_source_000_ten_failed_regimens_in_order_with_durations(memory_graph):
    failed = [r for r in courses(memory_graph, "patient_000_1") if r[3] != "remission"]
    assert [(r[0], r[1], r[2]) for r in failed] == [
        (1, "hydroxychloroquine", "3 months"),
        (2, "prednisone", "5 months"),
        (3, "methotrexate", "2 months"),
        (4, "mycophenolate_mofetil", "5 months"),
        (5, "azathioprine", "6 months"),
        (6, "dapsone", "1 month"),
        (7, "rituximab", "2 infusions"),
        (8, "acitretin", "2 months"),
        (9, "pentoxifylline", "unknown"),
        (10, "ustekinumab", "1 injection"),
    ]
    assert {r[3] for r in failed} == {"minimal_response"}


def test_source_000_cyclosporine_course(memory_graph):
    g = memory_graph
    course = KG["course_000_1_11_cyclosporine"]
    steps = sorted((int(g.value(s, KG.stepNumber)), float(g.value(s, KG.doseValue)), str(g.value(s, KG.doseUnit)),
                    str(g.value(s, KG.stepStartText))) for s in g.objects(course, KG.hasDoseStep))
    assert steps == [(1, 3.0, "mg/kg/d", "start of course"), (2, 5.0, "mg/kg/d", "after 1 week")]
    assert g.value(course, KG.hasOutcome) == KG.remission
    assert (float(g.value(course, KG.responseAfterValue)), str(g.value(course, KG.responseAfterUnit))) == (5.0, "mo")
    assert (float(g.value(course, KG.durationValue)), str(g.value(course, KG.durationUnit))) == (2.0, "a")
    rec = KG["doserec_000_csa_usual_start"]
    assert (g.value(rec, KG.forDrug), float(g.value(rec, KG.doseValue)), str(g.value(rec, KG.doseUnit))) == \
        (KG.cyclosporine, 2.5, "mg/kg/d")


def test_source_000_patient_and_antibodies(memory_graph):
    g = memory_graph
    p = KG["patient_000_1"]
    assert int(g.value(p, KG.age)) == 45 and g.value(p, KG.sex) == KG.female
    assert set(g.objects(p, KG.hasDiagnosis)) == {KG.cadm, KG.psoriasis}
    results = {str(g.value(r, KG.measures))[len(str(KG)):]: str(g.value(r, KG.interpretation))[len(str(KG)):]
               for r in g.objects(p, KG.hasLabResult)}
    assert results == {"ana": "positive", "anti_dsdna": "negative", "anti_ro": "negative", "anti_la": "negative",
                       "anti_smith": "negative", "anti_rnp": "negative", "anti_cardiolipin": "negative",
                       "anti_scl70": "negative", "anti_centromere": "negative"}


@pytest.mark.parametrize("s, p, o, locator", [
    ("cyclosporine", "inhibits", "calcineurin", "Case Discussion"),
    ("cyclosporine", "decreases", "il2", "Case Discussion"),
    ("cyclosporine", "decreases", "ifn_gamma", "Case Discussion; refs 8, 9"),
    ("cyclosporine", "leavesUnchanged", "type_i_ifn", "Case Discussion; refs 8, 9"),
    ("TNFInhibitor", "treats", "psoriasis", "Case Discussion"),
    ("TNFInhibitor", "worsens", "dermatomyositis", "Case Discussion; refs 8, 10"),
    ("SystemicCorticosteroid", "firstLineTreatmentFor", "dermatomyositis", "Case Discussion"),
    ("methotrexate", "firstLineAdjuvantFor", "dermatomyositis", "Case Discussion"),
    ("SystemicCorticosteroid", "withdrawalMayTrigger", "pustular_psoriasis", "Case Discussion; ref 6"),
    ("cyclosporine", "approvedFor", "psoriasis", "Case Discussion; ref 7"),
    ("cyclosporine", "hasAdverseEffect", "hypertension", "Case Discussion"),
    ("cyclosporine", "hasAdverseEffect", "renal_toxicity", "Case Discussion"),
    ("psoriasis", "developsAfterTreatmentOf", "juvenile_dermatomyositis", "Case Discussion; ref 10"),
])
def test_source_000_statements(memory_graph, s, p, o, locator):
    assert (KG[s], KG[p], KG[o]) in memory_graph
    assert ("pub_000", locator) in cited(memory_graph, KG[s], KG[p], KG[o])


def test_source_000_hedged_claims_carry_their_certainty(memory_graph):
    g = memory_graph
    for s, p, o, certainty in [("TNFInhibitor", "increases", "type_i_ifn", KG.hypothesis),
                               ("tnf", "decreases", "type_i_ifn", KG.hypothesis),
                               ("SystemicCorticosteroid", "withdrawalMayTrigger", "pustular_psoriasis", KG.unestablished)]:
        axioms = [a for a in g.subjects(OWL.annotatedSource, KG[s]) if g.value(a, OWL.annotatedTarget) == KG[o]
                  and g.value(a, OWL.annotatedProperty) == KG[p]]
        assert [g.value(a, KG.certainty) for a in axioms] == [certainty]


# --- source 002 ------------------------------------------------------------------

@pytest.mark.parametrize("patient, age, diagnosis, prior, last", [
    ("patient_002_1", 33, "classic_dermatomyositis",
     [(1, "cyclosporine", "no_response"), (1, "hydroxychloroquine", "no_response"),
      (1, "methotrexate", "no_response"), (1, "prednisolone", "no_response")],
     (2, "pimecrolimus", "remission")),
    ("patient_002_2", 43, "cadm",
     [(1, "hydroxychloroquine", "relapse"), (1, "methotrexate", "relapse"), (1, "prednisolone", "relapse"),
      (1, "sunscreen", "relapse"), (1, "topical_corticosteroid", "relapse")],
     (2, "pimecrolimus", "response")),
])
def test_source_002_pimecrolimus_cases(memory_graph, patient, age, diagnosis, prior, last):
    g = memory_graph
    assert int(g.value(KG[patient], KG.age)) == age
    assert set(g.objects(KG[patient], KG.hasDiagnosis)) == {KG[diagnosis]}
    rows = [(seq, therapy, outcome) for seq, therapy, _, outcome in courses(g, patient)]
    assert rows == prior + [last]
    pime = next(c for c in g.objects(KG[patient], KG.hasTreatmentCourse) if g.value(c, KG.usesTherapy) == KG.pimecrolimus)
    assert g.value(pime, KG.route) == KG.topical and str(g.value(pime, KG.frequencyText)) == "twice daily"
    assert [str(g.value(s, KG.doseText)) for s in g.objects(pime, KG.hasDoseStep)] == ["1% cream"]


def test_source_002_cyclosporine_dose_in_case_1(memory_graph):
    g = memory_graph
    course = KG["course_002_1_1_cyclosporine"]
    step, = g.objects(course, KG.hasDoseStep)
    assert (float(g.value(step, KG.doseValue)), str(g.value(step, KG.doseUnit))) == (50.0, "mg/d")
    assert g.value(course, KG.route) == KG.oral


@pytest.mark.parametrize("drug", ["pimecrolimus", "tacrolimus"])
def test_source_002_calcineurin_route_to_cytokines(memory_graph, drug):
    g = memory_graph
    assert (KG[drug], KG.inhibits, KG.calcineurin) in g
    assert (KG[drug], KG.binds, KG.fkbp12) in g
    assert (KG.calcineurin, KG.activates, KG.nfat) in g
    induced = {str(o)[len(str(KG)):] for o in g.objects(KG.nfat, KG.inducesExpressionOf)}
    assert induced == {"il2", "il3", "il4", "il5", "ifn_gamma", "tnf"}
    assert all(("pub_002", "Discussion; refs 4, 5") in cited(g, KG.nfat, KG.inducesExpressionOf, KG[c]) for c in induced)


def test_source_002_pimecrolimus_versus_tacrolimus(memory_graph):
    g = memory_graph
    for prop in ("moreSelectiveThan", "moreLipophilicThan", "higherSkinAffinityThan", "lowerPermeationThan"):
        assert (KG.pimecrolimus, KG[prop], KG.tacrolimus) in g
    assert (KG.pimecrolimus, KG.leavesUnchanged, KG.langerhans_cell) in g
    assert (KG.pimecrolimus, KG.leavesUnchanged, KG.apoptosis) in g


def test_source_002_other_diseases_pimecrolimus_helps(memory_graph):
    treated = {str(o)[len(str(KG)):] for o in memory_graph.objects(KG.pimecrolimus, KG.treats)}
    assert treated == {"atopic_dermatitis", "inverse_psoriasis", "vitiligo", "oral_lichen_planus",
                       "cutaneous_lupus_erythematosus"}


# --- source 003 ------------------------------------------------------------------

def test_source_003_ivig_case_prior_therapies(memory_graph):
    rows = [(seq, therapy, outcome) for seq, therapy, _, outcome in courses(memory_graph, "patient_003_1")]
    assert rows == [
        (0, "thiamazole", "not_assessed"),
        (1, "prednisolone", "no_response"),
        (2, "hydroxychloroquine", "no_response"),
        (3, "methylprednisolone", "relapse"),
        (3, "tacrolimus", "no_response"),
        (4, "cyclophosphamide", "relapse"),
        (5, "rituximab", "relapse"),
        (6, "ivig", "response"),
        (7, "azathioprine", "not_assessed"),
        (7, "methylprednisolone", "not_assessed"),
    ]
    g = memory_graph
    ivig = KG["course_003_1_6_ivig"]
    step, = g.objects(ivig, KG.hasDoseStep)
    assert (float(g.value(step, KG.doseValue)), str(g.value(step, KG.doseUnit))) == (2.0, "g/kg")
    assert int(g.value(ivig, KG.administrations)) == 3 and g.value(ivig, KG.outcomeTarget) == KG.cutaneous_vasculitis


def test_source_003_antibodies_including_not_tested(memory_graph):
    g = memory_graph
    results = {str(g.value(r, KG.measures))[len(str(KG)):]: str(g.value(r, KG.interpretation))[len(str(KG)):]
               for r in g.objects(KG.patient_003_1, KG.hasLabResult) if (r, RDF.type, KG.AntibodyResult) in g}
    assert results == {"ana": "positive", "anti_ro": "positive", "anti_jo1": "negative",
                       "anti_mda5": "not_tested", "anti_nxp2": "not_tested", "anti_tif1g": "not_tested"}
    ana = KG["lab_003_1_ana"]
    assert str(g.value(ana, KG.valueText)) == "1/640"


@pytest.mark.parametrize("p, o, ref", [
    ("decreases", "membrane_attack_complex", "ref 8"),
    ("binds", "c3b", "ref 8"),
    ("decreases", "icam1", "ref 9"),
    ("decreases", "mhc_class_i", "ref 9"),
    ("decreases", "tgf_beta1", "ref 10"),
])
def test_source_003_ivig_mechanism_with_supporting_reference(memory_graph, p, o, ref):
    g = memory_graph
    (cite, locator), = cited(g, KG.ivig, KG[p], KG[o])
    assert cite == "pub_003" and locator == f"Discussion; {ref}"
    axiom = next(a for a in g.subjects(OWL.annotatedSource, KG.ivig) if g.value(a, OWL.annotatedTarget) == KG[o])
    supporting = g.value(axiom, KG.supportingReference)
    entry = next(e for e in g.subjects(KG.refersTo, supporting) if g.value(e, KG.inReferenceListOf) == KG.pub_003)
    assert int(g.value(entry, KG.referenceNumber)) == int(ref.split()[1])


# --- source 001 and 004 -------------------------------------------------------------

def test_source_001_refractory_skin_therapies(memory_graph):
    g = memory_graph
    assert (KG.mycophenolate_mofetil, KG.effectiveInRefractory, KG.cadm) in g
    assert (KG.ivig, KG.effectiveInRefractory, KG.cadm) in g
    assert (KG.JAKInhibitor, KG.emergingTherapyFor, KG.cadm) in g
    assert str(g.value(KG.pub_001, KG.doi)) == "10.1111/dth.14942"
    assert int(g.value(KG.pub_001, KG.casesReported)) == 5


def test_source_004_conventional_skin_therapy(memory_graph):
    conventional = {str(s)[len(str(KG)):] for s in memory_graph.subjects(KG.conventionalTherapyFor, KG.cutaneous_dermatomyositis)}
    assert conventional == {"photoprotection", "Antipruritic", "TopicalCorticosteroid", "TopicalCalcineurinInhibitor",
                            "Antimalarial", "methotrexate", "hydroxychloroquine"}


# --- every curated record -------------------------------------------------------------

def test_every_axiom_is_cited_with_evidence_and_locator(memory_graph):
    g = memory_graph
    axioms = [a for a in g.subjects(RDF.type, OWL.Axiom) if (a, KG.inferredBy, None) not in g]
    assert len(axioms) == 174  # 143 + 31 for issue 14 (DrugBank 4.2 classes, condition statements, ...)
    for ax in axioms:
        citation = g.value(ax, KG.citation)
        assert citation is not None and (citation, RDF.type, KG.Publication) in g or (citation, RDF.type, KG.Database) in g
        assert (g.value(ax, KG.evidenceType), RDF.type, KG.EvidenceType) in g
        assert str(g.value(ax, KG.locator) or "").strip()


def test_every_entity_is_labelled_defined_and_typed(memory_graph):
    g = memory_graph
    categories = {KG.Disease, KG.Manifestation, KG.AdverseEffect, KG.Drug, KG.Procedure, KG.Photoprotection,
                  KG.Protein, KG.Cytokine, KG.JanusKinase, KG.ProteinComplex, KG.ProteinFamily, KG.Autoantibody,
                  KG.CellType, KG.BiologicalProcess, KG.LabTest, KG.AssessmentInstrument, KG.PharmacologicalRole,
                  KG.Comorbidity}
    entities = {s for c in categories for s in g.subjects(RDF.type, c)}
    assert len(entities) == 205  # 195 + 10 added for issue 14
    for e in entities:
        assert len(list(g.objects(e, RDFS.label))) == 1, e
        assert g.value(e, DEFINITION) is not None, e


def test_every_case_record_carries_its_citation(memory_graph):
    g = memory_graph
    for cls in (KG.Patient, KG.TreatmentCourse, KG.Finding, KG.LabResult, KG.DoseRecommendation):
        records = list(g.subjects(RDF.type, cls))
        assert records, cls
        for rec in records:
            assert (g.value(rec, KG.citation), RDF.type, KG.Publication) in g, rec
            assert g.value(rec, KG.evidenceType) == KG.case_report or cls == KG.DoseRecommendation
            assert str(g.value(rec, KG.locator))


def test_identifiers_become_xrefs_and_exact_matches(memory_graph):
    g = memory_graph
    assert Literal("DRUGBANK:DB00091") in set(g.objects(KG.cyclosporine, URIRef("http://www.geneontology.org/formats/oboInOwl#hasDbXref")))
    assert URIRef("https://identifiers.org/drugbank:DB00091") in set(g.objects(KG.cyclosporine, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")))
