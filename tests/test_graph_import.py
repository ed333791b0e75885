"""``kg import`` of other graphs: every RDF format and KGX round-trip their counts; a corrupt file leaves the
store exactly as it was and names the line; the Hetionet-shaped generator is deterministic.

Every test works on a store of its own (a temporary folder); the build is the shared session one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from kg.errors import DataError, FormatError, KGError, UnknownNameError
from kg.graph_import import default_name, import_graph, remove_import
from kg.project import Project
from kg.store import IMPORT_BASE, list_graphs, open_store, to_rdflib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import hetgen  # noqa: E402

EX = Namespace("http://example.org/demo/")
LICENCE = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


@pytest.fixture
def project(built, tmp_path) -> Project:
    """The shared project with a store of its own."""
    return Project(root=Project.discover().root, store_override=tmp_path / "store")


def state(project: Project) -> tuple:
    """Everything a failed import must leave unchanged: the current generation and every graph's record."""
    infos = [i.to_dict() for i in list_graphs(project)]
    return os.readlink(project.store / "current"), json.dumps(infos, sort_keys=True)


def rdf_sample() -> Graph:
    """Nine triples: an ontology header with title and licence, a typed and a tagged literal, a blank node."""
    g = Graph()
    onto = URIRef("http://example.org/demo")
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, DCTERMS.title, Literal("Demo graph")))
    g.add((onto, DCTERMS.license, LICENCE))
    g.add((EX.aspirin, RDF.type, EX.Drug))
    g.add((EX.aspirin, RDFS.label, Literal("aspirin", lang="en")))
    g.add((EX.aspirin, EX.lowers, EX.cox1))
    g.add((EX.aspirin, EX.dose, Literal("75", datatype=XSD.integer)))
    node = BNode()
    g.add((EX.aspirin, EX.note, node))
    g.add((node, RDFS.comment, Literal('a "quoted" note\nover two lines')))
    return g


RDF_FILES = {"demo.ttl": "turtle", "demo.nt": "nt", "demo.rdf": "xml", "demo.jsonld": "json-ld"}


#: The fast loop imports two formats; the rest round-trip in the full suite (each import is a store generation).
_FAST_FORMATS = ("demo.nt", "demo.ttl.gz")


@pytest.mark.filterwarnings("ignore:Dataset.:DeprecationWarning")  # rdflib's own N-Quads and TriG writers
@pytest.mark.parametrize("filename", [name if name in _FAST_FORMATS else pytest.param(name, marks=pytest.mark.slow)
                                      for name in [*RDF_FILES, "demo.ttl.gz", "demo.nq", "demo.trig"]])
def test_every_rdf_format_round_trips_its_counts(project, tmp_path, filename):
    sample = rdf_sample()
    path = tmp_path / filename
    if filename.endswith((".nq", ".trig")):  # quads: two named graphs in the file, merged into the import
        data = Dataset()
        for i, triple in enumerate(sample):
            data.graph(URIRef(f"http://example.org/g{i % 2}")).add(triple)
        path.write_bytes(data.serialize(format="nquads" if filename.endswith(".nq") else "trig", encoding="utf-8"))
    elif filename.endswith(".gz"):
        path.write_bytes(gzip.compress(sample.serialize(format="turtle", encoding="utf-8")))
    else:
        path.write_bytes(sample.serialize(format=RDF_FILES[filename], encoding="utf-8"))
    report = import_graph(path, project)
    assert report.name == "demo"
    info = {i.name: i for i in list_graphs(project)}["demo"]
    assert (info.triples, info.nodes, info.edges) == (9, 3, None)  # subjects: the ontology, aspirin, the note
    assert (info.title, info.license) == ("Demo graph", str(LICENCE))
    assert info.files[0]["name"] == filename and info.files[0]["size"] == path.stat().st_size
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.notes == (("the file's 2 named graph(s) were merged into this import's graph",)
                          if filename.endswith((".nq", ".trig")) else ())
    with open_store(project) as snapshot:
        got = Graph()
        for row in snapshot.query("CONSTRUCT WHERE { ?s ?p ?o }", graph="demo"):
            got.add(tuple(_plain(to_rdflib(t)) for t in (row.subject, row.predicate, row.object)))
    from rdflib.compare import isomorphic

    assert isomorphic(got, sample)


def _plain(term):
    """xsd:string literals as plain ones (Oxigraph types every plain literal; rdflib keeps them untyped)."""
    return Literal(str(term)) if isinstance(term, Literal) and term.datatype == XSD.string else term


NODES = ("id\tcategory\tname\txref\n"
         "DRUGBANK:DB00091\tbiolink:SmallMolecule|biolink:Drug\tCyclosporine\tCHEBI:4031\n"
         "HGNC:11603\tbiolink:Gene\tTBX4\t\n"
         "FOO:12\tbiolink:Disease\tsome \"quoted\" disease\t\n")
EDGES = ("id\tsubject\tpredicate\tobject\tknowledge_level\tpublications\tobject_direction_qualifier\n"
         "urn:uuid:5b06e86f-d768-4cd9-ac27-abe31e95ab1e\tDRUGBANK:DB00091\tbiolink:affects\tHGNC:11603\t"
         "knowledge_assertion\tPMID:26634245|PMID:26634244\tdecreased\n"
         "\tHGNC:11603\tbiolink:related_to\tFOO:12\t\t\t\n"
         "\tHGNC:11603\tbiolink:related_to\tMONDO:0005002\t\t\t\n")
# nodes: 4 + 2 + 2 (rdf:type x2, label, xref; type, label; type, label); edges: 3 direct triples, and the
# first edge's statement node: type, subject, predicate, object, level, 2 publications, direction = 8
# (DRUGBANK:DB00091 joins kg:cyclosporine, whose skos:exactMatch the curated graph already states: no new triple)
KGX_TRIPLES = 8 + 3 + 8


def write_kgx(folder: Path, stem: str = "demo", jsonl: bool = False) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if not jsonl:
        (folder / f"{stem}_nodes.tsv").write_text(NODES, encoding="utf-8")
        (folder / f"{stem}_edges.tsv").write_text(EDGES, encoding="utf-8")
        return folder / f"{stem}_nodes.tsv", folder / f"{stem}_edges.tsv"
    for kind, text in (("nodes", NODES), ("edges", EDGES)):
        lines = text.splitlines()
        header = lines[0].split("\t")
        with open(folder / f"{stem}_{kind}.jsonl", "w", encoding="utf-8") as handle:
            for line in lines[1:]:
                record = {}
                for column, value in zip(header, line.split("\t")):
                    if value:
                        many = column in ("category", "publications", "xref")
                        record[column] = value.split("|") if many else value
                handle.write(json.dumps(record) + "\n")
    return folder / f"{stem}_nodes.jsonl", folder / f"{stem}_edges.jsonl"


@pytest.mark.parametrize("shape", ["edges file", "nodes file", "folder", "tar.gz", "jsonl"])
def test_kgx_round_trips_its_counts(project, tmp_path, shape):
    nodes, edges = write_kgx(tmp_path / "kgx", jsonl=shape == "jsonl")
    target = {"edges file": edges, "nodes file": nodes, "folder": tmp_path / "kgx", "jsonl": edges}.get(shape)
    if shape == "tar.gz":
        target = tmp_path / "demo.tar.gz"
        with tarfile.open(target, "w:gz") as archive:
            archive.add(nodes, arcname="demo/demo_nodes.tsv")
            archive.add(edges, arcname="demo/demo_edges.tsv")
    report = import_graph(target, project, name="demo")
    info = report.info
    assert (info.triples, info.nodes, info.edges) == (KGX_TRIPLES, 3, 3)
    assert info.unmapped == {"FOO": 1}
    assert info.notes == ("1 edges name a subject or object that no nodes file lists",)
    assert [f["name"] for f in info.files] == ([target.name] if shape == "tar.gz" else
                                                sorted(p.name for p in (nodes, edges)) if shape == "folder" else
                                                [target.name, (nodes if target == edges else edges).name])
    with open_store(project) as snapshot:
        ask = """ASK { <https://identifiers.org/drugbank:DB00091> <https://w3id.org/biolink/vocab/affects>
                         <https://identifiers.org/hgnc:11603> .
                 ?e a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;
                    <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <https://identifiers.org/drugbank:DB00091> ;
                    <https://w3id.org/biolink/vocab/object_direction_qualifier> "decreased" ;
                    <https://w3id.org/biolink/vocab/publications> <https://pubmed.ncbi.nlm.nih.gov/26634245> .
                 <https://w3id.org/dmkg/graph/import/demo/FOO/12> a <https://w3id.org/biolink/vocab/Disease> ;
                    <http://www.w3.org/2000/01/rdf-schema#label> 'some "quoted" disease' . }"""
        assert bool(snapshot.query(ask, graph="demo"))


@pytest.mark.slow  # a KGX export and import round trip
def test_the_curated_graphs_own_kgx_export_round_trips(project, graph, tmp_path):
    from kg.export import export

    export(graph, "kgx", tmp_path / "kg")
    rows = {kind: len((tmp_path / "kg" / f"{kind}.tsv").read_text(encoding="utf-8").splitlines()) - 1
            for kind in ("nodes", "edges")}
    info = import_graph(tmp_path / "kg", project).info
    assert (info.name, info.nodes, info.edges) == ("kg", rows["nodes"], rows["edges"])
    archive = export(graph, "kgx", tmp_path / "again.tar.gz")[0]
    again = import_graph(archive, project, name="again").info
    assert (again.nodes, again.edges, again.triples) == (info.nodes, info.edges, info.triples)


# ---------------------------------------------------------------------------
# Corrupt inputs: the store exactly as before, one line naming file and line
# ---------------------------------------------------------------------------

def _corrupt(tmp_path: Path, case: str) -> tuple[Path, dict, str]:
    """(file, import options, text the error must contain)."""
    if case == "bad turtle":
        path = tmp_path / "bad.ttl"
        path.write_text('@prefix ex: <http://ex/> .\nex:a ex:p ex:b .\nex:c ex:p "unterminated .\nex:d ex:p ex:e .\n')
        return path, {}, "bad.ttl:3: not valid Turtle"
    if case == "truncated gzip":
        path = tmp_path / "big.nt.gz"
        lines = "".join(f"<http://ex/s{i}> <http://ex/p> <http://ex/o{i}> .\n" for i in range(50_000))
        data = gzip.compress(lines.encode())
        path.write_bytes(data[: len(data) // 2])
        return path, {}, "big.nt.gz: the compressed stream ends before its end marker"
    if case == "bad kgx row":
        nodes, edges = write_kgx(tmp_path / "k")
        edges.write_text(EDGES + "\tHGNC:11603\t\tFOO:12\t\t\t\n")
        return edges, {}, "demo_edges.tsv:5: column 'predicate' (3) is empty"
    if case == "kgx field count":
        nodes, edges = write_kgx(tmp_path / "k")
        nodes.write_text(NODES + "X:1\tbiolink:Gene\n")
        return edges, {}, "demo_nodes.tsv:5: 2 tab-separated fields but the header has 4"
    if case == "kgx identifier":
        nodes, edges = write_kgx(tmp_path / "k")
        edges.write_text(EDGES + "\tHGNC:11603\tbiolink:related_to\tHGNC 42\t\t\t\n")
        return edges, {}, "demo_edges.tsv:5: column 'object': 'HGNC 42' is not a CURIE or IRI"
    if case == "bad json line":
        nodes, edges = write_kgx(tmp_path / "k", jsonl=True)
        with open(edges, "a", encoding="utf-8") as handle:
            handle.write('{"subject": "A:1", "predicate": \n')
        return edges, {}, "demo_edges.jsonl:4: not valid JSON"
    if case == "wrong format":
        nodes, _ = write_kgx(tmp_path / "k")
        return nodes, {"fmt": "turtle", "name": "x"}, "demo_nodes.tsv:1: not valid Turtle"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["bad turtle", "truncated gzip", "bad kgx row",
                                  *(pytest.param(case, marks=pytest.mark.slow)  # the rest in the full suite
                                    for case in ("kgx field count", "kgx identifier", "bad json line", "wrong format"))])
def test_a_corrupt_file_leaves_the_store_unchanged_and_names_the_line(project, tmp_path, case):
    import_graph(write_kgx(tmp_path / "first")[1], project, name="first")
    before = state(project)
    path, options, message = _corrupt(tmp_path, case)
    with pytest.raises(DataError) as error:
        import_graph(path, project, **options)
    assert str(error.value).startswith(str(path.parent)) and message in str(error.value), str(error.value)
    assert "\n" not in str(error.value)
    assert state(project) == before
    assert [p.name for p in (project.store / "generations").iterdir() if p.is_dir()] == [before[0].split("/")[1]]


@pytest.mark.slow  # kills a kg import process
def test_a_killed_import_leaves_the_store_unchanged_and_the_next_writer_cleans_up(project, tmp_path):
    import_graph(write_kgx(tmp_path / "first")[1], project, name="first")
    before = state(project)
    big = tmp_path / "big.nt"
    with open(big, "w") as handle:
        handle.writelines(f"<http://ex/s{i}> <http://ex/p{i % 7}> \"value {i}\" .\n" for i in range(400_000))
    code = (f"from pathlib import Path; from kg.project import Project; from kg.graph_import import import_graph; "
            f"import_graph({str(big)!r}, Project(root=Path({str(project.root)!r}), "
            f"store_override=Path({str(project.store)!r})))")
    proc = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    folder = project.store / "generations"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the writer has started its new generation
        if any(p.is_dir() and not (folder / f"{p.name}.json").exists() for p in folder.iterdir()):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise AssertionError("the import never started writing")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert state(project) == before
    import_graph(write_kgx(tmp_path / "second", stem="other")[1], project, name="second")
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert names == [os.readlink(project.store / "current").split("/")[1]]  # leftover and old generation gone
    assert [i.name for i in list_graphs(project)] == ["curated", "first", "second"]


def test_replace_and_remove(project, tmp_path):
    nodes, edges = write_kgx(tmp_path / "k")
    import_graph(edges, project)
    with pytest.raises(KGError, match="already has an import named 'demo'; give --replace"):
        import_graph(edges, project)
    nodes.write_text(NODES + "HGNC:1\tbiolink:Gene\tA1BG\t\n")
    report = import_graph(edges, project, replace=True)
    assert report.replaced and report.triples == KGX_TRIPLES + 2
    assert remove_import("demo", project).triples == KGX_TRIPLES + 2
    assert [i.name for i in list_graphs(project)] == ["curated"]
    with pytest.raises(UnknownNameError, match="unknown import 'demo'"):
        remove_import("demo", project)


def test_dry_run_changes_nothing(project, tmp_path):
    before = state(project)
    report = import_graph(write_kgx(tmp_path / "k")[1], project, dry_run=True)
    assert report.triples == KGX_TRIPLES
    assert state(project) == before


@pytest.mark.parametrize("name", ["all", "curated", "meta", "has space", "-x", "a/b"])
def test_bad_names_are_refused(project, tmp_path, name):
    with pytest.raises(KGError, match="--name"):
        import_graph(write_kgx(tmp_path / "k")[1], project, name=name)


def test_names_and_formats_from_file_names(tmp_path):
    from kg.graph_import import detect_format

    assert default_name("x/Monarch-KG_nodes.jsonl.gz") == "monarch-kg"
    assert detect_format(Path("a.owl")) == "rdfxml" and detect_format(Path("a_edges.tsv.gz")) == "kgx-tsv"
    with pytest.raises(FormatError, match="JSON-LD or KGX JSON"):
        detect_format(Path("a.json"))
    with pytest.raises(FormatError, match="give --format"):
        detect_format(Path("a.csv"))


# ---------------------------------------------------------------------------
# The Hetionet-shaped generator
# ---------------------------------------------------------------------------

def test_generator_is_deterministic(tmp_path):
    first = hetgen.generate(10_000, 1, tmp_path / "a")
    again = hetgen.generate(10_000, 1, tmp_path / "b")
    other = hetgen.generate(10_000, 2, tmp_path / "c")
    assert first["sha256"] == again["sha256"]
    assert all(other["sha256"][k] != first["sha256"][k] for k in ("edges", "ntriples"))


@pytest.mark.slow  # a generated 10k-edge graph imported
def test_generated_graph_has_the_hetionet_mix_and_overlaps_the_curated_graph(project, tmp_path):
    summary = hetgen.generate(10_000, 1, tmp_path / "het")
    nodes = hetgen.node_counts(10_000)
    counts = hetgen.edge_counts(10_000, nodes)
    assert summary["edges"] == sum(counts.values()) and summary["nodes"] == sum(nodes.values())
    by_predicate: dict[str, int] = {}
    for abbrev, *_, predicate, _q, _l, _a in hetgen.METAEDGES:
        by_predicate[predicate] = by_predicate.get(predicate, 0) + counts[abbrev]
    with open(summary["files"]["edges"], encoding="utf-8") as handle:
        next(handle)
        seen: dict[str, int] = {}
        for line in handle:
            predicate = line.split("\t")[1]
            seen[predicate] = seen.get(predicate, 0) + 1
    assert seen == by_predicate
    kgx = import_graph(summary["files"]["edges"], project, prefixes=hetgen.PREFIXES).info
    nt = import_graph(summary["files"]["ntriples"], project, name="het-nt").info
    assert (kgx.nodes, kgx.edges, kgx.unmapped) == (summary["nodes"], summary["edges"], {})
    curated = hetgen.curated_identifiers(ROOT / "data" / "identifiers.tsv")
    shared = round(0.02 * nodes["Compound"]) + round(0.10 * nodes["Disease"])
    lines = len(Path(summary["files"]["ntriples"]).read_text(encoding="utf-8").splitlines())
    assert kgx.joins == nt.joins and sum(kgx.joins.values()) == shared  # each shared node joined by kg import
    assert kgx.triples == nt.triples == lines  # the generator uses the curated graph's IRIs: no link to add
    query = f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        GRAPH <https://w3id.org/dmkg/graph/curated> {{ ?entity <http://www.w3.org/2004/02/skos/core#exactMatch> ?x }}
        GRAPH <{IMPORT_BASE}het-10k> {{ ?x a ?category }} }}"""
    with open_store(project) as snapshot:
        assert int(next(iter(snapshot.query(query)))[0].value) == shared
    assert shared <= len(curated["Compound"]) + len(curated["Disease"])
    shutil.rmtree(tmp_path / "het")


# ---------------------------------------------------------------------------
# The commands (kg/cli/graphs.py)
# ---------------------------------------------------------------------------

@pytest.mark.slow  # every saved query on a merged store, or a generated import: over 15 s
def test_import_and_graphs_commands(project, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kg.cli.graphs import graphs_cmd, import_cmd

    monkeypatch.setenv("KG_STORE", str(project.store))
    runner = CliRunner()
    edges = write_kgx(tmp_path / "k")[1]
    result = runner.invoke(import_cmd, [str(edges), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["triples"] == KGX_TRIPLES
    listed = json.loads(runner.invoke(graphs_cmd, ["--format", "json"], catch_exceptions=False).output)
    assert listed["store"] == str(project.store)
    elsewhere = tmp_path / "elsewhere"
    moved = json.loads(runner.invoke(graphs_cmd, ["--store-dir", str(elsewhere), "--format", "json"],
                                     catch_exceptions=False).output)
    assert (moved["store"], [g["name"] for g in moved["graphs"]]) == (str(elsewhere), ["curated"])
    monkeypatch.setenv("KG_STORE", str(project.store))  # --store-dir set it for this process
    assert [(g["name"], g["edges"]) for g in listed["graphs"]] == [("curated", None), ("demo", 3)]
    result = runner.invoke(import_cmd, ["--remove", "demo"], catch_exceptions=False)
    assert result.output == f"removed demo ({KGX_TRIPLES} triples)\n"
    source = min((ROOT / "data" / "sources").glob("*.yaml"))
    result = runner.invoke(import_cmd, [str(source), "--dry-run", "--replace"], catch_exceptions=False)
    assert result.exit_code == 0 and "checks passed" in result.output  # the curated-source import, unchanged
