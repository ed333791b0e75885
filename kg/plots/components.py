"""Predicted effect per drug, by component: help to the right, harm to the left.

:func:`kg.analysis.predict` scores each candidate, per disease, by four components
in [-1, 1] (:class:`kg.analysis.predict.DiseaseEvidence`): ``mechanism`` (the signed
paths, scaled to the strongest candidate), ``reported`` (clinical statements such as
"first line for", "worsens"), ``cases`` (favourable against failed courses) and
``literature`` (therapy reports of benefit against harm). Positive means the
evidence says the drug helps. The chart stacks them: one panel per disease, one
bar per drug, each component a segment (positive segments to the right of zero,
negative to the left), the total as a black dot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.predict import Candidate
from kg.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: component -> (legend text, colour), in stacking order.
COMPONENTS: dict[str, tuple[str, str]] = {
    "mechanism": ("mechanism (signed paths)", "#1971c2"),
    "reported": ("clinical statements", "#2f9e44"),
    "cases": ("cases (treatment courses)", "#f08c00"),
    "literature": ("literature (therapy reports)", "#9c36b5"),
}


def component_table(candidates: Sequence[Candidate], drugs: Iterable[str] | None = None) -> list[dict]:
    """One row per drug and disease: label, disease, the four components and the total.

    ``drugs`` (labels or CURIEs of candidates) keeps those, in that order; default all.

    Examples
    --------
    >>> from kg.analysis import predict
    >>> rows = component_table(predict(G, "DM", evidence=evidence), ["cyclosporine"])
    >>> [(r["drug_label"], r["mechanism"] > 0, r["reported"] > 0) for r in rows]
    [('cyclosporine', True, True)]
    """
    chosen = list(candidates)
    if drugs is not None:
        by_name = {}
        for c in candidates:
            by_name[c.drug.lower()] = c
            by_name[c.label.lower()] = c
        wanted = list(drugs)
        missing = [d for d in wanted if d.lower() not in by_name]
        if missing:
            raise UsageError(f"not among the ranked candidates: {', '.join(missing)} "
                             "(a drug with no evidence for the disease is not ranked)")
        picked = {by_name[d.lower()].drug: by_name[d.lower()] for d in wanted}
        chosen = list(picked.values())
    rows = []
    for c in chosen:
        for disease, entry in c.per_disease.items():
            rows.append({"drug": c.drug, "drug_label": c.label, "disease": disease,
                         "disease_label": entry.prediction.label(disease),
                         **{name: getattr(entry, name) for name in COMPONENTS}, "total": entry.total})
    return rows


def components_chart(candidates: Sequence[Candidate], drugs: Iterable[str] | None = None, *,
                     title: str | None = None) -> Figure:
    """Stacked signed bars of :func:`component_table`, one panel per disease (rows in ``fig.kg_layout``).

    Each segment's ``gid`` is ``"<drug>|<disease>|<component>"``.

    Examples
    --------
    >>> from kg.analysis import predict
    >>> fig = components_chart(predict(G, "DM", "psoriasis", evidence=evidence), ["cyclosporine", "infliximab"])
    >>> len(fig.axes), len(fig.kg_layout)
    (2, 4)
    """
    from kg.plots.figure import new_figure

    rows = component_table(candidates, drugs)
    diseases = list(dict.fromkeys(r["disease"] for r in rows))
    drug_order = list(dict.fromkeys(r["drug"] for r in rows))
    labels = {r["drug"]: r["drug_label"] for r in rows}
    fig = new_figure(4.2 * max(len(diseases), 1) + 1.8, 1.5 + 0.36 * len(drug_order))
    axes = fig.subplots(1, max(len(diseases), 1), sharey=True, squeeze=False)[0]
    reach = max([abs(r[n]) for r in rows for n in COMPONENTS] + [abs(r["total"]) for r in rows] + [0.5])
    for ax, disease in zip(axes, diseases):
        for r in (r for r in rows if r["disease"] == disease):
            y = drug_order.index(r["drug"])
            right = left = 0.0
            for name, (_, colour) in COMPONENTS.items():
                value = r[name]
                start = right if value >= 0 else left + value
                patch = ax.barh(y, abs(value), left=start, height=0.62, color=colour, edgecolor="white",
                                linewidth=0.5, zorder=2)[0]
                patch.set_gid(f"{r['drug']}|{disease}|{name}")
                if value >= 0:
                    right += value
                else:
                    left += value
            ax.plot(r["total"], y, marker="o", color="#212529", markersize=5, zorder=3, gid=f"{r['drug']}|total")
        extent = max(reach, *(abs(x) for r in rows for x in _extents(r))) * 1.08
        ax.set_xlim(-extent, extent)
        ax.axvline(0, color="#212529", lw=0.8, zorder=1)
        ax.set_title(next(r["disease_label"] for r in rows if r["disease"] == disease), fontsize=9.5)
        ax.set_xlabel("← harms     score     helps →", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="#dee2e6", lw=0.5, zorder=0)
    axes[0].set_yticks(range(len(drug_order)), [labels[d] for d in drug_order], fontsize=8.5)
    axes[0].set_ylim(len(drug_order) - 0.5, -0.5)
    _legend(fig)
    fig.suptitle(title or "Predicted effect by kind of evidence", fontsize=10.5, x=0.01, ha="left")
    fig.kg_layout = rows
    return fig


def _extents(row: dict) -> tuple[float, float]:
    values = [row[n] for n in COMPONENTS]
    return sum(v for v in values if v > 0), sum(v for v in values if v < 0)


def _legend(fig) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, label=text) for text, colour in COMPONENTS.values()]
    handles.append(Line2D([], [], ls="", marker="o", color="#212529", label="total"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=7.5, frameon=False)
