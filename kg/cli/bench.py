"""``kg bench NAME [OPTIONS]``: run a benchmark script from ``bench/``.

A benchmark is a file ``bench/bench_NAME.py`` with a ``main(argv) -> int``
function (a ``main()`` that reads ``sys.argv`` works too) and a module
docstring whose first line is its summary; a non-zero status fails the command. The script
runs on its own (``python bench/bench_NAME.py --help``) and through
``kg bench NAME --help``; this command only finds the file and hands it the
remaining arguments. Adding a benchmark (``analysis``, say) needs no change
here. Benchmarks live in a source checkout, not in the installed wheel.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import click

from kg.errors import FileError, KGError, UsageError


def bench_dir() -> Path:
    """The ``bench/`` folder of the source checkout."""
    from kg.project import Project

    return Project.discover().root / "bench"


def benchmarks() -> dict[str, Path]:
    """Every benchmark, by name."""
    folder = bench_dir()
    return {p.stem[len("bench_"):]: p for p in sorted(folder.glob("bench_*.py"))} if folder.is_dir() else {}


def summary(path: Path) -> str:
    """First line of a script's module docstring, read without importing it."""
    import ast

    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def run_benchmark(name: str, argv: list[str]) -> int:
    """Import ``bench/bench_NAME.py`` and return its ``main(argv)``."""
    found = benchmarks()
    if name not in found:
        from kg.errors import UnknownNameError

        if not found:
            raise FileError(f"no benchmarks found in {bench_dir()}; they run from a source checkout of the project")
        raise UnknownNameError("benchmark", name, found)
    spec = importlib.util.spec_from_file_location(f"bench_{name}", found[name])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main = getattr(module, "main", None)
    if main is None:
        raise FileError(f"{found[name]} has no main(argv) function")
    if inspect.signature(main).parameters:
        return int(main(argv) or 0)
    saved, sys.argv = sys.argv, [str(found[name]), *argv]  # a main() that reads sys.argv
    try:
        return int(main() or 0)
    finally:
        sys.argv = saved


@click.command("bench", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("name", required=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_cmd(name: str | None, args: tuple[str, ...]) -> None:
    """Run benchmark NAME (bench/bench_NAME.py) with its own options; list them without NAME.

    `kg bench stores --help` shows a benchmark's options.
    """
    if name is None:
        found = benchmarks()
        if not found:
            raise FileError(f"no benchmarks found in {bench_dir()}; they run from a source checkout of the project")
        width = max(len(n) for n in found)
        for bench, path in found.items():
            click.echo(f"  {bench:<{width}}  {summary(path)}")
        return
    try:
        status = run_benchmark(name, list(args))
    except SystemExit as exc:  # argparse's --help (0) and usage errors (2, usage already printed)
        if isinstance(exc.code, str):
            raise UsageError(str(exc.code)) from None
        status = exc.code or 0
    if status:
        raise KGError(f"benchmark {name!r} failed (exit status {status}); see its output above")
