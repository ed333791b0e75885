"""What every curated record may hold: one declarative table per record kind.

Each :class:`Kind` lists its keys; each :class:`Key` says the value's type,
whether it is required, its vocabulary, and where it goes in the graph: the
RDF property ``prop`` written on the record's node, or a ``handler`` note
naming the compiler function that needs logic for it. Shape checking
(:mod:`kg.curation.shape`) and compilation (:mod:`kg.compile`) both read this
table; nothing else lists the keys.

Vocabularies are TBox classes whose individuals are the allowed values
(``Vocab(KG.Outcome)``), or, where the graph stores a plain string, a small
fixed set declared here (``Vocab(values=...)``).

Examples
--------
>>> SPECS["course"].keys["outcome"].vocab.cls
rdflib.term.URIRef('https://w3id.org/dmkg/Outcome')
>>> [k.name for k in SPECS["duration"].keys.values() if k.required]
['text']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.namespaces import DEFINITION, KG

# Value types. ``text`` accepts numbers (volume: 23) and stores them as text.
TEXT, NAME, ID, INT, NUMBER, BOOL = "text", "name", "id", "int", "number", "bool"
LIST, MAP, TEXT_OR_LIST, TEXT_OR_MAP = "list", "map", "text-or-list", "text-or-map"

#: A NAME becomes part of an IRI: letters, digits, ``_ . -``.
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


@dataclass(frozen=True)
class Vocab:
    """The allowed values of a key.

    ``cls``: the individuals of this TBox class (matched by local name or label,
    case- and space-insensitively), or, with ``subclasses``, its subclasses;
    with ``by`` the value is matched exactly against that literal property of
    the individuals (``skos:notation``) and stored as the literal.
    ``values``: a fixed set of strings, stored as literals, when the TBox has none.
    """

    cls: URIRef | None = None
    values: tuple[str, ...] = ()
    by: URIRef | None = None
    subclasses: bool = False


@dataclass(frozen=True)
class Key:
    """One key of a record kind.

    ``item`` is the element type of a list (a value type or a record kind), or
    the record kind of a mapping. ``what`` names the key's values in messages
    (``unknown therapy 'x'``). ``low``/``high`` bound numbers (inclusive);
    ``pattern`` (a regex, with ``pattern_says`` explaining it) constrains text;
    ``check`` names an extra check in :mod:`kg.curation.shape` (``curie``).
    """

    name: str
    type: str = TEXT
    required: bool = False
    prop: URIRef | None = None
    handler: str | None = None
    vocab: Vocab | None = None
    item: str | None = None
    what: str = "entity"
    default: Any = None
    low: float | None = None
    high: float | None = None
    pattern: str | None = None
    pattern_says: str = ""
    check: str | None = None


@dataclass(frozen=True)
class Kind:
    """One record kind: its name (``dose_recommendation``) and its keys in order."""

    name: str
    keys: dict[str, Key] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.name.replace("_", " ")

    def required(self) -> list[str]:
        return [k.name for k in self.keys.values() if k.required]


def _kind(name: str, *keys: Key) -> Kind:
    return Kind(name, {k.name: k for k in keys})


EVIDENCE = Vocab(KG.EvidenceType)
ROUTE = Vocab(KG.Route)
TIME_UNIT = Vocab(KG.TimeUnit, by=SKOS.notation)
#: How a therapy report was read; the graph stores the word (kg:reportBasis).
BASES = ("title", "abstract", "topic_context")
AT = "locator (kg:locator on the statement node)"

KINDS: tuple[Kind, ...] = (
    _kind("entity",
          Key("id", NAME, True, handler="names: the entity is kg:<id>", pattern=r"[a-z][a-z0-9_]*",
              pattern_says="must be lower_snake_case ascii"),
          Key("type", TEXT, True, prop=RDF.type, handler="entities: a TBox class"),
          Key("label", TEXT, True, prop=RDFS.label),
          Key("definition", TEXT, True, prop=DEFINITION),
          Key("synonyms", LIST, item=TEXT, prop=SKOS.altLabel),
          Key("subtype_of", LIST, item=ID, prop=KG.subtypeOf),
          Key("member_of", LIST, item=ID, prop=KG.memberOf),
          Key("components", LIST, item=ID, prop=KG.hasComponent, what="disease")),
    _kind("publication",
          Key("id", NAME, True, handler="names: the publication is kg:<id>"),
          Key("title", TEXT, True, prop=DCTERMS.title),
          Key("kind", TEXT, prop=RDF.type, vocab=Vocab(KG.InformationResource, subclasses=True),
              what="kind", default="publication", handler="publications: the resource's class"),
          Key("keyed_by", TEXT, handler="facts: a fact citing this database is located by the subject's "
                                        "identifier with this prefix"),
          Key("authors", TEXT, prop=KG.authors),
          Key("first_author", TEXT, prop=KG.firstAuthor, handler="publications: else from authors"),
          Key("journal", TEXT, prop=KG.journal),
          Key("year", INT, prop=KG.year, low=1000, high=2200),
          Key("volume", TEXT, prop=KG.volume),
          Key("issue", TEXT, prop=KG.issue),
          Key("pages", TEXT, prop=KG.pages),
          Key("doi", TEXT, prop=KG.doi, handler="publications: also an xref DOI:<doi>", check="doi"),
          Key("pmid", TEXT, prop=KG.pmid, handler="publications: also an xref PMID:<pmid>", check="pmid"),
          Key("pmcid", TEXT, prop=KG.pmcid, handler="publications: also an xref PMC:PMC<n>", check="pmcid"),
          Key("local_id", TEXT, prop=KG.localId),  # generated (dmkg-pub-<id>) when there is no DOI or PMID
          Key("ids_from", TEXT, prop=KG.idsFrom),
          Key("study_type", TEXT, prop=KG.studyType, vocab=EVIDENCE, what="study type"),
          Key("cases_reported", INT, prop=KG.casesReported, low=0),
          Key("note", TEXT, prop=KG.note),
          Key("language", TEXT, prop=KG.language)),
    _kind("source_file",
          Key("publication", MAP, True, item="publication", handler="publications"),
          Key("defaults", MAP, item="defaults", handler="sources: defaults for the facts"),
          Key("facts", LIST, item="fact", handler="facts"),
          Key("patients", LIST, item="patient", handler="cases"),
          Key("dose_recommendations", LIST, item="dose_recommendation", handler="doses"),
          Key("therapy_reports", LIST, item="therapy_report", handler="reports")),
    _kind("defaults",
          Key("evidence", TEXT, vocab=EVIDENCE, what="evidence type", default="author_statement",
              handler="facts: evidence of facts that give none")),
    _kind("fact",
          Key("s", ID, True, handler="facts: the subject"),
          Key("p", TEXT, True, handler="facts: a TBox property, or 'type'"),
          Key("o", TEXT, True, handler="facts: an entity or class, or a literal for a data property"),
          Key("at", TEXT, True, handler=AT),
          Key("evidence", TEXT, vocab=EVIDENCE, what="evidence type", handler="facts: kg:evidenceType"),
          Key("refs", LIST, item=INT, low=1, handler="facts: locator and kg:supportingReference"),
          Key("context", TEXT, prop=KG.context),
          Key("certainty", TEXT, prop=KG.certainty, vocab=Vocab(KG.Certainty), what="certainty"),
          Key("note", TEXT, prop=KG.note),
          Key("after_failure_of", LIST, item=ID, prop=KG.afterFailureOf, what="therapy"),
          Key("unit", TEXT, prop=KG.valueUnit),
          Key("cite", TEXT, handler="facts: kg:citation, instead of the file's publication")),
    _kind("dose_recommendation",
          Key("id", NAME, True, handler="doses: the node is kg:doserec_<source>_<id>"),
          Key("drug", ID, True, prop=KG.forDrug, what="drug", handler="doses: names the node"),
          Key("value", NUMBER, True, prop=KG.doseValue, low=0),
          Key("unit", TEXT, True, prop=KG.doseUnit),
          Key("role", TEXT, True, prop=KG.doseRole),
          Key("indication_text", TEXT, True, prop=KG.indicationText),
          Key("indications", LIST, item=ID, prop=KG.indication, what="condition"),
          Key("route", TEXT, prop=KG.route, vocab=ROUTE, what="route"),
          Key("at", TEXT, True, handler=AT)),
    _kind("patient",
          Key("id", NAME, True, handler="cases: the node is kg:patient_<source>_<id>"),
          Key("label", TEXT, True, prop=RDFS.label, handler="cases: the node's label"),
          Key("at", TEXT, True, handler=AT),
          Key("age", INT, True, prop=KG.age, low=0, high=150),
          Key("sex", TEXT, True, prop=KG.sex, vocab=Vocab(KG.Sex), what="sex"),
          Key("presentation", TEXT, prop=KG.presentationText),
          Key("diagnoses", LIST, True, item=ID, prop=KG.hasDiagnosis),
          Key("history", LIST, item=ID, prop=KG.hasHistoryOf),
          Key("diagnosis_note", TEXT, prop=KG.note),
          Key("findings", LIST, item="finding", handler="cases"),
          Key("labs", LIST, item="lab", handler="cases"),
          Key("prior_treatment_span", MAP, item="duration", handler="doses: kg:priorTreatmentSpan{Value,Unit,Text}"),
          Key("courses", LIST, True, item="course", handler="cases")),
    _kind("finding",
          Key("of", ID, True, prop=KG.ofManifestation, what="manifestation", handler="cases: names the node"),
          Key("status", TEXT, prop=KG.findingStatus, vocab=Vocab(KG.FindingStatus), what="finding status",
              default="present"),
          Key("site", TEXT, prop=KG.site),
          Key("note", TEXT, prop=KG.note),
          Key("at", TEXT, handler=AT + "; else the patient's")),
    _kind("lab",
          Key("test", ID, True, prop=KG.measures, what="test", handler="cases: names the node; an "
                                                                       "autoantibody makes it an AntibodyResult"),
          Key("result", TEXT, prop=KG.interpretation, vocab=Vocab(KG.ResultInterpretation), what="result"),
          Key("value", NUMBER, prop=KG.valueNumeric),
          Key("unit", TEXT, prop=KG.unit),
          Key("range", TEXT, prop=KG.referenceRange),
          Key("text", TEXT, prop=KG.valueText),
          Key("note", TEXT, prop=KG.note)),
    _kind("course",
          Key("seq", INT, True, prop=KG.sequencePosition, low=0),
          Key("therapy", ID, True, prop=KG.usesTherapy, what="therapy", handler="cases: names the node"),
          Key("outcome", TEXT, True, prop=KG.hasOutcome, vocab=Vocab(KG.Outcome), what="outcome"),
          Key("target", TEXT_OR_LIST, item=ID, prop=KG.outcomeTarget, what="condition"),
          Key("route", TEXT, prop=KG.route, vocab=ROUTE, what="route"),
          Key("doses", LIST, item="dose", handler="doses: one kg:DoseStep each"),
          Key("dose_text", TEXT, prop=KG.doseText, handler="doses: else joined from the dose steps"),
          Key("frequency", TEXT, prop=KG.frequencyText),
          Key("duration", MAP, True, item="duration", handler="doses: kg:duration{Value,Unit,Text}"),
          Key("administrations", INT, prop=KG.administrations, low=0),
          Key("response_after", MAP, item="duration", handler="doses: kg:responseAfter{Value,Unit,Text}"),
          Key("detail", TEXT, prop=KG.outcomeDetail),
          Key("other_effect", TEXT, prop=KG.otherEffect),
          Key("follow_up", TEXT, prop=KG.followUpText),
          Key("note", TEXT, prop=KG.note),
          Key("indication", ID, prop=KG.indication, what="condition"),
          Key("alongside", LIST, item="course_ref",
              handler="cases: kg:concurrentWith each named course of the same patient (courses with one seq are "
                      "concurrent already)"),
          Key("at", TEXT, handler=AT + "; else the patient's")),
    _kind("course_ref",
          Key("seq", INT, True, low=0, handler="cases: the other course's position"),
          Key("therapy", ID, True, what="therapy", handler="cases: the other course's therapy")),
    _kind("dose",
          Key("value", NUMBER, prop=KG.doseValue, low=0),
          Key("unit", TEXT, prop=KG.doseUnit),
          Key("text", TEXT, prop=KG.doseText, handler="doses: else '<value> <unit>'"),
          Key("start", TEXT, prop=KG.stepStartText),
          Key("schedule", TEXT, prop=KG.schedule, vocab=Vocab(KG.DosingFrequency), what="schedule")),
    _kind("duration",
          Key("value", NUMBER, low=0, handler="doses: the value property of the span"),
          Key("unit", TEXT, vocab=TIME_UNIT, what="time unit", handler="doses: the unit property of the span"),
          Key("text", TEXT, True, handler="doses: the text property of the span")),
    _kind("therapy_report",
          Key("id", NAME, handler="reports: the node is kg:report_<source>_<id> (else its position)"),
          Key("therapy", TEXT_OR_LIST, True, item=ID, prop=KG.reportsTherapy, what="therapy",
              handler="reports: a therapy or drug class"),
          Key("condition", TEXT_OR_LIST, True, item=ID, prop=KG.reportsCondition, what="condition"),
          Key("population", TEXT, True, prop=KG.population, vocab=Vocab(KG.Population), what="population"),
          Key("direction", TEXT, True, prop=KG.direction, vocab=Vocab(KG.Direction), what="direction"),
          Key("study_type", TEXT, vocab=EVIDENCE, what="study type",
              handler="reports: kg:evidenceType; else the reference's study type"),
          Key("refractory", BOOL, prop=KG.refractory),
          Key("basis", TEXT, prop=KG.reportBasis, vocab=Vocab(values=BASES), what="basis"),
          Key("abstract_from", TEXT, prop=KG.basisSource),
          Key("regimen", TEXT, prop=KG.regimen),
          Key("route", TEXT, prop=KG.route, vocab=ROUTE, what="route"),
          Key("combination", LIST, item=ID, prop=KG.combinedWith, what="therapy"),
          Key("outcome", TEXT, prop=KG.reportedOutcome, vocab=Vocab(KG.ReportedOutcome), what="reported outcome"),
          Key("note", TEXT, prop=KG.note),
          Key("at", TEXT, handler=AT)),
    _kind("reference_file",
          Key("list_of", TEXT, True, handler="references: the citing publication"),
          Key("references", LIST, True, item="reference", handler="references")),
    _kind("reference",
          Key("n", INT, True, low=1, handler="references: kg:referenceNumber of the entry"),
          Key("pub", TEXT_OR_MAP, True, item="publication", handler="references: kg:refersTo"),
          Key("study_type", TEXT, True, vocab=EVIDENCE, what="study type",
              handler="references: the cited publication's kg:studyType unless it has one"),
          Key("reports", LIST, True, item="therapy_report", handler="reports")),
    _kind("identifier",
          Key("entity", ID, True, handler="entities: the entity the identifier is for"),
          Key("curie", TEXT, True, handler="entities: oboInOwl:hasDbXref and skos:exactMatch", check="curie"),
          Key("matched_label", TEXT, True, handler="kept in the file: the label the identifier was matched on"),
          Key("evidence", TEXT, True, handler="kept in the file: where the identifier was verified")),
)

#: Record kind name -> its spec.
SPECS: dict[str, Kind] = {kind.name: kind for kind in KINDS}

#: Columns of data/identifiers.tsv, in order.
IDENTIFIER_COLUMNS = tuple(SPECS["identifier"].keys)
