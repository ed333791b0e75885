"""One exception root for errors a user can cause, with a subclass per kind.

The command line prints a :class:`KGError` on one line (a :class:`DataError`
on one line per problem) and exits non-zero; any other exception is a bug and
keeps its traceback. Every class has a stable ``code`` that library callers
and ``--format json`` outputs can test instead of parsing messages::

    KGError              error
    ├── DataError        data            curated files, imports: a list of Problem records
    │   ├── ReasonerError data.reasoner  HermiT: inconsistent ontology, unsatisfiable class
    │   └── ValidationError data.shacl   the built graph violates its SHACL shapes
    ├── UnknownNameError name.unknown    a label, synonym, CURIE or query name matches nothing
    │   └── AmbiguousNameError name.ambiguous  ... or more than one thing
    ├── QueryError       query           bad SPARQL, header or parameter
    │   └── QueryTimeout query.timeout
    ├── ServerError      server          an endpoint or server cannot be reached or refuses
    ├── FormatError      format          an unknown output/input format, or a file not in it
    ├── FileError        file            the file system refused (permission, not a directory, full)
    └── UsageError       usage           arguments that do not fit together or are out of range
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: At most this many problems are listed in a message; the rest are counted.
SHOWN_PROBLEMS = 50


class KGError(Exception):
    """Root of every error a user can cause (bad data, bad name, bad query, unreachable server)."""

    code = "error"

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self)}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: where, what, how bad."""

    file: Path | str
    line: int | None
    message: str
    code: str = "data"
    severity: str = "error"   # "error" | "warning"

    def __str__(self) -> str:
        return f"{_loc(self.file, self.line)}: {self.message}"

    def __iter__(self):
        """Unpacks as ``(file, line, message)``, the triple earlier versions used."""
        return iter((self.file, self.line, self.message))

    def to_dict(self) -> dict:
        return {"file": str(self.file), "line": self.line, "message": self.message, "code": self.code,
                "severity": self.severity}


def _loc(path: Path | str, line: int | None) -> str:
    path = Path(path)
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        shown = path
    return f"{shown}:{line}" if line else str(shown)


def as_problem(item: Problem | tuple) -> Problem:
    """A :class:`Problem` from itself or from a ``(file, line, message)`` tuple."""
    return item if isinstance(item, Problem) else Problem(*item)


class DataError(KGError):
    """Curated or imported data is malformed; lists every problem with its file and line."""

    code = "data"

    def __init__(self, problems: Sequence[Problem | tuple], summary: str | None = None):
        self.problems = [as_problem(p) for p in problems]
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        lines = [str(p) for p in errors[:SHOWN_PROBLEMS]]
        if len(errors) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(errors) - SHOWN_PROBLEMS} more")
        if len(errors) == 1 and summary is None:
            head = lines[0]
        else:
            head = (summary or f"{len(errors)} problems in curated data") + ":\n  " + "\n  ".join(lines)
        super().__init__(head)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self).splitlines()[0],
                "problems": [p.to_dict() for p in self.problems]}


class ReasonerError(DataError):
    """The ontology with the curated facts is inconsistent or has unsatisfiable classes."""

    code = "data.reasoner"

    def __init__(self, message: str, problems: Sequence[Problem | tuple] = ()):
        if problems:
            super().__init__(problems, summary=message)
        else:
            self.problems = []
            KGError.__init__(self, message)


class ValidationError(DataError):
    """The built graph violates its SHACL shapes."""

    code = "data.shacl"

    def __init__(self, message: str, problems: Sequence[Problem | tuple] = ()):
        self.problems = [as_problem(p) for p in problems]
        KGError.__init__(self, message)


class UnknownNameError(KGError):
    """A name (label, synonym, CURIE or query name) matches nothing; suggests close matches."""

    code = "name.unknown"

    def __init__(self, kind: str, name: str, candidates: Iterable[str] = (), hint: str = ""):
        self.kind, self.name = kind, name
        self.suggestions = close_matches(name, candidates)
        tail = f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{tail}{hint}")


class AmbiguousNameError(UnknownNameError):
    """A name matches more than one thing; lists them with the CURIE to use."""

    code = "name.ambiguous"

    def __init__(self, kind: str, name: str, candidates: Sequence[tuple[str, str]]):
        self.kind, self.name = kind, name
        self.candidates = list(candidates)          # (label, CURIE)
        self.suggestions = [c for _, c in self.candidates]
        shown = ", ".join(f"{label} ({curie})" for label, curie in self.candidates)
        KGError.__init__(self, f"ambiguous {kind} {name!r}: it names {shown}; give the CURIE")


class QueryError(KGError):
    """A SPARQL query is malformed, lacks a parameter, or its header is invalid."""

    code = "query"


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped."""

    code = "query.timeout"


class ServerError(KGError):
    """A SPARQL endpoint or server cannot be reached, refuses the request, or times out."""

    code = "server"


#: The name earlier versions used; the same class.
EndpointError = ServerError


class FormatError(KGError):
    """An unknown format was asked for, or a file is not in the format it claims."""

    code = "format"


class FileError(KGError):
    """The file system refused an operation (permission, not a directory, disk full)."""

    code = "file"


class UsageError(KGError):
    """Arguments that do not fit together, or a value out of range (--depth -1, two views at once)."""

    code = "usage"


def file_error(path: Path | str, exc: OSError, doing: str = "write") -> FileError:
    """A one-line :class:`FileError` for ``exc`` raised while ``doing`` something with ``path``."""
    import errno

    reason = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
              errno.ENOTDIR: "a part of the path is a file, not a folder", errno.ENOSPC: "no space left on device",
              errno.EROFS: "read-only file system", errno.EISDIR: "it is a folder",
              errno.ENOENT: "no such file or folder", errno.EDQUOT: "disk quota exceeded"}.get(
        exc.errno or 0, exc.strerror or str(exc))
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and any(p.is_file() for p in Path(path).parents):
        reason = "a part of the path is a file, not a folder"
    return FileError(f"cannot {doing} {path}: {reason}")


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates that look like ``name`` (case-insensitive), best first.

    Examples
    --------
    >>> close_matches("cyclosporin", ["cyclosporine", "tacrolimus"])
    ['cyclosporine']
    """
    by_lower: dict[str, str] = {}
    for cand in candidates:
        by_lower.setdefault(cand.lower(), cand)
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    if not hits:
        hits = [c for c in by_lower if name.lower() in c][:n]
    return [by_lower[h] for h in hits]
