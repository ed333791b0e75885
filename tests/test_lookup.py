"""Every name a user types - label, synonym, CURIE - finds the same entity, case-insensitively."""

from __future__ import annotations

import pytest

from kg.errors import UnknownNameError
from kg.lookup import label, normalise, resolve
from kg.namespaces import KG


@pytest.mark.parametrize("name, expected", [
    ("cyclosporine", "cyclosporine"), ("Ciclosporin", "cyclosporine"), ("CsA", "cyclosporine"),
    ("cyclosporin A", "cyclosporine"), ("DRUGBANK:DB00091", "cyclosporine"), ("chebi:4031", "cyclosporine"),
    ("kg:cyclosporine", "cyclosporine"), ("IVIG", "ivig"), ("intravenous immunoglobulin", "ivig"),
    ("FKBP12", "fkbp12"), ("macrophilin-12", "fkbp12"), ("IFN-γ", "ifn_gamma"), ("ifn gamma", "ifn_gamma"),
    ("IFN-α/β", "type_i_ifn"), ("type I interferon", "type_i_ifn"), ("CADM", "cadm"),
    ("clinically amyopathic dermatomyositis", "cadm"), ("TNF inhibitor", "TNFInhibitor"), ("anti-TNF", "TNFInhibitor"),
    ("calcineurin inhibitors", "CalcineurinInhibitor"), ("MMF", "mycophenolate_mofetil"), ("FK506", "tacrolimus"),
])
def test_names_resolve(graph, name, expected):
    assert resolve(graph, name) == KG[expected]


def test_unknown_name_suggests_close_matches(graph):
    with pytest.raises(UnknownNameError) as info:
        resolve(graph, "cyclosporene")
    assert "cyclosporine" in info.value.suggestions
    assert str(info.value).startswith("unknown entity 'cyclosporene'; did you mean")


def test_iri_forms_are_taken_as_given(graph):
    assert resolve(graph, "<https://w3id.org/dmkg/tnf>") == KG.tnf
    assert resolve(graph, "https://w3id.org/dmkg/tnf") == KG.tnf


def test_label_and_normalise(graph):
    assert label(graph, KG.ifn_gamma) == "IFN-γ"
    assert normalise("IFN-γ") == normalise("ifn gamma") == normalise("IFN-Gamma")
