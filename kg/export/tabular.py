"""CSV tables of the entity network for people: pandas, Cytoscape, Gephi, a spreadsheet.

``nodes.csv`` (``Id``, ``Label``, category, Biolink category, definition,
identifiers, synonyms, IRI) and ``edges.csv`` (``Id``, ``Source``, ``Target``,
``Type``, ``Label``, relation, Biolink predicate, sign, family, inherited, via,
citations as DOI/PMID or the project's id, their labels and locators), written as
one folder with ``metadata.json``. The capitalised column names are the ones
Gephi's spreadsheet import recognises; Cytoscape and pandas read the files as they
are. Multi-valued cells are joined with ``; ``; rows are sorted.

Examples
--------
>>> import csv, tempfile
>>> folder = write_csv(graph, Path(tempfile.mkdtemp()) / "csv")
>>> with open(folder / "edges.csv", encoding="utf-8") as f:
...     rows = [r for r in csv.DictReader(f) if r["Source"] == "kg:cyclosporine" and r["Target"] == "kg:type_i_ifn"]
>>> [(r["relation"], r["sign"], r["citations"]) for r in rows]
[('kg:leavesUnchanged', '0', 'kg:pub_000')]
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import Graph, URIRef

from kg.export.header import graph_metadata
from kg.export.rdf import canonical_json
from kg.files import atomic_dir

NODE_COLUMNS = ("Id", "Label", "category", "biolink_category", "definition", "identifiers", "synonyms", "iri")
EDGE_COLUMNS = ("Id", "Source", "Target", "Type", "Label", "relation", "biolink_predicate", "sign", "family",
                "inherited", "via", "citations", "citation_labels", "locators")


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, (list, tuple)) else ("" if v is None else v)
                         for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def csv_files(graph: Graph) -> dict[str, bytes]:
    from kg.export.records import CLASS_LINK, Records, edge_id, kg_iri
    from kg.network import project

    G = project(graph)
    r = Records(graph)
    nodes = []
    for n, d in sorted(G.nodes(data=True)):
        r.node(URIRef(d["iri"]))
        rec = r.nodes[n]
        nodes.append({"Id": n, "Label": d["label"], "category": d["kind"], "biolink_category": rec["category"],
                      "definition": d["definition"], "identifiers": rec["xref"] if rec["id"] == n
                      else [rec["id"]] + [x for x in rec["xref"] if x != n], "synonyms": d["synonyms"],
                      "iri": d["iri"]})
    edges = []
    for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        ev = sorted(d.get("evidence", ()), key=lambda e: (e["citation"], e["locator"]))
        relation = d["relation"]
        predicate = CLASS_LINK if relation in ("rdf:type", "rdfs:subClassOf") else \
            r.map.predicate(kg_iri(relation))
        edges.append({"Id": edge_id(u, key, v), "Source": u, "Target": v, "Type": "Directed", "Label": d["label"],
                      "relation": relation, "biolink_predicate": predicate, "sign": d.get("sign"),
                      "family": d["family"], "inherited": str(bool(d.get("inherited"))).lower(),
                      "via": d.get("via", ""),
                      "citations": sorted({i for e in ev for i in r.publication_ids(e["citation"])}),
                      "citation_labels": sorted({e["citation_label"] for e in ev}),
                      "locators": [f"{e['citation_label']}: {e['locator']}" for e in ev if e["locator"]]})
    meta = graph_metadata(graph)
    meta.update(format="CSV", nodes=len(nodes), edges=len(edges))
    return {"nodes.csv": _csv(NODE_COLUMNS, nodes), "edges.csv": _csv(EDGE_COLUMNS, edges),
            "metadata.json": canonical_json(meta)}


def write_csv(graph: Graph, out: Path) -> Path:
    """Write ``nodes.csv``, ``edges.csv`` and ``metadata.json`` into folder ``out``, replaced as one."""
    out = Path(out)
    files = csv_files(graph)
    with atomic_dir(out) as work:
        for name, data in files.items():
            (work / name).write_bytes(data)
    return out
