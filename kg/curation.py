"""Read the curated YAML/TSV files into plain records, keeping file and line.

Every record is a dict (``Record``) remembering where it came from, so any
later check can say ``data/sources/000.yaml:57: ...``. This module checks
*shape* (known keys, required keys, value types); :mod:`kg.compile` checks
*meaning* (ids exist, properties fit).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import DataError

Problem = tuple[Path, "int | None", str]


class Record(dict):
    """A YAML mapping that remembers its file and 1-based line."""

    file: Path
    line: int

    def where(self) -> tuple[Path, int]:
        return self.file, self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings are :class:`Record` and reject duplicate keys."""

    file: Path = Path("?")


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Record:
    loader.flatten_mapping(node)
    record = Record()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in record:
            raise DataError([(loader.file, key_node.start_mark.line + 1, f"duplicate key {key!r}")])
        record[key] = loader.construct_object(value_node, deep=True)
    record.file = loader.file
    record.line = node.start_mark.line + 1
    return record


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a :class:`DataError` with its line."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    loader.file = path
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        # An unterminated construct is reported where it starts, not at the end of the file.
        at_end = exc.problem_mark is not None and exc.problem_mark.index >= len(text.rstrip())
        mark = exc.context_mark if (at_end and exc.context_mark) else (exc.problem_mark or exc.context_mark)
        line = mark.line + 1 if mark else None
        what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem or exc)
        raise DataError([(path, line, f"YAML syntax: {what}")]) from exc
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------
# Shapes of records: field -> (type, required). ``str`` fields accept numbers.
# ---------------------------------------------------------------------------

STR, INT, NUM, BOOL, LIST, MAP, STRS = str, int, float, bool, list, dict, "str-or-list"

SHAPES: dict[str, dict[str, tuple[Any, bool]]] = {
    "entity": {"id": (STR, True), "type": (STR, True), "label": (STR, True), "definition": (STR, True),
               "synonyms": (LIST, False), "subtype_of": (LIST, False), "member_of": (LIST, False)},
    "publication": {"id": (STR, True), "title": (STR, True), "kind": (STR, False), "authors": (STR, False),
                    "first_author": (STR, False), "journal": (STR, False), "year": (INT, False),
                    "volume": (STR, False), "issue": (STR, False), "pages": (STR, False), "doi": (STR, False),
                    "pmid": (STR, False), "pmcid": (STR, False), "local_id": (STR, False), "ids_from": (STR, False),
                    "study_type": (STR, False), "cases_reported": (INT, False), "note": (STR, False),
                    "language": (STR, False)},
    "source_file": {"publication": (MAP, True), "defaults": (MAP, False), "facts": (LIST, False),
                    "patients": (LIST, False), "dose_recommendations": (LIST, False),
                    "therapy_reports": (LIST, False)},
    "defaults": {"evidence": (STR, False)},
    "fact": {"s": (STR, True), "p": (STR, True), "o": (STR, True), "at": (STR, True), "evidence": (STR, False),
             "refs": (LIST, False), "context": (STR, False), "certainty": (STR, False), "note": (STR, False),
             "cite": (STR, False)},
    "dose_recommendation": {"id": (STR, True), "drug": (STR, True), "value": (NUM, True), "unit": (STR, True),
                            "role": (STR, True), "indication_text": (STR, True), "indications": (LIST, False),
                            "route": (STR, False), "at": (STR, True)},
    "patient": {"id": (STR, True), "label": (STR, True), "at": (STR, True), "age": (INT, True), "sex": (STR, True),
                "presentation": (STR, False), "diagnoses": (LIST, True), "history": (LIST, False),
                "diagnosis_note": (STR, False), "findings": (LIST, False), "labs": (LIST, False),
                "courses": (LIST, True)},
    "finding": {"of": (STR, True), "status": (STR, False), "site": (STR, False), "note": (STR, False), "at": (STR, False)},
    "lab": {"test": (STR, True), "result": (STR, False), "value": (NUM, False), "unit": (STR, False),
            "range": (STR, False), "text": (STR, False), "note": (STR, False)},
    "course": {"seq": (INT, True), "therapy": (STR, True), "outcome": (STR, True), "target": (STR, False),
               "route": (STR, False), "doses": (LIST, False), "dose_text": (STR, False), "frequency": (STR, False),
               "duration": (MAP, True), "administrations": (INT, False), "response_after": (MAP, False),
               "detail": (STR, False), "other_effect": (STR, False), "follow_up": (STR, False),
               "note": (STR, False), "indication": (STR, False), "at": (STR, False)},
    "dose": {"value": (NUM, False), "unit": (STR, False), "text": (STR, False), "start": (STR, False)},
    "duration": {"value": (NUM, False), "unit": (STR, False), "text": (STR, True)},
    "therapy_report": {"id": (STR, False), "therapy": (STRS, True), "condition": (STRS, True),
                       "population": (STR, True), "direction": (STR, True), "study_type": (STR, False),
                       "refractory": (BOOL, False), "basis": (STR, False), "abstract_from": (STR, False),
                       "regimen": (STR, False),
                       "route": (STR, False), "combination": (LIST, False), "outcome": (STR, False),
                       "note": (STR, False), "at": (STR, False)},
    "reference_file": {"list_of": (STR, True), "references": (LIST, True)},
    "reference": {"n": (INT, True), "pub": ("str-or-map", True), "study_type": (STR, True), "reports": (LIST, True)},
}


def check_shape(record: Any, kind: str, path: Path, line: int | None = None) -> list[Problem]:
    """Problems with one record's keys and value types (empty if it fits its shape)."""
    if not isinstance(record, Record):
        return [(path, line, f"expected a mapping for a {kind.replace('_', ' ')}, got {type(record).__name__}")]
    shape, where = SHAPES[kind], record.line
    problems: list[Problem] = []
    for key in record:
        if key not in shape:
            known = ", ".join(shape)
            problems.append((path, where, f"unknown key {key!r} in {kind.replace('_', ' ')} (known: {known})"
                             + (" - a comma in an unquoted {...} value splits it; quote the value" if record[key] is None else "")))
    for key, (kind_of, required) in shape.items():
        if key not in record or record[key] is None:
            if required:
                problems.append((path, where, f"{kind.replace('_', ' ')} lacks required key {key!r}"))
            continue
        value = record[key]
        if not _fits(value, kind_of):
            problems.append((path, where, f"{key!r} should be {_name(kind_of)}, got {value!r}"))
        elif kind_of is STR and not isinstance(value, str):
            record[key] = str(value)  # numbers given for text fields (volume: 23)
    return problems


def _fits(value: Any, kind_of: Any) -> bool:
    if kind_of is STR:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind_of is INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind_of is NUM:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind_of == "str-or-list":
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    if kind_of == "str-or-map":
        return isinstance(value, (str, dict))
    return isinstance(value, kind_of)


def _name(kind_of: Any) -> str:
    return {STR: "text", INT: "a whole number", NUM: "a number", BOOL: "true or false", LIST: "a list",
            MAP: "a mapping"}.get(kind_of, str(kind_of).replace("-", " "))


# ---------------------------------------------------------------------------
# The whole curated corpus
# ---------------------------------------------------------------------------

@dataclass
class Curation:
    """All curated records, grouped by kind, each still knowing its file and line."""

    entities: list[Record] = field(default_factory=list)
    sources: list[Record] = field(default_factory=list)          # one per data/sources file
    reference_lists: list[Record] = field(default_factory=list)  # one per data/references file
    xrefs: list[Record] = field(default_factory=list)            # rows of data/identifiers.tsv


def read_curation(data: Path) -> Curation:
    """Load and shape-check every curated file under ``data``; raise one DataError listing all problems."""
    cur, problems = Curation(), []
    for path in sorted((data / "entities").glob("*.yaml")):
        try:
            records = load_yaml(path) or []
        except DataError as exc:
            problems += exc.problems
            continue
        if not isinstance(records, list):
            problems.append((path, 1, "an entity file must be a list of entity records"))
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
            found = check_shape(doc, kind, path, 1)
            problems += found
            if isinstance(doc, Record):
                problems += _check_nested(doc, kind, path)
                bucket.append(doc)
    ids_file = data / "identifiers.tsv"
    if ids_file.exists():
        rows, more = read_tsv(ids_file, ("entity", "curie", "matched_label", "evidence"))
        cur.xrefs, problems = rows, problems + more
    if problems:
        raise DataError(problems)
    return cur


def _check_nested(doc: Record, kind: str, path: Path) -> list[Problem]:
    problems: list[Problem] = []

    def each(items: Any, item_kind: str) -> None:
        for item in items or []:
            problems.extend(check_shape(item, item_kind, path, doc.line))

    if kind == "source_file":
        if isinstance(doc.get("publication"), Record):
            problems += check_shape(doc["publication"], "publication", path)
        if isinstance(doc.get("defaults"), Record):
            problems += check_shape(doc["defaults"], "defaults", path)
        each(doc.get("facts"), "fact")
        each(doc.get("dose_recommendations"), "dose_recommendation")
        each(doc.get("therapy_reports"), "therapy_report")
        for patient in doc.get("patients") or []:
            problems.extend(check_shape(patient, "patient", path, doc.line))
            if not isinstance(patient, Record):
                continue
            each(patient.get("findings"), "finding")
            each(patient.get("labs"), "lab")
            for course in patient.get("courses") or []:
                problems.extend(check_shape(course, "course", path, patient.line))
                if isinstance(course, Record):
                    each(course.get("doses"), "dose")
                    for key in ("duration", "response_after"):
                        if isinstance(course.get(key), Record):
                            problems.extend(check_shape(course[key], "duration", path))
    else:
        for ref in doc.get("references") or []:
            problems.extend(check_shape(ref, "reference", path, doc.line))
            if isinstance(ref, Record):
                if isinstance(ref.get("pub"), Record):
                    problems.extend(check_shape(ref["pub"], "publication", path))
                each(ref.get("reports"), "therapy_report")
    return problems


def read_tsv(path: Path, columns: tuple[str, ...]) -> tuple[list[Record], list[Problem]]:
    """Rows of a tab-separated file with a header, as Records (line = file line)."""
    rows: list[Record] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header[: len(columns)]) != columns:
            return [], [(path, 1, f"header must start with {' / '.join(columns)}, got {header!r}")]
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < len(columns):
                problems.append((path, number, f"expected {len(columns)} tab-separated columns, got {len(cells)}"))
                continue
            rec = Record(zip(header, (c.strip() for c in cells)))
            rec.file, rec.line = path, number
            rows.append(rec)
    return rows, problems
