"""Signed edges of imported graphs, read into the analyses beside the curated mechanisms.

Which external predicates carry a sign is data, not code: ``ontology/external_predicates.tsv``
maps a predicate (a Biolink slot or a Relation Ontology term, as a CURIE), optionally with the
value of its ``biolink:object_direction_qualifier``, to one of the project's signed mechanism
properties (``kg:increases``, ``kg:decreases``, ``kg:contributesTo``, ...); the sign then comes
from the ontology like every other sign. Every row names its basis. An edge whose predicate
(and qualifier) has no row stays in the store, unsigned, and the analyses do not walk it;
``kg import`` counts signed and unsigned edges per predicate (:func:`count_signed`).

:func:`add_imported` adds the signed edges of the chosen imports to a projection
(:func:`kg.network.project`): an imported node joined to a curated entity (``skos:exactMatch``,
see :mod:`kg.joins`) *is* that entity's node, any other gets a node of its own (its canonical
CURIE, else its IRI) with its label and the project categories its Biolink categories match.
Each edge carries one evidence record of type ``kg:imported_graph``, whose weight the ontology
gives (lower than any curated evidence type, so curated evidence keeps precedence), citing the
import by name (``graph`` on the record) and the edge's first publication where the file has one.
Given a question's targets, :func:`add_imported` reads only the edges on paths into them (a
bounded search backwards through the store) and records every node's other imported neighbours,
so that the degrees, and the answers, are those of the whole projection.

Examples
--------
>>> rows = read_mapping()
>>> sorted({r.property for r in rows if r.predicate.endswith("/affects")})
['kg:decreases', 'kg:increases']
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataError, Problem
from kg.namespaces import KG, curie_to_iri, iri_to_curie

BIOLINK = "https://w3id.org/biolink/vocab/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_QUALIFIER = BIOLINK + "object_direction_qualifier"
_PUBLICATIONS = BIOLINK + "publications"
_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
IMPORTED = "kg:imported_graph"   # the evidence type of an imported edge


@dataclass(frozen=True)
class SignedPredicate:
    """One row of the mapping: ``predicate`` (IRI) with ``qualifier`` ('' for any) means ``property``."""

    predicate: str
    qualifier: str
    property: str
    basis: str


def mapping_path() -> Path:
    from kg.project import Project

    return Project.discover().ontology / "external_predicates.tsv"


def read_mapping(path: Path | None = None) -> list[SignedPredicate]:
    """The rows of ``ontology/external_predicates.tsv``; a bad row is a DataError naming file and line."""
    from kg.files import read_text

    path = path or mapping_path()
    rows, problems = [], []
    reader = csv.DictReader(read_text(path).splitlines(), delimiter="\t")
    for line, row in enumerate(reader, start=2):
        predicate, prop = (row.get("predicate") or "").strip(), (row.get("property") or "").strip()
        try:
            iri = str(curie_to_iri(predicate)) if not predicate.startswith("http") else predicate
        except ValueError as exc:
            problems.append(Problem(path, line, str(exc)))
            continue
        if not prop.startswith("kg:") or not (row.get("basis") or "").strip():
            problems.append(Problem(path, line, "each row maps to a kg: property and names its basis"))
            continue
        rows.append(SignedPredicate(iri, (row.get("object_direction_qualifier") or "").strip(), prop,
                                    row["basis"].strip()))
    if problems:
        raise DataError(problems)
    return rows


@dataclass(frozen=True)
class ImportedEdge:
    source: str            # IRI in the import
    target: str
    property: str          # kg: CURIE
    graph: str             # import name
    predicate: str         # the import's own predicate (CURIE where known)
    publication: str = ""  # first publication CURIE, if the file gives one


def _signed_rows(store, graph_iri: str, mapping: list[SignedPredicate], *, subjects: set[str] | None = None,
                 objects: set[str] | None = None):
    """(source IRI, target IRI, mapping row, predicate IRI, publication IRI) of the signed edges of a graph.

    Every signed edge, or with ``subjects`` (``objects``) only those leaving (reaching) one of those IRIs.
    """
    import pyoxigraph as ox

    plain = {m.predicate: m for m in mapping if not m.qualifier}
    qualified = {(m.predicate, m.qualifier): m for m in mapping if m.qualifier}
    g = ox.NamedNode(graph_iri)
    if subjects is None and objects is None:
        quads = (q for iri in plain for q in store.quads_for_pattern(None, ox.NamedNode(iri), None, g))
    elif subjects is not None:
        quads = (q for iri in sorted(subjects) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, g))
    else:
        quads = (q for iri in sorted(objects) for q in store.quads_for_pattern(None, None, ox.NamedNode(iri), g))
    for q in quads:
        row = plain.get(q.predicate.value)
        if row is not None and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode) \
                and (objects is None or q.object.value in objects):
            yield q.subject.value, q.object.value, row, q.predicate.value, ""
    qualifier = ox.NamedNode(_QUALIFIER)
    if not qualified or next(iter(store.quads_for_pattern(None, qualifier, None, g)), None) is None:
        return  # no edge of the graph has a direction qualifier: nothing to join
    if subjects is not None or objects is not None:
        yield from _statements_at(store, g, qualified, subjects if subjects is not None else objects,
                                  _RDF + ("subject" if subjects is not None else "object"))
        return
    predicates = " ".join(f"<{p}>" for p in sorted({p for p, _ in qualified}))
    query = f"""SELECT ?s ?p ?o ?q (MIN(STR(?pub)) AS ?first) WHERE {{ GRAPH <{graph_iri}> {{
        ?st <{_RDF}subject> ?s ; <{_RDF}predicate> ?p ; <{_RDF}object> ?o ; <{_QUALIFIER}> ?q .
        VALUES ?p {{ {predicates} }} OPTIONAL {{ ?st <{_PUBLICATIONS}> ?pub }} }} }} GROUP BY ?s ?p ?o ?q"""
    for s, p, o, q, pub in store.query(query):
        row = qualified.get((p.value, q.value))
        if row is not None and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
            yield s.value, o.value, row, p.value, pub.value if pub is not None else ""


def _statements_at(store, g, qualified: dict, iris: set[str], end: str):
    """The qualified signed edges of the reified statements whose ``end`` (rdf:subject or rdf:object) is in ``iris``.

    Read by quad patterns, one statement at a time (Oxigraph evaluates a SPARQL ``VALUES`` list of
    nodes after scanning every statement). An edge counts once per (subject, predicate, object,
    qualifier), with the first of its publications in IRI order, as in the whole-graph query.
    """
    import pyoxigraph as ox

    seen: dict[tuple, set[str]] = {}
    for iri in sorted(iris):
        for anchor in store.quads_for_pattern(None, ox.NamedNode(end), ox.NamedNode(iri), g):
            parts: dict[str, list] = {}
            for q in store.quads_for_pattern(anchor.subject, None, None, g):
                parts.setdefault(q.predicate.value, []).append(q.object)
            ends = [parts.get(_RDF + "subject", [None])[0], parts.get(_RDF + "object", [None])[0]]
            if not all(isinstance(t, ox.NamedNode) for t in ends):
                continue
            pubs = {p.value for p in parts.get(_PUBLICATIONS, [])}
            for p in parts.get(_RDF + "predicate", []):
                for qualifier in parts.get(_QUALIFIER, []):
                    if (p.value, qualifier.value) in qualified:
                        seen.setdefault((ends[0].value, p.value, ends[1].value, qualifier.value), set()).update(pubs)
    for (s, p, o, qualifier), pubs in sorted(seen.items()):
        yield s, o, qualified[(p, qualifier)], p, min(pubs, default="")


def count_signed(store, graph_iri: str, mapping: list[SignedPredicate] | None = None,
                 edge_rows: Counter | None = None) -> tuple[dict, dict]:
    """({predicate CURIE: signed edges}, {predicate CURIE: unsigned edges}) of one graph, for the import report.

    ``edge_rows`` (a KGX import: ``(predicate IRI, direction qualifier) -> edge rows``, counted
    while converting) is counted against the mapping as it stands, reading nothing from the store.
    For an RDF graph an edge is a triple between two IRIs other than a type, label, link or the
    parts of a reified statement (see :func:`_rdf_edge_totals`); an edge signed by its qualifier is
    counted once per reified statement that carries the qualifier. Counting reads a few indexes,
    never the whole graph in Python (a million-edge import is counted in about 10 s).
    """
    mapping = read_mapping() if mapping is None else mapping
    plain = {m.predicate for m in mapping if not m.qualifier}
    qualified = {(m.predicate, m.qualifier) for m in mapping if m.qualifier}
    if edge_rows is not None:
        signed, total = Counter(), Counter()
        for (p, qualifier), n in edge_rows.items():
            total[_name(p)] += n
            if p in plain or (p, qualifier) in qualified:
                signed[_name(p)] += n
    else:
        total = _rdf_edge_totals(store, graph_iri)
        signed = Counter({_name(p): total[_name(p)] for p in plain if total[_name(p)]})
        signed.update(_qualified_counts(store, graph_iri, qualified))
    unsigned = {p: n - signed.get(p, 0) for p, n in total.items() if n - signed.get(p, 0) > 0}
    return dict(sorted(signed.items())), dict(sorted(unsigned.items()))


_NOT_EDGES = {_RDF + "type", _LABEL, _EXACT, _RDF + "subject", _RDF + "predicate", _RDF + "object",
              BIOLINK + "category"}
_SAMPLE = 64


def _rdf_edge_totals(store, graph_iri: str) -> Counter:
    """{predicate CURIE: triples with an IRI object} of an RDF graph, leaving out attributes of reified edges.

    One pass counts the triples of each predicate; a predicate whose first triples (up to
    ``_SAMPLE``) all describe an ``rdf:Statement`` is taken for an attribute of reified edges
    (provenance, qualifiers) and not counted; for the others the triples with an IRI object are
    counted exactly, one predicate at a time. Telling IRIs from literals costs Oxigraph a decode per
    triple, so this reads the edges' predicates only, not the whole graph.
    """
    import itertools

    import pyoxigraph as ox

    graph = ox.NamedNode(graph_iri)
    statement, rdf_type = ox.NamedNode(_RDF + "Statement"), ox.NamedNode(_RDF + "type")
    total: Counter = Counter()
    for (p,) in store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"):
        if p.value in _NOT_EDGES:
            continue
        sample = list(itertools.islice(store.quads_for_pattern(None, p, None, graph), _SAMPLE))
        if all(_is_statement(store, q.subject, statement, rdf_type, graph) for q in sample):
            continue
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s <{p.value}> ?o FILTER(isIRI(?o)) }} }}"
        n = int(next(iter(store.query(query)))[0].value)
        if n:
            total[_name(p.value)] += n
    return total


def _qualified_counts(store, graph_iri: str, qualified: set[tuple[str, str]]) -> Counter:
    """{predicate CURIE: reified edges} of the graph whose (predicate, direction qualifier) is in ``qualified``."""
    if not qualified:
        return Counter()
    predicates = " ".join(f"<{p}>" for p in sorted({p for p, _ in qualified}))
    query = f"""SELECT ?p ?q (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{
        ?st <{_QUALIFIER}> ?q ; <{_RDF}predicate> ?p . VALUES ?p {{ {predicates} }} }} }} GROUP BY ?p ?q"""
    out: Counter = Counter()
    for p, q, n in store.query(query):
        if (p.value, q.value) in qualified:
            out[_name(p.value)] += int(n.value)
    return out


def _is_statement(store, subject, statement, rdf_type, graph) -> bool:
    return next(iter(store.quads_for_pattern(subject, rdf_type, statement, graph)), None) is not None


def _name(iri: str) -> str:
    """A predicate's CURIE as Biolink and KGX write it (``biolink:affects``, ``RO:0002213``)."""
    curie = iri_to_curie(iri) or iri
    return "biolink:" + curie[len("BIOLINK:"):] if curie.startswith("BIOLINK:") else curie


def imported_edges(snapshot, graph: str | list[str] = "all", *, subjects: set[str] | None = None,
                   objects: set[str] | None = None) -> list[ImportedEdge]:
    """The signed edges of the imports among the graphs ``graph`` names (none when it names only curated).

    With ``subjects`` (``objects``): only the edges leaving (reaching) one of those IRIs.
    """
    mapping = read_mapping()
    chosen = set(snapshot.select(graph))
    out = []
    for info in snapshot.infos():
        if info.kind != "import" or info.iri not in chosen:
            continue
        for s, o, row, p, pub in _signed_rows(snapshot.store, info.iri, mapping, subjects=subjects, objects=objects):
            out.append(ImportedEdge(s, o, row.property, info.name, _name(p), _name(pub) if pub else ""))
    return out


def add_imported(G, graph, snapshot, selector: str | list[str] = "all", *, targets: set[str] | None = None,
                 max_length: int | None = None) -> int:
    """Add the signed edges of the chosen imports to projection ``G`` of the curated ``graph``; how many.

    Without ``targets`` every signed edge of the imports is added. With ``targets`` (nodes of
    ``G``: a question's target and the conditions that answer for it) and ``max_length``, only
    the edges that can lie on a path of at most ``max_length`` steps ending at a target: a
    search backwards from the targets, through curated and imported edges, reads the imported
    edges reaching each node found within ``max_length - 1`` steps, so the cost follows the
    question's neighbourhood, not the size of the imports. Every path such a question walks is
    then in ``G``; so that the degree damping is also the same as with every edge added,
    ``G.graph["imported_neighbours"]`` records, for each node the imports touch, its signed
    neighbours there (``{"out": {node: {node, ...}}, "in": {...}}``), which
    :class:`kg.analysis.paths.Mechanisms` counts.
    """
    if targets is None or max_length is None:
        return _Projection(G, graph, snapshot, selector).add(imported_edges(snapshot, selector))
    projection = _Projection(G, graph, snapshot, selector)
    return projection.add(projection.neighbourhood(set(targets), max_length))


class _Projection:
    """Adding imported edges to a projection: node keys, node attributes, edges (see :func:`add_imported`)."""

    def __init__(self, G, graph, snapshot, selector) -> None:
        import pyoxigraph as ox

        from kg import ontology

        self.G, self.graph, self.snapshot, self.selector = G, graph, snapshot, selector
        self.store = snapshot.store
        self.infos = {i.name: i for i in snapshot.infos()}
        chosen = set(snapshot.select(selector))
        self.imports = [i.name for i in self.infos.values() if i.kind == "import" and i.iri in chosen]
        self.categories = _category_map(graph)
        self.ranked = [name for _, name in ontology.categories(graph)]
        self.joined: dict[str, str] = {}   # imported IRI -> the curated node it is
        for name in ["curated", *sorted(self.imports)]:
            for q in self.store.quads_for_pattern(None, ox.NamedNode(_EXACT), None, ox.NamedNode(self.infos[name].iri)):
                if q.subject.value.startswith(str(KG)) and q.subject.value != q.object.value:
                    self.joined.setdefault(q.object.value, "kg:" + q.subject.value[len(str(KG)):])
        self.twins: dict[str, set[str]] = {}  # curated node -> its imported IRIs
        for iri, key in self.joined.items():
            self.twins.setdefault(key, set()).add(iri)

    def key(self, iri: str, name: str) -> str:
        """The projection's node for an imported IRI: the curated node it joins, else its CURIE (or the IRI)."""
        from kg.joins import node_curie

        if iri in self.joined:
            return self.joined[iri]
        graph_iri = self.infos[name].iri
        return node_curie(iri, graph_iri) or _as_given(iri, graph_iri)

    def node(self, iri: str, name: str) -> str:
        import pyoxigraph as ox

        key = self.key(iri, name)
        if key not in self.G:
            g, term = ox.NamedNode(self.infos[name].iri), ox.NamedNode(iri)
            labels = [q.object.value for q in self.store.quads_for_pattern(term, ox.NamedNode(_LABEL), None, g)]
            kinds = set()
            for q in self.store.quads_for_pattern(term, ox.NamedNode(_RDF + "type"), None, g):
                kinds |= self.categories.get(q.object.value, set())
            kind = next((k for k in self.ranked if k in kinds), "Other")
            self.G.add_node(key, iri=iri, curie=key, label=(labels or [key])[0], kind=kind, categories=sorted(kinds),
                            classes=[], definition="", synonyms=[], xrefs=[key], graph=name)
        return key

    def add(self, edges: list[ImportedEdge]) -> int:
        from rdflib import URIRef

        from kg import ontology
        from kg.evidence import Evidence, EvidenceReader

        if not edges:
            return 0
        t_curie, t_label, weight, rank = EvidenceReader.of(self.graph).evidence_type(IMPORTED)
        props = {URIRef(str(KG) + e.property[3:]) for e in edges}
        signs, families = ontology.signs(self.graph, props), ontology.relation_families(self.graph)
        labels = {p: str(self.graph.value(p, URIRef(_LABEL)) or "kg:" + str(p)[len(str(KG)):]) for p in props}
        added = 0
        for e in edges:
            u, v = self.node(e.source, e.graph), self.node(e.target, e.graph)
            prop = URIRef(str(KG) + e.property[3:])
            key = f"{e.property[3:]}@{e.graph}"
            if self.G.has_edge(u, v, key):
                continue
            record = Evidence(citation=f"graph:{e.graph}", citation_label=f"imported graph {e.graph} ({e.predicate})",
                              identifier=e.publication, locator="", evidence_type=t_curie, evidence_label=t_label,
                              weight=weight, rank=rank, graph=e.graph)
            self.G.add_edge(u, v, key=key, relation=e.property, label=labels[prop], sign=signs.get(prop),
                            family=families.get(prop, "mechanism"), evidence=[record], inherited=False, via="",
                            graph=e.graph)
            added += 1
        return added

    def neighbourhood(self, targets: set[str], max_length: int) -> list[ImportedEdge]:
        """The imported edges on the paths of at most ``max_length`` steps into ``targets``; records the neighbours."""
        import networkx as nx

        from kg.network import class_tree, narrower, with_subsumption

        curated = with_subsumption(self.G)
        tree = class_tree(self.G)

        def with_specials(nodes: set[str]) -> set[str]:
            """``nodes`` and what inherits their claims (subtypes, members, subclasses): they are as near the target."""
            out = set(nodes)
            for k in nodes:
                if k in curated:
                    out |= narrower(curated, k)
                if k in tree:
                    out |= nx.ancestors(tree, k)
            return out

        targets = with_specials(targets)
        iris: dict[str, set[str]] = {k: set(self.twins.get(k, ())) for k in targets}  # node -> its imported IRIs
        seen, frontier, edges = set(targets), set(targets), []
        for _ in range(max_length):
            wanted = {iri for k in frontier for iri in iris.get(k, ())}
            found = imported_edges(self.snapshot, self.selector, objects=wanted) if wanted else []
            edges += found
            following = {u for k in frontier if k in curated for u, _, d in curated.in_edges(k, data=True)
                         if d.get("family") == "mechanism"}
            for e in found:
                u = self.key(e.source, e.graph)
                following.add(u)
                iris.setdefault(u, set(self.twins.get(u, ()))).add(e.source)
            frontier = with_specials(following) - seen
            seen |= frontier
            for k in frontier:
                iris.setdefault(k, set(self.twins.get(k, ())))
        self._neighbours(edges, iris)
        return edges

    def _neighbours(self, edges: list[ImportedEdge], iris: dict[str, set[str]]) -> None:
        """Record every signed imported neighbour of the nodes the loaded edges and twins touch (for the degrees)."""
        touched: dict[str, set[str]] = {k: set(v) for k, v in self.twins.items()}
        for e in edges:
            for iri in (e.source, e.target):
                touched.setdefault(self.key(iri, e.graph), set()).add(iri)
        for k, extra in iris.items():
            touched.setdefault(k, set()).update(extra)
        owner = {iri: k for k, group in touched.items() for iri in group}
        everything = set(owner)
        out: dict[str, set[str]] = {}
        into: dict[str, set[str]] = {}
        for e in imported_edges(self.snapshot, self.selector, subjects=everything):
            out.setdefault(owner[e.source], set()).add(self.key(e.target, e.graph))
        for e in imported_edges(self.snapshot, self.selector, objects=everything):
            into.setdefault(owner[e.target], set()).add(self.key(e.source, e.graph))
        self.G.graph["imported_neighbours"] = {"out": out, "in": into}


def _as_given(iri: str, graph_iri: str) -> str:
    """``EX:0001`` for the IRI kg import minted for a CURIE of an unknown prefix, else the IRI itself."""
    from kg.kgx import fallback_parts

    parts = fallback_parts(iri, graph_iri)
    return f"{parts[0]}:{parts[1]}" if parts else iri


def _category_map(graph) -> dict[str, set[str]]:
    """Biolink category IRI -> the project classes (with their superclasses) that match it (skos:exact/closeMatch)."""
    from rdflib.namespace import RDFS, SKOS

    out: dict[str, set[str]] = {}
    for prop in (SKOS.exactMatch, SKOS.closeMatch):
        for cls, target in graph.subject_objects(prop):
            if str(target).startswith(BIOLINK) and str(cls).startswith(str(KG)):
                supers = {str(c)[len(str(KG)):] for c in graph.transitive_objects(cls, RDFS.subClassOf)
                          if str(c).startswith(str(KG))}
                out.setdefault(str(target), set()).update(supers)
    return out
