"""The views in a real browser: headless Chromium opens each page from file:// with the network cut off.

Each page must draw without a console error and without asking for anything
but the file itself; the vis network in the page must hold exactly the nodes
and edges of the networkx graph it was made from. A screenshot of each page is
saved under the test's tmp_path (and copied to $KG_SCREENSHOTS when set).

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and
the playwright Python package; playwright's own browser download is not used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg import render

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
        "--mute-audio", "--disable-features=Translate,OptimizationHints,MediaRouter"]
VIEWPORT = {"width": 1500, "height": 950}
LOCAL_SCHEMES = ("file:", "data:", "about:")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser test")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # launch() gives the browser a fresh, empty profile directory of its own
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def G(graph):
    from kg.network import project

    return project(graph)


def synthetic_large(hubs: int = 300, leaves: int = 10):
    """3,300 nodes: hubs linked in a ring and across, each with leaves (grouped by the view into 900)."""
    import networkx as nx

    G = nx.MultiDiGraph()
    kinds = ["Drug", "Cytokine", "Disease", "Protein"]
    for h in range(hubs):
        G.add_node(f"hub:{h}", label=f"hub {h}", kind=kinds[h % 4])
    for h in range(hubs):
        for step, sign in ((1, 1), (7, -1), (31, 0)):
            G.add_edge(f"hub:{h}", f"hub:{(h + step) % hubs}", relation="kg:r", label="r", sign=sign,
                       family="mechanism", evidence=[])
        for i in range(leaves):
            G.add_node(f"leaf:{h}:{i}", label=f"leaf {h}.{i}", kind=kinds[i % 2])
            G.add_edge(f"hub:{h}", f"leaf:{h}:{i}", relation="kg:binds", label="binds", sign=None,
                       family="mechanism", evidence=[])
    assert G.number_of_nodes() > render.MAX_NODES
    return G


VIEWS = {
    "whole": lambda G, graph: render.network_view(G),
    "focus": lambda G, graph: render.network_view(G, focus="ciclosporin", depth=2),
    "path": lambda G, graph: render.path_view(G, "TNF inhibitor", "dermatomyositis"),
    "case": lambda G, graph: render.case_view(graph, "003-1"),
    "large": lambda G, graph: render.network_view(synthetic_large()),
}


class Visit:
    """One page opened in its own browser context, with every non-file request refused and recorded."""

    def __init__(self, browser, path: Path, in_frame: bool = False):
        self.refused: list[str] = []
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requested.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                     if m.type in ("error", "assert") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.goto(path.resolve().as_uri())
        # the view itself: the page, or the iframe a notebook output holds it in
        self.view = self.page.frames[1] if in_frame else self.page
        self.view.wait_for_function("window.kgView && window.kgView.ready === true", timeout=90_000)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def outside(self) -> list[str]:
        return self.refused + [u for u in self.requested if not u.startswith(LOCAL_SCHEMES)]

    def close(self) -> None:
        self.context.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    if target := os.environ.get("KG_SCREENSHOTS"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)
    return shot


INK = """() => {
  const canvas = document.querySelector('#network canvas');
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 16) {
    if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
  }
  return ink / (data.length / 16);
}"""


@pytest.mark.parametrize("name", list(VIEWS))
def test_page_draws_offline(browser, G, graph, tmp_path, name):
    net = VIEWS[name](G, graph)
    page_file = render.write_html(net, tmp_path / f"{name}.html")
    visit = Visit(browser, page_file)
    try:
        page = visit.page
        counts = page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")
        assert counts == [net.nx_graph.number_of_nodes(), net.nx_graph.number_of_edges()]
        placed = page.evaluate("Object.keys(network.getPositions()).length")
        assert placed == net.nx_graph.number_of_nodes()
        assert page.evaluate("network.physics.physicsEnabled") is False  # settled, then physics off
        shot = screenshot(page, tmp_path, name)
        assert shot.stat().st_size > 20_000
        assert page.evaluate(INK) > 0.002, "the network canvas is blank"
        legend = page.inner_text("aside.panel").lower()  # innerText follows CSS text-transform
        assert "find a node" in legend and ("node types" in legend or "outcome of each course" in legend)
        assert visit.errors == []
        assert visit.outside() == []
    finally:
        visit.close()


def test_controls_work(browser, G, tmp_path):
    """Search finds a node by synonym; type filters hide nodes; a click pins the tooltip with its links."""
    net = render.network_view(G)
    visit = Visit(browser, render.write_html(net, tmp_path / "controls.html"))
    try:
        page = visit.page
        page.fill("#search-box", "ciclosporin")
        page.evaluate("""() => { window.settled = new Promise(done => {
                                    network.once('animationFinished', done); setTimeout(done, 3000); }); }""")
        page.press("#search-box", "Enter")
        assert page.evaluate("network.getSelectedNodes()") == ["kg:cyclosporine"]
        assert "Found: cyclosporine" in page.inner_text("#search-status")
        assert page.is_visible("#details-card") and "DB00091" in page.inner_text("#details")
        page.click("#details-close")
        assert not page.is_visible("#details-card")

        drugs = sum(1 for n in net.nodes if n["kind"] == "Drug")
        page.uncheck('input.kind-toggle[data-kind="Drug"]')
        hidden = page.evaluate("network.body.data.nodes.get({filter: n => n.hidden}).map(n => n.kind)")
        assert len(hidden) == drugs and set(hidden) == {"Drug"}
        page.check('input.kind-toggle[data-kind="Drug"]')
        assert page.evaluate("network.body.data.nodes.get({filter: n => n.hidden}).length") == 0

        # click a node where it is drawn: the details card shows its tooltip, links included
        box = page.locator("#network").bounding_box()
        page.evaluate("window.settled.then(() => network.fit({animation: false}))")
        spot = page.evaluate("""() => { const p = network.getPositions(['kg:dermatomyositis'])['kg:dermatomyositis'];
                                         return network.canvasToDOM(p); }""")
        page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
        assert page.is_visible("#details-card")
        assert "dermatomyositis" in page.inner_text("#details")
        assert page.locator("#details a[href^='http://purl.obolibrary.org/obo/MONDO_']").count() >= 1
        screenshot(page, tmp_path, "controls")
        assert visit.errors == [] and visit.outside() == []
    finally:
        visit.close()


def test_notebook_display_draws_offline(browser, G, tmp_path):
    """What Jupyter shows for a view (its _repr_html_: the page in an iframe's srcdoc) draws with no network."""
    net = render.network_view(G, focus="tacrolimus", depth=1)
    holder = tmp_path / "notebook-output.html"
    holder.write_text(f"<!DOCTYPE html><html><body>{net._repr_html_()}</body></html>", encoding="utf-8")
    visit = Visit(browser, holder, in_frame=True)
    try:
        counts = visit.view.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")
        assert counts == [net.nx_graph.number_of_nodes(), net.nx_graph.number_of_edges()]
        page = visit.page
        screenshot(page, tmp_path, "notebook")
        assert visit.errors == [] and visit.outside() == []
    finally:
        visit.close()
