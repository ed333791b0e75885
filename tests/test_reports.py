"""Answers people can read: every saved query and analysis at 80 and 120 columns, every paper traceable."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.project import Project
from kg.query import format_result, run_query, saved_queries
from kg.query.results import cell_text

SAVED = sorted(p.stem for p in Project.discover().queries.glob("*.rq"))
WIDTHS = (80, 120)
FOOTNOTE = re.compile(r"^\[(\d+)\] ")


def invoke(*args: str, width: int = 80) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def footnotes(text: str) -> dict[int, str]:
    """Footnote number -> its whole text (continuation lines joined)."""
    notes: dict[int, str] = {}
    current = None
    for line in text.split("\nSources\n", 1)[1].splitlines() if "\nSources\n" in text else []:
        if m := FOOTNOTE.match(line):
            current = int(m.group(1))
            notes[current] = line
        elif current is not None and line.startswith(" "):
            notes[current] += " " + line.strip()
    return notes


def check_readable(text: str, width: int) -> None:
    """No line past the width (but a lone unbreakable word), no CURIE or IRI, every paper identified or said not."""
    for line in text.splitlines():
        if len(line) > width:
            assert len(line.split()) == 1, f"line of {len(line)} > {width}: {line!r}"
    body = text.split("\nSources\n", 1)[0]
    assert not re.search(r"\(kg:\w+\)|\bkg:[a-z]", body), "a CURIE in a table shown by default"
    assert "https://w3id.org" not in text
    for n, note in footnotes(text).items():
        assert re.search(r"doi:10\.|PMID:\d+|publication not identified", note), f"footnote [{n}]: {note}"


@pytest.fixture(scope="module")
def answers(graph):
    """Each saved query's result, run once and shown at every width (the result does not depend on it)."""
    cache: dict = {}

    def answer(name):
        if name not in cache:
            cache[name] = run_query(name, graph=graph)
        return cache[name]
    return answer


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_reads_well(answers, name, width):
    result = answers(name)
    text = format_result(result, "table", width=width, title=saved_queries()[name].asks)
    check_readable(text, width)
    # No cell narrower than its longest word: every word of every cell appears whole in the output.
    words = set(text.split())
    index = result.index
    for row in result.rows[:20]:
        for term in row:
            for word in cell_text(term, index, curies=False).split():
                if not re.fullmatch(r"https?://\S+", word):
                    assert word in words or any(word in w for w in words), (name, word)


@pytest.mark.parametrize("width", [80, pytest.param(120, marks=pytest.mark.slow)])  # 80 columns in the fast loop
@pytest.mark.parametrize("args", [
    ("explain", "TNF inhibitor", "dermatomyositis"), ("explain", "CsA", "DM"), ("explain", "IVIG", "calcinosis"),
    ("predict", "dermatomyositis"), ("predict", "CADM", "--and", "psoriasis"), ("concordance",),
    ("bridges", "DM", "psoriasis"), ("similar", "cyclosporine"), ("cases",), ("build",)])
def test_every_command_reads_well(built, args, width):
    check_readable(invoke(*args, width=width), width)


def test_tacrolimus_on_type_i_ifn_is_flagged_as_resting_on_a_hypothesis(built):
    out = invoke("explain", "tacrolimus", "type I interferon", width=120)
    assert "raises — via mechanism, 4 steps through calcineurin, NF-AT, TNF-α; rests on a hypothesis" in out
    assert "Note: an answer above rests on a hypothesis." in out


def test_explain_lists_the_literature_and_cases_the_graph_holds(built):
    """IVIG has no mechanism path to calcinosis, but three case reports report it (004 refs 81, 97, 98)."""
    data = json.loads(invoke("explain", "IVIG", "calcinosis", "--format", "json"))
    assert data["answers"]["mechanism"]["effect"] == "no evidence"
    assert data["answers"]["literature"] == {**data["answers"]["literature"], "effect": "improves",
                                             "basis": "reported in literature"}
    reports = data["literature"]
    assert [(r["citation"]["locator"].rsplit(" ", 1)[-1], r["direction_label"], r["citation"]["evidence_label"])
            for r in reports] == [("81", "benefit", "case report"), ("97", "benefit", "case report"),
                                  ("98", "benefit", "case report")]
    assert [r["scope"] for r in reports] == ["target", "narrower", "narrower"]
    out = invoke("explain", "IVIG", "calcinosis", width=120)
    assert "3 reports: 3 benefit" in out
    notes = footnotes(out)
    assert len(notes) == 3 and any("doi:10.1001/archderm.144.5.585" in n for n in notes.values())


def test_tofacitinib_in_cadm_shows_its_literature_report(built):
    data = json.loads(invoke("explain", "tofacitinib", "CADM", "--format", "json"))
    # Kurtzman 2016 (004 ref 45) is on refractory cutaneous DM, the skin disease CADM manifests as; its title
    # states no result, so it is listed with direction "not stated" and does not make the answer "improves".
    found = [(r["citation"]["locator"], r["scope"], r["direction_label"]) for r in data["literature"]]
    assert ("title; pub_004 reference 45", "manifestation", "not stated") in found, found


def test_predict_lists_drugs_both_ends_and_explains_zero(built):
    out = invoke("predict", "dermatomyositis", "--top", "3", width=120)
    assert "Most likely to help in dermatomyositis" in out and "Evidence against, for dermatomyositis" in out
    against = out.split("Evidence against", 1)[1]
    assert "etanercept" in against and "infliximab" in against
    assert "(drug class)" not in out                                      # drugs only by default
    assert "(drug class)" in invoke("predict", "dermatomyositis", "--classes", width=200)
    assert not re.search(r"[+-]0\.\d{3}", out)                            # no raw scores


def test_question_first_entry():
    runner = CliRunner()
    listed = runner.invoke(cli, ["queries"], env={"COLUMNS": "200"}).output
    assert "Which calcineurin inhibitors spare type I interferon (IFN-α/β)?" in listed
    found = json.loads(runner.invoke(cli, ["queries", "--search", "calcinosis", "--format", "json"]).output)
    assert [q["name"] for q in found] == ["calcinosis_therapies"]
    by_number = runner.invoke(cli, ["query", "9"], env={"COLUMNS": "120"})
    assert by_number.exit_code == 0 and by_number.output.startswith(
        "Which therapies does the literature report for refractory skin disease in CADM?")
    missing = runner.invoke(cli, ["query", "16"])
    assert missing.exit_code == 1 and "unknown question '16'" in str(missing.exception)


def test_cases_and_patient_parameters_use_the_case_id(built):
    data = json.loads(invoke("cases", "--format", "json"))
    assert [p["case"] for p in data] == ["000-1", "002-1", "002-2", "003-1"]
    assert data[0]["treatment"].startswith("10 courses failed") and "cyclosporine: remission" in data[0]["treatment"]
    rows = json.loads(invoke("query", "failed_regimens", "-p", "patient=000-1", "--format", "json"))
    assert len(rows["results"]["bindings"]) == 10


@pytest.mark.parametrize("name", ["pub_002", "10.5021/ad.2011.23.3.348", "doi:10.5021/AD.2011.23.3.348",
                                  "Kim 2011, Ann Dermatol"])
def test_cite_finds_a_paper_by_any_name(built, name):
    data = json.loads(invoke("cite", name, "--format", "json"))
    assert data["publication"] == "kg:pub_002" and data["link"] == "https://doi.org/10.5021/ad.2011.23.3.348"
    assert any(c["statement"] == "pimecrolimus inhibits calcineurin" for c in data["claims"])


def test_cite_by_pmid_and_an_unidentified_paper(built):
    assert json.loads(invoke("cite", "33719170", "--format", "json"))["publication"] == "kg:pub_001"
    out = invoke("cite", "pub_000", width=80)
    assert "publication not identified (no DOI or PMID was verified)" in out


def test_dataframe_with_labels(graph):
    frame = run_query("failed_regimens", graph=graph).to_dataframe()
    assert list(frame["therapyLabel"])[:2] == ["hydroxychloroquine", "prednisone"]
    assert list(frame["sequence"])[:2] == [1, 2] and frame["therapy"][0].startswith("https://w3id.org/dmkg/")
    bare = run_query("failed_regimens", graph=graph).to_dataframe(labels=False)
    assert "courseLabel" in frame.columns and "courseLabel" not in bare.columns and len(bare) == len(frame) == 10
