"""Start-up of one-shot commands: ``kg query NAME`` cold against ``python -c "import rdflib"`` (target <= 2x).

Each command runs ``--repeats`` times in a fresh process, alternating with the
baseline so both see the same machine; the ratio is median over median, with
the spread (min-max) of each. The curated store is built first, and the
``kg`` package is byte-compiled first, as an installed wheel is (a machine
with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module on
every run, which no user's install does). ``--imports`` also prints the ten
slowest imports of the command (``python -X importtime``).

Usage::

    kg bench startup [--queries cyclosporine_dose,cni_type1_ifn] [--repeats 9] [--json FILE]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from bench_scale import measure_command  # noqa: E402

KG = str(Path(sys.executable).parent / "kg")
TARGET = 2.0


def slowest_imports(args: list[str], env: dict, top: int = 10) -> list[tuple[float, str]]:
    """The ``top`` imports with the largest cumulative time (ms) when the command starts."""
    code = f"import sys; sys.argv = {args!r}; from kg.cli import main; main()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1000, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def run(queries: list[str], repeats: int) -> dict:
    import kg
    from kg.build import ensure_built

    compileall.compile_dir(str(Path(kg.__file__).parent), quiet=1, force=False, legacy=False)
    ensure_built()
    env = dict(os.environ)
    baseline: list[float] = []
    commands: dict[str, list[float]] = {q: [] for q in queries}
    for _ in range(repeats):
        baseline.append(measure_command([sys.executable, "-c", "import rdflib"], env)["seconds"])
        for q in queries:
            done = measure_command([KG, "query", q, "--format", "csv"], env)
            if done["returncode"]:
                raise SystemExit(f"kg query {q} failed: {done['err']}")
            commands[q].append(done["seconds"])
    base = statistics.median(baseline)
    return {"baseline": {"command": 'python -c "import rdflib"', "seconds": baseline, "median": base},
            "commands": {f"kg query {q}": {"seconds": s, "median": statistics.median(s),
                                           "ratio": statistics.median(s) / base} for q, s in commands.items()},
            "target": TARGET}


def report(result: dict) -> str:
    base = result["baseline"]
    lines = [f"{'command':36s} {'median':>8s} {'spread':>13s} {'ratio':>6s}",
             f"{base['command']:36s} {base['median']:7.3f}s {min(base['seconds']):5.3f}-{max(base['seconds']):5.3f}s"]
    for name, row in result["commands"].items():
        verdict = "holds" if row["ratio"] <= result["target"] else "misses"
        lines.append(f"{name:36s} {row['median']:7.3f}s {min(row['seconds']):5.3f}-{max(row['seconds']):5.3f}s "
                     f"{row['ratio']:5.2f}x  (target <= {result['target']:g}x: {verdict})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", default="cyclosporine_dose,cni_type1_ifn",
                        help="Saved queries to start cold, comma-separated. Default cyclosporine_dose,cni_type1_ifn.")
    parser.add_argument("--repeats", type=int, default=9, help="Runs of each command. Default 9.")
    parser.add_argument("--imports", action="store_true", help="Also list the slowest imports of the first query.")
    parser.add_argument("--json", type=Path, default=Path("bench-startup.json"), help="Write the results here.")
    args = parser.parse_args(argv)
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    result = run(queries, args.repeats)
    print(report(result))
    if args.imports:
        for ms, name in slowest_imports(["kg", "query", queries[0], "--format", "csv"], dict(os.environ)):
            print(f"  {ms:7.1f} ms  {name.strip()}")
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.json}")
    return 0 if all(r["ratio"] <= TARGET for r in result["commands"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
