"""Property tests (Hypothesis) over arbitrary Unicode: what goes out comes back.

* :func:`kg.export.export` in every RDF format, re-read with rdflib, gives a graph isomorphic to the one
  written (small random graphs of literals in any script, language-tagged and typed, and blank nodes; not
  ``xsd:string``-typed ones, which RDF 1.1 makes equal to plain literals but rdflib keeps apart);
* :class:`kg.lookup.NameIndex` finds an entity under any label that has a letter, digit or sign in it;
* :func:`kg.query.binding.bind` puts any text into a query as one literal that parses back unchanged;
* :func:`kg.query.results.to_delimited` writes CSV and TSV that Python's :mod:`csv` reads back cell for cell.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from kg.export import RDF_FORMATS, export
from kg.lookup import NameIndex, normalise, resolve
from kg.namespaces import KG
from kg.query.results import QueryResult, to_delimited

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Text as it may reach a curated file or an import: any code point but surrogates (not encodable in UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
#: Text XML 1.0 can carry (RDF/XML): no C0 controls but tab, newline, carriage return; no U+FFFE, U+FFFF.
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    *map(chr, range(0x20)), "\ufffe", "\uffff"]) | st.sampled_from("\t\n\r"), max_size=30)

SUBJECTS = [KG[f"thing_{i}"] for i in range(4)]
PREDICATES = [RDFS.label, RDFS.comment, KG.note, KG.dose]
LANGS = st.sampled_from(["en", "de", "fr-CH", "zh-Hant", "x-test"])


def literals(text):
    return st.one_of(
        text.map(Literal),
        st.builds(lambda t, lang: Literal(t, lang=lang), text, LANGS),
        st.integers(-10**20, 10**20).map(Literal),
        st.builds(lambda t: Literal(t, datatype=XSD.token), text.map(lambda t: " ".join(t.split()))),
    )


def graphs(text):
    # rdflib's JSON-LD writer drops blank nodes that only blank nodes in a cycle reach (b1 -> b1), so there
    # is no such cycle: b0 is only a subject, b1 is never its own object.
    triple = st.tuples(st.sampled_from([*SUBJECTS, BNode("b0"), BNode("b1")]), st.sampled_from(PREDICATES),
                       literals(text) | st.just(BNode("b1"))).filter(lambda t: t[0] != t[2])

    def build(triples):
        g = Graph()
        for t in triples:
            g.add(t)
        return g
    return st.lists(triple, min_size=1, max_size=12).map(build)


def reread(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format=RDF_FORMATS[fmt][0])


def _same(a: Graph, b: Graph) -> bool:
    return len(a) == len(b) and isomorphic(a, b)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_export_then_import_loses_no_triple(fmt):
    text = XML_TEXT if fmt == "xml" else TEXT

    @SETTINGS
    @given(graphs(text))
    def check(g):
        out = Path(tempfile.mkdtemp()) / f"g.{fmt}"
        [written] = export(g, fmt, out)
        back = reread(written.read_bytes(), fmt)
        assert _same(back, g), (sorted(to_isomorphic(g)), sorted(to_isomorphic(back)))

    check()


def _index(label: str) -> tuple[Graph, URIRef]:
    g = Graph()
    target, decoy = KG.thing_target, KG.cyclosporine
    g.add((KG.Drug, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    for s, name in ((target, label), (decoy, "cyclosporine")):
        g.add((s, RDF.type, KG.Drug))
        g.add((s, RDFS.label, Literal(name)))
    return g, target


@SETTINGS
@given(TEXT)
def test_an_entity_is_found_under_any_label(label):
    assume(normalise(label) and normalise(label) != normalise("cyclosporine"))
    g, target = _index(label)
    index = NameIndex.of(g)
    assert index.resolve(label) == target
    assert index.resolve(f"  {label}\t") == target   # surrounding space is not part of a name
    assert index.label(target) == label
    if not label.strip().startswith(("http://", "https://", "<")):
        assert resolve(g, label) == target


ECHO = """#+ summary: Echo one string parameter
#+ question: 1
#+ tags: [test]
#+ params:
#+   - name: text
#+     type: string
#+     default: x
#+     description: any text
SELECT ?text WHERE {
  VALUES (?text) { ("x") }
}
"""


@pytest.fixture(scope="module")
def echo(tmp_path_factory):
    from kg.query.saved import load_query

    path = tmp_path_factory.mktemp("queries") / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    return load_query(path, strict=False)


def test_a_string_parameter_binds_any_text_as_one_literal(echo):
    import pyoxigraph

    from kg.query.binding import bind

    store = pyoxigraph.Store()

    @SETTINGS
    @given(TEXT)
    def check(value):
        rows = list(store.query(bind(echo, {"text": value}, None)))
        assert [row["text"].value for row in rows] == [value]

    check()


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4).flatmap(
    lambda header: st.tuples(st.just(header), st.lists(st.lists(TEXT, min_size=len(header), max_size=len(header)),
                                                       max_size=5))),
       st.sampled_from([",", "\t"]))
def test_csv_and_tsv_round_trip_any_cell(table, delimiter):
    header, rows = table
    variables = [f"v{i}" for i in range(len(header))]
    result = QueryResult(variables=variables, rows=[tuple(Literal(c) for c in row) for row in rows])
    text = to_delimited(result, delimiter)
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert back == [variables, *rows]
