"""Choosing what a view draws: whole graph, neighbourhood, paths, a patient's courses; grouping big graphs.

Every function here returns a networkx graph (what the page will show, node
for node and edge for edge) and never touches HTML, so tests can check the
selection without a browser.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.errors import UnknownNameError, UsageError
from kg.lookup import normalise
from kg.render.style import kind_label

MAX_NODES = 1500  # above this, aggregate before drawing: vis-network stays usable up to about here


# --- names ---------------------------------------------------------------------

def find_node(G: nx.Graph, name: str, kind: str = "entity") -> str:
    """The node ``name`` denotes (CURIE, label, synonym or cross-reference; see :func:`kg.network.node_id`).

    Raises :class:`~kg.errors.UnknownNameError` with close matches.
    """
    from kg.network import node_id

    return node_id(G, name.strip(), kind)


def parse_types(G: nx.Graph, types: str | Iterable[str] | None) -> set[str] | None:
    """Node kinds named by ``types`` ('Drug,cytokine', 'drug class', 'drugs'); None means all."""
    if types is None:
        return None
    wanted = [t for t in (types.split(",") if isinstance(types, str) else types) if t.strip()]
    if not wanted:
        return None
    kinds = sorted({str(d.get("kind") or "Other") for _, d in G.nodes(data=True)})
    by_key = {}
    for kind in kinds:
        by_key[normalise(kind)] = kind
        by_key[normalise(kind_label(kind))] = kind
    out = set()
    for raw in wanted:
        key = normalise(raw)
        hit = by_key.get(key) or (by_key.get(key[:-1]) if key.endswith("s") else None)
        if hit is None:
            raise UnknownNameError("node type", raw.strip(), kinds)
        out.add(hit)
    return out


# --- entity views --------------------------------------------------------------

def select(G: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,
           types: str | Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The part of ``G`` to draw, as a copy (attributes included).

    ``types`` keeps nodes of those kinds (the focus node always stays);
    ``focus`` keeps the nodes within ``depth`` links of it, following links in
    either direction and only through nodes of the kept kinds.
    """
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    kinds = parse_types(G, types)
    centre = find_node(G, focus) if focus is not None else None
    keep: Iterable[str] = G.nodes
    if kinds is not None:
        keep = [n for n, d in G.nodes(data=True) if d.get("kind", "Other") in kinds or n == centre]
    H = G.subgraph(keep)
    if centre is not None:
        reach = nx.single_source_shortest_path_length(H.to_undirected(as_view=True), centre, cutoff=depth)
        H = H.subgraph(reach)
    out = H.copy()
    out.graph.update(G.graph)
    if centre is not None:
        out.graph["focus"] = centre
    return out


def _merge_edges(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """One drawn edge standing for several: shared sign/family kept, relations counted."""
    if len(edges) == 1:
        return dict(edges[0])
    labels = Counter(str(e.get("label") or e.get("relation") or "related to") for e in edges)
    signs = {e.get("sign") for e in edges}
    families = {e.get("family") for e in edges}
    top, n_top = labels.most_common(1)[0]
    return {
        "relation": "", "label": f"{top} ×{n_top}" if len(labels) == 1 else f"{len(edges)} relations",
        "sign": signs.pop() if len(signs) == 1 else None,
        "family": families.pop() if len(families) == 1 else None,
        "evidence": [], "inherited": all(e.get("inherited") for e in edges), "via": "",
        "count": len(edges), "relations": dict(labels.most_common()),
    }


def _contract(G: nx.MultiDiGraph, group_of: dict[str, str], groups: dict[str, dict[str, Any]]) -> nx.MultiDiGraph:
    """``G`` with each node in ``group_of`` replaced by its group node; parallel edges merged."""
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for n, d in G.nodes(data=True):
        if n not in group_of:
            H.add_node(n, **d)
    for gid, attrs in groups.items():
        H.add_node(gid, **attrs)
    bundles: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, k, d in G.edges(keys=True, data=True):
        a, b = group_of.get(u, u), group_of.get(v, v)
        if a == b and (u in group_of or v in group_of):
            continue  # inside one group: counted in the group, not drawn
        if u in group_of or v in group_of:
            bundles[(a, b)].append(d)
        else:
            H.add_edge(u, v, key=k, **d)
    for (a, b), edges in bundles.items():
        H.add_edge(a, b, key="grouped", **_merge_edges(edges))
    return H


def aggregate(G: nx.MultiDiGraph, max_nodes: int = MAX_NODES) -> nx.MultiDiGraph:
    """A graph of at most ``max_nodes`` nodes standing for ``G`` (``G`` itself when small enough).

    First, leaves (nodes with one neighbour) of the same kind hanging off the
    same node become one group node. If that is not enough, the nodes with the
    most links are kept and the rest are collapsed into one node per kind.
    Group nodes carry ``aggregated=True``, ``members`` and ``count``; grouped
    edges carry ``count`` and the ``relations`` they stand for.
    """
    if G.number_of_nodes() <= max_nodes:
        return G
    und = G.to_undirected(as_view=True)
    leaves: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in G:
        nbrs = set(und[n]) - {n}
        if len(nbrs) == 1:
            leaves[(next(iter(nbrs)), str(G.nodes[n].get("kind", "Other")))].append(n)
    group_of: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for (hub, kind), members in sorted(leaves.items()):
        if len(members) < 2:
            continue
        gid = f"group:{kind}@{hub}"
        hub_label = G.nodes[hub].get("label", hub)
        members = sorted(members)
        groups[gid] = {"label": f"{len(members)} × {kind_label(kind)}", "kind": kind, "aggregated": True,
                       "members": members, "count": len(members), "curie": "",
                       "member_labels": [str(G.nodes[m].get("label", m)) for m in members],
                       "definition": f"{len(members)} {kind_label(kind)} nodes linked only to {hub_label}."}
        group_of.update((m, gid) for m in members)
    H = _contract(G, group_of, groups) if groups else G
    H.graph["aggregation"] = {"original_nodes": G.number_of_nodes(), "original_edges": G.number_of_edges(),
                              "leaf_groups": len(groups)}
    if H.number_of_nodes() <= max_nodes:
        return H
    # Still too big: keep the best-connected nodes, collapse the rest by kind.
    kinds = Counter(str(d.get("kind", "Other")) for _, d in H.nodes(data=True))
    budget = max(1, max_nodes - len(kinds))
    weight = {n: H.degree(n) + int(H.nodes[n].get("count", 0)) for n in H}
    kept = set(sorted(H, key=lambda n: (-weight[n], n))[:budget])
    rest: dict[str, list[str]] = defaultdict(list)
    for n, d in H.nodes(data=True):
        if n not in kept:
            rest[str(d.get("kind", "Other"))].append(n)
    group_of2: dict[str, str] = {}
    groups2: dict[str, dict[str, Any]] = {}
    for kind, members in sorted(rest.items()):
        gid = f"group:{kind}@rest"
        count = sum(int(H.nodes[m].get("count", 1)) for m in members)
        inner = [(x, lab) for m in sorted(members) for x, lab in zip(
            H.nodes[m].get("members", [m]), H.nodes[m].get("member_labels", [H.nodes[m].get("label", m)]), strict=True)]
        groups2[gid] = {"label": f"{count} more × {kind_label(kind)}", "kind": kind, "aggregated": True,
                        "members": [x for x, _ in inner], "member_labels": [str(lab) for _, lab in inner],
                        "count": count, "curie": "",
                        "definition": f"{count} less connected {kind_label(kind)} nodes, collapsed."}
        group_of2.update((m, gid) for m in members)
    out = _contract(H, group_of2, groups2)
    out.graph["aggregation"] = {**H.graph["aggregation"], "kind_groups": len(groups2)}
    return out


# --- paths ---------------------------------------------------------------------

_STEP_ONLY = ("source", "target", "key", "edge_weight")


def _add_node(H: nx.MultiDiGraph, G: nx.MultiDiGraph, n: str) -> None:
    if n not in H:
        H.add_node(n, **(G.nodes[n] if n in G else {"label": n}))


def _add_step(H: nx.MultiDiGraph, G: nx.MultiDiGraph, step: dict[str, Any], **extra: Any) -> tuple[str, str]:
    """Add one edge of a path (or a reported edge) as the projection holds it; returns (source, target)."""
    u, v, key = step["source"], step["target"], step.get("key")
    if key is not None and G.has_edge(u, v, key):
        data = dict(G.edges[u, v, key])
    else:  # an edge the analysis derived (e.g. a superclass's claim reaching a subclass)
        data = {k: val for k, val in step.items() if k not in _STEP_ONLY}
        key = key if key is not None else f"{data.get('relation', 'step')}@{data.get('via', '')}"
    _add_node(H, G, u)
    _add_node(H, G, v)
    if H.has_edge(u, v, key):
        H.edges[u, v, key].update(extra)
    else:
        H.add_edge(u, v, key=key, **data, **extra)
    return u, v


def _layers(H: nx.MultiDiGraph, drug: str, target: str, fallback: dict[str, int]) -> dict[str, int]:
    """Column of each path node: its longest distance from the drug along path edges, so every
    path edge points rightwards (the step index along a path when the path edges form a cycle)."""
    dag = nx.DiGraph((u, v) for u, v, d in H.edges(data=True) if d.get("on_path") and target not in (u,))
    if not nx.is_directed_acyclic_graph(dag):
        return {}
    out = {drug: 0}
    for n in nx.topological_sort(dag):
        for m in dag.successors(n):
            out[m] = max(out.get(m, 0), out.get(n, fallback.get(n, 0)) + 1)
    return out


def path_graph(G: nx.MultiDiGraph, prediction: Any, drug: str | None = None,
               target: str | None = None) -> nx.MultiDiGraph:
    """The nodes and edges of a prediction's explanation paths and reported clinical edges.

    ``prediction`` is a :class:`kg.analysis.Prediction`. Each node gets ``level``:
    its step along the paths (drug 0, target last). A path that ends at a broader
    or narrower condition is joined to the target by the subtype edge between them.
    """
    drug = drug or prediction.drug
    target = target or prediction.target
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    _add_node(H, G, drug)
    _add_node(H, G, target)
    level: dict[str, int] = {drug: 0}
    ends: set[str] = set()
    for path in prediction.paths:
        for i, n in enumerate(path.nodes):
            level[n] = min(level.get(n, i), i)
        for step in path.edges:
            _add_step(H, G, step, on_path=True, counted=bool(getattr(path, "counted", True)))
        ends.add(path.nodes[-1])
    for step in getattr(prediction, "reported", ()) or ():
        _add_step(H, G, step, reported=True)
        ends.add(step["target"])
    for end in ends - {target}:
        linked = False
        for a, b in ((target, end), (end, target)):
            for key, data in (G.get_edge_data(a, b) or {}).items():
                if not H.has_edge(a, b, key):
                    H.add_edge(a, b, key=key, **data)
                linked = True
        if not linked:
            H.add_edge(target, end, key="scope", relation="kg:subtypeOf", label="falls under", sign=None,
                       family="taxonomy", evidence=[], inherited=False, via="")
    level.update(_layers(H, drug, target, level))
    top = max([lv for n, lv in level.items() if n != target] + [0])
    last = top + 1
    for n in H:  # the target, and conditions only reported (not reached by a path), go last
        H.nodes[n]["level"] = last if n == target or n not in level else level[n]
    H.graph.update(drug=drug, target=target)
    return H
