"""``kg plot``: write the library's figures (:mod:`kg.plots`) as PNG, SVG or PDF files, headless and atomically."""

from __future__ import annotations

from pathlib import Path

import click

FORMAT_HELP = "File format (default: from the suffix of --out)."


def _out_option(default: str):
    return click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=default,
                        show_default=True, help="File to write: .png, .svg or .pdf.")


def _format_option():
    from kg.plots.figure import FIGURE_FORMATS

    return click.option("--format", "fmt", type=click.Choice(FIGURE_FORMATS), default=None, help=FORMAT_HELP)


def _written(path: Path, what: str) -> None:
    click.echo(f"wrote {path} ({path.stat().st_size // 1024} KB): {what}")


@click.group("plot")
def plot_cmd() -> None:
    """Figures of the cases and the literature, as image files (needs 'dmkg[plots]').

    \b
    kg plot timeline --out cases.png              every patient's courses on a time axis
    kg plot timeline --case 000-1 --out a.svg     one patient (repeat --case for more)
    kg plot evidence --out evidence.png           therapy reports by therapy x condition
    kg plot components DM --and psoriasis --drug cyclosporine --drug infliximab
    """


@plot_cmd.command("timeline")
@click.option("--case", "cases", multiple=True, metavar="ID",
              help="A patient (000-1, a CURIE or a label); repeat for more. Default: every patient.")
@click.option("--scale", type=click.Choice(("time", "sequence")), default="time", show_default=True,
              help="Months of treatment end to end, or one unit per place in the sequence.")
@_out_option("timeline.png")
@_format_option()
def timeline_cmd(cases: tuple[str, ...], scale: str, out: Path, fmt: str | None) -> None:
    """Treatment courses on a time axis: one lane per patient, bars coloured by outcome class.

    Courses are placed end to end in sequence order (gaps between courses are not
    recorded); a course whose duration the source does not give is drawn hatched,
    one month wide, and says so. Dose changes and response times are marked.
    """
    from kg.plots import save_figure, timeline

    evidence = _evidence()
    fig = timeline(evidence, list(cases) or None, scale=scale)
    layout = fig.kg_layout
    _written(save_figure(fig, out, fmt), f"{len(layout.lanes)} patients, {len(layout.bars)} courses")


@plot_cmd.command("evidence")
@click.option("--condition", "conditions", multiple=True, metavar="NAME",
              help="A condition (its subtypes count too); repeat for more columns. "
                   "Default: refractory skin disease, calcinosis, lung disease in DM.")
@_out_option("evidence.png")
@_format_option()
def evidence_cmd(conditions: tuple[str, ...], out: Path, fmt: str | None) -> None:
    """Literature therapy reports by therapy and condition: study design as marker, direction as colour."""
    from kg.network import project
    from kg.plots import PANELS, evidence_chart, save_figure
    from kg.store import load_graph

    graph = load_graph()
    fig = evidence_chart(_evidence(graph), list(conditions) or PANELS, G=project(graph))
    rows = fig.kg_layout
    _written(save_figure(fig, out, fmt), f"{len({r.report for r in rows})} reports on "
                                         f"{len({r.therapy for r in rows})} therapies")


@plot_cmd.command("components")
@click.argument("disease")
@click.option("--and", "also", metavar="DISEASE", help="A second disease: one panel each.")
@click.option("--drug", "drugs", multiple=True, metavar="NAME",
              help="A drug or drug class to show (label or CURIE); repeat. Default: the 12 best ranked.")
@_out_option("components.png")
@_format_option()
def components_cmd(disease: str, also: str | None, drugs: tuple[str, ...], out: Path, fmt: str | None) -> None:
    """Predicted effect per drug by component (mechanism, clinical statements, cases, literature)."""
    from kg.analysis import predict
    from kg.network import project
    from kg.plots import components_chart, save_figure
    from kg.store import load_graph

    graph = load_graph()
    candidates = predict(project(graph), disease, also, evidence=_evidence(graph), kinds=("Drug", "DrugClass"))
    fig = components_chart(candidates if drugs else candidates[:12], list(drugs) or None)
    _written(save_figure(fig, out, fmt), f"{len({r['drug'] for r in fig.kg_layout})} drugs")


def _evidence(graph=None):
    from kg.clinical import clinical_evidence
    from kg.store import load_graph

    return clinical_evidence(graph if graph is not None else load_graph())
