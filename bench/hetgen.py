"""Hetionet-shaped synthetic graphs, seeded and deterministic, as KGX TSV and N-Triples.

The shape is Hetionet v1.0's (hetio/hetionet, ``describe/nodes/metanodes.tsv`` and
``describe/edges/metaedges.tsv``, commit 0009918): its 11 node kinds and 24
metaedges, each metaedge keeping its share of the 2,250,197 edges. At ``--edges
E`` every metaedge gets ``round(share * E)`` edges and every kind
``round(nodes * sqrt(E / 2,250,197))`` nodes (at least 60, so small graphs keep
some variety). Endpoints are drawn with Zipf-like weights (the node of rank r
weighs ``r ** -0.8``), one rank order per kind shared by every metaedge, so a
few hub genes take a large share of the edges as in Hetionet; an edge appears
at most once per predicate and never joins a node to itself.

Node identifiers are synthetic (``HETGEN:Gene_000123``, under
``https://w3id.org/dmkg/hetgen/``; pass :data:`PREFIXES` to ``kg import
--prefix``), except that a small fraction of compounds (2%) and diseases (10%)
carry the DrugBank, MONDO or DOID identifier of a curated entity, read from
``data/identifiers.tsv``, so a merged graph overlaps the curated one as real
graphs do. Predicates are Biolink's; up- and down-regulation edges are
``biolink:affects`` with ``object_aspect_qualifier expression`` and
``object_direction_qualifier upregulated|downregulated`` (the signed edges).

Same arguments, same bytes: ``--seed`` drives one ``random.Random``; the files'
sha256 are printed (and checked by tests/test_graph_import.py).

Usage::

    python bench/hetgen.py --edges 100000 --seed 1 --out /tmp/het    # het-100k_nodes.tsv, _edges.tsv, .nt
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import itertools
import json
import math
import random
import sys
from pathlib import Path

HETIONET_EDGES = 2_250_197
PREFIXES = {"HETGEN": "https://w3id.org/dmkg/hetgen/"}
SKEW = 0.8
MIN_NODES = 60

# kind, Hetionet v1.0 node count, Biolink category
METANODES = {
    "Anatomy": (402, "biolink:AnatomicalEntity"),
    "Biological Process": (11381, "biolink:BiologicalProcess"),
    "Cellular Component": (1391, "biolink:CellularComponent"),
    "Compound": (1552, "biolink:SmallMolecule"),
    "Disease": (137, "biolink:Disease"),
    "Gene": (20945, "biolink:Gene"),
    "Molecular Function": (2884, "biolink:MolecularActivity"),
    "Pathway": (1822, "biolink:Pathway"),
    "Pharmacologic Class": (345, "biolink:ChemicalEntity"),
    "Side Effect": (5734, "biolink:PhenotypicFeature"),
    "Symptom": (438, "biolink:PhenotypicFeature"),
}
UP = {"object_aspect_qualifier": "expression", "object_direction_qualifier": "upregulated"}
DOWN = {"object_aspect_qualifier": "expression", "object_direction_qualifier": "downregulated"}
# abbreviation, source kind, target kind, Hetionet v1.0 edges, Biolink predicate, qualifiers, knowledge level, agent
METAEDGES = [
    ("AdG", "Anatomy", "Gene", 102240, "biolink:affects", DOWN, "observation", "data_analysis_pipeline"),
    ("AeG", "Anatomy", "Gene", 526407, "biolink:expresses", {}, "observation", "data_analysis_pipeline"),
    ("AuG", "Anatomy", "Gene", 97848, "biolink:affects", UP, "observation", "data_analysis_pipeline"),
    ("CbG", "Compound", "Gene", 11571, "biolink:directly_physically_interacts_with", {}, "knowledge_assertion",
     "manual_agent"),
    ("CcSE", "Compound", "Side Effect", 138944, "biolink:has_side_effect", {}, "knowledge_assertion",
     "text_mining_agent"),
    ("CdG", "Compound", "Gene", 21102, "biolink:affects", DOWN, "observation", "data_analysis_pipeline"),
    ("CpD", "Compound", "Disease", 390, "biolink:ameliorates_condition", {}, "knowledge_assertion", "manual_agent"),
    ("CrC", "Compound", "Compound", 6486, "biolink:similar_to", {}, "statistical_association",
     "computational_model"),
    ("CtD", "Compound", "Disease", 755, "biolink:treats", {}, "knowledge_assertion", "manual_agent"),
    ("CuG", "Compound", "Gene", 18756, "biolink:affects", UP, "observation", "data_analysis_pipeline"),
    ("DaG", "Disease", "Gene", 12623, "biolink:condition_associated_with_gene", {}, "statistical_association",
     "data_analysis_pipeline"),
    ("DdG", "Disease", "Gene", 7623, "biolink:affects", DOWN, "observation", "data_analysis_pipeline"),
    ("DlA", "Disease", "Anatomy", 3602, "biolink:disease_has_location", {}, "statistical_association",
     "text_mining_agent"),
    ("DpS", "Disease", "Symptom", 3357, "biolink:has_phenotype", {}, "statistical_association",
     "text_mining_agent"),
    ("DrD", "Disease", "Disease", 543, "biolink:similar_to", {}, "statistical_association", "computational_model"),
    ("DuG", "Disease", "Gene", 7731, "biolink:affects", UP, "observation", "data_analysis_pipeline"),
    ("GcG", "Gene", "Gene", 61690, "biolink:coexpressed_with", {}, "statistical_association",
     "data_analysis_pipeline"),
    ("GiG", "Gene", "Gene", 147164, "biolink:physically_interacts_with", {}, "knowledge_assertion",
     "manual_agent"),
    ("GpBP", "Gene", "Biological Process", 559504, "biolink:participates_in", {}, "knowledge_assertion",
     "manual_agent"),
    ("GpCC", "Gene", "Cellular Component", 73566, "biolink:located_in", {}, "knowledge_assertion",
     "manual_agent"),
    ("GpMF", "Gene", "Molecular Function", 97222, "biolink:enables", {}, "knowledge_assertion", "manual_agent"),
    ("GpPW", "Gene", "Pathway", 84372, "biolink:participates_in", {}, "knowledge_assertion", "manual_agent"),
    ("Gr>G", "Gene", "Gene", 265672, "biolink:regulates", {}, "knowledge_assertion", "data_analysis_pipeline"),
    ("PCiC", "Pharmacologic Class", "Compound", 1029, "biolink:has_member", {}, "knowledge_assertion",
     "manual_agent"),
]
EDGE_COLUMNS = ("subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source",
                "object_aspect_qualifier", "object_direction_qualifier")
SOURCE = "HETGEN:hetionet-v1.0-shape"


def curated_identifiers(path: Path) -> dict[str, list[tuple[str, str]]]:
    """(CURIE, label) of curated compounds (DRUGBANK) and diseases (MONDO, DOID) from identifiers.tsv."""
    out: dict[str, list[tuple[str, str]]] = {"Compound": [], "Disease": []}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            prefix = row["curie"].split(":", 1)[0]
            kind = "Compound" if prefix == "DRUGBANK" else "Disease" if prefix in ("MONDO", "DOID") else None
            if kind:
                out[kind].append((row["curie"], row["entity"].replace("_", " ")))
    return out


def node_counts(edges: int) -> dict[str, int]:
    """Nodes per kind for a graph of about ``edges`` edges."""
    factor = math.sqrt(edges / HETIONET_EDGES)
    return {kind: max(MIN_NODES, round(count * factor)) for kind, (count, _) in METANODES.items()}


def edge_counts(edges: int, nodes: dict[str, int]) -> dict[str, int]:
    """Edges per metaedge: its Hetionet share of ``edges``, at most half of the possible pairs."""
    out = {}
    for abbrev, source, target, count, *_ in METAEDGES:
        possible = nodes[source] * nodes[target] - (nodes[source] if source == target else 0)
        out[abbrev] = min(max(1, round(count * edges / HETIONET_EDGES)), possible // 2)
    return out


def generate(edges: int, seed: int, out: Path, name: str | None = None, ntriples: bool = True,
             identifiers: Path | None = None) -> dict:
    """Write ``NAME_nodes.tsv``, ``NAME_edges.tsv`` (and ``NAME.nt``) to ``out``; a summary with sha256s.

    The N-Triples file holds exactly what ``kg import NAME_edges.tsv --name NAME
    --prefix HETGEN=...`` loads (the same converter, :mod:`kg.kgx`, writes it).
    """
    root = Path(__file__).resolve().parent.parent
    identifiers = identifiers or root / "data" / "identifiers.tsv"
    name = name or f"het-{_short(edges)}"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    nodes = node_counts(edges)
    curated = curated_identifiers(identifiers)
    ids: dict[str, list[str]] = {}
    node_rows = []
    for kind, (_, category) in METANODES.items():
        n = nodes[kind]
        local = kind.replace(" ", "")
        kind_ids = [f"HETGEN:{local}_{i:06d}" for i in range(n)]
        names = [f"{kind} {i}" for i in range(n)]
        share = {"Compound": 0.02, "Disease": 0.10}.get(kind, 0)
        chosen = curated.get(kind, [])[: max(1, round(share * n))] if share else []
        for slot, (curie, label) in zip(rng.sample(range(n), len(chosen)), chosen):
            kind_ids[slot], names[slot] = curie, label
        ids[kind] = kind_ids
        node_rows += [(i, category, label) for i, label in zip(kind_ids, names)]
    weights = {kind: list(itertools.accumulate((r + 1) ** -SKEW for r in range(n))) for kind, n in nodes.items()}
    counts = edge_counts(edges, nodes)
    nodes_path, edges_path = out / f"{name}_nodes.tsv", out / f"{name}_edges.tsv"
    with open(nodes_path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("id\tcategory\tname\n")
        handle.writelines(f"{i}\t{c}\t{label}\n" for i, c, label in node_rows)
    taken: dict[tuple[str, str, str], set] = {}  # up- and down-regulation share a predicate: never both
    with open(edges_path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(EDGE_COLUMNS) + "\n")
        for abbrev, source, target, _, predicate, qualifiers, level, agent in METAEDGES:
            tail = "\t".join([level, agent, SOURCE, qualifiers.get("object_aspect_qualifier", ""),
                              qualifiers.get("object_direction_qualifier", "")])
            seen = taken.setdefault((predicate, source, target), set())
            pairs = _pairs(rng, weights[source], weights[target], counts[abbrev], source == target, seen)
            handle.writelines(f"{ids[source][s]}\t{predicate}\t{ids[target][o]}\t{tail}\n" for s, o in pairs)
    files = {"nodes": nodes_path, "edges": edges_path}
    if ntriples:
        files["ntriples"] = write_ntriples(nodes_path, edges_path, out / f"{name}.nt", name)
    return {"name": name, "seed": seed, "edges": sum(counts.values()), "nodes": sum(nodes.values()),
            "files": {k: str(v) for k, v in files.items()}, "sha256": {k: sha256(v) for k, v in files.items()}}


def _pairs(rng: random.Random, source_weights: list[float], target_weights: list[float], count: int,
           same_kind: bool, seen: set):
    """``count`` new (source, target) rank pairs (not in ``seen``, added to it), drawn with the cumulative weights."""
    goal = len(seen) + count
    last_s, last_t = len(source_weights) - 1, len(target_weights) - 1
    total_s, total_t = source_weights[-1], target_weights[-1]
    while len(seen) < goal:
        s = min(bisect.bisect(source_weights, rng.random() * total_s), last_s)
        t = min(bisect.bisect(target_weights, rng.random() * total_t), last_t)
        if (same_kind and s == t) or (s, t) in seen:
            continue
        seen.add((s, t))
        yield s, t


def write_ntriples(nodes: Path, edges: Path, target: Path, name: str) -> Path:
    """The N-Triples ``kg import`` makes of this KGX pair under import ``name`` (same converter)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.kgx import Converter, KGXFile, kgx_triples
    from kg.store import IMPORT_BASE

    files = [KGXFile(str(nodes), "nodes", "tsv", lambda: open(nodes, "rb")),  # noqa: SIM115 - closed by the reader
             KGXFile(str(edges), "edges", "tsv", lambda: open(edges, "rb"))]  # noqa: SIM115
    converter = Converter(f"{IMPORT_BASE}{name}/", PREFIXES)
    with open(target, "wb") as handle:
        handle.writelines(kgx_triples(files, converter))
    return target


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _short(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=100_000, help="About how many edges (default 100000).")
    parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
    parser.add_argument("--out", type=Path, required=True, help="Folder to write the files to.")
    parser.add_argument("--name", help="File name stem and import name (default het-100k, het-1m, ...).")
    parser.add_argument("--no-ntriples", action="store_true", help="Write only the KGX files.")
    args = parser.parse_args(argv)
    summary = generate(args.edges, args.seed, args.out, args.name, ntriples=not args.no_ntriples)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
