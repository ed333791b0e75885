"""kg.render: what each view draws, how it looks, its tooltips, and that the page needs no network."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from html import escape, unescape
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import render
from kg.errors import KGError, UnknownNameError
from kg.render.style import EDGE_STYLE, KIND_STYLE, OUTCOME_STYLE, edge_category


@pytest.fixture(scope="module")
def G(graph):
    from kg.network import project

    return project(graph)


@pytest.fixture(scope="module")
def whole(G):
    return render.network_view(G)


def by_id(net) -> dict:
    return {n["id"]: n for n in net.nodes}


def edge_index(net) -> dict:
    return {(e["from"], e["to"], e["key"]): e for e in net.edges}


def synthetic_leafy(hubs: int = 300, leaves: int = 10, seed: int = 1) -> nx.MultiDiGraph:
    """Hubs linked at random, each with ``leaves`` leaf nodes of two kinds: 3,300 nodes by default."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    kinds = ["Drug", "Cytokine", "Disease", "Protein"]
    for h in range(hubs):
        G.add_node(f"hub:{h}", label=f"hub {h}", kind=kinds[h % 4])
    for h in range(hubs):
        for _ in range(3):
            other = rng.randrange(hubs)
            if other != h:
                G.add_edge(f"hub:{h}", f"hub:{other}", relation="kg:increases", label="increases",
                           sign=rng.choice([1, -1, 0]), family="mechanism", evidence=[])
        for i in range(leaves):
            leaf = f"leaf:{h}:{i}"
            G.add_node(leaf, label=f"leaf {h}.{i}", kind=kinds[i % 2])
            G.add_edge(f"hub:{h}", leaf, relation="kg:binds", label="binds", sign=None, family="mechanism",
                       evidence=[])
    return G


def synthetic_regular(n: int = 3000, seed: int = 2) -> nx.MultiDiGraph:
    """A 3-regular graph (no leaves at all), so grouping must fall back to collapsing by kind."""
    R = nx.MultiDiGraph(nx.random_regular_graph(3, n, seed=seed))
    R = nx.relabel_nodes(R, {i: f"x:{i}" for i in R})
    for i, node in enumerate(sorted(R)):
        R.nodes[node].update(label=node, kind=["Drug", "Cytokine", "Disease"][i % 3])
    return R


# --- the whole graph ----------------------------------------------------------------

def test_whole_graph_draws_every_node_and_edge(G, whole):
    from pyvis.network import Network

    assert isinstance(whole, Network)
    assert len(whole.nodes) == G.number_of_nodes() and len(whole.edges) == G.number_of_edges()
    assert set(by_id(whole)) == set(G.nodes)
    assert set(edge_index(whole)) == {(u, v, str(k)) for u, v, k in G.edges(keys=True)}
    assert whole.nx_graph.number_of_nodes() == G.number_of_nodes()


def test_node_colour_and_shape_follow_kind_and_size_follows_degree(G, whole):
    nodes = by_id(whole)
    for node, data in G.nodes(data=True):
        shape, colour = KIND_STYLE[data["kind"]]
        assert (nodes[node]["shape"], nodes[node]["color"]["background"]) == (shape, colour), node
    leaf = min(G.nodes, key=G.degree)
    assert nodes["kg:dermatomyositis"]["size"] > nodes[leaf]["size"]
    assert nodes["kg:cyclosporine"]["shape"] == "dot" and nodes["kg:TNFInhibitor"]["shape"] == "hexagon"


@pytest.mark.parametrize("relation, category", [
    ("kg:increases", "raises"), ("kg:inhibits", "lowers"), ("kg:decreases", "lowers"),
    ("kg:leavesUnchanged", "unchanged"), ("kg:treats", "treats"), ("kg:worsens", "worsens"),
    ("kg:binds", "unsigned"),
])
def test_edge_colour_follows_sign(G, whole, relation, category):
    edges = edge_index(whole)
    found = [(u, v, str(k)) for u, v, k, d in G.edges(keys=True, data=True) if d["relation"] == relation]
    assert found, f"no {relation} edge in the graph"
    for key in found:
        assert edges[key]["category"] == category
        assert edges[key]["color"]["color"] == EDGE_STYLE[category][1]


def test_edge_categories_from_sign_and_family():
    assert edge_category({"sign": 1, "family": "mechanism"}) == "raises"
    assert edge_category({"sign": -1, "family": "mechanism"}) == "lowers"
    assert edge_category({"sign": 0, "family": "mechanism"}) == "unchanged"
    assert edge_category({"sign": -1, "family": "clinical"}) == "treats"
    assert edge_category({"sign": 1, "family": "clinical"}) == "worsens"
    assert edge_category({"sign": None}) == "unsigned"
    assert len({colour for _, colour in EDGE_STYLE.values()}) == len(EDGE_STYLE)


def test_inherited_class_claims_are_dashed(G, whole):
    edges = edge_index(whole)
    inherited = [(u, v, str(k)) for u, v, k, d in G.edges(keys=True, data=True) if d.get("inherited")]
    assert inherited
    assert all(edges[k]["dashes"] for k in inherited)
    assert not any(e["dashes"] for k, e in edges.items() if k not in set(inherited))
    tip = edges[("kg:etanercept", "kg:dermatomyositis", "worsens@kg:TNFInhibitor")]["title"]
    assert "Inherited" in tip and "TNF inhibitor" in tip


def test_layout_settles_and_stops():
    small = render.network_view(synthetic_leafy(hubs=10, leaves=2))
    physics = small.options["physics"]
    assert physics["enabled"] and physics["stabilization"]["enabled"]
    assert physics["stabilization"]["iterations"] <= 500
    big = render.network_view(synthetic_leafy())
    assert big.options["physics"]["stabilization"]["iterations"] <= 300
    page = render.page_html(small)
    assert "stabilizationIterationsDone" in page and "physics: { enabled: false }" in page


# --- tooltips -----------------------------------------------------------------------

def test_every_node_and_edge_has_a_tooltip(whole):
    assert all(n["title"].startswith('<div class="tip">') for n in whole.nodes)
    assert all(e["title"].startswith('<div class="tip">') for e in whole.edges)


def test_node_tooltip_links_curies_to_resolvers(whole):
    nodes = by_id(whole)
    tip = nodes["kg:cyclosporine"]["title"]
    assert "<b>cyclosporine</b>" in tip and "kg:cyclosporine" in tip
    assert 'href="https://identifiers.org/drugbank:DB00091"' in tip
    assert 'href="http://purl.obolibrary.org/obo/CHEBI_4031"' in tip
    assert "Cyclic peptide immunosuppressant" in tip  # the definition
    assert 'href="http://purl.obolibrary.org/obo/MONDO_0005083"' in nodes["kg:psoriasis"]["title"]
    assert 'href="https://w3id' not in tip  # project terms link to nothing
    assert 'rel="noopener noreferrer"' in tip


def test_edge_tooltip_lists_the_publications_behind_it(G, whole):
    edges = edge_index(whole)
    key = ("kg:cyclosporine", "kg:type_i_ifn", "leavesUnchanged")
    data = G.edges[key]
    tip = edges[key]["title"]
    assert data["evidence"]
    for ev in data["evidence"]:
        assert escape(ev["citation_label"]) in tip
        if ev["identifier"].startswith("doi:"):
            assert f'href="https://doi.org/{ev["identifier"][4:]}"' in tip
        assert escape(ev["locator"]) in tip
    assert "leaves unchanged" in unescape(tip)


def test_uncited_links_say_so(whole):
    tips = [e["title"] for e in whole.edges if e["key"] == "subClassOf"]
    assert tips and all("No publication recorded" in t for t in tips)


def test_text_is_escaped_in_tooltips_and_page():
    G = nx.MultiDiGraph()
    G.add_node("kg:x", label='<script>alert("x")</script>', kind="Drug", definition="a < b & c > d",
               synonyms=["<img src=x onerror=alert(1)>"], xrefs=["PMID:1<2"])
    G.add_node("kg:y", label="y", kind="Cytokine")
    G.add_edge("kg:x", "kg:y", key="inhibits", relation="kg:inhibits", label="in<hi>bits", sign=-1,
               family="mechanism", evidence=[{"citation_label": "Doe </script> 2020", "identifier": "doi:10.1/<x>",
                                              "locator": "p. 3 & 4", "context": '"quoted"'}])
    net = render.network_view(G)
    tip = by_id(net)["kg:x"]["title"]
    assert "<script>" not in tip and "&lt;script&gt;" in tip
    assert "<img" not in tip and "a &lt; b &amp; c &gt; d" in tip
    edge_tip = net.edges[0]["title"]
    assert "</script>" not in edge_tip and "in&lt;hi&gt;bits" in edge_tip and "10.1/&lt;x&gt;" in edge_tip
    page = render.page_html(net)
    assert "<script>alert" not in page and "<img src=x" not in page
    # the only </script> closing tags are the page's own three
    assert page.count("</script>") == 3


# --- focus, depth, types --------------------------------------------------------------

def test_focus_keeps_the_neighbourhood(G):
    net = render.network_view(G, focus="ciclosporin", depth=1)
    near = set(nx.single_source_shortest_path_length(G.to_undirected(as_view=True), "kg:cyclosporine", cutoff=1))
    assert set(by_id(net)) == near
    assert set(net.nx_graph.edges(keys=True)) == set(G.subgraph(near).edges(keys=True))
    assert by_id(net)["kg:cyclosporine"]["borderWidth"] == 4
    two = render.network_view(G, focus="CsA", depth=2)
    assert set(by_id(two)) > near
    assert render.network_view(G, focus="DRUGBANK:DB00091", depth=0).nx_graph.number_of_nodes() == 1


def test_types_filter(G):
    net = render.network_view(G, types="Drug,cytokines")
    assert {n["kind"] for n in net.nodes} == {"Drug", "Cytokine"}
    assert len(net.nodes) == sum(1 for _, d in G.nodes(data=True) if d["kind"] in {"Drug", "Cytokine"})
    focused = render.network_view(G, focus="dermatomyositis", depth=2, types=["drug class"])
    kinds = {n["kind"] for n in focused.nodes}
    assert kinds == {"DrugClass", "Disease"}  # the focus stays whatever its type
    assert [n["id"] for n in focused.nodes if n["kind"] == "Disease"] == ["kg:dermatomyositis"]


def test_unknown_names_suggest_close_matches(G, graph):
    with pytest.raises(UnknownNameError) as info:
        render.network_view(G, focus="cyclosporinx")
    assert "cyclosporine" in info.value.suggestions
    with pytest.raises(UnknownNameError) as info:
        render.network_view(G, types="Drugz,Cytokine")
    assert info.value.suggestions == ["Drug"]
    with pytest.raises(UnknownNameError) as info:
        render.path_view(G, "TNF inhibitr", "dermatomyositis")
    assert "TNF inhibitor" in info.value.suggestions
    with pytest.raises(UnknownNameError) as info:
        render.case_view(graph, "000-9")
    assert "000-1" in info.value.suggestions


# --- path view ---------------------------------------------------------------------------

def test_path_view_draws_the_explanation(G):
    from kg.analysis import explain

    prediction = explain(G, "kg:TNFInhibitor", "kg:dermatomyositis")
    net = render.path_view(G, "TNF inhibitor", "dermatomyositis")
    H = net.nx_graph
    on_paths = {n for p in prediction.paths for n in p.nodes}
    assert on_paths <= set(H) and {"kg:tnf", "kg:type_i_ifn"} <= on_paths
    for path in prediction.paths:
        for step in path.edges:
            assert H.has_edge(step["source"], step["target"], step["key"])
    for r in prediction.reported:
        assert H.edges[r["source"], r["target"], r["key"]]["reported"]
    nodes = by_id(net)
    assert nodes["kg:TNFInhibitor"]["x"] < nodes["kg:tnf"]["x"] < nodes["kg:dermatomyositis"]["x"]
    assert all(n.get("physics") is False for n in net.nodes) and net.options["physics"]["enabled"] is False
    assert prediction.effect in net.view["subtitle"]
    edges = edge_index(net)
    assert edges[("kg:TNFInhibitor", "kg:tnf", "inhibits")]["category"] == "lowers"


def test_path_view_from_a_given_prediction_joins_broader_endpoints(G):
    steps = [{"source": "kg:tacrolimus", "target": "kg:calcineurin", "key": "inhibits"},
             {"source": "kg:calcineurin", "target": "kg:dermatomyositis", "key": "not-in-G", "relation": "kg:x",
              "label": "made up", "sign": 1, "family": "mechanism", "evidence": []}]
    prediction = SimpleNamespace(drug="kg:tacrolimus", target="kg:cadm", effect="improves", score=-0.1,
                                 reported=[], reported_effect="none reported",
                                 paths=[SimpleNamespace(nodes=["kg:tacrolimus", "kg:calcineurin", "kg:dermatomyositis"],
                                                        edges=steps, sign=-1, counted=True)])
    net = render.path_view(G, "tacrolimus", "CADM", prediction=prediction)
    H = net.nx_graph
    assert set(H) == {"kg:tacrolimus", "kg:calcineurin", "kg:dermatomyositis", "kg:cadm"}
    assert H.has_edge("kg:cadm", "kg:dermatomyositis")  # the subtype link to the target
    assert H.edges["kg:calcineurin", "kg:dermatomyositis", "not-in-G"]["label"] == "made up"
    assert by_id(net)["kg:cadm"]["x"] > by_id(net)["kg:dermatomyositis"]["x"]


# --- case view ----------------------------------------------------------------------------

def courses(net) -> list[dict]:
    return [n for n in net.nodes if n["kind"] == "TreatmentCourse"]


def test_case_view_orders_courses_with_outcomes(graph):
    net = render.case_view(graph, "000-1")
    cs = courses(net)
    H = net.nx_graph
    positions = [H.nodes[c["id"]]["position"] for c in cs]
    assert len(cs) == 11 and sorted(positions) == list(range(1, 12))
    by_position = sorted(cs, key=lambda c: H.nodes[c["id"]]["position"])
    ys = [c["y"] for c in by_position]
    assert ys == sorted(ys) and len(set(ys)) == 11  # one row per step, top to bottom
    last = by_position[-1]
    assert last["label"].startswith("11. cyclosporine") and last["outcome"] == "remission"
    assert last["color"]["background"] == OUTCOME_STYLE["remission"][1]
    assert "Case Synopsis" in last["title"] and "2 years" in last["title"]
    assert all(c["outcome"] == "minimal_response" for c in by_position[:-1])
    assert by_id(net)["kg:patient_000_1"]["kind"] == "Patient"
    assert {"kg:cadm", "kg:psoriasis"} <= set(by_id(net))


def test_case_view_puts_concurrent_courses_side_by_side(graph):
    net = render.case_view(graph, "kg:patient_003_1")
    H = net.nx_graph
    rows: dict[int, list[dict]] = {}
    for c in courses(net):
        rows.setdefault(H.nodes[c["id"]]["position"], []).append(c)
    assert sorted(rows) == [0, 1, 2, 3, 4, 5, 6, 7]
    for row in rows.values():
        assert len({c["y"] for c in row}) == 1 and len({c["x"] for c in row}) == len(row)
    assert len(rows[3]) == 2 and len(rows[7]) == 2
    # every course of a step leads to every course of the next
    assert H.has_edge("kg:course_003_1_2_hydroxychloroquine", "kg:course_003_1_3_tacrolimus")
    assert H.has_edge("kg:course_003_1_3_tacrolimus", "kg:course_003_1_4_cyclophosphamide")
    label = H.graph["patient_label"]
    assert render.case_view(graph, label).nx_graph.graph["patient"] == "kg:patient_003_1"


# --- aggregation ---------------------------------------------------------------------------

def represented(H: nx.MultiDiGraph) -> int:
    return sum(int(d.get("count", 1)) if d.get("aggregated") else 1 for _, d in H.nodes(data=True))


def test_small_graphs_are_not_aggregated(G):
    assert render.aggregate(G) is G


def test_leaves_are_grouped_above_the_threshold():
    big = synthetic_leafy()
    assert big.number_of_nodes() == 3300
    net = render.network_view(big)
    H = net.nx_graph
    assert H.number_of_nodes() <= render.MAX_NODES and len(net.nodes) == H.number_of_nodes()
    assert represented(H) == big.number_of_nodes()
    groups = [d for _, d in H.nodes(data=True) if d.get("aggregated")]
    assert groups and all(d["count"] == len(d["members"]) for d in groups)
    assert all(n.get("shapeProperties") for n in net.nodes if n["id"].startswith("group:"))
    assert "too many to draw" in net.view["notes"][0]


def test_graphs_without_leaves_collapse_by_kind():
    big = synthetic_regular()
    H = render.aggregate(big, max_nodes=1000)
    assert H.number_of_nodes() <= 1000
    assert represented(H) == big.number_of_nodes()
    kinds = {d["kind"] for _, d in H.nodes(data=True) if d.get("aggregated")}
    assert kinds == {"Drug", "Cytokine", "Disease"}
    grouped = [d for *_, d in H.edges(data=True) if d.get("count", 1) > 1]
    assert grouped and all(sum(d["relations"].values()) == d["count"] for d in grouped)


# --- the page: offline, written by the caller, shown in notebooks ---------------------------

def test_pages_load_nothing_from_outside(G, graph, whole):
    pages = [whole, render.network_view(G, focus="cyclosporine", depth=2),
             render.path_view(G, "TNF inhibitor", "dermatomyositis"), render.case_view(graph, "002-1")]
    for net in pages:
        html = render.page_html(net)
        assert render.external_references(html) == []
        # belt and braces, with a plain regex over the markup and stylesheets (script bodies left out)
        markup = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", html, flags=re.DOTALL | re.IGNORECASE)
        for pattern in (r"<script[^>]+src=", r"<link[^>]+href=", r"@import", r"url\((?!\s*['\"]?data:)"):
            assert not re.search(pattern, markup, re.IGNORECASE), pattern
        for host in ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "bootstrap.min"):
            assert host not in html
        assert "vis.Network" in html and "vis-network" in html  # the library itself is inlined


def test_offline_check_catches_every_way_to_load_a_url():
    page = """<html><head><link rel="stylesheet" href="https://cdn.example/x.css">
    <script src="//cdn.example/x.js"></script><style>@import "theme.css"; .a{background:url('http://x/y.png')}
    .b{background:url(data:image/png;base64,AAAA)}</style></head>
    <body style="background-image: url(https://x/bg.png)"><img src="pic.png" srcset="a.png 1x, b.png 2x">
    <a href="https://doi.org/10.1/x">a link is not loaded</a><iframe src="https://x/frame"></iframe></body></html>"""
    found = render.external_references(page)
    assert found == ["https://cdn.example/x.css", "//cdn.example/x.js", "http://x/y.png", "theme.css",
                     "https://x/bg.png", "pic.png", "a.png", "b.png", "https://x/frame"]


def test_write_html_is_the_callers_choice(tmp_path, whole, monkeypatch):
    monkeypatch.chdir(tmp_path)
    html = render.page_html(whole)
    assert list(tmp_path.iterdir()) == []  # building a view writes nothing
    out = render.write_html(whole, tmp_path / "sub" / "view.html")
    assert out.read_text(encoding="utf-8") == html
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["view.html"]
    assert whole.generate_html() == html  # pyvis's own entry points give the same page


def test_network_shows_inline_in_notebooks(whole):
    shown = whole._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "&lt;script&gt;" in shown
    assert render.external_references(unescape(shown.split('"')[1])) == []


def test_importing_render_does_not_import_pyvis():
    code = "import sys, kg.render, kg.cli.viz; print('pyvis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- command line ----------------------------------------------------------------------------

def run_cli(*args: str):
    from kg.cli import cli

    return CliRunner().invoke(cli, ["viz", *args])


def test_cli_writes_a_focus_view(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("--focus", "cyclosporine", "--depth", "2", "--out", "csa.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "csa.html").read_text(encoding="utf-8")
    assert "Around cyclosporine" in page and render.external_references(page) == []
    assert "wrote csa.html" in result.output


@pytest.mark.parametrize("args, name", [
    ((), "graph.html"),
    (("--path", "TNF inhibitor", "dermatomyositis"), "path-tnf-inhibitor-dermatomyositis.html"),
    (("--case", "000-1"), "case-000-1.html"),
    (("--types", "Drug,Cytokine"), "graph.html"),
])
def test_cli_views_and_default_names(tmp_path, monkeypatch, args, name):
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).is_file()


@pytest.mark.parametrize("args, error", [
    (("--focus", "cyclosporinx"), UnknownNameError),
    (("--case", "000-9"), UnknownNameError),
    (("--focus", "cyclosporine", "--case", "000-1"), KGError),
    (("--case", "000-1", "--types", "Drug"), KGError),
])
def test_cli_user_errors(tmp_path, monkeypatch, args, error):
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.exit_code != 0 and isinstance(result.exception, error)
    assert not list(Path(tmp_path).glob("*.html"))
