"""Query results: rows of RDF terms, written as table, CSV, TSV or SPARQL JSON, and compared."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import FormatError
from kg.lookup import NameIndex
from kg.namespaces import iri_to_curie


@dataclass
class QueryResult:
    """Rows of a SELECT (terms or None), or the answer of an ASK.

    ``graph`` is the graph whose names the query's IRIs are read against (set by
    :func:`kg.query.run_query`), used for label columns and readable tables.
    """

    variables: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = field(default=None, repr=False, compare=False)
    _index: NameIndex | None = field(default=None, repr=False, compare=False)

    @property
    def index(self) -> NameIndex | None:
        """Names of the graph the query was read against (built on first use, then kept with the result)."""
        if self._index is None and self.graph is not None:
            self._index = NameIndex.of(self.graph)
        return self._index

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.variables.index(name)
        return [row[i] for row in self.rows]

    def with_labels(self, index: NameIndex | None = None) -> QueryResult:
        """A copy with a ``…Label`` column after every column holding IRIs that has none yet."""
        index = index or self.index
        if index is None or self.boolean is not None:
            return self
        variables, picks = [], []
        for i, var in enumerate(self.variables):
            variables.append(var)
            picks.append((i, False))
            holds_iris = any(isinstance(row[i], URIRef) for row in self.rows)
            if holds_iris and f"{var}Label" not in self.variables:
                variables.append(f"{var}Label")
                picks.append((i, True))
        rows = [tuple((Literal(index.label(row[i])) if isinstance(row[i], URIRef) else None) if label else row[i]
                      for i, label in picks) for row in self.rows]
        return QueryResult(variables=variables, rows=rows, graph=self.graph, _index=index)

    def to_dataframe(self, labels: bool = True):
        """A pandas DataFrame: IRIs as strings, literals as Python values (numbers, booleans, dates).

        With ``labels`` (the default) every IRI column has a ``…Label`` column beside it.
        Needs pandas (``pip install 'dmkg[analysis]'``).
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise FormatError("to_dataframe needs pandas: pip install 'dmkg[analysis]'") from exc
        result = self.with_labels() if labels else self
        if result.boolean is not None:
            return pd.DataFrame({"boolean": [result.boolean]})

        def value(term: Any) -> Any:
            if term is None:
                return None
            if isinstance(term, Literal):
                return term.toPython()
            return str(term)

        return pd.DataFrame([[value(t) for t in row] for row in result.rows], columns=result.variables)


FORMATS = ("table", "csv", "tsv", "json")


def to_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2)
    bindings = []
    for row in result.rows:
        item = {}
        for var, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, URIRef):
                item[var] = {"type": "uri", "value": str(term)}
            elif isinstance(term, BNode):
                item[var] = {"type": "bnode", "value": str(term)}
            else:
                cell: dict[str, str] = {"type": "literal", "value": str(term)}
                if term.language:
                    cell["xml:lang"] = term.language
                elif term.datatype and term.datatype != XSD.string:
                    cell["datatype"] = str(term.datatype)
                item[var] = cell
        bindings.append(item)
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      indent=2, ensure_ascii=False)


def to_delimited(result: QueryResult, delimiter: str) -> str:
    """CSV or TSV: a header row of variable names, then plain values (IRIs in full)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow([str(result.boolean).lower()])
        return out.getvalue()
    # The csv module quotes a cell holding "\n" (the line terminator) but not one holding a bare "\r", which
    # readers take as a line break; such rows are written with every cell quoted.
    quoted = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(result.variables)
    for row in result.rows:
        cells = ["" if t is None else str(t) for t in row]
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return out.getvalue()


def cell_text(term: Any, graph: Graph | NameIndex | None, curies: bool = True) -> str:
    """A term for people: its label (with the CURIE beside it if ``curies``) for a resource, else the value."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        curie = iri_to_curie(str(term)) or str(term)
        if graph is not None:
            index = graph if isinstance(graph, NameIndex) else NameIndex.of(graph)
            label = index.labels.get(term)
            if label and label != curie:
                return f"{label} ({curie})" if curies else label
        return curie
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return "yes" if term.toPython() is True else "no"
    return str(term)


def format_result(result: QueryResult, fmt: str, graph: Graph | NameIndex | None = None, *, labels: bool = True,
                  curies: bool = False, width: int | None = None, title: str | None = None) -> str:
    """Render a result as ``table`` (readable: labels, citations as footnotes), ``csv``, ``tsv`` or ``json``.

    CSV, TSV and JSON keep full IRIs and add a ``…Label`` column beside each IRI column
    (``labels=False`` leaves the result as the query returned it). ``kg query`` prints
    exactly this text.
    """
    index = NameIndex.of(graph) if isinstance(graph, Graph) else (graph or result.index)
    if fmt in ("json", "csv", "tsv"):
        shown = result.with_labels(index) if labels else result
        return to_json(shown) if fmt == "json" else to_delimited(shown, "," if fmt == "csv" else "\t")
    if fmt != "table":
        raise FormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from kg.query.table import readable_table

    return readable_table(result, index, curies=curies, width=width, title=title)


# --- comparing two results of one query (embedded store vs an endpoint) ---------------

def compare_results(expected, actual, text: str) -> str | None:
    """None when two results of the query ``text`` agree, else a one-line description of the difference.

    Rows are compared as multisets of N3 strings (blank nodes anonymised,
    ``xsd:string`` literals as plain literals, numbers by value: see ``_n3``). When the query has an ORDER BY
    whose variables are all projected, the rows must also come in the same
    order of ORDER BY keys: rows that tie may come in any order.
    """
    from collections import Counter

    if expected.boolean is not None or actual.boolean is not None:
        return None if expected.boolean == actual.boolean else f"ASK answered {expected.boolean} and {actual.boolean}"
    if list(expected.variables) != list(actual.variables):
        return f"variables differ: {expected.variables} and {actual.variables}"
    left = [tuple(_n3(t) for t in row) for row in expected.rows]
    right = [tuple(_n3(t) for t in row) for row in actual.rows]
    if Counter(left) != Counter(right):
        only_left = list((Counter(left) - Counter(right)).elements())
        only_right = list((Counter(right) - Counter(left)).elements())
        return (f"{len(left)} and {len(right)} rows; first only in the first: {only_left[:1]}, "
                f"first only in the second: {only_right[:1]}")
    keys = order_keys(text, expected.variables)
    if keys is not None:
        seq_left = [keys(row) for row in expected.rows]
        seq_right = [keys(row) for row in actual.rows]
        if seq_left != seq_right:
            at = next(i for i, (a, b) in enumerate(zip(seq_left, seq_right)) if a != b)
            return f"same rows in another order: row {at + 1} has ORDER BY key {seq_left[at]} and {seq_right[at]}"
    return None


_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
             "unsignedByte")


def _n3(term) -> str:
    """N3 of a term for comparison: blank nodes anonymous, xsd:string plain, numbers in canonical form.

    Oxigraph stores numbers as values and writes them canonically ("3.0"^^xsd:decimal
    comes back as "3"); rdflib keeps the lexical form it read. Both are the same value.
    """
    from decimal import Decimal, InvalidOperation

    from rdflib import BNode
    from rdflib.namespace import XSD

    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and not term.language:
        if term.datatype in (None, XSD.string):
            return Literal(str(term)).n3()
        kind = str(term.datatype).removeprefix(str(XSD))
        try:
            if kind in _INTEGERS:
                return f'"{int(str(term))}"^^<{term.datatype}>'
            if kind == "decimal":
                return f'"{format(Decimal(str(term)).normalize(), "f")}"^^<{term.datatype}>'
            if kind in ("double", "float"):
                return f'"{float(str(term))!r}"^^<{term.datatype}>'
        except (ValueError, InvalidOperation):
            pass
    return term.n3()


def order_keys(text: str, variables):
    """A function giving each result row its ORDER BY key (a tuple of N3 strings), or None.

    None when the query has no top-level ORDER BY, or orders by a variable it
    does not project (then the key cannot be computed from the rows).
    """
    from rdflib import Graph, Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue, value
    from rdflib.plugins.sparql.sparql import FrozenBindings, QueryContext

    try:
        node = prepareQuery(text).algebra
    except Exception:
        return None
    while isinstance(node, CompValue) and node.name in ("SelectQuery", "Slice", "Distinct", "Reduced",
                                                        "Project", "Extend"):
        node = node.p
    if not isinstance(node, CompValue) or node.name != "OrderBy":
        return None
    conditions = [getattr(c, "expr", c) for c in node.expr]

    def mentioned(obj, found: set) -> set:
        if isinstance(obj, Variable):
            found.add(str(obj))
        elif isinstance(obj, dict):
            for item in obj.values():
                mentioned(item, found)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                mentioned(item, found)
        return found

    if not mentioned(conditions, set()) <= set(variables):
        return None
    ctx = QueryContext(Graph())

    def key(row) -> tuple[str, ...]:
        bindings = FrozenBindings(ctx, {Variable(v): t for v, t in zip(variables, row) if t is not None})
        out = []
        for expr in conditions:
            try:
                out.append(_n3(value(bindings, expr, variables=True)))
            except Exception:  # an unbound or type error sorts as an error in every engine
                out.append("error")
        return tuple(out)

    return key
