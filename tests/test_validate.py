"""SHACL shapes catch uncited assertions and incomplete case records."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kg.project import Project
from kg.namespaces import KG
from kg.validate import validate

SHAPES = Project.discover().ontology / "shapes.ttl"


@pytest.fixture()
def copy(memory_graph) -> Graph:
    g = Graph()
    g += memory_graph
    return g


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
    assert messages == {"a treatment course has exactly one outcome", "a treatment course belongs to exactly one patient"}


def test_drug_without_label_is_a_violation(copy):
    copy.remove((KG.dapsone, None, None))
    copy.add((KG.dapsone, RDF.type, KG.Drug))
    violations = validate(copy, SHAPES).violations
    assert any(v.focus.startswith("kg:dapsone") and "label" in v.message for v in violations)
