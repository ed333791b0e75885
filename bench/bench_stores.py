"""Time the two embedded stores on the built graph: load, and every saved query.

Both stores are loaded through ``kg.store.load_graph`` in this one process:
``memory`` (rdflib's own store, the baseline) and ``oxigraph`` (rdflib over
pyoxigraph via oxrdflib). Each time is the median of ``--repeats`` runs after
one warm-up run per query, or of fewer runs when a step is slow (``--budget``
seconds per step; a step slower than that is timed once). The run fails (exit status 1) unless both stores
return the same rows for every query (same order of ORDER BY keys too).

``--scale N`` replicates the graph N times under renamed IRIs (the ontology's
classes and properties stay shared, so every copy answers the same queries):
``--scale 100`` is about a million triples.

Usage::

    python bench/bench_stores.py [--repeats 5] [--scale 1] [--query NAME ...]
    kg bench stores [same options]
"""

from __future__ import annotations

import argparse
import gc
import re
import signal
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

STORES = ("memory", "oxigraph")  # the first is the baseline
SCHEMA_TYPES = {
    "http://www.w3.org/2002/07/owl#" + name
    for name in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "TransitiveProperty",
                 "SymmetricProperty", "FunctionalProperty", "InverseFunctionalProperty", "Ontology", "Restriction")
} | {"http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}
SCHEMA_LINKS = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf",
    "http://www.w3.org/2002/07/owl#equivalentClass", "http://www.w3.org/2002/07/owl#inverseOf",
    "http://www.w3.org/2000/01/rdf-schema#domain", "http://www.w3.org/2000/01/rdf-schema#range",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LINE = re.compile(r"^(\S+) (\S+) (.*) \.\s*$")


# ---------------------------------------------------------------------------
# A bigger graph
# ---------------------------------------------------------------------------

def scale_graph(source: Path, copies: int, target: Path, namespace: str = "https://w3id.org/dmkg/") -> int:
    """Write ``copies`` copies of the N-Triples file ``source`` to ``target``; the number of lines written.

    Copy k > 0 renames every project IRI that is not part of the schema (not a
    class, property or the object of rdf:type) to ``IRI__ck`` and every blank
    node to ``_:label__ck``. Triples that mention only schema terms and
    external IRIs (the ontology itself) are written once.
    """
    triples = []
    for raw in source.read_text(encoding="utf-8").splitlines():
        match = LINE.match(raw)
        if match:
            triples.append(match.groups())
    schema = set()
    for s, p, o in triples:
        schema.add(p[1:-1])
        if p[1:-1] == RDF_TYPE:
            schema.add(o[1:-1])
            if o[1:-1] in SCHEMA_TYPES:
                schema.add(s[1:-1])
        if p[1:-1] in SCHEMA_LINKS:
            schema.update({s[1:-1], o[1:-1]})
    renamed = {t[1:-1] for s, _, o in triples for t in (s, o)
               if t.startswith("<" + namespace) and t[1:-1] not in schema}

    # blank nodes belong to the data when their connected group touches a renamed IRI
    from networkx.utils import UnionFind

    linked = UnionFind()
    for s, _, o in triples:
        if s.startswith("_:") and o.startswith("_:"):
            linked.union(s, o)
    data_groups = {linked[b] for s, _, o in triples for b in (s, o) if b.startswith("_:")
                   if any(t[1:-1] in renamed for t in (s, o))}

    def is_data(term: str) -> bool:
        return term[1:-1] in renamed if term.startswith("<") else term.startswith("_:") and linked[term] in data_groups

    def rename(term: str, k: int) -> str:
        if term.startswith("<") and term[1:-1] in renamed:
            return f"<{term[1:-1]}__c{k}>"
        if term.startswith("_:"):
            return f"{term}__c{k}"
        return term

    written = 0
    with open(target, "w", encoding="utf-8") as out:
        for s, p, o in triples:
            out.write(f"{s} {p} {o} .\n")
            written += 1
        data = [(s, p, o) for s, p, o in triples if is_data(s) or is_data(o)]
        for k in range(1, copies):
            for s, p, o in data:
                out.write(f"{rename(s, k)} {p} {rename(o, k)} .\n")
                written += 1
    return written


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

def median_time(func, repeats: int, budget_s: float, first_s: float | None = None) -> tuple[float, object, int]:
    """Median wall time of ``func()``, its last value, and the number of timed runs.

    Runs ``repeats`` times, fewer when one run is long (about ``budget_s`` in all,
    at least once). ``first_s`` is the time of a warm-up run already made; without
    one, the first timed run sets the pace.
    """
    if first_s is not None and first_s >= budget_s:
        return first_s, None, 1  # one slow warm-up run is the measurement
    times: list[float] = []
    value = None
    runs = repeats
    if first_s is not None:
        runs = min(repeats, max(1, int(budget_s / max(first_s, 1e-9))))
    while len(times) < runs:
        gc.collect()
        started = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - started)
        if first_s is None:
            first_s = times[0]
            runs = min(repeats, max(1, int(budget_s / max(first_s, 1e-9))))
    return statistics.median(times), value, len(times)


class TooSlow(Exception):
    """A query ran past ``--max-seconds``."""


@contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`TooSlow` in this block after ``seconds`` (checked whenever the store runs Python code)."""
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load(path: Path, store: str):
    """Load ``path`` into ``store`` through kg.store.load_graph (a fresh load each time)."""
    from kg.store import load_graph

    return load_graph(path, store=store)


def default_params(saved, graph) -> dict:
    """Every parameter's default as an RDF term (entities looked up in the unscaled graph)."""
    from kg.query import to_term

    return {p.name: to_term(p, p.default, graph) for p in saved.params if p.default is not None}


def select_queries(names: list[str] | None) -> dict:
    """The saved queries ``names`` names (all of them when None); an unknown name ends the benchmark."""
    from kg.query import saved_queries

    queries = saved_queries()
    if names:
        unknown = sorted(set(names) - set(queries))
        if unknown:
            raise SystemExit(f"unknown query {unknown[0]!r}; saved queries: {', '.join(queries)}")
        queries = {n: queries[n] for n in names}
    return queries


def run(repeats: int, scale: int, names: list[str] | None, budget_s: float = 5.0,
        max_s: float | None = 60.0) -> tuple[list[list[str]], list[str], dict]:
    """Time both stores; the table rows, the mismatches between stores, and the raw numbers.

    A query whose warm-up run passes ``max_s`` is stopped, shown as "> max_s"
    and left out of the comparison.
    """
    from kg.build import ensure_built
    from kg.query import bind, compare_results, run_query

    build = ensure_built()
    queries = select_queries(names)
    base = load(build.ntriples, "oxigraph")
    params = {name: default_params(q, base) for name, q in queries.items()}
    texts = {name: bind(q, params[name], base) for name, q in queries.items()}
    del base

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        path = build.ntriples
        triples = sum(1 for line in open(path, "rb") if line.strip())
        if scale > 1:
            path = Path(tmp) / f"kg-x{scale}.nt"
            triples = scale_graph(build.ntriples, scale, path)
        times: dict[str, dict[str, float]] = {}
        results: dict[str, dict[str, object]] = {}
        runs: dict[str, dict[str, int]] = {}
        for store in STORES:
            print(f"  {store}: loading {triples:,} triples ...", file=sys.stderr, flush=True)
            load_s, graph, n = median_time(lambda store=store: load(path, store), repeats, budget_s)
            times.setdefault("load", {})[store] = load_s
            runs.setdefault("load", {})[store] = n
            for name, saved in queries.items():
                print(f"  {store}: {name} ...", file=sys.stderr, flush=True)
                started = time.perf_counter()
                try:
                    with time_limit(max_s):  # timeout=None: run in this thread, where time_limit's alarm stops it
                        results.setdefault(name, {})[store] = run_query(saved, params[name], graph=graph,
                                                                        timeout=None, max_rows=None)
                except TooSlow:
                    results.setdefault(name, {})[store] = None
                    times.setdefault(name, {})[store] = None
                    runs.setdefault(name, {})[store] = 0
                    continue
                warm_s = time.perf_counter() - started
                query_s, _, n = median_time(
                    lambda saved=saved, name=name, graph=graph: run_query(saved, params[name], graph=graph,
                                                                          timeout=None, max_rows=None),
                    repeats, budget_s, first_s=warm_s)
                times.setdefault(name, {})[store] = query_s
                runs.setdefault(name, {})[store] = n
            del graph
            gc.collect()

    mismatches, stopped = [], []
    for name in queries:
        first, second = (results[name][s] for s in STORES)
        if first is None or second is None:
            stopped.append(name)
            continue
        difference = compare_results(first, second, texts[name])
        if difference:
            mismatches.append(f"{name}: {difference}")
    baseline = STORES[0]

    def shown_time(label: str, store: str) -> str:
        seconds = times[label][store]
        if seconds is None:
            return f"> {max_s * 1000:,.0f} (stopped)"
        return f"{seconds * 1000:,.1f}" + ("" if runs[label][store] == repeats else f" ({runs[label][store]}x)")

    def fmt(x: float) -> str:
        return f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"

    def ratio(label: str, store: str) -> str:
        mine, base = times[label][store], times[label][baseline]
        if mine is None and base is None:
            return "-"
        if base is None:
            return f"< {fmt(mine / max_s)}"
        if mine is None:
            return f"> {fmt(max_s / base)}"
        return fmt(mine / base)

    rows = []
    for label in times:
        shown = f"load ({triples:,} triples)" if label == "load" else label
        answer = None if label == "load" else next((r for r in results[label].values() if r is not None), None)
        rows.append([shown, "" if answer is None else str(len(answer.rows))]
                    + [shown_time(label, s) for s in STORES] + [ratio(label, s) for s in STORES[1:]])
    finished = [k for k in times if k != "load" and k not in stopped]
    query_total = {s: sum(times[k][s] for k in finished) for s in STORES}
    if finished:
        label = "all queries (sum of medians)" + (f", {len(stopped)} stopped left out" if stopped else "")
        rows.append([label, ""] + [f"{query_total[s] * 1000:,.1f}" for s in STORES]
                    + [fmt(query_total[s] / query_total[baseline]) for s in STORES[1:]])
    return rows, mismatches, {"triples": triples, "times": times, "runs": runs, "stopped": stopped}


def markdown(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when both stores agreed on every query, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="bench_stores", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="Timed runs per measurement (median). Default 5.")
    parser.add_argument("--scale", type=int, default=1, help="Copies of the graph under renamed IRIs. Default 1.")
    parser.add_argument("--budget", type=float, default=5.0, metavar="SECONDS",
                        help="Time budget per measurement: a slow step is repeated fewer times. Default 5.")
    parser.add_argument("--max-seconds", type=float, default=60.0, metavar="SECONDS",
                        help="Stop a query after this long and leave it out (0: no limit). Default 60.")
    parser.add_argument("--query", action="append", dest="queries", metavar="NAME",
                        help="Time only this saved query (repeatable). Default: all.")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.scale < 1:
        parser.error("--repeats and --scale must be at least 1")
    started = time.perf_counter()
    rows, mismatches, raw = run(args.repeats, args.scale, args.queries, args.budget, args.max_seconds or None)
    headers = ["step", "rows"] + [f"{s} ms" for s in STORES] + [f"{s} / {STORES[0]}" for s in STORES[1:]]
    print(f"Embedded stores, scale x{args.scale}: median of {args.repeats} runs, or of (N) runs when a step "
          f"is slow (budget {args.budget:g} s a step); baseline {STORES[0]}, a ratio below 1 is faster\n")
    print(markdown(headers, rows))
    print(f"\n{time.perf_counter() - started:.1f} s in all.")
    if mismatches:
        print("\nFAILED: the stores disagree:\n  " + "\n  ".join(mismatches), file=sys.stderr)
        return 1
    compared = "every query" if not raw["stopped"] else "every query that finished"
    print(f"Both stores returned identical results for {compared} (numbers compared by value).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
