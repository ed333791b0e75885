"""Queries that would reach out: ``SERVICE`` (federation) and ``LOAD`` (fetch a document) are refused by default.

Both the embedded store and ``kg serve`` would otherwise fetch any URL a query
names, on the user's behalf: another service on the host's loopback, or the
network behind a ``--public`` server. :func:`outbound_operations` finds them in a
query's text (keywords only: strings, IRIs and comments are masked first, so a
label that says "service" is not one); callers refuse unless the user allowed it.
"""

from __future__ import annotations

import re

from kg.errors import QueryError

_MASK = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                   r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*')
_OUTBOUND = re.compile(r"(?<![\w:?$])(SERVICE|LOAD)(?![\w:-])", re.IGNORECASE)


def outbound_operations(text: str) -> list[str]:
    """The outbound keywords (``SERVICE``, ``LOAD``) a SPARQL query or update uses, in order.

    Examples
    --------
    >>> outbound_operations('SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }')
    ['SERVICE']
    >>> outbound_operations('SELECT ?s WHERE { ?s rdfs:label "a service" . ?s ex:LOAD ?o }  # LOAD')
    []
    """
    masked = _MASK.sub(lambda m: " " * len(m.group(0)), text)
    return [m.group(1).upper() for m in _OUTBOUND.finditer(masked)]


def refuse_outbound(text: str, name: str, allow: bool = False) -> None:
    """Raise :class:`QueryError` if the query would make this machine fetch a URL (unless ``allow``)."""
    found = outbound_operations(text)
    if found and not allow:
        ops = " and ".join(dict.fromkeys(found))
        raise QueryError(f"{name} uses {ops}, which would make this machine fetch another URL; refused by "
                         f"default (allow it with --allow-service, for queries you trust)")
