"""Readable text for every answer the graph gives: the same strings in a notebook as in the terminal.

* :func:`explain_text`, :func:`predict_text` - ``kg explain`` and ``kg predict``;
* :func:`concordance_text`, :func:`bridges_text`, :func:`similar_text` - the other analyses;
* :func:`headline_text` - the headline question ``kg build`` answers;
* :func:`cases_text`, :func:`cite_text` - ``kg cases`` (the patients) and ``kg cite`` (one paper, every claim);
* :class:`Sources` - publications as numbered footnotes with their DOI/PMID or "not identified".

Layout (tables that fit the width, cards when they do not) is :func:`kg.text.render`'s.
"""

from kg.reports.analyses import bridges_text, concordance_text, similar_text
from kg.reports.common import Sources, publication_note, strength
from kg.reports.explain import explain_text, predict_text
from kg.reports.headline import HEADLINE, build_summary, headline_rows, headline_text
from kg.reports.records import cases_text, cite_text, citing, find_publication

__all__ = ["HEADLINE", "Sources", "bridges_text", "build_summary", "cases_text", "cite_text", "citing",
           "concordance_text", "explain_text", "find_publication", "headline_rows", "headline_text", "predict_text",
           "publication_note", "similar_text", "strength"]
