"""Binding parameters: values become RDF terms in the query's ``VALUES`` block, never text pasted into the query."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Graph, Literal, URIRef

from kg.errors import QueryError
from kg.lookup import IRI_PATTERN, NameIndex
from kg.query.saved import Param, SavedQuery, _where_brace, parameter_blocks


def to_term(param: Param, value: Any, graph: Graph | NameIndex | None) -> URIRef | Literal:
    """A user's value (text) as the RDF term the parameter's type asks for."""
    if isinstance(value, (URIRef, Literal)):
        return value
    text = str(value)
    try:
        if param.type == "entity":
            if graph is None:
                raise QueryError(f"parameter {param.name!r}: an entity name needs the local graph to look up")
            from kg.lookup import resolve

            return resolve(graph, text, kind=param.kind, what=f"value for {param.name}")
        if param.type == "iri":
            if not IRI_PATTERN.fullmatch(text):
                raise QueryError(f"parameter {param.name!r}: {text!r} is not an IRI")
            return URIRef(text)
        if param.type == "integer":
            return Literal(int(text))
        if param.type == "decimal":
            return Literal(Decimal(text))
        if param.type == "boolean":
            if text.lower() not in ("true", "false"):
                raise QueryError(f"parameter {param.name!r}: {text!r} is not true or false")
            return Literal(text.lower() == "true")
        return Literal(text)
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"parameter {param.name!r}: {text!r} is not a valid {param.type}") from exc


def bind(query: SavedQuery, values: dict[str, Any], graph: Graph | NameIndex | None) -> str:
    """Query text binding every declared parameter (given, else its default) as RDF terms.

    Every copy of the file's own ``VALUES`` block of the parameters (its
    defaults, see :func:`kg.query.saved.parameter_blocks`) is replaced; a file
    without one (an ad hoc query with a header) gets one inserted first in its
    outer ``WHERE`` group.

    Examples
    --------
    >>> from kg.query import find_query
    >>> text = bind(find_query("repeated_failures"), {"minPatients": "3"}, None)
    >>> [line.strip() for line in text.splitlines() if line.strip().startswith("VALUES")]
    ['VALUES (?minPatients) { ("3"^^<http://www.w3.org/2001/XMLSchema#integer>) }']
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(f"{query.name}: unknown parameter {unknown[0]!r} (parameters: {names})")
    bound: list[tuple[str, URIRef | Literal]] = []
    if isinstance(graph, Graph) and any(p.type == "entity" for p in query.params):
        graph = NameIndex.of(graph)   # one index for all the parameters
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None:
            raise QueryError(f"{query.name}: missing parameter {param.name!r} ({param.description}); "
                             f"give --param {param.name}=VALUE")
        bound.append((param.name, to_term(param, value, graph)))
    if not bound:
        return query.text
    names = " ".join(f"?{n}" for n, _ in bound)
    terms = " ".join(term.n3() for _, term in bound)
    block = f"VALUES ({names}) {{ ({terms}) }}"
    text = query.text
    spans = parameter_blocks(text, [n for n, _ in bound], query.name)
    for start, end in reversed(spans):
        text = text[:start] + block + text[end:]
    if spans:
        return text
    at = _where_brace(text)
    if at is None:
        raise QueryError(f"{query.name}: parameters need an explicit 'WHERE {{' to bind into")
    return f"{text[:at]}\n  {block}\n{text[at:]}"
