"""kg.export: RDF round-trips, compact JSON-LD, KGX that kgx validates offline, CSV, GraphML, reproducibility."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import socket

import pytest
from rdflib import OWL, Graph
from rdflib.compare import isomorphic

from kg.errors import KGError
from kg.export import FORMATS, export
from kg.namespaces import KG


@pytest.fixture(scope="session")
def project_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1]


@pytest.fixture
def no_network(monkeypatch):
    """Any connection to a host other than loopback fails the test."""
    real = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise AssertionError(f"network access to {address!r}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(AssertionError(f"DNS {a}")))


def _tsv(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def kgx_dir(memory_graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("kgx") / "kgx"
    export(memory_graph, "kgx", out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_rdf_exports_reparse_isomorphic(memory_graph, tmp_path, fmt, parser):
    (out,) = export(memory_graph, fmt, tmp_path / f"kg.{fmt}")
    again = Graph().parse(out, format=parser)
    assert len(again) == len(memory_graph)
    assert isomorphic(again, memory_graph)


@pytest.mark.slow  # a JSON-LD round trip
def test_jsonld_is_compact_with_the_published_context(memory_graph, tmp_path, project_root):
    from kg.export.jsonld import context, published_context

    assert published_context(project_root / "ontology") == context(memory_graph), \
        "ontology/context.jsonld is stale: regenerate it with kg.export.jsonld.write_published_context()"
    (out,) = export(memory_graph, "jsonld", tmp_path / "kg.jsonld")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"] == published_context(project_root / "ontology")["@context"]
    csa = next(n for n in data["@graph"] if n["@id"] == "kg:cyclosporine")
    assert csa["label"] == "cyclosporine" and csa["leavesUnchanged"] == "kg:type_i_ifn"
    assert csa["inhibits"] == "kg:calcineurin" and "kg:Drug" in csa["@type"]
    assert not [k for n in data["@graph"] for k in n if k.startswith("http")]


@pytest.mark.slow  # a round trip through owlready2
def test_rdf_xml_loads_in_owlready2_with_inferred_types(memory_graph, tmp_path):
    import owlready2

    (out,) = export(memory_graph, "xml", tmp_path / "kg.owl")
    world = owlready2.World()
    onto = world.get_ontology(out.as_uri()).load(only_local=True)
    cyclosporine = world[str(KG.cyclosporine)]
    assert {c.name for c in cyclosporine.is_a} >= {"Drug", "CalcineurinInhibitor", "TypeIInterferonSparingDrug"}
    assert len(list(onto.individuals())) > 700
    world.close()


def test_unknown_format_is_a_user_error(memory_graph, tmp_path):
    with pytest.raises(KGError, match="unknown export format 'gexf'"):
        export(memory_graph, "gexf", tmp_path / "x.gexf")


def test_kgx_nodes_carry_biolink_categories_and_canonical_ids(kgx_dir):
    nodes = {r["iri"]: r for r in _tsv(kgx_dir / "nodes.tsv")}
    pick = {n: (nodes[str(KG[n])]["id"], nodes[str(KG[n])]["category"]) for n in
            ("cyclosporine", "dermatomyositis", "TNFInhibitor", "ifn_gamma", "t_cell", "apoptosis", "pruritus",
             "patient_000_1", "pub_001", "pub_000")}
    assert pick == {
        "cyclosporine": ("CHEBI:4031", "biolink:Drug"), "dermatomyositis": ("MONDO:0016367", "biolink:Disease"),
        "TNFInhibitor": ("kg:TNFInhibitor", "biolink:Drug"), "ifn_gamma": ("UniProtKB:P01579", "biolink:Protein"),
        "t_cell": ("CL:0000084", "biolink:Cell"), "apoptosis": ("GO:0006915", "biolink:BiologicalProcess"),
        "pruritus": ("HP:0000989", "biolink:PhenotypicFeature"), "patient_000_1": ("kg:patient_000_1", "biolink:Case"),
        "pub_001": ("PMID:33719170", "biolink:Publication"), "pub_000": ("kg:pub_000", "biolink:Publication")}
    assert nodes[str(KG.cyclosporine)]["xref"].split("|") == ["DRUGBANK:DB00091", "NCIT:C406", "kg:cyclosporine"]
    assert "doi:10.1111/dth.14942" in nodes[str(KG.pub_001)]["xref"].split("|")
    assert len({r["id"] for r in nodes.values()}) == len(nodes)


def test_kgx_edges_use_biolink_predicates_qualifiers_and_publications(kgx_dir):
    edges = {r["id"]: r for r in _tsv(kgx_dir / "edges.tsv")}
    spares = edges["kg:cyclosporine/leavesUnchanged/kg:type_i_ifn"]
    assert (spares["subject"], spares["predicate"], spares["object"], spares["negated"]) == \
        ("CHEBI:4031", "biolink:affects", "kg:type_i_ifn", "true")
    inhibits = edges["kg:pimecrolimus/inhibits/kg:calcineurin"]
    assert (inhibits["predicate"], inhibits["object_direction_qualifier"], inhibits["original_predicate"]) == \
        ("biolink:affects", "decreased", "kg:inhibits")
    assert inhibits["publications"].split("|") == ["doi:10.5021/ad.2011.23.3.348"]
    first_line = edges["kg:SystemicCorticosteroid/firstLineTreatmentFor/kg:dermatomyositis"]
    assert first_line["predicate"] == "biolink:treats" and first_line["object"] == "MONDO:0016367"
    assert {(e["knowledge_level"], e["agent_type"]) for e in edges.values()} == {
        ("knowledge_assertion", "manual_agent"), ("logical_entailment", "automated_agent"),
        ("observation", "manual_agent")}
    assert {e["primary_knowledge_source"] for e in edges.values()} == {"infores:dmkg"}
    # only entity-file links (subtype, member, class, a comorbidity's parts) are uncited; every claim is cited
    assert {e["family"] for e in edges.values() if not e["publications"]} == {"class", "taxonomy", "membership",
                                                                          "composition"}
    courses = [e for e in edges.values() if e["original_predicate"] == "kg:outcomeTarget"
               and e["subject"] == "kg:course_000_1_11_cyclosporine"]
    assert sorted((c["predicate"], c["object"], c["outcome"]) for c in courses) == [
        ("biolink:applied_to_treat", "kg:cutaneous_lesions", "kg:remission"),
        ("biolink:applied_to_treat", "kg:psoriatic_plaques", "kg:remission")]
    reports = [e for e in edges.values() if e["original_predicate"] == "kg:TherapyReport"]
    assert {e["predicate"] for e in reports} >= {"biolink:treats_or_applied_or_studied_to_treat",
                                                 "biolink:contributes_to"}


def test_kgx_archive_and_folder_hold_the_same_files(memory_graph, tmp_path, kgx_dir):
    import tarfile

    (archive,) = export(memory_graph, "kgx", tmp_path / "kg.tar.gz")
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["edges.tsv", "metadata.json", "nodes.tsv"]
        assert tar.extractfile("nodes.tsv").read() == (kgx_dir / "nodes.tsv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.tar.gz"]


@pytest.mark.slow  # the real kgx validator
def test_kgx_validates_with_zero_errors_offline(kgx_dir, no_network):
    pytest.importorskip("kgx", reason="the [kgx] extra (installed by .[test] in CI)")
    from kg.export.kgx_check import validate

    assert validate(kgx_dir) == {}


@pytest.mark.slow  # the real kgx transform
def test_kgx_transform_to_jsonl_keeps_every_node_and_edge(kgx_dir, tmp_path, no_network):
    pytest.importorskip("kgx", reason="the [kgx] extra (installed by .[test] in CI)")
    from kg.export.kgx_check import transform

    written = transform(kgx_dir, tmp_path / "kg", "jsonl")
    assert [p.name for p in written] == ["kg_edges.jsonl", "kg_nodes.jsonl"]
    lines = {p.name: p.read_text(encoding="utf-8").splitlines() for p in written}
    assert len(lines["kg_nodes.jsonl"]) == len(_tsv(kgx_dir / "nodes.tsv"))
    assert len(lines["kg_edges.jsonl"]) == len(_tsv(kgx_dir / "edges.tsv"))


@pytest.mark.slow  # loads the whole Biolink model
def test_kgx_mapping_terms_exist_in_the_installed_biolink_model(memory_graph, kgx_dir, no_network):
    pytest.importorskip("kgx", reason="the [kgx] extra (installed by .[test] in CI)")
    from kg.export.kgx_check import biolink_prefixes, toolkit

    tk = toolkit()
    assert tk.get_model_version() == "4.4.6"
    nodes, edges = _tsv(kgx_dir / "nodes.tsv"), _tsv(kgx_dir / "edges.tsv")
    assert [c for c in {n["category"] for n in nodes} if not tk.is_category(c) or tk.is_mixin(c)] == []
    assert [p for p in {e["predicate"] for e in edges} if not tk.is_predicate(p)] == []
    prefixes = set(biolink_prefixes()) | {"kg"}
    assert {n["id"].split(":")[0] for n in nodes} - prefixes == set()
    # kg:idPrefixes keeps Biolink's order of preference for each mapped class
    from kg.export.biolink import BiolinkMap

    m = BiolinkMap.of(memory_graph)
    for cls in memory_graph.subjects(KG.idPrefixes, None):
        order = tk.get_element(m.category(cls).removeprefix("biolink:")).id_prefixes
        ours = m.id_prefixes(cls)
        assert list(dict.fromkeys(p for p in order if p in ours)) == ours, cls   # Biolink lists MESH twice for Cell


def test_csv_tables_read_in_pandas_with_signs_and_citations(memory_graph, tmp_path):
    pd = pytest.importorskip("pandas")
    written = export(memory_graph, "csv", tmp_path / "tables")
    assert [p.name for p in written] == ["edges.csv", "metadata.json", "nodes.csv"]
    nodes, edges = pd.read_csv(tmp_path / "tables" / "nodes.csv"), pd.read_csv(tmp_path / "tables" / "edges.csv")
    assert list(nodes.columns[:2]) == ["Id", "Label"] and list(edges.columns[:4]) == ["Id", "Source", "Target", "Type"]
    assert edges["Id"].is_unique and nodes["Id"].is_unique
    row = edges[edges["Id"] == "kg:pimecrolimus/inhibits/kg:calcineurin"].iloc[0]
    assert (row["sign"], row["citations"], row["biolink_predicate"]) == (-1, "doi:10.5021/ad.2011.23.3.348",
                                                                         "biolink:affects")
    assert nodes.set_index("Id").loc["kg:cyclosporine", "identifiers"] == "CHEBI:4031; DRUGBANK:DB00091; NCIT:C406"


def test_graphml_edge_ids_are_unique(memory_graph, tmp_path):
    import networkx as nx

    from kg.network import project

    (out,) = export(memory_graph, "graphml", tmp_path / "kg.graphml")
    H = nx.read_graphml(out, force_multigraph=True)
    keys = [k for _, _, k in H.edges(keys=True)]
    assert len(keys) == len(set(keys)) == project(memory_graph).number_of_edges()
    assert "kg:cyclosporine/memberOfClass/kg:CalcineurinInhibitor" in keys
    edge = H.get_edge_data("kg:cyclosporine", "kg:type_i_ifn")["kg:cyclosporine/leavesUnchanged/kg:type_i_ifn"]
    assert edge["sign"] == 0 and edge["inherited"] is False      # typed: int and boolean
    assert H.graph["version"] == memory_graph.value(KG.ontology, OWL.versionInfo).toPython()


@pytest.mark.slow  # every export format written and read back
def test_every_export_carries_the_build_version(memory_graph, built, tmp_path):
    version, iri = built.report["version_info"], built.report["version_iri"]
    assert iri == f"https://w3id.org/dmkg/ontology/{built.report['version']}/{built.build_id}"
    for fmt in FORMATS:
        written = export(memory_graph, fmt, tmp_path / fmt)
        text = "".join(p.read_text(encoding="utf-8") for p in written)
        assert iri in text or (version in text and fmt == "graphml"), fmt


def _digests(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_two_builds_of_the_same_inputs_give_byte_identical_exports(tmp_path, monkeypatch, project_root):
    """Build a scratch copy twice (forced) and export every format after each: same sha256 everywhere."""
    from kg.build import build
    from kg.project import Project
    from kg.store import load_graph

    home = tmp_path / "home"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(project_root / name, home / name)
    monkeypatch.setenv("KG_HOME", str(home))
    monkeypatch.delenv("KG_DIST", raising=False)
    project = Project.discover()
    runs = []
    for run in (1, 2):
        result = build(project, force=True)
        out = tmp_path / f"run{run}"
        graph = load_graph(result.ntriples, store="memory")
        for fmt in FORMATS:
            export(graph, fmt, out / fmt)
        for name in ("kg.ttl", "kg.nt", "inferred.ttl"):
            shutil.copy(result.dist / name, out / name)
        runs.append(_digests(out))
    assert runs[0] == runs[1]
    assert len(runs[0]) == 4 + 3 + 3 + 1 + 3
