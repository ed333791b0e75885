"""The persistent store: the curated graph in its named graph, queries over the union or one graph, persistence
across processes, generations that readers and ``kg serve`` hold while writers publish new ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg import generations
from kg.errors import UnknownNameError
from kg.graph_import import import_graph
from kg.project import Project
from kg.query import SavedQuery, compare_results, run_query, saved_queries
from kg.serve import free_port, start_server
from kg.store import (
    CURATED,
    IMPORT_BASE,
    iter_graph_chunks,
    list_graphs,
    load_graph,
    open_store,
)

KG = str(Path(sys.executable).parent / "kg")
EXTRA = """@prefix ex: <http://example.org/extra/> .
ex:a ex:p ex:b . ex:b ex:p ex:c . ex:c ex:label "c" .
"""


def adhoc(text: str) -> SavedQuery:
    return SavedQuery(name="adhoc", text=text, summary="ad hoc")


COUNT = adhoc("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
GRAPHS = adhoc("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")


def count(**kw) -> int:
    return int(run_query(COUNT, **kw).rows[0][0])


@pytest.fixture(scope="module")
def merged(built, tmp_path_factory):
    """A store holding the curated graph, a three-triple Turtle import and a generated Hetionet-shaped graph."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import hetgen

    folder = tmp_path_factory.mktemp("merged")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_STORE", str(folder / "store"))
        (folder / "extra.ttl").write_text(EXTRA)
        import_graph(folder / "extra.ttl")
        summary = hetgen.generate(10_000, 1, folder, ntriples=False)
        import_graph(summary["files"]["edges"], prefixes=hetgen.PREFIXES)
        yield Project.discover()


def test_the_curated_graph_is_the_build_in_its_named_graph(built):
    with open_store() as snapshot:
        curated = snapshot.graphs["curated"]
        assert (curated.iri, curated.build_id, curated.triples) == (CURATED, built.build_id, built.report["triples"])
        assert snapshot.count(CURATED) == built.report["triples"]
        assert [i.name for i in snapshot.infos()] == ["curated"]


def test_a_snapshot_copies_a_small_graph_into_memory_only_when_asked_again(built):
    # a one-query command (kg query NAME) answers from disk; the copy (0.1-0.2 s) pays off from the second query
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with open_store() as snapshot:
        first = next(iter(snapshot.query(text, graph="curated")))[0].value
        assert snapshot._copies == {}
        second = next(iter(snapshot.query(text, graph="curated")))[0].value
        assert list(snapshot._copies) == [(CURATED,)]
    assert first == second == str(built.report["triples"])


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_union_and_graph_narrowing(merged):
    infos = {i.name: i for i in list_graphs()}
    assert sorted(infos) == ["curated", "extra", "het-10k"]
    total = sum(i.triples for i in infos.values())
    assert count() == count(graph="all") == total
    assert count(graph="curated") == infos["curated"].triples
    assert count(graph="extra") == 3
    assert count(graph="curated,extra") == infos["curated"].triples + 3
    rows = run_query(GRAPHS, graph="all").rows
    assert [(str(g), int(n)) for g, n in rows] == sorted((i.iri, i.triples) for i in infos.values())
    assert [str(g) for g, _ in run_query(GRAPHS, graph="extra").rows] == [IMPORT_BASE + "extra"]
    with pytest.raises(UnknownNameError, match="unknown graph 'extr'; did you mean 'extra'"):
        count(graph="extr")


@pytest.mark.slow  # every saved query on a merged store, or a generated import: over 15 s
def test_imports_leave_every_saved_query_answer_unchanged(merged, graph):
    """The generated graph shares DrugBank and MONDO IRIs with the curated one but none of its vocabulary."""
    for name, saved in saved_queries().items():
        curated = run_query(saved, graph=graph)
        assert compare_results(curated, run_query(saved, graph="curated"), saved.text) is None, name
        assert compare_results(curated, run_query(saved), saved.text) is None, name


@pytest.mark.slow  # every saved query on a merged store, or a generated import: over 15 s
def test_memory_store_answers_like_the_persistent_one(merged):
    assert count(store="memory") == count()
    assert count(store="memory", graph="extra") == 3


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_a_second_process_sees_the_import_without_reimporting(merged):
    before = os.readlink(merged.store / "current")
    code = ("from kg.store import list_graphs; from kg.query import run_query, SavedQuery; "
            "print([i.name for i in list_graphs()]); "
            "print(run_query(SavedQuery(name='q', text='SELECT (COUNT(*) AS ?n) { ?s ?p ?o }', summary='q'), "
            "graph='extra').rows[0][0])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "KG_STORE": str(merged.store)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["['curated', 'extra', 'het-10k']", "3"]
    assert os.readlink(merged.store / "current") == before  # nothing was written


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_kg_query_graph_option(merged):
    env = {**os.environ, "KG_STORE": str(merged.store)}
    rq = merged.store.parent / "count.rq"
    rq.write_text(COUNT.text)
    proc = subprocess.run([KG, "query", str(rq), "--graph", "extra", "--format", "csv"], capture_output=True,
                          check=False, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "3"]
    proc = subprocess.run([KG, "query", str(rq), "--graph", "nope"], capture_output=True, check=False, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 1 and proc.stderr.startswith("error: unknown graph 'nope'")


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_load_graph_views_without_parsing(merged, built):
    curated = load_graph()
    assert len(curated) == built.report["triples"]
    extra = load_graph(graph="extra")
    assert len(extra) == 3 and sorted(str(o) for o in extra.objects()) == ["c", "http://example.org/extra/b",
                                                                          "http://example.org/extra/c"]
    both = load_graph(graph="curated,extra")
    assert len(both) == built.report["triples"] + 3
    assert len(list(both.triples((None, None, None)))) == built.report["triples"] + 3


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_graph_streams_for_push(merged):
    streams = iter_graph_chunks(chunk_triples=1000)
    infos = {i.iri: i.triples for i in list_graphs()}
    assert [s.iri for s in streams][:3] == list(infos) and streams[-1].iri.endswith("/graph/meta")
    for stream in streams:
        chunks = list(stream.chunks())
        lines = [line for chunk in chunks for line in chunk.decode().splitlines()]
        assert len(lines) == stream.triples
        assert all(chunk.count(b"\n") <= 1000 for chunk in chunks)
        if stream.iri in infos:
            assert stream.triples == infos[stream.iri]


@pytest.mark.slow  # a real server over the merged store
def test_serve_serves_the_union_with_named_graphs_while_imports_go_on(merged, tmp_path):
    with start_server(port=free_port()) as server:
        served = count(endpoint=server.url)
        assert served == count()
        assert count(endpoint=server.url, graph="extra") == 3
        assert [(str(g), int(n)) for g, n in run_query(GRAPHS, endpoint=server.url).rows] == \
            [(str(g), int(n)) for g, n in run_query(GRAPHS).rows]
        (tmp_path / "more.ttl").write_text("<http://example.org/x> <http://example.org/p> 1 .\n")
        import_graph(tmp_path / "more.ttl")  # not locked out by the running server
        assert count() == served + 1
        assert count(endpoint=server.url) == served  # the server keeps its generation
    with start_server(port=free_port()) as server:
        assert count(endpoint=server.url) == served + 1
    from kg.graph_import import remove_import

    remove_import("more")


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_a_reader_keeps_its_generation_until_it_closes_it(merged, tmp_path):
    reader = open_store()
    held = reader.path
    (tmp_path / "tmp.ttl").write_text("<http://example.org/x> <http://example.org/p> 2 .\n")
    import_graph(tmp_path / "tmp.ttl")
    assert held.is_dir() and generations.current_path(merged.store) != held
    assert int(next(iter(reader.query(COUNT.text)))[0].value) == count() - 1
    reader.close()
    from kg.graph_import import remove_import

    remove_import("tmp")  # the next writer prunes the generation nobody holds any more
    assert not held.exists()


@pytest.mark.slow  # the merged store: a generated 10k-edge graph imported
def test_a_failed_write_publishes_nothing(merged):
    before = os.readlink(merged.store / "current")
    with pytest.raises(RuntimeError, match="boom"), generations.writing(merged.store) as writer:
        writer.store.update("CLEAR ALL")
        raise RuntimeError("boom")
    assert os.readlink(merged.store / "current") == before
    assert count(graph="extra") == 3
