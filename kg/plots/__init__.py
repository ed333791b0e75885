"""Figures of the graph's cases and evidence, as matplotlib figures (``pip install 'dmkg[plots]'``).

* :func:`timeline` - every patient's treatment courses on a time axis, one lane per
  patient, coloured by outcome class (:mod:`kg.plots.timeline` says how courses
  without a stated duration are drawn);
* :func:`evidence_chart` - the literature's therapy reports by therapy and condition,
  study design as marker, direction as colour;
* :func:`components_chart` - predicted effect per drug and disease by component
  (mechanism, clinical statements, cases, literature): help to the right, harm to the left;
* :func:`save_figure` - write a figure as PNG, SVG or PDF, atomically;
* :func:`inline` - in Jupyter, show figures as compact PNG (what the notebooks call first).

Each function returns a :class:`matplotlib.figure.Figure` drawn without pyplot
(headless, nothing global), with the plain-data layout it drew attached
(``fig.kg_layout``) so a caller or a test can read what is on it. matplotlib is
imported inside the functions, so ``import kg.plots`` costs nothing.
"""

from kg.plots.components import components_chart
from kg.plots.evidence import PANELS, Panel, evidence_chart, evidence_rows
from kg.plots.figure import FIGURE_FORMATS, figure_bytes, inline, save_figure
from kg.plots.timeline import UNKNOWN_WIDTH, timeline, timeline_layout

__all__ = ["FIGURE_FORMATS", "PANELS", "UNKNOWN_WIDTH", "Panel", "components_chart", "evidence_chart",
           "evidence_rows", "figure_bytes", "inline", "save_figure", "timeline", "timeline_layout"]
