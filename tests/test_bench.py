"""``kg bench``: finding benchmark scripts, and the scale-out that makes bench_stores' bigger graphs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.cli.bench import bench_dir, benchmarks, run_benchmark
from kg.errors import UnknownNameError
from kg.query import run_query


def test_benchmarks_are_listed_with_their_summaries():
    assert {"stores", "analysis"} <= set(benchmarks())
    result = CliRunner().invoke(cli, ["bench"])
    assert result.exit_code == 0, result.output
    assert "stores" in result.output and "saved query" in result.output


def test_unknown_benchmark_suggests_close_match():
    with pytest.raises(UnknownNameError) as info:
        run_benchmark("store", [])
    assert "stores" in info.value.suggestions
    proc = subprocess.run([str(Path(sys.executable).with_name("kg")), "bench", "store"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: unknown benchmark 'store'; did you mean 'stores'?"


def test_benchmark_help_exits_cleanly():
    result = CliRunner().invoke(cli, ["bench", "stores", "--help"])
    assert result.exit_code == 0 and "--scale" in result.output


def _bench_stores():
    spec = importlib.util.spec_from_file_location("bench_stores", bench_dir() / "bench_stores.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # builds a scaled graph
def test_scaled_graph_repeats_the_data_and_keeps_the_schema_once(built, tmp_path):
    target = tmp_path / "x3.nt"
    written = _bench_stores().scale_graph(built.ntriples, 3, target)
    scaled = Graph().parse(target, format="nt")
    assert len(scaled) == written
    one = Graph().parse(built.ntriples, format="nt")
    assert len(one) < written < 3 * len(one)  # the ontology is written once
    # each copy is a whole case: three patients 000_1 answer question 11 with ten failed courses each
    for k, suffix in enumerate(["", "__c1", "__c2"]):
        rows = run_query("failed_regimens", {"patient": f"https://w3id.org/dmkg/patient_000_1{suffix}"},
                         graph=scaled).rows
        assert len(rows) == 10, (k, len(rows))
    # classes are not renamed: the copies are still drugs, patients and courses
    patients = scaled.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/dmkg/Patient> }")
    assert int(next(iter(patients))[0]) == 3 * 4
