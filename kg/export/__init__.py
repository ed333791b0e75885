"""Write the built graph in the formats other tools read; the same build gives the same bytes.

=========  =====================================================  ==================================
format     what is written                                        module
=========  =====================================================  ==================================
ttl, nt    Turtle / N-Triples, sorted, stable blank-node labels    :mod:`kg.export.rdf`
xml        RDF/XML (Protégé, owlready2, the OWL API)               :mod:`kg.export.rdf`
jsonld     compact JSON-LD with the project's context embedded    :mod:`kg.export.jsonld`
kgx        folder ``nodes.tsv`` + ``edges.tsv`` (Biolink), or     :mod:`kg.export.kgx`
           ``.tar.gz``
csv        folder ``nodes.csv`` + ``edges.csv`` for people         :mod:`kg.export.tabular`
graphml    the entity network, unique edge ids, typed attributes  :mod:`kg.export.graphml`
=========  =====================================================  ==================================

:func:`export` is the one entry point; it returns the paths it wrote.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import FormatError
from kg.export.rdf import RDF_FORMATS, serialize
from kg.files import write_atomic

FOLDER_FORMATS = ("kgx", "csv")
FORMATS = tuple(RDF_FORMATS) + ("kgx", "csv", "graphml")

__all__ = ["FORMATS", "RDF_FORMATS", "export", "export_projection", "serialize"]


def export(graph: Graph, fmt: str, out: Path) -> list[Path]:
    """Serialise ``graph`` as ``fmt`` to ``out`` (atomically); returns the files written.

    ``kgx`` and ``csv`` write a folder ``out`` holding two tables and ``metadata.json``
    (``kgx`` writes a ``.tar.gz`` of them when ``out`` ends so); the others one file.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in export(graph, "csv", Path(tempfile.mkdtemp()) / "tables")]
    ['edges.csv', 'metadata.json', 'nodes.csv']
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if fmt in RDF_FORMATS:
        return [write_atomic(out, serialize(graph, fmt))]
    if fmt == "kgx":
        from kg.export.kgx import write_kgx

        return write_kgx(graph, out)
    if fmt == "csv":
        from kg.export.tabular import write_csv

        folder = write_csv(graph, out)
        return sorted(folder.iterdir())
    return [export_projection(graph, fmt, out)]


def export_projection(graph: Graph, fmt: str, out: Path) -> Path:
    """Write the networkx projection of ``graph`` as GraphML (``fmt="graphml"``), atomically; returns ``out``.

    KGX and CSV, which also start from the projection, are folders: use :func:`export`.
    """
    if fmt != "graphml":
        raise FormatError(f"unknown projection format {fmt!r}; choose graphml (or export(..., 'kgx'/'csv'))")
    from kg.export.graphml import graphml_bytes

    return write_atomic(Path(out), graphml_bytes(graph))
