"""``kg explain``, ``kg predict``, ``kg concordance``, ``kg bridges`` and ``kg similar``.

Each command resolves its names, calls one function of :mod:`kg.analysis` and
prints its result with the matching function of :mod:`kg.reports` (``--format
table``) or as JSON: the same text a notebook gets from those functions.
"""

from __future__ import annotations

import json
from typing import Any

import click

from kg.cli import format_option


def _load(selector: str = "all", targets: tuple[tuple[str, str], ...] = (), max_length: int | None = None,
          named: tuple[tuple[str, str], ...] = ()):
    """The built graph (RDF) and the mechanisms of its projection, with the signed edges of the chosen imports.

    With ``targets`` (the question's (name, kind) ends, as curated names) and ``max_length``, only
    the imported edges on paths of at most that length into them are read (see
    :func:`kg.external.add_imported`): the same answers, at a cost that follows the question's
    neighbourhood. ``named`` are the question's other names (the drug): if one of them, or a
    target, is not a curated name (an imported compound, say), every imported edge is read.
    """
    from kg.analysis import mechanisms
    from kg.external import add_imported
    from kg.network import project
    from kg.store import open_store

    snapshot = open_store()
    graph = snapshot.rdflib_graph("curated")
    G = project(graph)
    if any(i.kind == "import" for i in snapshot.infos()):
        ends = _curated_ends(G, targets, named) if targets and max_length else None
        add_imported(G, graph, snapshot, selector, targets=ends, max_length=max_length if ends else None)
    return graph, mechanisms(G)


def _curated_ends(G, targets: tuple[tuple[str, str], ...], named: tuple[tuple[str, str], ...]) -> set[str] | None:
    """The curated nodes that answer for each target (it, broader and narrower); None if a name is not curated."""
    from kg.analysis import mechanisms
    from kg.analysis.paths import endpoints
    from kg.errors import UnknownNameError

    M = mechanisms(G)
    ends: set[str] = set()
    try:
        for name, kind in named:
            M.node(name, kind)
        for name, kind in targets:
            ends |= set(endpoints(M.H, M.node(name, kind)))
    except UnknownNameError:
        return None
    return ends


#: ``--graph``: the graphs whose signed edges the analyses walk (as ``kg query --graph``).
graph_option = click.option(
    "--graph", "selector", default="all", show_default=True, metavar="NAME",
    help="Walk the curated graph and these imports' signed edges: all, curated, an import's name (see `kg graphs`), "
         "or several, comma-separated.")


def _node(graph, M, name: str, kind: str) -> str:
    """The network node ``name`` denotes; a known entity without cited relations gets its own message."""
    from kg.errors import UnknownNameError
    from kg.lookup import NameIndex
    from kg.network import curie

    try:
        return M.node(name, kind)
    except UnknownNameError as exc:
        try:
            iri = NameIndex.of(graph).resolve(name, kind)
        except UnknownNameError:
            raise exc from None
        raise UnknownNameError(kind, name, hint=f" ({curie(iri)} has no cited relations in the mechanism network; "
                                                f"try a drug, drug class, disease, cytokine or cell)") from None


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _echo(text: str) -> None:
    click.echo(text, nl=not text.endswith("\n"))


@click.command("explain")
@click.argument("drug")
@click.argument("target")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest chain of mechanism steps, in steps.")
@format_option(("table", "json"))
@graph_option
def explain_cmd(drug: str, target: str, max_length: int, fmt: str, selector: str) -> None:
    """What the graph knows about DRUG and TARGET (a cytokine, cell, process or condition).

    First the answer from each kind of evidence, in one vocabulary: what it says
    (lowers, raises, spares; improves, worsens) and how it is known (stated by a
    source, via the drug's class, via a chain of cited mechanism steps, reported
    in the literature or in the cases). Then the chains step by step, the clinical
    statements, the literature reports (best study design first) and the case
    courses, each with its paper.
    """
    from kg.analysis import explain
    from kg.clinical import clinical_evidence
    from kg.reports import explain_text

    graph, M = _load(selector, ((target, "entity"),), max_length, named=((drug, "drug"),))
    pred = explain(M, _node(graph, M, drug, "drug"), _node(graph, M, target, "entity"), max_length,
                   evidence=clinical_evidence(graph))
    if fmt == "json":
        _json(pred.to_dict())
    else:
        _echo(explain_text(pred))


@click.command("predict")
@click.argument("disease")
@click.option("--and", "also", metavar="DISEASE2", help="Rank candidates for both diseases at once.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Show this many drugs at each end of the ranking.")
@click.option("--classes", is_flag=True, help="Rank drug classes too (drugs only by default).")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest chain of mechanism steps, in steps.")
@format_option(("table", "json"))
@graph_option
def predict_cmd(disease: str, also: str | None, top: int, classes: bool, max_length: int,
                fmt: str, selector: str) -> None:
    """Drugs ranked for DISEASE (and DISEASE2): the most likely to help, and those with evidence against.

    Four kinds of evidence count, each between -1 and 1 (for against): mechanism
    paths, reported clinical statements, case courses and literature reports. A
    failed course counts against a drug but is not evidence of harm.
    """
    from kg.analysis import predict
    from kg.clinical import clinical_evidence
    from kg.reports import predict_text

    asked = ((disease, "condition"),) + (((also, "condition"),) if also else ())
    graph, M = _load(selector, asked, max_length)
    diseases = [_node(graph, M, disease, "condition")] + ([_node(graph, M, also, "condition")] if also else [])
    kinds = ("Drug", "DrugClass") if classes else ("Drug",)
    ranked = predict(M, diseases[0], diseases[1] if also else None, evidence=clinical_evidence(graph),
                     max_length=max_length, kinds=kinds)
    if fmt == "json":
        _json({"diseases": diseases, "candidates": [c.to_dict() for c in ranked]})
    else:
        _echo(predict_text(ranked, diseases, {d: M.label(d) for d in diseases}, top=top))


@click.command("concordance")
@click.option("--patient", metavar="ID", help="Only this patient's courses (e.g. 002-1 or kg:patient_002_1).")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest chain of mechanism steps, in steps.")
@format_option(("table", "json"))
@graph_option
def concordance_cmd(patient: str | None, max_length: int, fmt: str, selector: str) -> None:
    """Each treatment course's expected effect next to its observed outcome.

    Where courses of the same therapy end differently, what differs between
    them (dose, duration, co-medication, route, diagnosis ...) is listed, with
    doses compared against each other and the graph's usual dose.
    """
    from kg.analysis.concordance import concordance
    from kg.clinical import clinical_evidence
    from kg.reports import concordance_text

    graph, M = _load(selector)
    evidence = clinical_evidence(graph)
    result = concordance(M, evidence, patient=patient, max_length=max_length)
    if fmt == "json":
        _json(result.to_dict())
    else:
        _echo(concordance_text(result, evidence, M.H))


@click.command("bridges")
@click.argument("disease_a")
@click.argument("disease_b")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Show the first N bridges.")
@click.option("--max-length", type=click.IntRange(2, 8), default=6, show_default=True,
              help="Longest connecting path, in steps.")
@click.option("--with-clinical", is_flag=True, help="Also connect through reported clinical edges.")
@format_option(("table", "json"))
@graph_option
def bridges_cmd(disease_a: str, disease_b: str, top: int, max_length: int, with_clinical: bool, fmt: str,
                selector: str) -> None:
    """Entities that connect DISEASE_A and DISEASE_B, ranked by their share of the connecting paths.

    Paths run through the undirected mechanism layer (plus subtype and family
    links); each path weighs the product of its steps' evidence weights, damped at
    hubs. Therapies reported for both diseases follow.
    """
    from kg.analysis.bridges import bridges
    from kg.reports import bridges_text

    graph, M = _load(selector)
    layers = ("mechanism", "clinical") if with_clinical else ("mechanism",)
    report = bridges(M, _node(graph, M, disease_a, "condition"), _node(graph, M, disease_b, "condition"),
                     max_length=max_length,
                     top=top, layers=layers)
    if fmt == "json":
        _json(report.to_dict())
    else:
        _echo(bridges_text(report, M.H, layers))


@click.command("similar")
@click.argument("drug")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Show the first N drugs.")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest chain of mechanism steps, in steps.")
@click.option("--classes", is_flag=True, help="Rank drug classes as well as drugs.")
@format_option(("table", "json"))
@graph_option
def similar_cmd(drug: str, top: int, max_length: int, classes: bool, fmt: str, selector: str) -> None:
    """Drugs whose signed mechanism profile is closest to DRUG's (cosine similarity).

    A profile is every node the drug's mechanism chains reach, with what it does
    there (lowers, raises), what it is stated to leave unchanged and what it binds;
    claims about a drug's class count for the drug.
    """
    from kg.analysis import mechanism_profile
    from kg.analysis.similarity import similar
    from kg.reports import similar_text

    graph, M = _load(selector)
    node = _node(graph, M, drug, "drug")
    kinds = ("Drug", "DrugClass") if classes else ("Drug",)
    ranked = similar(M, node, top=top, max_length=max_length, kinds=kinds)
    labels = {n: d.get("label", n) for n, d in M.H.nodes(data=True)}
    if fmt == "json":
        _json({"drug": node, "similar": [s.to_dict(labels) for s in ranked]})
        return
    vias = {s.other: sorted({v for paths in mechanism_profile(M, s.other, max_length).paths.values()
                             for p in paths if p.counted for v in p.via}) for s in ranked}
    _echo(similar_text(node, ranked, labels, vias))
