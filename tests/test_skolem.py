"""Skolem IRIs for blank nodes: stable under relabelling, distinct for distinct nodes, local to each group."""

from __future__ import annotations

from kg.push import nt_lines
from kg.skolem import GENID, has_blank, skolem_labels, skolemise

P = b"<https://w3id.org/dmkg/test/p>"


def skolemised(lines: list[bytes]) -> set[bytes]:
    labels = skolem_labels(lines)
    return {skolemise(line, labels) for line in lines}


def test_the_build_gets_the_same_iris_whatever_its_blank_node_labels(built):
    from rdflib import Graph

    lines = list(nt_lines([built.ntriples.read_bytes()]))
    reparsed = Graph().parse(built.ntriples, format="nt")  # rdflib gives every blank node a new label
    relabelled = [line for line in reparsed.serialize(format="nt", encoding="utf-8").splitlines() if line.strip()]
    assert {line for line in lines if b"_:" in line} != {line for line in relabelled if b"_:" in line}
    first, second = skolemised(lines), skolemised(relabelled)
    assert first == second
    assert len(first) == len(lines)
    assert sum(b"_:" in line for line in first) == 0
    bnodes = {t for line in lines for t in line.split() if t.startswith(b"_:")}
    assert len({t for line in first for t in line.split() if t.startswith(b"<" + GENID.encode())}) == len(bnodes)


def test_identical_blank_nodes_stay_distinct():
    lines = [b"<https://w3id.org/dmkg/test/a> " + P + b" _:x .", b"_:x " + P + b' "same" .',
             b"<https://w3id.org/dmkg/test/a> " + P + b" _:y .", b"_:y " + P + b' "same" .']
    out = skolemised(lines)
    assert len(out) == 4
    iris = {line.split()[0] for line in out if line.endswith(b'"same" .')}
    assert len(iris) == 2 and sorted(iri.endswith(b"-1>") for iri in iris) == [False, True]


def test_a_change_in_one_group_leaves_the_others_iris_alone():
    axiom = [b"_:a " + P + b" <https://w3id.org/dmkg/test/x> .", b"_:a " + P + b' "cited" .']
    chain = [b"<https://w3id.org/dmkg/test/s> " + P + b" _:l1 .", b"_:l1 " + P + b" _:l2 .", b"_:l2 " + P + b' "end" .']
    before = skolem_labels(axiom + chain)
    after = skolem_labels(axiom + chain[:2] + [b"_:l2 " + P + b' "changed" .'])
    assert before[b"_:a"] == after[b"_:a"]
    assert before[b"_:l1"] != after[b"_:l1"] and before[b"_:l2"] != after[b"_:l2"]


def test_blank_node_text_inside_literals_and_iris_is_left_alone():
    line = b'<https://w3id.org/dmkg/test/s> ' + P + b' "see _:x here" .'
    assert not has_blank(line)
    assert skolem_labels([line]) == {}
    assert skolemise(line, {b"_:x": b"<https://w3id.org/dmkg/other>"}) == line
