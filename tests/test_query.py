"""kg/query.py: saved-query headers, parameter binding, errors, output formats, and the CLI over them."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from kg.cli import cli
from kg.errors import KGError, QueryError, UnknownNameError
from kg.project import Project
from kg.query import SavedQuery, find_query, format_result, load_query, parse_header, run_query, saved_queries

KG_SCRIPT = Path(sys.executable).with_name("kg")
HOSTILE = 'x" } ; DROP ALL ; #'

GOOD_HEADER = """#+ summary: A test query
#+ question: 1
#+ tags: [test]
#+ params:
#+   - name: drug
#+     type: entity
#+     default: cyclosporine
#+     description: The drug.
PREFIX kg: <https://w3id.org/dmkg/>
SELECT ?drug WHERE { VALUES (?drug) { (kg:cyclosporine) } ?drug a kg:Drug }
"""


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------

def test_good_header_loads(tmp_path):
    saved = load_query(write(tmp_path, GOOD_HEADER))
    assert saved.summary == "A test query" and saved.questions == (1,) and saved.tags == ("test",)
    assert [(p.name, p.type, p.default) for p in saved.params] == [("drug", "entity", "cyclosporine")]


@pytest.mark.parametrize("change, message", [
    (("#+ tags: [test]", "#+ tags: [test]\n#+ author: someone"), "unknown header key 'author'"),
    (("#+ summary: A test query\n", ""), "lacks '#+ summary:'"),
    (("type: entity", "type: drug"), "has type 'drug'"),
    (("description: The drug.", "description: The drug.\n#+     unit: mg"), "unknown param key 'unit'"),
    (("#+ question: 1", "#+ question: one"), "question must be"),
    (("#+ tags: [test]", "#+ tags: []"), "tags must be"),
    (("SELECT ?drug WHERE { VALUES", "SELECT ?drug { VALUES"), "needs an explicit 'WHERE {'"),
    (("VALUES (?drug) { (kg:cyclosporine) } ", ""), "bind the parameters' defaults in the file"),
])
def test_malformed_header_fails(tmp_path, change, message):
    old, new = change
    assert old in GOOD_HEADER
    with pytest.raises(QueryError, match=re.escape(message)):
        load_query(write(tmp_path, GOOD_HEADER.replace(old, new, 1)))


def test_header_that_is_not_yaml_fails():
    with pytest.raises(QueryError, match="not valid YAML"):
        parse_header("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }")


def test_every_saved_query_loads_strictly():
    paths = sorted(Project.discover().queries.glob("*.rq"))
    assert len(paths) >= 19
    for path in paths:
        saved = load_query(path, strict=True)
        assert saved.summary and saved.tags
        for param in saved.params:
            assert param.default is not None, f"{path.name}: every saved query should run with its defaults"
    assert set(saved_queries()) == {p.stem for p in paths}


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cyclosporine", "ciclosporin", "CsA", "DRUGBANK:DB00091", "kg:cyclosporine",
                                  "https://w3id.org/dmkg/cyclosporine"])
def test_entity_values_by_label_synonym_or_curie(graph, name):
    reference = run_query("cyclosporine_dose", {"drug": "cyclosporine"}, graph=graph)
    assert reference.rows  # two dose steps in source 000
    assert run_query("cyclosporine_dose", {"drug": name}, graph=graph).rows == reference.rows


def test_parameter_binding_is_a_values_block(graph):
    from kg.query import bind

    text = bind(find_query("cyclosporine_dose"), {"drug": "CsA"}, graph)
    assert "VALUES (?drug) { (<https://w3id.org/dmkg/cyclosporine>) }" in text


@pytest.mark.parametrize("store", ["graph", "memory_graph"])
def test_hostile_string_value_changes_nothing(request, store):
    g = request.getfixturevalue(store)
    size = len(g)
    result = run_query("autoantibodies", {"result": HOSTILE}, graph=g)
    assert result.rows == []
    assert len(g) == size
    assert len(run_query("autoantibodies", graph=g).rows) == 15  # the graph is still whole


def test_hostile_entity_value_is_an_unknown_name(graph):
    size = len(graph)
    with pytest.raises(UnknownNameError):
        run_query("cyclosporine_dose", {"drug": HOSTILE}, graph=graph)
    assert len(graph) == size


def test_bad_typed_values(graph):
    with pytest.raises(QueryError, match="not a valid integer"):
        run_query("repeated_failures", {"minPatients": "two"}, graph=graph)
    with pytest.raises(QueryError, match="unknown parameter 'patient'"):
        run_query("repeated_failures", {"patient": "x"}, graph=graph)


def test_missing_required_parameter_is_named(tmp_path, graph):
    text = GOOD_HEADER.replace("#+     default: cyclosporine\n", "")
    saved = load_query(write(tmp_path, text))
    assert saved.params[0].required
    with pytest.raises(QueryError, match="missing parameter 'drug'"):
        run_query(saved, graph=graph)


def test_unknown_query_name_suggests_close_match():
    with pytest.raises(UnknownNameError) as info:
        find_query("failed_regimen")
    assert "failed_regimens" in info.value.suggestions
    assert "did you mean 'failed_regimens'" in str(info.value)


@pytest.mark.parametrize("store", ["graph", "memory_graph"])
def test_syntax_error_is_one_line_with_position(request, store):
    bad = SavedQuery(name="bad", text="SELECT ?x WHERE {\n  ?x ?y\n}\n", summary="broken")
    with pytest.raises(QueryError) as info:
        run_query(bad, graph=request.getfixturevalue(store))
    message = str(info.value)
    assert "\n" not in message and message.startswith("bad: ")
    # rdflib says "line L, column C"; Oxigraph says "L:C"
    assert re.search(r"line \d+, column \d+|\b\d+:\d+\b", message), message


def test_ad_hoc_query_file_runs(tmp_path, graph):
    path = write(tmp_path, "PREFIX kg: <https://w3id.org/dmkg/>\nASK WHERE { kg:cyclosporine a kg:Drug }\n")
    assert run_query(str(path), graph=graph).boolean is True


# ---------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------

def test_json_is_w3c_sparql_results(graph):
    result = run_query("failed_regimens", graph=graph)
    data = json.loads(format_result(result, "json", labels=False))
    assert data["head"]["vars"] == result.variables
    bindings = data["results"]["bindings"]
    assert len(bindings) == 10
    for binding in bindings:
        assert set(binding) <= set(data["head"]["vars"])
        for cell in binding.values():
            assert cell["type"] in {"uri", "literal", "bnode"} and isinstance(cell["value"], str)
            assert set(cell) <= {"type", "value", "datatype", "xml:lang"}
    first = bindings[0]
    assert first["therapy"] == {"type": "uri", "value": "https://w3id.org/dmkg/hydroxychloroquine"}
    assert first["sequence"] == {"type": "literal", "value": "1",
                                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert first["durationText"] == {"type": "literal", "value": "3 months"}
    assert "administrations" not in first  # unbound cells are left out
    labelled = json.loads(format_result(result, "json"))   # by default a label beside every IRI
    assert labelled["head"]["vars"].index("therapyLabel") == labelled["head"]["vars"].index("therapy") + 1
    assert labelled["results"]["bindings"][0]["therapyLabel"] == {"type": "literal", "value": "hydroxychloroquine"}


def test_json_ask():
    from kg.query import QueryResult

    assert json.loads(format_result(QueryResult(variables=[], boolean=True), "json")) == {"head": {}, "boolean": True}


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_have_a_header_row(graph, fmt, delimiter):
    result = run_query("failed_regimens", graph=graph)
    rows = list(csv.reader(io.StringIO(format_result(result, fmt, labels=False)), delimiter=delimiter))
    assert rows[0] == result.variables
    assert len(rows) == 11
    assert rows[1][result.variables.index("therapy")] == "https://w3id.org/dmkg/hydroxychloroquine"


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_have_a_label_beside_every_iri_column(graph, fmt, delimiter):
    result = run_query("failed_regimens", graph=graph)
    header, *rows = list(csv.reader(io.StringIO(format_result(result, fmt)), delimiter=delimiter))
    iri_columns = [v for v in result.variables if any(isinstance(t, URIRef) for t in result.column(v))]
    assert iri_columns and all(f"{v}Label" in header for v in iri_columns)
    assert all(header.index(f"{v}Label") in (header.index(v) + 1, header.index(v) - 1) or f"{v}Label"
               in result.variables for v in iri_columns)
    first = dict(zip(header, rows[0]))
    assert (first["therapy"], first["therapyLabel"]) == ("https://w3id.org/dmkg/hydroxychloroquine",
                                                         "hydroxychloroquine")
    assert (first["citation"], first["citationLabel"]) == (
        "https://w3id.org/dmkg/pub_000",
        "Unidentified case report: coexisting CADM and psoriasis treated with cyclosporine (source 000)")


def test_table_shows_labels_and_curies_only_when_asked(graph):
    result = run_query("cni_type1_ifn", graph=graph)
    text = format_result(result, "table", width=400)
    assert "cyclosporine" in text and "kg:cyclosporine" not in text and "https://" not in text.split("Sources")[0]
    assert "spares" in text and "raises" in text and "via mechanism" in text
    assert "cyclosporine (kg:cyclosporine)" in format_result(result, "table", curies=True, width=400)


def test_unknown_format_is_a_user_error(graph):
    with pytest.raises(KGError, match="unknown format"):
        format_result(run_query("cni_type1_ifn", graph=graph), "xml")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def test_cli_lists_saved_queries():
    runner = CliRunner()
    result = runner.invoke(cli, ["queries", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    names = {q["name"] for q in listed}
    assert len(names) >= 19 and {"cni_type1_ifn", "failed_regimens", "autoantibodies"} <= names
    cq11 = next(q for q in listed if q["name"] == "failed_regimens")
    assert cq11["questions"] == [11] and cq11["params"][0]["name"] == "patient"
    table = runner.invoke(cli, ["queries"], env={"COLUMNS": "300"})
    assert table.exit_code == 0 and f"{len(names)} saved queries" in table.output


def test_cli_query_json_with_param():
    result = CliRunner().invoke(cli, ["query", "cyclosporine_dose", "--param", "drug=CsA", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    values = [b["doseValue"]["value"] for b in data["results"]["bindings"]]
    assert [float(v) for v in values] == [3.0, 5.0]


def test_cli_query_table_and_memory_store():
    result = CliRunner().invoke(cli, ["query", "autoantibodies", "-p", "result=not tested", "--store", "memory"],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "anti-MDA5 antibody" in result.output and "kg:anti_mda5" not in result.output
    with_curies = CliRunner().invoke(cli, ["query", "autoantibodies", "-p", "result=not tested", "--curies"],
                                     env={"COLUMNS": "300"})
    assert "anti-MDA5 antibody (kg:anti_mda5)" in with_curies.output


@pytest.mark.parametrize("args, fragment", [
    (["query", "failed_regimen"], "did you mean 'failed_regimens'"),
    (["query", "cyclosporine_dose", "--param", "drug=nosuchdrug"], "unknown value for drug"),
    (["query", "cyclosporine_dose", "--param", "dose"], "--param takes NAME=VALUE"),
    (["query", "repeated_failures", "--param", "minPatients=two"], "not a valid integer"),
])
def test_cli_errors_exit_non_zero_on_one_line(args, fragment):
    assert KG_SCRIPT.exists(), KG_SCRIPT
    proc = subprocess.run([str(KG_SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_cli_syntax_error_exits_non_zero_on_one_line(tmp_path):
    path = write(tmp_path, "SELECT ?x WHERE {\n  ?x ?y\n}\n", "broken.rq")
    proc = subprocess.run([str(KG_SCRIPT), "query", str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: broken:"), proc.stderr


def test_run_query_returns_terms(graph):
    result = run_query("cni_type1_ifn", graph=graph)
    assert result.column("drug")[0] == URIRef("https://w3id.org/dmkg/cyclosporine")
    assert [(str(r["drugLabel"]), str(r["status"])) for r in result.records()] == [
        ("cyclosporine", "spares"), ("pimecrolimus", "raises"), ("pimecrolimus", "raises"), ("tacrolimus", "raises"),
        ("tacrolimus", "raises")]
    assert len(run_query("failed_regimens", graph=graph, limit=3).rows) == 3
    with pytest.raises(QueryError):
        run_query("failed_regimens", graph=graph, limit=-1)


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_cli_delimited_output_has_no_blank_rows(fmt, delimiter):
    result = CliRunner().invoke(cli, ["query", "failed_regimens", "--format", fmt])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output), delimiter=delimiter))
    assert len(rows) == 11 and all(rows), rows[-1]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/internal> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
])
def test_queries_that_would_fetch_a_url_are_refused(graph, tmp_path, text):
    path = write(tmp_path, text + "\n", "outbound.rq")
    with pytest.raises(QueryError, match="would make this machine fetch another URL"):
        run_query(str(path), graph=graph)


def test_a_label_saying_service_is_not_a_service_call(graph, tmp_path):
    path = write(tmp_path, 'SELECT ?s WHERE { ?s ?p "SERVICE <http://x/>" }  # SERVICE\n', "fine.rq")
    assert run_query(str(path), graph=graph).rows == []


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/", "not a url", "http://"])
def test_only_http_endpoints(endpoint):
    from kg.errors import ServerError

    with pytest.raises(ServerError, match="is not an http\\(s\\) URL"):
        run_query("autoantibodies", endpoint=endpoint)
