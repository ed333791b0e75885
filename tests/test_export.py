"""Exports round-trip: Turtle re-parses isomorphic to the built graph; RDF/XML loads in owlready2."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.errors import KGError
from kg.export import export
from kg.namespaces import KG


@pytest.mark.slow
@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_rdf_exports_reparse_isomorphic(memory_graph, tmp_path, fmt, parser):
    out = export(memory_graph, fmt, tmp_path / f"kg.{fmt}")
    again = Graph().parse(out, format=parser)
    assert len(again) == len(memory_graph)
    assert isomorphic(again, memory_graph)


@pytest.mark.slow
def test_rdf_xml_loads_in_owlready2_with_inferred_types(memory_graph, tmp_path):
    import owlready2

    out = export(memory_graph, "xml", tmp_path / "kg.owl")
    world = owlready2.World()
    onto = world.get_ontology(out.as_uri()).load(only_local=True)
    cyclosporine = world[str(KG.cyclosporine)]
    assert cyclosporine is not None
    assert {c.name for c in cyclosporine.is_a} >= {"Drug", "CalcineurinInhibitor", "TypeIInterferonSparingDrug"}
    assert len(list(onto.individuals())) > 700
    world.close()


def test_unknown_format_is_a_user_error(memory_graph, tmp_path):
    with pytest.raises(KGError, match="unknown export format 'csv'"):
        export(memory_graph, "csv", tmp_path / "x.csv")
