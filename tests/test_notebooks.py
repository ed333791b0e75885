"""The notebooks: each runs top to bottom with its assertions, and the committed copies carry their outputs."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from kg import notebooks
from kg.errors import UsageError

NOTEBOOKS = notebooks.notebook_paths()
NAMES = ["01_quickstart", "02_mechanisms", "03_cases", "04_evidence", "05_interop"]


def test_the_five_notebooks():
    assert [p.stem for p in NOTEBOOKS] == NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_copy_reads_without_running(path):
    assert notebooks.problems(path) == []
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert sum(src.count("assert ") for src in code) >= 5, "every notebook checks what it shows"
    assert path.stat().st_size < notebooks.MAX_FILE


def test_figures_are_stored_as_images():
    images = {p.stem: sum("image/png" in o.get("data", {}) for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
                          for o in c.get("outputs", [])) for p in NOTEBOOKS}
    assert images == {"01_quickstart": 0, "02_mechanisms": 1, "03_cases": 2, "04_evidence": 2, "05_interop": 0}


def test_only_the_inline_interactive_view_is_stored_without_output():
    tagged = {p.stem: [i for i, c in enumerate(json.loads(p.read_text(encoding="utf-8"))["cells"])
                       if notebooks.CLEAR_TAG in c.get("metadata", {}).get("tags", [])] for p in NOTEBOOKS}
    assert {k: len(v) for k, v in tagged.items()} == {"01_quickstart": 0, "02_mechanisms": 1, "03_cases": 0,
                                                      "04_evidence": 0, "05_interop": 0}


# --- the checker and the tidier, on small notebooks made here ----------------------------

def _notebook(tmp_path, cells, name="x.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


def _run(source, count, *outputs, tags=()):
    cell = new_code_cell(source, execution_count=count, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_problems_found_in_stored_outputs(tmp_path):
    shown = new_output("execute_result", data={"text/plain": "2"}, execution_count=1)
    good = _notebook(tmp_path, [_run("x = 1", 1), _run("x + 1", 2, shown), _run("view", 3, tags=[notebooks.CLEAR_TAG])],
                     "good.ipynb")
    assert notebooks.problems(good) == []
    error = new_output("error", ename="AssertionError", evalue="", traceback=[])
    bad = _notebook(tmp_path, [_run("x + 1", None), _run("assert False", 2, error),
                               _run("view", 3, shown, tags=[notebooks.CLEAR_TAG]), _run("print(1)", 4)], "bad.ipynb")
    assert notebooks.problems(bad) == [
        "bad.ipynb: code cells not run once each, top to bottom (execution counts [None, 2, 3, 4])",
        "bad.ipynb: code cell 1 shows a result when run but stores no output",
        "bad.ipynb: code cell 2 stored an error (AssertionError)",
        "bad.ipynb: code cell 3 is tagged 'clear-output' but stores outputs",
        "bad.ipynb: code cell 4 shows a result when run but stores no output",
    ]


def test_tidy_clears_tagged_cells_and_refuses_huge_outputs(tmp_path):
    shown = new_output("display_data", data={"text/html": "x" * 10})
    notebook = new_notebook(cells=[_run("view", 1, shown, tags=[notebooks.CLEAR_TAG]), _run("df", 2, shown)])
    notebook.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-12-02T00:00:00Z"}
    warning = ("/x/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found.\n"
               "  from .autonotebook import tqdm as notebook_tqdm\n")
    notebook.cells[1].outputs.insert(0, new_output("stream", name="stderr", text=warning))
    notebook.cells[1].outputs.append(new_output("stream", name="stderr", text=warning + "mine\n"))
    notebooks.tidy(notebook)
    assert notebook.cells[0].outputs == [] and len(notebook.cells[1].outputs) == 2
    assert notebook.cells[1].outputs[1].text == "mine\n"
    assert "execution" not in notebook.cells[1].metadata
    huge = new_notebook(cells=[_run("page", 1, new_output("display_data",
                                                        data={"text/html": "x" * (notebooks.MAX_OUTPUT + 1)}))])
    with pytest.raises(UsageError, match="tag the cell 'clear-output'"):
        notebooks.tidy(huge)


def test_notebook_names(tmp_path):
    _notebook(tmp_path, [], "01_a.ipynb")
    _notebook(tmp_path, [], "02_b.ipynb")
    assert [p.name for p in notebooks.notebook_paths(["02_b.ipynb", "01_a"], tmp_path)] == ["02_b.ipynb", "01_a.ipynb"]
    with pytest.raises(UsageError, match="no notebook 03_c"):
        notebooks.notebook_paths(["03_c"], tmp_path)


def test_check_command(capsys):
    assert notebooks.main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "5 notebooks carry their outputs, none with an error"


# --- executed: every assertion in every cell holds on the current graph -------------------

@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_assertions_hold(path, built, tmp_path):
    executed = notebooks.execute(path)         # raises CellExecutionError at a failing cell or assert
    notebooks.tidy(executed)
    errors = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    fresh = tmp_path / path.name
    nbformat.write(executed, fresh)
    assert notebooks.problems(fresh) == []
