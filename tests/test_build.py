"""`kg build`: caching, atomic outputs, the report, failures that name the file and line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build, is_current, write_atomic
from kg.cli import cli
from kg.errors import DataError, FileError
from kg.project import Project

KG_EXE = str(Path(sys.executable).with_name("kg"))


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """An isolated copy of the curated inputs, with its own dist/."""
    root = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(Project.discover().root / folder, root / folder)
    monkeypatch.setenv("KG_HOME", str(root))   # this process and the kg commands it starts
    monkeypatch.delenv("KG_DIST", raising=False)
    return root


@pytest.mark.slow
def test_build_skips_unchanged_inputs_and_rebuilds_changed_ones(project):
    first = build()
    assert not first.skipped and is_current()
    for name in ("kg.ttl", "kg.nt", "inferred.ttl", "build-report.json", "build-report.md"):
        assert (project / "dist" / "current" / name).stat().st_size > 0
    assert build().skipped
    source = project / "data" / "sources" / "001_cadm_case_series_review.yaml"
    source.write_text(source.read_text().replace("cases_reported: 5", "cases_reported: 6"))
    assert not is_current()
    again = build()
    assert not again.skipped and again.report["input_hash"] != first.report["input_hash"]


@pytest.mark.slow
def test_malformed_fact_fails_the_build_with_file_and_line(project):
    source = project / "data" / "sources" / "003_ivig_vasculitic_dm.yaml"
    lines = source.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "p: binds, o: c3b" in line)
    lines[index] = lines[index].replace("o: c3b", "o: c3bb")
    source.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        build()
    assert str(info.value).startswith(f"{source}:{index + 1}: unknown entity 'c3bb'; did you mean 'c3b'")
    assert not (project / "dist" / "current").exists()


def test_report_counts_match_the_graph(built, memory_graph):
    from rdflib.namespace import RDF

    from kg.namespaces import KG

    report = built.report
    assert report["triples"] == len(memory_graph)
    assert report["patients"] == 4
    assert report["treatment_courses"] == len(set(memory_graph.subjects(RDF.type, KG.TreatmentCourse))) == 32
    assert report["reference_entries"] == 111
    assert report["validation"] == {"conforms": True, "violations": 0}
    assert "Inferred memberships" in (built.dist / "build-report.md").read_text()


def test_write_atomic_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "out.txt"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert target.stat().st_mode & 0o044 == 0o044  # readable by others, like a plain open()


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    write_atomic(target, b"old")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(FileError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_cli_build_answers_the_headline_question_with_its_citation(built):
    out = subprocess.run([KG_EXE, "build"], capture_output=True, text=True, check=True,
                         env={**os.environ, "COLUMNS": "200"}).stdout
    assert "Which calcineurin inhibitors spare type I interferon" in out
    lines = {line.split()[0]: line for line in out.splitlines()
             if line.split() and line.split()[0] in ("cyclosporine", "pimecrolimus", "tacrolimus")}
    assert "spares — stated" in lines["cyclosporine"] and "[1] Case Discussion; refs 8, 9" in lines["cyclosporine"]
    assert "could not be identified" in lines["cyclosporine"]
    for drug in ("pimecrolimus", "tacrolimus"):
        assert "raises — via mechanism, 4 steps; rests on a hypothesis" in lines[drug]
    sources = out.split("Sources", 1)[1]
    assert "[1] Unidentified case report" in sources and "publication not identified (local id dmkg-src-000)" in sources
    assert "[2] Kim 2011, Ann Dermatol. doi:10.5021/ad.2011.23.3.348" in sources


def test_cli_build_json(built):
    result = CliRunner().invoke(cli, ["build", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {r["drug"]: (r["status"], r["basis"]) for r in data["answer"]} == {
        "cyclosporine": ("spares", "stated"), "pimecrolimus": ("raises", "via mechanism"),
        "tacrolimus": ("raises", "via mechanism")}
    flags = {r["drug"]: r["flags"] for r in data["answer"]}
    assert flags["cyclosporine"] == ["rests only on a publication that could not be identified"]
    assert flags["tacrolimus"] == flags["pimecrolimus"] == ["rests on a hypothesis"]


NEW_CASE = """publication:
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


@pytest.mark.slow
def test_import_adds_a_valid_case_and_rebuilds(project, tmp_path):
    new = tmp_path / "900_new_case.yaml"
    new.write_text(NEW_CASE)
    result = CliRunner().invoke(cli, ["import", str(new)])
    assert result.exit_code == 0, result.output
    assert (project / "data" / "sources" / new.name).read_text() == NEW_CASE
    assert "5 patients" in result.output


@pytest.mark.slow  # a curated import through the command line
def test_import_rejects_a_bad_file_and_changes_nothing(project, tmp_path):
    bad = tmp_path / "901_bad.yaml"
    bad.write_text(NEW_CASE.replace("tofacitinib", "tofacitnib").replace("pub_900", "pub_901"))
    before = sorted(p.name for p in (project / "data" / "sources").iterdir())
    result = subprocess.run([KG_EXE, "import", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "unknown therapy 'tofacitnib'; did you mean 'tofacitinib'" in result.stderr
    assert f"{bad.name}:" in result.stderr
    assert sorted(p.name for p in (project / "data" / "sources").iterdir()) == before


@pytest.mark.slow  # every export format through the command line: a round trip of each
def test_export_formats_via_cli(built, tmp_path):
    for fmt in ("ttl", "nt", "jsonld", "xml"):
        out = tmp_path / f"kg.{fmt}"
        result = CliRunner().invoke(cli, ["export", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100_000
    for fmt, names in (("kgx", ["edges.tsv", "metadata.json", "nodes.tsv"]),
                       ("csv", ["edges.csv", "metadata.json", "nodes.csv"])):
        result = CliRunner().invoke(cli, ["export", "--format", fmt, "--out", str(tmp_path / fmt)])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [f"wrote {tmp_path / fmt / n}" for n in names]


#: Python run in a child process: a build that SIGKILLs itself at one point (fault injection).
KILL_AT = {
    "after kg.nt is written": """
import os, pathlib, signal
real = pathlib.Path.write_bytes
def write_bytes(self, data):
    if self.name == "build-report.md":
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, data)
pathlib.Path.write_bytes = write_bytes
""",
    "before dist/current is switched": """
import os, signal, kg.build
kg.build.swap_symlink = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
""",
}


@pytest.mark.slow
@pytest.mark.parametrize("moment", sorted(KILL_AT))
def test_a_build_killed_midway_never_becomes_current(project, moment):
    """kill -9 while the new build is written: the old build stays current and whole; a revert reuses it."""
    import signal

    from kg.build import ensure_built

    first = ensure_built()
    source = project / "data" / "sources" / "001_cadm_case_series_review.yaml"
    original = source.read_text()
    source.write_text(original.replace("cases_reported: 5", "cases_reported: 6"))
    code = KILL_AT[moment] + "\nimport kg.build\nkg.build.build()\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (project / "dist" / "current").resolve() == first.dist       # still the old, complete build
    assert not is_current()                                               # ... which is not of these inputs
    source.write_text(original)                                           # revert the data
    again = ensure_built()
    assert again.skipped and again.dist == first.dist
    assert sorted(p.name for p in first.dist.iterdir() if p.is_file()) == sorted(
        ["build-report.json", "build-report.md", "inferred.ttl", "kg.nt", "kg.ttl", "names.pickle"])
    leftovers = project / "dist" / ".tmp"
    assert not leftovers.exists() or not list(leftovers.iterdir())      # the dead writer's files are gone
