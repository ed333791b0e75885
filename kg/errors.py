"""One exception root for errors a user can cause.

The command line prints a :class:`KGError` on one line and exits non-zero;
any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class KGError(Exception):
    """Root of every error a user can cause (bad data, bad name, bad query)."""


class DataError(KGError):
    """A curated data file is malformed; names the file and line of each problem."""

    def __init__(self, problems: list[tuple[Path | str, int | None, str]]):
        self.problems = problems
        lines = [f"{_loc(path, line)}: {message}" for path, line, message in problems]
        head = lines[0] if len(lines) == 1 else f"{len(lines)} problems in curated data:\n  " + "\n  ".join(lines)
        super().__init__(head)


def _loc(path: Path | str, line: int | None) -> str:
    path = Path(path)
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = path
    return f"{shown}:{line}" if line else str(shown)


class ReasonerError(KGError):
    """The ontology is inconsistent or has unsatisfiable classes."""


class ValidationError(KGError):
    """The built graph violates its SHACL shapes."""


class UnknownNameError(KGError):
    """A name (label, synonym, CURIE or query name) matches nothing; suggests close matches."""

    def __init__(self, kind: str, name: str, candidates: Iterable[str] = ()):
        self.kind, self.name = kind, name
        self.suggestions = close_matches(name, candidates)
        hint = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


class QueryError(KGError):
    """A SPARQL query is malformed, lacks a parameter, or its header is invalid."""


class EndpointError(KGError):
    """A SPARQL endpoint cannot be reached, refuses the request, or times out."""


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates that look like ``name`` (case-insensitive), best first."""
    by_lower: dict[str, str] = {}
    for cand in candidates:
        by_lower.setdefault(cand.lower(), cand)
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    if not hits:
        hits = [c for c in by_lower if name.lower() in c][:n]
    return [by_lower[h] for h in hits]
