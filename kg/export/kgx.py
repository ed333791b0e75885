"""KGX TSV: ``nodes.tsv`` and ``edges.tsv`` in one folder (or a ``.tar.gz``), written as one unit.

Columns follow the KGX format: list values are joined with ``|``; rows are sorted
by id and columns fixed, so the same build gives the same bytes. ``metadata.json``
beside them names the graph, its version and licence, and counts the rows. The
records come from :mod:`kg.export.records`; :mod:`kg.export.kgx_check` runs kgx's
own validator on the result.

Examples
--------
>>> import tempfile
>>> out = write_kgx(graph, Path(tempfile.mkdtemp()) / "kgx")
>>> sorted(p.name for p in out)
['edges.tsv', 'metadata.json', 'nodes.tsv']
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from rdflib import Graph

from kg.export.header import graph_metadata
from kg.export.rdf import canonical_json
from kg.files import atomic_dir, write_atomic

NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "iri", "provided_by", "kind")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "object_direction_qualifier", "negated",
                "knowledge_level", "agent_type", "primary_knowledge_source", "publications",
                "original_predicate", "sign", "family", "inherited", "via", "direction", "outcome")


def _cell(value) -> str:
    if isinstance(value, (list, tuple)):
        value = "|".join(str(v) for v in value)
    return " ".join(str("" if value is None else value).replace("\t", " ").split())


def tsv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(_cell(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def kgx_files(graph: Graph) -> dict[str, bytes]:
    """The three files of the KGX export, by name."""
    from kg.export.records import records

    r = records(graph)
    nodes = sorted(r.nodes.values(), key=lambda n: n["id"])
    meta = graph_metadata(graph)
    meta.update(format="KGX TSV", nodes=len(nodes), edges=len(r.edges), knowledge_source="infores:dmkg",
                prefixes={"kg": "https://w3id.org/dmkg/", "infores": "https://w3id.org/biolink/infores/"})
    return {"nodes.tsv": tsv(NODE_COLUMNS, nodes), "edges.tsv": tsv(EDGE_COLUMNS, r.edges),
            "metadata.json": canonical_json(meta)}


def write_kgx(graph: Graph, out: Path) -> list[Path]:
    """Write the KGX export to folder ``out`` (replaced as one) or, if it ends in ``.tar.gz``, an archive."""
    out = Path(out)
    files = kgx_files(graph)
    if out.name.endswith((".tar.gz", ".tgz")):
        write_atomic(out, tar_bytes(files))
        return [out]
    with atomic_dir(out) as work:
        for name, data in files.items():
            (work / name).write_bytes(data)
    return sorted(out / name for name in files)


def tar_bytes(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``files`` with fixed times, owners and order (the same bytes each time)."""
    import gzip

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), 0, 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    return gzip.compress(raw.getvalue(), mtime=0)
