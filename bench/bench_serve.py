"""kg serve under load: CLIENTS clients each sending REQUESTS saved queries at once; p50/p99 per query.

    kg bench serve [--clients 8] [--requests 100] [--json bench-serve.json]

Starts ``kg serve``'s server (``kg.serve.start_server``: Oxigraph behind the relay that
refuses SERVICE) on a free loopback port over the built graph and first runs every saved
query alone, one client, ``--baseline`` times each: the unloaded latency. Then CLIENTS
threads send REQUESTS queries each, client ``i`` starting at the ``i``-th saved query and
taking them in turn, through ``kg.query.run_query(name, endpoint=URL)`` (binding, HTTP,
checking the SPARQL JSON, as a user's ``kg query --endpoint`` does). Reported, per query and
over all requests: count, errors, p50 and p99 in milliseconds, p99/p50, and the loaded p50
against the unloaded one. The tail of a mixed load is mostly which query a request was
(the slowest saved query sets the overall p99), so each query's own p99/p50 is the measure
of queueing; the target is within 10x.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def stats(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(1000 * statistics.median(values), 1),
            "p99_ms": round(1000 * percentile(values, 99), 1),
            "ratio": round(percentile(values, 99) / statistics.median(values), 2)}


def run(clients: int, requests: int, baseline: int, timeout: float) -> dict:
    from kg.query import run_query
    from kg.query.saved import saved_queries
    from kg.serve import free_port, start_server

    names = sorted(saved_queries())
    with start_server(port=free_port(), timeout=int(timeout)) as server:
        alone: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(baseline):
            for name in names:
                started = time.perf_counter()
                run_query(name, endpoint=server.url, timeout=timeout)
                alone[name].append(time.perf_counter() - started)
        loaded: dict[str, list[float]] = {name: [] for name in names}
        errors: dict[str, list[str]] = {}
        lock = threading.Lock()

        def client(i: int) -> None:
            for r in range(requests):
                name = names[(i + r) % len(names)]
                started = time.perf_counter()
                try:
                    run_query(name, endpoint=server.url, timeout=timeout)
                except Exception as exc:  # counted and reported, the load goes on
                    with lock:
                        errors.setdefault(name, []).append(" ".join(str(exc).split())[:200])
                    continue
                with lock:
                    loaded[name].append(time.perf_counter() - started)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    rows = {}
    for name in names:
        if loaded[name]:
            rows[name] = {**stats(loaded[name]), "alone_p50_ms": round(1000 * statistics.median(alone[name]), 1),
                          "errors": len(errors.get(name, []))}
    every = [v for values in loaded.values() for v in values]
    return {"clients": clients, "requests": requests, "answers": len(every),
            "errors": sum(map(len, errors.values())), "error_samples": {k: v[:2] for k, v in errors.items()},
            "wall_s": round(wall, 1), "overall": stats(every), "queries": rows,
            "worst_query_ratio": max(r["ratio"] for r in rows.values()) if rows else None}


def report(result: dict) -> str:
    lines = [f"{result['clients']} clients x {result['requests']} requests: {result['answers']} answers, "
             f"{result['errors']} errors, {result['wall_s']} s",
             f"{'query':<32} {'n':>4} {'alone':>8} {'p50':>8} {'p99':>8} {'p99/p50':>8}"]
    for name, row in result["queries"].items():
        lines.append(f"{name[:32]:<32} {row['n']:>4} {row['alone_p50_ms']:>8} {row['p50_ms']:>8} "
                     f"{row['p99_ms']:>8} {row['ratio']:>8}")
    o = result["overall"]
    lines.append(f"{'all requests':<32} {o['n']:>4} {'':>8} {o['p50_ms']:>8} {o['p99_ms']:>8} {o['ratio']:>8}")
    lines.append(f"worst per-query p99/p50: {result['worst_query_ratio']} (target <= 10)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="Requests per client. Default 100.")
    parser.add_argument("--baseline", type=int, default=3, help="Unloaded runs of each query first. Default 3.")
    parser.add_argument("--timeout", type=float, default=60.0, help="Per-query timeout in seconds. Default 60.")
    parser.add_argument("--json", type=Path, default=Path("bench-serve.json"), help="Write the results here.")
    args = parser.parse_args(argv)
    result = run(args.clients, args.requests, args.baseline, args.timeout)
    print(report(result))
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.json}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
