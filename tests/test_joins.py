"""Imported graphs meet the curated one by identifier (issue 13, item 3), and `kg lookup` shows where.

Two small fixtures written for these tests: a Turtle file that names its nodes with
identifiers.org and bioregistry.io IRIs (as many RDF dumps do), and a KGX pair in
Hetionet's style (``Compound::DB00091``, ``Gene::3458``) that kg import keeps under
fallback IRIs. Both must join the named curated entities, and only those.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.entity import look_up
from kg.graph_import import import_graph, remove_import
from kg.project import Project
from kg.store import IMPORT_BASE, open_store

EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
KG = "https://w3id.org/dmkg/"

TURTLE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/vocab/> .
<https://identifiers.org/ncbigene:3458> rdfs:label "IFNG gene" ; ex:associatedWith <https://bioregistry.io/mondo:0016367> .
<https://bioregistry.io/mondo:0016367> rdfs:label "DM" .
<https://identifiers.org/DRUGBANK:DB00864> ex:downregulates <https://identifiers.org/ncbigene:3458> .
<http://example.org/node/42> rdfs:label "Tacrolimus" ; ex:similarTo <http://example.org/node/43> .
<http://example.org/node/43> rdfs:label "an unrelated compound" .
"""
# Curated identifiers (data/identifiers.tsv): ifn_gamma NCBIGene:3458, dermatomyositis MONDO:0016367,
# tacrolimus DRUGBANK:DB00864. Node 42 shares only a label (tacrolimus) with the curated graph.

HET_NODES = ("id\tcategory\tname\n"
             "Compound::DB00091\tbiolink:SmallMolecule\tCyclosporine\n"
             "Gene::3458\tbiolink:Gene\tIFNG\n"
             "Gene::99999999\tbiolink:Gene\tnot curated\n")
HET_EDGES = ("subject\tpredicate\tobject\n"
             "Compound::DB00091\tbiolink:affects\tGene::3458\n"
             "Compound::DB00091\tbiolink:affects\tGene::99999999\n")


@pytest.fixture
def project(built, tmp_path) -> Project:
    return Project(root=Project.discover().root, store_override=tmp_path / "store")


def links(project: Project, name: str) -> set[tuple[str, str]]:
    query = f"SELECT ?e ?n WHERE {{ GRAPH <{IMPORT_BASE}{name}> {{ ?e <{EXACT}> ?n }} }}"
    with open_store(project) as snapshot:
        return {(row[0].value[len(KG):], row[1].value) for row in snapshot.query(query)}


def test_rdf_nodes_named_by_identifiers_org_and_bioregistry_join_by_identifier(project, tmp_path):
    path = tmp_path / "other.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    info = import_graph(path, project).info
    assert info.joins == {"DRUGBANK": 1, "MONDO": 1, "NCBIGene": 1}
    # the curated graph itself states kg:ifn_gamma skos:exactMatch <https://identifiers.org/ncbigene:3458>
    assert links(project, "other") == {
        ("dermatomyositis", "https://bioregistry.io/mondo:0016367"),
        ("tacrolimus", "https://identifiers.org/DRUGBANK:DB00864")}
    assert info.triples == 7 + 2  # the file's 7 triples and the 2 computed links
    assert (info.candidate_count, info.candidates) == (1, ({"node": "http://example.org/node/42",
                                                           "label": "Tacrolimus", "entity": "kg:tacrolimus"},))
    # a question across both graphs: which imported genes does a curated calcineurin inhibitor act on?
    query = f"""SELECT ?drug ?gene WHERE {{ ?drug a <{KG}CalcineurinInhibitor> ; <{EXACT}> ?node .
        ?node <http://example.org/vocab/downregulates> ?g . ?gene <{EXACT}> ?g }}"""  # over the union
    with open_store(project) as snapshot:
        assert [(r[0].value, r[1].value) for r in snapshot.query(query)] == [(KG + "tacrolimus", KG + "ifn_gamma")]


def test_hetionet_style_kgx_ids_join_and_removing_the_import_removes_its_links(project, tmp_path):
    folder = tmp_path / "het"
    folder.mkdir()
    (folder / "het_nodes.tsv").write_text(HET_NODES, encoding="utf-8")
    (folder / "het_edges.tsv").write_text(HET_EDGES, encoding="utf-8")
    info = import_graph(folder, project, name="het").info
    assert info.joins == {"DRUGBANK": 1, "NCBIGene": 1}
    base = f"{IMPORT_BASE}het/"
    assert links(project, "het") == {("cyclosporine", base + "Compound/:DB00091"), ("ifn_gamma", base + "Gene/:3458")}
    with open_store(project) as snapshot:
        record = look_up(snapshot, "Compound::DB00091")
    assert (record.curie, [(m.graph, m.edges) for m in record.mentions][1:]) == ("kg:cyclosporine", [("het", 2)])
    remove_import("het", project)
    with open_store(project) as snapshot:
        assert bool(snapshot.query(f"ASK {{ ?e <{EXACT}> <{base}Compound/:DB00091> }}")) is False
        assert [m.graph for m in look_up(snapshot, "cyclosporine").mentions] == ["curated"]


# Nodes that appear only as objects, under an OBO PURL and a provider's URL over http, and an
# identifier used only as a type (a class, not a node): the first two join, the third does not.
OBJECTS_ONLY = """@prefix ex: <http://example.org/vocab/> .
<http://example.org/trial/1> ex:studies <http://purl.obolibrary.org/obo/MONDO_0016367> ;
    ex:uses <http://go.drugbank.com/drugs/DB00091> .
<http://example.org/trial/2> a <https://identifiers.org/ncbigene:3458> .
"""


def test_rdf_nodes_named_only_as_objects_join_and_a_type_does_not(project, tmp_path):
    path = tmp_path / "trials.ttl"
    path.write_text(OBJECTS_ONLY, encoding="utf-8")
    info = import_graph(path, project).info
    assert info.joins == {"DRUGBANK": 1, "MONDO": 1}
    # the curated graph states dermatomyositis skos:exactMatch the OBO PURL already: one link is written
    assert links(project, "trials") == {("cyclosporine", "http://go.drugbank.com/drugs/DB00091")}
    assert info.unsigned == {"http://example.org/vocab/studies": 1, "http://example.org/vocab/uses": 1}


def test_kgx_identifiers_named_only_by_edges_join(project, tmp_path):
    folder = tmp_path / "edgesonly"
    folder.mkdir()
    (folder / "e_edges.tsv").write_text("subject\tpredicate\tobject\n"
                                        "EX:1\tbiolink:treats\tmondo:0016367\n", encoding="utf-8")
    info = import_graph(folder, project, name="edgesonly").info
    assert info.joins == {"MONDO": 1}
    assert (info.signed, info.unsigned) == ({}, {"biolink:treats": 1})


REIFIED = """@prefix b: <https://w3id.org/biolink/vocab/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix ex: <http://example.org/> .
ex:d1 b:affects ex:g1 . ex:d1 b:affects ex:g2 . ex:d1 b:affects ex:g3 .
ex:e1 a rdf:Statement ; rdf:subject ex:d1 ; rdf:predicate b:affects ; rdf:object ex:g1 ;
    b:object_direction_qualifier "decreased" ; b:primary_knowledge_source ex:source .
ex:e2 a rdf:Statement ; rdf:subject ex:d1 ; rdf:predicate b:affects ; rdf:object ex:g2 ;
    b:object_direction_qualifier "increased" ; b:primary_knowledge_source ex:source .
ex:e3 a rdf:Statement ; rdf:subject ex:d1 ; rdf:predicate b:affects ; rdf:object ex:g3 ;
    b:primary_knowledge_source ex:source .
"""


def test_rdf_edges_are_counted_signed_by_qualifier_and_their_provenance_is_no_edge(project, tmp_path):
    path = tmp_path / "reified.ttl"
    path.write_text(REIFIED, encoding="utf-8")
    info = import_graph(path, project).info
    # two of the three affects edges carry a direction qualifier; the knowledge source describes statements
    assert (info.signed, info.unsigned) == ({"biolink:affects": 2}, {"biolink:affects": 1})


@pytest.mark.slow  # imports through the command line
def test_kg_lookup_and_kg_import_say_where_an_entity_is(project, tmp_path, monkeypatch):
    from kg.cli.graphs import import_cmd
    from kg.cli.records import lookup_cmd

    monkeypatch.setenv("KG_STORE", str(project.store))
    monkeypatch.setenv("COLUMNS", "80")
    path = tmp_path / "other.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(import_cmd, [str(path)], catch_exceptions=False).output
    assert max(len(line) for line in out.splitlines()) <= 80  # wrapped, continuations indented
    flat = " ".join(out.split())
    assert "joined to the curated graph: 3 nodes by identifier (DRUGBANK 1, MONDO 1, NCBIGene 1)" in flat
    assert "1 nodes share only a label with a curated entity (not linked): Tacrolimus ~ kg:tacrolimus" in flat
    from kg.cli.graphs import graphs_cmd

    listed = runner.invoke(graphs_cmd, [], catch_exceptions=False).output
    assert max(len(line) for line in listed.splitlines()) <= 80 and "other: joined to the curated graph" in listed
    text = runner.invoke(lookup_cmd, ["ncbigene:3458"], catch_exceptions=False).output
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "IFN-γ (kg:ifn_gamma)" in text and "NCBIGene:3458" in text
    data = json.loads(runner.invoke(lookup_cmd, ["https://www.ncbi.nlm.nih.gov/gene/3458", "--format", "json"],
                                    catch_exceptions=False).output)
    assert [(m["graph"], m["nodes"], m["edges"]) for m in data["mentions"]][1:] == [
        ("other", ["https://identifiers.org/ncbigene:3458"], 2)]
    import os
    import subprocess
    import sys
    from pathlib import Path

    kg = str(Path(sys.executable).parent / "kg")
    missing = subprocess.run([kg, "lookup", "cyclosporinn"], capture_output=True, text=True,
                             env={**os.environ, "KG_STORE": str(project.store)})
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1, "", "error: unknown entity 'cyclosporinn'; did you mean 'cyclosporin', 'cyclosporine', 'cyclosporin A'?\n")


# ---------------------------------------------------------------------------
# Signed edges of an imported graph in the analyses (issue 13, items 4 and 5)
# ---------------------------------------------------------------------------

# A Monarch-style KGX pair written for this test: a compound that lowers TNF (joined to kg:tnf by its
# NCBIGene id) through biolink:affects + decreased, and an edge whose predicate has no sign.
MONARCH_NODES = ("id\tcategory\tname\n"
                 "EX:0001\tbiolink:Drug\tcompound one\n"
                 "NCBIGene:7124\tbiolink:Gene\tTNF\n")
MONARCH_EDGES = ("id\tsubject\tpredicate\tobject\tobject_direction_qualifier\tpublications\tknowledge_level\n"
                 "e1\tEX:0001\tbiolink:affects\tNCBIGene:7124\tdecreased\tPMID:12345\tknowledge_assertion\n"
                 "e2\tEX:0001\tbiolink:related_to\tNCBIGene:7124\t\t\tknowledge_assertion\n")


@pytest.fixture
def monarch(project, tmp_path):
    folder = tmp_path / "monarch"
    folder.mkdir()
    (folder / "monarch_nodes.tsv").write_text(MONARCH_NODES, encoding="utf-8")
    (folder / "monarch_edges.tsv").write_text(MONARCH_EDGES, encoding="utf-8")
    return import_graph(folder, project, name="monarch").info


def test_an_imported_signed_edge_changes_the_prediction_through_curated_mechanisms(project, monarch, monkeypatch):
    from kg.analysis import explain
    from kg.cli.analysis import _load
    from kg.network import project as projection
    from kg.store import open_store

    assert (monarch.joins, monarch.signed) == ({"NCBIGene": 1}, {"biolink:affects": 1})
    assert monarch.unsigned == {"biolink:related_to": 1}
    monkeypatch.setenv("KG_STORE", str(project.store))
    graph, M = _load("all")
    node = M.node("compound one", "drug")
    assert (node, M.H.nodes[node]["kind"], M.H.nodes[node]["graph"]) == ("EX:0001", "Drug", "monarch")
    pred = explain(M, node, M.node("dermatomyositis"))
    assert pred.mechanism.effect.value == "worsens"
    first = pred.paths[0]
    assert [e["target"] for e in first.edges][:2] == ["kg:tnf", "kg:type_i_ifn"]
    assert (first.edges[0]["graph"], first.edges[0]["relation"], first.edges[0]["sign"]) == ("monarch", "kg:decreases", -1)
    assert [e.get("graph", "curated") for e in first.edges[1:]] == ["curated"] * (len(first.edges) - 1)
    record = first.edges[0]["evidence"][0]
    assert (record["evidence_type"], record["identifier"], record["weight"]) == ("kg:imported_graph", "PMID:12345", 0.2)
    # only curated: the compound is not there; curated answers do not change with the import present
    _, curated_only = _load("curated")
    with pytest.raises(Exception, match="compound one"):
        curated_only.node("compound one", "drug")
    with open_store(project) as snapshot:
        plain = projection(snapshot.rdflib_graph("curated"))
    assert sorted(M.G.edges(keys=True)) == sorted([*plain.edges(keys=True), ("EX:0001", "kg:tnf", "decreases@monarch")])


@pytest.mark.slow  # imports and explains through the command line
def test_kg_explain_names_the_graph_of_each_step_and_removal_removes_the_path(project, monarch, monkeypatch):
    from kg.cli.analysis import explain_cmd

    monkeypatch.setenv("KG_STORE", str(project.store))
    monkeypatch.setenv("COLUMNS", "100")
    text = CliRunner().invoke(explain_cmd, ["compound one", "dermatomyositis"], catch_exceptions=False).output
    assert "mechanism            worsens" in text
    assert "step 1 (graph monarch):" in text and "[1] imported graph monarch (biolink:affects). PMID:12345" in text
    remove_import("monarch", project)
    with pytest.raises(Exception, match="unknown drug 'compound one'"):
        CliRunner().invoke(explain_cmd, ["compound one", "dermatomyositis"], catch_exceptions=False)


# The same compound with edges a question about DM does not walk: to a gene no curated entity is
# (EX:0001's degree still damps its path), and a second compound and gene far from anything curated.
# Cyclosporine (DRUGBANK:DB00091) raises an uncurated gene: its degree grows by one.
WIDE_EDGES = MONARCH_EDGES + (
    "e3\tEX:0001\tbiolink:affects\tNCBIGene:99999991\tincreased\t\tknowledge_assertion\n"
    "e4\tEX:0002\tbiolink:affects\tNCBIGene:99999992\tdecreased\t\tknowledge_assertion\n"
    "e5\tDRUGBANK:DB00091\tbiolink:affects\tNCBIGene:99999991\tincreased\t\tknowledge_assertion\n")


def test_a_question_reads_only_its_neighbourhood_of_the_imports_and_answers_as_with_all_of_them(
        project, tmp_path, monkeypatch):
    from kg.analysis import explain, predict
    from kg.cli.analysis import _load
    from kg.clinical import clinical_evidence

    folder = tmp_path / "wide"
    folder.mkdir()
    (folder / "wide_nodes.tsv").write_text(MONARCH_NODES, encoding="utf-8")
    (folder / "wide_edges.tsv").write_text(WIDE_EDGES, encoding="utf-8")
    import_graph(folder, project, name="wide")
    monkeypatch.setenv("KG_STORE", str(project.store))
    graph, full = _load("all")
    _, bounded = _load("all", (("dermatomyositis", "condition"),), 4)
    imported = {n for n, d in full.G.nodes(data=True) if d.get("graph") == "wide"}
    assert imported == {"EX:0001", "EX:0002", "NCBIGene:99999991", "NCBIGene:99999992"}
    # only the compound on a path to DM is read; the far compound and both uncurated genes are not
    assert {n for n, d in bounded.G.nodes(data=True) if d.get("graph") == "wide"} == {"EX:0001"}
    assert bounded.G.number_of_edges() == full.G.number_of_edges() - 3
    # ...but their edges count in the degrees, as when every edge is read
    for node in ("EX:0001", "kg:cyclosporine", "kg:tnf"):
        assert (bounded.outdeg.get(node), bounded.indeg.get(node)) == (full.outdeg.get(node), full.indeg.get(node))
    assert full.outdeg["EX:0001"] == 2 and len(list(bounded.H.successors("EX:0001"))) == 1
    evidence = clinical_evidence(graph)
    dm = full.node("dermatomyositis", "condition")
    ranked = [predict(m, dm, None, evidence=evidence, max_length=4, kinds=("Drug",)) for m in (full, bounded)]
    assert [c.to_dict() for c in ranked[0]] == [c.to_dict() for c in ranked[1]]
    assert "EX:0001" in [c.drug for c in ranked[0]]
    for drug in ("EX:0001", "cyclosporine", "TNF inhibitor"):
        answers = [explain(m, m.node(drug, "drug"), dm, 4, evidence=evidence).to_dict() for m in (full, bounded)]
        assert answers[0] == answers[1]
