"""RDF serialisations that are byte-identical for the same graph: Turtle, N-Triples, RDF/XML, JSON-LD.

rdflib sorts subjects, predicates and objects when it writes Turtle, but blank
nodes get fresh random labels each time a file is parsed, and N-Triples, RDF/XML
and JSON-LD follow the store's iteration order. :func:`stable_blank_nodes` gives
every blank node a label computed from what surrounds it (a few rounds of colour
refinement over its incoming and outgoing triples, as in the Weisfeiler-Lehman
test), so the same graph always gets the same labels; :func:`serialize` then
writes each format in a fixed order.

Examples
--------
>>> from rdflib import BNode, Graph, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/dmkg/x"), URIRef("https://w3id.org/dmkg/p"), BNode()))
>>> serialize(g, "nt") == serialize(g, "nt")
True
>>> serialize(g, "nt").decode().split()[2].startswith("_:b")
True
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from rdflib import BNode, Graph

from kg.errors import FormatError
from kg.namespaces import bind_prefixes

# format name -> (rdflib serializer, usual suffix)
RDF_FORMATS = {
    "ttl": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".owl"),
}
#: Rounds of colour refinement; two blank nodes still alike after these are interchangeable here.
_ROUNDS = 6


def _key(term, colour: dict) -> str:
    return f"_:{colour[term]}" if isinstance(term, BNode) else term.n3()


def blank_node_labels(graph: Graph) -> dict[BNode, str]:
    """A label for every blank node of ``graph`` that depends only on the graph's content."""
    outgoing: dict[BNode, list] = defaultdict(list)
    incoming: dict[BNode, list] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
        if isinstance(o, BNode):
            incoming[o].append((s, p))
    nodes = set(outgoing) | set(incoming)
    colour = {b: "" for b in nodes}
    for _ in range(_ROUNDS):
        new = {}
        for b in nodes:
            parts = sorted([f"> {p.n3()} {_key(o, colour)}" for p, o in outgoing[b]]
                           + [f"< {_key(s, colour)} {p.n3()}" for s, p in incoming[b]])
            new[b] = hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]
        settled = len(set(new.values())) == len(set(colour.values()))
        colour = new
        if settled and _ > 0:
            break
    labels: dict[BNode, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for b in sorted(nodes, key=lambda n: colour[n]):
        n = seen[colour[b]]
        seen[colour[b]] += 1
        labels[b] = f"b{colour[b]}" + (f"x{n}" if n else "")
    return labels


def stable_blank_nodes(graph: Graph) -> Graph:
    """A copy of ``graph`` (same prefixes) whose blank nodes carry :func:`blank_node_labels`.

    Triples are added in sorted order, so stores that keep insertion order iterate
    them in that order too.
    """
    labels = blank_node_labels(graph)
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)

    def term(t):
        return BNode(labels[t]) if isinstance(t, BNode) else t

    rows = [(term(s), term(p), term(o)) for s, p, o in graph]
    for triple in sorted(rows, key=lambda t: tuple(x.n3() for x in t)):
        out.add(triple)
    return out


def serialize(graph: Graph, fmt: str, context: dict | None = None) -> bytes:
    """``graph`` as ``fmt`` (ttl, nt, xml, jsonld), the same bytes for the same graph.

    ``context`` is the JSON-LD ``@context`` to compact with (see :mod:`kg.export.jsonld`);
    JSON-LD nodes are sorted by ``@id`` and written with sorted keys.
    """
    if fmt not in RDF_FORMATS:
        raise FormatError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    stable = stable_blank_nodes(graph)
    if fmt == "nt":
        # rdflib's N-Triples writer, not Term.n3(): n3() writes a literal with a newline as a Turtle """long
        # string""", which is not N-Triples. Its lines hold no raw newline, so sorting them is safe.
        text = stable.serialize(format="nt", encoding="utf-8").decode("utf-8")
        return "".join(sorted(line + "\n" for line in text.split("\n") if line)).encode("utf-8")
    if fmt == "jsonld":
        from kg.export.jsonld import to_jsonld

        return to_jsonld(stable, context)
    if not list(stable.namespaces()):
        bind_prefixes(stable)
    serializer, _ = RDF_FORMATS[fmt]
    return stable.serialize(format=serializer, encoding="utf-8")


def canonical_json(data) -> bytes:
    """JSON with sorted keys, two-space indent and a final newline (the form every JSON export uses)."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
