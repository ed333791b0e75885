"""The figures of kg.plots: what they lay out, what they draw, what the commands write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from kg.analysis import predict  # noqa: E402
from kg.errors import FormatError, KGError, UnknownNameError, UsageError  # noqa: E402
from kg.plots import (  # noqa: E402
    PANELS,
    UNKNOWN_WIDTH,
    Panel,
    components_chart,
    evidence_chart,
    evidence_rows,
    save_figure,
    timeline,
    timeline_layout,
)
from kg.plots.timeline import _step_offset  # noqa: E402
from kg.query import run_query  # noqa: E402
from kg.render.style import DESIGN_MARKER, DIRECTION_STYLE, OUTCOME_CLASS_STYLE  # noqa: E402


def _bars(fig):
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "")]


def _markers(fig):
    return [m for ax in fig.axes for m in ax.lines if isinstance(m, Line2D) and (m.get_gid() or "")]


# --- timeline: layout ---------------------------------------------------------------------

def test_one_lane_per_patient_and_one_bar_per_course(evidence):
    layout = timeline_layout(evidence)
    assert [lane.case_id for lane in layout.lanes] == ["000-1", "002-1", "002-2", "003-1"]
    assert sorted(b.course for b in layout.bars) == sorted(c.id for c in evidence.courses)
    assert len(layout.bars) == 32
    assert [len(lane.rows) for lane in layout.lanes] == [11, 5, 6, 10]
    assert len({b.row for b in layout.bars}) == 32 and layout.n_rows == 36


def test_courses_end_to_end_with_known_durations_and_the_fallback_width_for_unknown_ones(evidence):
    bars = {b.therapy: b for b in timeline_layout(evidence, "000-1").bars}
    # 3 + 5 + 2 + 5 + 6 + 1 months stated, then rituximab (2 infusions: no duration), acitretin 2 months,
    # pentoxifylline and ustekinumab without durations: cyclosporine starts after 24 + 3 fallback months
    assert [(bars[t].start, bars[t].width, bars[t].known) for t in ("rituximab", "acitretin", "cyclosporine")] == [
        (22.0, UNKNOWN_WIDTH, False), (23.0, 2.0, True), (27.0, 24.0, True)]
    assert bars["rituximab"].text == "minimal response · duration not stated (2 infusions)"
    assert bars["cyclosporine"].text == "remission · 3 mg/kg/d → 5 mg/kg/d · 2 years"
    unknown = {b.course for b in timeline_layout(evidence).bars if not b.known}
    assert unknown == {c.id for c in evidence.courses if c.duration_value is None}


def test_dose_changes_at_their_stated_time_or_in_order_when_untimed(evidence):
    layout = timeline_layout(evidence, ["000-1", "003-1"])
    cyclosporine = next(b for b in layout.bars if b.course.endswith("000_1_11_cyclosporine"))
    dose, response = cyclosporine.marks
    assert (dose.kind, dose.timed, round(dose.x - cyclosporine.start, 3)) == ("dose", True, round(7 / 30.4375, 3))
    assert dose.text == "5 mg/kg/d (after 1 week)"
    assert (response.kind, response.x) == ("response", 32.0)
    hcq = next(b for b in layout.bars if b.patient == "kg:patient_003_1" and b.therapy == "hydroxychloroquine")
    assert [(m.timed, round(m.x - hcq.start, 4)) for m in hcq.marks] == [(False, 0.3333), (False, 0.6667)]


def test_concurrent_courses_start_together_and_the_next_place_waits_for_the_longest(evidence):
    bars = timeline_layout(evidence, "002-1").bars
    together = [b for b in bars if b.sequence == 1]
    assert len(together) == 4 and {(b.start, b.width) for b in together} == {(0.0, 2.0)}
    assert [(b.therapy, b.start) for b in bars if b.sequence == 2] == [("pimecrolimus", 2.0)]


def test_sequence_scale_and_parameters(evidence):
    layout = timeline_layout(evidence, scale="sequence")
    assert {b.width for b in layout.bars} == {1.0} and all(b.known for b in layout.bars)
    assert max(b.end for b in layout.bars if b.patient == "kg:patient_000_1") == 11.0
    wide = timeline_layout(evidence, "002-2", unknown_width=0.5)
    assert [b.start for b in wide.bars] == [0.0] * 5 + [0.5]
    with pytest.raises(UsageError):
        timeline_layout(evidence, scale="calendar")
    with pytest.raises(UsageError):
        timeline_layout(evidence, unknown_width=0)
    with pytest.raises(UnknownNameError):
        timeline_layout(evidence, ["000-9"])


@pytest.mark.parametrize("text, months", [
    ("start of course", 0.0), ("after 1 week", 7 / 30.4375), ("after 10 days", 10 / 30.4375),
    ("after about 2 months", 2.0), ("after IVIG response", None), ("", None),
])
def test_step_start_texts(text, months):
    got = _step_offset(text)
    assert (round(got, 6) if got is not None else None) == (round(months, 6) if months is not None else None)


# --- timeline: figure ---------------------------------------------------------------------

def test_timeline_figure_draws_every_course_coloured_by_outcome_class(evidence):
    fig = timeline(evidence)
    bars = _bars(fig)
    assert len(bars) == 32 and {b.get_gid() for b in bars} == {c.id for c in evidence.courses}
    by_course = {c.id: c for c in evidence.courses}
    for bar in bars:
        course = by_course[bar.get_gid()]
        assert to_hex(bar.get_facecolor(), keep_alpha=False) == OUTCOME_CLASS_STYLE[course.outcome_class][1]
        assert (bar.get_hatch() is not None) == (course.duration_value is None)
    colours = {to_hex(b.get_facecolor(), keep_alpha=False) for b in bars}
    assert len(colours) == 3        # favourable, non-response, not assessed (no partial response in the cases)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "1  hydroxychloroquine" and "11  cyclosporine" in labels and len(labels) == 32
    headers = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"]
    assert [h.split()[0] for h in headers] == ["000-1", "002-1", "002-2", "003-1"]
    assert "Hatched: duration not stated" in fig.axes[0].get_xlabel()
    assert sum(m.get_gid().endswith("#dose") for m in _markers(fig)) == 3


def test_one_patient(evidence):
    fig = timeline(evidence, ["43-year-old woman with CADM (source 002, case 2)"])
    assert len(fig.kg_layout.lanes) == 1 and len(_bars(fig)) == 6
    assert fig.axes[0].get_title(loc="left") == "Treatment courses of 1 patient, in sequence order"


# --- evidence chart -----------------------------------------------------------------------

def _report_pairs(rows, panel):
    return {(r.report, r.therapy) for r in rows if r.panel == panel}


def _curie(iri):
    return "kg:" + str(iri).rsplit("/", 1)[1]


def test_panels_hold_what_the_saved_queries_find(evidence, network, graph):
    rows = evidence_rows(evidence, PANELS, G=network)
    calcinosis = run_query("calcinosis_therapies", graph=graph).records()
    assert _report_pairs(rows, "calcinosis") == {(_curie(r["report"]), _curie(r["therapy"])) for r in calcinosis}
    lung = run_query("dm_ild_therapies", graph=graph).records()
    assert _report_pairs(rows, "lung disease in DM") == {(_curie(r["report"]), _curie(r["therapy"])) for r in lung}
    refractory = [r for r in run_query("refractory_cadm_therapies", graph=graph).records()
                  if str(r["kind"]) == "literature"]
    mine = {(r.therapy, r.locator) for r in rows if r.panel == "refractory skin disease"}
    assert mine == {(_curie(r["therapy"]), str(r["locator"])) for r in refractory}
    assert [len({r.report for r in rows if r.panel == p.title}) for p in PANELS] == [27, 27, 10]


def test_a_plain_name_is_a_panel_of_it_and_its_subtypes(evidence, network):
    rows = evidence_rows(evidence, ["interstitial lung disease"], G=network)
    assert len({r.report for r in rows}) == 11       # one more than "in DM": antisynthetase syndrome with ILD
    only_refractory = evidence_rows(evidence, [Panel("x", ("interstitial lung disease",), refractory=True)],
                                    G=network)
    assert {r.therapy_label for r in only_refractory} == {"tacrolimus", "cyclosporine",
                                                          "autologous stem cell transplantation"}
    with pytest.raises(UnknownNameError):
        evidence_rows(evidence, ["calcinosiss"], G=network)


def test_evidence_chart_marker_per_report_design_as_marker_direction_as_colour(evidence, network):
    fig = evidence_chart(evidence, G=network)
    rows = fig.kg_layout
    markers = _markers(fig)
    assert len(markers) == len(rows) == 66
    by_gid = {f"{r.panel}|{r.report}|{r.therapy}": r for r in rows}
    assert {m.get_gid() for m in markers} == set(by_gid)
    for m in markers:
        r = by_gid[m.get_gid()]
        assert m.get_marker() == DESIGN_MARKER[r.design.removeprefix("kg:")]
        assert to_hex(m.get_color()) == DIRECTION_STYLE[r.direction.removeprefix("kg:")][1]
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["refractory skin\ndisease\n(27 reports)", "calcinosis\n(27 reports)",
                     "lung disease in DM\n(10 reports)"]
    therapies = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert therapies[0] == "intravenous immunoglobulin" and "TNF inhibitor (class)" in therapies


# --- components chart ---------------------------------------------------------------------

def test_components_chart_one_segment_per_component_drug_and_disease(evidence, network):
    candidates = predict(network, "DM", "psoriasis", evidence=evidence, kinds=("Drug", "DrugClass"))
    fig = components_chart(candidates, ["TNF inhibitor", "infliximab", "cyclosporine"])
    bars = _bars(fig)
    assert len(fig.axes) == 2 and len(bars) == 3 * 2 * 4
    rows = {(r["drug"], r["disease"]): r for r in fig.kg_layout}
    assert rows["kg:TNFInhibitor", "kg:dermatomyositis"]["total"] < 0 < rows["kg:TNFInhibitor", "kg:psoriasis"]["total"]
    assert rows["kg:cyclosporine", "kg:dermatomyositis"]["mechanism"] > 0
    for bar in bars:
        drug, disease, component = bar.get_gid().split("|")
        value = rows[drug, disease][component]
        assert bar.get_width() == pytest.approx(abs(value))
        assert (bar.get_x() < 0) == (value < 0) or value == 0
    with pytest.raises(UsageError):
        components_chart(candidates, ["adalimumab"])


# --- files and commands -------------------------------------------------------------------

@pytest.mark.slow  # a figure written in every format
def test_save_figure_formats_and_errors(evidence, tmp_path):
    fig = timeline(evidence, "002-1")
    assert save_figure(fig, tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in save_figure(fig, tmp_path / "t.svg").read_bytes()[:400]
    assert save_figure(fig, tmp_path / "t.out", "pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(FormatError):
        save_figure(fig, tmp_path / "t.gif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.out", "t.png", "t.svg"]
    # the same figure, drawn afresh, gives the same bytes (as `kg plot` writes it): no dates, stable SVG ids
    for fmt in ("svg", "png"):
        first, second = (save_figure(timeline(evidence, "002-1"), tmp_path / f"{n}.{fmt}") for n in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()


def _kg(*args):
    from kg.cli import cli

    return CliRunner().invoke(cli, list(args))


@pytest.mark.slow  # three kg commands, each drawing a figure
def test_kg_plot_timeline_evidence_and_components(tmp_path):
    out = _kg("plot", "timeline", "--out", str(tmp_path / "all.png"))
    assert out.exit_code == 0, out.output
    assert "4 patients, 32 courses" in out.output
    out = _kg("plot", "timeline", "--case", "000-1", "--case", "003-1", "--out", str(tmp_path / "two.svg"))
    assert out.exit_code == 0 and "2 patients, 21 courses" in out.output
    out = _kg("plot", "evidence", "--out", str(tmp_path / "ev.png"))
    assert out.exit_code == 0 and "59 reports on 30 therapies" in out.output
    out = _kg("plot", "components", "DM", "--and", "psoriasis", "--drug", "cyclosporine", "--drug", "infliximab",
              "--out", str(tmp_path / "c.png"))
    assert out.exit_code == 0 and "2 drugs" in out.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.png", "c.png", "ev.png", "two.svg"]


@pytest.mark.slow  # kg viz drawing figures
def test_kg_viz_writes_a_case_timeline_as_png_or_svg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = _kg("viz", "--case", "000-1", "--format", "png")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "case-000-1.png").read_bytes()[:4] == b"\x89PNG"
    out = _kg("viz", "--case", "002-1", "--out", "x.svg")
    assert out.exit_code == 0 and "(5 courses)" in out.output and (tmp_path / "x.svg").is_file()


@pytest.mark.parametrize("args, error", [
    (("viz", "--focus", "cyclosporine", "--format", "png"), UsageError),
    (("viz", "--case", "000-9", "--format", "svg"), UnknownNameError),
    (("plot", "timeline", "--out", "x.gif"), FormatError),
    (("plot", "evidence", "--condition", "calcinosiss"), UnknownNameError),
])
def test_plot_user_errors_write_nothing(tmp_path, monkeypatch, args, error):
    monkeypatch.chdir(tmp_path)
    out = _kg(*args)
    assert out.exit_code != 0 and isinstance(out.exception, error) and isinstance(out.exception, KGError)
    assert list(Path(tmp_path).iterdir()) == []


def test_inline_needs_ipython():
    from kg.plots import inline

    with pytest.raises(UsageError, match="inside IPython or Jupyter"):
        inline()


def test_import_kg_plots_loads_no_matplotlib():
    code = "import sys, kg.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
