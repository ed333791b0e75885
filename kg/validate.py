"""SHACL validation of the built graph. Returns a report; the build decides to fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDFS

from kg.errors import DataError, Problem
from kg.files import parse_turtle
from kg.namespaces import SH, iri_to_curie


@dataclass
class Violation:
    focus: str       # CURIE or label of the node in error
    path: str        # the property, if any
    message: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.focus}{where}: {self.message}"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    seconds: float = 0.0


def validate(graph: Graph, shapes_file: Path) -> ValidationReport:
    """Check ``graph`` against the SHACL shapes in ``shapes_file``."""
    import time

    import pyshacl  # heavy: import only when validating

    started = time.perf_counter()
    shapes = parse_turtle(shapes_file)
    try:
        conforms, results, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                                   advanced=True, allow_warnings=False)
    except Exception as exc:  # pyshacl raises ReportableRuntimeError and friends for unusable shapes
        raise DataError([Problem(shapes_file, None, f"the SHACL shapes cannot be used: {' '.join(str(exc).split())}",
                                 code="data.shapes")]) from exc
    if not isinstance(results, Graph):
        raise DataError([Problem(shapes_file, None, f"the SHACL shapes cannot be used: {text.strip()}",
                                 code="data.shapes")])
    violations: list[Violation] = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        label = graph.value(focus, RDFS.label) if focus is not None else None
        shown = iri_to_curie(str(focus)) if focus is not None and iri_to_curie(str(focus)) else str(focus)
        if label:
            shown = f"{shown} ({label})"
        violations.append(Violation(shown, iri_to_curie(str(path)) or str(path) if path is not None else "",
                                    str(message) if message else "violates a shape"))
    violations.sort(key=str)
    return ValidationReport(conforms=bool(conforms), violations=violations, seconds=time.perf_counter() - started)
