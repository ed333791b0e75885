/* Offline graph view: draws the network from the inlined JSON, and runs the legend filters,
   the search box and the details panel. Exposes `network` and `kgView` for tests. */
(function () {
  "use strict";
  var view = JSON.parse(document.getElementById("kg-data").textContent);
  var statusBox = document.getElementById("status");
  var details = document.getElementById("details");
  var detailsCard = document.getElementById("details-card");
  var tips = {};
  var edgeLabels = {};

  function tipElement(html) {
    var div = document.createElement("div");
    div.className = "tip";
    div.innerHTML = html;  // built and escaped by kg.render.tooltips
    return div;
  }
  view.nodes.forEach(function (n) {
    tips["n:" + n.id] = n.title;
    n.title = tipElement(n.title);
  });
  view.edges.forEach(function (e) {
    tips["e:" + e.id] = e.title;
    edgeLabels[e.id] = e.label;
    e.title = tipElement(e.title);
  });

  var nodes = new vis.DataSet(view.nodes);
  var edges = new vis.DataSet(view.edges);
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, view.options);
  var state = { ready: false, nodes: view.nodes.length, edges: view.edges.length, hiddenKinds: [], hiddenCategories: [] };
  window.network = network;
  window.kgView = state;

  function say(text) {
    statusBox.textContent = text;
    statusBox.style.display = text ? "block" : "none";
  }
  function summary() {
    return state.nodes + " nodes · " + state.edges + " edges";
  }
  function markReady() {
    if (state.ready) return;
    state.ready = true;
    say(summary());
    document.body.classList.add("ready");
  }

  var physicsOn = view.options.physics && view.options.physics.enabled !== false;
  if (physicsOn && view.nodes.length > 0) {
    network.on("stabilizationProgress", function (p) {
      say("Laying out… " + Math.round(100 * p.iterations / p.total) + "%");
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", function () {
      network.fit({ animation: false });
      markReady();
    });
  }
  if (view.nodes.length === 0) {
    say("Nothing to draw.");
    state.ready = true;
  }

  // --- details panel -------------------------------------------------------
  function show(html) {
    details.innerHTML = html || "";
    detailsCard.hidden = !html;
  }
  network.on("click", function (params) {
    if (params.nodes.length) show(tips["n:" + params.nodes[0]]);
    else if (params.edges.length) show(tips["e:" + params.edges[0]]);
    else show("");
  });
  document.getElementById("details-close").addEventListener("click", function () { show(""); });

  // --- filters ---------------------------------------------------------------
  var hiddenKinds = {};
  var hiddenCategories = {};
  function applyFilters() {
    var hiddenNode = {};
    nodes.update(view.nodes.map(function (n) {
      var hide = !!hiddenKinds[n.kind];
      if (hide) hiddenNode[n.id] = true;
      return { id: n.id, hidden: hide };
    }));
    edges.update(view.edges.map(function (e) {
      return { id: e.id, hidden: !!(hiddenCategories[e.category] || hiddenNode[e.from] || hiddenNode[e.to]) };
    }));
    state.hiddenKinds = Object.keys(hiddenKinds).filter(function (k) { return hiddenKinds[k]; });
    state.hiddenCategories = Object.keys(hiddenCategories).filter(function (k) { return hiddenCategories[k]; });
    var shown = view.nodes.length - Object.keys(hiddenNode).length;
    say(shown === view.nodes.length ? summary() : shown + " of " + view.nodes.length + " nodes shown");
  }
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  each(".kind-toggle", function (box) {
    box.addEventListener("change", function () {
      hiddenKinds[box.dataset.kind] = !box.checked;
      applyFilters();
    });
  });
  each(".edge-toggle", function (box) {
    box.addEventListener("change", function () {
      hiddenCategories[box.dataset.category] = !box.checked;
      applyFilters();
    });
  });
  function setAllKinds(on) {
    each(".kind-toggle", function (box) {
      box.checked = on;
      hiddenKinds[box.dataset.kind] = !on;
    });
    applyFilters();
  }
  var allButton = document.getElementById("kinds-all");
  var noneButton = document.getElementById("kinds-none");
  if (allButton) allButton.addEventListener("click", function () { setAllKinds(true); });
  if (noneButton) noneButton.addEventListener("click", function () { setAllKinds(false); });

  document.getElementById("edge-labels").addEventListener("change", function (ev) {
    var on = ev.target.checked;
    edges.update(view.edges.map(function (e) { return { id: e.id, label: on ? edgeLabels[e.id] : "" }; }));
  });
  document.getElementById("fit").addEventListener("click", function () {
    network.fit({ animation: { duration: 300 } });
  });

  // --- search ------------------------------------------------------------------
  var searchBox = document.getElementById("search-box");
  var searchStatus = document.getElementById("search-status");
  function norm(text) {
    return String(text).toLowerCase().replace(/[\s\-_]+/g, "");
  }
  function findNode(query) {
    var q = norm(query);
    if (!q) return null;
    var partial = null;
    for (var i = 0; i < view.nodes.length; i++) {
      var n = view.nodes[i];
      var names = (n.names || [n.id]).concat([n.label]);
      for (var j = 0; j < names.length; j++) {
        var key = norm(names[j]);
        if (key === q) return n;
        if (partial === null && key.indexOf(q) >= 0) partial = n;
      }
    }
    return partial;
  }
  var lastQuery = null;
  function search(again) {
    // Enter fires both keydown and change: search once per query unless asked again
    if (again !== true && searchBox.value === lastQuery) return;
    lastQuery = searchBox.value;
    state.lastFound = null;
    var hit = findNode(searchBox.value);
    if (!hit) {
      searchStatus.textContent = searchBox.value ? "No node matches “" + searchBox.value + "”." : "";
      return;
    }
    if (hiddenKinds[hit.kind]) {
      hiddenKinds[hit.kind] = false;
      each(".kind-toggle", function (box) { if (box.dataset.kind === hit.kind) box.checked = true; });
      applyFilters();
    }
    searchStatus.textContent = "Found: " + String(hit.label).replace(/\n/g, " ");
    network.selectNodes([hit.id]);
    network.focus(hit.id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 400 } });
    show(tips["n:" + hit.id]);
    state.lastFound = hit.id;
  }
  searchBox.addEventListener("change", search);
  searchBox.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(true); });
  document.getElementById("search-go").addEventListener("click", function () { search(true); });
  state.search = function (text) { searchBox.value = text; search(true); return state.lastFound || null; };
})();
