"""The four views: whole graph or a neighbourhood, explanation paths, one patient's treatment sequence.

Each returns a pyvis ``Network`` (a ``KGNetwork``) and writes nothing; its
``nx_graph`` is the networkx graph it draws, node for node and edge for edge.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef

from kg.render.page import to_network
from kg.render.select import MAX_NODES, aggregate, find_node, path_graph, select
from kg.render.style import kind_label


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def network_view(G: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,
                 types: str | Iterable[str] | None = None, max_nodes: int = MAX_NODES,
                 title: str | None = None):
    """The entity graph ``G`` (from :func:`kg.network.project`), or the part around ``focus``.

    Parameters
    ----------
    G : the projected network.
    focus : a name, synonym or CURIE; keep the nodes within ``depth`` links of it.
    types : node kinds to keep ('Drug,Cytokine'); the focus node always stays.
    max_nodes : above this many nodes, leaves and then the least connected
        nodes are collapsed into group nodes (see :func:`kg.render.select.aggregate`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from kg.render import external_references, write_html
    >>> net = network_view(G, focus="ciclosporin", depth=2)
    >>> "kg:cyclosporine" in net.get_nodes()
    True
    >>> page = write_html(net, Path(tempfile.mkdtemp()) / "csa.html")
    >>> external_references(page.read_text(encoding="utf-8"))         # offline: loads nothing from the web
    []
    """
    H = select(G, focus=focus, depth=depth, types=types)
    drawn = aggregate(H, max_nodes=max_nodes)
    degrees = {n: G.degree(n) for n in drawn if n in G}
    centre = H.graph.get("focus")
    if title is None:
        title = (f"Around {G.nodes[centre].get('label', centre)} ({_count(depth, 'step')})" if centre
                 else "Dermatomyositis and psoriasis knowledge graph")
    kinds = sorted({d.get("kind", "Other") for _, d in H.nodes(data=True)})
    subtitle = f"{_count(H.number_of_nodes(), 'node')}, {_count(H.number_of_edges(), 'edge')}"
    if types is not None:
        subtitle += " · types: " + ", ".join(kind_label(k) for k in kinds)
    notes = []
    if agg := drawn.graph.get("aggregation"):
        how = [f"{agg['leaf_groups']:,} groups of leaves (nodes with one neighbour, by the node they hang from "
               "and their type)"] if agg.get("leaf_groups") else []
        if agg.get("kind_groups"):
            how.append(f"{agg['kind_groups']:,} groups of the least connected nodes, one per type")
        notes.append(f"{agg['original_nodes']:,} nodes are too many to draw at once (limit {max_nodes:,}): shown as "
                     f"{drawn.number_of_nodes():,}, with {' and '.join(how)}. Dashed outlines mark the groups; "
                     "hover one to see what it holds.")
    net = to_network(drawn, title, subtitle, notes, degrees=degrees)
    if centre is not None:
        _outline(net, {centre})
    return net


def path_view(G: nx.MultiDiGraph, drug: str, target: str, max_length: int = 4, prediction: Any = None):
    """The signed mechanism paths that explain a prediction, drug on the left, target on the right.

    ``prediction`` defaults to ``kg.analysis.explain(G, drug, target, max_length)``;
    the clinical edges it reports (drug to target) are drawn too.
    """
    source = find_node(G, drug, kind="drug")
    goal = find_node(G, target, kind="target")
    if prediction is None:
        from kg.analysis import explain

        prediction = explain(G, source, goal, max_length=max_length)
    H = path_graph(G, prediction, source, goal)
    _place_in_columns(H, prediction)
    d_label, t_label = G.nodes[source].get("label", source), G.nodes[goal].get("label", goal)
    paths = list(prediction.paths)
    counted = [p for p in paths if getattr(p, "counted", True)]
    mechanism = getattr(prediction, "mechanism", None)
    said = mechanism.phrase() if mechanism is not None else str(prediction.effect)
    subtitle = f"mechanism: {said} ({_count(len(counted), 'path')} of up to {max_length} links)"
    reported = getattr(prediction, "reported_answer", None)
    if reported is not None and reported.effect.known:
        subtitle += f" · reported clinically: {reported.phrase()}"
    notes = []
    if not paths:
        notes.append(f"No mechanism path of up to {max_length} links joins {d_label} to {t_label}.")
    if set_aside := len(paths) - len(counted):
        notes.append(f"{_count(set_aside, 'path')} set aside: a source says the drug leaves a node on it unchanged.")
    if getattr(prediction, "reported", None):
        notes.append("Direct edges from the drug to the target are the clinical reports; "
                     "the other edges are the mechanism paths.")
    net = to_network(H, f"Why {d_label} → {t_label}", subtitle, notes, degrees={n: G.degree(n) for n in H})
    _outline(net, {source, goal})
    return net


def _outline(net, ids: set[str]) -> None:
    """A thick black border on the nodes the view is about (focus; drug and target)."""
    for node in net.nodes:
        if node["id"] in ids:
            node["borderWidth"] = 4
            node["color"]["border"] = "#000000"


def _place_in_columns(H: nx.MultiDiGraph, prediction: Any, column: int = 280, row: int = 120) -> None:
    """Fixed positions: x by ``level`` (step along the paths); y by path, each path in its own lane.

    The heaviest path runs straight through the middle, the next ones above and below it
    (0, -1, +1, -2, ...), so a link that skips columns does not cut through the nodes of
    another path. Nodes shared by paths sit between their lanes; the drug and target in the middle.
    """
    drug, target = H.graph.get("drug"), H.graph.get("target")
    lanes: dict[str, list[int]] = {}
    for i, path in enumerate(prediction.paths):
        lane = (i + 1) // 2 * (1 if i % 2 == 0 else -1)
        for n in path.nodes:
            lanes.setdefault(n, []).append(lane)
    outer = max((abs(v) for ls in lanes.values() for v in ls), default=0) + 1
    wanted = {n: row * sum(ls) / len(ls) for n, ls in lanes.items()}
    wanted.update({drug: 0.0, target: 0.0})
    by_level: dict[int, list[str]] = {}
    for n, d in H.nodes(data=True):
        by_level.setdefault(int(d.get("level", 0)), []).append(n)
    for level, members in by_level.items():
        members.sort(key=lambda n: (wanted.get(n, -row * outer), str(H.nodes[n].get("label", n)).lower()))
        ys: list[float] = []
        for n in members:  # keep at least one row between nodes of a column
            y = wanted.get(n, -row * outer)
            ys.append(max(y, ys[-1] + row) if ys else y)
        for n, y in zip(members, ys, strict=True):
            H.nodes[n]["x"] = level * column
            H.nodes[n]["y"] = round(y)


def case_view(graph: Graph, patient: str | URIRef):
    """One patient's courses in order (top to bottom), each coloured by its outcome; concurrent side by side.

    ``patient`` is a case id ('000-1'), a CURIE ('kg:patient_000_1') or the patient's label.
    """
    from kg.render.case import case_graph, case_id

    H = case_graph(graph, patient)
    courses = [n for n, d in H.nodes(data=True) if d.get("kind") == "TreatmentCourse"]
    steps = len({H.nodes[c]["position"] for c in courses})
    title = f"Patient {case_id(URIRef(H.nodes[H.graph['patient']]['iri']))}: treatment sequence"
    subtitle = f"{H.graph['patient_label']} · {_count(len(courses), 'course')} in {_count(steps, 'step')}"
    notes = ["Time runs top to bottom; courses on one row were given together."]
    return to_network(H, title, subtitle, notes)
