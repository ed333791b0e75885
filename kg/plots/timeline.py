"""Every patient's treatment courses on a time axis: a swimlane (Gantt) chart.

One lane per patient, one row per course. The data give each course a place in
its patient's sequence (``kg:sequencePosition``; courses given together share it)
and, often, a duration (value and UCUM unit, or only text such as "unknown" or
"2 infusions"). The layout is therefore:

* courses are placed **end to end in sequence order**, starting at 0 for each
  patient: the gaps between courses are not recorded, so the axis is "months of
  treatment", not calendar time;
* a course **with a duration** is as long as it (converted to months);
* a course **without one** gets a fixed width, :data:`UNKNOWN_WIDTH` months, is
  drawn hatched and says "duration not stated" with its text beside it; no length
  is ever made up;
* courses that share a position (concurrent) start together, on stacked rows; the
  next position starts after the longest of them;
* bars are coloured by outcome class (favourable, partial, non-response, not
  assessed; :data:`kg.render.style.OUTCOME_CLASS_STYLE`); the outcome and dose are
  written beside each bar;
* dose changes are marked ▼ where the step's start is stated as a time after the
  course began ("after 1 week"), and ▽ spaced evenly when it is not (the marker
  then shows the order of steps, not their timing); a response time, when given,
  is marked ★.

``scale="sequence"`` draws every position one unit wide instead (a schematic).
The layout is plain data (:func:`timeline_layout`), so it is tested without
drawing; :func:`timeline` draws it and keeps it as ``figure.kg_layout``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.clinical import ClinicalEvidence, Course, months, patient_index
from kg.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Width, in months, of a course whose duration the source does not give (drawn hatched).
UNKNOWN_WIDTH = 1.0
SCALES = ("time", "sequence")

_AFTER = re.compile(r"\bafter (?:about )?(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\b", re.IGNORECASE)
_UNIT = {"day": "d", "week": "wk", "month": "mo", "year": "a"}


@dataclass(frozen=True)
class Mark:
    """A dose change (``kind='dose'``) or a response (``kind='response'``) inside a bar, at ``x``."""

    kind: str
    x: float
    text: str
    timed: bool          # False: the time is not stated and the mark only shows the order of steps


@dataclass(frozen=True)
class Bar:
    """One treatment course as drawn."""

    course: str
    patient: str
    row: int
    sequence: int | None
    therapy: str
    start: float
    width: float
    known: bool          # duration given (value and unit), else the width is unknown_width; always True by sequence
    outcome: str
    outcome_label: str
    outcome_class: str
    text: str            # written beside the bar: outcome, dose, duration
    marks: tuple[Mark, ...] = ()

    @property
    def end(self) -> float:
        return self.start + self.width


@dataclass(frozen=True)
class Lane:
    """One patient: a header row and one row per course."""

    patient: str
    case_id: str
    label: str
    header_row: int
    rows: tuple[int, ...]


@dataclass
class TimelineLayout:
    lanes: list[Lane] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    scale: str = "time"
    unknown_width: float = UNKNOWN_WIDTH

    @property
    def n_rows(self) -> int:
        return sum(1 + len(lane.rows) for lane in self.lanes)

    @property
    def unit(self) -> str:
        return "months of treatment" if self.scale == "time" else "place in the sequence"

    def notes(self) -> list[str]:
        out = []
        if self.scale == "time":
            out.append("Courses are placed end to end in sequence order from 0: the gaps between courses are "
                       "not recorded.")
            if any(not b.known for b in self.bars):
                out.append(f"Hatched: duration not stated in the source, drawn {self.unknown_width:g} month wide "
                           "(not a measured length).")
        else:
            out.append("Each place in the sequence is drawn one unit wide; durations are written beside the bars.")
        return out


def _course_width(course: Course, scale: str, unknown_width: float) -> tuple[float, bool]:
    length = months(course.duration_value, course.duration_unit)
    if scale == "sequence":
        return 1.0, length is not None
    return (length, True) if length is not None else (unknown_width, False)


def _step_offset(text: str) -> float | None:
    """Months after the course start that a dose step's start text states ('after 10 days'), else None."""
    if text.strip().lower() in ("start of course", "at start", "start"):
        return 0.0
    found = _AFTER.search(text)
    return months(float(found.group(1)), _UNIT[found.group(2).lower()]) if found else None


def _marks(course: Course, start: float, width: float, known: bool, scale: str) -> tuple[Mark, ...]:
    out = []
    steps = list(course.doses)
    full = months(course.duration_value, course.duration_unit)
    for i, step in enumerate(steps[1:], 1):
        offset = _step_offset(step.start) if scale == "time" and known else None
        timed = offset is not None and full is not None and offset <= full
        x = start + offset if timed else start + width * i / len(steps)
        text = step.show() + (f" ({step.start})" if step.start else "")
        out.append(Mark("dose", x, text, timed))
    after = months(course.response_after_value, course.response_after_unit)
    if after is not None and scale == "time" and known and full is not None and after <= full:
        out.append(Mark("response", start + after, f"response after {course.response_after_text}", True))
    return tuple(out)


def _bar_text(course: Course, known: bool) -> str:
    outcome = course.outcome_label or "no outcome recorded"
    duration = (course.duration_text or course.duration()) if known else (
        f"duration not stated ({course.duration_text})" if course.duration_text not in ("", "not stated", "unknown")
        else "duration not stated")
    dose = course.dose()
    parts = [outcome] + ([dose] if dose != "not stated" else []) + [duration]
    return " · ".join(parts)


def _selected(evidence: ClinicalEvidence, patients: Iterable[str] | str | None) -> list[str]:
    with_courses = {c.patient for c in evidence.courses}
    if patients is None:
        return [p.id for p in evidence.patients if p.id in with_courses]
    if isinstance(patients, str):
        patients = [patients]
    index = patient_index(evidence)
    chosen = [str(index.resolve(name, "patient")) for name in patients]
    if not chosen:
        raise UsageError("no patient chosen: give at least one case id (000-1) or leave patients out for all")
    return list(dict.fromkeys(chosen))


def timeline_layout(evidence: ClinicalEvidence, patients: Iterable[str] | str | None = None, *,
                    scale: str = "time", unknown_width: float = UNKNOWN_WIDTH) -> TimelineLayout:
    """Where each course goes: lanes (patients), rows, bar starts and widths, marks.

    Parameters
    ----------
    evidence : ClinicalEvidence
        :func:`kg.clinical.clinical_evidence` of the built graph.
    patients : str or iterable of str, optional
        Case ids (``"000-1"``), CURIEs or labels; all patients with courses when omitted.
    scale : {"time", "sequence"}
        Months end to end (default), or one unit per place in the sequence.
    unknown_width : float
        Width in months of a course without a stated duration.

    Examples
    --------
    >>> layout = timeline_layout(evidence, "000-1")
    >>> [(b.therapy, b.start, b.width, b.known) for b in layout.bars][:2]
    [('hydroxychloroquine', 0.0, 3.0, True), ('prednisone', 3.0, 5.0, True)]
    >>> [b.text for b in layout.bars if b.therapy == "pentoxifylline"]
    ['minimal response · duration not stated']
    """
    if scale not in SCALES:
        raise UsageError(f"unknown timeline scale {scale!r}; choose one of {', '.join(SCALES)}")
    if not unknown_width > 0:
        raise UsageError(f"the width of a course of unknown duration must be positive, not {unknown_width!r}")
    people = {p.id: p for p in evidence.patients}
    layout = TimelineLayout(scale=scale, unknown_width=unknown_width)
    row = 0
    for pid in _selected(evidence, patients):
        courses = evidence.courses_for(pid)
        header = row
        row += 1
        positions: dict[int | None, list[Course]] = {}
        for course in courses:
            positions.setdefault(course.sequence, []).append(course)
        order = sorted(positions, key=lambda s: (s is None, s if s is not None else 0))
        start, rows = 0.0, []
        for position in order:
            slot = 0.0
            for course in sorted(positions[position], key=lambda c: c.therapy_label):
                width, known = _course_width(course, scale, unknown_width)
                draw_known = known if scale == "time" else True
                layout.bars.append(Bar(
                    course=course.id, patient=pid, row=row, sequence=course.sequence,
                    therapy=course.therapy_label or course.therapy, start=start, width=width, known=draw_known,
                    outcome=course.outcome, outcome_label=course.outcome_label, outcome_class=course.outcome_class,
                    text=_bar_text(course, known), marks=_marks(course, start, width, known, scale)))
                rows.append(row)
                row += 1
                slot = max(slot, width)
            start += slot
        person = people.get(pid)
        layout.lanes.append(Lane(patient=pid, case_id=person.case_id if person else pid,
                                 label=person.label if person else pid, header_row=header, rows=tuple(rows)))
    return layout


def timeline(evidence: ClinicalEvidence, patients: Iterable[str] | str | None = None, *, scale: str = "time",
             unknown_width: float = UNKNOWN_WIDTH, title: str | None = None) -> Figure:
    """The swimlane chart of :func:`timeline_layout` as a matplotlib figure (layout in ``fig.kg_layout``).

    Each bar's ``gid`` is its course CURIE; bars are coloured by outcome class.

    Examples
    --------
    >>> fig = timeline(evidence, ["000-1", "002-1"])
    >>> len(fig.kg_layout.lanes), len(fig.kg_layout.bars)
    (2, 16)
    """
    from kg.plots.figure import new_figure
    from kg.render.style import OUTCOME_CLASS_STYLE, outcome_class_colour

    layout = timeline_layout(evidence, patients, scale=scale, unknown_width=unknown_width)
    fig = new_figure(12.5, 1.6 + 0.24 * layout.n_rows)
    ax = fig.add_subplot()
    ends = [b.end for b in layout.bars] or [1.0]
    right = max(ends)
    for i, lane in enumerate(layout.lanes):
        top, bottom = lane.header_row - 0.5, (lane.rows[-1] if lane.rows else lane.header_row) + 0.5
        if i % 2 == 0:
            ax.axhspan(top, bottom, color="#f1f3f5", zorder=0, lw=0)
        ax.text(0, lane.header_row, f"{lane.case_id}  {lane.label}", fontsize=8.5, fontweight="bold",
                va="center", ha="left")
    for bar in layout.bars:
        colour = outcome_class_colour(bar.outcome_class)
        patch = ax.barh(bar.row, bar.width, left=bar.start, height=0.72, color=colour,
                        alpha=1.0 if bar.known else 0.45, hatch=None if bar.known else "////",
                        edgecolor="#343a40", linewidth=0.6, zorder=2)[0]
        patch.set_gid(bar.course)
        ax.text(bar.end + right * 0.008, bar.row, bar.text, fontsize=7, va="center", ha="left", color="#343a40")
        for mark in bar.marks:
            if mark.kind == "dose":
                ax.plot(mark.x, bar.row - 0.36, marker="v", markersize=5.5, color="#212529", zorder=4,
                        markerfacecolor="#212529" if mark.timed else "white", gid=f"{bar.course}#dose")
            else:
                ax.plot(mark.x, bar.row, marker="*", markersize=8, color="#212529", markerfacecolor="white",
                        zorder=4, gid=f"{bar.course}#response")
    labels = {}
    for bar in layout.bars:
        labels[bar.row] = f"{bar.sequence if bar.sequence is not None else '?'}  {bar.therapy}"
    ax.set_yticks(list(labels), list(labels.values()), fontsize=7.5)
    ax.set_ylim(layout.n_rows - 0.5, -0.5)
    ax.set_xlim(0, _right_edge(layout.bars, right))
    ax.set_xlabel(layout.unit + "\n" + "\n".join(layout.notes()), fontsize=8, color="#343a40", loc="left")
    ax.tick_params(axis="x", labelsize=8)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    _legend(ax, layout, OUTCOME_CLASS_STYLE)
    n = len(layout.lanes)
    ax.set_title(title or f"Treatment courses of {n} patient{'s' if n != 1 else ''}, in sequence order",
                 fontsize=10.5, loc="left")
    fig.kg_layout = layout
    return fig


def _right_edge(bars: list[Bar], right: float) -> float:
    """An x limit that leaves room for each bar's text (7 pt, ~0.055 in a character, on ~7 in of axes)."""
    per_char = 0.055 / 7.0
    return max([right * 1.05] + [b.end / max(0.25, 1 - (len(b.text) + 2) * per_char) for b in bars])


def _legend(ax, layout: TimelineLayout, classes: dict[str, tuple[str, str]]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    present = {b.outcome_class for b in layout.bars}
    handles = [Patch(facecolor=colour, edgecolor="#343a40", label=text)
               for name, (text, colour) in classes.items() if name in present]
    if any(not b.known for b in layout.bars):
        handles.append(Patch(facecolor="white", edgecolor="#343a40", hatch="////", label="duration not stated"))
    marks = [m for b in layout.bars for m in b.marks]
    if any(m.kind == "dose" and m.timed for m in marks):
        handles.append(Line2D([], [], ls="", marker="v", color="#212529", label="dose change (stated time)"))
    if any(m.kind == "dose" and not m.timed for m in marks):
        handles.append(Line2D([], [], ls="", marker="v", color="#212529", markerfacecolor="white",
                              label="dose change (time not stated)"))
    if any(m.kind == "response" for m in marks):
        handles.append(Line2D([], [], ls="", marker="*", markersize=9, color="#212529", markerfacecolor="white",
                              label="response seen"))
    ax.figure.legend(handles=handles, loc="outside right upper", fontsize=7.5, frameon=False)
