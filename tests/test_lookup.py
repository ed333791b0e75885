"""Every name a user types - label, synonym, CURIE - finds the same entity, case-insensitively."""

from __future__ import annotations

import pytest

from kg.errors import UnknownNameError
from kg.lookup import NameIndex, label, normalise, resolve
from kg.namespaces import KG


@pytest.fixture(scope="module")
def index(graph):
    """The built graph's name index, made once (resolve(graph, ...) makes one per call)."""
    return NameIndex.of(graph)


@pytest.mark.parametrize("name, expected", [
    ("cyclosporine", "cyclosporine"), ("Ciclosporin", "cyclosporine"), ("CsA", "cyclosporine"),
    ("cyclosporin A", "cyclosporine"), ("DRUGBANK:DB00091", "cyclosporine"), ("chebi:4031", "cyclosporine"),
    ("kg:cyclosporine", "cyclosporine"), ("IVIG", "ivig"), ("intravenous immunoglobulin", "ivig"),
    ("FKBP12", "fkbp12"), ("macrophilin-12", "fkbp12"), ("IFN-γ", "ifn_gamma"), ("ifn gamma", "ifn_gamma"),
    ("IFN-α/β", "type_i_ifn"), ("type I interferon", "type_i_ifn"), ("CADM", "cadm"),
    ("clinically amyopathic dermatomyositis", "cadm"), ("TNF inhibitor", "TNFInhibitor"), ("anti-TNF", "TNFInhibitor"),
    ("calcineurin inhibitors", "CalcineurinInhibitor"), ("MMF", "mycophenolate_mofetil"), ("FK506", "tacrolimus"),
])
def test_names_resolve(index, name, expected):
    assert resolve(index, name) == KG[expected]


def test_unknown_name_suggests_close_matches(graph):
    with pytest.raises(UnknownNameError) as info:
        resolve(graph, "cyclosporene")
    assert "cyclosporine" in info.value.suggestions
    assert str(info.value).startswith("unknown entity 'cyclosporene'; did you mean")


def test_iri_forms_are_taken_as_given(graph):
    assert resolve(graph, "<https://w3id.org/dmkg/tnf>") == KG.tnf
    assert resolve(graph, "https://w3id.org/dmkg/tnf") == KG.tnf


def test_label_and_normalise(graph):
    assert label(graph, KG.ifn_gamma) == "IFN-γ"
    assert normalise("IFN-γ") == normalise("ifn gamma") == normalise("IFN-Gamma")


def test_kind_restricts_what_a_name_may_denote(graph):
    from kg.lookup import NameIndex

    index = NameIndex.of(graph)
    assert index.resolve("indication", kind="any") == KG.indication   # a property is a resource ...
    with pytest.raises(UnknownNameError) as info:
        index.resolve("indication", kind="drug")                   # ... but never a drug
    assert "names the property kg:indication, not a drug" in str(info.value)
    assert index.resolve("TNF inhibitor", kind="drug") == KG.TNFInhibitor   # a drug class is a drug here
    assert index.resolve("000-1", kind="patient") == KG.patient_000_1
    with pytest.raises(UnknownNameError) as info:
        index.resolve("000-9", kind="patient")
    assert "000-1" in info.value.suggestions and all("result" not in s for s in info.value.suggestions)


def test_a_name_shared_by_several_things_is_ambiguous_not_unknown():
    from rdflib import Graph, Literal
    from rdflib.namespace import RDFS, SKOS

    from kg.errors import AmbiguousNameError
    from kg.lookup import NameIndex

    g = Graph()
    g.add((KG.a, RDFS.label, Literal("alpha")))
    g.add((KG.b, RDFS.label, Literal("beta")))
    g.add((KG.a, SKOS.altLabel, Literal("AB")))
    g.add((KG.b, SKOS.altLabel, Literal("AB")))
    with pytest.raises(AmbiguousNameError) as info:
        NameIndex.of(g).resolve("ab")
    assert str(info.value) == "ambiguous entity 'ab': it names alpha (kg:a), beta (kg:b); give the CURIE"
    assert info.value.code == "name.ambiguous" and isinstance(info.value, UnknownNameError)


def test_an_index_describes_its_graph_when_built_and_a_new_one_sees_changes():
    from rdflib import Graph, Literal
    from rdflib.namespace import RDFS

    from kg.lookup import NameIndex

    g = Graph()
    g.add((KG.a, RDFS.label, Literal("alpha")))
    before = NameIndex.of(g)
    g.add((KG.b, RDFS.label, Literal("beta")))
    assert resolve(g, "beta") == KG.b                              # resolve() reads the graph as it is now
    with pytest.raises(UnknownNameError):
        before.resolve("beta")                                      # an index is a snapshot, never refreshed behind you
    assert NameIndex.of(g).resolve("beta") == KG.b
