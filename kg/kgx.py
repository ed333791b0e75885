"""KGX (the Biolink Model's graph exchange format) read as a stream of N-Triples.

Inputs are KGX TSV (a ``*nodes.tsv`` and an ``*edges.tsv``, multi-valued
fields split on ``|``) or KGX JSON Lines (``*nodes.jsonl``, ``*edges.jsonl``,
lists as JSON arrays), each optionally gzipped. :func:`kgx_triples` converts
rows one at a time, so memory does not grow with the file (only the map of
identifiers to IRIs does).

How a row becomes RDF (the pattern later analyses read)::

    # node row: id, category, name, other columns
    <id>  rdf:type    <category> ;           # every category (biolink:Gene, ...)
          rdfs:label  "name" ;
          biolink:COLUMN  value .            # every other non-empty column

    # edge row: subject, predicate, object, other columns
    <subject>  <predicate>  <object> .       # the direct triple: plain queries need nothing else
    <edge>  rdf:type  rdf:Statement, <category> ;
            rdf:subject <subject> ; rdf:predicate <predicate> ; rdf:object <object> ;
            biolink:COLUMN  value .          # knowledge_level, agent_type, primary_knowledge_source,
                                             # publications, object_direction_qualifier, ...

The statement node (RDF reification, no RDF-star) is written only for an edge
that has a column besides ``id``, ``subject``, ``predicate`` and ``object``.
Its IRI is the edge's ``id`` (an IRI or ``urn:`` as given, a CURIE expanded, a
bare UUID as ``urn:uuid:...``), else ``<import>/edge/<line>`` (``<import>/edge/<k>-<line>``
for the k-th edges file after the first). ``COLUMN`` is the Biolink slot of
that name (``https://w3id.org/biolink/vocab/COLUMN``); a column named by a
CURIE is that CURIE's IRI. So the sign of an edge is on its statement node:
``biolink:object_direction_qualifier "increased"`` / ``"decreased"``
under ``biolink:affects``, or in the predicate itself (``biolink:positively_regulates``).

Identifiers (CURIEs) become IRIs through :data:`kg.namespaces.IRI_STEMS` (the
curated graph's own choice, so imported DrugBank or MONDO entities meet the
curated ones' ``skos:exactMatch``), then any ``prefixes`` given. A CURIE of
another prefix becomes ``<import>/PREFIX/LOCAL`` and is counted per prefix
in the report; values of the columns in :data:`IRI_COLUMNS` are always
identifiers, other values only when they are a CURIE of a known prefix.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote, unquote

from kg.errors import DataError, Problem
from kg.namespaces import IRI_STEMS

BIOLINK = "https://w3id.org/biolink/vocab/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF_TYPE = f"<{RDF_NS}type>"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Columns whose values are identifiers (CURIEs or IRIs), never text.
IRI_COLUMNS = frozenset({
    "id", "subject", "predicate", "object", "category", "relation", "qualified_predicate",
    "primary_knowledge_source", "aggregator_knowledge_source", "knowledge_source", "provided_by",
    "publications", "xref", "same_as", "in_taxon", "has_evidence", "iri",
})
#: Columns that hold several values (split on "|" in TSV).
MULTI_COLUMNS = frozenset({
    "category", "publications", "xref", "synonym", "provided_by", "aggregator_knowledge_source",
    "knowledge_source", "same_as", "in_taxon", "has_evidence", "qualifiers",
})
NODE_REQUIRED = ("id",)
EDGE_REQUIRED = ("subject", "predicate", "object")
_EDGE_CORE = frozenset({"id", "subject", "predicate", "object"})
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9._-]*):(\S+)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def nt_string(text: str) -> str:
    """An N-Triples string literal.

    Examples
    --------
    >>> nt_string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{text}"'


@dataclass
class Identifiers:
    """CURIE -> ``<IRI>`` for one import, remembering which prefixes had no known IRI.

    Examples
    --------
    >>> ids = Identifiers("https://w3id.org/dmkg/import/demo/")
    >>> ids.iri("MONDO:0016367"), ids.iri("FOO:1")
    ('<http://purl.obolibrary.org/obo/MONDO_0016367>', '<https://w3id.org/dmkg/import/demo/FOO/1>')
    >>> dict(ids.unmapped)
    {'FOO': 1}
    """

    fallback: str
    prefixes: dict[str, str] = field(default_factory=dict)
    unmapped: Counter = field(default_factory=Counter)
    _cache: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stems = {**IRI_STEMS, **{k.upper(): v for k, v in self.prefixes.items()}}

    def iri(self, value: str) -> str:
        """``<IRI>`` of a CURIE, an IRI or ``urn:`` (as is) or a bare UUID; ValueError if it is not an identifier."""
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        if _NOT_IRI.search(value):
            raise ValueError(f"{value!r} is not a CURIE or IRI (it contains a space or one of <>\"{{}}|\\^`)")
        if value.startswith(("http://", "https://", "urn:")):
            out = f"<{value}>"
        elif _UUID.fullmatch(value):
            out = f"<urn:uuid:{value.lower()}>"
        else:
            prefix, sep, local = value.partition(":")
            stem = self._stems.get(prefix.upper()) if sep else None
            if stem is not None and local:
                out = f"<{stem}{quote(local, safe=_SAFE)}>"
            else:
                key = prefix if sep else ""
                self.unmapped[key] += 1
                local = local if sep else value
                out = f"<{self.fallback}{quote(key, safe='._-') or '_'}/{quote(local, safe=_SAFE)}>"
        self._cache[value] = out
        return out

    def known(self, value: str) -> bool:
        """True when ``value`` is a CURIE of a prefix with a known IRI (so a value, not text, in any column)."""
        match = _CURIE.fullmatch(value)
        return bool(match) and match.group(1).upper() in self._stems


_SAFE = "/:@!$&'()*+,;=._~-%#?"


@dataclass
class KGXCounts:
    """What a conversion saw."""

    nodes: int = 0
    edges: int = 0
    dangling: int = 0         # edges whose subject or object no nodes file lists
    node_ids: set = field(default_factory=set)
    endpoints: set = field(default_factory=set)   # every edge's subject and object, as the file gives them
    predicates: Counter = field(default_factory=Counter)  # (predicate IRI, direction qualifier or '') -> edge rows

    def identifiers(self) -> set[str]:
        """Every node identifier the files name (listed in a nodes file or at an end of an edge)."""
        return self.node_ids | self.endpoints


def fallback_parts(iri: str, graph_iri: str) -> tuple[str, str] | None:
    """``(prefix, local)`` of an IRI that :meth:`Identifiers.iri` minted in import ``graph_iri``, else None.

    A CURIE of a prefix without a known IRI becomes ``<graph>/PREFIX/LOCAL`` (percent-encoded);
    this reads it back, so the minting and the reading live in one module.

    Examples
    --------
    >>> g = "https://w3id.org/dmkg/graph/import/het"
    >>> fallback_parts(g + "/Compound/:DB00091", g), fallback_parts(g + "/FOO/a%20b", g)
    (('Compound', ':DB00091'), ('FOO', 'a b'))
    >>> fallback_parts("http://purl.obolibrary.org/obo/MONDO_0016367", g), fallback_parts(g + "/FOO", g)
    (None, None)
    """
    stem = graph_iri + "/"
    if not iri.startswith(stem):
        return None
    prefix, _, local = unquote(iri[len(stem):]).partition("/")
    return (prefix, local) if local else None


class Converter:
    """Turns KGX node and edge records into N-Triples lines for one import."""

    def __init__(self, base: str, prefixes: dict[str, str] | None = None) -> None:
        self.base = base                      # the import's namespace, ending in "/"
        self.ids = Identifiers(base, dict(prefixes or {}))
        self.counts = KGXCounts()
        self._props: dict[str, str] = {}
        self.edge_file = 0

    def prop(self, column: str) -> str:
        hit = self._props.get(column)
        if hit is None:
            if column == "name":
                hit = RDFS_LABEL
            elif column == "category":
                hit = RDF_TYPE
            elif ":" in column:
                hit = self.ids.iri(column)
            else:
                hit = f"<{BIOLINK}{quote(column, safe='_-.')}>"
            self._props[column] = hit
        return hit

    def term(self, column: str, value: Any) -> str:
        """The N-Triples term of one value of ``column``."""
        if isinstance(value, bool):
            return f'"{str(value).lower()}"^^<{XSD}boolean>'
        if isinstance(value, int):
            return f'"{value}"^^<{XSD}integer>'
        if isinstance(value, float):
            return f'"{value!r}"^^<{XSD}double>'
        if not isinstance(value, str):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
            return nt_string(value)
        if column in IRI_COLUMNS or self.ids.known(value):
            return self.ids.iri(value)
        return nt_string(value)

    def node(self, record: dict[str, Any]) -> list[str]:
        node_id = record["id"][0]
        s = self.ids.iri(node_id)
        self.counts.nodes += 1
        self.counts.node_ids.add(node_id)
        out = []
        for column, values in record.items():
            if column == "id":
                continue
            p = self.prop(column)
            out += [f"{s} {p} {self.term(column, v)} .\n" for v in values]
        return out

    def edge(self, record: dict[str, Any], line: int) -> list[str]:
        s = self.ids.iri(record["subject"][0])
        p = self.ids.iri(record["predicate"][0])
        o = self.ids.iri(record["object"][0])
        counts = self.counts
        counts.edges += 1
        counts.endpoints.add(record["subject"][0])
        counts.endpoints.add(record["object"][0])
        qualifier = record.get("object_direction_qualifier")
        counts.predicates[p[1:-1], qualifier[0] if qualifier and isinstance(qualifier[0], str) else ""] += 1
        out = [f"{s} {p} {o} .\n"]
        extra = [c for c in record if c not in _EDGE_CORE]
        if not extra:
            return out
        if "id" in record:
            e = self.ids.iri(record["id"][0])
        else:
            e = f"<{self.base}edge/{line if self.edge_file <= 1 else f'{self.edge_file}-{line}'}>"
        out += [f"{e} {RDF_TYPE} <{RDF_NS}Statement> .\n", f"{e} <{RDF_NS}subject> {s} .\n",
                f"{e} <{RDF_NS}predicate> {p} .\n", f"{e} <{RDF_NS}object> {o} .\n"]
        for column in extra:
            q = self.prop(column)
            out += [f"{e} {q} {self.term(column, v)} .\n" for v in record[column]]
        return out

    def count_dangling(self, record: dict[str, Any]) -> None:
        ids = self.counts.node_ids
        if ids and (record["subject"][0] not in ids or record["object"][0] not in ids):
            self.counts.dangling += 1


# ---------------------------------------------------------------------------
# Reading rows
# ---------------------------------------------------------------------------

def tsv_records(lines: Iterable[bytes], where: str, kind: str) -> Iterator[tuple[int, dict[str, list]]]:
    """(line number, record) of a KGX TSV file: each value a list (multi-valued columns split on "|")."""
    required = NODE_REQUIRED if kind == "nodes" else EDGE_REQUIRED
    header: list[str] | None = None
    for number, raw in enumerate(lines, 1):
        text = _decode(raw, where, number).rstrip("\r\n")
        if header is None:
            header = text.split("\t")
            missing = [c for c in required if c not in header]
            if missing:
                raise DataError([Problem(where, 1, f"a KGX {kind} file needs the column(s) {', '.join(missing)}; "
                                                   f"its header has {', '.join(header)[:200]}", code="data.kgx")])
            multi = [c in MULTI_COLUMNS for c in header]
            continue
        if not text:
            continue
        fields = text.split("\t")
        if len(fields) != len(header):
            raise DataError([Problem(where, number, f"{len(fields)} tab-separated fields but the header has "
                                                    f"{len(header)}", code="data.kgx")])
        record = {}
        for column, value, many in zip(header, fields, multi):
            if value:
                record[column] = value.split("|") if many else [value]
        for column in required:
            if column not in record:
                raise DataError([Problem(where, number, f"column {column!r} ({header.index(column) + 1}) is empty; "
                                                        f"every {kind[:-1]} needs one", code="data.kgx")])
        yield number, record
    if header is None:
        raise DataError([Problem(where, None, f"is empty: a KGX {kind} file starts with a header line",
                                 code="data.kgx")])


def jsonl_records(lines: Iterable[bytes], where: str, kind: str) -> Iterator[tuple[int, dict[str, list]]]:
    """(line number, record) of a KGX JSON Lines file, each value a list."""
    required = NODE_REQUIRED if kind == "nodes" else EDGE_REQUIRED
    for number, raw in enumerate(lines, 1):
        text = _decode(raw, where, number).strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError([Problem(where, number, f"not valid JSON at column {exc.colno}: {exc.msg}",
                                     code="data.kgx")]) from None
        if not isinstance(data, dict):
            raise DataError([Problem(where, number, f"a KGX {kind} line is a JSON object, not "
                                                    f"{type(data).__name__}", code="data.kgx")])
        record = {}
        for column, value in data.items():
            values = value if isinstance(value, list) else [value]
            values = [v for v in values if v is not None and v != ""]
            if values:
                record[column] = values
        for column in required:
            if column not in record or not isinstance(record[column][0], str):
                raise DataError([Problem(where, number, f"key {column!r} is missing or not a string; every "
                                                        f"{kind[:-1]} needs one", code="data.kgx")])
        yield number, record


def _decode(raw: bytes, where: str, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(where, number, f"not valid UTF-8 at byte {exc.start} of the line",
                                 code="data.encoding")]) from None


@dataclass(frozen=True)
class KGXFile:
    """One KGX file to read: a name for messages, its kind, its syntax and how to open it (binary lines)."""

    where: str
    kind: str                       # "nodes" | "edges"
    syntax: str                     # "tsv" | "jsonl"
    open: Callable[[], IO[bytes]]


def kgx_triples(files: list[KGXFile], converter: Converter, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """N-Triples of every record of ``files`` (nodes files first), in chunks of about ``chunk_bytes``."""
    ordered = sorted(files, key=lambda f: f.kind != "nodes")
    for file in ordered:
        reader = tsv_records if file.syntax == "tsv" else jsonl_records
        if file.kind == "edges":
            converter.edge_file += 1
        buffer: list[str] = []
        size = 0
        with file.open() as handle:
            for number, record in reader(handle, file.where, file.kind):
                try:
                    if file.kind == "nodes":
                        lines = converter.node(record)
                    else:
                        converter.count_dangling(record)
                        lines = converter.edge(record, number)
                except ValueError as exc:
                    column = _bad_column(record, converter)
                    raise DataError([Problem(file.where, number, f"column {column!r}: {exc}",
                                             code="data.kgx")]) from None
                buffer += lines
                size += 100 * len(lines)
                if size >= chunk_bytes:
                    yield "".join(buffer).encode("utf-8")
                    buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode("utf-8")


def _bad_column(record: dict[str, list], converter: Converter) -> str:
    """The first column of ``record`` whose value is not a valid identifier."""
    for column, values in record.items():
        for value in values:
            if isinstance(value, str) and (column in IRI_COLUMNS or column == "id"):
                try:
                    converter.ids.iri(value)
                except ValueError:
                    return column
    return "?"
