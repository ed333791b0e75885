"""The cases as GA4GH Phenopackets v2: every file parses back with the schema's protobuf classes.

Expected values are written by hand from the source texts (patient 000-1: ten failed regimens,
then cyclosporine 3 then 5 mg/kg/d, remission) and from the identifier tables the project cites.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import FormatError
from kg.phenopacket import UNVERIFIED_FILE, phenopackets, write_phenopackets

json_format = pytest.importorskip("google.protobuf.json_format")
pps = pytest.importorskip("phenopackets.schema.v2.phenopackets_pb2")

CREATED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def written(memory_graph, tmp_path_factory) -> dict[str, object]:
    """The phenopackets written to a folder, each parsed back strictly (unknown fields are errors)."""
    out = tmp_path_factory.mktemp("pp") / "phenopackets"
    paths = write_phenopackets(memory_graph, out, created=CREATED)
    parsed = {}
    for path in paths:
        packet = pps.Phenopacket()
        json_format.Parse(path.read_text(encoding="utf-8"), packet, ignore_unknown_fields=False)
        parsed[path.stem] = packet
    parsed["_dir"] = out
    return parsed


def _classes(message) -> list:
    """Every OntologyClass inside a protobuf message."""
    found = []
    for field, value in message.ListFields():
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        items = value if repeated else [value]
        for item in items:
            if not hasattr(item, "ListFields"):
                continue
            if type(item).__name__ == "OntologyClass":
                found.append(item)
            else:
                found += _classes(item)
    return found


def test_one_phenopacket_per_patient_in_one_folder(written):
    out = written["_dir"]
    assert sorted(p.name for p in out.iterdir()) == ["dmkg-000-1.json", "dmkg-002-1.json", "dmkg-002-2.json",
                                                     "dmkg-003-1.json", UNVERIFIED_FILE]
    for pid in ("dmkg-000-1", "dmkg-002-1", "dmkg-002-2", "dmkg-003-1"):
        packet = written[pid]
        assert packet.id == pid and packet.meta_data.phenopacket_schema_version == "2.0"
        assert packet.meta_data.created.ToDatetime() == CREATED.replace(tzinfo=None)


def test_patient_000_field_by_field(written):
    p = written["dmkg-000-1"]
    assert (p.subject.id, p.subject.time_at_last_encounter.age.iso8601duration) == ("000-1", "P45Y")
    from phenopackets.schema.v2.core.individual_pb2 import Sex

    assert p.subject.sex == Sex.FEMALE
    assert [(d.term.id, d.term.label, d.excluded) for d in p.diseases] == [
        ("MONDO:1010096", "clinically amyopathic dermatomyositis", False), ("MONDO:0005083", "psoriasis", False)]
    features = {f.type.id: f for f in p.phenotypic_features}
    assert not features["HP:0025300"].excluded and "first presenting sign" in features["HP:0025300"].description
    assert features["HP:0012378"].excluded and features["HP:0003326"].excluded  # no fatigue, no myalgia
    assert features["HP:0025555"].type.label == "periungual telangiectasia"
    assert {e.evidence_code.id for f in p.phenotypic_features for e in f.evidence} == {"ECO:0006017"}
    agents = [a.treatment.agent.label for a in p.medical_actions]
    assert agents == ["hydroxychloroquine", "prednisone", "methotrexate", "mycophenolate mofetil", "azathioprine",
                      "dapsone", "rituximab", "acitretin", "pentoxifylline", "ustekinumab",
                      "cyclosporine", "cyclosporine"]
    failed = p.medical_actions[:10]
    assert {(a.response_to_treatment.id, a.response_to_treatment.label) for a in failed} == {
        ("NCIT:C123598", "minimal response")}
    assert failed[0].treatment.agent.id == "CHEBI:5801" and failed[9].treatment.agent.id == "DRUGBANK:DB05679"
    assert failed[6].treatment.route_of_administration.id == "NCIT:C38276"  # rituximab infusions
    cyclosporine = p.medical_actions[10:]
    for action in cyclosporine:
        assert action.treatment.agent.id == "CHEBI:4031"
        assert [(i.quantity.value, i.quantity.unit.id) for i in action.treatment.dose_intervals] == [
            (3.0, "UCUM:mg/kg/d"), (5.0, "UCUM:mg/kg/d")]
        assert (action.response_to_treatment.id, action.response_to_treatment.label) == ("kg:remission", "remission")
    assert [a.treatment_target.id for a in cyclosporine] == ["kg:cutaneous_lesions", "kg:psoriatic_plaques"]
    assert [(m.assay.id, m.value.ontology_class.id) for m in p.measurements if m.assay.id == "kg:ana"] == [
        ("kg:ana", "kg:positive")]
    (ref,) = p.meta_data.external_references
    assert ref.id == "dmkg-src-000" and not ref.reference and "source 000" in ref.description


def test_patient_003_measurements_actions_and_negatives(written):
    p = written["dmkg-003-1"]
    crp = next(m for m in p.measurements if m.assay.id == "LOINC:1988-5")
    q = crp.value.quantity
    assert (q.value, q.unit.id, q.reference_range.low, q.reference_range.high) == (2.82, "UCUM:mg/dL", 0.0, 0.8)
    assert "elevated" in crp.description
    assays = {m.assay.id for m in p.measurements}
    assert not {"kg:anti_mda5", "kg:anti_nxp2", "kg:anti_tif1g"} & assays  # not tested: left out
    assert "kg:serum_muscle_enzymes" not in assays and "LOINC:2157-6" in assays  # 003 names creatine kinase
    assert [(d.term.id, d.excluded) for d in p.diseases if d.excluded] == [("MONDO:0004992", True)]  # no cancer
    excluded = {f.type.id for f in p.phenotypic_features if f.excluded}
    assert {"kg:tobacco_smoking", "kg:hyporeflexia", "kg:sensory_loss", "kg:abnormal_muscle_biopsy",
            "HP:0002716"} <= excluded  # non-smoker, reflexes and sensation preserved, negative biopsy, no nodes
    assert p.medical_actions[0].procedure.code.label == "total hysterectomy"
    hcq = next(a for a in p.medical_actions if a.treatment.agent.label == "hydroxychloroquine")
    assert [(i.quantity.value, i.schedule_frequency.id) for i in hcq.treatment.dose_intervals] == [
        (200.0, "NCIT:C125004"), (400.0, ""), (200.0, "NCIT:C125004")]
    assert (hcq.treatment_target.id, hcq.response_to_treatment.id) == ("HP:0002633", "NCIT:C123600")
    ivig = next(a for a in p.medical_actions if a.treatment.agent.label == "intravenous immunoglobulin")
    (dose,) = ivig.treatment.dose_intervals
    assert (dose.quantity.value, dose.quantity.unit.id, dose.schedule_frequency.id) == (2.0, "UCUM:g/kg",
                                                                                         "kg:once_monthly")
    thiamazole = next(a for a in p.medical_actions if a.treatment.agent.label == "thiamazole")
    assert thiamazole.treatment_target.id == "MONDO:0004425" and not thiamazole.HasField("response_to_treatment")
    assert p.meta_data.external_references[0].id == "DOI:10.31138/mjr.29.4.221"


def test_patient_002_topical_pimecrolimus_twice_daily(written):
    for pid, response in (("dmkg-002-1", "kg:remission"), ("dmkg-002-2", "kg:response")):
        p = written[pid]
        pime = p.medical_actions[-1]
        assert (pime.treatment.agent.id, pime.treatment.route_of_administration.id) == ("CHEBI:135888",
                                                                                       "NCIT:C38304")
        (dose,) = pime.treatment.dose_intervals
        assert (dose.quantity.value, dose.quantity.unit.id, dose.schedule_frequency.id) == (1.0, "UCUM:%",
                                                                                             "NCIT:C64496")
        assert pime.response_to_treatment.id == response
    case2 = written["dmkg-002-2"]
    assert [(m.assay.id, m.value.ontology_class.id) for m in case2.measurements] == [
        ("kg:serum_muscle_enzymes", "kg:normal")]
    assert "kg:dm_compatible_skin_histology" in {f.type.id for f in case2.phenotypic_features}


def test_every_prefix_used_is_a_declared_resource_and_every_project_term_is_listed(written):
    listed = (written["_dir"] / UNVERIFIED_FILE).read_text(encoding="utf-8").splitlines()
    assert listed[0] == "curie\tlabel"
    unverified = {line.split("\t")[0] for line in listed[1:]}
    used_kg = set()
    for pid in ("dmkg-000-1", "dmkg-002-1", "dmkg-002-2", "dmkg-003-1"):
        packet = written[pid]
        classes = _classes(packet)
        prefixes = {c.id.partition(":")[0] for c in classes}
        declared = {r.namespace_prefix for r in packet.meta_data.resources}
        assert prefixes == declared, pid
        assert all(c.id and c.label for c in classes), pid
        assert all(r.iri_prefix and r.name for r in packet.meta_data.resources), pid
        used_kg |= {c.id for c in classes if c.id.startswith("kg:")}
    assert used_kg == unverified
    assert {"kg:psoriatic_plaques", "kg:cutaneous_lesions", "kg:remission", "kg:serum_muscle_enzymes"} <= unverified
    assert len(unverified) == 41


def test_phenopackets_function_and_cli(memory_graph, built, tmp_path):
    assert sorted(phenopackets(memory_graph)) == ["dmkg-000-1", "dmkg-002-1", "dmkg-002-2", "dmkg-003-1"]
    out = tmp_path / "cases"
    out.mkdir()
    (out / "stale.json").write_text("{}", encoding="utf-8")  # the folder is replaced as a whole
    result = CliRunner().invoke(cli, ["export", "--format", "phenopacket", "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "wrote 4 phenopackets" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["dmkg-000-1.json", "dmkg-002-1.json", "dmkg-002-2.json",
                                                     "dmkg-003-1.json", UNVERIFIED_FILE]


def test_missing_extra_is_a_user_error(memory_graph, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "phenopackets", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "phenopackets.schema.v2", None)
    with pytest.raises(FormatError, match=r"pip install 'dmkg\[phenopackets\]'"):
        write_phenopackets(memory_graph, tmp_path / "none")
    assert not Path(tmp_path / "none").exists()
