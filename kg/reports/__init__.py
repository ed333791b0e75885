"""Readable text for every answer the graph gives: the same strings in a notebook as in the terminal.

* :func:`explain_text`, :func:`predict_text` - ``kg explain`` and ``kg predict``;
* :func:`concordance_text`, :func:`bridges_text`, :func:`similar_text` - the other analyses;
* :func:`headline_text` - the headline question ``kg build`` answers;
* :func:`cases_text`, :func:`cite_text` - ``kg cases`` (the patients) and ``kg cite`` (one paper, every claim);
* :class:`Sources` - publications as numbered footnotes with their DOI/PMID or "not identified".

Layout (tables that fit the width, cards when they do not) is :func:`kg.text.render`'s.
"""

import importlib

#: name -> submodule; imported on first use, so ``kg query`` (which needs only :mod:`kg.reports.common`)
#: does not load networkx through the analyses' reports.
_WHERE = {
    "bridges_text": "analyses", "concordance_text": "analyses", "similar_text": "analyses",
    "Sources": "common", "publication_note": "common", "strength": "common",
    "explain_text": "explain", "predict_text": "explain",
    "HEADLINE": "headline", "build_summary": "headline", "headline_rows": "headline", "headline_text": "headline",
    "cases_text": "records", "cite_text": "records", "citing": "records", "find_publication": "records",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"kg.reports.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg.reports' has no attribute {name!r}")


__all__ = ["HEADLINE", "Sources", "bridges_text", "build_summary", "cases_text", "cite_text", "citing",
           "concordance_text", "explain_text", "find_publication", "headline_rows", "headline_text", "predict_text",
           "publication_note", "similar_text", "strength"]
