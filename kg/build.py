"""``kg build``: compile, reason, validate, and write the build as one unit.

The build is a cache of the curated inputs. Each build is a folder
``dist/builds/<id>/`` (``kg.ttl``, ``kg.nt``, ``inferred.ttl``,
``build-report.json``, ``build-report.md``), written in a scratch folder and
renamed into place complete; ``dist/current`` is a symbolic link to the build in
use, switched in one atomic rename. A build interrupted at any point (even by
``kill -9``) leaves ``dist/current`` on the previous complete build, and
:func:`ensure_built` never answers from a build whose inputs differ from
``data/`` now: the id is the hash of every input file and of the ``kg``
package's code.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF

from kg.errors import ValidationError, file_error
from kg.files import atomic_dir, clean_scratch, swap_symlink, write_atomic
from kg.namespaces import KG, bind_prefixes
from kg.project import PACKAGE, Project

BUILD_FORMAT = 3
#: Files every complete build folder holds.
BUILD_FILES = ("kg.ttl", "kg.nt", "inferred.ttl", "build-report.md", "build-report.json")
#: Older builds kept besides the current one (switching back to one is instant).
KEEP_BUILDS = 3

__all__ = ["BuildResult", "build", "ensure_built", "input_hash", "is_current", "write_atomic"]


@dataclass
class BuildResult:
    """One complete build: its folder, its report, and whether this call skipped the work."""

    dist: Path          # the build's own folder, dist/builds/<id>
    report: dict
    skipped: bool

    @property
    def turtle(self) -> Path:
        return self.dist / "kg.ttl"

    @property
    def ntriples(self) -> Path:
        return self.dist / "kg.nt"

    @property
    def build_id(self) -> str:
        return self.report["input_hash"][:16]


def input_hash(project: Project | None = None) -> str:
    """Hash of every curated input and of the package's code (any change means a new build)."""
    project = project or Project.discover()
    digest = hashlib.sha256(f"format {BUILD_FORMAT}; version {_version()}".encode())
    code = sorted(PACKAGE.rglob("*.py"))
    for path in project.input_files():
        digest.update(str(path.relative_to(project.root)).encode())
        try:
            digest.update(path.read_bytes())
        except IsADirectoryError:  # the curated reader reports it, with the file's name
            digest.update(b"(a folder)")
        except OSError as exc:
            raise file_error(path, exc, "read") from exc
    for path in code:
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: The curated graph's name index (:class:`kg.lookup.NameIndex`), pickled beside the build it indexes: a build
#: folder never changes, so the index cannot go stale, and ``kg query`` starts without indexing 10,000 triples.
NAMES_FILE = "names.pickle"


def write_names(graph, path: Path) -> None:
    import pickle

    from kg.lookup import NameIndex

    path.write_bytes(pickle.dumps(NameIndex.of(graph), protocol=pickle.HIGHEST_PROTOCOL))


def read_names(folder: Path):
    """The name index of the build in ``folder`` (None when the build predates the file or it is unreadable)."""
    import pickle

    try:
        return pickle.loads((folder / NAMES_FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def _builds(project: Project) -> Path:
    return project.dist / "builds"


def _current(project: Project) -> Path:
    return project.dist / "current"


def _complete(folder: Path, digest: str | None = None) -> dict | None:
    """The report of a complete build folder (of inputs ``digest`` if given), else None."""
    try:
        report = json.loads((folder / "build-report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or (digest is not None and report.get("input_hash") != digest):
        return None
    if not all((folder / name).is_file() for name in BUILD_FILES):
        return None
    return report


def is_current(project: Project | None = None) -> bool:
    """True when ``dist/current`` is a complete build of exactly the current inputs."""
    project = project or Project.discover()
    return _complete(_current(project), input_hash(project)) is not None


def ensure_built(project: Project | None = None) -> BuildResult:
    """The current build, building first if it is missing or stale.

    A complete earlier build of the same inputs (after a revert, say) is switched
    back in without rebuilding.
    """
    project = project or Project.discover()
    clean_scratch(project.tmp)  # what a killed build left behind
    digest = input_hash(project)
    return _cached(project, digest) or build(project, force=True, digest=digest)


def build(project: Project | None = None, force: bool = False, step: Callable[[str], None] | None = None,
          digest: str | None = None) -> BuildResult:
    """Compile the curated sources, reason, validate, and make the result ``dist/current``.

    ``step`` is called with a short description before each stage (for a progress display).
    """
    from kg.closure import closures
    from kg.compile import compile_curation, load_tbox
    from kg.curation import read_curation
    from kg.derive import derive_effects
    from kg.export.header import graph_metadata, modified_date, stamp
    from kg.reason import reason
    from kg.validate import validate

    project = project or Project.discover()
    digest = digest or input_hash(project)
    if not force:
        if (cached := _cached(project, digest)) is not None:
            return cached
    say = step or (lambda _msg: None)
    timings: dict[str, float] = {}

    def timed(name: str, func, *args):
        say(name)
        started = time.perf_counter()
        value = func(*args)
        timings[name] = round(time.perf_counter() - started, 3)
        return value

    curation = timed("read curated files", read_curation, project.data)
    tbox = timed("parse ontology", load_tbox, project.ontology)
    compilation = timed("compile facts to RDF", compile_curation, curation, tbox)
    asserted = compilation.graph
    reasoning = timed("reason with HermiT", reason, asserted)
    graph = Graph()
    bind_prefixes(graph)
    graph += asserted
    graph += reasoning.inferred
    graph.add((KG.hermit, KG.note, Literal("Types marked kg:inferredBy kg:hermit were derived by HermiT in kg build.")))
    derived = timed("derive effects along cited mechanism steps", derive_effects, graph)
    graph += derived
    graph += timed("write the closures saved queries read (kg.closure)", closures, graph)
    stamp(graph, tbox, _version(), digest[:16], modified_date(project.input_files()))
    report_v = timed("validate with SHACL", validate, graph, project.ontology / "shapes.ttl")
    if not report_v.conforms:
        shown = "\n  ".join(str(v) for v in report_v.violations[:20])
        more = f"\n  ... and {len(report_v.violations) - 20} more" if len(report_v.violations) > 20 else ""
        raise ValidationError(f"the built graph violates {len(report_v.violations)} SHACL constraint(s):\n"
                              f"  {shown}{more}")
    say("write dist/")
    report = summarise(graph, reasoning.inferred, curation)
    report["derived_effects"] = len(set(derived.subjects(RDF.type, KG.DerivedEffect)))
    report["warnings"] = [p.to_dict() for p in compilation.warnings]
    report.update(input_hash=digest, build_id=digest[:16], timings=timings,
                  version_iri=graph_metadata(graph)["version_iri"], version_info=graph_metadata(graph)["version"],
                  validation={"conforms": True, "violations": 0}, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    inferred = Graph()
    bind_prefixes(inferred)
    inferred += reasoning.inferred
    folder = _builds(project) / digest[:16]
    with atomic_dir(folder, scratch=project.tmp) as work:
        from kg.export.rdf import serialize

        files = {"kg.ttl": serialize(graph, "ttl"), "kg.nt": serialize(graph, "nt"),
                 "inferred.ttl": serialize(inferred, "ttl"),
                 "build-report.md": markdown_report(report).encode()}
        report["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        files["build-report.json"] = json.dumps(report, indent=2, sort_keys=True).encode()
        for name, data in files.items():
            (work / name).write_bytes(data)
        write_names(graph, work / NAMES_FILE)
    swap_symlink(_current(project), folder)
    _prune(project, keep=folder)
    return BuildResult(dist=folder, report=report, skipped=False)


def _cached(project: Project, digest: str) -> BuildResult | None:
    """The build of inputs ``digest`` if one is complete on disk (made current), else None."""
    current = _current(project)
    if (report := _complete(current, digest)) is not None:
        return BuildResult(dist=current.resolve(), report=report, skipped=True)
    folder = _builds(project) / digest[:16]
    if (report := _complete(folder, digest)) is not None:
        swap_symlink(current, folder)
        return BuildResult(dist=folder, report=report, skipped=True)
    return None


def _prune(project: Project, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_BUILDS` older builds."""
    import shutil

    others = [p for p in _builds(project).iterdir() if p.is_dir() and p != keep]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_BUILDS:]:
        shutil.rmtree(old, ignore_errors=True)


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
        "version": _version(),
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dmkg")
    except PackageNotFoundError:
        return "0+unknown"


def count_axioms(graph: Graph) -> int:
    return len(set(graph.subjects(RDF.type, OWL.Axiom)))


def markdown_report(report: dict) -> str:
    lines = ["# Build report", "", f"Built {report.get('built_at', '')}; inputs {report['input_hash'][:12]}.", "",
             "| measure | count |", "| --- | --- |"]
    for key in ("triples", "classes", "object_properties", "datatype_properties", "annotation_properties",
                "individuals", "entities", "identifiers", "publications", "patients", "treatment_courses",
                "therapy_reports", "reference_entries", "cited_axioms", "inferred_types", "derived_effects"):
        lines.append(f"| {key.replace('_', ' ')} | {report.get(key, 0)} |")
    lines += ["", "## Inferred memberships (HermiT)", "", "| class | members inferred |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["inferred_per_class"].items()]
    lines += ["", "## Individuals per class (asserted)", "", "| class | individuals |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["individuals_per_class"].items()]
    lines += ["", f"SHACL validation: {'conforms' if report['validation']['conforms'] else 'FAILS'}.", "",
              "Timings (s): " + ", ".join(f"{k} {v}" for k, v in report["timings"].items()), ""]
    return "\n".join(lines)

