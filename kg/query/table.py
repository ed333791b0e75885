"""A query result as people read it: labels instead of IRIs, papers as numbered footnotes, words for headers.

* a ``fooLabel`` column beside ``foo`` is folded into it (the label is shown, the IRI
  is not, unless ``curies=True`` puts the CURIE beside it);
* a column of publications becomes ``[n] locator`` with its ``…locator`` column
  folded in, and the papers are listed after the table with their DOI or PMID
  link, or "publication not identified";
* headers are the variable names in words (``durationText`` -> "duration text");
* the layout is :func:`kg.text.render`'s: empty columns hidden, a table when it
  fits the width, cards when it does not, no word ever broken.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import URIRef

from kg.lookup import NameIndex
from kg.query.results import QueryResult, cell_text
from kg.text import Column, render

_PUBLICATION_KINDS = frozenset({"Publication", "Database", "InformationResource"})


def header_words(name: str) -> str:
    """``durationText`` -> 'duration text', ``drugLabel`` -> 'drug'.

    Examples
    --------
    >>> header_words("durationText"), header_words("citationLabel"), header_words("usual_dose")
    ('duration text', 'citation', 'usual dose')
    """
    name = re.sub(r"Label$", "", name) or name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").lower()


def _locator_column(name: str, variables: list[str]) -> str | None:
    for candidate in (re.sub(r"(?i)citation$", "locator", name), re.sub(r"(?i)citation$", "Locator", name),
                      name + "Locator", "locator"):
        if candidate != name and candidate in variables:
            return candidate
    return None


def readable_table(result: QueryResult, index: NameIndex | None, *, curies: bool = False, width: int | None = None,
                   title: str | None = None) -> str:
    """The text ``kg query --format table`` prints (see the module docstring)."""
    if result.boolean is not None:
        return "yes\n" if result.boolean else "no\n"
    from kg.reports.common import Sources

    variables = list(result.variables)
    keep = [v for v in variables if not (v.endswith("Label") and v[: -len("Label")] in variables)]
    def publications(v: str) -> bool:
        i = variables.index(v)
        return index is not None and any(isinstance(row[i], URIRef) and index.kinds.get(row[i], frozenset())
                                         & _PUBLICATION_KINDS for row in result.rows)

    is_pub = {v: publications(v) for v in keep}
    folded = {v: _locator_column(v, variables) for v in keep if is_pub[v]}
    shown = [v for v in keep if v not in {loc for loc in folded.values() if loc}]
    sources = Sources()
    rows = []
    for row in result.rows:
        values = dict(zip(variables, row))
        cells: list[Any] = []
        for v in shown:
            term = values[v]
            if is_pub.get(v) and isinstance(term, URIRef) and index is not None:
                locator = values.get(folded[v]) if folded.get(v) else None
                ident = index.identifiers.get(term, "")
                cells.append(sources.cite(str(term), index.label(term), ident, str(locator or "")))
            else:
                cells.append(cell_text(term, index, curies=curies))
        rows.append(cells)
    columns = [Column(header_words(v), priority=1 if i == 0 else 0) for i, v in enumerate(shown)]
    text = render(columns, rows, title=title, width=width)
    notes = sources.render(width)
    return text + ("\n" + notes if notes else "")
