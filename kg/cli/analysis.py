"""``kg explain``, ``kg predict``, ``kg concordance``, ``kg bridges`` and ``kg similar``.

Each command resolves the names it is given on the built graph
(:func:`kg.lookup.resolve`: labels, synonyms, CURIEs, any case), projects the
graph once (:func:`kg.network.project`) and calls the matching function of
:mod:`kg.analysis`; ``--format json`` prints that function's result as JSON,
``--format table`` as terminal tables with citations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from kg.cli import format_option
from kg.errors import KGError

SIGN_WORD = {1: "+1 raises", -1: "-1 lowers", 0: "0 unchanged", None: "unsigned"}


# --- shared plumbing ------------------------------------------------------------------

def _load():
    """The built graph (RDF) and its projection."""
    from kg.network import project
    from kg.store import load_graph

    graph = load_graph()
    return graph, project(graph)


def _node(graph, G, name: str, kind: str) -> str:
    """CURIE of the entity ``name`` (label, synonym or CURIE), which must be in the network."""
    from kg.lookup import resolve
    from kg.network import curie

    node = curie(resolve(graph, name, "drug" if kind == "drug" else "condition" if kind == "disease" else "entity",
                         what=kind))
    if node not in G:
        label = G.nodes[node]["label"] if node in G else name
        raise KGError(f"{label!r} ({node}) has no cited relations in the mechanism network; "
                      f"try a drug, drug class, disease, cytokine or cell")
    return node


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    from kg.render_text import table

    click.echo(table(headers, [[str(c) for c in row] for row in rows], title=title), nl=False)


def _cite(record: Mapping[str, Any]) -> str:
    from kg.evidence import citation_text

    return citation_text(record, with_type=True)


def _short(record: Mapping[str, Any]) -> str:
    """'doi:10.5021/..., Discussion' - identifier (or label) and locator."""
    head = record.get("identifier") or record.get("citation_label") or record.get("citation", "")
    return f"{head}, {record['locator']}" if record.get("locator") else str(head)


# --- kg explain -----------------------------------------------------------------------

@click.command("explain")
@click.argument("drug")
@click.argument("target")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest mechanism path, in steps.")
@format_option(("table", "json"))
def explain_cmd(drug: str, target: str, max_length: int, fmt: str) -> None:
    """Signed mechanism paths from DRUG to TARGET (cytokine, cell or disease), with citations.

    The sign of a path is the product of its steps' signs (→ raises, ⊣ lowers,
    ⊘ leaves unchanged); the mechanism prediction is what the paths agree on.
    Reported clinical edges (treats, worsens, first-line ...) are listed apart.
    """
    from kg.analysis import explain
    from kg.analysis.predict import step_lines

    graph, G = _load()
    pred = explain(G, _node(graph, G, drug, "drug"), _node(graph, G, target, "target"), max_length)
    if fmt == "json":
        _json(pred.to_dict())
        return
    lab = pred.label
    click.echo(f"{lab(pred.drug)} → {lab(pred.target)}")
    n = len(pred.counted_paths)
    click.echo(f"  mechanism prediction: {pred.effect} (score {pred.score:+.4f}; {n} counted "
               f"path{'s' if n != 1 else ''} of at most {max_length} steps)")
    click.echo(f"  reported effect:      {pred.reported_effect}")
    if pred.spared:
        click.echo(f"  stated to leave unchanged: {', '.join(lab(s) for s in pred.spared)}")
    if pred.via:
        click.echo(f"  rests partly on claims about: {', '.join(lab(v) for v in pred.via)} (inherited)")
    rows = []
    for i, path in enumerate(pred.paths, 1):
        status = SIGN_WORD[path.sign]
        if path.overridden_by:
            status += f"\nnot counted: the drug is stated to leave {lab(path.overridden_by['target'])} unchanged"
        if path.scope != "target":
            status += f"\nends at a {path.scope} condition"
        rows.append([str(i), path.text(pred.labels), status, f"{path.weight:.4f}", "\n".join(step_lines(pred, path))])
    if rows:
        _table(["#", "path", "sign", "weight", "steps and evidence"], rows, title="Mechanism paths")
    else:
        click.echo(f"No signed mechanism path of at most {max_length} steps: the mechanism prediction is unknown.")
    rrows = []
    for r in pred.reported:
        via = f" (class claim of {lab(r['via'])})" if r.get("via") else ""
        scope = "" if r["scope"] == "target" else f" [{r['scope']}]"
        rrows.append([f"{lab(r['source'])} {r.get('label')} {lab(r['target'])}{scope}{via}", SIGN_WORD[r.get("sign")],
                      "\n".join(_cite(e) for e in r.get("evidence", ())) or "no citation"])
    if rrows:
        _table(["reported clinical edge", "sign", "evidence"], rrows, title="Reported clinical edges")
    else:
        click.echo(f"No reported clinical edge from {lab(pred.drug)} to {lab(pred.target)} "
                   f"or a broader or narrower condition.")


# --- kg predict -----------------------------------------------------------------------

@click.command("predict")
@click.argument("disease")
@click.option("--and", "also", metavar="DISEASE2", help="Rank candidates for both diseases at once.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Show the first N candidates.")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest mechanism path, in steps.")
@format_option(("table", "json"))
def predict_cmd(disease: str, also: str | None, top: int, max_length: int, fmt: str) -> None:
    """Drugs and drug classes ranked for DISEASE (and DISEASE2): mechanism, reports, cases, literature.

    Each component lies in [-1, 1] (positive = benefit): mechanism = signed
    path score scaled by the best candidate's; reported, cases and literature =
    noisy-OR of the evidence weights for benefit minus that for harm. A
    disease's score is their sum; for two diseases, the smaller of the two.
    """
    from kg.analysis import clinical_evidence, predict

    graph, G = _load()
    first = _node(graph, G, disease, "disease")
    second = _node(graph, G, also, "disease") if also else None
    ranked = predict(G, first, second, evidence=clinical_evidence(graph), max_length=max_length, top=top)
    if fmt == "json":
        _json({"diseases": [d for d in (first, second) if d], "candidates": [c.to_dict() for c in ranked]})
        return
    labels = {n: G.nodes[n].get("label", n) for n in (first, second) if n}
    rows = []
    for c in ranked:
        cells = [str(c.rank), c.label + (" (class)" if c.kind == "DrugClass" else ""), f"{c.score:+.2f}"]
        for e in c.per_disease.values():
            k = e.counts()
            cells.append(
                f"mechanism {e.prediction.effect} {e.mechanism:+.2f}\n"
                f"reported {e.prediction.reported_effect} {e.reported:+.2f}\n"
                f"cases {k['favourable_courses']} ok/{k['failed_courses']} failed {e.cases:+.2f}\n"
                f"literature {k['benefit_reports']} benefit/{k['harm_reports']} harm {e.literature:+.2f}\n"
                f"total {e.total:+.2f}")
        cells.append(_key_evidence(c))
        rows.append(cells)
    heads = ["#", "candidate", "score"] + [labels[d] for d in labels] + ["key evidence"]
    title = " and ".join(labels.values())
    _table(heads, rows, title=f"Candidates for {title} (best first)")
    click.echo("score = sum of mechanism, reported, cases and literature components"
               + (" for each disease; for two diseases the smaller sum" if second else "") + ".")
    sources: dict[str, str] = {}
    for c in ranked:
        for e in c.per_disease.values():
            for r in e.prediction.reported:
                for ev in r.get("evidence", ()):
                    if ev.get("identifier"):
                        sources[ev["identifier"]] = ev.get("citation_label", "")
            for course in e.courses:
                if course.citation.identifier:
                    sources[course.citation.identifier] = course.citation.citation_label
    _legend(sources)


def _legend(sources: Mapping[str, str]) -> None:
    """'Sources: [doi:...] Kim 2011, Ann Dermatol; ...' for the identifiers the table shows."""
    if sources:
        click.echo("Sources: " + "; ".join(f"[{ident}] {label}" for ident, label in sorted(sources.items())))


def _key_evidence(candidate) -> str:
    """Per disease: the heaviest counted path, the best signed reported edge, a favourable course."""
    lines = []
    for e in candidate.per_disease.values():
        pred = e.prediction
        if pred.counted_paths:
            p = pred.counted_paths[0]
            lines.append(p.text(pred.labels) + (f" [via {', '.join(pred.label(v) for v in p.via)}]" if p.via else ""))
        signed = sorted((r for r in pred.reported if r.get("sign") in (-1, 1) and r.get("evidence")),
                        key=lambda r: -r["edge_weight"])
        for r in signed[:1]:
            via = f" [class claim of {pred.label(r['via'])}]" if r.get("via") else ""
            lines.append(f"{r.get('label')} {pred.label(r['target'])}{via}: {_short(r['evidence'][0])}")
        for course in [c for c in e.courses if c.outcome_class == "favourable"][:1]:
            who = course.patient.removeprefix("kg:patient_").replace("_", "-")
            cite = course.citation
            lines.append(f"{course.outcome_label}, patient {who}: {cite.identifier}, {cite.locator}")
    return "\n".join(dict.fromkeys(lines))


# --- kg concordance -------------------------------------------------------------------

@click.command("concordance")
@click.option("--patient", metavar="ID", help="Only this patient's courses (e.g. 002-1 or kg:patient_002_1).")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest mechanism path, in steps.")
@format_option(("table", "json"))
def concordance_cmd(patient: str | None, max_length: int, fmt: str) -> None:
    """Each treatment course's predicted effect next to its observed outcome.

    Where courses of the same therapy end differently, what differs between
    them (dose, duration, co-medication, route, diagnosis ...) is listed, with
    doses compared against each other and the graph's usual dose.
    """
    from kg.analysis import clinical_evidence
    from kg.analysis.concordance import concordance

    graph, G = _load()
    evidence = clinical_evidence(graph)
    result = concordance(G, evidence, patient=patient, max_length=max_length)
    if fmt == "json":
        _json(result.to_dict())
        return
    sources: dict[str, str] = {}
    rows = []
    for r in result.rows:
        c = r.course
        sources[c.citation.identifier or c.citation.citation] = c.citation.citation_label
        diag = ", ".join(_short_label(G, d, result.labels.get(d, d)) for d in c.diagnoses)
        rows.append([c.patient.removeprefix("kg:patient_").replace("_", "-"), str(c.sequence), c.therapy_label,
                     f"{c.dose()}; {c.route or 'route not stated'}; {c.duration()}",
                     ", ".join(c.concurrent_therapies) or "-", diag,
                     f"{r.expected} ({r.basis})", f"{c.outcome_label} ({c.target_label})", r.status,
                     "\n".join(r.notes[:2]) or "-", f"{c.citation.identifier}, {c.citation.locator}"])
    summary = ", ".join(f"{result.count(s)} {s}" for s in ("agree", "disagree", "uncertain", "no prediction",
                                                             "not assessable") if result.count(s))
    _table(["patient", "#", "therapy", "dose; route; duration", "given with", "diagnosis", "expected (basis)",
            "observed (on)", "status", "notes", "source"], rows, title=f"Predictions against outcomes ({summary})")
    crow = []
    for k in result.contrasts:
        for d in k.differences:
            crow.append([k.therapy_label, d.field, d.failed, d.succeeded, "\n".join(d.statements) or "-"])
    if result.contrasts:
        _table(["therapy", "differs in", "failed course", "favourable course", "computed"], crow,
               title="What differs between failed and favourable courses of the same therapy: "
                     + "; ".join(f"{k.failed.label} vs {k.succeeded.label}" for k in result.contrasts))
    for r in result.rows:
        for rec in evidence.recommendations_for(r.course.therapy):
            sources[rec.citation.identifier or rec.citation.citation] = rec.citation.citation_label
    _legend(sources)


def _short_label(G, node: str, fallback: str) -> str:
    """An acronym synonym when the label is long (CADM, DM), else the label."""
    data = G.nodes[node] if node in G else {}
    label = data.get("label", fallback)
    short = [s for s in data.get("synonyms", ()) if s.isupper() and 1 < len(s) <= 6]
    return min(short, key=len) if short and len(label) > 12 else label


# --- kg bridges -----------------------------------------------------------------------

@click.command("bridges")
@click.argument("disease_a")
@click.argument("disease_b")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Show the first N bridges.")
@click.option("--max-length", type=click.IntRange(2, 8), default=6, show_default=True,
              help="Longest connecting path, in steps.")
@click.option("--with-clinical", is_flag=True, help="Also connect through reported clinical edges.")
@format_option(("table", "json"))
def bridges_cmd(disease_a: str, disease_b: str, top: int, max_length: int, with_clinical: bool, fmt: str) -> None:
    """Entities that connect DISEASE_A and DISEASE_B, ranked by their share of the connecting paths.

    Paths run through the undirected mechanism layer (plus subtype and family
    links); each path weighs the product of its edges' evidence weights times
    (deg(u)·deg(v))^-0.4; an entity's share is the weight of the paths through it
    over the weight of all of them. Therapies reported for both diseases follow.
    """
    from kg.analysis.bridges import bridges

    graph, G = _load()
    a, b = _node(graph, G, disease_a, "disease"), _node(graph, G, disease_b, "disease")
    layers = ("mechanism", "clinical") if with_clinical else ("mechanism",)
    report = bridges(G, a, b, max_length=max_length, top=top, layers=layers)
    if fmt == "json":
        _json(report.to_dict())
        return
    la, lb = report.labels[a], report.labels[b]
    rows = [[str(x.rank), x.label, x.kind, f"{x.share:.3f}", str(x.paths), f"{x.betweenness:.2f}",
             x.effect_a, x.effect_b, " — ".join(x.example)] for x in report.bridges]
    sa, sb = _short_label(G, a, la), _short_label(G, b, lb)
    _table(["#", "entity", "kind", "share", "paths", "betweenness", f"effect on {sa}", f"effect on {sb}",
            "heaviest path"],
           rows, title=f"Bridges between {la} and {lb} ({report.n_paths} connecting paths of at most "
                       f"{max_length} steps through {' + '.join(layers)} relations)")
    srows = [[s.label + (" (class)" if s.kind == "DrugClass" else ""), f"{s.reported_a}: " + "; ".join(s.edges_a),
              f"{s.reported_b}: " + "; ".join(s.edges_b)] for s in report.shared_therapies]
    _table(["therapy", la, lb], srows, title="Therapies with reported clinical edges to both")
    click.echo("share = Σ w(paths through the entity) / Σ w(all connecting paths); "
               "w(path) = Π evidence weight × (deg(u)·deg(v))^-0.4.\n"
               "effect: raises/lowers = what a rise in the entity does by its own signed paths; "
               "improves/worsens = what the drug does.")


# --- kg similar -----------------------------------------------------------------------

@click.command("similar")
@click.argument("drug")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Show the first N drugs.")
@click.option("--max-length", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Longest mechanism path, in steps.")
@click.option("--classes", is_flag=True, help="Rank drug classes as well as drugs.")
@format_option(("table", "json"))
def similar_cmd(drug: str, top: int, max_length: int, classes: bool, fmt: str) -> None:
    """Drugs whose signed mechanism profile is closest to DRUG's (cosine similarity).

    A profile is every node the drug's mechanism paths reach, with the signed
    path weight (what it lowers or raises), plus what it is stated to leave
    unchanged and what it binds; class-level claims count for member drugs.
    """
    from kg.analysis.similarity import similar

    graph, G = _load()
    node = _node(graph, G, drug, "drug")
    kinds = ("Drug", "DrugClass") if classes else ("Drug",)
    ranked = similar(G, node, top=top, max_length=max_length, kinds=kinds)
    labels = {n: d.get("label", n) for n, d in G.nodes(data=True)}
    if fmt == "json":
        _json({"drug": node, "similar": [s.to_dict(labels) for s in ranked]})
        return
    word = {-1: "lower", 1: "raise", 0: "spare", None: "bind"}
    rows = []
    for s in ranked:
        same: dict[str, list[str]] = {}
        for n, sign in s.same:
            same.setdefault(word[sign], []).append(labels.get(n, n))
        same_text = "\n".join(f"both {k}: {', '.join(v)}" for k, v in same.items()) or "-"
        opp = "\n".join(f"{labels.get(n, n)} ({'lowers' if a < 0 else 'raises'} vs "
                        f"{'lowers' if b < 0 else 'raises'})" for n, a, b in s.opposite) or "-"
        via = sorted({v for paths in _profile_vias(G, s.other, max_length) for v in paths})
        rows.append([str(s.rank), s.label, f"{s.score:.3f}", same_text, opp,
                     ", ".join(labels.get(v, v) for v in via) or "-"])
    _table(["#", "drug", "cosine", "moved the same way", "moved oppositely", "claims borrowed from"], rows,
           title=f"Drugs most similar to {labels.get(node, node)} by signed mechanism")


def _profile_vias(G, drug: str, max_length: int) -> list[list[str]]:
    from kg.analysis import mechanism_profile

    profile = mechanism_profile(G, drug, max_length)
    return [p.via for paths in profile.paths.values() for p in paths if p.counted]
