"""kg.network: the projection's contract, class definitions, subtypes, names and exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.errors import KGError, UnknownNameError
from kg.export import export_projection
from kg.network import broader, members, narrower, node_id, project, with_subsumption


@pytest.fixture(scope="module")
def G(graph):
    return project(graph)


def _edges(G, u, v):
    return list(G.get_edge_data(u, v, default={}).items())


def test_node_and_edge_attributes_follow_the_contract(G):
    for _, data in G.nodes(data=True):
        assert {"label", "kind", "classes", "definition", "xrefs", "curie"} <= set(data)
    for _, _, data in G.edges(data=True):
        assert {"relation", "label", "sign", "family", "evidence", "inherited", "via"} <= set(data)
    assert G.nodes["kg:cyclosporine"]["kind"] == "Drug"
    assert G.nodes["kg:TNFInhibitor"]["kind"] == "DrugClass"
    assert G.nodes["kg:ifn_gamma"]["kind"] == "Cytokine"


def test_sign_is_read_from_the_ontology(G):
    signs = {d["relation"]: d["sign"] for _, _, d in G.out_edges("kg:cyclosporine", data=True)}
    assert signs["kg:leavesUnchanged"] == 0        # spares type I IFN (source 000)
    assert signs["kg:decreases"] == -1
    assert signs["kg:approvedFor"] == -1           # sub-property of kg:treats
    assert signs["kg:notFirstLineFor"] is None


def test_topical_calcineurin_inhibitor_is_a_drug_class_with_members(G):
    # A subclass of a *defined* drug class is a drug class too.
    assert G.nodes["kg:TopicalCalcineurinInhibitor"]["kind"] == "DrugClass"
    assert members(G, "kg:TopicalCalcineurinInhibitor") == {"kg:pimecrolimus", "kg:tacrolimus"}
    assert members(G, "kg:CalcineurinInhibitor") == {"kg:cyclosporine", "kg:pimecrolimus", "kg:tacrolimus"}
    assert "kg:TopicalCalcineurinInhibitor" in G.nodes["kg:pimecrolimus"]["classes"]


def test_defined_class_states_its_defining_relation(G):
    (key, data), = [(k, d) for k, d in _edges(G, "kg:TNFInhibitor", "kg:tnf")]
    assert data["relation"] == "kg:inhibits" and data["sign"] == -1 and data["definitional"]
    assert data["evidence"][0]["locator"] == "definition of TNF inhibitor (owl:equivalentClass)"
    assert data["evidence"][0]["evidence_type"] == "kg:curator_inference"
    # Members that state the relation themselves do not get a copy of it.
    assert [d["inherited"] for _, d in _edges(G, "kg:infliximab", "kg:tnf")] == [False]


def test_class_claims_reach_members_marked_inherited(G):
    worsens = [d for _, d in _edges(G, "kg:etanercept", "kg:dermatomyositis") if d["relation"] == "kg:worsens"]
    assert len(worsens) == 1 and worsens[0]["inherited"] and worsens[0]["via"] == "kg:TNFInhibitor"


def test_broader_and_narrower_follow_subtype_and_family_links(G):
    assert broader(G, "kg:cadm") == {"kg:dermatomyositis", "kg:idiopathic_inflammatory_myopathy"}
    assert {"kg:cadm", "kg:classic_dermatomyositis", "kg:amyopathic_dermatomyositis"} <= narrower(
        G, "kg:dermatomyositis")
    assert broader(G, "kg:ifn_alpha") == {"kg:type_i_ifn"}
    assert narrower(G, "kg:psoriasis") == {"kg:pustular_psoriasis", "kg:inverse_psoriasis"}


def test_with_subsumption_copies_general_claims_to_special_cases(G):
    H = with_subsumption(G)
    assert H is not G and with_subsumption(H) is H
    copied = _edges(H, "kg:helper_t_cell", "kg:psoriasis")
    assert [(d["relation"], d["inherited"], d["via"]) for _, d in copied] == [("kg:contributesTo", True, "kg:t_cell")]
    sub = _edges(H, "kg:TopicalCalcineurinInhibitor", "kg:calcineurin")
    assert [(d["relation"], d["via"]) for _, d in sub] == [("kg:inhibits", "kg:CalcineurinInhibitor")]
    # The projection itself is left as it was.
    assert not _edges(G, "kg:helper_t_cell", "kg:psoriasis")


@pytest.mark.parametrize("name", ["ciclosporin", "CsA", "Cyclosporine", "kg:cyclosporine", "cyclosporine"])
def test_node_id_accepts_labels_synonyms_and_curies(G, name):
    assert node_id(G, name) == "kg:cyclosporine"


def test_node_id_unknown_name_suggests_close_matches(G):
    with pytest.raises(UnknownNameError) as err:
        node_id(G, "cyclosporin A+", "drug")
    assert "cyclosporine" in str(err.value)
    assert isinstance(err.value, KGError)


def test_export_graphml_round_trips_with_json_attributes(graph, tmp_path):
    out = export_projection(graph, "graphml", tmp_path / "kg.graphml")
    H = nx.read_graphml(out, force_multigraph=True)
    G = project(graph)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
    data = H.get_edge_data("kg:cyclosporine", "kg:type_i_ifn")
    (edge,) = data.values()
    assert edge["sign"] == 0 and edge["relation"] == "kg:leavesUnchanged"
    assert json.loads(edge["evidence"])[0]["identifier"] == "dmkg-src-000"
    assert json.loads(H.nodes["kg:cyclosporine"]["synonyms"])
    assert [p.name for p in tmp_path.iterdir()] == ["kg.graphml"]   # written atomically, no leftovers


def test_export_rejects_unknown_projection_format(graph, tmp_path):
    with pytest.raises(KGError):
        export_projection(graph, "gexf", tmp_path / "x")

