"""Time the analysis layer, as ratios to the projection in the same process.

    .venv/bin/python bench/bench_analysis.py [--repeat N] [--json]

Each step runs ``--repeat`` times (default 5) on fresh inputs where it caches
(a new projection each time, so the path index is rebuilt); the median is
reported in milliseconds and as a multiple of ``project()``, the baseline. Ratios
travel between machines; absolute times do not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable


def _median_ms(fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg) if setup else fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args()

    from kg.analysis import clinical_evidence, explain, predict
    from kg.analysis.bridges import bridges
    from kg.analysis.concordance import concordance
    from kg.analysis.paths import mechanism_index
    from kg.analysis.similarity import similar
    from kg.network import THERAPY_KINDS, project
    from kg.store import load_graph

    graph = load_graph()
    evidence = clinical_evidence(graph)
    fresh = lambda: project(graph)  # noqa: E731
    drugs = [n for n, d in fresh().nodes(data=True) if d.get("kind") in THERAPY_KINDS]

    steps: dict[str, float] = {}
    steps["project()"] = _median_ms(lambda: project(graph), args.repeat)
    steps["path index (subsumption + adjacency)"] = _median_ms(lambda G: mechanism_index(G), args.repeat, fresh)
    steps["clinical_evidence() from RDF"] = _median_ms(lambda: clinical_evidence(graph), args.repeat)
    steps[f"explain() x {len(drugs)} drugs -> DM"] = _median_ms(
        lambda G: [explain(G, d, "kg:dermatomyositis") for d in drugs], args.repeat, fresh)
    steps["predict(DM), all drugs"] = _median_ms(
        lambda G: predict(G, "kg:dermatomyositis", evidence=evidence), args.repeat, fresh)
    steps["predict(CADM and psoriasis)"] = _median_ms(
        lambda G: predict(G, "kg:cadm", "kg:psoriasis", evidence=evidence), args.repeat, fresh)
    steps["concordance(), all courses"] = _median_ms(lambda G: concordance(G, evidence), args.repeat, fresh)
    steps["bridges(DM, psoriasis)"] = _median_ms(
        lambda G: bridges(G, "kg:dermatomyositis", "kg:psoriasis"), args.repeat, fresh)
    steps["similar(cyclosporine)"] = _median_ms(lambda G: similar(G, "kg:cyclosporine"), args.repeat, fresh)

    base = steps["project()"]
    if args.json:
        print(json.dumps({"baseline": "project()", "repeat": args.repeat,
                          "steps": {k: {"ms": v, "ratio": v / base} for k, v in steps.items()}}, indent=2))
        return
    width = max(map(len, steps))
    print(f"median of {args.repeat} runs; ratio = time / project()")
    for name, ms in steps.items():
        print(f"  {name:<{width}}  {ms:8.1f} ms  {ms / base:6.2f}x")


if __name__ == "__main__":
    main()
