"""Run the notebooks in ``notebooks/`` and keep their outputs, so they read on a code host without running.

::

    python -m kg.notebooks render              # execute every notebook in place, store its outputs
    python -m kg.notebooks render 03_cases     # only some (name, with or without .ipynb)
    python -m kg.notebooks check               # do the committed copies carry current-looking outputs?

:func:`execute` runs a notebook top to bottom with nbclient on the ``python3``
kernel (the assertions in its cells make a wrong answer an error). :func:`render`
also tidies it for committing: no timing metadata, cells tagged ``clear-output``
(the inline interactive views, ~700 KB each) stored without outputs, no warnings
that third-party packages print at import (they name this machine's paths), and
no output over :data:`MAX_OUTPUT` bytes. :func:`check` lists what is wrong with a stored
copy: a code cell never run or run out of order, an error output, a cell missing
the outputs it should carry, a file over :data:`MAX_FILE` bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.errors import FileError, UsageError
from kg.files import write_atomic

#: The notebooks of a source checkout.
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: Cells with this tag run (and their assertions count) but are stored without outputs.
CLEAR_TAG = "clear-output"
#: Largest single output stored, and largest notebook file, in bytes.
MAX_OUTPUT = 200_000
MAX_FILE = 400_000
KERNEL = "python3"
TIMEOUT_S = 600


def notebook_paths(names: Iterable[str] = (), folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks of ``folder`` (all, or those named: ``03_cases`` or ``03_cases.ipynb``), in order."""
    found = sorted(Path(folder).glob("*.ipynb"))
    wanted = [n.removesuffix(".ipynb") for n in names]
    if not wanted:
        return found
    by_stem = {p.stem: p for p in found}
    missing = [n for n in wanted if n not in by_stem]
    if missing:
        raise UsageError(f"no notebook {', '.join(missing)} in {folder}; there are {', '.join(by_stem) or 'none'}")
    return [by_stem[n] for n in wanted]


def execute(path: Path, timeout: int = TIMEOUT_S):
    """The notebook at ``path`` executed top to bottom in its own folder (an ``nbformat`` node).

    Raises ``nbclient.exceptions.CellExecutionError`` at the first cell that fails,
    an ``assert`` included.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return notebook


_LIBRARY_WARNING = re.compile(r"^\S*site-packages\S*:\d+: \w*Warning: ")


def _without_library_warnings(text: str) -> str:
    """``text`` less the warnings third-party packages print (each names this machine's paths)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if _LIBRARY_WARNING.match(line):
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


def tidy(notebook) -> None:
    """Prepare an executed notebook for committing (in place): see the module docstring."""
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CLEAR_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
            continue
        for output in cell.outputs:
            if output.get("name") == "stderr":
                output["text"] = _without_library_warnings(output.get("text", ""))
        cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr" or o["text"].strip()]
        for output in cell.outputs:
            size = len(json.dumps(output))
            if size > MAX_OUTPUT:
                first = cell.source.splitlines()[0] if cell.source else ""
                raise UsageError(f"an output of the cell starting {first!r} is {size // 1000} KB "
                                 f"(over {MAX_OUTPUT // 1000} KB): tag the cell {CLEAR_TAG!r} or make it smaller")


def render(paths: Sequence[Path], timeout: int = TIMEOUT_S, echo=print) -> list[Path]:
    """Execute each notebook, tidy it and write it back atomically; returns the paths written."""
    import nbformat

    written = []
    for path in paths:
        notebook = execute(path, timeout)
        tidy(notebook)
        data = nbformat.writes(notebook).encode("utf-8")
        if not data.endswith(b"\n"):
            data += b"\n"
        write_atomic(path, data)
        echo(f"rendered {path.name} ({len(data) // 1024} KB)")
        written.append(path)
    return written


def problems(path: Path) -> list[str]:
    """What is wrong with the stored outputs of one notebook ([] when it reads well without running)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileError(f"{path}: cannot read the notebook ({exc})") from exc
    out = []
    size = Path(path).stat().st_size
    if size > MAX_FILE:
        out.append(f"{path.name}: {size // 1000} KB, over {MAX_FILE // 1000} KB")
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    counts = [c.get("execution_count") for c in code]
    if not code:
        out.append(f"{path.name}: no code cells")
    elif counts != list(range(1, len(code) + 1)):
        out.append(f"{path.name}: code cells not run once each, top to bottom (execution counts {counts})")
    for i, cell in enumerate(code, 1):
        outputs = cell.get("outputs", [])
        source = "".join(cell.get("source", []))
        tags = cell.get("metadata", {}).get("tags", [])
        for output in outputs:
            if output.get("output_type") == "error":
                out.append(f"{path.name}: code cell {i} stored an error ({output.get('ename')})")
            if output.get("name") == "stderr" and "Traceback" in "".join(output.get("text", [])):
                out.append(f"{path.name}: code cell {i} stored a traceback on stderr")
        if CLEAR_TAG in tags:
            if outputs:
                out.append(f"{path.name}: code cell {i} is tagged {CLEAR_TAG!r} but stores outputs")
        elif _shows_something(source) and not outputs:
            out.append(f"{path.name}: code cell {i} shows a result when run but stores no output")
    return out


def _shows_something(source: str) -> bool:
    """True when a cell prints or ends in an expression (so a run stores an output)."""
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return False
    if "print(" in source or "display(" in source:
        return True
    last = lines[-1]
    return not (last.startswith((" ", "\t", "assert ", "import ", "from ", "%", "del ", "with ", "for ", "if "))
                or _is_assignment(last) or last.rstrip().endswith((":", ";")))


def _is_assignment(line: str) -> bool:
    import ast

    try:
        node = ast.parse(line.strip()).body
    except SyntaxError:
        return False
    return bool(node) and isinstance(node[0], ast.Assign | ast.AugAssign | ast.AnnAssign)


def check(paths: Sequence[Path]) -> list[str]:
    """:func:`problems` of every notebook in ``paths``."""
    return [p for path in paths for p in problems(path)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("render", "check"))
    parser.add_argument("names", nargs="*", help="notebooks to render or check (default: all)")
    parser.add_argument("--dir", type=Path, default=NOTEBOOKS, help="folder of the notebooks (default: %(default)s)")
    parser.add_argument("--timeout", type=int, default=TIMEOUT_S, help="seconds a cell may take (default: %(default)s)")
    args = parser.parse_args(argv)
    from kg.errors import KGError

    try:
        paths = notebook_paths(args.names, args.dir)
        if args.action == "render":
            render(paths, args.timeout)
        found = check(paths)
    except KGError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in found:
        print(line, file=sys.stderr)
    if not found and args.action == "check":
        print(f"{len(paths)} notebooks carry their outputs, none with an error")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
