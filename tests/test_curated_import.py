"""`kg import` as a library function: a file is added only once the full build accepts it.

Each test works on a copy of the project (KG_HOME), like the import tests in test_build.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.curated_import import import_source
from kg.errors import DataError, KGError, ReasonerError
from kg.project import Project

KG_EXE = str(Path(sys.executable).with_name("kg"))

CASE = """publication:
  id: pub_900
  title: A later case report used to test kg import
  study_type: case_report
  local_id: test-900
patients:
  - id: "1"
    label: test patient (source 900)
    at: Case
    age: 61
    sex: male
    diagnoses: [cadm]
    courses:
      - {seq: 1, therapy: hydroxychloroquine, outcome: no_response, duration: {value: 3, unit: mo, text: 3 months}}
      - {seq: 2, therapy: tofacitinib, outcome: response, duration: {value: 6, unit: mo, text: 6 months}}
"""


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Project:
    """An isolated copy of the curated inputs, with its own dist/."""
    root = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(Project.discover().root / folder, root / folder)
    monkeypatch.setenv("KG_HOME", str(root))
    monkeypatch.delenv("KG_DIST", raising=False)
    return Project.at(root)


def snapshot(project: Project) -> dict[str, bytes]:
    """Every file under data/ and dist/ (dist/current's target included), by relative path."""
    files = {str(p.relative_to(project.root)): p.read_bytes() for p in sorted(project.root.rglob("*"))
             if p.is_file() and "queries" not in p.parts}
    current = project.dist / "current"
    files["dist/current ->"] = str(current.resolve()).encode() if current.is_symlink() else b""
    return files


@pytest.mark.slow  # a checked build of the imported file
def test_duplicate_course_is_refused_naming_the_users_file_and_nothing_changes(project, tmp_path):
    new = tmp_path / "900_new_case.yaml"
    new.write_text(CASE + "      - {seq: 2, therapy: tofacitinib, outcome: relapse, duration: {text: later}}\n")
    before = snapshot(project)
    with pytest.raises(DataError) as info:
        import_source(new, project)
    assert [(p.file, p.line, p.message) for p in info.value.problems] == [
        (new.resolve(), 16, ("treatment course seq 2 with 'tofacitinib' of patient '1' already defined at "
                             "900_new_case.yaml:15"))]
    assert str(info.value) == f"{new.resolve()}:16: " + info.value.problems[0].message
    assert snapshot(project) == before
    assert not (project.sources / new.name).exists()


@pytest.mark.slow
def test_a_file_only_the_reasoner_refuses_names_the_users_file_and_nothing_changes(project, tmp_path):
    new = tmp_path / "905_two_ages.yaml"
    new.write_text("publication: {id: pub_905, title: Two ages, study_type: case_report}\n"
                   "facts:\n  - {s: cadm, p: age, o: 5, at: x}\n  - {s: cadm, p: age, o: 6, at: y}\n")
    before = snapshot(project)
    with pytest.raises(ReasonerError) as info:
        import_source(new, project)
    assert str(info.value) == (f"{new.resolve()}: HermiT found the ontology inconsistent: some curated facts "
                               "contradict the class axioms (check disjoint classes and functional properties)")
    assert snapshot(project) == before


def test_replace_that_breaks_another_sources_references_is_refused(project, tmp_path):
    name = "003_ivig_vasculitic_dm.yaml"
    original = (project.sources / name).read_text()
    new = tmp_path / name
    new.write_text(original.replace("id: pub_003", "id: pub_903"))
    before = snapshot(project)
    with pytest.raises(DataError) as info:
        import_source(new, project, replace=True)
    assert {Path(p.file) for p in info.value.problems} == {project.data / "references" / "003.yaml",
                                                           project.sources / "pharmacology.yaml"}
    assert any(p.message.startswith("list_of names unknown publication 'pub_003'") for p in info.value.problems)
    assert "import-" not in str(info.value)   # no path into the scratch copy
    assert snapshot(project) == before


def test_an_existing_file_needs_replace(project, tmp_path):
    new = tmp_path / "003_ivig_vasculitic_dm.yaml"
    new.write_text(CASE)
    with pytest.raises(KGError) as info:
        import_source(new, project)
    assert str(info.value) == f"{project.sources / new.name} already exists; use --replace to overwrite it"


@pytest.mark.slow
def test_a_valid_file_is_added_and_its_checked_build_made_current(project, tmp_path):
    from kg.build import is_current

    new = tmp_path / "900_new_case.yaml"
    new.write_text(CASE)
    dry = import_source(new, project, dry_run=True)
    assert (dry.copied, dry.build, (project.sources / new.name).exists()) == (False, None, False)
    report = import_source(new, project)
    assert (report.copied, report.rebuilt, report.replaced) == (True, False, False)
    assert (project.sources / new.name).read_text() == CASE
    assert report.build.report["patients"] == 5
    assert is_current(project) and (project.dist / "current").resolve() == report.build.dist
    assert not list((project.dist / ".tmp").iterdir())    # the scratch copy is gone


@pytest.mark.slow  # a curated import through the command line
def test_cli_import_error_names_the_users_file_in_one_line(project, tmp_path):
    new = tmp_path / "900_new_case.yaml"
    new.write_text(CASE.replace("age: 61", "age: -61"))
    result = subprocess.run([KG_EXE, "import", str(new)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: {new}:7: 'age' must be at least 0, got -61\n"
