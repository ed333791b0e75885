"""Import Hetionet-shaped graphs into the store and report the scale ratios of issue 12.

For each size (``--sizes``, default 100k, 1m and 5m edges; bench/hetgen.py writes the
KGX TSV pair and the N-Triples it converts to):

* import: ``kg import`` of the N-Triples file and of the KGX pair, each into a fresh
  store holding the curated graph, against raw ``pyoxigraph.Store(path).bulk_load``
  of the same N-Triples file (target <= 1.5x);
* every saved query over the merged store (curated + import, the default dataset):
  ``kg.query.run_query`` on an open snapshot against raw ``pyoxigraph`` on the same
  store (target <= 1.5x), and against rdflib's memory store holding the same triples
  (target >= 10x faster; only up to ``--rdflib-max-triples``; a run past ``--cap``
  seconds is stopped and shown as "> cap");
* each query's growth exponent over the sizes (slope of log time on log triples),
  and over ``--replicas`` copies of the curated graph (bench_stores.scale_graph, the
  same vocabulary growing: where super-linear queries show);
* on the biggest store: ``kg query NAME`` cold start against ``python -c "import rdflib"``
  (target <= 2x); ``kg explain``, ``kg predict dermatomyositis`` and ``kg viz --focus
  cyclosporine --depth 2``: time and peak memory (targets 10 s, 4 GB);
* the push rate of the smallest import into a writable Oxigraph server.

Times are medians of ``--repeats`` runs (fewer for a step slower than ``--budget``
seconds), with the spread (min-max). Every query runs in a child process that is
killed at ``--cap`` seconds. The results are written as JSON too (``--json``).

Usage::

    kg bench scale [--sizes 100k,1m,5m] [--repeats 3] [--work DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_stores  # noqa: E402
import hetgen  # noqa: E402

KG = str(Path(sys.executable).parent / "kg")
_RDFLIB: list = []  # rdflib's memory store of the current size, for the forked query children
TARGETS = {"import": 1.5, "query_vs_raw": 1.5, "rdflib_speedup": 10.0, "cold_start": 2.0,
           "analysis_s": 10.0, "analysis_mb": 4096}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


# ---------------------------------------------------------------------------
# Timing helpers
# ---------------------------------------------------------------------------

def timed(func, repeats: int, budget_s: float) -> dict:
    """Median, min and max wall time of ``func()`` over ``repeats`` runs (one run if the first exceeds the budget)."""
    times = []
    while len(times) < repeats:
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
        if sum(times) > budget_s:
            break
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times)}


def timed_pair(first, second, repeats: int, budget_s: float) -> tuple[dict, dict]:
    """Times of ``first()`` and ``second()`` run alternately (so a busy machine slows both alike).

    At least ``repeats`` rounds; up to five times as many while a round takes under a second in all.
    """
    times: tuple[list, list] = ([], [])
    while True:
        for func, sink in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            func()
            sink.append(time.perf_counter() - started)
        spent = sum(times[0]) + sum(times[1])
        rounds = len(times[0])
        if spent > budget_s or rounds >= 5 * repeats or (rounds >= repeats and spent > 1.0):
            break
    return tuple({"median": statistics.median(t), "min": min(t), "max": max(t), "runs": len(t)} for t in times)


def _query_child(conn, store_dir: str, texts: dict, name: str, repeats: int, budget_s: float, rdflib: bool,
                 raw_only: bool) -> None:
    """In a child process: time one query through kg (an open snapshot), raw pyoxigraph and rdflib.

    Sends ``(step, value)`` messages: ``first`` after the warm-up run (so the parent can stop a query
    that runs past the cap), ``times`` with the kg and raw timings, then ``rdflib-first`` and
    ``rdflib``. With ``raw_only``, ``store_dir`` is a plain pyoxigraph store queried on its default graph.
    """
    import pyoxigraph as ox

    text = texts[name]
    if raw_only:
        store = ox.Store.read_only(store_dir)
        started = time.perf_counter()
        rows = [tuple(row) for row in store.query(text)]
        conn.send(("first", {"seconds": time.perf_counter() - started, "rows": len(rows)}))
        conn.send(("times", {"raw": timed(lambda: [tuple(r) for r in store.query(text)], repeats, budget_s)}))
        return
    os.environ["KG_STORE"] = store_dir
    from kg.query import find_query, run_query
    from kg.store import open_store

    snapshot = open_store(sync=False)
    graphs = [ox.NamedNode(i) for i in snapshot.select("all")]
    saved = find_query(name)
    started = time.perf_counter()
    rows = len(run_query(saved, store=snapshot, timeout=None, max_rows=None).rows)
    conn.send(("first", {"seconds": time.perf_counter() - started, "rows": rows}))
    kg, raw = timed_pair(lambda: run_query(saved, store=snapshot, timeout=None, max_rows=None),
                         lambda: [tuple(row) for row in snapshot.store.query(text, default_graph=graphs,
                                                                             named_graphs=graphs)], repeats, budget_s)
    conn.send(("times", {"kg": kg, "raw": raw}))
    if rdflib and _RDFLIB:
        graph = _RDFLIB[0]  # parsed once in the parent, shared with this forked child
        conn.send(("rdflib-start", True))
        started = time.perf_counter()
        list(graph.query(text))
        first = time.perf_counter() - started
        conn.send(("rdflib-first", first))
        rest = timed(lambda: list(graph.query(text)), repeats - 1, budget_s - first) if repeats > 1 and \
            first < budget_s else None
        times = [first] + ([rest["median"]] * rest["runs"] if rest else [])
        conn.send(("rdflib", {"median": statistics.median(times), "min": min([first] + ([rest["min"]] if rest else [])),
                              "max": max([first] + ([rest["max"]] if rest else [])), "runs": len(times)}))


def time_query(store_dir: Path, texts: dict, name: str, repeats: int, budget_s: float, cap: float,
               rdflib: bool = False, raw_only: bool = False) -> dict:
    """Times of one query (kg, raw, rdflib); a side whose first run passes ``cap`` seconds is None (stopped)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_query_child, args=(child, str(store_dir), texts, name, repeats, budget_s, rdflib,
                                                  raw_only))
    proc.start()
    child.close()
    result: dict = {"kg": None, "raw": None, "rdflib": None}

    def expect(step: str, seconds: float):
        if parent.poll(seconds):
            try:
                got, value = parent.recv()
            except EOFError:
                return None
            return value if got == step else None
        return None

    try:
        first = expect("first", cap + 60)
        if first is None:
            return result
        result["rows"] = first["rows"]
        result.update(expect("times", 2 * (budget_s + cap) + 60) or {})
        if rdflib and expect("rdflib-start", 60) and expect("rdflib-first", cap) is not None:
            result["rdflib"] = expect("rdflib", budget_s + cap + 60)
        return result
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def measure_command(args: list[str], env: dict, timeout: float = 600) -> dict:
    """Wall time, peak memory (MB) and exit status of a command run in a fresh wrapper process."""
    wrapper = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(json.dumps({'seconds': time.perf_counter() - t, 'returncode': p.returncode, "
               "'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
               "'out': p.stdout[-400:], 'err': p.stderr[-400:]}))")
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=True)
    return json.loads(proc.stdout)


def exponent(points: list[tuple[int, float | None]]) -> float | None:
    """Least-squares slope of log(time) on log(size), over the points that have a time (at least two)."""
    pts = [(math.log(n), math.log(max(t, 1e-4))) for n, t in points if t]
    if len(pts) < 2:
        return None
    mx, my = (sum(p[i] for p in pts) / len(pts) for i in (0, 1))
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


# ---------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------

def fresh_store(folder: Path):
    """A Project whose store (in ``folder``) holds the curated graph."""
    from kg.project import Project
    from kg.store import open_store

    shutil.rmtree(folder, ignore_errors=True)
    project = Project(root=Project.discover().root, store_override=folder)
    open_store(project).close()
    return project


def bench_imports(size: int, files: dict, work: Path, repeats: int, budget_s: float) -> tuple[dict, object]:
    """Raw bulk_load vs kg import (N-Triples, KGX), in alternating rounds; the numbers and the project
    holding the KGX import (kept for the queries)."""
    import pyoxigraph as ox

    from kg.graph_import import import_graph

    def raw():
        target = work / "raw"
        shutil.rmtree(target, ignore_errors=True)
        store = ox.Store(str(target))
        store.bulk_load(path=files["ntriples"], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:g"))
        store.flush()
        del store

    kinds = {"ntriples": (files["ntriples"], {}), "kgx": (files["edges"], {"prefixes": hetgen.PREFIXES})}
    times: dict[str, list] = {"raw": [], "ntriples": [], "kgx": []}
    reports, project = {}, None
    while not times["raw"] or (len(times["raw"]) < repeats and sum(map(sum, times.values())) < budget_s):
        started = time.perf_counter()
        raw()
        times["raw"].append(time.perf_counter() - started)
        shutil.rmtree(work / "raw", ignore_errors=True)
        for kind, (path, options) in kinds.items():
            project = fresh_store(work / f"store-{kind}")  # the curated graph first, untimed
            started = time.perf_counter()
            reports[kind] = import_graph(path, project, name=f"het-{kind}", **options)
            times[kind].append(time.perf_counter() - started)
    shutil.rmtree(work / "store-ntriples", ignore_errors=True)
    out = {k: {"median": statistics.median(v), "min": min(v), "max": max(v), "runs": len(v)} for k, v in times.items()}
    for kind, report in reports.items():
        out[kind].update(triples=report.triples, nodes=report.info.nodes, edges=report.info.edges,
                         ratio=out[kind]["median"] / out["raw"]["median"])
    return out, project


def bench_queries(project, texts: dict, repeats: int, budget_s: float, cap: float, rdf_paths) -> dict:
    """Every query's times; with ``rdf_paths`` rdflib's memory store is loaded once (its load time is returned)."""
    out: dict = {}
    if rdf_paths:
        from rdflib import Graph

        print("    loading rdflib's memory store ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        graph = Graph()
        for path in rdf_paths:
            graph.parse(path, format="nt")
        out["_rdflib_load_s"] = time.perf_counter() - started
        _RDFLIB[:] = [graph]
    try:
        for name in texts:
            print(f"    query {name} ...", file=sys.stderr, flush=True)
            out[name] = time_query(project.store, texts, name, repeats, budget_s, cap, rdflib=bool(rdf_paths))
    finally:
        _RDFLIB.clear()
    return out


def bench_replicas(copies: list[int], texts: dict, work: Path, repeats: int, budget_s: float, cap: float) -> dict:
    """Raw pyoxigraph (on disk) on N copies of the curated graph: growth when the same vocabulary grows."""
    import pyoxigraph as ox

    from kg.build import ensure_built

    build = ensure_built()
    out = {}
    for k in copies:
        path, folder = work / f"replica-{k}.nt", work / f"replica-{k}"
        triples = bench_stores.scale_graph(build.ntriples, k, path)
        shutil.rmtree(folder, ignore_errors=True)
        store = ox.Store(str(folder))
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        del store
        print(f"  replicas x{k}: {triples:,} triples", file=sys.stderr, flush=True)
        out[k] = {"triples": triples, "queries": {n: time_query(folder, texts, n, repeats, budget_s, cap,
                                                                 raw_only=True) for n in texts}}
        shutil.rmtree(folder, ignore_errors=True)
        path.unlink(missing_ok=True)
    return out


def bench_commands(project, repeats: int, cold_query: str) -> dict:
    env = {**os.environ, "KG_STORE": str(project.store)}
    out = {"import rdflib": [measure_command([sys.executable, "-c", "import rdflib"], env) for _ in range(repeats)],
           f"kg query {cold_query}": [measure_command([KG, "query", cold_query, "--format", "csv"], env)
                                      for _ in range(repeats)]}
    html = Path(tempfile.mkdtemp(prefix="kg-bench-viz-")) / "focus.html"
    for label, args in (("kg explain cyclosporine dermatomyositis", [KG, "explain", "cyclosporine", "dermatomyositis"]),
                        ("kg predict dermatomyositis", [KG, "predict", "dermatomyositis"]),
                        ("kg viz --focus cyclosporine --depth 2",
                         [KG, "viz", "--focus", "cyclosporine", "--depth", "2", "--out", str(html)])):
        out[label] = [measure_command(args, env)]
    shutil.rmtree(html.parent, ignore_errors=True)
    return out


def bench_push(nt: str, name: str) -> dict:
    """Push one generated graph (its N-Triples) into a writable Oxigraph server on a scratch store."""
    from kg.push import push
    from kg.serve import free_port, start_server
    from kg.store import IMPORT_BASE

    folder = Path(tempfile.mkdtemp(prefix="kg-bench-push-"))
    try:
        with start_server(port=free_port(), writable=True, location=folder / "store", timeout=600) as server:
            result = push(server.url, graph=IMPORT_BASE + name, source=Path(nt), timeout=600)
        return {"triples": result.triples_sent, "seconds": result.seconds, "in_store": result.triples_in_store,
                "rate": result.triples_sent / result.seconds, "method": result.method}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def _ms(t: dict | None, cap: float) -> str:
    if t is None:
        return f"> {cap:g} s"
    spread = f" ({t['min'] * 1000:,.0f}-{t['max'] * 1000:,.0f})" if t["runs"] > 1 and t["max"] > 1.2 * t["min"] else ""
    return f"{t['median'] * 1000:,.0f}{spread}" if t["median"] >= 0.01 else f"{t['median'] * 1000:.1f}"


def _ratio(a: dict | None, b: dict | None) -> float | None:
    return a["median"] / b["median"] if a and b and b["median"] > 0 else None


def _x(value: float | None, fallback: str = "-") -> str:
    return fallback if value is None else f"{value:.2f}" if value < 10 else f"{value:.0f}"


def report(results: dict, cap: float) -> tuple[str, dict]:
    """Markdown tables and the verdict on every target."""
    sizes = results["sizes"]
    labels = list(sizes)
    lines = ["### Imports (seconds; ratio to raw pyoxigraph bulk_load of the same N-Triples)", "",
             "| edges | triples | raw bulk_load | kg import N-Triples | ratio | kg import KGX | ratio |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    verdict: dict[str, list] = {k: [] for k in TARGETS}
    for label, data in sizes.items():
        imp = data["imports"]
        lines.append(f"| {label} | {imp['kgx']['triples']:,} | {imp['raw']['median']:.1f} | "
                     f"{imp['ntriples']['median']:.1f} | {imp['ntriples']['ratio']:.2f} | {imp['kgx']['median']:.1f} | "
                     f"{imp['kgx']['ratio']:.2f} |")
        verdict["import"] += [(f"{label} N-Triples", imp["ntriples"]["ratio"]), (f"{label} KGX", imp["kgx"]["ratio"])]
    names = [n for n in next(iter(sizes.values()))["queries"] if not n.startswith("_")]
    for label, data in sizes.items():
        if "_rdflib_load_s" in data["queries"]:
            lines.append(f"\nrdflib's memory store at {label}: parsing {data['triples']:,} triples took "
                         f"{data['queries']['_rdflib_load_s']:.0f} s "
                         f"(kg import: {data['imports']['kgx']['median']:.0f} s, "
                         f"and then every later command opens the store instead).")
    head = " | ".join(f"{lab} kg ms | raw ms | ratio" for lab in labels)
    lines += ["", ("### Saved queries over the merged store (curated + import): kg.query.run_query vs raw pyoxigraph "
                   "on the same store, and rdflib's memory store"), "",
              (f"| query | rows | {head} | rdflib ms | rdflib / kg | growth exponent (sizes) | "
               f"growth exponent (curated copies) |"),
              "| --- | --- | " + " | ".join("--- | --- | ---" for _ in labels) + " | --- | --- | --- | --- |"]
    for name in names:
        cells, series = [], []
        rdf_cell, speed = "-", None
        for label, data in sizes.items():
            q = data["queries"][name]
            ratio = _ratio(q["kg"], q["raw"])
            cells += [_ms(q["kg"], cap), _ms(q["raw"], cap), _x(ratio)]
            if ratio is not None:
                verdict["query_vs_raw"].append((f"{name} @ {label}", ratio))
            series.append((data["triples"], q["kg"]["median"] if q["kg"] else None))
            if data.get("rdflib") and rdf_cell == "-":
                rdf_cell = _ms(q.get("rdflib"), cap)
                speed = _ratio(q.get("rdflib"), q["kg"]) if q.get("rdflib") else None
                if q["kg"] and not q.get("rdflib"):
                    speed = cap / q["kg"]["median"]
                    verdict["rdflib_speedup"].append((f"{name} @ {label} (rdflib capped)", speed))
                elif speed is not None:
                    verdict["rdflib_speedup"].append((f"{name} @ {label}", speed))
        rows = next(iter(sizes.values()))["queries"][name].get("rows", "")
        replicas = [(r["triples"], r["queries"][name]["raw"]["median"] if r["queries"][name]["raw"] else None)
                    for r in results.get("replicas", {}).values()]
        speed_cell = (("> " if rdf_cell.startswith(">") else "") + _x(speed)) if speed is not None else "-"
        lines.append(f"| {name} | {rows} | " + " | ".join(cells) +
                     f" | {rdf_cell} | {speed_cell} | {_x(exponent(series))} | {_x(exponent(replicas))} |")
    lines += ["", "### Commands on the merged store (seconds, peak MB)", "",
              "| command | " + " | ".join(labels) + " |", "| --- | " + " | ".join("---" for _ in labels) + " |"]
    commands = list(next(iter(sizes.values()))["commands"])
    for command in commands:
        cells = []
        for label, data in sizes.items():
            runs = data["commands"][command]
            secs = statistics.median(r["seconds"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            ok = all(r["returncode"] == 0 for r in runs)
            cells.append(f"{secs:.2f} s, {peak:,.0f} MB" + ("" if ok else " (failed)"))
            if command.startswith(("kg explain", "kg predict", "kg viz")):
                verdict["analysis_s"].append((f"{command} @ {label}", secs))
                verdict["analysis_mb"].append((f"{command} @ {label}", peak))
        lines.append(f"| {command} | " + " | ".join(cells) + " |")
    for label, data in sizes.items():
        base = statistics.median(r["seconds"] for r in data["commands"]["import rdflib"])
        cold = next(c for c in data["commands"] if c.startswith("kg query"))
        mine = statistics.median(r["seconds"] for r in data["commands"][cold])
        verdict["cold_start"].append((f"{cold} @ {label}", mine / base))
    if results.get("push"):
        p = results["push"]
        lines += ["", (f"Push ({results['push_size']}): {p['triples']:,} triples in {p['seconds']:.1f} s = "
                       f"{p['rate']:,.0f} triples/s ({p['method']}), {p['in_store']:,} in the store after.")]
    summary = {}
    lines += ["", "### Targets", "", "| target | worst measured | holds |", "| --- | --- | --- |"]
    wording = {"import": "import <= 1.5x raw bulk_load", "query_vs_raw": "query <= 1.5x raw pyoxigraph",
               "rdflib_speedup": ">= 10x faster than rdflib memory",
               "cold_start": "kg query cold start <= 2x import rdflib",
               "analysis_s": "explain / predict / viz <= 10 s", "analysis_mb": "explain / predict / viz <= 4 GB"}
    for key, values in verdict.items():
        if not values:
            continue
        higher_is_better = key == "rdflib_speedup"
        worst = min(values, key=lambda v: v[1]) if higher_is_better else max(values, key=lambda v: v[1])
        holds = worst[1] >= TARGETS[key] if higher_is_better else worst[1] <= TARGETS[key]
        failing = [v for v in values if (v[1] < TARGETS[key] if higher_is_better else v[1] > TARGETS[key])]
        summary[key] = {"worst": worst, "holds": holds, "failing": failing, "target": TARGETS[key]}
        unit = " MB" if key == "analysis_mb" else " s" if key == "analysis_s" else "x"
        lines.append(f"| {wording[key]} | {worst[1]:,.2f}{unit} ({worst[0]}) | "
                     f"{'yes' if holds else f'no: {len(failing)} of {len(values)} miss'} |")
    return "\n".join(lines), summary


def save(results: dict, path: Path, started: float, partial: bool = True) -> None:
    """Write the results so far to ``path`` (atomically: a stopped run leaves the last complete step)."""
    results["seconds"], results["partial"] = time.perf_counter() - started, partial
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(results, indent=2, default=str))
    scratch.replace(path)


def query_texts() -> dict[str, str]:
    """Every saved query with its default parameters bound (entities looked up in the curated graph)."""
    from kg.lookup import NameIndex
    from kg.query import bind, saved_queries
    from kg.store import open_store

    with open_store() as snapshot:
        names = NameIndex.of(snapshot.rdflib_graph("curated"))
        return {n: bind(q, {}, names) for n, q in saved_queries().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m,5m", help="Edges of each generated graph. Default 100k,1m,5m.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="Timed runs per measurement (median). Default 3.")
    parser.add_argument("--budget", type=float, default=60.0, metavar="S",
                        help="Stop repeating a measurement after this many seconds. Default 60.")
    parser.add_argument("--cap", type=float, default=120.0, metavar="S",
                        help="Stop a query run after this many seconds (shown as > cap). Default 120.")
    parser.add_argument("--rdflib-max-triples", type=int, default=1_500_000,
                        help="Load rdflib's memory store only up to this many triples. Default 1.5M.")
    parser.add_argument("--replicas", default="1,2,4,8", help="Copies of the curated graph for the growth series.")
    parser.add_argument("--cold-query", default="cyclosporine_dose", help="The query of the cold-start measurement.")
    parser.add_argument("--work", type=Path, help="Scratch folder (default: a temporary one, removed after).")
    parser.add_argument("--json", type=Path, default=Path("bench-scale.json"),
                        help="Write the results here (after each step too: a run that stops keeps its numbers).")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="Measure nothing: print the report of the results in FILE (a finished or partial run).")
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
        print(report(results, float(results["args"]["cap"]))[0])
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
    started = time.perf_counter()
    import pyoxigraph

    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "pyoxigraph": pyoxigraph.__version__},
                     "args": {k: str(v) for k, v in vars(args).items()}, "sizes": {}}
    texts = query_texts()
    from kg.build import ensure_built

    curated_nt = str(ensure_built().ntriples)
    try:
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            label = hetgen._short(size)
            folder = work / f"het-{label}"
            print(f"size {label}: generating ...", file=sys.stderr, flush=True)
            summary = hetgen.generate(size, args.seed, folder)
            print(f"size {label}: importing ...", file=sys.stderr, flush=True)
            imports, project = bench_imports(size, summary["files"], folder, args.repeats, args.budget)
            triples = imports["kgx"]["triples"] + ensure_built().report["triples"]
            rdf_paths = [curated_nt, summary["files"]["ntriples"]] if triples <= args.rdflib_max_triples else None
            print(f"size {label}: queries ...", file=sys.stderr, flush=True)
            queries = bench_queries(project, texts, args.repeats, args.budget, args.cap, rdf_paths)
            print(f"size {label}: commands ...", file=sys.stderr, flush=True)
            commands = bench_commands(project, args.repeats, args.cold_query)
            results["sizes"][label] = {"edges": summary["edges"], "nodes": summary["nodes"], "triples": triples,
                                       "sha256": summary["sha256"], "imports": imports, "queries": queries,
                                       "commands": commands, "rdflib": bool(rdf_paths)}
            save(results, args.json, started)
            if "push" not in results:
                print(f"size {label}: push ...", file=sys.stderr, flush=True)
                results["push"], results["push_size"] = bench_push(summary["files"]["ntriples"], "het-kgx"), label
                save(results, args.json, started)
            shutil.rmtree(folder, ignore_errors=True)
        copies = [int(c) for c in args.replicas.split(",") if c.strip()]
        if copies:
            results["replicas"] = bench_replicas(copies, texts, work, args.repeats, args.budget, args.cap)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text, verdict = report(results, args.cap)
    results["verdict"] = verdict
    save(results, args.json, started, partial=False)
    print(f"Scale benchmark ({os.cpu_count()} CPUs, pyoxigraph {pyoxigraph.__version__}); medians of "
          f"{args.repeats} runs (spread min-max where it exceeds 20%)\n")
    print(text)
    print(f"\n{results['seconds'] / 60:.1f} min in all; results in {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
