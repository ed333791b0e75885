"""How each saved query's time grows with the data: the curated graph and k copies of it, and a growth exponent.

The graph is replicated with ``bench_stores.scale_graph`` (copy k renames every
project IRI that is not part of the schema, so each copy is a whole set of
cases, drugs and diseases in the queries' own vocabulary). Each size is
bulk-loaded into a pyoxigraph store in memory, and each saved query runs there
with its default parameters, as ``kg query NAME`` binds them (the same text as
the file, whose defaults are bound in it); a query's first run is killed when it passes ``--cap`` seconds
(shown as "> cap"). The **growth exponent** is the slope of log(time) on
log(triples) over the sizes (least squares): 1 grows like the data, 2 like its
square. A capped point makes the exponent a lower bound ("≥").

Times below ``--floor`` milliseconds are dominated by the engine's fixed cost
and make an exponent meaningless, so the exponent is fitted only over sizes
where the query takes longer (and shown as "-" when fewer than two do).

Usage::

    python bench/bench_growth.py [--copies 1,2,4,8] [--repeats 3] [--cap 30] [--query NAME ...] [--json FILE]
    kg bench growth [same options]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _bench_stores():
    spec = importlib.util.spec_from_file_location("bench_stores", Path(__file__).with_name("bench_stores.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) on log(triples); None with fewer than two sizes.

    Examples
    --------
    >>> round(exponent([(1000, 0.01), (2000, 0.02), (4000, 0.04)]), 2)
    1.0
    >>> round(exponent([(1000, 0.01), (2000, 0.04)]), 2)
    2.0
    """
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None


_STORE = None  # the store of the size being timed, shared with forked children


def _child(conn, text: str, repeats: int) -> None:
    times, rows = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows = sum(1 for _ in _STORE.query(text))
        times.append(time.perf_counter() - started)
        conn.send(("time", times[-1], rows))
    conn.send(("done", statistics.median(times), rows))


def time_query(text: str, repeats: int, cap: float) -> tuple[float | None, int | None]:
    """Median seconds and row count of ``text`` on the current store; (None, None) past ``cap``."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(child, text, repeats))
    process.start()
    times, rows, deadline = [], None, time.monotonic() + cap
    try:
        while True:
            left = deadline - time.monotonic()
            if not parent.poll(max(left, 0)):
                break
            kind, seconds, rows = parent.recv()
            if kind == "done":
                return seconds, rows
            times.append(seconds)
            deadline = time.monotonic() + cap  # each further run gets the cap again
    finally:
        process.kill()
        process.join()
    return (statistics.median(times), rows) if times else (None, None)


def measure(copies: list[int], names: list[str] | None, repeats: int, cap: float) -> dict:
    """Times of every saved query at every size: {"sizes": {copies: triples}, "queries": {name: {copies: s}}}."""
    global _STORE
    import pyoxigraph

    from kg.build import ensure_built
    from kg.query import bind
    from kg.store import load_graph

    build = ensure_built()
    queries = _bench_stores().select_queries(names)
    curated = load_graph(build.ntriples, store="oxigraph")  # defaults name entities of the first copy
    texts = {name: bind(saved, {}, curated) for name, saved in queries.items()}
    del curated
    scale_graph = _bench_stores().scale_graph
    results: dict = {"sizes": {}, "queries": {name: {} for name in queries}, "rows": {name: {} for name in queries}}
    with tempfile.TemporaryDirectory(prefix="kg-growth-") as tmp:
        for k in copies:
            path = Path(tmp) / f"x{k}.nt"
            triples = scale_graph(build.ntriples, k, path)
            _STORE = pyoxigraph.Store()
            _STORE.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
            results["sizes"][k] = triples
            for name, text in texts.items():
                seconds, rows = time_query(text, repeats, cap)
                results["queries"][name][k] = seconds
                results["rows"][name][k] = rows
                shown = f"{seconds * 1000:9.1f} ms" if seconds is not None else f"  > {cap:g} s"
                print(f"x{k:<3} {triples:>9,} triples  {name:<28} {shown}  {rows if rows is not None else '-'} rows",
                      file=sys.stderr, flush=True)
            _STORE = None
    return results


def fitted(results: dict, name: str, cap: float, floor_s: float) -> str:
    """The growth exponent of one query as shown: "1.02", "≥ 2.3" (a capped size), or "-"."""
    sizes = results["sizes"]
    times = results["queries"][name]
    points = [(sizes[k], t if t is not None else cap) for k, t in times.items()
              if t is None or t >= floor_s]
    value = exponent(points)
    if value is None:
        return "-"
    return f"≥ {value:.2f}" if any(t is None for t in times.values()) else f"{value:.2f}"


def report(results: dict, cap: float, floor_s: float) -> str:
    sizes = results["sizes"]
    head = " | ".join(f"x{k} ({n:,}) ms" for k, n in sizes.items())
    lines = [f"| query | rows x1 | {head} | growth exponent |",
             "| --- | --- | " + " | ".join("---" for _ in sizes) + " | --- |"]
    for name, times in results["queries"].items():
        cells = [f"{t * 1000:.1f}" if t is not None else f"> {cap * 1000:.0f}" for t in times.values()]
        first = next(iter(results["rows"][name].values()))
        lines.append(f"| {name} | {first if first is not None else '-'} | {' | '.join(cells)} | "
                     f"{fitted(results, name, cap, floor_s)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg bench growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", default="1,2,4,8", help="sizes as copies of the curated graph (default 1,2,4,8)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per query and size (median)")
    parser.add_argument("--cap", type=float, default=30.0, help="seconds after which a run is stopped")
    parser.add_argument("--floor", type=float, default=2.0,
                        help="milliseconds below which a time is left out of the fit (engine overhead)")
    parser.add_argument("--query", action="append", help="only this saved query (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    copies = sorted({int(c) for c in args.copies.split(",") if c.strip()})
    if not copies or copies[0] < 1:
        parser.error("--copies takes positive numbers, e.g. 1,2,4,8")
    results = measure(copies, args.query, args.repeats, args.cap)
    print(report(results, args.cap, args.floor / 1000))
    if args.json:
        from kg.files import write_atomic

        write_atomic(args.json, json.dumps(results, indent=2, sort_keys=True).encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
