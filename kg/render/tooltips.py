"""Tooltip HTML for nodes and edges: every text escaped, every CURIE linked to its resolver.

Tooltips are the only place a page holds external addresses, and only as
``<a href>`` the reader may follow: nothing in them is loaded by the browser.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from kg.namespaces import IRI_STEMS
from kg.render.style import EDGE_STYLE, edge_category, kind_label

_LINK_ATTRS = 'target="_blank" rel="noopener noreferrer"'


def resolver_url(curie: str) -> str | None:
    """The resolver address of a CURIE (``DRUGBANK:DB00091`` -> identifiers.org/drugbank:DB00091), else None.

    Project terms (``kg:...``) and local identifiers resolve to nothing.
    """
    prefix, sep, local = curie.partition(":")
    if not sep or not local or prefix.lower() == "kg":
        return None
    stem = IRI_STEMS.get(prefix.upper())
    return stem + local if stem else None


def curie_html(curie: str, iri: str | None = None) -> str:
    """A CURIE as a link to its resolver, or as code (with its IRI as hover text) when it has none."""
    url = resolver_url(curie)
    if url:
        return f'<a href="{escape(url)}" {_LINK_ATTRS}>{escape(curie)}</a>'
    hover = f' title="{escape(iri)}"' if iri else ""
    return f"<code{hover}>{escape(curie)}</code>"


def identifier_html(identifier: str) -> str:
    """``doi:10...`` / ``PMID:123`` linked; a local id as plain text."""
    if not identifier:
        return ""
    return curie_html(identifier) if resolver_url(identifier) else f"<code>{escape(identifier)}</code>"


def _para(css: str, text: str) -> str:
    return f'<p class="{css}">{text}</p>' if text else ""


def _names(labels: Iterable[str]) -> str:
    return ", ".join(escape(x) for x in labels)


def node_tooltip(node: str, data: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """Label, kind, CURIE and cross-references (linked), definition, synonyms, classes."""
    labels = labels or {}
    label = str(data.get("label") or node)
    kind = str(data.get("kind") or "Other")
    curie = str(data.get("curie") or node)
    parts = [f'<div class="tip"><div class="tip-head"><b>{escape(label)}</b> '
             f'<span class="tip-kind">{escape(kind_label(kind))}</span></div>']
    if not data.get("aggregated"):
        ids = [curie_html(curie, data.get("iri"))] + [curie_html(x) for x in data.get("xrefs", ()) if x != curie]
        parts.append(_para("tip-ids", " · ".join(ids)))
    parts.append(_para("tip-def", escape(str(data.get("definition") or ""))))
    if data.get("synonyms"):
        parts.append(_para("tip-syn", "Also called: " + _names(data["synonyms"])))
    if data.get("classes"):
        parts.append(_para("tip-cls", "Member of: " + _names(labels.get(c, c) for c in data["classes"])))
    if data.get("aggregated"):
        shown = list(data.get("member_labels") or data.get("members", ()))
        more = f" and {len(shown) - 12} more" if len(shown) > 12 else ""
        parts.append(_para("tip-agg", f"Group of {int(data.get('count', len(shown)))} nodes: "
                           + _names(shown[:12]) + escape(more)))
    for key, text in data.get("facts", ()):
        parts.append(_para("tip-fact", f"<b>{escape(key)}:</b> {escape(text)}"))
    if data.get("evidence"):
        parts.append('<p class="tip-src"><b>Source:</b></p>' + evidence_html(data["evidence"]))
    if "degree" in data and not data.get("aggregated"):
        n = int(data["degree"])
        parts.append(_para("tip-meta", f"{n} link{'' if n == 1 else 's'} in the graph"))
    parts.append("</div>")
    return "".join(parts)


def evidence_html(evidence: Iterable[dict[str, Any]]) -> str:
    """The publications behind an assertion: label, DOI/PMID/local id, locator, evidence type, context."""
    items = []
    for ev in evidence:
        bits = [f"<b>{escape(ev.get('citation_label') or ev.get('citation') or 'unnamed source')}</b>"]
        if ev.get("identifier"):
            bits.append(identifier_html(ev["identifier"]))
        if ev.get("locator"):
            bits.append(f'<span class="tip-loc">{escape(ev["locator"])}</span>')
        line = " · ".join(bits)
        extra = [escape(ev[k]) for k in ("evidence_label",) if ev.get(k)]
        if ev.get("certainty") and ev["certainty"] != "kg:stated":
            extra.append(escape(ev["certainty"].removeprefix("kg:").replace("_", " ")))
        if extra:
            line += f' <span class="tip-ev">({"; ".join(extra)})</span>'
        if ev.get("context"):
            line += f'<br><i>{escape(ev["context"])}</i>'
        items.append(f"<li>{line}</li>")
    if not items:
        return '<p class="tip-none">No publication recorded for this link.</p>'
    return '<ol class="tip-refs">' + "".join(items) + "</ol>"


def edge_tooltip(source: str, target: str, data: dict[str, Any], labels: dict[str, str]) -> str:
    """'A inhibits B', its sign, relation CURIE, inheritance, and the publications behind it."""
    relation = str(data.get("label") or data.get("relation") or "related to")
    head = (f"<b>{escape(labels.get(source, source))}</b> {escape(relation)} "
            f"<b>{escape(labels.get(target, target))}</b>")
    category = edge_category(data)
    meta = [escape(EDGE_STYLE[category][0])]
    if data.get("family"):
        meta.append(escape(str(data["family"])))
    if data.get("relation"):
        meta.append(curie_html(str(data["relation"])))
    parts = [f'<div class="tip"><div class="tip-head">{head}</div>', _para("tip-ids", " · ".join(meta))]
    if data.get("inherited"):
        via = str(data.get("via") or "")
        parts.append(_para("tip-inh", "Inherited: a claim about the class "
                           f"<b>{escape(labels.get(via, via))}</b>, which this drug belongs to."))
    if data.get("count", 1) > 1:
        parts.append(_para("tip-agg", f"{int(data['count'])} relations grouped: "
                           + _names(f"{k} ×{v}" for k, v in data.get("relations", {}).items())))
    for key, text in data.get("facts", ()):
        parts.append(_para("tip-fact", f"<b>{escape(key)}:</b> {escape(text)}"))
    if not data.get("count", 1) > 1:
        parts.append(evidence_html(data.get("evidence", ())))
    parts.append("</div>")
    return "".join(parts)
