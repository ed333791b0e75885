"""JSON-LD with the project's published context: short keys, readable JSON, the same bytes each time.

:func:`context` derives the ``@context`` from the ontology in the graph: the bound
prefixes, a key for every property of the project (its local name: ``inhibits``,
``citation``, ``locator``) and for the standard annotation properties the graph uses
(``label``, ``definition``, ``synonym``, ``xref``, ``exactMatch`` ...); object
properties are typed ``@id`` so their values compact to CURIEs. The same context is
published as ``ontology/context.jsonld`` (a test keeps the file equal to what this
module derives). :func:`to_jsonld` writes a graph with that context embedded, so the
file is self-contained and parses offline.

Examples
--------
>>> ctx = context(graph)["@context"]
>>> ctx["inhibits"], ctx["label"]
({'@id': 'kg:inhibits', '@type': '@id'}, 'rdfs:label')
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.export.rdf import canonical_json
from kg.namespaces import BINDINGS, DEFINITION, KG, OBOINOWL

#: Standard properties with a short key: key -> (IRI, typed as @id).
STANDARD_KEYS: dict[str, tuple[URIRef, bool]] = {
    "label": (RDFS.label, False),
    "comment": (RDFS.comment, False),
    "definition": (DEFINITION, False),
    "synonym": (SKOS.altLabel, False),
    "xref": (OBOINOWL.hasDbXref, False),
    "exactMatch": (SKOS.exactMatch, True),
    "closeMatch": (SKOS.closeMatch, True),
    "broadMatch": (SKOS.broadMatch, True),
    "subClassOf": (RDFS.subClassOf, False),
    "subPropertyOf": (RDFS.subPropertyOf, True),
    "equivalentClass": (OWL.equivalentClass, False),
    "annotatedSource": (OWL.annotatedSource, True),
    "annotatedProperty": (OWL.annotatedProperty, True),
    "annotatedTarget": (OWL.annotatedTarget, True),
    "title": (DCTERMS.title, False),
    "description": (DCTERMS.description, False),
}


def _curie(iri: URIRef, prefixes: dict[str, str]) -> str:
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns):]}"
    return str(iri)


def context(graph: Graph) -> dict:
    """The JSON-LD context of the project, derived from the ontology in ``graph``."""
    prefixes = {p: str(ns) for p, ns in BINDINGS.items()}
    prefixes.update({p: str(ns) for p, ns in graph.namespaces() if p and p not in prefixes
                     and p in ("vann", "biolink")})
    ctx: dict = dict(sorted(prefixes.items()))
    for key, (iri, is_id) in STANDARD_KEYS.items():
        ctx[key] = {"@id": _curie(iri, prefixes), "@type": "@id"} if is_id else _curie(iri, prefixes)
    kinds = ((OWL.ObjectProperty, True), (OWL.DatatypeProperty, False), (OWL.AnnotationProperty, False))
    for kind, is_id in kinds:
        for prop in sorted(p for p in graph.subjects(RDF.type, kind) if str(p).startswith(str(KG))):
            key = str(prop)[len(str(KG)):]
            if key in ctx:
                continue
            ctx[key] = {"@id": f"kg:{key}", "@type": "@id"} if is_id else f"kg:{key}"
    return {"@context": ctx}


def write_published_context(project=None) -> Path:
    """Regenerate ``ontology/context.jsonld`` from the current build (after adding a property to the TBox)."""
    from kg.files import write_atomic
    from kg.project import Project
    from kg.store import load_graph

    project = project or Project.discover()
    path = project.ontology / "context.jsonld"
    return write_atomic(path, canonical_json(context(load_graph(store="memory", project=project))))


def published_context(ontology_dir: Path) -> dict:
    """The context file ``ontology/context.jsonld``."""
    from kg.files import read_text

    return json.loads(read_text(ontology_dir / "context.jsonld", "JSON-LD context"))


def _sorted_values(value):
    """Property values sorted (they are sets in RDF); ``@list`` members keep their order."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" and isinstance(v, list) else _sorted_values(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_values(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _nodes(graph: Graph, ctx: dict) -> list[dict]:
    data = json.loads(graph.serialize(format="json-ld", context=ctx["@context"], encoding="utf-8"))
    return data.get("@graph", [data] if "@id" in data else [])


def _falsy(term) -> bool:
    """Whether rdflib compacts the literal ``term`` to a JSON value that is false ("", 0, 0.0, false)."""
    if not isinstance(term, Literal) or term.language:
        return False
    if term.datatype is None:
        return not str(term)
    return term.datatype in (XSD.integer, XSD.double, XSD.boolean, XSD.string) and not term.toPython()


def _graph_of(triples, like: Graph) -> Graph:
    g = Graph(namespace_manager=like.namespace_manager)
    for t in triples:
        g.add(t)
    return g


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def to_jsonld(graph: Graph, ctx: dict | None = None) -> bytes:
    """``graph`` as compact JSON-LD with ``ctx`` embedded (:func:`context` of the graph by default)."""
    ctx = ctx or context(graph)
    # rdflib's compacting writer drops a value that compacts to "", 0 or false when the property already has
    # a value (it tests that value for truth); such values are written in extra passes, one per subject and
    # property in each, and merged.
    groups: dict[tuple, list] = {}
    for triple in graph:
        if _falsy(triple[2]):
            groups.setdefault(triple[:2], []).append(triple)
    passes = [[group[i] for group in groups.values() if len(group) > i]
              for i in range(max(map(len, groups.values()), default=0))]
    held = {t for batch in passes for t in batch}
    nodes = _nodes(_graph_of((t for t in graph if t not in held), graph) if held else graph, ctx)
    by_id = {n.get("@id"): n for n in nodes}
    for batch in passes:
        for extra in _nodes(_graph_of(batch, graph), ctx):
            node = by_id.get(extra.get("@id"))
            if node is None:
                nodes.append(extra)
                by_id[extra.get("@id")] = extra
                continue
            for key, value in extra.items():
                if key != "@id":
                    node[key] = [*_as_list(node[key]), value] if key in node else value
    nodes = sorted((_sorted_values({k: v for k, v in n.items() if k != "@context"}) for n in nodes),
                   key=lambda n: (str(n.get("@id", "")), json.dumps(n, sort_keys=True, ensure_ascii=False)))
    return canonical_json({"@context": ctx["@context"], "@graph": nodes})
