"""Curated files that cannot hurt: every bad input is one problem with its file and line, never a traceback.

Also the spec itself (every key maps to a property or a handler; every vocabulary
and property exists in the TBox), the additions to the format (``basis: abstract``
with ``abstract_from``) and the warnings (facts of one source that contradict).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.compile import compile_curation, load_tbox
from kg.compile.vocabulary import Vocabulary
from kg.curation import SPECS, read_curation
from kg.errors import SHOWN_PROBLEMS, DataError
from kg.namespaces import DEFINITION, KG, curie_problem
from kg.project import Project

KG_EXE = str(Path(sys.executable).with_name("kg"))


@pytest.fixture(scope="module")
def tbox():
    return load_tbox(Project.discover().ontology)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(Project.discover().data, target)
    return target


def source(data: Path, body: str, name: str = "900_test.yaml") -> Path:
    path = data / "sources" / name
    path.write_text(body, encoding="utf-8")
    return path


def problems(data: Path, tbox) -> list[tuple[Path, int | None, str]]:
    """(file, line, message) of every error in ``data`` (reading, then compiling)."""
    with pytest.raises(DataError) as info:
        compile_curation(read_curation(data), tbox)
    return [(p.file, p.line, p.message) for p in info.value.problems]


HEAD = """publication:
  id: pub_900
  title: A test case report
  study_type: case_report
"""
PATIENT = HEAD + """patients:
  - id: "1"
    label: test patient
    at: Case
    age: {age}
    sex: female
    diagnoses: [dermatomyositis]
    courses:
      - {{seq: 1, therapy: methotrexate, outcome: no_response, doses: [{{value: {dose}, unit: mg/wk}}],
         duration: {{value: 3, unit: mo, text: 3 months}}}}
"""


# --- unreadable files -----------------------------------------------------------------

def test_invalid_utf8_names_file_line_and_byte(data, tbox):
    path = data / "sources" / "900_test.yaml"
    good = HEAD.encode() + b"facts:\n  - {s: caf"
    path.write_bytes(good + b"\xe9}\n")
    assert problems(data, tbox) == [(path, 6, f"not valid UTF-8 at byte {len(good)} (0xe9)")]
    assert len(good) == 99


def test_utf16_file_is_named_as_such(data, tbox):
    path = data / "sources" / "900_test.yaml"
    path.write_bytes(HEAD.encode("utf-16"))
    assert problems(data, tbox) == [(path, 1, "not valid UTF-8 at byte 0 (0xff) (it looks like UTF-16; save it as UTF-8)")]


def test_binary_file_is_one_line(data, tbox):
    path = data / "sources" / "900_test.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems(data, tbox) == [(path, None, "is a binary file, not a YAML file (UTF-8 text)")]


def test_a_folder_named_like_a_source_is_one_line(data, tbox):
    folder = data / "sources" / "900_test.yaml"
    folder.mkdir()
    assert problems(data, tbox) == [(folder, None, "is a folder, not a YAML file")]


def test_billion_laughs_is_refused_at_the_first_alias(data, tbox):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = source(data, "\n".join(lines) + "\n")
    assert path.stat().st_size < 1024
    found = problems(data, tbox)  # refused at the first alias, before any expansion
    assert found == [(path, 2, "YAML aliases (*name) are not allowed in curated files; write the value out")]


def test_empty_entity_file(data, tbox):
    path = data / "entities" / "zz_empty.yaml"
    path.write_text("# nothing yet\n")
    assert problems(data, tbox) == [(path, 1, "the entity file is empty; it must be a list of entity records")]


def test_empty_source_file(data, tbox):
    path = source(data, "")
    assert problems(data, tbox) == [(path, 1, "the file is empty; a source file is a mapping with publication")]


# --- values out of range ----------------------------------------------------------------

def test_negative_patient_age(data, tbox):
    path = source(data, PATIENT.format(age=-3, dose=15))
    assert problems(data, tbox) == [(path, 6, "'age' must be at least 0, got -3")]


@pytest.mark.parametrize("dose, shown", [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_dose_that_is_not_a_finite_number(data, tbox, dose, shown):
    path = source(data, PATIENT.format(age=50, dose=dose))
    assert problems(data, tbox) == [(path, 13, f"'value' should be a finite number, got {shown}")]


def test_refs_with_a_non_number(data, tbox):
    path = source(data, HEAD + "facts:\n  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x, refs: [8, nine]}\n")
    assert problems(data, tbox) == [(path, 6, "'refs' item should be a whole number, got 'nine'")]


@pytest.mark.parametrize("curie, message", [
    ("CHEBI:4031 x", "the local part of 'CHEBI:4031 x' contains ' ', which cannot be part of an IRI"),
    ("CHEBI:4031>", "the local part of 'CHEBI:4031>' contains '>', which cannot be part of an IRI"),
    ("MONDO:abc", "'MONDO:abc' does not match the MONDO pattern ^\\d{7}$ (Bioregistry)"),
])
def test_identifier_of_the_wrong_shape(data, tbox, curie, message):
    tsv = data / "identifiers.tsv"
    text = tsv.read_text()
    tsv.write_text(text + f"cyclosporine\t{curie}\tcyclosporin\ttest\n")
    assert problems(data, tbox) == [(tsv, text.count("\n") + 1, message)]


def test_curie_problem_accepts_every_curated_identifier():
    curies = [row["curie"] for row in read_curation(Project.discover().data).xrefs]
    assert len(curies) == 321
    assert [c for c in curies if curie_problem(c) is not None] == []


# --- records that would merge or contradict -----------------------------------------------

def test_duplicate_patients_name_both_lines(data, tbox):
    one = PATIENT.format(age=50, dose=15)
    patient = one[one.index("  - id:"):]
    path = source(data, one + patient)
    assert problems(data, tbox) == [(path, 15, "patient '1' already defined at 900_test.yaml:6")]


def test_duplicate_course_names_both_lines(data, tbox):
    body = PATIENT.format(age=50, dose=15) + \
        "      - {seq: 1, therapy: methotrexate, outcome: response, duration: {text: later}}\n"
    path = source(data, body)
    assert problems(data, tbox) == [
        (path, 15, "treatment course seq 1 with 'methotrexate' of patient '1' already defined at 900_test.yaml:13")]


def test_type_fact_into_a_disjoint_class_fails_before_the_reasoner(data, tbox):
    path = source(data, HEAD + "facts:\n  - {s: methotrexate, p: type, o: Procedure, at: Discussion}\n")
    assert problems(data, tbox) == [
        (path, 6, "'methotrexate' cannot be a Procedure: it would be both Drug and Procedure, which the ontology "
                  "declares disjoint (Drug at therapies.yaml:" + _line_of("methotrexate") + ")")]


def _line_of(entity: str) -> str:
    lines = (Project.discover().data / "entities" / "therapies.yaml").read_text().splitlines()
    return str(next(i for i, line in enumerate(lines, 1) if line.strip() == f"- id: {entity}"))


def test_contradicting_facts_of_one_source_are_a_warning_naming_both_lines(data, tbox):
    path = source(data, HEAD + "facts:\n"
                  "  - {s: cyclosporine, p: leavesUnchanged, o: il2, at: Results}\n"
                  "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: Results}\n"
                  "  - {s: cyclosporine, p: decreases, o: il2, at: Discussion}\n")
    result = compile_curation(read_curation(data), tbox)
    mine = [(w.file, w.line, w.message, w.severity) for w in result.warnings if w.file == path]
    assert mine == [(path, 8, ("contradicts 900_test.yaml:6: cyclosporine decreases il2 (lowers) but leavesUnchanged "
                               "(leaves unchanged), both citing pub_900"), "warning")]
    assert (KG.cyclosporine, KG.decreases, KG.il2) in result.graph


def test_five_thousand_problems_make_a_short_message(data, tbox):
    facts = "".join(f"  - {{s: nosuchdrug{i}, p: inhibits, o: calcineurin, at: x}}\n" for i in range(5000))
    source(data, HEAD + "facts:\n" + facts)
    with pytest.raises(DataError) as info:
        compile_curation(read_curation(data), tbox)
    assert len(info.value.problems) == 5000
    lines = str(info.value).splitlines()
    assert len(lines) == SHOWN_PROBLEMS + 2 and lines[-1] == "  ... and 4950 more"


@pytest.mark.slow  # a curated import through the command line
def test_kg_import_of_a_broken_file_prints_one_line(tmp_path, monkeypatch):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(Project.discover().root / folder, root / folder)
    monkeypatch.setenv("KG_HOME", str(root))
    bad = tmp_path / "900_bad.yaml"
    bad.write_bytes(HEAD.encode() + b"facts:\n  - {s: caf\xe9}\n")
    result = subprocess.run([KG_EXE, "import", str(bad), "--dry-run"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == f"error: {bad}:6: not valid UTF-8 at byte 99 (0xe9)\n"


# --- the format's additions -----------------------------------------------------------------

def test_abstract_basis_records_where_the_abstract_was_read(data, tbox):
    body = HEAD + """therapy_reports:
  - {id: a, therapy: tacrolimus, condition: dermatomyositis, population: adult, direction: benefit,
     study_type: case_report, basis: abstract, abstract_from: PubMed record of the paper}
  - {id: b, therapy: tacrolimus, condition: dermatomyositis, population: adult, direction: benefit,
     study_type: case_report, basis: abstract}
"""
    path = source(data, body)
    result = compile_curation(read_curation(data), tbox)
    g = result.graph
    assert (KG.report_900_a, KG.reportBasis, Literal("abstract")) in g
    assert (KG.report_900_a, KG.basisSource, Literal("PubMed record of the paper")) in g
    assert [(w.line, w.message) for w in result.warnings if w.file == path] == [
        (8, "basis: abstract without abstract_from (where the abstract was read)")]


def test_unknown_basis_lists_the_three(data, tbox):
    path = source(data, HEAD + """therapy_reports:
  - {therapy: tacrolimus, condition: dermatomyositis, population: adult, direction: benefit,
     study_type: case_report, basis: hearsay}
""")
    assert problems(data, tbox) == [
        (path, 6, "unknown basis 'hearsay'; expected one of: title, abstract, topic_context")]


# --- the spec ---------------------------------------------------------------------------------

def test_every_key_maps_to_a_property_or_a_handler():
    unmapped = [f"{kind.name}.{key.name}" for kind in SPECS.values() for key in kind.keys.values()
                if key.prop is None and key.handler is None]
    assert unmapped == []


def test_every_vocabulary_and_property_of_the_spec_is_in_the_tbox(tbox):
    voc = Vocabulary.from_tbox(tbox)
    declared = voc.object_properties | voc.datatype_properties | set(tbox.subjects(RDF.type, OWL.AnnotationProperty))
    known = declared | {RDF.type, RDFS.label, SKOS.altLabel, DCTERMS.title, DEFINITION}
    props = {key.prop for kind in SPECS.values() for key in kind.keys.values() if key.prop is not None}
    assert sorted(p for p in props if p not in known) == []
    vocabs = {key.vocab for kind in SPECS.values() for key in kind.keys.values() if key.vocab is not None}
    sizes = {(str(v.cls).rsplit("/", 1)[-1] if v.cls else "fixed"): len(voc.value_names(v)) for v in vocabs}
    assert sizes == {"EvidenceType": 14, "Route": 6, "TimeUnit": 4, "InformationResource": 2, "Certainty": 3,
                     "Sex": 2, "FindingStatus": 2, "ResultInterpretation": 7, "Outcome": 9, "Population": 4,
                     "Direction": 6, "ReportedOutcome": 13, "fixed": 3,
                     "DosingFrequency": 3}  # dose schedules, added for the phenopacket export (issue 14)
