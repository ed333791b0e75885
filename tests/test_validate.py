"""SHACL shapes catch uncited assertions and incomplete case records."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import KG
from kg.project import Project
from kg.validate import validate

SHAPES = Project.discover().ontology / "shapes.ttl"


@pytest.fixture(scope="module")
def tbox() -> Graph:
    from kg.compile import load_tbox

    return load_tbox(Project.discover().ontology)


def part(memory_graph: Graph, tbox: Graph, *subjects) -> Graph:
    """The TBox plus what the built graph says about ``subjects`` and the axioms about them.

    Validating a part is 10x faster than the whole graph and sees the same shapes.
    """
    g = Graph()
    for subject in subjects:
        g += memory_graph.triples((subject, None, None))
        for axiom in memory_graph.subjects(OWL.annotatedSource, subject):
            g += memory_graph.triples((axiom, None, None))
    from kg.namespaces import DEFINITION

    for obj in set(g.objects()):                      # what they point at keeps its types, label and definition
        for prop in (RDF.type, RDFS.label, DEFINITION):
            g += memory_graph.triples((obj, prop, None))
    for pub in set(g.objects(None, KG.citation)):      # and the publications cited, whole
        g += memory_graph.triples((pub, None, None))
    g += tbox
    return g


@pytest.fixture()
def copy(memory_graph, tbox) -> Graph:
    course = KG["course_000_1_3_methotrexate"]
    g = part(memory_graph, tbox, KG.cyclosporine, KG.dapsone, course)
    g.add((KG.patient_000_1, KG.hasTreatmentCourse, course))     # the course's one patient
    g += memory_graph.triples((KG.patient_000_1, RDF.type, None))
    return g


def test_the_part_conforms(copy):
    """The chosen records conform before each test breaks one (the part's edges may not: they are cut)."""
    chosen = ("kg:cyclosporine", "kg:dapsone", "kg:course_000_1_3_methotrexate")
    assert [v for v in validate(copy, SHAPES).violations if v.focus.startswith(chosen)] == []


@pytest.mark.slow
def test_built_graph_conforms(memory_graph):
    report = validate(memory_graph, SHAPES)
    assert report.conforms and report.violations == []


def test_uncited_mechanism_assertion_is_a_violation(copy):
    copy.add((KG.tacrolimus, KG.leavesUnchanged, KG.type_i_ifn))  # no axiom, no citation
    report = validate(copy, SHAPES)
    assert not report.conforms
    assert any("uncited assertion" in v.message and "tacrolimus" in v.message for v in report.violations)


def test_axiom_without_locator_is_a_violation(copy):
    axiom = next(a for a in copy.subjects(OWL.annotatedSource, KG.cyclosporine)
                 if copy.value(a, OWL.annotatedTarget) == KG.type_i_ifn)
    copy.remove((axiom, KG.locator, None))
    report = validate(copy, SHAPES)
    assert any("citation, one evidence type and a locator" in v.message for v in report.violations)


def test_course_without_outcome_or_patient_is_a_violation(copy):
    course = KG["course_000_1_3_methotrexate"]
    copy.remove((course, KG.hasOutcome, None))
    copy.remove((None, KG.hasTreatmentCourse, course))
    messages = {v.message for v in validate(copy, SHAPES).violations if "course_000_1_3" in v.focus}
    assert messages == {"a treatment course has exactly one outcome",
                        "a treatment course belongs to exactly one patient"}


def test_drug_without_label_is_a_violation(copy):
    copy.remove((KG.dapsone, None, None))
    copy.add((KG.dapsone, RDF.type, KG.Drug))
    violations = validate(copy, SHAPES).violations
    assert any(v.focus.startswith("kg:dapsone") and "label" in v.message for v in violations)
