"""Stable IRIs for blank nodes, so that sending the same triples twice adds nothing.

A blank node is new in every request that mentions it: a store that receives
the same file twice holds two copies of every blank node and its triples. For
transport each blank node is replaced by a skolem IRI (RDF 1.1 Concepts,
section 3.5) under :data:`GENID`, named by the hash of what the node says
rather than by its label, because labels are not stable: rdflib invents new
ones (``_:N<uuid>``, ``_:n<random>b<k>``) for the ``rdf:List`` and
``owl:Restriction`` nodes of the ontology every time it parses it.

The hash is colour refinement over each connected group of blank nodes (those
linked by a triple, such as a list's ``rdf:rest`` chain): a node starts with
the same colour as every other, and each round hashes its colour with the
sorted triples it takes part in (``+ predicate object`` for those it heads,
``- subject predicate`` for those pointing at it, blank neighbours by their
current colour), until a round splits no group further. Groups are refined
apart, so a change in one leaves the IRIs of all others as they were. Nodes
that still share a colour, in one group or in two alike, are interchangeable
in every case the build makes (identical axioms or restrictions); they get the
colour plus their rank, so the triples stay distinct and the count stays
right.

Examples
--------
>>> lines = [b'<https://w3id.org/dmkg/a> <http://www.w3.org/2002/07/owl#equivalentClass> _:x .',
...          b'_:x <http://www.w3.org/2002/07/owl#hasValue> <https://w3id.org/dmkg/b> .']
>>> labels = skolem_labels(lines)
>>> relabelled = skolem_labels([line.replace(b"_:x", b"_:Nf00") for line in lines])
>>> labels[b"_:x"] == relabelled[b"_:Nf00"]
True
>>> skolemise(lines[1], labels).decode()[:55]
'<https://w3id.org/dmkg/.well-known/genid/06c0ed33437302'
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

#: Where the transport IRIs of blank nodes live: a well-known path (RFC 8615, as
#: RDF 1.1 recommends for skolem IRIs) under the project's own namespace.
GENID = "https://w3id.org/dmkg/.well-known/genid/"

_TERM = rb'<[^>]*>|_:[^\s]*[^\s.]|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?'
_TRIPLE = re.compile(rb"\s*(" + _TERM + rb")\s+(<[^>]*>)\s+(" + _TERM + rb")\s*\.\s*")
_LABEL = re.compile(rb"_:[^\s]*[^\s.]")


def split_triple(line: bytes) -> tuple[bytes, bytes, bytes] | None:
    """Subject, predicate and object of one N-Triples line; None when it is not one.

    Examples
    --------
    >>> split_triple(b'_:b1 <http://x/p> "a \\\\" _:b2" .')
    (b'_:b1', b'<http://x/p>', b'"a \\\\" _:b2"')
    """
    match = _TRIPLE.fullmatch(line)
    return match.groups() if match else None


def has_blank(line: bytes) -> bool:
    """Whether an N-Triples line has a blank node as subject or object (not merely ``_:`` inside a literal)."""
    if b"_:" not in line:
        return False
    parts = split_triple(line)
    return parts is not None and (parts[0].startswith(b"_:") or parts[2].startswith(b"_:"))


def skolem_labels(lines: Iterable[bytes]) -> dict[bytes, bytes]:
    """A skolem IRI (as ``<...>`` bytes) for every blank-node label in ``lines`` (N-Triples, one triple each).

    Only the lines that mention a blank node are kept in memory.
    """
    triples = [t for t in (split_triple(line) for line in lines if b"_:" in line)
               if t and (t[0].startswith(b"_:") or t[2].startswith(b"_:"))]
    parent: dict[bytes, bytes] = {}

    def find(node: bytes) -> bytes:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for s, _, o in triples:
        ends = [t for t in (s, o) if t.startswith(b"_:")]
        root = find(ends[0])
        for other in ends[1:]:
            parent[find(other)] = root
    groups: dict[bytes, list[tuple[bytes, bytes, bytes]]] = defaultdict(list)
    for triple in triples:
        groups[find(triple[0] if triple[0].startswith(b"_:") else triple[2])].append(triple)
    labels: dict[bytes, bytes] = {}
    rank: dict[bytes, int] = defaultdict(int)  # nodes of the same colour so far, in any group
    for group in groups.values():
        for node, value in _refine(group).items():
            tie = rank[value]
            rank[value] += 1
            labels[node] = b"<" + GENID.encode() + value + (b"-%d" % tie if tie else b"") + b">"
    return labels


def _refine(triples: list[tuple[bytes, bytes, bytes]]) -> dict[bytes, bytes]:
    """Colour refinement of one connected group of blank nodes: label -> hash (hex, 32 digits)."""
    nodes = sorted({t for s, _, o in triples for t in (s, o) if t.startswith(b"_:")})
    colour = dict.fromkeys(nodes, b"")
    classes = 1
    while True:
        seen: dict[bytes, list[bytes]] = {node: [] for node in nodes}
        for s, p, o in triples:
            s_key = b"_" + colour[s] if s in colour else s
            o_key = b"_" + colour[o] if o in colour else o
            if s in colour:
                seen[s].append(b"+" + p + b" " + o_key)
            if o in colour:
                seen[o].append(b"-" + s_key + b" " + p)
        refined = {node: hashlib.sha1(colour[node] + b"\n" + b"\n".join(sorted(seen[node]))).hexdigest().encode()
                   for node in nodes}
        count = len(set(refined.values()))
        colour = refined
        if count == classes:
            break
        classes = count
    return {node: colour[node][:32] for node in nodes}


def skolemise(line: bytes, labels: dict[bytes, bytes]) -> bytes:
    """``line`` with its blank-node subject and object replaced by their skolem IRIs."""
    if b"_:" not in line:
        return line
    parts = split_triple(line)
    if parts is None:
        return line
    s, p, o = parts
    return b" ".join((labels.get(s, s), p, labels.get(o, o), b"."))


def unskolemise(term):
    """An rdflib term with a skolem IRI made by this module turned back into a blank node (others as they are).

    A store that received a push holds IRIs where the built graph has blank
    nodes; comparing its answers with the embedded store's needs them as blank
    nodes again.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> unskolemise(URIRef(GENID + "06c0ed33")).n3()
    '_:06c0ed33'
    >>> unskolemise(URIRef("https://w3id.org/dmkg/ivig")).n3()
    '<https://w3id.org/dmkg/ivig>'
    """
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef) and term.startswith(GENID):
        return BNode(term[len(GENID):])
    return term


def unskolemised(result):
    """A copy of a :class:`kg.query.QueryResult` whose skolem IRIs are blank nodes again (see :func:`unskolemise`)."""
    from dataclasses import replace

    return replace(result, rows=[tuple(unskolemise(term) for term in row) for row in result.rows])
