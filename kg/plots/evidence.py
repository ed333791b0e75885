"""The literature's therapy reports by therapy and condition: a dot plot.

Rows are therapies, columns are *panels* (a condition and its subtypes, optionally
only reports on refractory disease, or only reports that also name a disease), and
each therapy report (``kg:TherapyReport``, :class:`kg.clinical.Report`) is one
marker in its cell: the marker is the paper's study design
(:data:`kg.render.style.DESIGN_MARKER`), the colour the direction the report states
(:data:`kg.render.style.DIRECTION_STYLE`), strongest design first within a cell.

:func:`evidence_rows` is the same selection as plain rows (one per report and
panel), for a DataFrame or a test; the default :data:`PANELS` ask the saved queries'
questions (``refractory_cadm_therapies``, ``calcinosis_therapies``,
``dm_ild_therapies``) of the literature.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.clinical import ClinicalEvidence
from kg.network import broader, narrower, node_id

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Panel:
    """A column of the chart: which therapy reports it holds.

    A report belongs when it names one of ``conditions`` or a subtype of one (with
    ``broader``, a parent disease too); with ``refractory``, only reports on disease
    that resisted earlier therapy; with ``also``, only reports that also name one of
    those diseases or a subtype (ILD *in dermatomyositis*).
    """

    title: str
    conditions: tuple[str, ...]
    refractory: bool = False
    broader: bool = False
    also: tuple[str, ...] = ()


#: Refractory skin disease (CADM, its parent diseases and its skin disease), calcinosis, lung disease in DM.
PANELS = (
    Panel("refractory skin disease", ("CADM", "cutaneous dermatomyositis"), refractory=True, broader=True),
    Panel("calcinosis", ("calcinosis",)),
    Panel("lung disease in DM", ("interstitial lung disease",), also=("dermatomyositis",)),
)


@dataclass(frozen=True)
class EvidenceRow:
    """One therapy report in one panel."""

    panel: str
    therapy: str
    therapy_label: str
    report: str
    design: str
    design_label: str
    rank: int
    direction: str
    direction_label: str
    conditions: tuple[str, ...]
    citation: str
    identifier: str
    locator: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["conditions"] = ", ".join(self.conditions)
        return out


def _closure(G: nx.MultiDiGraph, names: Iterable[str], up: bool) -> set[str]:
    out: set[str] = set()
    for name in names:
        node = node_id(G, name)
        out |= {node} | narrower(G, node) | (broader(G, node) if up else set())
    return out


def _panel(panel: Panel | str) -> Panel:
    return Panel(panel, (panel,)) if isinstance(panel, str) else panel


def evidence_rows(evidence: ClinicalEvidence, panels: Sequence[Panel | str] = PANELS, *,
                  G: nx.MultiDiGraph) -> list[EvidenceRow]:
    """The therapy reports each panel holds, one row per report and therapy, strongest design first.

    Parameters
    ----------
    evidence : ClinicalEvidence
        :func:`kg.clinical.clinical_evidence` of the built graph.
    panels : sequence of Panel or str
        A plain name is a panel of that condition and its subtypes.
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.project`): names and the subtype hierarchy.

    Examples
    --------
    >>> rows = evidence_rows(evidence, ["calcinosis"], G=G)
    >>> len(rows), sorted({r.direction_label for r in rows})
    (27, ['benefit', 'not stated'])
    """
    labels = evidence.labels
    kinds = {n: d.get("kind", "") for n, d in G.nodes(data=True)}
    out: list[EvidenceRow] = []
    for panel in map(_panel, panels):
        conditions = _closure(G, panel.conditions, panel.broader)
        also = _closure(G, panel.also, False) if panel.also else None
        for report in evidence.reports:
            if not conditions & set(report.conditions) or (panel.refractory and not report.refractory):
                continue
            if also is not None and not also & set(report.conditions):
                continue
            for therapy in report.therapies:
                name = labels.get(therapy, therapy) + (" (class)" if kinds.get(therapy) == "DrugClass" else "")
                out.append(EvidenceRow(
                    panel=panel.title, therapy=therapy, therapy_label=name, report=report.id,
                    design=report.citation.evidence_type, design_label=report.citation.evidence_label,
                    rank=report.citation.rank, direction=report.direction, direction_label=report.direction_label,
                    conditions=tuple(labels.get(c, c) for c in report.conditions),
                    citation=report.citation.citation_label, identifier=report.citation.identifier,
                    locator=report.citation.locator))
    order = {p.title: i for i, p in enumerate(map(_panel, panels))}
    out.sort(key=lambda r: (order[r.panel], r.therapy_label.lower(), r.rank, r.report))
    return out


def evidence_chart(evidence: ClinicalEvidence, panels: Sequence[Panel | str] = PANELS, *, G: nx.MultiDiGraph,
                   title: str | None = None) -> Figure:
    """The dot plot of :func:`evidence_rows`: therapies x panels, marker = design, colour = direction.

    Each marker's ``gid`` is ``"<panel>|<report>|<therapy>"``; the rows drawn are ``fig.kg_layout``.

    Examples
    --------
    >>> fig = evidence_chart(evidence, G=G)
    >>> len(fig.kg_layout), sorted({r.panel for r in fig.kg_layout})
    (66, ['calcinosis', 'lung disease in DM', 'refractory skin disease'])
    """
    from kg.plots.figure import new_figure
    from kg.render.style import DESIGN_MARKER, DIRECTION_STYLE

    panels = [_panel(p) for p in panels]
    rows = evidence_rows(evidence, panels, G=G)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.therapy_label] = counts.get(r.therapy_label, 0) + 1
    therapies = sorted(counts, key=lambda t: (-counts[t], t.lower()))
    y = {t: i for i, t in enumerate(therapies)}
    cells: dict[tuple[str, str], list[EvidenceRow]] = {}
    for r in rows:
        cells.setdefault((r.panel, r.therapy_label), []).append(r)
    widths = {p.title: max([len(v) for (panel, _), v in cells.items() if panel == p.title] + [4]) for p in panels}
    fig = new_figure(2.6 + 0.32 * sum(widths.values()) + 0.6 * len(panels), 1.9 + 0.26 * len(therapies))
    ax = fig.add_subplot()
    left = 0.0
    centres = []
    for i, panel in enumerate(panels):
        width = widths[panel.title]
        if i % 2 == 0:
            ax.axvspan(left - 0.5, left + width - 0.5, color="#f1f3f5", zorder=0, lw=0)
        centres.append(left + (width - 1) / 2)
        for (name, therapy), items in cells.items():
            if name != panel.title:
                continue
            for k, r in enumerate(items):
                local = r.direction.removeprefix("kg:")
                colour = DIRECTION_STYLE.get(local, ("", "#495057"))[1]
                marker = DESIGN_MARKER.get(r.design.removeprefix("kg:"), ".")
                ax.plot(left + k, y[therapy], ls="", marker=marker, markersize=8 if marker != "*" else 11,
                        color=colour, markeredgecolor="#212529", markeredgewidth=0.6, zorder=3,
                        gid=f"{r.panel}|{r.report}|{r.therapy}")
        left += width + 0.6
    reports = {p.title: len({r.report for r in rows if r.panel == p.title}) for p in panels}
    ax.set_xticks(centres, [f"{textwrap.fill(p.title, 20)}\n({reports[p.title]} reports)" for p in panels],
                  fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(therapies)), therapies, fontsize=8)
    ax.set_ylim(len(therapies) - 0.5, -0.5)
    ax.set_xlim(-0.8, left - 0.8)
    ax.tick_params(length=0)
    ax.grid(axis="y", color="#dee2e6", lw=0.5, zorder=1)
    for side in ax.spines.values():
        side.set_visible(False)
    _legend(fig, ax, rows, DESIGN_MARKER, DIRECTION_STYLE)
    ax.set_title(title or "Therapy reports in the literature, by condition", fontsize=10.5, loc="left", pad=34)
    fig.kg_layout = rows
    return fig


def _legend(fig, ax, rows: list[EvidenceRow], markers: dict[str, str], directions: dict[str, tuple[str, str]]):
    from matplotlib.lines import Line2D

    designs = {}
    for r in sorted(rows, key=lambda r: r.rank):
        designs.setdefault(r.design.removeprefix("kg:"), r.design_label)
    shown = {r.direction.removeprefix("kg:") for r in rows}
    handles = [Line2D([], [], ls="", marker=markers.get(d, "."), color="white", markeredgecolor="#212529",
                      markersize=7, label=text) for d, text in designs.items()]
    handles += [Line2D([], [], ls="", marker="o", color=colour, markeredgecolor="#212529", markersize=7,
                       label=text) for name, (text, colour) in directions.items() if name in shown]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False,
              title="design (marker), direction (colour)", title_fontsize=7.5)
