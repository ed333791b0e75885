"""kg.analysis: signed paths, predictions, concordance, bridges, similarity, and their commands.

Synthetic graphs check the path arithmetic independently of the data; the
expectations on the built graph come from the sources (000-004).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from kg.analysis import clinical_evidence, explain, mechanism_profile, predict, signed_paths
from kg.analysis.bridges import bridges
from kg.analysis.concordance import concordance, dose_statement
from kg.analysis.similarity import similar
from kg.cli import cli
from kg.errors import KGError, UnknownNameError
from kg.network import project

KG_EXE = str(Path(sys.executable).with_name("kg"))
KG = Namespace("https://w3id.org/dmkg/")


# --- synthetic graphs ---------------------------------------------------------------

#: The categories the projection gives such nodes (the kind and its superclasses in the ontology).
CATEGORIES = {"Drug": ["BiomedicalEntity", "Drug", "Therapy"],
              "Cytokine": ["BiomedicalEntity", "Cytokine", "MolecularEntity", "Protein"],
              "Disease": ["BiomedicalEntity", "Condition", "Disease"]}


def _ev(weight=1.0, certainty="kg:stated"):
    return [{"weight": weight, "certainty": certainty, "citation": "kg:test", "identifier": "test:1",
             "locator": "here"}]


def _add(G, u, v, relation, sign, weight=1.0, certainty="kg:stated", family="mechanism"):
    G.add_edge(u, v, key=relation, relation=f"kg:{relation}", label=relation, sign=sign, family=family,
               evidence=_ev(weight, certainty), inherited=False, via="")


@pytest.fixture()
def toy():
    """drug ⊣ x → dis;  drug ⊘ y → dis;  drug2 ⊣ x, drug2 → z → dis;  chain c1..c5 → dis."""
    G = nx.MultiDiGraph()
    for n, kind in [("drug", "Drug"), ("drug2", "Drug"), ("x", "Cytokine"), ("y", "Cytokine"), ("z", "Cytokine"),
                    ("dis", "Disease"), ("sub", "Disease"), ("long", "Drug")]:
        G.add_node(n, label=n, kind=kind, categories=CATEGORIES[kind], classes=[], synonyms=[], xrefs=[])
    _add(G, "drug", "x", "inhibits", -1)
    _add(G, "x", "dis", "contributesTo", 1)
    _add(G, "drug", "y", "leavesUnchanged", 0)
    _add(G, "y", "dis", "contributesTo", 1)
    _add(G, "drug2", "x", "decreases", -1)
    _add(G, "drug2", "z", "increases", 1)
    _add(G, "z", "dis", "contributesTo", 1)
    _add(G, "drug", "z", "binds", None)                       # unsigned: never followed
    chain = ["long", "c1", "c2", "c3", "c4"]
    for u, v in zip(chain, chain[1:] + ["dis"]):
        _add(G, u, v, "increases", 1)
    G.add_edge("sub", "dis", key="subtypeOf", relation="kg:subtypeOf", label="subtype of", sign=None,
               family="taxonomy", evidence=[], inherited=False, via="")
    return G


def test_sign_is_the_product_of_edge_signs(toy):
    (path,) = [p for p in signed_paths(toy, "drug", "dis") if p.nodes[1] == "x"]
    assert path.nodes == ["drug", "x", "dis"] and path.sign == -1
    assert explain(toy, "drug2", "z").effect == "raises"             # not a condition: raises/lowers


def test_zero_sign_propagates_and_is_reported_as_sparing(toy):
    zero = [p for p in signed_paths(toy, "drug", "dis") if p.nodes[1] == "y"]
    assert [p.sign for p in zero] == [0]
    pred = explain(toy, "drug", "dis")
    assert pred.effect == "improves" and pred.spared == ["y"]         # the zero path is carried, not counted
    only_zero = explain(toy, "drug", "y")
    assert only_zero.effect == "spares" and only_zero.score == 0       # y is a cytokine: spared


def test_conflicting_paths(toy):
    pred = explain(toy, "drug2", "dis")
    assert sorted(p.sign for p in pred.paths) == [-1, 1]
    assert pred.effect == "conflicting"


def test_path_length_is_bounded(toy):
    assert signed_paths(toy, "long", "dis", max_length=4) == []
    (path,) = signed_paths(toy, "long", "dis", max_length=5)
    assert path.length == 5 and path.sign == 1
    assert explain(toy, "long", "dis").effect == "no evidence"
    with pytest.raises(KGError, match="max_length"):
        signed_paths(toy, "long", "dis", max_length=0)


def test_unsigned_relations_are_not_followed(toy):
    assert all("z" not in p.nodes for p in signed_paths(toy, "drug", "dis"))


def test_dwpc_weight_and_certainty(toy):
    (path,) = [p for p in signed_paths(toy, "drug", "dis") if p.nodes[1] == "x"]
    # drug: 2 signed successors (x, y); x: 2 predecessors (drug, drug2), 1 successor; dis: 4 predecessors
    # (x, y, z, c4). Evidence weights are 1, so the weight is the degree damping alone.
    assert path.weight == pytest.approx((2 * 2) ** -0.4 * (1 * 4) ** -0.4)
    H = toy.copy()
    H["x"]["dis"]["contributesTo"]["evidence"] = _ev(1.0, "kg:hypothesis")
    (hyp,) = [p for p in signed_paths(H, "drug", "dis") if p.nodes[1] == "x"]
    assert hyp.weight == pytest.approx(path.weight * 0.5)             # a hypothesis counts half


def test_direct_sparing_overrides_a_longer_inference(toy):
    _add(toy, "drug", "w", "inhibits", -1)
    _add(toy, "w", "y", "decreases", -1)                             # drug ⊣ w ⊣ y: would raise y
    paths = signed_paths(toy, "drug", "dis")
    overridden = [p for p in paths if p.overridden_by]
    assert [p.nodes for p in overridden] == [["drug", "w", "y", "dis"]]
    assert overridden[0].overridden_by["relation"] == "kg:leavesUnchanged"
    assert explain(toy, "drug", "dis").effect == "improves"          # the overridden +1 path does not count


def test_claims_about_a_disease_answer_for_its_subtype(toy):
    pred = explain(toy, "drug", "sub")
    assert pred.effect == "improves"
    assert {p.scope for p in pred.paths} == {"broader"} and {p.reaches for p in pred.paths} == {"dis"}


def test_signs_come_from_the_ontology_not_the_code():
    """A tiny RDF graph: flipping kg:sign on the property flips the prediction."""
    def tiny(sign):
        g = Graph()
        for prop, parent, s in ((KG.lowers, KG.mechanismRelation, sign), (KG.contributesTo, KG.mechanismRelation, 1)):
            g.add((prop, RDF.type, OWL.ObjectProperty))
            g.add((prop, RDFS.subPropertyOf, parent))
            g.add((prop, KG.sign, Literal(s)))
        g.add((KG.mechanismRelation, RDF.type, OWL.ObjectProperty))
        g.add((KG.mechanismRelation, KG.relationFamily, Literal("mechanism")))   # families come from the ontology too
        for n in ("d", "c", "dis"):
            g.add((KG[n], RDFS.label, Literal(n)))
        g.add((KG.d, KG.lowers, KG.c))
        g.add((KG.c, KG.contributesTo, KG.dis))
        return project(g)

    assert explain(tiny(-1), "kg:d", "kg:dis").paths[0].sign == -1
    assert explain(tiny(1), "kg:d", "kg:dis").paths[0].sign == 1


# --- the built graph ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def G(graph):
    return project(graph)


@pytest.fixture(scope="module")
def evidence(graph):
    return clinical_evidence(graph)


def _texts(pred):
    return [p.text(pred.labels) for p in pred.counted_paths]


def test_tnf_inhibitor_predicted_to_worsen_dm_via_type_i_ifn(G):
    pred = explain(G, "TNF inhibitor", "dermatomyositis")
    assert pred.effect == "worsens" and pred.score > 0
    assert "TNF inhibitor ⊣ TNF-α ⊣ type I interferon → dermatomyositis" in _texts(pred)
    assert "TNF inhibitor → type I interferon → dermatomyositis" in _texts(pred)
    assert pred.reported_effect == "worsens"                          # reported separately (source 000)
    # every step carries its publication
    assert all(step["evidence"] and step["evidence"][0]["citation"] for p in pred.paths for step in p.edges)
    tnf_ifn = next(p for p in pred.paths if "kg:tnf" in p.nodes).edges[1]
    assert tnf_ifn["evidence"][0]["identifier"] == "dmkg-src-000"
    assert tnf_ifn["evidence"][0]["certainty"] == "kg:hypothesis"


@pytest.mark.parametrize("drug", ["infliximab", "etanercept"])
def test_tnf_inhibitor_members_worsen_dm_through_their_class(G, drug):
    pred = explain(G, drug, "DM")
    assert pred.effect == "worsens" and pred.inherited and "kg:TNFInhibitor" in pred.via
    inherited = [p for p in pred.counted_paths if p.inherited]
    assert inherited and all(p.via == ["kg:TNFInhibitor"] for p in inherited)
    assert [r["via"] for r in pred.reported if r["relation"] == "kg:worsens"] == ["kg:TNFInhibitor"]


def test_cyclosporine_improves_dm_via_ifn_gamma_and_spares_type_i_ifn(G):
    pred = explain(G, "ciclosporin", "dermatomyositis")
    assert pred.effect == "improves" and pred.score < 0
    assert _texts(pred)[0] == "cyclosporine ⊣ IFN-γ → dermatomyositis"
    zero = [p for p in pred.paths if p.sign == 0]
    assert [p.nodes for p in zero] == [["kg:cyclosporine", "kg:type_i_ifn", "kg:dermatomyositis"]]
    assert zero[0].edges[0]["relation"] == "kg:leavesUnchanged"
    assert pred.spared == ["kg:type_i_ifn"]
    assert not any(p.inherited for p in pred.counted_paths)
    # issue 14: cyclosporine is an immunosuppressant (DrugBank 4.2), so the class's unsigned clinical statements
    # reach it - needed once conventional skin therapy fails (004, 003), often ineffective in CADM (000)
    assert {(r["relation"], r["target"], r["via"]) for r in pred.reported if r.get("inherited")} == {
        ("kg:neededIn", "kg:cutaneous_dermatomyositis", "kg:Immunosuppressant"),
        ("kg:oftenIneffectiveIn", "kg:cadm", "kg:Immunosuppressant")}


def test_cyclosporine_spares_type_i_ifn_over_the_longer_tnf_route(G):
    """At 5 steps, calcineurin → NF-AT → TNF-α ⊣ IFN-α/β would predict a rise; source 000 says unchanged."""
    pred = explain(G, "cyclosporine", "DM", max_length=5)
    (overridden,) = [p for p in pred.paths if p.overridden_by]
    assert overridden.sign == 1 and "kg:tnf" in overridden.nodes
    assert pred.effect == "improves"
    assert explain(G, "cyclosporine", "type I interferon").effect == "spares"


def test_cadm_inherits_claims_about_dm(G):
    pred = explain(G, "cyclosporine", "CADM")
    assert pred.effect == "improves" and {p.scope for p in pred.paths} == {"broader"}
    # issue 14: the suggestion of source 000 is for CADM with psoriasis, not CADM alone; what reaches CADM itself
    # is the class statement that immunosuppressants often fail in it (unsigned: it does not change the answer)
    assert [(r["relation"], r["via"]) for r in pred.reported if r["scope"] == "target"] == [
        ("kg:oftenIneffectiveIn", "kg:Immunosuppressant")]
    assert "kg:suggestedFor" not in {r["relation"] for r in pred.reported}


def test_corticosteroids_help_dm_as_reported_but_risk_pustular_psoriasis(G):
    dm = explain(G, "systemic corticosteroids", "dermatomyositis")
    assert dm.effect == "no evidence" and not dm.paths             # no mechanism path in the graph
    assert dm.reported_effect == "improves"
    assert "kg:firstLineTreatmentFor" in {r["relation"] for r in dm.reported}
    pso = explain(G, "systemic corticosteroid", "psoriasis")
    assert pso.reported_effect == "worsens"
    trigger = next(r for r in pso.reported if r["relation"] == "kg:withdrawalMayTrigger")
    assert trigger["target"] == "kg:pustular_psoriasis" and trigger["scope"] == "narrower"
    assert trigger["evidence"][0]["certainty"] == "kg:unestablished"
    assert "kg:avoidedIn" in {r["relation"] for r in pso.reported}
    # prednisolone inherits both from its class
    pred = explain(G, "prednisolone", "psoriasis")
    assert pred.reported_effect == "worsens" and pred.via == ["kg:SystemicCorticosteroid"]


def test_cyclosporine_is_the_top_candidate_for_cadm_with_psoriasis(G, evidence):
    ranked = predict(G, "CADM", "psoriasis", evidence=evidence)
    assert ranked[0].drug == "kg:cyclosporine"
    top = ranked[0]
    assert top.per_disease["kg:cadm"].prediction.effect == "improves"
    assert top.per_disease["kg:psoriasis"].prediction.effect == "improves"
    assert top.per_disease["kg:psoriasis"].counts()["favourable_courses"] == 1       # patient 000-1
    assert all(c.kind == "Drug" for c in ranked)                 # drug classes only when asked for
    # TNF inhibitors help psoriasis but worsen DM: they rank below every drug without harm.
    with_classes = predict(G, "CADM", "psoriasis", evidence=evidence, kinds=("Drug", "DrugClass"))
    tnf = next(c for c in with_classes if c.drug == "kg:TNFInhibitor")
    assert tnf.per_disease["kg:cadm"].total < 0 < tnf.per_disease["kg:psoriasis"].total
    assert tnf.score < 0
    members = [c for c in ranked if c.drug in ("kg:infliximab", "kg:etanercept")]
    assert len(members) == 2 and all(c.score < 0 for c in members)


def test_predict_for_dm_ranks_tnf_inhibitors_last_and_scores_are_bounded(G, evidence):
    ranked = predict(G, "dermatomyositis", evidence=evidence)
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert ranked[0].drug in {"kg:ivig", "kg:cyclosporine"}
    worst = [c.drug for c in ranked if c.score < 0]
    assert {"kg:infliximab", "kg:etanercept"} <= set(worst)
    for c in ranked:
        e = c.per_disease["kg:dermatomyositis"]
        assert all(-1 <= x <= 1 for x in (e.mechanism, e.reported, e.cases, e.literature))


def test_concordance_flags_the_cyclosporine_dose_difference(G, evidence):
    result = concordance(G, evidence)
    rows = {r.course.id: r for r in result.rows}
    low, high = rows["kg:course_002_1_1_cyclosporine"], rows["kg:course_000_1_11_cyclosporine"]
    assert (low.expected, low.basis, low.status) == ("improves", "mechanism", "disagree")
    assert (high.expected, high.status) == ("improves", "agree")
    (contrast,) = [c for c in result.contrasts if c.therapy == "kg:cyclosporine"]
    fields = [d.field for d in contrast.differences]
    assert fields[0] == "dose" and {"duration", "co-medication"} <= set(fields)
    dose = contrast.differences[0]
    assert (dose.failed, dose.succeeded) == ("50 mg/d", "3 mg/kg/d → 5 mg/kg/d")
    statements = " | ".join(dose.statements)
    assert "50 mg/d is below the usual starting dose 2.5 mg/kg/d for any patient heavier than 20 kg" in statements
    assert "5 mg/kg/d is 2× the usual starting dose 2.5 mg/kg/d" in statements
    co = next(d for d in contrast.differences if d.field == "co-medication")
    assert co.failed == "hydroxychloroquine, methotrexate, prednisolone" and co.succeeded == "none"
    duration = next(d for d in contrast.differences if d.field == "duration")
    assert duration.statements and "2 mo" in duration.statements[0]
    assert any("20 kg" in n for n in low.notes)


def test_concordance_for_one_patient(G, evidence):
    result = concordance(G, evidence, patient="002-1")
    assert {r.course.patient for r in result.rows} == {"kg:patient_002_1"}
    assert len(result.rows) == 5
    pime = next(r for r in result.rows if r.course.therapy == "kg:pimecrolimus")
    assert pime.status == "agree"
    with pytest.raises(UnknownNameError):
        concordance(G, evidence, patient="009-9")


@pytest.mark.parametrize("value,unit,ref,ref_unit,expected", [
    (50, "mg/d", 2.5, "mg/kg/d", "below the usual dose 2.5 mg/kg/d for any patient heavier than 20 kg"),
    (5, "mg/kg/d", 2.5, "mg/kg/d", "2× the usual dose"),
    (70, "mg/wk", 10, "mg/d", "70 mg/wk equals the usual dose 10 mg/d"),
    (2.5, "mg/kg/d", 100, "mg/d", "above the usual dose 100 mg/d for any patient heavier than 40 kg"),
])
def test_dose_statements_are_computed(value, unit, ref, ref_unit, expected):
    assert expected in dose_statement(value, unit, ref, ref_unit, "the usual dose")


def test_dose_statement_declines_incomparable_units():
    assert dose_statement(1, "%", 2.5, "mg/kg/d", "x") is None
    assert dose_statement(2, "g/kg", 2.5, "mg/kg/d", "x") is None


def test_bridges_rank_shared_cytokines_first(G):
    """Source 000: TNF-alpha cross-regulates IFN-alpha/beta (DM) and TNF inhibitors help psoriasis;
    cyclosporine lowers IL-2 and IFN-gamma. The connecting cytokines lead, TNF-alpha with opposing roles."""
    report = bridges(G, "dermatomyositis", "psoriasis")
    kinds = [b.kind for b in report.bridges]
    labels = [b.label for b in report.bridges]
    assert report.n_paths > 0
    assert labels[0] == "TNF-α"
    assert (report.bridges[0].effect_a, report.bridges[0].effect_b) == ("lowers", "raises")   # opposing roles
    assert kinds[:4] == ["Cytokine"] * 4 and set(labels[:4]) == {"TNF-α", "IFN-γ", "type I interferon", "IL-2"}
    assert {"T cell", "helper T cell", "cyclosporine"} <= set(labels)
    assert [b.share for b in report.bridges] == sorted((b.share for b in report.bridges), reverse=True)
    cyclo = next(b for b in report.bridges if b.label == "cyclosporine")
    assert (cyclo.effect_a, cyclo.effect_b) == ("improves", "improves") and cyclo.acts_on_both
    shared = {s.node: s for s in report.shared_therapies}
    assert {"kg:cyclosporine", "kg:TNFInhibitor", "kg:SystemicCorticosteroid"} <= set(shared)
    assert (shared["kg:TNFInhibitor"].reported_a, shared["kg:TNFInhibitor"].reported_b) == ("worsens", "improves")


def test_similar_to_cyclosporine_puts_calcineurin_inhibitors_first(G):
    ranked = similar(G, "cyclosporine")
    assert [s.other for s in ranked[:2]] == ["kg:tacrolimus", "kg:pimecrolimus"]
    assert ("kg:il2", -1) in ranked[0].same and ("kg:calcineurin", -1) in ranked[0].same
    tnfi = next(s for s in ranked if s.other == "kg:infliximab")
    assert ("kg:dermatomyositis", -1, 1) in tnfi.opposite and tnfi.inherited


def test_mechanism_profile_includes_derived_and_inherited_effects(G):
    cyclo = mechanism_profile(G, "cyclosporine")
    assert cyclo.sign("kg:il2") == -1 and cyclo.sign("kg:tnf") == -1        # NF-AT route (source 002)
    assert cyclo.sign("kg:type_i_ifn") == 0                                 # spared (source 000)
    infl = mechanism_profile(G, "infliximab")
    assert infl.sign("kg:type_i_ifn") == 1 and any(p.inherited for p in infl.paths["kg:type_i_ifn"])



# --- command line ----------------------------------------------------------------------------

def _invoke(*args):
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_cli_explain_json_and_table(built):
    data = json.loads(_invoke("explain", "TNF inhibitor", "dermatomyositis", "--format", "json"))
    assert data["effect"] == "worsens" and data["drug"] == "kg:TNFInhibitor"
    assert any(p["text"] == "TNF inhibitor ⊣ TNF-α ⊣ type I interferon → dermatomyositis" for p in data["paths"])
    out = _invoke("explain", "CsA", "DM", "--max-length", "3")
    assert "cyclosporine decreases IFN-γ, which contributes to dermatomyositis" in out
    assert "improves — via mechanism, 2 steps through IFN-γ; rests on a hypothesis" in out
    assert "publication not identified (local id dmkg-src-000)" in out
    assert "leaves type I interferon unchanged" in out
    assert "⊣" not in out and "⊘" not in out                        # words, not symbols


def test_cli_predict(built):
    data = json.loads(_invoke("predict", "CADM", "--and", "psoriasis", "--top", "3", "--format", "json"))
    assert data["candidates"][0]["drug"] == "kg:cyclosporine"            # JSON holds the whole ranking
    assert [c["rank"] for c in data["candidates"]] == list(range(1, len(data["candidates"]) + 1))
    out = _invoke("predict", "dermatomyositis", "--top", "5")
    assert "intravenous immunoglobulin" in out and "cyclosporine" in out


def test_cli_concordance(built):
    data = json.loads(_invoke("concordance", "--format", "json"))
    assert data["summary"]["disagree"] >= 1 and data["contrasts"][0]["therapy"] == "kg:cyclosporine"
    out = _invoke("concordance", "--patient", "002-1")
    assert "cyclosporine" in out and "20 kg" in out and "pimecrolimus" in out


def test_cli_bridges(built):
    data = json.loads(_invoke("bridges", "dermatomyositis", "psoriasis", "--format", "json"))
    assert data["bridges"][0]["kind"] == "Cytokine"
    out = _invoke("bridges", "DM", "psoriasis", "--top", "5")
    assert "IL-2" in out and "IFN-γ" in out and "TNF inhibitor" in out


def test_cli_similar(built):
    data = json.loads(_invoke("similar", "cyclosporine", "--format", "json"))
    assert [s["other"] for s in data["similar"][:2]] == ["kg:tacrolimus", "kg:pimecrolimus"]
    out = _invoke("similar", "ciclosporin", "--top", "3")
    assert "tacrolimus" in out and "pimecrolimus" in out


def test_cli_unknown_drug_fails_with_one_line_and_suggestions(built):
    result = subprocess.run([KG_EXE, "similar", "cyclosporinne"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "unknown drug 'cyclosporinne'; did you mean 'cyclosporine'" in result.stderr
    assert result.stdout == ""


def test_an_edge_edited_in_place_changes_the_next_answer(toy):
    """No cache keyed on node/edge counts: the projection is read anew on each call."""
    from kg.analysis import Mechanisms

    assert explain(toy, "drug2", "dis").effect == "conflicting"
    snapshot = Mechanisms(toy)
    toy["drug2"]["z"]["increases"]["sign"] = -1                   # same counts, new sign
    assert explain(toy, "drug2", "dis").effect == "improves"
    assert explain(snapshot, "drug2", "dis").effect == "conflicting"   # an explicit snapshot stays as built
    assert explain(Mechanisms(toy), "drug2", "dis").effect == "improves"


def test_load_graph_hands_each_caller_its_own_graph(built):
    from rdflib import Literal
    from rdflib.namespace import RDFS

    from kg.store import load_graph

    first, second = load_graph(), load_graph()
    assert first is not second
    first.add((KG.cyclosporine, RDFS.label, Literal("edited by one caller")))
    assert (KG.cyclosporine, RDFS.label, Literal("edited by one caller")) not in second
    assert (KG.cyclosporine, RDFS.label, Literal("edited by one caller")) not in load_graph()
