"""``kg viz``: write an interactive HTML view that works offline (a thin layer over :mod:`kg.render`)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kg.errors import UsageError


def _slug(*parts: str) -> str:
    text = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "view"


@click.command("viz")
@click.option("--focus", metavar="NAME", help="Draw the neighbourhood of this entity (label, synonym or CURIE).")
@click.option("--depth", type=click.IntRange(0, 20), default=1, show_default=True,
              help="With --focus: how many links away from it to go.")
@click.option("--types", metavar="T,...", help="Keep only these node types, e.g. Drug,Cytokine,'drug class'.")
@click.option("--path", "path_", nargs=2, metavar="DRUG TARGET",
              help="Draw the signed mechanism paths explaining DRUG's effect on TARGET.")
@click.option("--max-length", type=click.IntRange(1, 6), default=4, show_default=True,
              help="With --path: longest path, in links.")
@click.option("--case", "case", metavar="ID", help="Draw one patient's treatment sequence (000-1, a CURIE or label).")
@click.option("--max-nodes", type=click.IntRange(min=10), default=1500, show_default=True,
              help="Above this many nodes, group leaves and then the least connected nodes.")
@click.option("--format", "fmt", type=click.Choice(("html", "png", "svg", "pdf")), default=None,
              help="html: the interactive page (default); png, svg, pdf: with --case, the patient's "
                   "timeline figure (needs 'dmkg[plots]'). Default: from the suffix of --out, else html.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: a name after the view, in the current folder).")
def viz_cmd(focus: str | None, depth: int, types: str | None, path_: tuple[str, str] | None, max_length: int,
            case: str | None, max_nodes: int, fmt: str | None, out: Path | None) -> None:
    """Write an interactive view of the graph as one HTML file that works offline.

    \b
    kg viz                                   the whole entity graph
    kg viz --focus ciclosporin --depth 2     the neighbourhood of an entity
    kg viz --types Drug,Cytokine             only some node types
    kg viz --path "TNF inhibitor" dermatomyositis
    kg viz --case 000-1                      a patient's courses, in order, with outcomes
    kg viz --case 000-1 --format png         the same patient's courses on a time axis (a figure)

    Nodes are coloured and shaped by type, sized by their number of links;
    edges are coloured by effect (raises, lowers, leaves unchanged, treats,
    worsens), dashed when inherited from a drug-class claim. Hover for the
    sources; the page has a legend, type filters and a search box.
    """
    chosen = [name for name, given in (("--focus", focus), ("--path", path_), ("--case", case)) if given]
    if len(chosen) > 1:
        raise UsageError(f"choose one view: {' and '.join(chosen)} cannot be combined")
    if (path_ or case) and types:
        raise UsageError("--types filters the whole graph or a --focus view, not --path or --case")

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in ("png", "svg", "pdf") else "html"
    if fmt != "html":
        if not case:
            raise UsageError(f"--format {fmt} draws a patient's timeline: give --case ID (other views are html)")
        _case_figure(case, fmt, out or Path(f"case-{_slug(case)}.{fmt}"))
        return

    from kg.render import case_view, network_view, path_view, write_html
    from kg.store import load_graph

    graph = load_graph()
    if case:
        net = case_view(graph, case)
        default = f"case-{_slug(case)}.html"
    else:
        from kg.network import project

        G = project(graph)
        if path_:
            net = path_view(G, path_[0], path_[1], max_length=max_length)
            default = f"path-{_slug(*path_)}.html"
        else:
            net = network_view(G, focus=focus, depth=depth, types=types, max_nodes=max_nodes)
            default = f"focus-{_slug(focus)}.html" if focus else "graph.html"
    target = write_html(net, out or Path(default))
    click.echo(f"wrote {target} ({len(net.nodes)} nodes, {len(net.edges)} edges): {net.view['title']}")
    click.echo("Open it in a browser; it needs no network.")


def _case_figure(case: str, fmt: str, out: Path) -> None:
    """One patient's courses on a time axis (:func:`kg.plots.timeline`), written as ``fmt``."""
    from kg.clinical import clinical_evidence
    from kg.plots import save_figure, timeline
    from kg.store import load_graph

    fig = timeline(clinical_evidence(load_graph()), [case])
    lane = fig.kg_layout.lanes[0]
    target = save_figure(fig, out, fmt)
    click.echo(f"wrote {target} ({len(fig.kg_layout.bars)} courses): {lane.case_id} {lane.label}")
