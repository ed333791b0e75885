"""Drug-to-drug similarity by signed mechanism.

A drug's *profile* (:func:`kg.analysis.paths.mechanism_profile`) lists every node
its mechanism paths reach within ``max_length`` steps, with the signed DWPC of
those paths (negative: the drug lowers it), the nodes it is stated to leave
unchanged, and its direct unsigned targets (``binds``). Class-level claims count
for member drugs, so infliximab moves type I interferon through the TNF-inhibitor
class.

Similarity of two drugs is the cosine of their profile vectors, one coordinate
per (node, kind) with kind ``moves`` (signed value), ``spares`` or ``binds``
(positive values): drugs that lower the same things score near 1, drugs that move
the same things in opposite directions score below 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis.paths import CERTAINTY_FACTOR, DAMPING, Mechanisms, Profile, mechanism_profile, mechanisms

__all__ = ["Similarity", "profile_vector", "cosine", "similar"]


@dataclass
class Similarity:
    drug: str
    other: str
    label: str
    kind: str
    score: float
    same: list[tuple[str, int | None]] = field(default_factory=list)   # (node, shared sign; 0 spared, None bound)
    opposite: list[tuple[str, int, int]] = field(default_factory=list)
    only_drug: list[str] = field(default_factory=list)
    only_other: list[str] = field(default_factory=list)
    inherited: bool = False
    rank: int = 0

    def to_dict(self, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        labels = labels or {}
        return {"rank": self.rank, "drug": self.drug, "other": self.other, "label": self.label, "kind": self.kind,
                "score": self.score, "inherited": self.inherited,
                "same": [{"node": n, "label": labels.get(n, n), "sign": s} for n, s in self.same],
                "opposite": [{"node": n, "label": labels.get(n, n), "sign_drug": a, "sign_other": b}
                             for n, a, b in self.opposite],
                "only_drug": self.only_drug, "only_other": self.only_other}


def profile_vector(profile: Profile) -> dict[tuple[str, str], float]:
    """Coordinates of a profile: ('moves', node) signed; ('spares', node), ('binds', node) positive."""
    vec: dict[tuple[str, str], float] = {("moves", n): v for n, v in profile.moves.items() if v}
    vec.update({("spares", n): v for n, v in profile.spares.items() if v})
    vec.update({("binds", n): v for n, v in profile.binds.items() if v})
    return vec


def cosine(x: Mapping[Any, float], y: Mapping[Any, float]) -> float:
    """Cosine similarity of two sparse vectors (0 when either is empty).

    Examples
    --------
    >>> cosine({"a": 1.0, "b": -1.0}, {"a": 1.0, "b": -1.0})
    1.0
    >>> cosine({"a": 1.0}, {"a": -2.0})
    -1.0
    """
    dot = sum(v * y.get(k, 0.0) for k, v in x.items())
    nx_ = math.sqrt(sum(v * v for v in x.values()))
    ny_ = math.sqrt(sum(v * v for v in y.values()))
    return round(dot / (nx_ * ny_), 12) if nx_ and ny_ else 0.0


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def similar(G: nx.MultiDiGraph | Mechanisms, drug: str, *, top: int | None = None, max_length: int = 4,
            kinds: Iterable[str] = ("Drug",), damping: float = DAMPING,
            certainty: Mapping[str, float] = CERTAINTY_FACTOR) -> list[Similarity]:
    """Drugs ranked by the cosine similarity of their mechanism profiles to ``drug``'s.

    Drugs with an empty profile (no mechanism claim at all) are left out; pass
    ``kinds=("Drug", "DrugClass")`` to rank drug classes too.

    Examples
    --------
    >>> [s.label for s in similar(G, "cyclosporine", top=2)]
    ['tacrolimus', 'pimecrolimus']
    """
    G = mechanisms(G, certainty)
    drug = G.node(drug, "drug")
    H = G.H
    kinds = set(kinds)
    mine = mechanism_profile(G, drug, max_length, damping=damping, certainty=certainty)
    x = profile_vector(mine)
    out = []
    for other, data in sorted(H.nodes(data=True)):
        if other == drug or data.get("kind") not in kinds:
            continue
        theirs = mechanism_profile(G, other, max_length, damping=damping, certainty=certainty)
        y = profile_vector(theirs)
        if not y:
            continue
        sim = Similarity(drug=drug, other=other, label=data.get("label", other), kind=data.get("kind", ""),
                         score=cosine(x, y))
        a_nodes, b_nodes = set(mine.moves), set(theirs.moves)
        for n in sorted(a_nodes & b_nodes):
            sa, sb = _sign(mine.moves[n]), _sign(theirs.moves[n])
            if sa == sb:
                sim.same.append((n, sa))
            else:
                sim.opposite.append((n, sa, sb))
        for n in sorted(set(mine.spares) & set(theirs.spares)):
            sim.same.append((n, 0))
        for n in sorted(set(mine.binds) & set(theirs.binds)):
            sim.same.append((n, None))
        sim.only_drug = sorted(a_nodes - b_nodes)
        sim.only_other = sorted(b_nodes - a_nodes)
        sim.inherited = any(p.inherited for paths in theirs.paths.values() for p in paths)
        out.append(sim)
    out.sort(key=lambda s: (-s.score, s.label))
    for i, s in enumerate(out, 1):
        s.rank = i
    return out[:top] if top is not None else out
