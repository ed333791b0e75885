"""Saved SPARQL queries: read their headers, bind parameters, run them anywhere.

A saved query is ``queries/NAME.rq``: valid SPARQL whose first comment lines
are a grlc-style header, YAML after ``#+``::

    #+ summary: One line saying what the query answers
    #+ question: 1                      # competency question number(s), or null
    #+ tags: [mechanism, interferon]
    #+ params:
    #+   - name: cytokine
    #+     type: entity                 # entity | iri | string | integer | decimal | boolean
    #+     default: type I interferon   # omit for a required parameter
    #+     description: What it is

Parameter values are turned into RDF terms (entities through label / synonym /
CURIE lookup) and bound with a ``VALUES`` block placed first in the outer
``WHERE`` group: never pasted as text, and the same on the embedded store and
on any SPARQL 1.1 endpoint.
"""

from kg.query.binding import bind, to_term
from kg.query.results import FORMATS, QueryResult, cell_text, compare_results, format_result, to_delimited, to_json
from kg.query.run import is_update, run_query, update_endpoint
from kg.query.saved import (
    HEADER_KEYS,
    PARAM_KEYS,
    PARAM_TYPES,
    Param,
    SavedQuery,
    find_query,
    load_query,
    parse_header,
    saved_queries,
    search_queries,
)

__all__ = ["FORMATS", "HEADER_KEYS", "PARAM_KEYS", "PARAM_TYPES", "Param", "QueryResult", "SavedQuery", "bind",
           "cell_text", "compare_results", "find_query", "format_result", "is_update", "load_query", "parse_header",
           "run_query", "saved_queries", "search_queries", "to_delimited", "to_json", "to_term", "update_endpoint"]
