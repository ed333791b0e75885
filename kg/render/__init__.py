"""Interactive views of the graph as pyvis networks, and offline HTML pages of them.

The views return a pyvis ``Network`` and write nothing (kglab's habit); a
notebook shows it inline, and the caller decides whether to save it::

    from kg.network import project
    from kg.render import network_view, write_html

    net = network_view(project(graph), focus="ciclosporin", depth=2)
    net                      # in Jupyter: drawn inline
    write_html(net, "csa.html")

* :func:`network_view` - the entity graph, or a neighbourhood (``focus``,
  ``depth``, ``types``); graphs over ``max_nodes`` are aggregated.
* :func:`path_view` - the explanation paths of a prediction (``kg.analysis.explain``).
* :func:`case_view` - one patient's treatment courses in order, with outcomes.
* :func:`write_html` / :func:`page_html` - the self-contained page (vis-network
  inlined from the installed pyvis package; no CDN, no Bootstrap).
* :func:`external_references` - what a page would fetch (empty = works offline).

Rendering never queries a server; pyvis is imported only when a view is drawn.
"""

from __future__ import annotations

from kg.render.page import external_references, page_html, to_network, write_html
from kg.render.select import MAX_NODES, aggregate, find_node, parse_types, select
from kg.render.views import case_view, network_view, path_view

__all__ = ["MAX_NODES", "aggregate", "case_view", "external_references", "find_node", "network_view",
           "page_html", "parse_types", "path_view", "select", "to_network", "write_html"]
