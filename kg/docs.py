"""The ontology's reference pages: every class and property with its label, definition, links and sign.

:func:`reference` reads the TBox of a graph into plain records (one per class,
object property, datatype property, annotation property of the project and
vocabulary individual); :func:`write_docs` renders them with Jinja2
(``kg/templates/docs.html.j2``) into ``DIR/index.html``, one self-contained page
with no script and no remote asset, written as one folder.

Why not pyLODE: 3.4.1 does not start (a packaging bug) and 3.3.4 shows only
``skos:definition``/``rdfs:comment``, not the IAO:0000115 definitions nor the
``kg:sign`` of a relation; this generator is about 150 lines over Jinja2, which
the project already uses for its views.

Examples
--------
>>> ref = reference(graph)
>>> inhibits = next(t for t in ref["object_properties"] if t["curie"] == "kg:inhibits")
>>> inhibits["sign"], inhibits["definition"][:31]
('-1 (lowers its object)', 'The subject blocks the activity')
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.export.header import graph_metadata
from kg.files import atomic_dir
from kg.namespaces import DEFINITION, KG, OBOINOWL, iri_to_curie

SIGNS = {1: "+1 (raises its object)", -1: "-1 (lowers its object)", 0: "0 (leaves its object unchanged)"}
_MATCHES = (("exact match", SKOS.exactMatch), ("close match", SKOS.closeMatch), ("broad match", SKOS.broadMatch))


def _curie(iri) -> str:
    text = str(iri)
    for prefix, ns in (("biolink", "https://w3id.org/biolink/vocab/"), ("owl", str(OWL)), ("rdfs", str(RDFS))):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return iri_to_curie(text) or text


def _anchor(curie: str) -> str:
    return curie.replace(":", "-")


def _own(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(KG)))


def _term(graph: Graph, term: URIRef) -> dict:
    curie = _curie(term)
    links = [(name, _curie(o), str(o)) for name, p in _MATCHES for o in sorted(graph.objects(term, p))]
    links += [("database cross-reference", str(x), "") for x in sorted(graph.objects(term, OBOINOWL.hasDbXref))]
    return {"curie": curie, "anchor": _anchor(curie), "iri": str(term),
            "label": str(graph.value(term, RDFS.label) or ""), "definition": str(graph.value(term, DEFINITION) or ""),
            "synonyms": sorted(str(s) for s in graph.objects(term, SKOS.altLabel)), "links": links}


def _refs(graph: Graph, term: URIRef, prop: URIRef) -> list[dict]:
    return [{"curie": _curie(o), "anchor": _anchor(_curie(o)), "local": str(o).startswith(str(KG))}
            for o in sorted(graph.objects(term, prop)) if isinstance(o, URIRef)]


def _sign(graph: Graph, prop: URIRef) -> str:
    for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):
        value = graph.value(ancestor, KG.sign)
        if value is not None:
            inherited = "" if ancestor == prop else f", from {_curie(ancestor)}"
            return SIGNS.get(int(value), str(value)) + inherited
    return ""


def reference(graph: Graph) -> dict:
    """The TBox of ``graph`` as records for the reference page."""
    from kg.ontology import relation_families

    families = {p: f for p, f in relation_families(graph).items()}
    classes = []
    for cls in _own(graph, OWL.Class):
        record = _term(graph, cls)
        record["parents"] = _refs(graph, cls, RDFS.subClassOf)
        record["defined"] = any(isinstance(e, BNode) for e in graph.objects(cls, OWL.equivalentClass))
        record["members"] = len(set(graph.subjects(RDF.type, cls)))
        classes.append(record)
    sections = {}
    for key, kind in (("object_properties", OWL.ObjectProperty), ("datatype_properties", OWL.DatatypeProperty),
                      ("annotation_properties", OWL.AnnotationProperty)):
        rows = []
        for prop in _own(graph, kind):
            record = _term(graph, prop)
            record.update(parents=_refs(graph, prop, RDFS.subPropertyOf), domain=_refs(graph, prop, RDFS.domain),
                          range=_refs(graph, prop, RDFS.range), sign=_sign(graph, prop) if kind == OWL.ObjectProperty
                          else "", family=families.get(prop, ""),
                          characteristics=sorted(_curie(t) for t in graph.objects(prop, RDF.type) if t != kind))
            rows.append(record)
        sections[key] = rows
    vocab_classes = {c for c in graph.subjects(RDF.type, OWL.Class)
                     if any(True for i in graph.subjects(RDF.type, c) if (i, DEFINITION, None) in graph
                            or (i, KG.evidenceWeight, None) in graph)}
    individuals = []
    for ind in _own(graph, OWL.NamedIndividual):
        types = [t for t in graph.objects(ind, RDF.type) if t in vocab_classes]
        if not types or (ind, KG.sign, None) not in graph and (ind, DEFINITION, None) not in graph \
                and (ind, RDFS.label, None) not in graph:
            continue
        if not any(str(t).startswith(str(KG)) for t in types) or graph.value(ind, KG.citation) is not None:
            continue
        record = _term(graph, ind)
        record["types"] = [{"curie": _curie(t), "anchor": _anchor(_curie(t)), "local": True} for t in sorted(types)]
        value = graph.value(ind, KG.sign)
        record["sign"] = SIGNS.get(int(value), "") if value is not None else ""
        individuals.append(record)
    return {"meta": graph_metadata(graph), "classes": classes, **sections, "individuals": individuals}


def write_docs(graph: Graph, out: Path) -> list[Path]:
    """Write ``out/index.html`` (replacing the folder as one); returns the files written."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kg", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    ref = reference(graph)
    sections = [("Object properties", "object-properties", ref["object_properties"]),
                ("Datatype properties", "datatype-properties", ref["datatype_properties"]),
                ("Annotation properties", "annotation-properties", ref["annotation_properties"])]
    html = env.get_template("docs.html.j2").render(**ref, property_sections=sections)
    out = Path(out)
    with atomic_dir(out) as work:
        (work / "index.html").write_text(html, encoding="utf-8")
    return [out / "index.html"]
