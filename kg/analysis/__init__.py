"""Mechanistic reasoning over the networkx projection of the graph.

Stable API (``kg viz --path`` builds on it)::

    from kg.analysis import explain
    p = explain(G, drug, target, max_length=4)   # G = kg.network.project(graph)
    p.effect     # kg.answers.Effect: 'improves' | 'worsens' | 'no effect' | 'conflicting' | 'no evidence'
                 # ('lowers' / 'raises' / 'spares' when the target is not a condition)
    p.mechanism  # kg.answers.Answer: effect, basis (stated, via class, via mechanism), steps, flags
    p.score      # float: signed DWPC (< 0 lowers the target, i.e. improves a disease)
    p.paths      # list[Path]: .nodes (CURIEs), .edges (edge-data dicts with relation,
                 # label, sign, evidence, inherited, via, source, target), .sign (int),
                 # .weight, .scope, .inherited, .via, .overridden_by
    p.reported   # list[dict]: direct clinical edges (treats, worsens, first-line ...)
    p.reported_effect

Modules, each a few functions over ``G``:

* :mod:`~kg.analysis.paths` - signed paths, path weights, mechanism profiles;
* :mod:`~kg.analysis.predict` - :func:`explain` and :func:`predict` (candidate ranking);
* :mod:`~kg.clinical` - cases, therapy reports and dose recommendations from RDF;
* :mod:`~kg.analysis.concordance` - predictions against observed outcomes;
* :mod:`~kg.analysis.bridges` - entities that connect two diseases;
* :mod:`~kg.analysis.similarity` - drug-to-drug similarity by mechanism.
"""

from kg.analysis.explain import CaseItem, LiteratureItem, Prediction, explain, reported_edges
from kg.analysis.paths import (
    CERTAINTY_FACTOR,
    DAMPING,
    Mechanisms,
    Path,
    Profile,
    edge_weight,
    endpoints,
    mechanism_profile,
    mechanisms,
    net_effect,
    signed_paths,
)
from kg.analysis.predict import Candidate, DiseaseEvidence, predict
from kg.clinical import ClinicalEvidence, Course, DoseRecommendation, Report, clinical_evidence

__all__ = [
    "CERTAINTY_FACTOR", "DAMPING", "Candidate", "CaseItem", "ClinicalEvidence", "Course", "DiseaseEvidence",
    "DoseRecommendation", "LiteratureItem", "Mechanisms", "Path", "Prediction", "Profile", "Report",
    "answer_of_paths", "clinical_evidence", "edge_weight", "endpoints", "explain", "mechanism_profile",
    "mechanisms", "net_effect", "predict", "reported_edges", "signed_paths",
]
