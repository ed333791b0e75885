"""Signed mechanism paths over the networkx projection.

A *mechanism path* is a chain of cited mechanism relations (``kg:inhibits``,
``kg:increases``, ``kg:contributesTo`` ...) from a drug to a target. Each relation
carries its sign in the ontology (``kg:sign``, copied onto the edge as ``sign`` by
:func:`kg.network.project`): +1 raises the object, -1 lowers it, 0 leaves it
unchanged. The sign of a path is the product of its edge signs, so

    TNF inhibitor ⊣ TNF-α ⊣ type I IFN → dermatomyositis   (-1)(-1)(+1) = +1

raises dermatomyositis activity: a predicted worsening. Relations without a sign
(``kg:binds``) do not carry a direction and are not followed.

Each path has a weight in the manner of Hetionet's degree-weighted path count
(DWPC; Himmelstein et al. 2017): the product over its edges of

    w(e) · (outdeg(u) · indeg(v)) ** -damping

where ``w(e)`` is the edge's evidence weight (noisy-OR over its evidence records of
``kg:evidenceWeight`` of the evidence type times a certainty factor: stated 1,
hypothesis 0.5, not established 0.25) and the degrees count distinct signed
mechanism neighbours, so that paths through hubs count less.

Functions take the projection ``G`` (:func:`kg.network.project`); they work on
:func:`kg.network.with_subsumption` of it, so claims about T cells reach helper
T cells and claims about a superclass reach its subclasses. A path may end at the
target, at something broader (a claim about DM answers for CADM) or at something
narrower (a claim about CADM is evidence about DM); :attr:`Path.scope` says which.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.answers import Answer, Basis, Effect, evidence_records
from kg.errors import UsageError
from kg.evidence import STATED, UNCITED_WEIGHT, noisy_or, record_weight
from kg.lookup import NameIndex
from kg.network import broader, class_tree, is_condition, is_therapy, narrower, with_subsumption

__all__ = ["ARROW", "CERTAINTY_FACTOR", "DAMPING", "Mechanisms", "Path", "Profile", "analysis_graph",
           "answer_of_paths", "edge_weight", "endpoints", "mechanisms", "mechanism_profile", "net_effect",
           "paths_score", "signed_paths"]

#: How much a claim counts by how firmly its source states it (see ``kg:Certainty``).
CERTAINTY_FACTOR: Mapping[str, float] = {"kg:stated": 1.0, "kg:hypothesis": 0.5, "kg:unestablished": 0.25}
#: Degree damping exponent of the DWPC (Hetionet used 0.4).
DAMPING = 0.4


@dataclass
class Path:
    """One signed chain of relations from a drug to a target.

    Attributes
    ----------
    nodes : list of str
        CURIEs from the drug to the node reached.
    edges : list of dict
        The projection's edge data of each step (``relation``, ``label``, ``sign``,
        ``family``, ``evidence``, ``inherited``, ``via``) plus ``source``, ``target``,
        ``key`` and ``edge_weight``.
    sign : int
        Product of the edge signs: -1 lowers the end node, +1 raises it, 0 leaves it.
    weight : float
        The path's DWPC term (evidence- and degree-weighted).
    scope : str
        ``"target"``, ``"broader"`` (the path ends at something the target is a
        subtype/member of) or ``"narrower"`` (at a subtype/member of the target).
    overridden_by : dict or None
        A direct "leaves unchanged" claim of the drug about a node this path passes
        through: the source observed no change there, so the path's inference is
        set aside (listed, not counted).
    """

    nodes: list[str]
    edges: list[dict[str, Any]]
    sign: int
    weight: float
    scope: str = "target"
    overridden_by: dict[str, Any] | None = None

    @property
    def length(self) -> int:
        return len(self.edges)

    @property
    def reaches(self) -> str:
        return self.nodes[-1]

    @property
    def inherited(self) -> bool:
        """True when a step rests on a claim made about a class, supertype or family."""
        return any(e.get("inherited") for e in self.edges)

    @property
    def via(self) -> list[str]:
        """The classes, supertypes or families whose claims the path borrows."""
        return sorted({e["via"] for e in self.edges if e.get("via")})

    @property
    def counted(self) -> bool:
        return self.overridden_by is None

    @property
    def hypothetical(self) -> bool:
        """True when a step has only hypothetical or unestablished evidence (no stated claim)."""
        return any(_hypothetical(edge) for edge in self.edges)

    def sentence(self, labels: Mapping[str, str] | None = None) -> str:
        """In words: 'tacrolimus inhibits calcineurin, which activates NF-AT, which ...'."""
        labels = labels or {}
        parts = []
        for i, edge in enumerate(self.edges):
            head = labels.get(edge["source"], edge["source"]) if i == 0 else "which"
            parts.append(f"{head} {edge.get('label') or edge['relation']} {labels.get(edge['target'], edge['target'])}")
        return ", ".join(parts)

    def text(self, labels: Mapping[str, str] | None = None) -> str:
        """``TNF inhibitor ⊣ TNF-α ⊣ type I interferon → dermatomyositis``."""
        labels = labels or {}
        parts = [labels.get(self.nodes[0], self.nodes[0])]
        for edge in self.edges:
            parts.append(ARROW.get(edge.get("sign"), "—"))
            parts.append(labels.get(edge["target"], edge["target"]))
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes), "sign": self.sign, "weight": self.weight, "length": self.length,
                "scope": self.scope, "inherited": self.inherited, "via": self.via,
                "overridden_by": _edge_summary(self.overridden_by) if self.overridden_by else None,
                "edges": [_edge_summary(e) for e in self.edges]}


#: How a step is drawn in views and JSON: raises, lowers, leaves unchanged (text output uses words).
ARROW = {1: "→", -1: "⊣", 0: "⊘", None: "—"}


def _hypothetical(edge: Mapping[str, Any]) -> bool:
    records = edge.get("evidence") or ()
    return bool(records) and all(r.get("certainty", STATED) not in (STATED, "", None) for r in records)


def _edge_summary(edge: Mapping[str, Any]) -> dict[str, Any]:
    return {"source": edge.get("source"), "relation": edge.get("relation"), "label": edge.get("label"),
            "target": edge.get("target"), "sign": edge.get("sign"), "inherited": bool(edge.get("inherited")),
            "via": edge.get("via", ""), "edge_weight": edge.get("edge_weight"),
            "evidence": [dict(e) for e in edge.get("evidence", ())]}


def edge_weight(data: Mapping[str, Any], certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> float:
    """Evidence weight of one edge: noisy-OR over its evidence records.

    Each record counts ``weight`` (``kg:evidenceWeight`` of its evidence type) times
    its certainty factor (``certainty_weight``, the ``kg:evidenceWeight`` of its
    ``kg:Certainty`` in the ontology; ``certainty`` is the fallback for records
    built by hand); independent records reinforce each other.

    Examples
    --------
    >>> edge_weight({"evidence": [{"weight": 0.5, "certainty": "kg:hypothesis"}]})
    0.25
    >>> round(edge_weight({"evidence": [{"weight": 0.5}, {"weight": 0.5}]}), 2)
    0.75
    """
    records = data.get("evidence") or ()
    if not records:
        return UNCITED_WEIGHT
    return noisy_or(record_weight(record, certainty) for record in records)


def endpoints(G: nx.MultiDiGraph, target: str) -> dict[str, str]:
    """Nodes that answer for ``target``: itself, broader and narrower ones, with their scope.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("kg:cadm", "kg:dm", relation="kg:subtypeOf")
    >>> endpoints(G, "kg:cadm")
    {'kg:dm': 'broader', 'kg:cadm': 'target'}
    """
    out = {n: "narrower" for n in narrower(G, target)}
    out.update({n: "broader" for n in broader(G, target)})
    out[target] = "target"
    return out


class Mechanisms:
    """The signed mechanism layer of a projection, indexed for search: build it once, pass it around.

    Every analysis function accepts either the projection ``G`` (it then builds this
    index for the one call) or a ``Mechanisms`` (reused: much faster for many calls).
    It is a snapshot of ``G`` when built; after changing ``G`` (an edge's sign, a new
    node), build a new one. Nothing is cached behind the caller's back.

    Attributes
    ----------
    G : networkx.MultiDiGraph
        The projection it was built from.
    H : networkx.MultiDiGraph
        :func:`kg.network.with_subsumption` of ``G``, which the analyses read.
    names : kg.lookup.NameIndex
        Names of the nodes of ``H``.
    """

    def __init__(self, G: nx.MultiDiGraph, certainty: Mapping[str, float] = CERTAINTY_FACTOR):
        self.G = G
        self.H = with_subsumption(G)
        self.names = NameIndex.of_network(self.H)
        self.certainty = dict(certainty)
        self.out: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.unsigned: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        succ: dict[str, set[str]] = defaultdict(set)
        pred: dict[str, set[str]] = defaultdict(set)
        for u, v, key, d in self.H.edges(keys=True, data=True):
            if d.get("family") != "mechanism":
                continue
            step = {**d, "source": u, "target": v, "key": key, "edge_weight": edge_weight(d, certainty)}
            if d.get("sign") is None:
                self.unsigned[u].append((v, step))
                continue
            self.out[u].append((v, step))
            succ[u].add(v)
            pred[v].add(u)
        _unloaded_neighbours(G, succ, pred)
        self.outdeg = {n: len(s) for n, s in succ.items()}
        self.indeg = {n: len(p) for n, p in pred.items()}
        for steps in self.out.values():
            steps.sort(key=lambda s: (s[0], s[1]["key"]))

    def node(self, name: str, kind: str = "entity") -> str:
        """The node ``name`` denotes (CURIE, label, synonym or cross-reference)."""
        return name if name in self.H else str(self.names.resolve(name, kind))

    def label(self, node: str) -> str:
        return self.H.nodes[node].get("label", node) if node in self.H else node

    def damp(self, u: str, v: str, damping: float) -> float:
        return (self.outdeg.get(u, 1) * self.indeg.get(v, 1)) ** -damping


def _unloaded_neighbours(G: nx.MultiDiGraph, succ: dict[str, set[str]], pred: dict[str, set[str]]) -> None:
    """Count the imported neighbours a bounded projection did not load (``kg.external.add_imported``).

    ``G.graph["imported_neighbours"]`` gives every signed neighbour each node has in the imports;
    what inherits a node's claims in :func:`kg.network.with_subsumption` (subtypes and members
    that are not conditions or therapies, subclasses) inherits those neighbours too, so that the
    degrees are those of the projection holding every imported edge.
    """
    extra = G.graph.get("imported_neighbours")
    if not extra:
        return
    tree = class_tree(G)
    for n, targets in extra["out"].items():
        heirs = {n}
        if n in G:
            heirs |= {m for m in narrower(G, n) if not (is_condition(G.nodes[m]) or is_therapy(G.nodes[m]))}
        if n in tree:
            heirs |= nx.ancestors(tree, n)
        for m in heirs:
            succ[m] |= targets if m == n else targets - {m}
    for n, sources in extra["in"].items():
        pred[n] |= sources


def mechanisms(G: nx.MultiDiGraph | Mechanisms, certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> Mechanisms:
    """``G`` itself if it is a :class:`Mechanisms` with these certainty factors, else a new one built from it."""
    if isinstance(G, Mechanisms):
        if G.certainty == dict(certainty):
            return G
        G = G.G
    return Mechanisms(G, certainty)


def analysis_graph(G: nx.MultiDiGraph | Mechanisms) -> nx.MultiDiGraph:
    """The subsumed projection the analyses read."""
    return mechanisms(G).H


def signed_paths(G: nx.MultiDiGraph | Mechanisms, source: str, target: str | None = None, max_length: int = 4, *,
                 damping: float = DAMPING, certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> list[Path]:
    """Every simple signed mechanism path from ``source`` of at most ``max_length`` steps.

    With a ``target``, the paths that end at it (or at a broader or narrower
    condition or family, see :func:`endpoints`); a path stops at the first such node.
    Without one, every path from ``source`` (each reached node once per route).
    Names may be CURIEs, labels or synonyms. Sorted by weight, heaviest first;
    overridden paths (see :class:`Path`) last.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> ev = [{"weight": 1.0, "certainty": "kg:stated"}]
    >>> _ = G.add_edge("drug", "tnf", relation="kg:inhibits", sign=-1, family="mechanism", evidence=ev)
    >>> _ = G.add_edge("tnf", "ifn", relation="kg:decreases", sign=-1, family="mechanism", evidence=ev)
    >>> _ = G.add_edge("ifn", "dm", relation="kg:contributesTo", sign=1, family="mechanism", evidence=ev)
    >>> [(p.nodes, p.sign) for p in signed_paths(G, "drug", "dm")]
    [(['drug', 'tnf', 'ifn', 'dm'], 1)]
    >>> signed_paths(G, "drug", "dm", max_length=2)
    []
    """
    if max_length < 1:
        raise UsageError(f"max_length must be at least 1 step, got {max_length}")
    index = mechanisms(G, certainty)
    source = index.node(source)
    goals = endpoints(index.H, index.node(target)) if target is not None else {}
    spared = {v: step for v, step in index.out.get(source, ()) if step["sign"] == 0}
    found: list[Path] = []

    def walk(node: str, nodes: list[str], steps: list[dict[str, Any]]) -> None:
        for nxt, step in index.out.get(node, ()):
            if nxt in nodes:
                continue
            here_nodes, here_steps = nodes + [nxt], steps + [step]
            if target is None or nxt in goals:
                found.append(_make_path(index, here_nodes, here_steps, goals.get(nxt, "target"), spared, damping))
                if target is not None:
                    continue  # a path stops at the first node that answers for the target
            if len(here_steps) < max_length:
                walk(nxt, here_nodes, here_steps)

    walk(source, [source], [])
    found.sort(key=lambda p: (not p.counted, -p.weight, p.length, p.nodes))
    return found


def _make_path(index: Mechanisms, nodes: list[str], steps: list[dict[str, Any]], scope: str,
               spared: Mapping[str, dict[str, Any]], damping: float) -> Path:
    sign = math.prod(int(s["sign"]) for s in steps)
    weight = math.prod(s["edge_weight"] * index.damp(s["source"], s["target"], damping) for s in steps)
    overridden = None
    for n in nodes[2:]:                # reached indirectly, although a source says the drug leaves it unchanged
        direct = spared.get(n)
        if direct is not None:
            overridden = direct
            break
    return Path(nodes=list(nodes), edges=[dict(s) for s in steps], sign=sign, weight=weight, scope=scope,
                overridden_by=overridden)


def net_effect(paths: Iterable[Path], condition: bool = True) -> Effect:
    """The effect the counted paths agree on (see :class:`kg.answers.Effect`).

    ``improves``/``worsens`` for a condition (``lowers``/``raises`` otherwise) when
    every signed path agrees, ``conflicting`` when they disagree, ``no effect`` /
    ``spares`` when every path runs through "leaves unchanged", ``no evidence``
    without paths.

    Examples
    --------
    >>> str(net_effect([Path(["a", "b"], [], -1, 0.1), Path(["a", "c", "b"], [], 0, 0.1)]))
    'improves'
    >>> str(net_effect([Path(["a", "b"], [], -1, 0.1), Path(["a", "c", "b"], [], 1, 0.1)]))
    'conflicting'
    >>> str(net_effect([Path(["a", "b"], [], 0, 0.1)], condition=False))
    'spares'
    >>> str(net_effect([]))
    'no evidence'
    """
    return Effect.of_signs({p.sign for p in paths if p.counted}, condition)


def answer_of_paths(paths: Iterable[Path], condition: bool, labels: Mapping[str, str] | None = None) -> Answer:
    """What the counted paths say, and how it is known: stated, via class, or via mechanism.

    A path of one step is the drug's own claim (``stated``) or its class's (``via
    class``); longer paths are ``via mechanism``, with the shortest one's length and
    route. The answer rests on a hypothesis when every counted path that gives it
    has a step without a stated claim.
    """
    labels = labels or {}
    counted = [p for p in paths if p.counted]
    effect = net_effect(counted, condition)
    if not effect.known:
        return Answer(Effect.NO_EVIDENCE, Basis.NONE)
    agreeing = counted if effect is Effect.CONFLICTING else [p for p in counted if p.sign == effect.sign]
    shortest = min(agreeing, key=lambda p: (p.length, -p.weight, p.nodes))
    evidence = evidence_records(r for p in agreeing for e in p.edges for r in e.get("evidence", ()))
    hypothesis = all(p.hypothetical for p in agreeing)
    if shortest.length == 1:
        edge = shortest.edges[0]
        if edge.get("inherited"):
            return Answer(effect, Basis.VIA_CLASS, evidence, 1, (), tuple(labels.get(v, v) for v in shortest.via),
                          hypothesis)
        return Answer(effect, Basis.STATED, evidence, 1, (), (), hypothesis)
    route = tuple(labels.get(n, n) for n in shortest.nodes[1:-1])
    return Answer(effect, Basis.VIA_MECHANISM, evidence, shortest.length, route,
                  tuple(labels.get(v, v) for v in shortest.via), hypothesis)


def paths_score(paths: Iterable[Path]) -> float:
    """Signed DWPC: the sum of sign × weight over the counted paths (< 0 lowers the target)."""
    return sum(p.sign * p.weight for p in paths if p.counted)


@dataclass
class Profile:
    """What a drug moves along its mechanism paths: node -> signed DWPC (and what it spares)."""

    drug: str
    moves: dict[str, float] = field(default_factory=dict)
    spares: dict[str, float] = field(default_factory=dict)
    binds: dict[str, float] = field(default_factory=dict)
    paths: dict[str, list[Path]] = field(default_factory=dict)

    def sign(self, node: str) -> int | None:
        value = self.moves.get(node)
        if value is None:
            return 0 if node in self.spares else None
        return (value > 0) - (value < 0)


def mechanism_profile(G: nx.MultiDiGraph | Mechanisms, drug: str, max_length: int = 4, *, damping: float = DAMPING,
                      certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> Profile:
    """Every node a drug's mechanism paths reach, with the net signed weight of those paths.

    Nodes reached only through "leaves unchanged" go to ``spares``; direct unsigned
    relations (``binds``) to ``binds``. Class-level claims count for member drugs
    (their paths are marked inherited).
    """
    index = mechanisms(G, certainty)
    drug = index.node(drug)
    profile = Profile(drug=drug)
    by_node: dict[str, list[Path]] = defaultdict(list)
    for path in signed_paths(index, drug, None, max_length, damping=damping, certainty=certainty):
        by_node[path.reaches].append(path)
    for node, paths in by_node.items():
        counted = [p for p in paths if p.counted]
        profile.paths[node] = paths
        if any(p.sign != 0 for p in counted):
            profile.moves[node] = paths_score(counted)
        elif counted:
            profile.spares[node] = sum(p.weight for p in counted)
    for target, step in index.unsigned.get(drug, ()):
        profile.binds[target] = max(profile.binds.get(target, 0.0), step["edge_weight"])
    return profile
