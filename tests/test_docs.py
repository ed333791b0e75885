"""kg docs: the reference page lists every class and property with its definition, and works offline."""

from __future__ import annotations

import html
import re

from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import OWL, RDF

from kg.cli import cli
from kg.namespaces import DEFINITION, KG


def test_docs_list_every_class_and_property_with_its_definition(built, memory_graph, tmp_path):
    out = tmp_path / "docs"
    result = CliRunner().invoke(cli, ["docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out / 'index.html'}\n"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    page = (out / "index.html").read_text(encoding="utf-8")
    terms = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for s in memory_graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(KG))}
    blocks = dict(re.findall(r'<h3 id="kg-([^"]+)">.*?<dd class="definition">(.*?)</dd>', page, re.S))
    missing = sorted(str(t) for t in terms if html.unescape(blocks.get(str(t)[len(str(KG)):], "")) !=
                     str(memory_graph.value(t, DEFINITION)))
    assert missing == []
    assert len(terms) > 200
    assert "<script" not in page and "<link" not in page      # nothing to fetch


def test_docs_show_the_sign_of_each_mechanism_property(memory_graph):
    from kg.docs import reference

    signs = {t["curie"]: t["sign"] for t in reference(memory_graph)["object_properties"]}
    assert signs["kg:leavesUnchanged"] == "0 (leaves its object unchanged)"
    assert signs["kg:activates"] == "+1 (raises its object)"
    assert signs["kg:firstLineTreatmentFor"] == "-1 (lowers its object)"
    assert signs["kg:binds"] == ""
