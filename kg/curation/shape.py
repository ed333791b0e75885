"""Check a record's *shape* against its spec: known keys, required keys, types, bounds.

Everything nested in a record (a source file's facts, a patient's courses and
their doses) is checked by following the spec's ``item`` kinds, so one call on
a source file checks the whole file. Meaning (ids exist, vocabularies, ranges)
is checked by :mod:`kg.compile`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from kg.curation.spec import (
    BOOL,
    ID,
    INT,
    LIST,
    MAP,
    NAME,
    NAME_PATTERN,
    NUMBER,
    SPECS,
    TEXT,
    TEXT_OR_LIST,
    TEXT_OR_MAP,
    Key,
)
from kg.curation.yamlfile import Record
from kg.errors import Problem

_TYPE_NAMES = {TEXT: "text", NAME: "a name (letters, digits, _ . -)", ID: "an id", INT: "a whole number",
               NUMBER: "a finite number", BOOL: "true or false", LIST: "a list", MAP: "a mapping",
               TEXT_OR_LIST: "text or a list of text", TEXT_OR_MAP: "text or a mapping"}


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters so a message stays one short line.

    Examples
    --------
    >>> shown("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_shape(record: Any, kind: str, path: Path, line: int | None = None,
                allow_unknown: bool = False) -> list[Problem]:
    """Problems with one record and everything nested in it (empty if it fits its spec).

    ``line`` is used when ``record`` is not a mapping (and so has no line of its own).
    Numbers given for text keys are turned into text in place (``volume: 23``).

    Examples
    --------
    >>> r = Record(seq=1, therapy="x", outcome="response", duration=Record(text="3 months"), colour="red")
    >>> r.file, r.line = Path("s.yaml"), 4
    >>> r["duration"].file, r["duration"].line = Path("s.yaml"), 4
    >>> [p.message for p in check_shape(r, "course", Path("s.yaml"))]  # doctest: +ELLIPSIS
    ["unknown key 'colour' in course (known: seq, therapy, ...)"]
    """
    spec = SPECS[kind]
    if not isinstance(record, Record):
        what = "empty" if record is None else type(record).__name__
        return [Problem(path, line, f"expected a mapping for a {spec.title}, got {what}", code="data.shape")]
    problems: list[Problem] = []
    where = record.line
    if not allow_unknown:
        for key in record:
            if key not in spec.keys:
                hint = " - a comma in an unquoted {...} value splits it; quote the value" if record[key] is None else ""
                problems.append(Problem(path, where, f"unknown key {shown(key)} in {spec.title} "
                                                     f"(known: {', '.join(spec.keys)}){hint}", code="data.shape"))
    for key in spec.keys.values():
        value = record.get(key.name)
        if value is None or value == "":
            if key.required:
                problems.append(Problem(path, where, f"{spec.title} lacks required key {key.name!r}",
                                        code="data.shape"))
            continue
        problems += _check_value(record, key, value, path, where, spec.title)
    return problems


def _check_value(record: Record, key: Key, value: Any, path: Path, where: int, title: str) -> list[Problem]:
    def bad(message: str) -> list[Problem]:
        return [Problem(path, where, message, code="data.shape")]

    kind = key.type
    if kind in (TEXT, NAME, ID):
        if not _is_text(value):
            return bad(f"{key.name!r} should be {_TYPE_NAMES[kind]}, got {shown(value)}")
        if not isinstance(value, str):
            record[key.name] = value = str(value)  # numbers given for text fields (volume: 23)
        return _check_text(key, value, bad, title)
    if kind in (INT, NUMBER, BOOL):
        return _check_scalar(key, key.name, value, kind, bad)
    if kind == MAP:
        if not isinstance(value, Record):
            return bad(f"{key.name!r} should be a mapping, got {shown(value)}")
        return check_shape(value, key.item, path, where)
    if kind == TEXT_OR_MAP:
        if isinstance(value, Record):
            return check_shape(value, key.item, path, where)
        if not _is_text(value):
            return bad(f"{key.name!r} should be {_TYPE_NAMES[kind]}, got {shown(value)}")
        record[key.name] = str(value)
        return []
    if kind == TEXT_OR_LIST:
        if isinstance(value, str):
            return []
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            return bad(f"{key.name!r} should be {_TYPE_NAMES[kind]}, got {shown(value)}")
        return []
    if kind == LIST:
        if not isinstance(value, list):
            return bad(f"{key.name!r} should be a list, got {shown(value)}")
        if key.item in SPECS:
            out: list[Problem] = []
            for item in value:
                out += check_shape(item, key.item, path, where)
            return out
        for n, item in enumerate(value):
            if key.item in (TEXT, ID):
                if not _is_text(item):
                    return bad(f"{key.name!r} items should be {_TYPE_NAMES[key.item]}, got {shown(item)}")
                value[n] = str(item)
            elif key.item in (INT, NUMBER, BOOL) and (
                    found := _check_scalar(key, f"{key.name!r} item", item, key.item, bad, quoted=False)):
                return found
        return []
    raise AssertionError(f"unknown value type {kind!r} in the spec of {key.name!r}")


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _check_scalar(key: Key, name: str, value: Any, kind: str, bad, quoted: bool = True) -> list[Problem]:
    label = repr(name) if quoted else name
    if kind == BOOL:
        return [] if isinstance(value, bool) else bad(f"{label} should be true or false, got {shown(value)}")
    ok = isinstance(value, int) if kind == INT else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or (kind == NUMBER and not math.isfinite(value)):
        return bad(f"{label} should be {_TYPE_NAMES[kind]}, got {shown(value)}")
    if key.low is not None and value < key.low:
        return bad(f"{label} must be at least {_num(key.low)}, got {shown(value)}")
    if key.high is not None and value > key.high:
        return bad(f"{label} must be at most {_num(key.high)}, got {shown(value)}")
    return []


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_text(key: Key, value: str, bad, title: str) -> list[Problem]:
    pattern = key.pattern or (NAME_PATTERN if key.type == NAME else None)
    if pattern and not re.fullmatch(pattern, value):
        says = key.pattern_says or "may hold only letters, digits, '_', '.' and '-'"
        return bad(f"{title} {key.name} {shown(value)} {says}")
    if key.check and (message := _CHECKS[key.check](value)):
        return bad(message)
    return []


def _curie(value: str) -> str | None:
    from kg.namespaces import curie_problem

    return curie_problem(value)


def _doi(value: str) -> str | None:
    value = value.strip()
    if not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        return f"DOI {value!r} does not look like 10.NNNN/suffix"
    return _curie(f"DOI:{value}")


def _pmid(value: str) -> str | None:
    value = value.strip()
    return None if value.isdigit() else f"PMID {value!r} must be digits only"


def _pmcid(value: str) -> str | None:
    digits = value.strip().upper().removeprefix("PMC")
    return None if digits.isdigit() else f"PMC id {value!r} must be PMC followed by digits"


_CHECKS = {"curie": _curie, "doi": _doi, "pmid": _pmid, "pmcid": _pmcid}
