"""``kg build``: compile, reason, validate, write ``dist/``.

The built graph is a cache of the curated inputs: :func:`ensure_built`
rebuilds it only when an input file (or the code that compiles it) changed.
Every file in ``dist/`` is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF

from kg import paths
from kg.errors import ValidationError
from kg.namespaces import KG, bind_prefixes

BUILD_FORMAT = 1
# Code whose change must invalidate the cache, besides the curated inputs.
_CODE = ("curation.py", "compile.py", "reason.py", "validate.py", "build.py", "namespaces.py")


@dataclass
class BuildResult:
    dist: Path
    report: dict
    skipped: bool

    @property
    def turtle(self) -> Path:
        return self.dist / "kg.ttl"

    @property
    def ntriples(self) -> Path:
        return self.dist / "kg.nt"


def input_hash() -> str:
    digest = hashlib.sha256(f"format {BUILD_FORMAT}".encode())
    root = paths.project_root()
    code = [Path(__file__).parent / name for name in _CODE]
    for path in paths.input_files() + code:
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _report_path(dist: Path) -> Path:
    return dist / "build-report.json"


def is_current(dist: Path | None = None) -> bool:
    """True when ``dist/`` holds a build of exactly the current inputs."""
    dist = dist or paths.dist_dir()
    try:
        report = json.loads(_report_path(dist).read_text())
    except (OSError, ValueError):
        return False
    needed = ("kg.ttl", "kg.nt", "inferred.ttl")
    return report.get("input_hash") == input_hash() and all((dist / n).is_file() for n in needed)


def ensure_built(dist: Path | None = None) -> BuildResult:
    """The current build, building first if it is missing or stale."""
    dist = dist or paths.dist_dir()
    if is_current(dist):
        return BuildResult(dist=dist, report=json.loads(_report_path(dist).read_text()), skipped=True)
    return build(dist=dist)


def build(dist: Path | None = None, force: bool = False,
          step: Callable[[str], None] | None = None) -> BuildResult:
    """Compile the curated sources, reason, validate and write ``dist/``.

    ``step`` is called with a short description before each stage (for a progress display).
    """
    from kg.compile import compile_graph, load_tbox
    from kg.curation import read_curation
    from kg.reason import reason
    from kg.validate import validate

    dist = dist or paths.dist_dir()
    if not force and is_current(dist):
        return BuildResult(dist=dist, report=json.loads(_report_path(dist).read_text()), skipped=True)
    say = step or (lambda _msg: None)
    timings: dict[str, float] = {}

    def timed(name: str, func, *args):
        say(name)
        started = time.perf_counter()
        value = func(*args)
        timings[name] = round(time.perf_counter() - started, 3)
        return value

    digest = input_hash()
    curation = timed("read curated files", read_curation, paths.data_dir())
    tbox = timed("parse ontology", load_tbox, paths.ontology_dir())
    asserted = timed("compile facts to RDF", compile_graph, curation, tbox)
    reasoning = timed("reason with HermiT", reason, asserted)
    graph = Graph()
    bind_prefixes(graph)
    graph += asserted
    graph += reasoning.inferred
    graph.add((KG.hermit, KG.note, Literal("Types marked kg:inferredBy kg:hermit were derived by HermiT in kg build.")))
    report_v = timed("validate with SHACL", validate, graph, paths.ontology_dir() / "shapes.ttl")
    if not report_v.conforms:
        shown = "\n  ".join(str(v) for v in report_v.violations[:20])
        more = f"\n  ... and {len(report_v.violations) - 20} more" if len(report_v.violations) > 20 else ""
        raise ValidationError(f"the built graph violates {len(report_v.violations)} SHACL constraint(s):\n  {shown}{more}")
    say("write dist/")
    report = summarise(graph, reasoning.inferred, curation)
    report.update(input_hash=digest, timings=timings, validation={"conforms": True, "violations": 0},
                  built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    inferred = Graph()
    bind_prefixes(inferred)
    inferred += reasoning.inferred
    dist.mkdir(parents=True, exist_ok=True)
    write_atomic(dist / "kg.ttl", graph.serialize(format="turtle", encoding="utf-8"))
    write_atomic(dist / "kg.nt", graph.serialize(format="nt", encoding="utf-8"))
    write_atomic(dist / "inferred.ttl", inferred.serialize(format="turtle", encoding="utf-8"))
    write_atomic(dist / "build-report.md", markdown_report(report).encode())
    write_atomic(_report_path(dist), json.dumps(report, indent=2, sort_keys=True).encode())  # last: marks success
    return BuildResult(dist=dist, report=report, skipped=False)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summarise(graph: Graph, inferred: Graph, curation) -> dict:
    """Counts for the build report."""
    def count(cls) -> int:
        return len(set(graph.subjects(RDF.type, cls)))

    project = str(KG)
    per_class = Counter(str(o)[len(project):] for s, o in graph.subject_objects(RDF.type)
                        if str(o).startswith(project) and (s, RDF.type, OWL.Class) not in graph
                        and (s, RDF.type, OWL.NamedIndividual) in graph)
    inferred_members = Counter(str(o)[len(project):] for s, p, o in inferred.triples((None, RDF.type, None))
                               if str(o).startswith(project))
    return {
        "triples": len(graph),
        "classes": len({c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(project)}),
        "object_properties": len(set(graph.subjects(RDF.type, OWL.ObjectProperty))),
        "datatype_properties": len(set(graph.subjects(RDF.type, OWL.DatatypeProperty))),
        "annotation_properties": len(set(graph.subjects(RDF.type, OWL.AnnotationProperty))),
        "individuals": len(set(graph.subjects(RDF.type, OWL.NamedIndividual))),
        "entities": len(curation.entities),
        "cited_axioms": len([a for a in graph.subjects(RDF.type, OWL.Axiom) if (a, KG.citation, None) in graph]),
        "inferred_types": len(set(inferred.triples((None, RDF.type, None)))) - count_axioms(inferred),
        "identifiers": len(curation.xrefs),
        "publications": count(KG.Publication),
        "patients": count(KG.Patient),
        "treatment_courses": count(KG.TreatmentCourse),
        "therapy_reports": count(KG.TherapyReport),
        "reference_entries": count(KG.ReferenceEntry),
        "individuals_per_class": dict(sorted(per_class.items())),
        "inferred_per_class": dict(sorted(inferred_members.items())),
    }


def count_axioms(graph: Graph) -> int:
    return len(set(graph.subjects(RDF.type, OWL.Axiom)))


def markdown_report(report: dict) -> str:
    lines = ["# Build report", "", f"Built {report.get('built_at', '')}; inputs {report['input_hash'][:12]}.", "",
             "| measure | count |", "| --- | --- |"]
    for key in ("triples", "classes", "object_properties", "datatype_properties", "annotation_properties",
                "individuals", "entities", "identifiers", "publications", "patients", "treatment_courses",
                "therapy_reports", "reference_entries", "cited_axioms", "inferred_types"):
        lines.append(f"| {key.replace('_', ' ')} | {report[key]} |")
    lines += ["", "## Inferred memberships (HermiT)", "", "| class | members inferred |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["inferred_per_class"].items()]
    lines += ["", "## Individuals per class (asserted)", "", "| class | individuals |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["individuals_per_class"].items()]
    lines += ["", f"SHACL validation: {'conforms' if report['validation']['conforms'] else 'FAILS'}.", "",
              "Timings (s): " + ", ".join(f"{k} {v}" for k, v in report["timings"].items()), ""]
    return "\n".join(lines)
