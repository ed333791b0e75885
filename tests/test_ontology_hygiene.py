"""OWL hygiene: the TBox and the RDF/XML export load cleanly in owlready2 and py-horned-owl; every term is described."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.compile import load_tbox
from kg.export import serialize
from kg.namespaces import DEFINITION, KG

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def tbox():
    return load_tbox(ONTOLOGY)


def _declared(graph, kind):
    return {s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def test_every_term_has_a_label_and_every_project_term_a_definition(tbox):
    terms = set().union(*(_declared(tbox, k) for k in KINDS))
    assert sorted(str(t) for t in terms if (t, RDFS.label, None) not in tbox) == []
    assert sorted(str(t) for t in terms if str(t).startswith(str(KG)) and (t, DEFINITION, None) not in tbox) == []


def test_the_built_header_is_complete(memory_graph):
    from kg.export.header import graph_metadata

    meta = graph_metadata(memory_graph)
    assert meta["license"] == "https://spdx.org/licenses/MIT" and meta["creator"] == ["dmkg contributors"]
    assert meta["created"] == "2026-11-23" and len(meta["modified"]) == 10 and meta["description"]
    assert memory_graph.value(KG.ontology, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")).value == "kg"
    defined = {s for s in memory_graph.subjects(RDF.type, OWL.Class) if (s, DEFINITION, None) in memory_graph
               and str(s).startswith(str(KG))}
    from rdflib.namespace import SKOS

    assert {s for s in defined if (s, SKOS.definition, None) not in memory_graph} == set()


@pytest.mark.parametrize("which", ["tbox", "export"])
def test_owlready2_loads_without_warnings(tbox, memory_graph, which, capfd):
    import owlready2

    data = serialize(tbox if which == "tbox" else memory_graph, "xml")
    world = owlready2.World()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        onto = world.get_ontology("https://w3id.org/dmkg/ontology").load(fileobj=io.BytesIO(data), format="rdfxml")
    out, err = capfd.readouterr()
    assert [str(w.message) for w in caught] == [] and err == ""
    assert len(list(onto.classes())) == len({c for c in _declared(tbox, OWL.Class) if str(c).startswith(str(KG))})
    world.close()


@pytest.mark.parametrize("which", ["tbox", "export"])
def test_py_horned_owl_parses_every_declared_term(tbox, memory_graph, which, capfd):
    pyhornedowl = pytest.importorskip("pyhornedowl")
    source = tbox if which == "tbox" else memory_graph
    onto = pyhornedowl.open_ontology(serialize(source, "xml").decode("utf-8"), "rdf")
    out, err = capfd.readouterr()
    assert err == ""
    assert set(onto.get_classes()) == {str(c) for c in _declared(source, OWL.Class)}
    assert set(onto.get_object_properties()) == {str(p) for p in _declared(source, OWL.ObjectProperty)}
    assert set(onto.get_data_properties()) == {str(p) for p in _declared(source, OWL.DatatypeProperty)}
    if which == "export":
        assert str(onto.get_version_iri()) == str(memory_graph.value(KG.ontology, OWL.versionIRI))
