"""Read the curated YAML/TSV files into plain records, keeping file and line.

Every record is a dict (:class:`Record`) remembering where it came from, so any
later check can say ``data/sources/000.yaml:57: ...``. This package checks
*shape* against the spec of each record kind (:mod:`kg.curation.spec`: known
and required keys, value types and bounds, identifier patterns);
:mod:`kg.compile` checks *meaning* (ids exist, properties fit, vocabularies)
from the same spec.

Every file is read through :func:`kg.files.read_text`, so an undecodable,
binary or folder-instead-of-file input is one problem, not a traceback; all
problems are raised together as one :class:`~kg.errors.DataError`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.curation.shape import check_shape, shown
from kg.curation.spec import IDENTIFIER_COLUMNS, SPECS, Key, Kind, Vocab
from kg.curation.yamlfile import Record, load_yaml, paused_gc
from kg.errors import DataError, Problem
from kg.files import read_text

__all__ = [
    "SPECS",
    "Curation",
    "Key",
    "Kind",
    "Record",
    "Vocab",
    "check_shape",
    "load_yaml",
    "read_curation",
    "read_tsv",
]


@dataclass
class Curation:
    """All curated records, grouped by kind, each still knowing its file and line."""

    entities: list[Record] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)          # one per data/sources file
    reference_lists: list[Record] = field(default_factory=list)  # one per data/references file
    xrefs: list[Record] = field(default_factory=list)            # rows of data/identifiers.tsv


def read_curation(data: Path) -> Curation:
    """Load and shape-check every curated file under ``data``; raise one DataError listing all problems.

    Examples
    --------
    >>> from kg.project import Project
    >>> cur = read_curation(Project.discover().data)
    >>> len(cur.sources), len(cur.reference_lists)
    (6, 2)
    """
    with paused_gc():
        return _read(Path(data))


def _read(data: Path) -> Curation:
    cur, problems = Curation(), []
    for path in sorted((data / "entities").glob("*.yaml")):
        try:
            records = load_yaml(path)
        except DataError as exc:
            problems += exc.problems
            continue
        if records is None:
            problems.append(Problem(path, 1, "the entity file is empty; it must be a list of entity records",
                                    code="data.shape"))
            continue
        if not isinstance(records, list):
            problems.append(Problem(path, 1, "an entity file must be a list of entity records", code="data.shape"))
            continue
        for rec in records:
            problems += check_shape(rec, "entity", path)
            if isinstance(rec, Record):
                cur.entities.append(rec)
    for folder, kind, bucket in (("sources", "source_file", cur.sources),
                                 ("references", "reference_file", cur.reference_lists)):
        for path in sorted((data / folder).glob("*.yaml")):
            try:
                doc = load_yaml(path)
            except DataError as exc:
                problems += exc.problems
                continue
            if doc is None:
                problems.append(Problem(path, 1, f"the file is empty; a {SPECS[kind].title} is a mapping with "
                                                 f"{', '.join(SPECS[kind].required())}", code="data.shape"))
                continue
            problems += check_shape(doc, kind, path, 1)
            if isinstance(doc, Record):
                bucket.append(doc)
    ids_file = data / "identifiers.tsv"
    if ids_file.exists():
        rows, more = read_tsv(ids_file, IDENTIFIER_COLUMNS)
        problems += more
        for row in rows:
            problems += check_shape(row, "identifier", ids_file, allow_unknown=True)
        cur.xrefs = rows
    if problems:
        raise DataError(problems)
    return cur


def read_tsv(path: Path, columns: tuple[str, ...]) -> tuple[list[Record], list[Problem]]:
    """Rows of a tab-separated file with a header, as Records (line = file line).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.tsv"
    >>> _ = p.write_text("a\\tb\\nx\\ty\\n\\n1\\n")
    >>> rows, problems = read_tsv(p, ("a", "b"))
    >>> [(dict(r), r.line) for r in rows], [p.message for p in problems]
    ([({'a': 'x', 'b': 'y'}, 2)], ['expected 2 tab-separated columns, got 1'])
    """
    rows: list[Record] = []
    problems: list[Problem] = []
    reader = csv.reader(read_text(path, "tab-separated file").splitlines(), delimiter="\t")
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header[: len(columns)]) != columns:
        return [], [Problem(path, 1, f"header must start with {' / '.join(columns)}, got {shown(header)}",
                            code="data.shape")]
    header = [h.strip() for h in header]
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(columns):
            problems.append(Problem(path, number, f"expected {len(columns)} tab-separated columns, got {len(cells)}",
                                    code="data.shape"))
            continue
        rec = Record(zip(header, (c.strip() for c in cells)))
        rec.file, rec.line = path, number
        rows.append(rec)
    return rows, problems
