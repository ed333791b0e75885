"""Bad and hostile input, table-driven: every case ends in one line on stderr, a non-zero exit, no traceback,
and nothing changed on disk.

Each row of a table is one input a careless or a hostile user could give: a command-line argument, a
curated file in a scratch copy of the project, a graph to ``kg import``, an ``--out`` path, an ad hoc ``.rq``
file. The real ``kg`` command runs it: in this process through :func:`kg.cli.main` (the entry point, which
turns a :class:`~kg.errors.KGError` into ``error: ...``), or in a subprocess where what matters is the real
stderr (warnings that rdflib logs, Python's own warnings). Before and after, the test hashes the project's
``data/`` folder, the build ``dist/current`` points to and the graph store: a refused input changes none.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.project import Project

KG_EXE = str(Path(sys.executable).with_name("kg"))
ROOT = Project.discover().root

from test_curated_input import HEAD, PATIENT  # noqa: E402 (the same test records)

BOMB = "\n".join(['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                 + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]) + "\n"


# --- running kg and looking at what it left -----------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def kg_inprocess(args: list[str]) -> Outcome:
    """Run ``kg ARGS`` through its entry point in this process (stdout and stderr captured apart)."""
    import traceback

    from kg.cli import main

    saved = sys.argv
    with CliRunner().isolation() as (out, err, _):
        sys.argv = ["kg", *args]
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # a bug: keep its traceback where the assertions look
            sys.stderr.write(traceback.format_exc())
            code = -1
        finally:
            sys.argv = saved
        sys.stdout.flush()
        sys.stderr.flush()
        return Outcome(code, out.getvalue().decode(errors="replace"), err.getvalue().decode(errors="replace"))


def kg_subprocess(args: list[str], cwd: Path) -> Outcome:
    result = subprocess.run([KG_EXE, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
                            env={**os.environ, "COLUMNS": "100", "PYTHONWARNINGS": "default"})
    return Outcome(result.returncode, result.stdout, result.stderr)


def disk_state(*roots: Path) -> dict[str, str | None]:
    """Every file, folder and link under ``roots`` (links followed once, for dist/current) with its hash."""
    state: dict[str, str | None] = {}
    for root in roots:
        if root.is_symlink():
            state[str(root)] = "-> " + os.readlink(root)
            root = root.resolve()
        if not root.exists():
            state.setdefault(str(root), None)
            continue
        for path in [root, *sorted(root.rglob("*"))]:
            if path.is_symlink():
                state[str(path)] = "-> " + os.readlink(path)
            elif path.is_file():
                state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[str(path)] = "folder"
    return state


def watched(project: Project, *extra: Path) -> tuple[Path, ...]:
    return (project.data, project.dist / "current", project.store, *extra)


def assert_refused(outcome: Outcome, code: int, expect: str) -> None:
    """Exit ``code``; stderr one ``error:`` line (or click's usage block for code 2) holding ``expect``."""
    assert "Traceback" not in outcome.stderr + outcome.stdout, outcome.stderr
    assert outcome.code == code, outcome
    lines = outcome.stderr.splitlines()
    if code == 2:   # click's usage error: "Usage: ...", "Try ...", "", "Error: ..." (or the last line alone)
        assert lines[-1].startswith("Error: "), outcome.stderr
        if len(lines) > 1:
            assert len(lines) == 4 and lines[2] == "", outcome.stderr
            assert lines[0].startswith("Usage: kg ") and lines[1].startswith("Try 'kg "), outcome.stderr
    else:
        assert len(lines) == 1 and outcome.stderr.endswith("\n"), outcome.stderr
        assert lines[0].startswith("error: "), outcome.stderr
    assert expect in lines[-1], f"{expect!r} not in {lines[-1]!r}"


# --- the cases ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One bad input: ``kg ARGS`` ends with exit ``code`` and a message holding ``expect``.

    ``{tmp}`` in ``args`` and ``expect`` is a scratch folder; ``files`` are written into it first.
    ``edit`` changes the scratch copy of the project (data cases) before ``kg ARGS`` runs there.
    """

    id: str
    args: tuple[str, ...]
    expect: str
    code: int = 1
    files: dict[str, bytes] = field(default_factory=dict)
    edit: Callable[[Path], None] | None = None
    subprocess: bool = False
    bug: str | None = None   # a known bug this input still hits (the case is a strict xfail)

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
        return pytest.param(self, id=self.id, marks=marks)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CLOSED = _closed_port()

ARGUMENTS = [
    Case("entity-typo-suggests", ("explain", "cyclosporine", "calcineurn"),
         "unknown entity 'calcineurn'; did you mean 'calcineurin'"),
    Case("drug-typo-suggests", ("explain", "ciclosporn", "calcineurin"),
         "unknown drug 'ciclosporn'; did you mean 'ciclosporin', 'cyclosporin', 'cyclosporine'?"),
    Case("drug-unknown", ("explain", "nosuchdrug", "calcineurin"), "unknown drug 'nosuchdrug'"),
    Case("drug-iri-with-angle", ("explain", "<http://a>b>", "calcineurin"), "unknown drug '<http://a>b>'"),
    Case("query-unknown", ("query", "nosuchquery"), "unknown query 'nosuchquery'"),
    Case("query-typo-suggests", ("query", "cni_type1_ifm"), "unknown query 'cni_type1_ifm'; did you mean 'cni_type1_ifn'?"),
    Case("query-question-number", ("query", "99"), "unknown question '99' (the saved queries answer questions 1,"),
    Case("param-without-equals", ("query", "cni_type1_ifn", "-p", "cytokine"),
         "--param takes NAME=VALUE, got 'cytokine'"),
    Case("param-without-name", ("query", "cni_type1_ifn", "-p", "=x"), "--param takes NAME=VALUE, got '=x'"),
    Case("param-unknown-name", ("query", "cni_type1_ifn", "-p", "nosuch=1"),
         "cni_type1_ifn: unknown parameter 'nosuch' (parameters: cytokine)"),
    Case("param-unknown-entity", ("query", "cni_type1_ifn", "-p", "cytokine=zzzzz"),
         "unknown value for cytokine 'zzzzz'"),
    Case("param-not-an-integer", ("query", "repeated_failures", "-p", "minPatients=abc"),
         "parameter 'minPatients': 'abc' is not a valid integer"),
    Case("param-entity-with-angle", ("query", "cyclosporine_dose", "-p", "drug=<http://a>b>"),
         "value for drug '<http://a>b>' is not a valid IRI", subprocess=True),
    Case("param-entity-with-space", ("query", "cyclosporine_dose", "-p", "drug=<http://a b>"),
         "value for drug '<http://a b>' is not a valid IRI"),
    Case("param-curie-with-angle", ("query", "cyclosporine_dose", "-p", "drug=kg:a>b"),
         "unknown value for drug 'kg:a>b'"),
    Case("param-curie-with-paren", ("query", "cyclosporine_dose", "-p", "drug=kg:a)b"),
         "unknown value for drug 'kg:a)b'", subprocess=True),
    Case("query-format", ("query", "cni_type1_ifn", "--format", "xml"),
         "Invalid value for '--format': 'xml' is not one of", code=2),
    Case("query-limit-negative", ("query", "cni_type1_ifn", "--limit", "-1"),
         "Invalid value for '--limit': -1 is not in the range x>=0", code=2),
    Case("cases-format", ("cases", "--format", "yaml"), "Invalid value for '--format': 'yaml'", code=2),
    Case("graphs-format", ("graphs", "--format", "xml"), "Invalid value for '--format': 'xml'", code=2),
    Case("export-format", ("export", "--format", "foo", "--out", "{tmp}/x"),
         "Invalid value for '--format': 'foo'", code=2),
    Case("viz-png-without-case", ("viz", "--format", "png", "--out", "{tmp}/x.png"),
         "--format png draws a patient's timeline: give --case ID"),
    Case("command-typo", ("qurey",), "no command 'qurey'; did you mean 'query'?", code=2),
    Case("missing-argument", ("explain", "cyclosporine"), "Missing argument 'TARGET'", code=2),
    Case("serve-port-zero", ("serve", "--port", "0"), "Invalid value for '--port': 0 is not in the range", code=2),
    Case("serve-public-host", ("serve", "--host", "0.0.0.0", "--port", str(CLOSED)),
         "refusing to listen on 0.0.0.0: it is not a loopback address", subprocess=True),
    Case("cite-unknown", ("cite", "nosuchpub"), "unknown publication 'nosuchpub'"),
    Case("push-password-without-user", ("push", "--endpoint", f"http://127.0.0.1:{CLOSED}", "--password", "x"),
         "--password needs --user"),
]

ENDPOINTS = [
    Case(f"{cmd}-endpoint-{label}", (*args, "--endpoint", url), expect)
    for label, url in [("file-passwd", "file:///etc/passwd"), ("file-dev-zero", "file:///dev/zero"),
                       ("ftp", "ftp://example.org/sparql"), ("not-a-url", "not-a-url"), ("no-host", "http://"),
                       ("javascript", "javascript:alert(1)")]
    for cmd, args, expect in [
        ("query", ("query", "cni_type1_ifn"), f"{url!r} is not an http(s) URL of a SPARQL endpoint"),
        ("push", ("push",), f"{url!r} is not an http(s) URL; give the store's URL")]
] + [
    Case("query-endpoint-html", ("query", "cni_type1_ifn", "--endpoint", "{ep}/html"),
         "{ep}/html did not answer with SPARQL JSON results: not JSON ('<html>not SPARQL</html>')"),
    Case("query-endpoint-empty-object", ("query", "cni_type1_ifn", "--endpoint", "{ep}/empty"),
         "{ep}/empty did not answer with SPARQL JSON results"),
    Case("query-endpoint-binding-without-value", ("query", "cni_type1_ifn", "--endpoint", "{ep}/novalue"),
         "{ep}/novalue did not answer with SPARQL JSON results"),
    Case("query-endpoint-results-a-list", ("query", "cni_type1_ifn", "--endpoint", "{ep}/list"),
         "{ep}/list did not answer with SPARQL JSON results"),
    Case("query-endpoint-closed-port", ("query", "cni_type1_ifn", "--endpoint", f"http://127.0.0.1:{CLOSED}/sparql"),
         f"cannot reach SPARQL endpoint http://127.0.0.1:{CLOSED}/sparql"),
]

QUERY_FILES = [
    Case("rq-invalid-utf8", ("query", "{tmp}/bad.rq"), "bad.rq:1: not valid UTF-8 at byte 27 (0xe9)",
         files={"bad.rq": b'SELECT * WHERE { ?s ?p "caf\xe9" }'}),
    Case("rq-utf16", ("query", "{tmp}/wide.rq"), "wide.rq:1: not valid UTF-8 at byte 0 (0xff) (it looks like UTF-16",
         files={"wide.rq": "SELECT * WHERE { ?s ?p ?o }".encode("utf-16")}),
    Case("rq-syntax-error", ("query", "{tmp}/syntax.rq"), "syntax: error at 1:24: expected one of",
         files={"syntax.rq": b"SELECT * WHERE { ?s ?p "}),
    Case("rq-empty", ("query", "{tmp}/empty.rq"), "empty: error at 1:1", files={"empty.rq": b""}),
    Case("rq-missing", ("query", "{tmp}/missing.rq"), "no query file"),
    Case("rq-service-http", ("query", "{tmp}/service.rq"),
         "service uses SERVICE, which would make this machine fetch another URL; refused by default",
         files={"service.rq": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{CLOSED}/x> {{ ?s ?p ?o }} }}".encode()}),
    Case("rq-service-file", ("query", "{tmp}/local.rq"), "local uses SERVICE",
         files={"local.rq": b"SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"}),
    Case("rq-service-lowercase-silent", ("query", "{tmp}/quiet.rq"), "quiet uses SERVICE",
         files={"quiet.rq": b"select * where { service silent <http://example.org/s> { ?s ?p ?o } }"}),
    Case("rq-load", ("query", "{tmp}/load.rq"), "load uses LOAD",
         files={"load.rq": f"LOAD <http://127.0.0.1:{CLOSED}/x.ttl>".encode()}),
    Case("rq-service-allowed-closed-port", ("query", "{tmp}/service.rq", "--allow-service"),
         f"http://127.0.0.1:{CLOSED}/x",
         files={"service.rq": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{CLOSED}/x> {{ ?s ?p ?o }} }}".encode()}),
    Case("rq-service-allowed-file", ("query", "{tmp}/local.rq", "--allow-service"), "file:///etc/passwd",
         files={"local.rq": b"SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"}),
    Case("rq-update-on-embedded-store", ("query", "{tmp}/drop.rq"),
         "drop is a SPARQL Update and the embedded graph is read-only",
         files={"drop.rq": b"DROP ALL"}),
]

OUTPUTS = [
    Case("export-unwritable", ("export", "--out", "/proc/kg-test.ttl"), "cannot write /proc/kg-test.ttl"),
    Case("export-under-a-file", ("export", "--out", "{tmp}/file.txt/kg.ttl"),
         "cannot write {tmp}/file.txt/kg.ttl: a part of the path is a file, not a folder", files={"file.txt": b"x"}),
    Case("export-kgx-under-a-file", ("export", "--format", "kgx", "--out", "{tmp}/file.txt/kgx"),
         "cannot write {tmp}/file.txt/kgx: a part of the path is a file, not a folder", files={"file.txt": b"x"}),
    Case("export-csv-onto-a-file", ("export", "--format", "csv", "--out", "{tmp}/file.txt"),
         "{tmp}/file.txt: a part of the path is a file, not a folder", files={"file.txt": b"x"}),
    Case("export-to-a-folder", ("export", "--out", "{tmp}/folder"), "cannot write {tmp}/folder: it is a folder",
         files={"folder/keep": b"x"}),
    Case("viz-under-a-file", ("viz", "--out", "{tmp}/file.txt/v.html"),
         "cannot write {tmp}/file.txt/v.html: a part of the path is a file, not a folder", files={"file.txt": b"x"}),
]

_GZ_TRUNCATED = gzip.compress(b"<http://e/a> <http://e/b> <http://e/c> .\n" * 2000)[:300]
IMPORTS = [
    Case("import-ntriples-bad-line", ("import", "{tmp}/bad.nt"), "bad.nt:2: not valid N-Triples",
         files={"bad.nt": b'<http://a> <http://b> <http://c> .\n<http://a> <http://b> "unterminated .\n'}),
    Case("import-turtle-bad-line", ("import", "{tmp}/bad.ttl"), "bad.ttl:3: not valid Turtle",
         files={"bad.ttl": b"@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b ;; .\n"}),
    Case("import-turtle-binary", ("import", "{tmp}/bin.ttl"), "bin.ttl:1: not valid Turtle",
         files={"bin.ttl": b"\x89PNG\r\n\x1a\n\x00\x00"}),
    Case("import-gzip-truncated", ("import", "{tmp}/cut.nt.gz"),
         "cut.nt.gz: the compressed stream ends before its end marker", files={"cut.nt.gz": _GZ_TRUNCATED}),
    Case("import-gzip-not-gzip", ("import", "{tmp}/fake.ttl.gz"), "fake.ttl.gz:1: not valid Turtle",
         files={"fake.ttl.gz": b"not gz"}),
    Case("import-rdfxml-unclosed", ("import", "{tmp}/bad.rdf"), "bad.rdf: not valid RDF/XML",
         files={"bad.rdf": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'}),
    Case("import-jsonld-truncated", ("import", "{tmp}/bad.jsonld"), "bad.jsonld:1: not valid JSON-LD",
         files={"bad.jsonld": b'{"@id": '}),
    Case("import-empty-turtle", ("import", "{tmp}/empty.ttl"), "empty.ttl: holds no triples", files={"empty.ttl": b""}),
    Case("import-empty-ntriples", ("import", "{tmp}/empty.nt"), "empty.nt: holds no triples",
         files={"empty.nt": b"# only a comment\n"}),
    Case("import-kgx-field-count", ("import", "{tmp}/g_nodes.tsv"), "g_nodes.tsv:2: 2 tab-separated fields but the header has 3",
         files={"g_nodes.tsv": b"id\tcategory\tname\nX:1\tbiolink:Gene\n",
                "g_edges.tsv": b"id\tsubject\tpredicate\tobject\nE1\tX:1\tbiolink:related_to\tX:1\n"}),
    Case("import-kgx-edges-field-count", ("import", "{tmp}/h_edges.tsv"), "h_edges.tsv:2: 3 tab-separated fields",
         files={"h_nodes.tsv": b"id\tcategory\tname\nX:1\tbiolink:Gene\tx\n",
                "h_edges.tsv": b"id\tsubject\tpredicate\tobject\nE1\tX:1\tbiolink:related_to\n"}),
    Case("import-unknown-format", ("import", "{tmp}/x.ttl", "--format", "foo"), "unknown import format 'foo'; choose one of",
         files={"x.ttl": b"<http://a> <http://b> <http://c> ."}),
    Case("import-unknown-extension", ("import", "{tmp}/x.xyz"), "cannot tell the format of",
         files={"x.xyz": b"<http://a> <http://b> <http://c> ."}),
    Case("import-wrong-format-hint", ("import", "{tmp}/x.ttl", "--format", "rdfxml"),
         "x.ttl: not valid RDF/XML: Unknown prefix http: (the file's name says Turtle: is --format right?)",
         files={"x.ttl": b"<http://a> <http://b> <http://c> ."}),
    Case("import-bad-name", ("import", "{tmp}/x.ttl", "--name", "a/b"), "--name 'a/b': an import name is letters",
         files={"x.ttl": b"<http://a> <http://b> <http://c> ."}),
    Case("import-reserved-name", ("import", "{tmp}/x.ttl", "--name", "curated"), "--name 'curated' is reserved",
         files={"x.ttl": b"<http://a> <http://b> <http://c> ."}),
    Case("import-bad-prefix", ("import", "{tmp}/x.ttl", "--prefix", "foo"), "--prefix takes PREFIX=IRI-STEM",
         files={"x.ttl": b"<http://a> <http://b> <http://c> ."}),
    Case("import-missing-file", ("import", "{tmp}/nothing.ttl"), "does not exist", code=2),
    Case("import-remove-unknown", ("import", "--remove", "nosuch"), "unknown import 'nosuch'"),
]


# --- data cases: a scratch copy of the project -----------------------------------------------------------

def write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    return edit


def append(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with open(root / rel, "ab") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
    return edit


def mkdir(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).mkdir(parents=True)


def _lines(rel: str) -> int:
    return (ROOT / rel).read_text(encoding="utf-8").count("\n")


def _line_of(entity: str) -> int:
    lines = (ROOT / "data" / "entities" / "therapies.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == f"- id: {entity}")


SRC = "data/sources/900_test.yaml"
XREF = "data/identifiers.tsv"
XREF_NEXT = _lines(XREF) + 1
QUERY = ("query", "cni_type1_ifn")

DATA = [
    Case("source-invalid-utf8", QUERY, "900_test.yaml:6: not valid UTF-8 at byte 99 (0xe9)",
         edit=write(SRC, HEAD.encode() + b"facts:\n  - {s: caf\xe9}\n")),
    Case("source-utf16", QUERY, "900_test.yaml:1: not valid UTF-8 at byte 0 (0xff) (it looks like UTF-16",
         edit=write(SRC, HEAD.encode("utf-16"))),
    Case("source-binary", QUERY, "900_test.yaml: is a binary file, not a YAML file",
         edit=write(SRC, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")),
    Case("source-folder", QUERY, "900_test.yaml: is a folder, not a YAML file", edit=mkdir(SRC)),
    Case("source-alias-bomb", QUERY, "900_test.yaml:2: YAML aliases (*name) are not allowed", edit=write(SRC, BOMB)),
    Case("source-empty", QUERY, "900_test.yaml:1: the file is empty", edit=write(SRC, "")),
    Case("source-yaml-syntax", QUERY, "900_test.yaml:7: YAML syntax: while parsing a flow node", edit=write(SRC, HEAD + "facts:\n  - {s: x, p: [\n")),
    Case("source-refs-not-a-number", QUERY, "900_test.yaml:6: 'refs' item should be a whole number, got 'nine'",
         edit=write(SRC, HEAD + "facts:\n  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x, refs: [8, nine]}\n")),
    Case("source-dose-nan", QUERY, "900_test.yaml:13: 'value' should be a finite number, got nan",
         edit=write(SRC, PATIENT.format(age=50, dose=".nan"))),
    Case("source-dose-inf", QUERY, "900_test.yaml:13: 'value' should be a finite number, got inf",
         edit=write(SRC, PATIENT.format(age=50, dose=".inf"))),
    Case("source-negative-age", QUERY, "900_test.yaml:6: 'age' must be at least 0, got -3",
         edit=write(SRC, PATIENT.format(age=-3, dose=15))),
    Case("source-unknown-entity", QUERY, "900_test.yaml:6: unknown entity 'cyclosporinee'; did you mean 'cyclosporine'",
         edit=write(SRC, HEAD + "facts:\n  - {s: cyclosporinee, p: inhibits, o: calcineurin, at: x}\n")),
    Case("source-publication-id-is-an-entity", QUERY,
         f"900_test.yaml:2: publication id 'cyclosporine' already defined at therapies.yaml:{_line_of('cyclosporine')}",
         edit=write(SRC, HEAD.replace("pub_900", "cyclosporine") + "facts:\n"
                    "  - {s: cyclosporine, p: inhibits, o: calcineurin, at: x}\n")),
    Case("entity-file-empty", QUERY, "zz_empty.yaml:1: the entity file is empty",
         edit=write("data/entities/zz_empty.yaml", "# nothing yet\n")),
    Case("entity-file-invalid-utf8", QUERY, "zz_bad.yaml:2: not valid UTF-8",
         edit=write("data/entities/zz_bad.yaml", b"- id: zz_thing\n  label: caf\xe9\n  type: Drug\n")),
    Case("identifier-local-part-space", QUERY,
         f"identifiers.tsv:{XREF_NEXT}: the local part of 'CHEBI:4031 x' contains ' '",
         edit=append(XREF, "cyclosporine\tCHEBI:4031 x\tcyclosporin\ttest\n")),
    Case("identifier-local-part-angle", QUERY,
         f"identifiers.tsv:{XREF_NEXT}: the local part of 'CHEBI:4031>' contains '>'",
         edit=append(XREF, "cyclosporine\tCHEBI:4031>\tcyclosporin\ttest\n")),
    Case("identifier-mondo-abc", QUERY, f"identifiers.tsv:{XREF_NEXT}: 'MONDO:abc' does not match the MONDO pattern",
         edit=append(XREF, "cyclosporine\tMONDO:abc\tcyclosporin\ttest\n")),
    Case("identifier-file-invalid-utf8", QUERY, f"identifiers.tsv:{XREF_NEXT}: not valid UTF-8",
         edit=append(XREF, b"cyclosporine\tCHEBI:4031\tcaf\xe9\ttest\n")),
    Case("ontology-turtle-syntax", QUERY, f"kg.ttl:{_lines('ontology/kg.ttl') + 2}: Turtle syntax:",
         edit=append("ontology/kg.ttl", "\n<a> <b> ;; .\n")),
    Case("saved-query-invalid-utf8", ("queries",), "zz.rq:1: not valid UTF-8 at byte 5 (0xe9)",
         edit=write("queries/zz.rq", b"# caf\xe9\nSELECT * WHERE { ?s ?p ?o }\n")),
    Case("import-yaml-alias-bomb-dry-run", ("import", "{tmp}/900_bomb.yaml", "--dry-run"),
         "900_bomb.yaml:2: YAML aliases (*name) are not allowed", files={"900_bomb.yaml": BOMB.encode()}),
    Case("import-yaml-invalid-utf8", ("import", "{tmp}/900_bad.yaml"), "900_bad.yaml:6: not valid UTF-8 at byte 99",
         files={"900_bad.yaml": HEAD.encode() + b"facts:\n  - {s: caf\xe9}\n"}),
    Case("import-yaml-negative-age", ("import", "{tmp}/900_age.yaml"), "900_age.yaml:6: 'age' must be at least 0",
         files={"900_age.yaml": PATIENT.format(age=-1, dose=15).encode()}),
]


# --- the tests ---------------------------------------------------------------------------------------------

#: What the fake endpoint answers on each path: not SPARQL JSON results, each in its own way.
ANSWERS = {
    "/html": b"<html>not SPARQL</html>",
    "/empty": b"{}",
    "/novalue": b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal"}}]}}',
    "/list": b'{"head": {"vars": ["x"]}, "results": []}',
}


class _Endpoint(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = ANSWERS.get(self.path.split("?")[0], b"{}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def endpoint():
    """A real HTTP server on 127.0.0.1 answering 200 with a body that is not SPARQL JSON results."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _fill(text: str, tmp: Path, ep: str = "") -> str:
    return text.replace("{tmp}", str(tmp)).replace("{ep}", ep)


def _prepare(case: Case, tmp: Path) -> None:
    for rel, data in case.files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)


def _run(case: Case, tmp: Path, cwd: Path, ep: str = "") -> Outcome:
    args = [_fill(a, tmp, ep) for a in case.args]
    return kg_subprocess(args, cwd) if case.subprocess else kg_inprocess(args)


@pytest.fixture(scope="module")
def shared(built, tmp_path_factory) -> Project:
    """The project with its current build, and a store of its own already holding that build."""
    project = Project.discover()
    warm = kg_inprocess(["query", "cni_type1_ifn", "--format", "csv"])
    assert warm.code == 0 and warm.stdout.startswith("drug,drugLabel,"), warm
    return project


@pytest.mark.parametrize("case", [c.param() for c in ARGUMENTS + ENDPOINTS + QUERY_FILES + OUTPUTS + IMPORTS])
def test_refused_on_the_project(case: Case, shared: Project, endpoint: str, tmp_path: Path):
    _prepare(case, tmp_path)
    before = disk_state(*watched(shared), tmp_path)
    outcome = _run(case, tmp_path, cwd=shared.root, ep=endpoint)
    assert_refused(outcome, case.code, _fill(case.expect, tmp_path, endpoint))
    assert outcome.stdout == ""
    assert "root:" not in outcome.stderr  # nothing of /etc/passwd is ever shown
    assert disk_state(*watched(shared), tmp_path) == before


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.mark.parametrize("case", [c.param() for c in DATA])
def test_refused_in_a_scratch_project(case: Case, pristine: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(pristine, root, symlinks=True)
    if case.edit is not None:
        case.edit(root)
    monkeypatch.setenv("KG_HOME", str(root))
    monkeypatch.setenv("KG_DIST", str(root / "dist"))
    monkeypatch.setenv("KG_STORE", str(root / "store"))
    project = Project.discover()
    assert project.root == root
    _prepare(case, tmp_path)
    before = disk_state(*watched(project), project.queries, project.ontology)
    outcome = _run(case, tmp_path, cwd=root)
    assert_refused(outcome, case.code, _fill(case.expect, tmp_path))
    assert disk_state(*watched(project), project.queries, project.ontology) == before


def test_the_tables_hold_sixty_cases_with_distinct_names():
    cases = ARGUMENTS + ENDPOINTS + QUERY_FILES + OUTPUTS + IMPORTS + DATA
    assert len({c.id for c in cases}) == len(cases)
    assert len(cases) >= 60
