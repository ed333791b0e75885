"""Saved SPARQL queries: files with a strict grlc-style ``#+`` header (see :mod:`kg.query`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import QueryError, UnknownNameError
from kg.files import read_text

PARAM_TYPES = ("entity", "iri", "string", "integer", "decimal", "boolean")
HEADER_KEYS = {"summary": True, "question": True, "asks": False, "tags": True, "params": False}
PARAM_KEYS = {"name": True, "type": True, "default": False, "description": True, "kind": False}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    default: Any = None
    kind: str = "entity"      # what an entity value must be: entity, drug, condition, patient, ...

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class SavedQuery:
    name: str
    text: str
    summary: str
    questions: tuple[int, ...] = ()
    asks: str = ""            # the question in words
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    path: Path | None = None


#: libyaml's safe loader where PyYAML has it (a header parses in a tenth of the pure-Python loader's time).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_header(text: str, source: str = "<query>") -> dict[str, Any]:
    """The ``#+`` header as a dict; a malformed header raises :class:`QueryError`."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped and not stripped.startswith("#"):
            break
    if not lines:
        return {}
    try:
        header = yaml.load("\n".join(lines), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict):
        raise QueryError(f"{source}: header must be 'key: value' lines")
    for key in header:
        if key not in HEADER_KEYS:
            raise QueryError(f"{source}: unknown header key {key!r} (known: {', '.join(HEADER_KEYS)})")
    return header


def load_query(path: Path, strict: bool = True) -> SavedQuery:
    """Read one ``.rq`` file; with ``strict`` its header must be complete and well-formed."""
    text = read_text(path, "SPARQL query")
    name = path.stem
    header = parse_header(text, str(path))
    if not header and not strict:
        return SavedQuery(name=name, text=text, summary="(ad hoc query)", path=path)
    for key, required in HEADER_KEYS.items():
        if required and key not in header:
            raise QueryError(f"{path}: header lacks '#+ {key}:'")
    summary = header["summary"]
    if not isinstance(summary, str) or not summary.strip():
        raise QueryError(f"{path}: summary must be a non-empty line of text")
    questions = header["question"]
    if questions is None:
        questions = []
    elif isinstance(questions, int):
        questions = [questions]
    if not isinstance(questions, list) or not all(isinstance(q, int) and 1 <= q <= 99 for q in questions):
        raise QueryError(f"{path}: question must be a competency question number, a list of them, or null")
    tags = header["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise QueryError(f"{path}: tags must be a non-empty list of words")
    asks = header.get("asks") or ""
    if not isinstance(asks, str):
        raise QueryError(f"{path}: asks must be the question in words, in quotes")
    params = tuple(_param(p, path) for p in header.get("params") or [])
    if params and not _where_brace(text):
        raise QueryError(f"{path}: a query with parameters needs an explicit 'WHERE {{'")
    blocks = parameter_blocks(text, [p.name for p in params], str(path))
    if params and strict and not blocks and not any(p.required for p in params):  # a required one has no default
        names = " ".join(f"?{p.name}" for p in params)
        raise QueryError(f"{path}: bind the parameters' defaults in the file, first in the WHERE group: "
                         f"VALUES ({names}) {{ (...) }}")
    return SavedQuery(name=name, text=text, summary=summary.strip(), questions=tuple(questions),
                      asks=asks.strip(), tags=tuple(tags), params=params, path=path)


def _param(raw: Any, path: Path) -> Param:
    if not isinstance(raw, dict):
        raise QueryError(f"{path}: each param is a mapping with name, type, description (and default)")
    for key in raw:
        if key not in PARAM_KEYS:
            raise QueryError(f"{path}: unknown param key {key!r} (known: {', '.join(PARAM_KEYS)})")
    for key, required in PARAM_KEYS.items():
        if required and not raw.get(key):
            raise QueryError(f"{path}: param lacks {key!r}")
    if raw["type"] not in PARAM_TYPES:
        raise QueryError(f"{path}: param {raw['name']!r} has type {raw['type']!r}; use one of {', '.join(PARAM_TYPES)}")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(raw["name"])):
        raise QueryError(f"{path}: param name {raw['name']!r} is not a SPARQL variable name")
    return Param(name=str(raw["name"]), type=raw["type"], description=str(raw["description"]),
                 default=raw.get("default"), kind=str(raw.get("kind") or "entity"))


def saved_queries(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query, by name (``folder`` defaults to the project's ``queries/``)."""
    from kg.project import Project

    folder = folder or Project.discover().queries
    return {q.name: q for q in (load_query(p) for p in sorted(folder.glob("*.rq")))}


def find_query(name_or_path: str, folder: Path | None = None) -> SavedQuery:
    """A saved query by name or competency-question number (``9``), or any ``.rq`` file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or (candidate.exists() and not name_or_path.isdigit()):
        if not candidate.is_file():
            raise QueryError(f"no query file {name_or_path}")
        return load_query(candidate, strict=False)
    from kg.project import Project

    own = (folder or Project.discover().queries) / f"{name_or_path}.rq"
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name_or_path) and own.is_file():  # read only the one asked for
        return load_query(own)
    queries = saved_queries(folder)
    if name_or_path in queries:
        return queries[name_or_path]
    if name_or_path.strip().isdigit():
        number = int(name_or_path)
        answering = [q for q in queries.values() if number in q.questions]
        first = [q for q in answering if q.questions[0] == number]
        if len(first) == 1 or len(answering) == 1:
            return (first or answering)[0]
        if answering:
            raise QueryError(f"question {number} is answered by several queries: "
                             f"{', '.join(q.name for q in answering)}; give one of their names")
        known = sorted({n for q in queries.values() for n in q.questions})
        raise UnknownNameError("question", name_or_path, [], hint=f" (the saved queries answer questions "
                                                              f"{', '.join(map(str, known))}; see kg queries)")
    raise UnknownNameError("query", name_or_path, queries)


def search_queries(words: str, folder: Path | None = None) -> list[SavedQuery]:
    """Saved queries whose name, question, summary or tags contain every word of ``words`` (any case)."""
    wanted = [w.lower() for w in words.split()]
    found = []
    for q in saved_queries(folder).values():
        hay = " ".join([q.name.replace("_", " "), q.asks, q.summary, " ".join(q.tags)]).lower()
        if all(w in hay for w in wanted):
            found.append(q)
    return found


def _masked(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out (same length, so offsets carry over)."""
    return re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*',
                  lambda m: " " * len(m.group(0)), text)


def _where_brace(text: str) -> int | None:
    """Offset just after the '{' that opens the outer WHERE group (comments and strings ignored)."""
    match = re.search(r"\bWHERE\s*\{", _masked(text), flags=re.IGNORECASE)
    return match.end() if match else None


_VALUES = re.compile(r"\bVALUES\s*(?:\(([^(){}]*)\)\s*\{\s*\(([^(){}]*)\)\s*\}|(\?\w+))", re.IGNORECASE)


def parameter_blocks(text: str, names: list[str], source: str = "<query>") -> list[tuple[int, int]]:
    """Spans of the ``VALUES (?a ?b) { (x y) }`` blocks that bind exactly the parameters ``names``, in order.

    These hold the defaults in the file, so the query runs unchanged in any
    SPARQL tool; :func:`kg.query.bind` replaces each of them. Any other
    ``VALUES`` that names a parameter (another order, a subset, several rows)
    raises :class:`QueryError`, since it would be left unreplaced.

    Examples
    --------
    >>> text = 'SELECT * WHERE { VALUES (?drug ?n) { (<https://w3id.org/dmkg/ivig> 2) } ?drug ?p ?o }'
    >>> [text[a:b] for a, b in parameter_blocks(text, ["drug", "n"])]
    ['VALUES (?drug ?n) { (<https://w3id.org/dmkg/ivig> 2) }']
    >>> parameter_blocks(text, ["n", "drug"])
    Traceback (most recent call last):
    kg.errors.QueryError: <query>: VALUES (?drug ?n) names a parameter but does not bind exactly (?n ?drug)
    """
    spans = []
    wanted = [f"?{n}" for n in names]
    for match in _VALUES.finditer(_masked(text)):
        variables = (match.group(1) or match.group(3) or "").split()
        if variables == wanted and match.group(1) is not None:
            spans.append(match.span())
        elif set(variables) & set(wanted):
            raise QueryError(f"{source}: VALUES ({' '.join(variables)}) names a parameter but does not bind "
                             f"exactly ({' '.join(wanted)})")
    return spans
