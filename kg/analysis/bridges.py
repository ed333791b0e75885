"""Entities that connect two diseases, ranked.

The connecting paths are the simple paths between the two diseases, up to
``max_length`` steps, in the *undirected* view of the mechanism layer: the cited
mechanism relations (inhibits, increases, contributes to, leaves unchanged ...)
plus the subtype and family links (helper T cell is a T cell; IFN-α is a type I
interferon). Class-level copies are left out (each claim counts once, at the
class). Reported clinical edges (treats, first-line, worsens ...) are not
connections between the diseases' biology - every widely used drug would
"bridge" every pair - so they are kept out of the paths by default and
reported separately as *shared therapies* (pass ``layers`` to include them).

Score of an entity X (``share``): the fraction of the total weight of the
connecting paths that runs through X,

    share(X) = Σ_{P ∋ X} w(P) / Σ_P w(P),
    w(P) = Π_{(u, v) ∈ P} w(u, v) · (deg(u) · deg(v)) ** -damping

with ``w(u, v)`` the evidence weight of the edge (:func:`kg.analysis.edge_weight`;
subtype and family links count 1) and degrees in the same undirected view, as in
Hetionet's degree-weighted path count. Each bridge also carries the number of
paths through it, its shortest-path betweenness between the two diseases
(:func:`networkx.betweenness_centrality_subset`), and what it does to each
disease: for a molecule, cell or process, whether a rise in it ``raises`` or
``lowers`` the disease by its own signed paths (X → ... → disease); for a drug,
whether it ``improves`` or ``worsens`` it (the mechanism prediction, else the
reported effect, marked so); ``conflicting``, or ``unknown`` without either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis.paths import CERTAINTY_FACTOR, DAMPING, Mechanisms, edge_weight, mechanisms
from kg.analysis.predict import explain, reported_edges
from kg.answers import Effect
from kg.evidence import noisy_or
from kg.network import is_therapy

__all__ = ["Bridge", "BridgeReport", "SharedTherapy", "bridges", "connecting_view"]

LINK_FAMILIES = ("taxonomy", "membership")


@dataclass
class Bridge:
    node: str
    label: str
    kind: str
    share: float
    paths: int
    betweenness: float
    effect_a: Effect
    effect_b: Effect
    example: list[str] = field(default_factory=list)
    rank: int = 0
    reported_a: bool = False   # the effect on a comes from reported clinical edges, not from mechanism paths
    reported_b: bool = False

    @property
    def acts_on_both(self) -> bool:
        """Its own signed paths (or reports) reach both diseases (a shared driver or brake)."""
        return self.effect_a.known and self.effect_b.known

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "node": self.node, "label": self.label, "kind": self.kind, "share": self.share,
                "paths": self.paths, "betweenness": self.betweenness, "effect_a": self.effect_a.value,
                "effect_b": self.effect_b.value, "reported_a": self.reported_a, "reported_b": self.reported_b,
                "acts_on_both": self.acts_on_both, "example_path": self.example}


@dataclass
class SharedTherapy:
    """A drug or class with reported clinical edges to both diseases."""

    node: str
    label: str
    kind: str
    reported_a: str
    reported_b: str
    edges_a: list[str]
    edges_b: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "label": self.label, "kind": self.kind, "reported_a": self.reported_a,
                "reported_b": self.reported_b, "edges_a": self.edges_a, "edges_b": self.edges_b}


@dataclass
class BridgeReport:
    a: str
    b: str
    labels: dict[str, str]
    bridges: list[Bridge]
    shared_therapies: list[SharedTherapy]
    n_paths: int
    max_length: int
    layers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "a_label": self.labels.get(self.a, self.a),
                "b_label": self.labels.get(self.b, self.b), "max_length": self.max_length,
                "layers": list(self.layers), "connecting_paths": self.n_paths,
                "bridges": [x.to_dict() for x in self.bridges],
                "shared_therapies": [s.to_dict() for s in self.shared_therapies]}


def connecting_view(G: nx.MultiDiGraph | Mechanisms, layers: Iterable[str] = ("mechanism",),
                    certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> nx.Graph:
    """Undirected simple graph of the chosen edge families (plus subtype/family links).

    Parallel edges merge into one whose ``weight`` is the noisy-OR of theirs;
    class-level copies (``inherited``) are left out.
    """
    H = mechanisms(G, certainty).H
    families = set(layers) | set(LINK_FAMILIES)
    U = nx.Graph()
    for u, v, d in H.edges(data=True):
        if d.get("family") not in families or d.get("inherited") or u == v:
            continue
        w = 1.0 if d["family"] in LINK_FAMILIES else edge_weight(d, certainty)
        if U.has_edge(u, v):
            U[u][v]["weight"] = noisy_or([U[u][v]["weight"], w])
        else:
            U.add_edge(u, v, weight=w)
    return U


def bridges(G: nx.MultiDiGraph | Mechanisms, a: str, b: str, *, max_length: int = 6, top: int | None = None,
            layers: Iterable[str] = ("mechanism",), damping: float = DAMPING,
            certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> BridgeReport:
    """Rank the entities on the paths that connect diseases ``a`` and ``b``.

    See the module docstring for the score. Also lists the therapies with
    reported clinical edges to both diseases (or broader/narrower ones).

    Examples
    --------
    >>> report = bridges(G, "dermatomyositis", "psoriasis")
    >>> [(x.label, x.kind) for x in report.bridges[:2]]
    [('TNF-α', 'Cytokine'), ('type I interferon', 'Cytokine')]
    """
    index = mechanisms(G, certainty)
    G = index
    a, b = index.node(a, "disease"), index.node(b, "disease")
    layers = tuple(layers)
    H = index.H
    U = connecting_view(index, layers, certainty)
    weight: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    best: dict[str, tuple[float, list[str]]] = {}
    total, n_paths = 0.0, 0
    if a in U and b in U:
        for path in nx.all_simple_paths(U, a, b, cutoff=max_length):
            w = 1.0
            for u, v in zip(path, path[1:]):
                w *= U[u][v]["weight"] * (U.degree(u) * U.degree(v)) ** -damping
            total += w
            n_paths += 1
            for x in path[1:-1]:
                weight[x] += w
                count[x] += 1
                if x not in best or w > best[x][0]:
                    best[x] = (w, path)
        between = nx.betweenness_centrality_subset(U, sources=[a], targets=[b], normalized=False)
    else:
        between = {}
    labels = {n: H.nodes[n].get("label", n) for n in H}
    found = []
    for x in weight:
        (ea, ra), (eb, rb) = (_effect(H, explain(G, x, d, max_length=min(max_length, 4), certainty=certainty))
                              for d in (a, b))
        found.append(Bridge(node=x, label=labels.get(x, x), kind=H.nodes[x].get("kind", ""),
                            share=weight[x] / total if total else 0.0, paths=count[x],
                            betweenness=float(between.get(x, 0.0)), effect_a=ea, effect_b=eb,
                            example=[labels.get(n, n) for n in best[x][1]], reported_a=ra, reported_b=rb))
    found.sort(key=lambda x: (-round(x.share, 12), -x.paths, x.label))
    for i, x in enumerate(found, 1):
        x.rank = i
    shared = _shared_therapies(G, H, a, b, labels, certainty)
    return BridgeReport(a=a, b=b, labels=labels, bridges=found[:top] if top is not None else found,
                        shared_therapies=shared, n_paths=n_paths, max_length=max_length, layers=layers)


#: What a rise in a molecule, cell or process does to the disease, by its own signed paths.
_ROLE = {Effect.IMPROVES: Effect.LOWERS, Effect.WORSENS: Effect.RAISES}


def _effect(H: nx.MultiDiGraph, pred) -> tuple[Effect, bool]:
    """(effect, from reports): a therapy improves or worsens the disease (mechanism, else reported
    clinical edges); a rise in anything else raises or lowers it."""
    if is_therapy(H.nodes[pred.drug]):
        if not pred.effect.known and pred.reported_effect in (Effect.IMPROVES, Effect.WORSENS, Effect.CONFLICTING):
            return pred.reported_effect, True
        return pred.effect, False
    return _ROLE.get(pred.effect, pred.effect), False


def _shared_therapies(G, H, a, b, labels, certainty) -> list[SharedTherapy]:
    out = []
    for n, d in sorted(H.nodes(data=True)):
        if d.get("kind") not in ("Drug", "DrugClass"):
            continue
        ra, rb = reported_edges(G, n, a, certainty), reported_edges(G, n, b, certainty)
        own_a = [r for r in ra if not r.get("inherited")]
        own_b = [r for r in rb if not r.get("inherited")]
        if not own_a or not own_b:
            continue  # members inheriting a class's claims are listed through the class
        out.append(SharedTherapy(node=n, label=labels.get(n, n), kind=d.get("kind", ""),
                                 reported_a=explain(G, n, a, 1).reported_effect,
                                 reported_b=explain(G, n, b, 1).reported_effect,
                                 edges_a=[f"{r['label']} {labels.get(r['target'], r['target'])}" for r in own_a],
                                 edges_b=[f"{r['label']} {labels.get(r['target'], r['target'])}" for r in own_b]))
    return out
