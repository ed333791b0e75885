"""The reported patients as GA4GH Phenopackets (schema v2), one JSON file each.

Built with the protobuf classes of the ``phenopackets`` package (``pip install
'dmkg[phenopackets]'``) and written with ``google.protobuf.json_format``, so every
file parses back into a ``Phenopacket`` message. Each patient becomes:

* ``subject`` - the case id (``000-1``), the age the source reports as an ISO 8601
  duration (``P45Y``) in ``timeAtLastEncounter``, and the sex;
* ``diseases`` - the diagnoses and the diseases of the history, plus any disease a
  finding records as absent (``excluded``);
* ``phenotypicFeatures`` - the findings, ``excluded`` when reported absent, with site
  and remark in the description and the publication as evidence;
* ``measurements`` - laboratory and antibody results: value and UCUM unit (with the
  reference range when the source gives an upper limit), else the interpretation;
  results the source says were not done are left out;
* ``medicalActions`` - the procedures of the history, then every treatment course in
  the order given: agent, route, one dose interval per dose step (quantity, unit and
  schedule), ``treatmentTarget`` (the lesions the outcome was judged on, or the
  indication) and ``responseToTreatment``. A course judged on two targets (source
  000's cyclosporine: skin lesions of DM and psoriatic plaques) is one action per
  target, since a medical action has one target. The sources give no dates, so dose
  intervals have no time interval;
* ``metaData`` - the publication as an external reference (DOI, PMID, or the local
  id of an unidentified one) and one resource per CURIE prefix used.

Every term is written with its verified identifier (``data/identifiers.tsv``, or the
TBox's ``oboInOwl:hasDbXref``): HP for features, MONDO for diseases, LOINC for
assays, ChEBI, DrugBank or NCIT for agents, NCIT for routes, schedules and responses.
A term with none keeps the project's CURIE (``kg:psoriatic_plaques``);
:func:`unverified_terms` lists them.

Examples
--------
>>> packets = phenopackets(graph)
>>> sorted(packets)
['dmkg-000-1', 'dmkg-002-1', 'dmkg-002-2', 'dmkg-003-1']
>>> packets["dmkg-000-1"].subject.time_at_last_encounter.age.iso8601duration
'P45Y'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg.clinical import Course, clinical_evidence, curie
from kg.errors import FormatError
from kg.files import atomic_dir
from kg.lookup import case_id
from kg.namespaces import IRI_STEMS, KG, OBOINOWL, ONTOLOGY_IRI

__all__ = ["SCHEMA_VERSION", "UNVERIFIED_FILE", "phenopackets", "unverified_terms", "write_phenopackets"]

SCHEMA_VERSION = "2.0"
#: The file, beside the phenopackets, that lists the terms written with the project's CURIE.
UNVERIFIED_FILE = "unverified_terms.tsv"

#: Evidence code of every curated feature: ECO "author statement from published clinical study used in
#: manual assertion" (phenopacket-tools constants/Evidence.tsv line 4; data/vocabulary_ids.tsv).
CURATED = ("ECO:0006017", "author statement from published clinical study used in manual assertion")

#: Identifier prefixes to prefer, in order, for each kind of term.
FEATURE, DISEASE, AGENT, ASSAY, CODE = ("HP",), ("MONDO",), ("CHEBI", "DRUGBANK", "NCIT"), ("LOINC",), ("NCIT",)

_UPPER_LIMIT = re.compile(r"^\s*<\s*([0-9.]+)\s*$")


def _pb():
    """The phenopackets and protobuf modules (an optional dependency)."""
    try:
        from google.protobuf import json_format, timestamp_pb2
        from phenopackets.schema.v2 import phenopackets_pb2 as pps
        from phenopackets.schema.v2.core import (
            base_pb2,
            disease_pb2,
            individual_pb2,
            measurement_pb2,
            medical_action_pb2,
            meta_data_pb2,
            phenotypic_feature_pb2,
        )
    except ImportError as exc:
        raise FormatError("the phenopacket export needs the phenopackets package: "
                          "pip install 'dmkg[phenopackets]'") from exc
    return {"json": json_format, "ts": timestamp_pb2, "pps": pps, "base": base_pb2, "disease": disease_pb2,
            "ind": individual_pb2, "meas": measurement_pb2, "action": medical_action_pb2, "meta": meta_data_pb2,
            "feature": phenotypic_feature_pb2}


@dataclass
class _Terms:
    """OntologyClass messages for the graph's terms, remembering the prefixes and project CURIEs used."""

    graph: Graph
    base: Any
    prefixes: set[str] = field(default_factory=set)
    unverified: dict[str, str] = field(default_factory=dict)

    def label(self, node) -> str:
        return str(self.graph.value(node, RDFS.label) or curie(node))

    def of(self, node: URIRef, prefer: tuple[str, ...] = CODE):
        xrefs = sorted(str(x) for x in self.graph.objects(node, OBOINOWL.hasDbXref))
        for prefix in prefer:
            found = [x for x in xrefs if x.partition(":")[0].upper() == prefix]
            if found:
                return self.external(found[0], self.label(node))
        own = curie(node)
        self.unverified[own] = self.label(node)
        self.prefixes.add(own.partition(":")[0])
        return self.base.OntologyClass(id=own, label=self.label(node))

    def external(self, code: str, label: str):
        self.prefixes.add(code.partition(":")[0])
        return self.base.OntologyClass(id=code, label=label)

    def unit(self, code: str):
        return self.external(f"UCUM:{code}", code)


def phenopackets(graph: Graph) -> dict[str, Any]:
    """Phenopacket id (``dmkg-000-1``) -> its ``Phenopacket`` message, for every patient of ``graph``."""
    return _build(graph, _created())[0]


def unverified_terms(graph: Graph) -> list[tuple[str, str]]:
    """(project CURIE, label) of every term the phenopackets use without a verified identifier, sorted."""
    return sorted(_build(graph, _created())[1].items())


def write_phenopackets(graph: Graph, out_dir: Path, created: dt.datetime | None = None) -> list[Path]:
    """Write one ``<id>.json`` per patient into ``out_dir`` (replaced as one folder, atomically).

    Beside them, ``unverified_terms.tsv`` lists the project CURIEs used for terms with no
    verified identifier. Returns the phenopacket files written, sorted. ``created``
    (default: now, UTC) is the ``metaData.created`` time of every phenopacket.
    """
    packets, unverified = _build(graph, created or _created())
    json_format = _pb()["json"]
    out_dir = Path(out_dir)
    names = []
    with atomic_dir(out_dir) as work:
        for pid, packet in sorted(packets.items()):
            text = json_format.MessageToJson(packet, indent=2, ensure_ascii=False)
            (work / f"{pid}.json").write_text(text + "\n", encoding="utf-8")
            names.append(f"{pid}.json")
        rows = ["curie\tlabel"] + [f"{c}\t{label}" for c, label in sorted(unverified.items())]
        (work / UNVERIFIED_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [out_dir / n for n in names]


def _created() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _build(graph: Graph, created: dt.datetime) -> tuple[dict[str, Any], dict[str, str]]:
    pb = _pb()
    evidence = clinical_evidence(graph)
    packets, unverified = {}, {}
    for patient in sorted(graph.subjects(RDF.type, KG.Patient)):
        case = case_id(str(patient)) or curie(patient)
        terms = _Terms(graph, pb["base"])  # one per patient: its resources list only the prefixes it uses
        packets[f"dmkg-{case}"] = _packet(graph, pb, terms, patient, case,
                                          evidence.courses_for(curie(patient)), created)
        unverified.update(terms.unverified)
    return packets, unverified


def _packet(graph: Graph, pb, terms: _Terms, patient: URIRef, case: str, courses: list[Course],
            created: dt.datetime):
    base, pub = pb["base"], graph.value(patient, KG.describedIn)
    reference = _reference(graph, base, pub)
    packet = pb["pps"].Phenopacket(id=f"dmkg-{case}", subject=_subject(graph, pb, patient, case))
    history = [h for h in graph.objects(patient, KG.hasHistoryOf) if _is_a(graph, h, KG.Disease)]
    diseases = list(dict.fromkeys([*sorted(graph.objects(patient, KG.hasDiagnosis), key=terms.label),
                                   *sorted(history, key=terms.label)]))
    for disease in diseases:
        packet.diseases.append(pb["disease"].Disease(term=terms.of(disease, DISEASE)))
    findings = sorted(graph.objects(patient, KG.hasFinding),
                      key=lambda f: terms.label(graph.value(f, KG.ofManifestation)))
    for finding in findings:
        manifestation = graph.value(finding, KG.ofManifestation)
        excluded = graph.value(finding, KG.findingStatus) == KG.absent
        if _is_a(graph, manifestation, KG.Disease):
            packet.diseases.append(pb["disease"].Disease(term=terms.of(manifestation, DISEASE), excluded=excluded))
            continue
        words = [str(graph.value(finding, p)) for p in (KG.site, KG.note) if graph.value(finding, p) is not None]
        packet.phenotypic_features.append(pb["feature"].PhenotypicFeature(
            type=terms.of(manifestation, FEATURE), excluded=excluded, description="; ".join(words),
            evidence=[base.Evidence(evidence_code=terms.external(*CURATED), reference=reference)]))
    results = sorted(graph.objects(patient, KG.hasLabResult), key=lambda r: terms.label(graph.value(r, KG.measures)))
    for result in results:
        measurement = _measurement(graph, pb, terms, result)
        if measurement is not None:
            packet.measurements.append(measurement)
    for procedure in sorted(h for h in graph.objects(patient, KG.hasHistoryOf) if _is_a(graph, h, KG.Procedure)):
        packet.medical_actions.append(pb["action"].MedicalAction(procedure=base.Procedure(code=terms.of(procedure))))
    for course in courses:
        packet.medical_actions.extend(_actions(graph, pb, terms, course))
    packet.meta_data.CopyFrom(_meta(graph, pb, terms, reference, created))
    return packet


def _is_a(graph: Graph, node, cls: URIRef) -> bool:
    return any(cls in set(graph.transitive_objects(t, RDFS.subClassOf)) for t in graph.objects(node, RDF.type)
               if isinstance(t, URIRef))


def _subject(graph: Graph, pb, patient: URIRef, case: str):
    ind = pb["ind"]
    subject = ind.Individual(id=case, alternate_ids=[curie(patient)])
    age = graph.value(patient, KG.age)
    if age is not None:
        subject.time_at_last_encounter.CopyFrom(pb["base"].TimeElement(age=pb["base"].Age(iso8601duration=f"P{int(age)}Y")))
    sex = graph.value(patient, KG.sex)
    subject.sex = {KG.female: ind.Sex.FEMALE, KG.male: ind.Sex.MALE}.get(sex, ind.Sex.UNKNOWN_SEX)
    return subject


def _measurement(graph: Graph, pb, terms: _Terms, result: URIRef):
    meas = pb["meas"]
    interpretation = graph.value(result, KG.interpretation)
    if interpretation == KG.not_tested:
        return None
    words = [terms.label(interpretation)] if interpretation is not None else []
    words += [str(graph.value(result, p)) for p in (KG.valueText, KG.note) if graph.value(result, p) is not None]
    assay = terms.of(graph.value(result, KG.measures), ASSAY)
    measurement = meas.Measurement(assay=assay, description="; ".join(words))
    value = graph.value(result, KG.valueNumeric)
    if value is not None:
        unit = terms.unit(str(graph.value(result, KG.unit) or "1"))
        quantity = meas.Quantity(unit=unit, value=float(value))
        limit = _UPPER_LIMIT.match(str(graph.value(result, KG.referenceRange) or ""))
        if limit:
            quantity.reference_range.CopyFrom(meas.ReferenceRange(unit=unit, low=0.0, high=float(limit.group(1))))
        measurement.value.CopyFrom(meas.Value(quantity=quantity))
    elif interpretation is not None:
        measurement.value.CopyFrom(meas.Value(ontology_class=terms.of(interpretation)))
    else:
        return None
    return measurement


def _actions(graph: Graph, pb, terms: _Terms, course: Course) -> Iterable[Any]:
    """One MedicalAction per outcome target of the course (one with the indication, or none, if it has no target)."""
    action, base = pb["action"], pb["base"]
    therapy = _iri(course.therapy)
    if _is_a(graph, therapy, KG.Procedure):
        what = {"procedure": base.Procedure(code=terms.of(therapy))}
    else:
        treatment = action.Treatment(agent=terms.of(therapy, AGENT))
        if course.route:
            treatment.route_of_administration.CopyFrom(terms.of(graph.value(_iri(course.id), KG.route)))
        for step in course.doses:
            if step.value is None or not step.unit:
                continue
            interval = action.DoseInterval(quantity=pb["meas"].Quantity(unit=terms.unit(step.unit), value=step.value))
            if step.schedule:
                interval.schedule_frequency.CopyFrom(terms.of(_iri(step.schedule)))
            treatment.dose_intervals.append(interval)
        what = {"treatment": treatment}
    targets = [_iri(t) for t in course.targets] or ([_iri(course.indication)] if course.indication else [None])
    for target in targets:
        out = action.MedicalAction(**what)
        if target is not None:
            kind = DISEASE if _is_a(graph, target, KG.Disease) else FEATURE
            out.treatment_target.CopyFrom(terms.of(target, kind))
        if course.outcome and course.outcome != "kg:not_assessed":
            out.response_to_treatment.CopyFrom(terms.of(_iri(course.outcome)))
        yield out


def _iri(value: str) -> URIRef:
    return KG[value[3:]] if value.startswith("kg:") else URIRef(value)


def _reference(graph: Graph, base, pub: URIRef | None):
    if pub is None:
        return base.ExternalReference()
    title = str(graph.value(pub, DCTERMS.title) or "")
    doi, pmid, local = (graph.value(pub, p) for p in (KG.doi, KG.pmid, KG.localId))
    if doi is not None:
        return base.ExternalReference(id=f"DOI:{doi}", reference=f"https://doi.org/{doi}", description=title)
    if pmid is not None:
        return base.ExternalReference(id=f"PMID:{pmid}", reference=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}",
                                      description=title)
    return base.ExternalReference(id=str(local or curie(pub)), description=title)


def _meta(graph: Graph, pb, terms: _Terms, reference, created: dt.datetime):
    meta = pb["meta"]
    stamp = pb["ts"].Timestamp()
    stamp.FromDatetime(created.astimezone(dt.UTC).replace(tzinfo=None))
    version = str(graph.value(ONTOLOGY_IRI, OWL.versionInfo) or "")
    data = meta.MetaData(created=stamp, created_by="dmkg (kg export --format phenopacket)",
                         phenopacket_schema_version=SCHEMA_VERSION, external_references=[reference])
    for prefix in sorted(terms.prefixes):
        data.resources.append(_resource(meta, graph, prefix, version))
    return data


def _resource(meta, graph: Graph, prefix: str, version: str):
    if prefix == "kg":
        name = str(graph.value(ONTOLOGY_IRI, RDFS.label) or "dmkg")
        return meta.Resource(id="dmkg", name=name, url=str(KG), version=version, namespace_prefix="kg",
                             iri_prefix=str(KG))
    import bioregistry

    key = prefix.lower()
    return meta.Resource(id=key, name=bioregistry.get_name(key) or prefix, url=bioregistry.get_homepage(key) or "",
                         namespace_prefix=prefix,
                         iri_prefix=IRI_STEMS.get(prefix.upper()) or bioregistry.get_uri_prefix(key) or "")
