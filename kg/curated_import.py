"""``kg import FILE.yaml``: add a curated source file only once the full build accepts it.

:func:`import_source` copies the project's inputs to a scratch folder, puts the
file in (replacing the one of the same name with ``replace``), and runs the
**full build** there (compile, HermiT, SHACL), so every other source is checked
against the new file too. Problems name the user's own file and the project's
real files, never the scratch copy. Only then is the file written into
``data/sources/`` atomically, and the scratch build, whose inputs are now
byte-identical to the project's, is moved into ``dist/builds/`` and made
current (``kg.build.ensure_built`` finds it complete and switches to it, which
saves a second build of ~15 s). If the project's inputs changed meanwhile, the
project is rebuilt instead.

A file that fails leaves ``data/`` and ``dist/`` exactly as they were.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import (
    DataError,
    FileError,
    KGError,
    Problem,
    ReasonerError,
    ValidationError,
    file_error,
)
from kg.project import Project


@dataclass
class ImportReport:
    """What :func:`import_source` did."""

    source: Path                 # the user's file
    target: Path                 # where it is (or would be) in data/sources/
    replaced: bool               # a file of that name was there before
    copied: bool                 # False for a dry run
    rebuilt: bool                # the project was built again (instead of reusing the check's build)
    build: object | None = None  # kg.build.BuildResult of the build now current (None for a dry run)
    warnings: list[Problem] = field(default_factory=list)   # about the imported file
    seconds: dict[str, float] = field(default_factory=dict)


def import_source(path: Path | str, project: Project | None = None, *, replace: bool = False, dry_run: bool = False,
                  step: Callable[[str], None] | None = None) -> ImportReport:
    """Check ``path`` with the full build against all other data; then add it to data/sources/ as the new build.

    Parameters
    ----------
    path
        The curated source file (``*.yaml``) to add.
    project
        The project to add it to (default: :meth:`Project.discover`).
    replace
        Allow replacing the file of the same name in ``data/sources/``.
    dry_run
        Only check: change nothing.
    step
        Called with a short description before each stage (for a progress display).

    Returns
    -------
    ImportReport
        What was done, the warnings about the file, the build now current, timings.

    Raises
    ------
    DataError
        Any problem, with its location in ``path`` or the project's own files (a
        :class:`~kg.errors.ReasonerError` or :class:`~kg.errors.ValidationError`
        from HermiT or SHACL names ``path``). Nothing is changed.
    KGError
        The target exists and ``replace`` is not given, or the file is not ``.yaml``.
    """
    from kg.build import build, ensure_built, input_hash
    from kg.compile import compile_curation, load_tbox
    from kg.curation import read_curation

    project = project or Project.discover()
    source = Path(path).expanduser().resolve()
    target = project.sources / source.name
    say = step or (lambda _msg: None)
    seconds: dict[str, float] = {}
    if source.suffix != ".yaml":
        raise KGError(f"{source}: curated files are YAML and end in .yaml")
    if not source.is_file():
        raise FileError(f"cannot read {source}: " + ("it is a folder" if source.is_dir() else "no such file"))
    replaced = target.exists()
    if replaced and not replace and target.resolve() != source:
        raise KGError(f"{target} already exists; use --replace to overwrite it")
    data = source.read_bytes()

    project.tmp.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"import-{os.getpid()}-", dir=project.tmp))
    try:
        say("copy the project to a scratch folder")
        started = time.perf_counter()
        try:
            for folder in ("ontology", "data"):
                shutil.copytree(getattr(project, folder), scratch / folder, ignore=shutil.ignore_patterns(".tmp"))
            (scratch / "data" / "sources").mkdir(exist_ok=True)
            (scratch / "data" / "sources" / source.name).write_bytes(data)
        except OSError as exc:
            raise file_error(scratch, exc, "copy the project to") from exc
        trial = Project.at(scratch, dist_dir=scratch / "dist")
        seconds["copy"] = round(time.perf_counter() - started, 3)
        with _located(trial, project, source):
            say("check curated files")
            started = time.perf_counter()
            compilation = compile_curation(read_curation(trial.data), load_tbox(trial.ontology))
            seconds["compile"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            checked = build(trial, force=True, step=say)
            seconds["full build"] = round(time.perf_counter() - started, 3)
        mine = trial.sources / source.name
        warnings = [_moved(w, trial, project, source) for w in compilation.warnings if Path(w.file) == mine]
        report = ImportReport(source, target, replaced, copied=False, rebuilt=False, warnings=warnings,
                              seconds=seconds)
        if dry_run:
            return report
        say(f"add {target.name} to data/sources/")
        from kg.files import write_atomic

        write_atomic(target, data, scratch=project.tmp)
        report.copied = True
        started = time.perf_counter()
        if input_hash(project) == checked.report["input_hash"]:
            builds = project.dist / "builds"
            builds.mkdir(parents=True, exist_ok=True)
            if not (builds / checked.dist.name).exists():
                os.rename(checked.dist, builds / checked.dist.name)
            report.build = ensure_built(project)
            report.rebuilt = not report.build.skipped
        else:  # the project's inputs changed while the file was checked
            report.build = build(project, force=True, step=say)
            report.rebuilt = True
        seconds["make current"] = round(time.perf_counter() - started, 3)
        return report
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def _located(trial: Project, project: Project, source: Path) -> Iterator[None]:
    """Re-raise a DataError from the scratch project with its locations moved to the real files."""
    try:
        yield
    except DataError as exc:
        problems = [_moved(p, trial, project, source) for p in exc.problems]
        if isinstance(exc, (ReasonerError, ValidationError)):
            # the reasoner and SHACL name no line: say which file made the build fail
            moved = type(exc)(f"{source}: " + _replace_paths(str(exc), trial, project, source), problems)
        else:
            moved = DataError(problems)
        moved.warnings = [_moved(p, trial, project, source) for p in getattr(exc, "warnings", [])]
        raise moved from None


def _moved(problem: Problem, trial: Project, project: Project, source: Path) -> Problem:
    """``problem`` with its file in the scratch project replaced by the user's file or the project's own."""
    file = Path(problem.file)
    if file == trial.sources / source.name:
        file = source
    elif file.is_relative_to(trial.root):
        file = project.root / file.relative_to(trial.root)
    return Problem(file, problem.line, _replace_paths(problem.message, trial, project, source), problem.code,
                   problem.severity)


def _replace_paths(text: str, trial: Project, project: Project, source: Path) -> str:
    text = text.replace(str(trial.sources / source.name), str(source))
    return text.replace(str(trial.root), str(project.root))
