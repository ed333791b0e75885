"""Time checking a big curated source file (read + shape + compile), in seconds per MB at two sizes.

    .venv/bin/python bench/bench_curation.py [--sizes 1 10] [--json]

Writes, in a temporary copy of the project's data/, one source file of each
size made of the project's own facts repeated with distinct locators, plus one
patient with three treatment courses per hundred facts, and times
``read_curation`` + ``compile_graph`` on it (what ``kg import`` runs before the
reasoner). Times are CPU seconds of this process (steadier than wall-clock
time on a shared machine; both are shown), less the baseline: the project's own
data, checked in the same process.
The ratio of seconds per MB between the two sizes is the measure: about 1 when
time grows linearly with file size, and growing with size when something is
quadratic.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

PATIENT = """  - id: "p{i}"
    label: benchmark patient {i}
    at: Case {i}
    age: 40
    sex: female
    diagnoses: [cadm]
    findings: [{{of: malar_rash, site: face}}, {{of: pruritus}}]
    labs: [{{test: ana, result: positive}}]
    courses:
      - {{seq: 1, therapy: hydroxychloroquine, outcome: no_response, duration: {{value: 3, unit: mo, text: 3 months}}}}
      - {{seq: 2, therapy: methotrexate, outcome: no_response, doses: [{{value: 15, unit: mg/wk}}],
         duration: {{value: 3, unit: mo, text: 3 months}}}}
      - {{seq: 3, therapy: tofacitinib, outcome: response, duration: {{value: 6, unit: mo, text: 6 months}}}}
"""


def template_facts(data: Path) -> list[dict]:
    """The project's own facts that cite their file's publication and no reference numbers."""
    from kg.curation import load_yaml

    facts = []
    for path in sorted((data / "sources").glob("*.yaml")):
        doc = load_yaml(path)
        if doc["publication"].get("kind") == "database":
            continue
        facts += [dict(f) for f in doc.get("facts") or [] if "cite" not in f and "refs" not in f]
    return facts


def write_source(path: Path, megabytes: float, facts: list[dict]) -> int:
    """Write a valid source file of about ``megabytes`` MB; return the number of facts in it."""
    target = int(megabytes * 1_000_000)
    head = ("publication:\n  id: pub_bench\n  title: Benchmark source\n  study_type: case_series\n"
            "  local_id: bench\nfacts:\n")
    fact_lines, patients, size, n = [], [], len(head), 0
    while size < target:
        f = facts[n % len(facts)]
        q = json.dumps  # quoted: an id such as `no` or `on` is a boolean to YAML unquoted
        line = (f"  - {{s: {q(f['s'])}, p: {q(f['p'])}, o: {q(f['o'])}, at: 'Section {n}', "
                f"evidence: {q(f.get('evidence', 'author_statement'))}}}\n")
        fact_lines.append(line)
        size += len(line)
        if n % 100 == 0:
            block = PATIENT.format(i=n // 100)
            patients.append(block)
            size += len(block)
        n += 1
    path.write_text(head + "".join(fact_lines) + "patients:\n" + "".join(patients), encoding="utf-8")
    return n


def check(data: Path, ontology: Path) -> tuple[float, float]:
    """(CPU, wall-clock) seconds to read, shape-check and compile the curated files under ``data``."""
    from kg.compile import compile_graph, load_tbox
    from kg.curation import read_curation

    cpu, wall = time.process_time(), time.perf_counter()
    compile_graph(read_curation(data), load_tbox(ontology))
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs=2, default=[1.0, 10.0], metavar=("MB1", "MB2"),
                        help="The two file sizes in MB (default 1 and 10).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args(argv)

    from kg.project import Project

    project = Project.discover()
    check(project.data, project.ontology)  # warm: imports, the Bioregistry's patterns
    baseline = min(check(project.data, project.ontology)[0] for _ in range(3))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-curation-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(project.data, data)
        facts = template_facts(project.data)
        for megabytes in args.sizes:
            source = data / "sources" / "999_bench.yaml"
            n = write_source(source, megabytes, facts)
            mb = source.stat().st_size / 1_000_000
            cpu, wall = check(data, project.ontology)
            seconds = cpu - baseline
            rows.append({"megabytes": round(mb, 2), "facts": n, "cpu_seconds": round(seconds, 2),
                         "wall_seconds": round(wall, 2), "seconds_per_mb": round(seconds / mb, 2)})
    ratio = rows[1]["seconds_per_mb"] / rows[0]["seconds_per_mb"]
    result = {"baseline_seconds": round(baseline, 3), "sizes": rows, "ratio": round(ratio, 2)}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"baseline (the project's own data): {baseline:.2f} CPU s, subtracted below")
    print(f"{'MB':>6} {'facts':>8} {'CPU s':>8} {'wall s':>8} {'CPU s/MB':>9}")
    for row in rows:
        print(f"{row['megabytes']:>6} {row['facts']:>8} {row['cpu_seconds']:>8} {row['wall_seconds']:>8} "
              f"{row['seconds_per_mb']:>9}")
    print(f"ratio of s/MB ({rows[1]['megabytes']} MB vs {rows[0]['megabytes']} MB): {ratio:.2f} "
          "(1 = linear in file size)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
