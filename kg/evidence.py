"""Evidence: who says a thing, where, how firmly, and how much it counts. One type, one reader.

Every cited statement in the graph has a node that carries its evidence: the
``owl:Axiom`` reifying a binary fact, or the n-ary record itself (a treatment
course, a therapy report, a dose recommendation). :class:`EvidenceReader` turns
such a node into an :class:`Evidence` record, reading the weight of its
evidence type and of its certainty from the ontology (``kg:evidenceWeight``).
Everything that shows, scores or exports a citation uses these records:

* :meth:`Evidence.text` is the one way a citation is written out;
* :func:`publication_identifier` the one way a paper's DOI/PMID/local id is chosen;
* :func:`noisy_or` the one way independent pieces of evidence are combined.

An :class:`Evidence` is also a read-only mapping (``ev["locator"]``), so it
serialises to JSON and GraphML as a plain dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import DataError, Problem
from kg.namespaces import KG, iri_to_curie

#: Weight of an edge that has no evidence record: only hand-built graphs have such edges.
UNCITED_WEIGHT = 0.1
#: The certainty of a record that states none.
STATED = "kg:stated"


def _curie(iri: Any) -> str:
    return iri_to_curie(str(iri)) or str(iri)


@dataclass(frozen=True)
class Evidence(Mapping):
    """One piece of evidence for one statement.

    Attributes
    ----------
    citation, citation_label : str
        CURIE and short label of the publication or database ("Kim 2011, Ann Dermatol").
    identifier : str
        ``doi:...``, ``PMID:...`` or the project's local id of that publication ('' if none).
    locator : str
        Where in it: section, case, reference number.
    evidence_type, evidence_label : str
        CURIE and label of the ``kg:EvidenceType`` (case report, review, ...).
    weight : float
        ``kg:evidenceWeight`` of the evidence type; ``rank`` its ``kg:evidenceRank``.
    certainty, certainty_weight
        ``kg:Certainty`` CURIE (``kg:stated`` when none is given) and its weight factor.
    context, note : str
        Condition under which it holds; curator's remark.
    supporting : tuple of str
        Publications the citing source gives as support.
    graph : str
        The named graph the statement comes from (``curated`` for the project's own).
    """

    citation: str
    citation_label: str
    identifier: str
    locator: str
    evidence_type: str = ""
    evidence_label: str = ""
    weight: float = UNCITED_WEIGHT
    rank: int = 99
    certainty: str = STATED
    certainty_weight: float = 1.0
    context: str = ""
    note: str = ""
    supporting: tuple[str, ...] = ()
    graph: str = "curated"

    # -- the mapping view ----------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key in _FIELDS:
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["supporting"] = list(self.supporting)
        return out

    # -- what people see -------------------------------------------------------------
    @property
    def counted_weight(self) -> float:
        """The weight this record adds: its type's weight times its certainty factor."""
        return self.weight * self.certainty_weight

    @property
    def link(self) -> str:
        """The resolver address of the publication's DOI or PMID ('' for a local id)."""
        return identifier_link(self.identifier)

    @property
    def identified(self) -> bool:
        """True when the publication has a DOI or PMID (not only a local id)."""
        return bool(self.link)

    def text(self, with_type: bool = False) -> str:
        """This record as :func:`citation_text` writes it."""
        return citation_text(self, with_type)

    def certainty_word(self) -> str:
        """'' for a stated claim, else 'hypothesis' / 'unestablished'."""
        return certainty_word(self.certainty)


_FIELDS = tuple(f.name for f in fields(Evidence))


def certainty_word(certainty: str | None) -> str:
    """'' for a stated claim (or none given), else the certainty's local name ('hypothesis')."""
    return "" if certainty in (None, "", STATED) else str(certainty).removeprefix("kg:")


def citation_text(record: Mapping[str, Any], with_type: bool = False) -> str:
    """The one way a citation is written: 'label [identifier], locator' (+ '(type, certainty)').

    Works on :class:`Evidence` records and on plain mappings with the same keys.

    Examples
    --------
    >>> citation_text({"citation_label": "Kim 2011, Ann Dermatol", "identifier": "doi:10.5021/x",
    ...                "locator": "Case 1"})
    'Kim 2011, Ann Dermatol [doi:10.5021/x], Case 1'
    >>> citation_text({"citation_label": "Source 000", "locator": "Discussion", "evidence_label": "case report",
    ...                "certainty": "kg:hypothesis"}, with_type=True)
    'Source 000, Discussion (case report, hypothesis)'
    """
    head = record.get("citation_label") or record.get("citation") or "unnamed source"
    if record.get("identifier"):
        head = f"{head} [{record['identifier']}]"
    if record.get("locator"):
        head = f"{head}, {record['locator']}"
    if not with_type:
        return head
    extra = [e for e in (record.get("evidence_label") or "", certainty_word(record.get("certainty"))) if e]
    return f"{head} ({', '.join(extra)})" if extra else head


def identifier_link(identifier: str) -> str:
    """``doi:10.1/x`` -> ``https://doi.org/10.1/x``; ``PMID:1`` -> PubMed; a local id -> ''."""
    prefix, sep, local = identifier.partition(":")
    if not sep or not local:
        return ""
    if prefix.lower() == "doi":
        return f"https://doi.org/{local}"
    if prefix.upper() == "PMID":
        return f"https://pubmed.ncbi.nlm.nih.gov/{local}/"
    return ""


def publication_identifier(graph: Graph, pub: URIRef) -> str:
    """``doi:...``, ``PMID:...`` or the local id of a publication ('' if none), in that order."""
    for prop, prefix in ((KG.doi, "doi:"), (KG.pmid, "PMID:"), (KG.localId, "")):
        value = graph.value(pub, prop)
        if value is not None:
            return f"{prefix}{value}"
    return ""


def noisy_or(weights: Iterable[float]) -> float:
    """Probability that at least one of several independent pieces of evidence holds.

    Examples
    --------
    >>> noisy_or([0.5, 0.5])
    0.75
    >>> noisy_or([])
    0.0
    """
    miss = 1.0
    for w in weights:
        miss *= 1.0 - min(max(float(w), 0.0), 1.0)
    return 1.0 - miss


@dataclass
class EvidenceReader:
    """Reads evidence records from one graph; the weights come from its ontology.

    Build one per graph (``EvidenceReader.of(graph)``) and ask it for the evidence of
    any statement node; publications are looked up once each.
    """

    graph: Graph
    types: dict[URIRef, tuple[str, str, float, int]] = field(default_factory=dict)     # curie, label, weight, rank
    certainties: dict[URIRef, tuple[str, float]] = field(default_factory=dict)          # curie, weight
    _pubs: dict[URIRef, tuple[str, str]] = field(default_factory=dict)                  # label, identifier

    @classmethod
    def of(cls, graph: Graph) -> EvidenceReader:
        """A reader for ``graph``; every evidence type and certainty must have a weight."""
        reader = cls(graph)
        missing = []
        for ev in graph.subjects(RDF.type, KG.EvidenceType):
            weight, rank = graph.value(ev, KG.evidenceWeight), graph.value(ev, KG.evidenceRank)
            if weight is None or rank is None:
                missing.append(_curie(ev))
                continue
            reader.types[ev] = (_curie(ev), str(graph.value(ev, RDFS.label) or _curie(ev)), float(weight), int(rank))
        for c in graph.subjects(RDF.type, KG.Certainty):
            weight = graph.value(c, KG.evidenceWeight)
            if weight is None:
                missing.append(_curie(c))
                continue
            reader.certainties[c] = (_curie(c), float(weight))
        if missing:
            raise DataError([Problem("ontology/kg.ttl", None, f"{m} has no kg:evidenceWeight/kg:evidenceRank")
                             for m in sorted(missing)])
        return reader

    def publication(self, pub: URIRef) -> tuple[str, str]:
        """(label, identifier) of a publication."""
        if pub not in self._pubs:
            self._pubs[pub] = (str(self.graph.value(pub, RDFS.label) or _curie(pub)),
                               publication_identifier(self.graph, pub))
        return self._pubs[pub]

    def evidence_type(self, curie: str) -> tuple[str, str, float, int]:
        """(curie, label, weight, rank) of an evidence type given by CURIE."""
        for value in self.types.values():
            if value[0] == curie:
                return value
        raise KeyError(curie)

    def read(self, node: Any, graph_name: str = "curated") -> Evidence | None:
        """The evidence a statement node carries, or None when it cites nothing."""
        g = self.graph
        pub = g.value(node, KG.citation)
        if pub is None:
            return None
        label, ident = self.publication(pub)
        ev_type = g.value(node, KG.evidenceType)
        t_curie, t_label, weight, rank = self.types.get(ev_type, ("", "", UNCITED_WEIGHT, 99))
        certainty = g.value(node, KG.certainty)
        c_curie, c_weight = self.certainties.get(certainty, (STATED, 1.0))
        return Evidence(citation=_curie(pub), citation_label=label, identifier=ident,
                        locator=str(g.value(node, KG.locator) or ""), evidence_type=t_curie,
                        evidence_label=t_label, weight=weight, rank=rank, certainty=c_curie,
                        certainty_weight=c_weight, context=str(g.value(node, KG.context) or ""),
                        note=str(g.value(node, KG.note) or ""),
                        supporting=tuple(sorted(_curie(r) for r in g.objects(node, KG.supportingReference))),
                        graph=graph_name)


def record_weight(record: Mapping[str, Any], certainty: Mapping[str, float] | None = None) -> float:
    """The weight one evidence record adds (type weight × certainty factor), for records or plain dicts.

    ``certainty`` maps certainty CURIEs to factors for hand-built records that carry
    no ``certainty_weight``.
    """
    factor = record.get("certainty_weight")
    if factor is None:
        factor = (certainty or {}).get(record.get("certainty", STATED), 1.0)
    return float(record.get("weight", UNCITED_WEIGHT)) * float(factor)
