"""Compile curated records into one RDF graph: the TBox plus every cited fact.

Evidence pattern (one, used everywhere): a citation hangs on the node that
states the fact.

* A binary fact (``cyclosporine leavesUnchanged type_i_ifn``) is a direct
  triple, reified by an ``owl:Axiom`` (OBO axiom annotation) carrying
  ``kg:citation``, ``kg:evidenceType`` and ``kg:locator`` (plus optional
  ``kg:context``, ``kg:certainty``, ``kg:note``, ``kg:supportingReference``).
* An n-ary record (patient, finding, lab result, treatment course, dose
  recommendation, therapy report, reference entry) is itself the statement
  node and carries the same three properties directly.

Every problem found is reported with its file and line, all at once.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.curation import Curation, Record
from kg.errors import DataError, close_matches
from kg.namespaces import DEFINITION, KG, OBOINOWL, bind_prefixes, curie_to_iri

DURATION_UNITS = {"d", "wk", "mo", "a"}


def decimal(value: Any) -> Literal:
    """An xsd:decimal in canonical lexical form (always with a point: 6 -> "6.0"), so it round-trips."""
    text = format(Decimal(str(value)).normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


# ---------------------------------------------------------------------------
# What the TBox declares
# ---------------------------------------------------------------------------

@dataclass
class Vocabulary:
    """Names the TBox declares, for resolving and checking curated records."""

    classes: set[URIRef] = field(default_factory=set)
    object_properties: set[URIRef] = field(default_factory=set)
    datatype_properties: set[URIRef] = field(default_factory=set)
    individuals: dict[URIRef, set[URIRef]] = field(default_factory=dict)  # individual -> its classes
    superclasses: dict[URIRef, set[URIRef]] = field(default_factory=dict)  # class -> all superclasses (incl. itself)
    ranges: dict[URIRef, URIRef] = field(default_factory=dict)            # property -> range (inherited)

    @classmethod
    def from_tbox(cls, tbox: Graph) -> Vocabulary:
        voc = cls()
        voc.classes = {c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        voc.object_properties = set(tbox.subjects(RDF.type, OWL.ObjectProperty))
        voc.datatype_properties = set(tbox.subjects(RDF.type, OWL.DatatypeProperty))
        for ind in tbox.subjects(RDF.type, OWL.NamedIndividual):
            voc.individuals[ind] = {t for t in tbox.objects(ind, RDF.type) if t != OWL.NamedIndividual}
        for c in voc.classes:
            voc.superclasses[c] = {s for s in tbox.transitive_objects(c, RDFS.subClassOf) if isinstance(s, URIRef)}
        for prop in voc.object_properties | voc.datatype_properties:
            for ancestor in tbox.transitive_objects(prop, RDFS.subPropertyOf):
                rng = tbox.value(ancestor, RDFS.range)
                if rng is not None:
                    voc.ranges[prop] = rng
                    break
        return voc

    def members(self, cls: URIRef) -> dict[str, URIRef]:
        """TBox individuals of ``cls``, keyed by local name and by label-like key."""
        out: dict[str, URIRef] = {}
        for ind, types in self.individuals.items():
            if cls in types:
                out[local(ind)] = ind
        return out


def local(iri: URIRef) -> str:
    return str(iri)[len(str(KG)):] if str(iri).startswith(str(KG)) else str(iri)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


# ---------------------------------------------------------------------------
# The compiler
# ---------------------------------------------------------------------------

class _Compiler:
    def __init__(self, cur: Curation, tbox: Graph):
        self.cur, self.tbox = cur, tbox
        self.voc = Vocabulary.from_tbox(tbox)
        self.g = Graph()
        bind_prefixes(self.g)
        self.g += tbox
        self.problems: list[tuple[Path, int | None, str]] = []
        self.entity_types: dict[URIRef, URIRef] = {}     # entity individual -> its asserted class
        self.resources: dict[str, URIRef] = {}           # publication/database ids
        self.xrefs: dict[URIRef, list[str]] = defaultdict(list)
        self.ref_entries: dict[tuple[URIRef, int], URIRef] = {}  # (citing pub, n) -> cited pub
        self.evidence = self.voc.members(KG.EvidenceType)
        self.certainty = self.voc.members(KG.Certainty)
        self.outcomes = self.voc.members(KG.Outcome)
        self.routes = self._keyed(KG.Route)
        self.sexes = self.voc.members(KG.Sex)
        self.interpretations = self._keyed(KG.ResultInterpretation)
        self.statuses = self.voc.members(KG.FindingStatus)
        self.populations = self.voc.members(KG.Population)
        self.directions = self.voc.members(KG.Direction)
        self.reported_outcomes = self._keyed(KG.ReportedOutcome)

    def _keyed(self, cls: URIRef) -> dict[str, URIRef]:
        """Members of a TBox value class, by local name and by underscored label."""
        out = self.voc.members(cls)
        for ind in list(out.values()):
            for label in self.tbox.objects(ind, RDFS.label):
                out.setdefault(_slug(str(label)), ind)
        return out

    # -- reporting ---------------------------------------------------------
    def problem(self, rec: Record | None, message: str) -> None:
        where = (rec.file, rec.line) if isinstance(rec, Record) else (Path("data"), None)
        self.problems.append((where[0], where[1], message))

    def pick(self, rec: Record, vocab: dict[str, URIRef], value: Any, what: str) -> URIRef | None:
        key = _slug(str(value))
        if key in vocab:
            return vocab[key]
        hint = close_matches(str(value), vocab)
        self.problem(rec, f"unknown {what} {value!r}; expected one of: {', '.join(sorted(vocab))}"
                     + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return None

    # -- names -------------------------------------------------------------
    def resolve(self, rec: Record, name: str, what: str = "entity") -> URIRef | None:
        """An entity id, a TBox class or a TBox individual -> its IRI."""
        iri = KG[name]
        if iri in self.entity_types or iri in self.voc.classes or iri in self.voc.individuals:
            return iri
        candidates = [local(i) for i in self.entity_types] + [local(c) for c in self.voc.classes if str(c).startswith(str(KG))]
        hint = close_matches(name, candidates)
        self.problem(rec, f"unknown {what} {name!r}" + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else
                                                       "; add it to data/entities/ first"))
        return None

    def classes_of(self, iri: URIRef) -> set[URIRef]:
        direct = {self.entity_types[iri]} if iri in self.entity_types else self.voc.individuals.get(iri, set())
        out: set[URIRef] = set()
        for c in direct:
            out |= self.voc.superclasses.get(c, {c})
        return out

    def check_range(self, rec: Record, prop: URIRef, obj: URIRef) -> None:
        rng = self.voc.ranges.get(prop)
        if rng is None or obj in self.voc.classes:
            return
        if rng not in self.classes_of(obj):
            self.problem(rec, f"{local(obj)!r} is not a {local(rng)}, as {local(prop)!r} requires")

    # -- evidence ----------------------------------------------------------
    def cite(self, node: URIRef | BNode, citation: URIRef, evidence: URIRef, locator: str,
             context: str | None = None, certainty: URIRef | None = None, note: str | None = None,
             supporting: Iterable[URIRef] = ()) -> None:
        g = self.g
        g.add((node, KG.citation, citation))
        g.add((node, KG.evidenceType, evidence))
        g.add((node, KG.locator, Literal(locator)))
        if context:
            g.add((node, KG.context, Literal(context)))
        if certainty is not None:
            g.add((node, KG.certainty, certainty))
        if note:
            g.add((node, KG.note, Literal(note)))
        for ref in supporting:
            g.add((node, KG.supportingReference, ref))

    def assert_cited(self, s: URIRef, p: URIRef, o: URIRef | Literal, citation: URIRef, evidence: URIRef,
                     locator: str, **extra: Any) -> None:
        """Add the direct triple and its owl:Axiom with the evidence."""
        self.g.add((s, p, o))
        digest = hashlib.sha1(f"{s}|{p}|{o}|{citation}|{locator}".encode()).hexdigest()[:16]
        axiom = BNode(f"ax{digest}")
        self.g.add((axiom, RDF.type, OWL.Axiom))
        self.g.add((axiom, OWL.annotatedSource, s))
        self.g.add((axiom, OWL.annotatedProperty, p))
        self.g.add((axiom, OWL.annotatedTarget, o))
        self.cite(axiom, citation, evidence, locator, **extra)

    def n_ary(self, iri: URIRef, cls: URIRef, label: str) -> URIRef:
        if (iri, RDF.type, cls) in self.g:
            return iri
        self.g.add((iri, RDF.type, OWL.NamedIndividual))
        self.g.add((iri, RDF.type, cls))
        self.g.add((iri, RDFS.label, Literal(label)))
        return iri

    # -- passes ------------------------------------------------------------
    def run(self) -> Graph:
        self.entities()
        self.identifiers()
        self.publications()
        self.reference_lists()
        for doc in self.cur.sources:
            self.source(doc)
        self.all_different()
        if self.problems:
            raise DataError(self.problems)
        return self.g

    def entities(self) -> None:
        seen: dict[str, Record] = {}
        for rec in self.cur.entities:
            eid = rec["id"]
            if eid in seen:
                self.problem(rec, f"entity id {eid!r} already defined at {seen[eid].file.name}:{seen[eid].line}")
                continue
            if not re.fullmatch(r"[a-z][a-z0-9_]*", eid):
                self.problem(rec, f"entity id {eid!r} must be lower_snake_case ascii")
                continue
            seen[eid] = rec
            cls = KG[rec["type"]]
            if cls not in self.voc.classes:
                self.problem(rec, f"unknown entity type {rec['type']!r}")
                continue
            self.entity_types[KG[eid]] = cls
        for eid, rec in seen.items():
            iri = KG[eid]
            if iri not in self.entity_types:
                continue
            g = self.g
            g.add((iri, RDF.type, OWL.NamedIndividual))
            g.add((iri, RDF.type, self.entity_types[iri]))
            g.add((iri, RDFS.label, Literal(rec["label"])))
            g.add((iri, DEFINITION, Literal(rec["definition"])))
            for syn in rec.get("synonyms") or []:
                g.add((iri, SKOS.altLabel, Literal(str(syn))))
            for key, prop in (("subtype_of", KG.subtypeOf), ("member_of", KG.memberOf)):
                for parent in rec.get(key) or []:
                    target = self.resolve(rec, str(parent))
                    if target is not None:
                        g.add((iri, prop, target))

    def identifiers(self) -> None:
        for row in self.cur.xrefs:
            iri = KG[row["entity"]]
            known = iri in self.entity_types or iri in self.voc.classes or iri in self.voc.individuals
            if not known:
                hint = close_matches(row["entity"], [local(i) for i in self.entity_types])
                self.problem(row, f"identifier for unknown entity {row['entity']!r}"
                             + (f"; did you mean {hint[0]!r}?" if hint else ""))
                continue
            try:
                target = curie_to_iri(row["curie"])
            except ValueError as exc:
                self.problem(row, str(exc))
                continue
            self.g.add((iri, OBOINOWL.hasDbXref, Literal(row["curie"])))
            self.g.add((iri, SKOS.exactMatch, target))
            self.xrefs[iri].append(row["curie"])

    def publications(self) -> None:
        for doc in self.cur.sources:
            self.publication(doc["publication"])
        for doc in self.cur.reference_lists:
            for ref in doc["references"]:
                if isinstance(ref.get("pub"), Record):
                    self.publication(ref["pub"])

    def publication(self, rec: Record) -> URIRef | None:
        pid = str(rec["id"])
        if pid in self.resources:
            self.problem(rec, f"publication id {pid!r} defined twice; refer to it by id instead")
            return None
        iri = KG[pid]
        if iri in self.entity_types:
            self.problem(rec, f"publication id {pid!r} clashes with an entity id")
            return None
        self.resources[pid] = iri
        kind = rec.get("kind", "publication")
        if kind not in ("publication", "database"):
            self.problem(rec, f"kind must be publication or database, not {kind!r}")
        g = self.g
        g.add((iri, RDF.type, OWL.NamedIndividual))
        g.add((iri, RDF.type, KG.Database if kind == "database" else KG.Publication))
        authors = rec.get("authors")
        first = rec.get("first_author") or (authors.split(",")[0].strip() if authors else None)
        if first and rec.get("year"):
            journal = rec.get("journal")
            label = f"{first} {rec['year']}" + (f", {journal}" if journal else "")
        else:
            label = rec["title"]
        g.add((iri, RDFS.label, Literal(label)))
        g.add((iri, DCTERMS.title, Literal(rec["title"])))
        if first:
            g.add((iri, KG.firstAuthor, Literal(first)))
        for key, prop in (("authors", KG.authors), ("journal", KG.journal), ("volume", KG.volume),
                          ("issue", KG.issue), ("pages", KG.pages), ("local_id", KG.localId),
                          ("ids_from", KG.idsFrom), ("language", KG.language), ("note", KG.note)):
            if rec.get(key):
                g.add((iri, prop, Literal(str(rec[key]))))
        if rec.get("year"):
            g.add((iri, KG.year, Literal(int(rec["year"]))))
        if rec.get("cases_reported") is not None:
            g.add((iri, KG.casesReported, Literal(int(rec["cases_reported"]))))
        if rec.get("study_type"):
            st = self.pick(rec, self.evidence, rec["study_type"], "study type")
            if st is not None:
                g.add((iri, KG.studyType, st))
        for key, prop, prefix in (("doi", KG.doi, "DOI"), ("pmid", KG.pmid, "PMID"), ("pmcid", KG.pmcid, "PMC")):
            value = rec.get(key)
            if not value:
                continue
            value = str(value).strip()
            if key == "doi" and not re.fullmatch(r"10\.\d{4,9}/\S+", value):
                self.problem(rec, f"DOI {value!r} does not look like 10.NNNN/suffix")
                continue
            if key == "pmid" and not value.isdigit():
                self.problem(rec, f"PMID {value!r} must be digits only")
                continue
            if key == "pmcid":
                value = value.upper().removeprefix("PMC")
                g.add((iri, prop, Literal("PMC" + value)))
            else:
                g.add((iri, prop, Literal(value)))
            curie = f"{prefix}:{value}" if key != "pmcid" else f"PMC:PMC{value}"
            g.add((iri, OBOINOWL.hasDbXref, Literal(curie)))
            g.add((iri, SKOS.exactMatch, curie_to_iri(f"{prefix}:{'PMC' + value if key == 'pmcid' else value}")))
        if not (rec.get("doi") or rec.get("pmid") or rec.get("local_id")) and kind == "publication":
            g.add((iri, KG.localId, Literal(f"dmkg-pub-{pid}")))
        return iri

    def reference_lists(self) -> None:
        seen_lists: set[str] = set()
        for doc in self.cur.reference_lists:
            list_id = str(doc["list_of"])
            citing = self.resources.get(list_id)
            if citing is None:
                self.problem(doc, f"list_of names unknown publication {list_id!r}")
                continue
            if list_id in seen_lists:
                self.problem(doc, f"a second reference list for {list_id!r}")
            seen_lists.add(list_id)
            numbers: set[int] = set()
            for ref in doc["references"]:
                n = ref["n"]
                if n in numbers:
                    self.problem(ref, f"reference number {n} appears twice")
                numbers.add(n)
                pub = ref["pub"]
                pub_id = str(pub["id"]) if isinstance(pub, Record) else str(pub)
                cited = self.resources.get(pub_id)
                if cited is None:
                    hint = close_matches(pub_id, self.resources)
                    self.problem(ref, f"unknown publication {pub_id!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
                    continue
                self.ref_entries[(citing, n)] = cited
                entry = self.n_ary(KG[f"refentry_{list_id}_{n}"], KG.ReferenceEntry, f"{list_id} reference {n}")
                self.g.add((entry, KG.inReferenceListOf, citing))
                self.g.add((entry, KG.referenceNumber, Literal(int(n))))
                self.g.add((entry, KG.refersTo, cited))
                self.cite(entry, citing, self.g.value(citing, KG.studyType) or self.evidence["review"],
                          f"reference {n}")
                study = self.pick(ref, self.evidence, ref["study_type"], "study type")
                if study is not None and (cited, KG.studyType, None) not in self.g:
                    self.g.add((cited, KG.studyType, study))
                for k, rep in enumerate(ref["reports"], start=1):
                    self.therapy_report(rep, KG[f"report_{list_id}_{n}_{k}"], cited, study,
                                        f"title; {list_id} reference {n}")
            expected = set(range(1, max(numbers) + 1)) if numbers else set()
            if missing := sorted(expected - numbers):
                self.problem(doc, f"reference numbers missing from the list: {missing}")

    def therapy_report(self, rep: Record, iri: URIRef, citation: URIRef, study: URIRef | None, locator: str) -> None:
        therapies = [rep["therapy"]] if isinstance(rep["therapy"], str) else rep["therapy"]
        conditions = [rep["condition"]] if isinstance(rep["condition"], str) else rep["condition"]
        if rep.get("study_type"):
            study = self.pick(rep, self.evidence, rep["study_type"], "study type")
        if study is None:
            self.problem(rep, "a therapy report needs a study_type")
            return
        t_iris = [self.resolve(rep, t, "therapy") for t in therapies]
        c_iris = [self.resolve(rep, c, "condition") for c in conditions]
        names = ", ".join(therapies) + " in " + ", ".join(conditions)
        self.n_ary(iri, KG.TherapyReport, f"report: {names}")
        g = self.g
        for t in filter(None, t_iris):
            if t not in self.voc.classes and KG.Therapy not in self.classes_of(t):
                self.problem(rep, f"therapy {local(t)!r} is not a therapy or drug class")
            g.add((iri, KG.reportsTherapy, t))
        for c in filter(None, c_iris):
            self.check_range(rep, KG.reportsCondition, c)
            g.add((iri, KG.reportsCondition, c))
        for key, prop, vocab, what in (("population", KG.population, self.populations, "population"),
                                       ("direction", KG.direction, self.directions, "direction"),
                                       ("outcome", KG.reportedOutcome, self.reported_outcomes, "reported outcome"),
                                       ("route", KG.route, self.routes, "route")):
            if rep.get(key) is not None:
                value = self.pick(rep, vocab, rep[key], what)
                if value is not None:
                    g.add((iri, prop, value))
        if rep.get("refractory") is not None:
            g.add((iri, KG.refractory, Literal(bool(rep["refractory"]))))
        for key, prop in (("regimen", KG.regimen), ("basis", KG.reportBasis),
                          ("abstract_from", KG.basisSource), ("note", KG.note)):
            if rep.get(key):
                g.add((iri, prop, Literal(str(rep[key]))))
        if rep.get("basis") and rep["basis"] not in ("title", "abstract", "topic_context"):
            self.problem(rep, f"basis must be 'title', 'abstract' or 'topic_context', not {rep['basis']!r}")
        for other in rep.get("combination") or []:
            o = self.resolve(rep, str(other), "therapy")
            if o is not None:
                g.add((iri, KG.combinedWith, o))
        self.cite(iri, citation, study, rep.get("at") or locator)

    # -- one source file ------------------------------------------------------
    def source(self, doc: Record) -> None:
        pub = self.resources[str(doc["publication"]["id"])]
        tag = re.sub(r"^pub_", "", str(doc["publication"]["id"]))
        defaults = doc.get("defaults") or {}
        default_ev = defaults.get("evidence", "author_statement")
        for fact in doc.get("facts") or []:
            self.fact(fact, pub, default_ev)
        for rec in doc.get("dose_recommendations") or []:
            self.dose_recommendation(rec, pub, tag)
        for k, rep in enumerate(doc.get("therapy_reports") or [], start=1):
            rid = rep.get("id") or str(k)
            self.therapy_report(rep, KG[f"report_{tag}_{rid}"], pub, None, rep.get("at") or "text")
        for patient in doc.get("patients") or []:
            self.patient(patient, pub, tag)

    def fact(self, rec: Record, pub: URIRef, default_ev: str) -> None:
        citation = pub
        if rec.get("cite"):
            citation = self.resources.get(str(rec["cite"]))
            if citation is None:
                self.problem(rec, f"cite names unknown publication {rec['cite']!r}")
                return
        evidence = self.pick(rec, self.evidence, rec.get("evidence", default_ev), "evidence type")
        certainty = self.pick(rec, self.certainty, rec["certainty"], "certainty") if rec.get("certainty") else None
        subj = self.resolve(rec, rec["s"])
        if rec["p"] == "type":
            prop = RDF.type
        else:
            prop = KG[rec["p"]]
            if prop not in self.voc.object_properties and prop not in self.voc.datatype_properties:
                names = [local(p) for p in self.voc.object_properties | self.voc.datatype_properties] + ["type"]
                hint = close_matches(rec["p"], names)
                self.problem(rec, f"unknown property {rec['p']!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
                return
        if prop in self.voc.datatype_properties:
            obj: URIRef | Literal | None = Literal(rec["o"])
        else:
            obj = self.resolve(rec, rec["o"])
            if prop == RDF.type and obj is not None and obj not in self.voc.classes:
                self.problem(rec, f"'type' needs a class as object, {rec['o']!r} is not one")
                return
            if obj is not None and prop != RDF.type:
                self.check_range(rec, prop, obj)
        if None in (subj, obj, evidence):
            return
        refs = [int(r) for r in rec.get("refs") or []]
        locator = str(rec["at"]) + (f"; ref{'s' if len(refs) > 1 else ''} {', '.join(map(str, refs))}" if refs else "")
        if citation == self.resources.get("drugbank"):
            drugbank = [x for x in self.xrefs.get(subj, []) if x.startswith("DRUGBANK:")]
            if drugbank:
                locator = f"{drugbank[0]} ({rec['at']})"
        supporting = [self.ref_entries[(pub, n)] for n in refs if (pub, n) in self.ref_entries]
        self.assert_cited(subj, prop, obj, citation, evidence, locator, context=rec.get("context"),
                          certainty=certainty, note=rec.get("note"), supporting=supporting)

    def dose_recommendation(self, rec: Record, pub: URIRef, tag: str) -> None:
        drug = self.resolve(rec, rec["drug"], "drug")
        if drug is None:
            return
        iri = self.n_ary(KG[f"doserec_{tag}_{rec['id']}"], KG.DoseRecommendation,
                         f"{local(drug)} {rec['value']} {rec['unit']} ({rec['role']})")
        g = self.g
        g.add((iri, KG.forDrug, drug))
        g.add((iri, KG.doseValue, decimal(rec["value"])))
        g.add((iri, KG.doseUnit, Literal(rec["unit"])))
        g.add((iri, KG.doseRole, Literal(rec["role"])))
        g.add((iri, KG.indicationText, Literal(rec["indication_text"])))
        for ind in rec.get("indications") or []:
            target = self.resolve(rec, str(ind), "condition")
            if target is not None:
                g.add((iri, KG.indication, target))
        if rec.get("route"):
            route = self.pick(rec, self.routes, rec["route"], "route")
            if route is not None:
                g.add((iri, KG.route, route))
        self.cite(iri, pub, self.evidence["author_statement"], str(rec["at"]))

    def patient(self, rec: Record, pub: URIRef, tag: str) -> None:
        pid = f"{tag}_{rec['id']}"
        patient = self.n_ary(KG[f"patient_{pid}"], KG.Patient, rec["label"])
        g, case_ev = self.g, self.evidence["case_report"]
        g.add((patient, KG.describedIn, pub))
        g.add((patient, KG.age, Literal(int(rec["age"]))))
        sex = self.pick(rec, self.sexes, rec["sex"], "sex")
        if sex is not None:
            g.add((patient, KG.sex, sex))
        if rec.get("presentation"):
            g.add((patient, KG.presentationText, Literal(rec["presentation"])))
        self.cite(patient, pub, case_ev, str(rec["at"]), note=rec.get("diagnosis_note"))
        for key, prop in (("diagnoses", KG.hasDiagnosis), ("history", KG.hasHistoryOf)):
            for name in rec.get(key) or []:
                target = self.resolve(rec, str(name))
                if target is not None:
                    if prop == KG.hasDiagnosis:
                        self.check_range(rec, prop, target)
                    g.add((patient, prop, target))
        short = f"patient {tag}-{rec['id']}"
        for f in rec.get("findings") or []:
            target = self.resolve(f, f["of"], "manifestation")
            if target is None:
                continue
            node = self.n_ary(KG[f"finding_{pid}_{f['of']}"], KG.Finding, f"{f['of'].replace('_', ' ')} ({short})")
            g.add((patient, KG.hasFinding, node))
            g.add((node, KG.ofManifestation, target))
            self.check_range(f, KG.ofManifestation, target)
            status = self.pick(f, self.statuses, f.get("status", "present"), "finding status")
            if status is not None:
                g.add((node, KG.findingStatus, status))
            if f.get("site"):
                g.add((node, KG.site, Literal(f["site"])))
            self.cite(node, pub, case_ev, str(f.get("at") or rec["at"]), note=f.get("note"))
        for lab in rec.get("labs") or []:
            self.lab(lab, patient, pub, pid, short, str(rec["at"]))
        by_seq: dict[int, list[URIRef]] = defaultdict(list)
        for course in rec.get("courses") or []:
            node = self.course(course, patient, pub, pid, short, str(rec["at"]))
            if node is not None:
                by_seq[int(course["seq"])].append(node)
        for nodes in by_seq.values():
            for a in nodes:
                for b in nodes:
                    if a != b:
                        g.add((a, KG.concurrentWith, b))

    def lab(self, lab: Record, patient: URIRef, pub: URIRef, pid: str, short: str, at: str) -> None:
        test = self.resolve(lab, lab["test"], "test")
        if test is None:
            return
        is_antibody = KG.Autoantibody in self.classes_of(test)
        node = self.n_ary(KG[f"lab_{pid}_{lab['test']}"], KG.AntibodyResult if is_antibody else KG.LabResult,
                          f"{lab['test'].replace('_', ' ')} result ({short})")
        g = self.g
        g.add((patient, KG.hasLabResult, node))
        g.add((node, KG.measures, test))
        if lab.get("result"):
            value = self.pick(lab, self.interpretations, lab["result"], "result")
            if value is not None:
                g.add((node, KG.interpretation, value))
        elif is_antibody:
            self.problem(lab, "an antibody result needs result: positive, negative or not_tested")
        if lab.get("value") is not None:
            g.add((node, KG.valueNumeric, decimal(lab["value"])))
        for key, prop in (("unit", KG.unit), ("range", KG.referenceRange), ("text", KG.valueText)):
            if lab.get(key):
                g.add((node, prop, Literal(str(lab[key]))))
        self.cite(node, pub, self.evidence["case_report"], at, note=lab.get("note"))

    def course(self, c: Record, patient: URIRef, pub: URIRef, pid: str, short: str, at: str) -> URIRef | None:
        therapy = self.resolve(c, c["therapy"], "therapy")
        if therapy is None:
            return None
        if KG.Therapy not in self.classes_of(therapy):
            self.problem(c, f"{c['therapy']!r} is not a therapy (drug, product or procedure)")
        node = self.n_ary(KG[f"course_{pid}_{c['seq']}_{c['therapy']}"], KG.TreatmentCourse,
                          f"{c['therapy'].replace('_', ' ')}, course {c['seq']} ({short})")
        g = self.g
        g.add((patient, KG.hasTreatmentCourse, node))
        g.add((node, KG.usesTherapy, therapy))
        g.add((node, KG.sequencePosition, Literal(int(c["seq"]))))
        outcome = self.pick(c, self.outcomes, c["outcome"], "outcome")
        if outcome is not None:
            g.add((node, KG.hasOutcome, outcome))
        for key, prop in (("target", KG.outcomeTarget), ("indication", KG.indication)):
            if c.get(key):
                target = self.resolve(c, c[key], "condition")
                if target is not None:
                    self.check_range(c, prop, target)
                    g.add((node, prop, target))
        if c.get("route"):
            route = self.pick(c, self.routes, c["route"], "route")
            if route is not None:
                g.add((node, KG.route, route))
        duration = c["duration"]
        g.add((node, KG.durationText, Literal(duration["text"])))
        self._timed(c, duration, node, KG.durationValue, KG.durationUnit)
        if c.get("response_after"):
            ra = c["response_after"]
            self._timed(c, ra, node, KG.responseAfterValue, KG.responseAfterUnit)
            g.add((node, KG.responseAfterText, Literal(ra["text"])))
        if c.get("administrations") is not None:
            g.add((node, KG.administrations, Literal(int(c["administrations"]))))
        for key, prop in (("frequency", KG.frequencyText), ("dose_text", KG.doseText), ("detail", KG.outcomeDetail),
                          ("other_effect", KG.otherEffect), ("follow_up", KG.followUpText)):
            if c.get(key):
                g.add((node, prop, Literal(str(c[key]))))
        for n, dose in enumerate(c.get("doses") or [], start=1):
            step = self.n_ary(KG[f"{local(node)}_dose{n}"], KG.DoseStep, f"dose step {n} of {local(node)}")
            g.add((node, KG.hasDoseStep, step))
            g.add((step, KG.stepNumber, Literal(n)))
            if dose.get("value") is not None:
                g.add((step, KG.doseValue, decimal(dose["value"])))
            if dose.get("unit"):
                g.add((step, KG.doseUnit, Literal(dose["unit"])))
            text = dose.get("text") or " ".join(str(dose[k]) for k in ("value", "unit") if dose.get(k) is not None)
            if not text:
                self.problem(dose, "a dose needs a value and unit, or a text")
            g.add((step, KG.doseText, Literal(text)))
            if dose.get("start"):
                g.add((step, KG.stepStartText, Literal(dose["start"])))
        if not c.get("dose_text") and c.get("doses"):
            g.add((node, KG.doseText, Literal("; then ".join(str(g.value(s, KG.doseText))
                                                            for s in sorted(g.objects(node, KG.hasDoseStep))))))
        self.cite(node, pub, self.evidence["case_report"], str(c.get("at") or at), note=c.get("note"))
        return node

    def _timed(self, rec: Record, span: Record, node: URIRef, value_prop: URIRef, unit_prop: URIRef) -> None:
        if span.get("value") is None:
            return
        unit = span.get("unit")
        if unit not in DURATION_UNITS:
            self.problem(span, f"time unit must be one of {sorted(DURATION_UNITS)} (UCUM), got {unit!r}")
            return
        self.g.add((node, value_prop, decimal(span["value"])))
        self.g.add((node, unit_prop, Literal(unit)))

    def all_different(self) -> None:
        """Distinct IRIs are distinct individuals (needed for 'two or more courses')."""
        for cls in (KG.TreatmentCourse, KG.Patient):
            members = sorted(self.g.subjects(RDF.type, cls))
            if len(members) > 1:
                node, lst = BNode(f"alldiff_{local(cls)}"), BNode(f"alldiff_{local(cls)}_list")
                self.g.add((node, RDF.type, OWL.AllDifferent))
                self.g.add((node, OWL.distinctMembers, lst))
                Collection(self.g, lst, members)


def compile_graph(cur: Curation, tbox: Graph) -> Graph:
    """The asserted graph: TBox, entities, identifiers, publications, facts and cases."""
    return _Compiler(cur, tbox).run()


def load_tbox(ontology_dir: Path) -> Graph:
    """Parse the hand-written Turtle TBox (all ``*.ttl`` except SHACL shapes)."""
    from kg.errors import DataError as _DataError

    g = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        if path.name == "shapes.ttl":
            continue
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises BadSyntax and friends
            line = re.search(r"line (\d+)", str(exc))
            raise _DataError([(path, int(line.group(1)) if line else None, f"Turtle syntax: {exc}")]) from exc
    return g
