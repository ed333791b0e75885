"""HermiT, for real: the ontology is consistent and defined classes get exactly their members."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from kg.compile import load_tbox
from kg.errors import ReasonerError
from kg.namespaces import KG
from kg.project import Project
from kg.reason import reason


def members(graph: Graph, cls) -> set[str]:
    """Individuals typed ``cls`` (asserted or inferred, directly or via a subclass)."""
    subclasses = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {str(s)[len(str(KG)):] for c in subclasses for s in graph.subjects(RDF.type, c)
            if (s, RDF.type, OWL.NamedIndividual) in graph}


@pytest.mark.parametrize("cls, expected", [
    ("CalcineurinInhibitor", {"cyclosporine", "pimecrolimus", "tacrolimus"}),
    ("TypeIInterferonSparingDrug", {"cyclosporine"}),
    ("RefractoryPatient", {"patient_000_1", "patient_002_1", "patient_002_2", "patient_003_1"}),
    ("TNFInhibitor", {"infliximab", "etanercept"}),
    ("JAKInhibitor", {"ruxolitinib", "tofacitinib"}),
    ("MTORInhibitor", {"sirolimus"}),
    ("IL12_23Inhibitor", {"ustekinumab"}),
    ("AntiCD20Antibody", {"rituximab"}),
    ("NonResponseOutcome", {"no_response", "minimal_response", "relapse", "worsening"}),
    ("FavourableOutcome", {"response", "complete_response", "remission"}),
    ("PartialOutcome", {"partial_response"}),
])
def test_defined_classes_get_exactly_their_members(memory_graph, cls, expected):
    assert members(memory_graph, KG[cls]) == expected


def test_defined_class_membership_is_inferred_and_marked(memory_graph):
    g = memory_graph
    assert (KG.cyclosporine, RDF.type, KG.CalcineurinInhibitor) in g
    marks = [a for a in g.subjects(OWL.annotatedSource, KG.cyclosporine)
             if g.value(a, OWL.annotatedTarget) == KG.TypeIInterferonSparingDrug and (a, KG.inferredBy, KG.hermit) in g]
    assert len(marks) == 1
    # Nobody typed it by hand: the curated data never asserts these memberships.
    from kg.compile import compile_graph
    from kg.curation import read_curation

    asserted = compile_graph(read_curation(Project.discover().data), load_tbox(Project.discover().ontology))
    assert (KG.cyclosporine, RDF.type, KG.CalcineurinInhibitor) not in asserted
    assert (KG.patient_000_1, RDF.type, KG.RefractoryPatient) not in asserted


def _tiny(tbox: Graph, courses: list[tuple], diagnosis=KG.dermatomyositis) -> Graph:
    """TBox plus one patient with ``diagnosis`` and ``courses`` of (therapy, route or None, outcome).

    The therapies: ``methotrexate`` (named by the definition), ``class_member`` an antimalarial (a class the
    definition names), ``topical_drug`` stated conventional but topical, ``other_drug`` not conventional.
    """
    g = Graph()
    g += tbox
    for drug in (KG.methotrexate, KG.class_member, KG.topical_drug, KG.other_drug):
        g.add((drug, RDF.type, OWL.NamedIndividual))
        g.add((drug, RDF.type, KG.Drug))
    g.add((KG.class_member, RDF.type, KG.Antimalarial))
    g.add((KG.TopicalCorticosteroid, KG.conventionalTherapyFor, KG.cutaneous_dermatomyositis))  # class-level claim
    g.add((KG.topical_drug, RDF.type, KG.TopicalCorticosteroid))
    for d in (KG.dermatomyositis, KG.psoriasis, KG.cutaneous_dermatomyositis):
        g.add((d, RDF.type, OWL.NamedIndividual))
        g.add((d, RDF.type, KG.Disease))
    p = KG.test_patient
    g.add((p, RDF.type, OWL.NamedIndividual))
    g.add((p, RDF.type, KG.Patient))
    g.add((p, KG.hasDiagnosis, diagnosis))
    nodes = []
    for i, (therapy, route, outcome) in enumerate(courses):
        c = KG[f"test_course_{i}"]
        nodes.append(c)
        g.add((c, RDF.type, OWL.NamedIndividual))
        g.add((c, RDF.type, KG.TreatmentCourse))
        g.add((c, KG.usesTherapy, therapy))
        g.add((c, KG.hasOutcome, outcome))
        if route is not None:
            g.add((c, KG.route, route))
        g.add((p, KG.hasTreatmentCourse, c))
    if len(nodes) > 1:
        from rdflib import BNode
        from rdflib.collection import Collection

        node, lst = BNode(), BNode()
        g.add((node, RDF.type, OWL.AllDifferent))
        g.add((node, OWL.distinctMembers, lst))
        Collection(g, lst, nodes)
    return g


@pytest.fixture(scope="module")
def tbox():
    return load_tbox(Project.discover().ontology)


@pytest.mark.slow  # runs HermiT (Java) on a new ontology
@pytest.mark.parametrize("courses, diagnosis, refractory", [
    # one failed course of methotrexate or an antimalarial is enough (source 004), a relapse after a first
    # response too
    ([(KG.methotrexate, None, KG.no_response)], KG.dermatomyositis, True),
    ([(KG.methotrexate, None, KG.relapse)], KG.dermatomyositis, True),
    ([(KG.methotrexate, None, KG.remission)], KG.dermatomyositis, False),
    ([(KG.class_member, None, KG.minimal_response)], KG.dermatomyositis, True),
    # failed topical measures alone are not refractory disease: the systemic step comes next
    ([(KG.topical_drug, KG.topical, KG.no_response), (KG.other_drug, KG.topical, KG.relapse)],
     KG.dermatomyositis, False),
    # failures of therapy that is not conventional do not make disease refractory, however many
    ([(KG.other_drug, None, KG.no_response), (KG.other_drug, KG.oral, KG.worsening)], KG.dermatomyositis, False),
    # the definition is about dermatomyositis (or a subtype of it)
    ([(KG.methotrexate, None, KG.no_response)], KG.psoriasis, False),
])
def test_refractory_patient_as_the_sources_define_it(tbox, courses, diagnosis, refractory):
    result = reason(_tiny(tbox, courses, diagnosis))
    assert ((KG.test_patient, RDF.type, KG.RefractoryPatient) in result.inferred) is refractory


@pytest.mark.slow  # runs HermiT (Java) on a new ontology
def test_class_level_claims_reach_members_in_the_reasoner(tbox):
    # "topical corticosteroids are conventional therapy" (a claim about the class) makes the member a
    # conventional skin therapy and its failed topical course a failed conventional course
    result = reason(_tiny(tbox, [(KG.topical_drug, KG.topical, KG.no_response)]))
    assert (KG.topical_drug, RDF.type, KG.ConventionalSkinTherapy) in result.inferred
    assert (KG.test_course_0, RDF.type, KG.FailedConventionalCourse) in result.inferred


@pytest.mark.slow  # runs HermiT (Java) on a new ontology
def test_tbox_alone_is_consistent_with_no_unsatisfiable_class(tbox):
    result = reason(tbox)
    # On the TBox alone HermiT can only classify its outcome individuals into the outcome classes.
    inferred = sorted((str(s)[len(str(KG)):], str(o)[len(str(KG)):])
                      for s, _, o in result.inferred.triples((None, RDF.type, None)) if o != OWL.Axiom)
    assert inferred == [("complete_response", "FavourableOutcome"), ("minimal_response", "NonResponseOutcome"),
                        ("no_response", "NonResponseOutcome"), ("partial_response", "PartialOutcome"),
                        ("relapse", "NonResponseOutcome"), ("remission", "FavourableOutcome"),
                        ("response", "FavourableOutcome"), ("worsening", "NonResponseOutcome")]
    assert result.inferred_types == 8


@pytest.mark.slow  # runs HermiT (Java) on a new ontology
def test_contradiction_is_reported_not_ignored(tbox):
    g = Graph()
    g += tbox
    g.add((KG.oddity, RDF.type, OWL.NamedIndividual))
    g.add((KG.oddity, RDF.type, KG.Drug))
    g.add((KG.oddity, RDF.type, KG.Procedure))  # Drug and Procedure are disjoint
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(g)


@pytest.mark.slow  # runs HermiT (Java) on a new ontology
def test_two_outcomes_on_one_course_is_a_contradiction(tbox):
    g = _tiny(tbox, [(KG.other_drug, None, KG.no_response)])
    g.add((KG.test_course_0, KG.hasOutcome, KG.remission))  # hasOutcome is functional; outcomes are distinct
    with pytest.raises(ReasonerError):
        reason(g)


def test_build_report_counts_the_inferred_memberships(built, memory_graph):
    marked = list(memory_graph.subjects(KG.inferredBy, KG.hermit))
    assert built.report["inferred_types"] == len(marked) == sum(built.report["inferred_per_class"].values())
