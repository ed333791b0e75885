"""From a networkx graph to a pyvis ``Network``, and from that to one self-contained HTML page.

The page inlines vis-network (JavaScript and CSS, read from the installed
pyvis package) and the project's own template, stylesheet and script from
``kg/templates/``: nothing is fetched when it opens, so it works from a file
with no network. pyvis is imported only when a view is drawn.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections import Counter
from functools import cache
from html import escape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.render.style import (
    EDGE_STYLE,
    KIND_STYLE,
    OUTCOME_STYLE,
    edge_category,
    kind_label,
    kind_style,
    node_size,
    outcome_style,
)
from kg.render.tooltips import edge_tooltip, node_tooltip

VIS_VERSION = "vis-9.1.2"
_TEMPLATES = "templates"
NOTEBOOK_HEIGHT = 720  # px of the iframe a notebook shows


# --- assets --------------------------------------------------------------------

def _safe_inline(text: str, tag: str) -> str:
    """Text that cannot close the <script>/<style> element it is inlined into."""
    return text.replace(f"</{tag}", f"<\\/{tag}").replace(f"</{tag.upper()}", f"<\\/{tag.upper()}")


@cache
def vis_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of vis-network as shipped inside the installed pyvis package."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; it is needed to draw views")
    lib = Path(next(iter(spec.submodule_search_locations))) / "lib" / VIS_VERSION
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def _template_text(name: str) -> str:
    return resources.files("kg").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")


@cache
def _environment():
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    return Environment(loader=FunctionLoader(lambda name: _template_text(name)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


# --- the Network subclass --------------------------------------------------------

@cache
def network_class() -> type:
    """``KGNetwork``: a pyvis ``Network`` whose HTML is the offline page, and which shows inline in Jupyter."""
    from pyvis.network import Network

    class KGNetwork(Network):
        """A pyvis Network drawn with the project's offline template.

        ``nx_graph`` is the networkx graph the nodes and edges were made from;
        ``view`` holds the page's title, subtitle and notes.
        """

        nx_graph: nx.MultiDiGraph
        view: dict[str, Any]

        def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
            self.html = page_html(self)
            return self.html

        def _repr_html_(self) -> str:
            """Inline display in Jupyter: the whole page in an iframe's srcdoc (no file, no server)."""
            return (f'<iframe srcdoc="{escape(page_html(self), quote=True)}" '
                    f'style="width:100%;height:{NOTEBOOK_HEIGHT}px;border:1px solid #dee2e6" '
                    f'title="{escape(self.view.get("title", "graph view"))}"></iframe>')

    return KGNetwork


def _new_network(title: str, subtitle: str = "", notes: list[str] | None = None):
    net = network_class()(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.view = {"title": title, "subtitle": subtitle, "notes": list(notes or [])}
    return net


# --- nodes and edges ------------------------------------------------------------

def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(label, width=width, break_long_words=False)) if len(label) > width + 4 else label


def _node_dict(node: str, data: dict[str, Any], degree: int, labels: dict[str, str],
               font_by_degree: bool = True) -> dict[str, Any]:
    kind = str(data.get("kind") or "Other")
    shape, colour = kind_style(kind)
    label = str(data.get("label") or node)
    out: dict[str, Any] = {"label": _wrap(str(data.get("display_label") or label)),
                           "title": node_tooltip(node, {**data, "degree": degree} if font_by_degree else data, labels),
                           "kind": kind,
                           "shape": shape, "size": node_size(degree),
                           "font": {"size": label_size(degree) if font_by_degree else 16},
                           "names": sorted({label, node, str(data.get("curie") or node), *data.get("synonyms", ()),
                                            *data.get("xrefs", ())} - {""})}
    border = _darker(colour, 0.45) if data.get("aggregated") else _darker(colour)
    out["color"] = {"background": colour, "border": border,
                    "highlight": {"background": colour, "border": "#000000"},
                    "hover": {"background": colour, "border": "#000000"}}
    if data.get("aggregated"):
        out["shapeProperties"] = {"borderDashes": [5, 3]}
        out["borderWidth"] = 2
    if kind == "TreatmentCourse":
        text, fill, font = outcome_style(data.get("outcome"))
        lines = [f"{data.get('position', '')}. {_short(str(data.get('therapy') or label), 30)}", text]
        if data.get("duration"):
            lines.append(_short(str(data["duration"]), 28))
        out["label"] = "\n".join(lines)
        out["color"] = {"background": fill, "border": _darker(fill),
                        "highlight": {"background": fill, "border": "#000000"},
                        "hover": {"background": fill, "border": "#000000"}}
        out["font"] = {"color": font, "size": 14, "strokeWidth": 0, "multi": False}
        out["margin"] = 10
        out["widthConstraint"] = {"minimum": 170, "maximum": 240}
        out["outcome"] = data.get("outcome") or ""
    if kind == "Patient":
        out["font"] = {"color": "#ffffff", "size": 16, "strokeWidth": 0}
        out["margin"] = 10
    if "x" in data and "y" in data:
        out.update(x=data["x"], y=data["y"], physics=False)
    if data.get("level") is not None:
        out["level"] = int(data["level"])
    return out


def label_size(degree: int) -> int:
    """Label font size: hubs get bigger labels, so they stay readable when the whole graph is in view."""
    return int(min(26, 15 + 2 * max(degree - 2, 0) ** 0.5))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _darker(colour: str, factor: float = 0.7) -> str:
    c = colour.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return "#{:02x}{:02x}{:02x}".format(*(int(v * factor) for v in (r, g, b)))


def _edge_dict(u: str, v: str, data: dict[str, Any], labels: dict[str, str], bend: float) -> dict[str, Any]:
    category = edge_category(data)
    colour = EDGE_STYLE[category][1]
    count = int(data.get("count", 1))
    out: dict[str, Any] = {
        "label": str(data.get("label") or data.get("relation") or ""),
        "title": edge_tooltip(u, v, data, labels), "category": category,
        "color": {"color": colour, "highlight": _darker(colour, 0.8), "hover": _darker(colour, 0.8),
                  "opacity": 0.95},
        "width": 1.2 if category == "unsigned" else 2.2,
        "dashes": [6, 5] if data.get("inherited") else False,
        "inherited": bool(data.get("inherited")),
    }
    if category in ("sequence", "diagnosis"):
        out["label"] = ""  # the layout and legend say it; the tooltip keeps the words
        out["width"] = 2.0
    if count > 1:
        out["width"] = min(8.0, 1.5 + math.log2(count))
    if bend:
        out["smooth"] = {"enabled": True, "type": "curvedCW" if bend > 0 else "curvedCCW", "roundness": abs(bend)}
    return out


def _physics(n_nodes: int, fixed: bool) -> dict[str, Any]:
    if fixed:
        return {"enabled": False}
    iterations = 500 if n_nodes <= 150 else 300 if n_nodes <= 600 else 150
    return {
        "enabled": True, "solver": "forceAtlas2Based",
        # small views get longer springs: their links carry readable labels, often several per pair
        "forceAtlas2Based": {"gravitationalConstant": -150, "centralGravity": 0.02,
                             "springLength": 240 if n_nodes <= 40 else 140,
                             "springConstant": 0.05, "damping": 0.5, "avoidOverlap": 0.8},
        "maxVelocity": 60, "minVelocity": 1.0, "timestep": 0.45,
        "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
    }


def to_network(H: nx.MultiDiGraph, title: str, subtitle: str = "", notes: list[str] | None = None,
               degrees: dict[str, int] | None = None):
    """A ``KGNetwork`` drawing exactly the nodes and edges of ``H``.

    Node colour and shape come from ``kind``, size from ``degrees`` (default:
    degree in ``H``); edge colour from sign and family, dashes for inherited
    class claims. Nodes with ``x``/``y`` are pinned and physics is off when all are.
    """
    net = _new_network(title, subtitle, notes)
    net.nx_graph = H
    labels = {n: str(d.get("label") or n) for n, d in H.nodes(data=True)}
    fixed = H.number_of_nodes() > 0 and all("x" in d and "y" in d for _, d in H.nodes(data=True))
    for n, d in H.nodes(data=True):
        deg = int(d["count"]) if d.get("aggregated") else (degrees or {}).get(n, H.degree(n))
        net.add_node(n, **_node_dict(n, d, deg, labels, font_by_degree=not fixed))
    # Parallel edges (either direction) fan out so their labels do not sit on top of each other.
    seen: Counter = Counter()
    reported = 0
    for i, (u, v, key, d) in enumerate(H.edges(keys=True, data=True)):
        pair = tuple(sorted((u, v)))
        k = seen[pair]
        seen[pair] += 1
        bend = 0.0 if k == 0 else 0.25 * ((k + 1) // 2) * (1 if k % 2 else -1)
        if d.get("reported"):  # drug-to-target reports arc over the mechanism paths, nested
            bend = 0.5 + 0.1 * reported  # high enough to clear the top lane and its labels
            reported += 1
        elif not bend and abs(H.nodes[u].get("level", 0) - H.nodes[v].get("level", 0)) >= 2:
            bend = 0.12  # a link that skips a column bows past the nodes in between
        net.add_edge(u, v, id=f"e{i}", key=str(key),
                     **_edge_dict(u, v, d, labels, bend if u < v or d.get("reported") else -bend))
    n = H.number_of_nodes()
    net.options = {
        "nodes": {"borderWidth": 1.5, "font": {"size": 14, "face": "Helvetica, Arial, sans-serif", "color": "#212529",
                                                "strokeWidth": 4, "strokeColor": "#ffffff"},
                  # small labels are left out until zoomed in, so they never pile up into a smudge
                  "scaling": {"label": {"enabled": False, "drawThreshold": 4 if fixed else 5}}},
        "edges": {"font": {"size": 12, "face": "Helvetica, Arial, sans-serif", "align": "middle", "color": "#343a40",
                           "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
                  # straight lines where positions are fixed; gentle curves under physics
                  "smooth": {"enabled": not fixed, "type": "continuous", "roundness": 0.3},
                  "selectionWidth": 1.5, "hoverWidth": 1.0,
                  # edge labels appear only once zoomed in enough to read them
                  "scaling": {"label": {"enabled": False, "drawThreshold": 4 if fixed else 10}}},
        "physics": _physics(n, fixed),
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n > 400,
                        "hideEdgesOnZoom": n > 800, "navigationButtons": False, "keyboard": False},
        "layout": {"improvedLayout": n <= 150, "randomSeed": 7},
    }
    net.view["fixed"] = fixed
    return net


# --- the page --------------------------------------------------------------------

_GLYPHS = {
    "dot": '<circle cx="9" cy="9" r="7"/>',
    "square": '<rect x="2.5" y="2.5" width="13" height="13"/>',
    "box": '<rect x="1" y="4" width="16" height="10" rx="3"/>',
    "diamond": '<polygon points="9,1 17,9 9,17 1,9"/>',
    "triangle": '<polygon points="9,2 17,16 1,16"/>',
    "triangleDown": '<polygon points="1,2 17,2 9,16"/>',
    "star": '<polygon points="9,1 11.3,6.6 17,6.9 12.6,10.6 14,16.4 9,13.2 4,16.4 5.4,10.6 1,6.9 6.7,6.6"/>',
    "hexagon": '<polygon points="5,2 13,2 17,9 13,16 5,16 1,9"/>',
}


def glyph(shape: str, colour: str, dashed: bool = False) -> str:
    """A small inline SVG of a node shape, for the legend."""
    from markupsafe import Markup

    dash = ' stroke-dasharray="3 2"' if dashed else ""
    body = _GLYPHS.get(shape, _GLYPHS["dot"])
    return Markup(f'<svg class="glyph" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
                  f'<g fill="{escape(colour)}" stroke="{escape(_darker(colour))}" stroke-width="1.2"{dash}>'
                  f'{body}</g></svg>')


def line(colour: str, dashed: bool = False) -> str:
    from markupsafe import Markup

    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return Markup(f'<svg class="glyph" width="30" height="12" viewBox="0 0 30 12" aria-hidden="true">'
                  f'<line x1="1" y1="6" x2="23" y2="6" stroke="{escape(colour)}" stroke-width="2.5"{dash}/>'
                  f'<polygon points="22,2 29,6 22,10" fill="{escape(colour)}"/></svg>')


def legend(net) -> dict[str, list[dict[str, Any]]]:
    """What the legend lists: node kinds, edge categories and outcomes present on the page, with counts."""
    kinds = Counter(n.get("kind", "Other") for n in net.nodes)
    order = {k: i for i, k in enumerate(KIND_STYLE)}
    node_rows = []
    for kind in sorted(kinds, key=lambda k: (order.get(k, len(order)), k)):
        if kind == "TreatmentCourse":
            continue
        shape, colour = kind_style(kind)
        node_rows.append({"kind": kind, "text": kind_label(kind), "count": kinds[kind], "glyph": glyph(shape, colour)})
    cats = Counter(e.get("category", "unsigned") for e in net.edges)
    edge_rows = [{"category": c, "text": EDGE_STYLE[c][0], "count": cats[c], "glyph": line(EDGE_STYLE[c][1])}
                 for c in EDGE_STYLE if cats[c]]
    extra = []
    if any(e.get("inherited") for e in net.edges):
        extra.append({"text": "dashed: inherited from a drug-class claim", "glyph": line("#495057", dashed=True)})
    if any(n.get("shapeProperties") for n in net.nodes):
        extra.append({"text": "dashed outline: a group of collapsed nodes", "glyph": glyph("dot", "#dee2e6", True)})
    outcomes = Counter(n.get("outcome") for n in net.nodes if n.get("kind") == "TreatmentCourse")
    outcome_rows = [{"kind": key, "text": text, "count": outcomes[key], "glyph": glyph("box", fill)}
                    for key, (text, fill, _font) in OUTCOME_STYLE.items() if outcomes[key]]
    if outcomes.get(""):
        outcome_rows.append({"kind": "", "text": "no outcome recorded", "count": outcomes[""],
                             "glyph": glyph("box", outcome_style(None)[1])})
    return {"nodes": node_rows, "edges": edge_rows, "extra": extra, "outcomes": outcome_rows}


def page_html(net) -> str:
    """The whole offline page for ``net`` (any pyvis Network; a KGNetwork also brings its title and notes)."""
    from jinja2.utils import htmlsafe_json_dumps
    from markupsafe import Markup

    vis_js, vis_css = vis_assets()
    view = dict(getattr(net, "view", {}) or {})
    options = net.options if isinstance(net.options, dict) else json.loads(net.options.to_json())
    data = {"nodes": net.nodes, "edges": net.edges, "options": options}
    names = sorted({str(n.get("label", n["id"])).replace("\n", " ") for n in net.nodes}, key=str.lower)
    context = {
        "title": view.get("title") or getattr(net, "heading", "") or "Graph view",
        "subtitle": view.get("subtitle", ""),
        "notes": view.get("notes", []),
        "legend": legend(net),
        "names": names,
        "n_nodes": len(net.nodes), "n_edges": len(net.edges),
        "vis_js": Markup(_safe_inline(vis_js, "script")),
        "vis_css": Markup(_safe_inline(vis_css, "style")),
        "page_css": Markup(_safe_inline(_template_text("view.css"), "style")),
        "page_js": Markup(_safe_inline(_template_text("view.js"), "script")),
        "data_json": htmlsafe_json_dumps(data),
    }
    return _environment().get_template("view.html.j2").render(**context)


def write_html(net, path: str | Path) -> Path:
    """Write the page of ``net`` to ``path`` atomically (readers never see half a file); returns the path."""
    from kg.build import write_atomic

    path = Path(path)
    write_atomic(path, page_html(net).encode("utf-8"))
    return path


# --- offline check -----------------------------------------------------------------

class _References(HTMLParser):
    """Collects every address a browser would fetch while loading a page."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"),
               ("frame", "src"), ("embed", "src"), ("object", "data"), ("source", "src"), ("source", "srcset"),
               ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"), ("input", "src"),
               ("image", "href"), ("use", "href"), ("image", "xlink:href"), ("use", "xlink:href")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in self.LOADING:
                self.found.extend(v.strip().split(" ")[0] for v in value.split(",")) if "srcset" in name \
                    else self.found.append(value.strip())
            elif name == "style":
                self.found.extend(css_references(value))
            elif tag == "meta" and name == "content" and "url=" in value.lower():
                self.found.append(value.lower().split("url=", 1)[1].strip())
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(css_references(data))


def css_references(css: str) -> list[str]:
    """Addresses in ``@import`` rules and ``url(...)`` values of a stylesheet."""
    import re

    out = [m.group(2) for m in re.finditer(r"url\(\s*(['\"]?)(.*?)\1\s*\)", css, re.IGNORECASE)]
    out += [m.group(2) for m in re.finditer(r"@import\s+(['\"])(.*?)\1", css, re.IGNORECASE)]
    return [u.strip() for u in out]


def external_references(html: str) -> list[str]:
    """Every address the page would load that is not inside the page itself (``data:`` and ``#id`` are fine).

    An empty list means the page works offline. Links (``<a href>``) are not
    loaded and are not listed.
    """
    parser = _References()
    parser.feed(html)
    parser.close()
    return [u for u in parser.found if u and not u.lower().startswith(("data:", "#", "about:blank", "javascript:"))]
