"""Reading curated files: malformed input is reported with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.compile import compile_graph, load_tbox
from kg.curation import read_curation, read_tsv
from kg.errors import DataError
from kg.project import Project


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(Project.discover().data, target)
    return target


def write_source(data: Path, body: str, name: str = "900_test.yaml") -> Path:
    path = data / "sources" / name
    path.write_text(body, encoding="utf-8")
    return path


def problems_of(data: Path) -> list[tuple[Path, int | None, str]]:
    """(file, line, message) of every problem the curated data in ``data`` has."""
    with pytest.raises(DataError) as info:
        compile_graph(read_curation(data), load_tbox(Project.discover().ontology))
    return [(p.file, p.line, p.message) for p in info.value.problems]


GOOD_HEAD = """publication:
  id: pub_900
  title: A test case report
  study_type: case_report
facts:
"""


def test_current_data_has_no_problems():
    curation = read_curation(Project.discover().data)
    assert (len(curation.entities), len(curation.sources), len(curation.reference_lists), len(curation.xrefs)) == \
        (205, 6, 2, 321)  # 195 + 10 entities added for issue 14 (targets, findings, comorbidity, ...)


def test_yaml_syntax_error_names_file_and_line(data_copy):
    path = write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x\n")
    with pytest.raises(DataError) as info:
        read_curation(data_copy)
    (where, line, message), = [tuple(p) for p in info.value.problems]
    assert where == path and line == 6 and "YAML syntax" in message
    assert f"{path.name}:6" in str(info.value)


def test_duplicate_key_is_an_error(data_copy):
    path = write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x, at: y}\n")
    with pytest.raises(DataError) as info:
        read_curation(data_copy)
    assert [tuple(p) for p in info.value.problems] == [(path, 6, "duplicate key 'at'")]


def test_unquoted_comma_is_explained(data_copy):
    path = write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x, context: a, b}\n")
    with pytest.raises(DataError) as info:
        read_curation(data_copy)
    (where, line, message), = [tuple(p) for p in info.value.problems]
    assert (where, line) == (path, 6)
    assert "unknown key 'b'" in message and "quote the value" in message


def test_uncited_fact_without_locator_fails_with_line(data_copy):
    path = write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibits, o: calcineurin}\n")
    with pytest.raises(DataError) as info:
        read_curation(data_copy)
    assert [tuple(p) for p in info.value.problems] == [(path, 6, "fact lacks required key 'at'")]


def test_unknown_entity_suggests_close_matches(data_copy):
    path = write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporin, p: inhibits, o: calcineurin, at: Discussion}\n")
    (where, line, message), = problems_of(data_copy)
    assert (where, line) == (path, 6)
    assert "unknown entity 'cyclosporin'" in message and "'cyclosporine'" in message


def test_unknown_property_suggests_close_matches(data_copy):
    write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibit, o: calcineurin, at: Discussion}\n")
    (_, _, message), = problems_of(data_copy)
    assert "unknown property 'inhibit'" in message and "'inhibits'" in message


def test_object_outside_the_property_range_is_rejected(data_copy):
    write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: treats, o: calcineurin, at: Discussion}\n")
    (_, _, message), = problems_of(data_copy)
    assert message == "'calcineurin' is not a Condition, as 'treats' requires"


def test_unknown_evidence_type_lists_the_vocabulary(data_copy):
    write_source(data_copy, GOOD_HEAD + "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x, evidence: anecdote}\n")
    (_, _, message), = problems_of(data_copy)
    assert "unknown evidence type 'anecdote'" in message and "case_report" in message


def test_all_problems_are_reported_at_once(data_copy):
    write_source(data_copy, GOOD_HEAD + "  - {s: nosuchdrug, p: inhibits, o: calcineurin, at: x}\n"
                 "  - {s: cyclosporine, p: nosuchprop, o: calcineurin, at: x}\n")
    problems = problems_of(data_copy)
    assert [line for _, line, _ in problems] == [6, 7]


def test_course_with_unknown_outcome_and_bad_unit(data_copy):
    body = """publication:
  id: pub_901
  title: Another test
  study_type: case_report
patients:
  - id: "1"
    label: test patient
    at: Case
    age: 50
    sex: female
    diagnoses: [dermatomyositis]
    courses:
      - {seq: 1, therapy: methotrexate, outcome: cured, duration: {value: 3, unit: months, text: 3 months}}
"""
    path = write_source(data_copy, body)
    problems = problems_of(data_copy)
    messages = [m for _, _, m in problems]
    assert all(p[0] == path for p in problems)
    assert any(m.startswith("unknown outcome 'cured'") for m in messages)
    assert any("time unit must be one of" in m and "'months'" in m for m in messages)


def test_entity_file_with_duplicate_id(data_copy):
    extra = data_copy / "entities" / "zz_extra.yaml"
    extra.write_text("- id: cyclosporine\n  type: Drug\n  label: again\n  definition: duplicate\n")
    problems = problems_of(data_copy)
    assert problems[0][0] == extra and problems[0][1] == 1
    assert "already defined at therapies.yaml" in problems[0][2]


def test_identifier_row_for_unknown_entity(data_copy):
    tsv = data_copy / "identifiers.tsv"
    tsv.write_text(tsv.read_text() + "cyclosporin\tCHEBI:4031\tcyclosporin\ttest\n")
    problems = problems_of(data_copy)
    assert problems[-1][0] == tsv
    assert "identifier for unknown entity 'cyclosporin'" in problems[-1][2]


def test_tsv_with_missing_columns_names_the_line(tmp_path):
    path = tmp_path / "ids.tsv"
    path.write_text("entity\tcurie\tmatched_label\tevidence\nfoo\tCHEBI:1\n")
    rows, problems = read_tsv(path, ("entity", "curie", "matched_label", "evidence"))
    assert rows == [] and [tuple(p) for p in problems] == [(path, 2, "expected 4 tab-separated columns, got 2")]
