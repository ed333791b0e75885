"""``kg import`` for other graphs: RDF files and KGX, each into its own named graph of the store.

:func:`import_graph` streams a file into the persistent store (:mod:`kg.store`)
as the named graph ``https://w3id.org/dmkg/graph/import/NAME``:

* RDF - Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD, N3, each optionally
  gzipped - through Oxigraph's parsers and bulk loader (a quad format's graphs are
  merged into the import's graph);
* KGX - a TSV nodes/edges pair (either file of the pair, a folder, or a
  ``.tar.gz``) or KGX JSON Lines - converted row by row (:mod:`kg.kgx`).

The format comes from the name (``.ttl``, ``.nt``, ``.nq``, ``.trig``,
``.rdf``/``.owl``/``.xml``, ``.jsonld``, ``.n3``, ``*nodes.tsv``/``*edges.tsv``,
``*.jsonl``, a folder, ``.tar.gz``; ``.gz`` after any) or from ``fmt``.

Each import writes a new generation of the store (:mod:`kg.generations`): a file
that fails half-way - a syntax error, a bad KGX row, a truncated gzip, the wrong
format - leaves the store exactly as it was, and the error names the file, the
line and what is wrong. The graph's provenance record (source files with size
and sha256, format, counts, import time, kg's version, and the title and licence
the file declares) is written in the same generation. Counts: triples always;
for KGX the node and edge rows; for RDF the nodes (distinct subjects).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import tarfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.errors import (
    DataError,
    FileError,
    FormatError,
    KGError,
    Problem,
    UnknownNameError,
    file_error,
)
from kg.project import Project
from kg.store import (
    IMPORT_BASE,
    RESERVED_NAMES,
    GraphInfo,
    drop_graph,
    read_records,
    write_record,
)

#: format name -> (pyoxigraph RdfFormat attribute or None for KGX, what to call it in messages)
FORMATS: dict[str, tuple[str | None, str]] = {
    "turtle": ("TURTLE", "Turtle"), "ntriples": ("N_TRIPLES", "N-Triples"), "nquads": ("N_QUADS", "N-Quads"),
    "trig": ("TRIG", "TriG"), "rdfxml": ("RDF_XML", "RDF/XML"), "jsonld": ("JSON_LD", "JSON-LD"),
    "n3": ("N3", "N3"), "kgx": (None, "KGX"), "kgx-tsv": (None, "KGX TSV"), "kgx-jsonl": (None, "KGX JSON Lines"),
}
SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig",
            ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml", ".jsonld": "jsonld", ".n3": "n3",
            ".tsv": "kgx-tsv", ".jsonl": "kgx-jsonl"}
_QUAD_FORMATS = ("nquads", "trig")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SMALL = 4_000_000  # bytes: below this an RDF file is loaded in one transaction (faster), above by the bulk loader


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    info: GraphInfo
    seconds: float
    replaced: bool = False

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def triples(self) -> int:
        return self.info.triples

    def to_dict(self) -> dict:
        return {**self.info.to_dict(), "seconds": round(self.seconds, 3), "replaced": self.replaced}


# ---------------------------------------------------------------------------
# Names and formats
# ---------------------------------------------------------------------------

def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".tgz", ".tar"):
        name = name.removesuffix(suffix)
    return name.rsplit(".", 1)[0] if "." in name else name


def default_name(path: Path | str) -> str:
    """The import name a file gets without ``--name``: its name without suffixes or a nodes/edges tag.

    Examples
    --------
    >>> default_name("downloads/Hetionet_edges.tsv.gz"), default_name("mondo.owl"), default_name("kg.tar.gz")
    ('hetionet', 'mondo', 'kg')
    """
    path = Path(path)
    stem = re.sub(r"[_.-]?(nodes|edges)$", "", _stem(path), flags=re.IGNORECASE)
    stem = stem or path.resolve().parent.name
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._") or "import"


def check_name(name: str) -> str:
    """``name`` if it can name an import (letters, digits, ``._-``; not all, curated or meta)."""
    if not _NAME.fullmatch(name):
        raise KGError(f"--name {name!r}: an import name is letters, digits, '.', '_' and '-' "
                      f"(starting with a letter or digit, at most 100)")
    if name in RESERVED_NAMES:
        raise KGError(f"--name {name!r} is reserved ({', '.join(RESERVED_NAMES)} select graphs); choose another")
    return name


def detect_format(path: Path) -> str:
    """The format of ``path`` from its name (see the module docstring)."""
    if path.is_dir():
        return "kgx"
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "kgx"
    suffix = Path(name.removesuffix(".gz")).suffix
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix == ".json":
        raise FormatError(f"{path}: a .json file may be JSON-LD or KGX JSON; give --format jsonld "
                          f"(KGX JSON is read as KGX JSON Lines: one node or edge per line, .jsonl)")
    raise FormatError(f"cannot tell the format of {path} from its name; give --format "
                      f"({', '.join(FORMATS)})")


# ---------------------------------------------------------------------------
# Reading files: hashing what is read, counting lines, gzip
# ---------------------------------------------------------------------------

class Tracked(io.RawIOBase):
    """A readable binary stream that hashes (sha256) and counts the bytes and lines read through it."""

    def __init__(self, inner: IO[bytes], hash_it: bool = True) -> None:
        self.inner = inner
        self.sha = hashlib.sha256() if hash_it else None
        self.size = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.size += n
        self.lines += data.count(b"\n")
        if self.sha is not None:
            self.sha.update(data)
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


class ChunkReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (bulk_load reads it as a file)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_file(path: Path) -> tuple[IO[bytes], Tracked, Tracked | None]:
    """(decompressed binary stream, the raw file's tracker, the decompressed stream's tracker or None)."""
    try:
        raw = Tracked(open(path, "rb"))  # noqa: SIM115 - returned open
    except OSError as exc:
        raise file_error(path, exc, "read") from exc
    if _is_gzip(path):
        text = Tracked(gzip.GzipFile(fileobj=io.BufferedReader(raw, 1 << 20)), hash_it=False)
        return io.BufferedReader(text, 1 << 20), raw, text
    return io.BufferedReader(raw, 1 << 20), raw, None


def _file_record(path: Path, raw: Tracked) -> dict:
    return {"name": path.name, "size": raw.size, "sha256": raw.sha.hexdigest() if raw.sha else ""}


def _sha256(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, tarfile.ReadError)


def _gzip_problem(path: Path | str, lines: int, exc: BaseException) -> DataError:
    what = "ends before its end marker (a truncated download?)" if isinstance(exc, EOFError) else \
        f"is corrupt ({' '.join(str(exc).split())})"
    return DataError([Problem(path, None, f"the compressed stream {what}; it broke off after {lines:,} lines",
                              code="data.gzip")])


# ---------------------------------------------------------------------------
# Importing
# ---------------------------------------------------------------------------

def import_graph(path: Path | str, project: Project | None = None, *, name: str | None = None,
                 fmt: str | None = None, replace: bool = False, prefixes: dict[str, str] | None = None,
                 dry_run: bool = False) -> ImportReport:
    """Import an RDF file or a KGX graph into the store as the named graph of import ``name``.

    Parameters
    ----------
    path
        The file (or, for KGX, a folder or ``.tar.gz``).
    name
        The import's name (default: from the file name, see :func:`default_name`).
    fmt
        One of :data:`FORMATS` (default: from the name, see :func:`detect_format`).
    replace
        Replace an import of the same name (else that is an error).
    prefixes
        KGX only: extra CURIE prefix -> IRI stem mappings (they take precedence).
    dry_run
        Read and convert the whole file, count it, then leave the store unchanged.

    Raises
    ------
    DataError
        The file is not valid in its format; names the file and line (or row and column).
    FileError, FormatError, KGError
        The file is missing or unreadable, the format unknown, the name taken or invalid.
    """
    from kg.store import open_store

    started = time.perf_counter()
    project = project or Project.discover()
    path = Path(path).expanduser()
    if not path.exists():
        raise FileError(f"no such file or folder: {path}")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise FormatError(f"unknown import format {fmt!r}; choose one of {', '.join(FORMATS)}")
    name = check_name(name or default_name(path))
    with open_store(project) as snapshot:  # the curated graph is current before the import copies the store
        exists = name in snapshot.graphs
    if exists and not replace and not dry_run:
        raise KGError(f"the store already has an import named {name!r}; give --replace to replace it, "
                      f"or another --name")
    from kg import generations

    iri = IMPORT_BASE + name
    with generations.writing(project.store) as writer:
        old = read_records(writer.store).get(name)
        if old is not None and not replace and not dry_run:
            raise KGError(f"the store already has an import named {name!r} (added just now by another command)")
        if old is not None:
            drop_graph(writer.store, iri, old.triples)
        if FORMATS[fmt][0] is None:
            from kg.kgx_import import load_kgx

            fields = load_kgx(writer.store, path, fmt, iri, prefixes)
        else:
            fields = _load_rdf(writer.store, path, fmt, iri)
        fields.update(_join(writer.store, iri, fields))
        info = _info(writer.store, name, iri, fmt, fields)
        if not info.triples:
            raise DataError([Problem(path, None, "holds no triples (an empty file?); nothing was imported",
                                     code="data.empty")])
        write_record(writer.store, info)
        writer.marker = {"change": f"{'replace' if old else 'import'} {name} from {path.name}"}
        writer.discard = dry_run
    return ImportReport(info=info, seconds=time.perf_counter() - started, replaced=old is not None)


def _join(store, iri: str, fields: dict) -> dict:
    """Link the import's nodes to curated entities by identifier (:mod:`kg.joins`); the record's fields."""
    from kg.joins import join_import
    from kg.store import CURATED

    joins = join_import(store, iri, CURATED, fields.pop("kgx_ids", None))
    from kg.external import count_signed

    signed, unsigned = count_signed(store, iri, edge_rows=fields.pop("edge_rows", None))
    out = {"joins": dict(sorted(joins.by_prefix.items())), "candidates": tuple(joins.candidates),
           "candidate_count": joins.candidate_count, "signed": signed, "unsigned": unsigned}
    if fields.get("triples") is not None:
        out["triples"] = fields["triples"] + len(joins.written)
    return out


def _info(store, name: str, iri: str, fmt: str, fields: dict) -> GraphInfo:
    from kg.build import _version
    from kg.store import count_graph

    triples = fields.pop("triples", None)
    return GraphInfo(name=name, iri=iri, kind="import", triples=count_graph(store, iri) if triples is None else triples,
                     format=fmt, imported_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), version=_version(), **fields)


def _load_rdf(store, path: Path, fmt: str, iri: str) -> dict:
    """Stream an RDF file into graph ``iri``; the provenance fields it yields."""
    import pyoxigraph as ox

    if path.is_dir():
        raise FormatError(f"{path} is a folder; only KGX imports read folders (give a file, or --format kgx)")
    rdf_format = getattr(ox.RdfFormat, FORMATS[fmt][0])
    label = FORMATS[fmt][1]
    target = ox.NamedNode(iri)
    stream, raw, text = _open_file(path)
    notes: list[str] = []
    direct = False
    try:
        if fmt in _QUAD_FORMATS:
            graphs: set = set()

            def quads():
                for quad in ox.parse(stream, rdf_format, base_iri=path.resolve().as_uri()):
                    if not isinstance(quad.graph_name, ox.DefaultGraph):
                        graphs.add(quad.graph_name)
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, target)

            store.bulk_extend(quads())
            if graphs:
                notes.append(f"the file's {len(graphs)} named graph(s) were merged into this import's graph")
        elif path.stat().st_size < _SMALL and text is None:
            store.load(stream, rdf_format, base_iri=path.resolve().as_uri(), to_graph=target)
        elif text is None:  # Oxigraph reads an uncompressed file itself (through Python it takes a third longer)
            stream.close()
            direct = True
            store.bulk_load(path=str(path), format=rdf_format, base_iri=path.resolve().as_uri(), to_graph=target)
        else:
            store.bulk_load(stream, rdf_format, base_iri=path.resolve().as_uri(), to_graph=target)
    except SyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        message = " ".join(str(exc.msg if exc.msg else exc).split())
        guessed = detect_safe(path)
        hint = (f" (the file's name says {FORMATS[guessed][1]}: is --format right?)"
                if guessed not in (None, fmt) else "")
        raise DataError([Problem(path, line, f"not valid {label}: {message}{hint}", code="data.rdf")]) from None
    except _GZIP_ERRORS as exc:
        raise _gzip_problem(path, text.lines if text else raw.lines, exc) from None
    except OSError as exc:
        raise FileError(f"cannot import {path}: {' '.join(str(exc).split())}") from exc
    finally:
        stream.close()
    fields = {"files": (_sha256(path) if direct else _file_record(path, raw),), "notes": tuple(notes)}
    fields.update(_rdf_counts(store, iri))
    fields.update(_declared(store, iri))
    return fields


def detect_safe(path: Path) -> str | None:
    """The format the name of ``path`` suggests, or None."""
    try:
        return detect_format(path)
    except KGError:
        return None


def _rdf_counts(store, iri: str) -> dict:
    """Triples and nodes (distinct subjects) of an RDF graph, in one scan.

    Edges are not counted for RDF: telling resource objects from literals costs
    Oxigraph a decode per triple (2 s per million, a third of the load itself).
    """
    query = f"SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    row = next(iter(store.query(query)))
    return {"triples": int(row[0].value), "nodes": int(row[1].value)}


_DECLARED = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dc: <http://purl.org/dc/elements/1.1/>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?title ?license WHERE {
  VALUES ?type { <http://www.w3.org/2002/07/owl#Ontology> <http://rdfs.org/ns/void#Dataset>
                 <http://www.w3.org/ns/dcat#Dataset> schema:Dataset <https://schema.org/Dataset> }
  ?d a ?type .
  OPTIONAL { ?d dcterms:title|dc:title|schema:name|rdfs:label ?title }
  OPTIONAL { ?d dcterms:license|<http://creativecommons.org/ns#license>|schema:license|dc:rights ?license }
} ORDER BY DESC(BOUND(?title)) DESC(BOUND(?license)) LIMIT 1
"""


def _declared(store, iri: str) -> dict:
    """The title and licence the graph declares on its ontology or dataset node, if any."""
    import pyoxigraph as ox

    rows = list(store.query(_DECLARED, default_graph=[ox.NamedNode(iri)]))
    if not rows:
        return {}
    title, license_ = rows[0][0], rows[0][1]
    return {"title": title.value if title is not None else None,
            "license": license_.value if license_ is not None else None}


def remove_import(name: str, project: Project | None = None) -> GraphInfo:
    """Remove import ``name`` (its graph and its provenance record) from the store; its record."""
    from kg import generations
    from kg.store import delete_record

    project = project or Project.discover()
    with generations.writing(project.store) as writer:
        records = read_records(writer.store)
        if name not in records or records[name].kind != "import":
            imports = [n for n, i in records.items() if i.kind == "import"]
            raise UnknownNameError("import", name, imports,
                                   hint="" if imports else "; the store has no imports (kg graphs lists them)")
        info = records[name]
        drop_graph(writer.store, info.iri, info.triples)
        delete_record(writer.store, info.iri)
        writer.marker = {"change": f"remove {name}"}
    return info

