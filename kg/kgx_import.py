"""Finding and loading the files of a KGX graph (a pair, a folder or an archive) for :mod:`kg.graph_import`.

A KGX graph given as

* one file of a pair (``X_nodes.tsv`` or ``X_edges.tsv``; ``.jsonl`` for JSON
  Lines; ``.gz`` allowed): the file and its partner beside it, if there is one;
* a folder: every ``*nodes*`` and ``*edges*`` TSV / JSON Lines file in it;
* a ``.tar.gz`` / ``.tgz`` / ``.tar`` archive: the same, among its members;

is converted row by row (:mod:`kg.kgx`) and fed to Oxigraph's bulk loader as one
N-Triples stream. A ``*.json`` file beside the data (or in the archive) whose
object has ``name``/``title`` and ``license`` gives the graph's title and licence.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from pathlib import Path

from kg.errors import DataError, FileError, FormatError, Problem
from kg.kgx import Converter, KGXFile, kgx_triples

_KIND = re.compile(r"(nodes|edges)", re.IGNORECASE)
_DATA = re.compile(r"\.(tsv|jsonl)(\.gz)?$", re.IGNORECASE)


def _kind(name: str) -> str | None:
    found = _KIND.findall(Path(name).name)
    return found[-1].lower() if found else None


def _syntax(name: str, fmt: str) -> str:
    if fmt == "kgx-tsv":
        return "tsv"
    if fmt == "kgx-jsonl":
        return "jsonl"
    return "jsonl" if ".jsonl" in name.lower() else "tsv"


class DiskFile:
    """Opens one file on disk for reading (gunzipping it if needed), hashing it as it is read."""

    def __init__(self, path: Path, opened: list) -> None:
        self.path = path
        self.raw = self.text = None
        self._opened = opened

    def __call__(self):
        from kg.graph_import import _open_file

        stream, self.raw, self.text = _open_file(self.path)
        self._opened.append(self)
        return stream

    def record(self) -> dict:
        """Name, size and sha256 (of what was read, when the whole file was read; else read again)."""
        from kg.graph_import import _file_record, _sha256

        if self.raw is not None and self.raw.size == self.path.stat().st_size:
            return _file_record(self.path, self.raw)
        return _sha256(self.path)

    def lines(self) -> int:
        tracker = self.text or self.raw
        return tracker.lines if tracker is not None else 0


def find_files(path: Path, fmt: str, opened: list) -> tuple[list[KGXFile], list, dict]:
    """(the KGX files to read, the files on disk to record, metadata found) for ``path``."""
    name = path.name.lower()
    if path.is_dir():
        members = sorted(p for p in path.iterdir() if p.is_file() and _DATA.search(p.name) and _kind(p.name))
        if not members:
            raise FormatError(f"{path} holds no KGX files (*nodes.tsv / *edges.tsv, or .jsonl)")
        disk = [DiskFile(p, opened) for p in members]
        files = [KGXFile(str(d.path), _kind(d.path.name), _syntax(d.path.name, fmt), d) for d in disk]
        return files, disk, _metadata(sorted(path.glob("*.json")))
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return _archive(path, fmt)
    kind = _kind(path.name)
    if kind is None:
        raise FormatError(f"{path}: cannot tell whether it holds KGX nodes or edges; name it *_nodes.tsv or "
                          f"*_edges.tsv (or .jsonl)")
    other = "edges" if kind == "nodes" else "nodes"
    partner = path.with_name(re.sub(kind, other, path.name, flags=re.IGNORECASE)) if kind in path.name.lower() \
        else None
    partner = partner if partner is not None and partner.is_file() and partner != path else None
    disk = [DiskFile(p, opened) for p in [path] + ([partner] if partner else [])]
    files = [KGXFile(str(d.path), _kind(d.path.name), _syntax(d.path.name, fmt), d) for d in disk]
    return files, disk, _metadata(sorted(path.parent.glob("*.json")))


def _archive(path: Path, fmt: str) -> tuple[list[KGXFile], list, dict]:
    """KGX files among the members of a tar archive (each member read on demand)."""
    try:
        with tarfile.open(path, "r:*") as archive:
            members = [m for m in archive.getmembers() if m.isfile() and _DATA.search(m.name) and _kind(m.name)]
            meta_members = [m for m in archive.getmembers() if m.isfile() and m.name.lower().endswith(".json")]
            metadata = _metadata_texts([archive.extractfile(m).read() for m in meta_members[:5]])
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise DataError([Problem(path, None, f"is not a readable tar archive ({' '.join(str(exc).split())}): "
                                             f"truncated or not a .tar.gz?", code="data.gzip")]) from None
    if not members:
        raise FormatError(f"{path} holds no KGX files (*nodes.tsv / *edges.tsv, or .jsonl)")

    def opener(member_name: str):
        def open_member():
            archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed with the member
            handle = archive.extractfile(member_name)
            stream = gzip.GzipFile(fileobj=handle) if member_name.lower().endswith(".gz") else handle
            return _Closing(io.BufferedReader(stream, 1 << 20), archive)
        return open_member

    files = [KGXFile(f"{path}:{m.name}", _kind(m.name), _syntax(m.name, fmt), opener(m.name)) for m in members]
    return files, [DiskFile(path, [])], metadata


class _Closing:
    """A member's stream that closes its archive with it."""

    def __init__(self, stream, archive) -> None:
        self._stream, self._archive = stream, archive

    def __iter__(self):
        return iter(self._stream)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stream.close()
        self._archive.close()


def _metadata(paths: list[Path]) -> dict:
    texts = []
    for p in paths[:5]:
        try:
            texts.append(p.read_bytes()[:1_000_000])
        except OSError:
            continue
    return _metadata_texts(texts)


def _metadata_texts(texts: list[bytes]) -> dict:
    """Title and licence from the first JSON object that declares either."""
    for text in texts:
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict):
            title = data.get("title") or data.get("name")
            license_ = data.get("license") or data.get("licence")
            if title or license_:
                return {"title": str(title) if title else None, "license": str(license_) if license_ else None}
    return {}


def load_kgx(store, path: Path, fmt: str, iri: str, prefixes: dict[str, str] | None) -> dict:
    """Convert the KGX graph at ``path`` and bulk-load it into graph ``iri``; the provenance fields."""
    import pyoxigraph as ox

    from kg.graph_import import _GZIP_ERRORS, ChunkReader, _gzip_problem

    opened: list[DiskFile] = []
    files, on_disk, metadata = find_files(path, fmt, opened)
    converter = Converter(iri + "/", prefixes)
    reader = io.BufferedReader(ChunkReader(kgx_triples(files, converter)), 1 << 20)
    try:
        store.bulk_load(reader, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    except SyntaxError as exc:  # a converted line the parser refused: an identifier that is no valid IRI
        raise DataError([Problem(path, None, f"an identifier in it is not a valid IRI once expanded "
                                             f"({' '.join(str(exc.msg).split())})", code="data.kgx")]) from None
    except _GZIP_ERRORS as exc:
        where = opened[-1] if opened else None
        raise _gzip_problem(where.path if where else path, where.lines() if where else 0, exc) from None
    except OSError as exc:
        raise FileError(f"cannot import {path}: {' '.join(str(exc).split())}") from exc
    counts = converter.counts
    records = tuple(d.record() for d in on_disk)
    notes = []
    if not any(f.kind == "nodes" for f in files):
        notes.append("no nodes file: only edges were imported")
    if not any(f.kind == "edges" for f in files):
        notes.append("no edges file: only nodes were imported")
    if counts.dangling:
        notes.append(f"{counts.dangling:,} edges name a subject or object that no nodes file lists")
    return {"files": records, "nodes": counts.nodes, "edges": counts.edges, "unmapped": dict(converter.ids.unmapped),
            "notes": tuple(notes), **metadata,
            # for the join and the edge counts (kg.graph_import._join), not the record
            "kgx_ids": {i: converter.ids.iri(i)[1:-1] for i in counts.identifiers()}, "edge_rows": counts.predicates}
