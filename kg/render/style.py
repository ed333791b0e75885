"""How things look: colour and shape per node kind, colour per edge sign, colour per outcome.

One table per concern, read by the views, the legend and the tests alike, so a
colour is defined once. Shapes are vis-network shapes that draw their label
*below* the glyph (dot, square, diamond, triangle, ...), so ``size`` scales them.
"""

from __future__ import annotations

import re
from typing import Any

# kind -> (vis shape, fill colour). Families share a hue: drugs blue, diseases red,
# molecules green/brown, antibodies purple, cells orange, instruments grey.
KIND_STYLE: dict[str, tuple[str, str]] = {
    "Drug": ("dot", "#1f77b4"),
    "DrugClass": ("hexagon", "#74a9d8"),
    "Procedure": ("dot", "#17becf"),
    "Photoprotection": ("dot", "#9edae5"),
    "Disease": ("square", "#d62728"),
    "Manifestation": ("square", "#ff9896"),
    "AdverseEffect": ("triangleDown", "#e377c2"),
    "Cytokine": ("triangle", "#2ca02c"),
    "JanusKinase": ("triangle", "#98df8a"),
    "Protein": ("diamond", "#8c564b"),
    "ProteinComplex": ("diamond", "#c49c94"),
    "ProteinFamily": ("diamond", "#bcbd22"),
    "Autoantibody": ("star", "#9467bd"),
    "CellType": ("dot", "#ff7f0e"),
    "BiologicalProcess": ("hexagon", "#f2b35b"),
    "LabTest": ("square", "#7f7f7f"),
    "AssessmentInstrument": ("square", "#b0b0b0"),
    "PharmacologicalRole": ("hexagon", "#c5b0d5"),
    "Patient": ("box", "#343a40"),
    "TreatmentCourse": ("box", "#e9ecef"),
    "Other": ("dot", "#a0a0a0"),
}
_FALLBACK_PALETTE = ("#6c757d", "#17a2b8", "#e83e8c", "#20c997", "#fd7e14", "#6610f2")

# Edge categories, in legend order: key -> (legend text, colour).
EDGE_STYLE: dict[str, tuple[str, str]] = {
    "raises": ("raises (sign +1)", "#e03131"),
    "lowers": ("lowers (sign −1)", "#1971c2"),
    "unchanged": ("leaves unchanged (sign 0)", "#f08c00"),
    "treats": ("treats (clinical, lowers the disease)", "#2f9e44"),
    "worsens": ("worsens (clinical, raises the disease)", "#9c36b5"),
    "unsigned": ("no sign (binds, associated with, class of …)", "#adb5bd"),
    "diagnosis": ("has diagnosis", "#868e96"),
    "sequence": ("then (next course)", "#343a40"),
}

# Case outcomes, worst to best: local name -> (label, fill colour, font colour).
OUTCOME_STYLE: dict[str, tuple[str, str, str]] = {
    "worsening": ("worsening", "#862e9c", "#ffffff"),
    "no_response": ("no response", "#e03131", "#ffffff"),
    "relapse": ("relapse", "#f76707", "#ffffff"),
    "minimal_response": ("minimal response", "#ffd43b", "#212529"),
    "partial_response": ("partial response", "#c0eb75", "#212529"),
    "response": ("response", "#51cf66", "#212529"),
    "complete_response": ("complete response", "#2b8a3e", "#ffffff"),
    "remission": ("remission", "#1864ab", "#ffffff"),
    "not_assessed": ("not assessed", "#dee2e6", "#212529"),
}


def kind_style(kind: str) -> tuple[str, str]:
    """(shape, colour) of a node kind; unknown kinds get a stable fallback colour."""
    if kind in KIND_STYLE:
        return KIND_STYLE[kind]
    return "dot", _FALLBACK_PALETTE[sum(map(ord, kind)) % len(_FALLBACK_PALETTE)]


def kind_label(kind: str) -> str:
    """'DrugClass' -> 'drug class', 'JanusKinase' -> 'Janus kinase'."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", kind) or [kind]
    keep_case = {"Janus"}
    return " ".join(w if w in keep_case or w.isupper() and len(w) > 1 else w.lower() for w in words)


def edge_category(data: dict[str, Any]) -> str:
    """Which legend entry an edge belongs to, from its sign and family."""
    if data.get("category") in EDGE_STYLE:
        return data["category"]
    sign = data.get("sign")
    clinical = data.get("family") == "clinical"
    if sign is None:
        return "unsigned"
    if sign < 0:
        return "treats" if clinical else "lowers"
    if sign > 0:
        return "worsens" if clinical else "raises"
    return "unchanged"


def edge_colour(data: dict[str, Any]) -> str:
    return EDGE_STYLE[edge_category(data)][1]


def outcome_style(outcome: str | None) -> tuple[str, str, str]:
    """(label, fill, font colour) of an outcome's local name (``remission``)."""
    if outcome and outcome in OUTCOME_STYLE:
        return OUTCOME_STYLE[outcome]
    return ((outcome or "no outcome recorded").replace("_", " "), "#f8f9fa", "#212529")


def node_size(degree: int) -> float:
    """Glyph radius from degree: 10 for a leaf, growing with the square root, capped at 42."""
    return round(min(42.0, 8.0 + 4.0 * max(degree, 0) ** 0.5), 1)


# Outcome classes (the reasoner's kg:FavourableOutcome / PartialOutcome / NonResponseOutcome, see
# kg.clinical.Course.outcome_class), in legend order: class -> (legend text, colour). The figures
# colour a course by its class; the case view colours by the finer outcome (OUTCOME_STYLE).
OUTCOME_CLASS_STYLE: dict[str, tuple[str, str]] = {
    "favourable": ("favourable (response, remission)", "#2f9e44"),
    "partial": ("partial response", "#fab005"),
    "non-response": ("no response, minimal response, relapse", "#e03131"),
    "not assessed": ("not assessed", "#adb5bd"),
}

# Directions of literature therapy reports (local names of kg:Direction individuals), in legend
# order: name -> (legend text, colour).
DIRECTION_STYLE: dict[str, tuple[str, str]] = {
    "benefit": ("benefit", "#2f9e44"),
    "limited_benefit": ("limited benefit", "#94d82d"),
    "no_benefit": ("no benefit", "#f59f00"),
    "induced_or_worsened": ("induced or worsened", "#e03131"),
    "adverse_reaction": ("adverse reaction", "#9c36b5"),
    "not_stated": ("direction not stated", "#adb5bd"),
}

# Study designs (local names of kg:EvidenceType individuals) -> matplotlib marker.
DESIGN_MARKER: dict[str, str] = {
    "controlled_trial": "*",
    "open_label_trial": "D",
    "prospective_study": "P",
    "retrospective_study": "^",
    "case_series": "s",
    "case_report": "o",
    "review": "X",
    "conference_abstract": "v",
    "laboratory_study": "h",
}


def outcome_class_colour(outcome_class: str) -> str:
    """Fill colour of an outcome class ('favourable', 'partial', 'non-response', 'not assessed')."""
    return OUTCOME_CLASS_STYLE.get(outcome_class, OUTCOME_CLASS_STYLE["not assessed"])[1]
