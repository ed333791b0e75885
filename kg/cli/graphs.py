"""``kg graphs`` and ``kg import`` (other graphs into the store), and the options other commands share.

``kg import FILE.yaml`` stays the curated-source import of :mod:`kg.cli.build`;
any other file (RDF, KGX) goes into the persistent store as a named graph
(:func:`kg.graph_import.import_graph`). ``--store-dir`` and ``--graph`` are
shared with ``kg query`` and ``kg serve``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from kg.cli import format_option
from kg.errors import UsageError


def _set_store_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:  # every Project.discover() in this process then uses it
        os.environ["KG_STORE"] = str(value.expanduser().resolve())


#: ``--store-dir DIR``: where the persistent store lives (overrides $KG_STORE and the default <project>/store).
store_dir_option = click.option(
    "--store-dir", type=click.Path(file_okay=False, path_type=Path), callback=_set_store_dir, expose_value=False,
    is_eager=True, metavar="DIR", help="The graph store folder (default: $KG_STORE, else <project>/store).")

#: ``--graph NAME``: which graphs of the store a query reads.
graph_option = click.option(
    "--graph", "graph", default="all", show_default=True, metavar="NAME",
    help="Graphs to query: all (curated and every import), curated, an import's name (see `kg graphs`), "
         "or several, comma-separated.")


def _say(text: str) -> None:
    """One line of a report, wrapped at the terminal's width (continuations indented under it)."""
    from kg.reports.common import paragraph
    from kg.text import terminal_width

    lead = text[: len(text) - len(text.lstrip(" "))]
    click.echo(paragraph(text, terminal_width(), indent=lead + "    "))


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def _count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


@click.command("graphs")
@format_option()
@store_dir_option
def graphs_cmd(fmt: str) -> None:
    """List the graphs in the store: the curated build and every import, with counts and provenance."""
    from kg.project import Project
    from kg.store import list_graphs

    infos = list_graphs()
    if fmt == "json":
        click.echo(json.dumps({"store": str(Project.discover().store), "graphs": [i.to_dict() for i in infos]},
                              indent=2, ensure_ascii=False))
        return
    from kg.text import render

    rows = [[i.name, i.kind, _count(i.triples), _count(i.nodes), _count(i.edges), (i.imported_at or "-")[:10]]
            for i in infos]
    click.echo(render(["graph", "kind", "triples", "nodes", "edges", "loaded"], rows,
                     title=f"{len(rows)} graph{'s' if len(rows) != 1 else ''} in {Project.discover().store}"), nl=False)
    for i in infos:  # provenance, one line each (the table stays within 80 columns)
        facts = [f"{i.source or '-'} ({i.format or '-'}, {_size(i.size)})", f"sha256 {(i.sha256 or '-')[:12]}",
                 *(x for x in (i.title, i.license and f"licence {i.license}") if x)]
        _say(f"{i.name}: " + "; ".join(facts))
        if i.kind == "import":
            _say(f"{i.name}: {_joined(i)}")
    for info in infos:
        for note in info.notes:
            _say(f"{info.name}: {note}")
        if info.unmapped:
            shown = ", ".join(f"{p or '(no prefix)'} {n:,}" for p, n in sorted(info.unmapped.items()))
            _say(f"{info.name}: identifiers of unknown prefixes got IRIs under {info.iri}/: {shown}")


def _joined(info) -> str:
    """'joined to the curated graph: 2 nodes (DRUGBANK 1, MONDO 1)' from an import's record."""
    if not info.joins:
        return "joined to the curated graph: no node shares an identifier with a curated entity"
    total = sum(info.joins.values())
    return (f"joined to the curated graph: {total:,} node{'s' if total != 1 else ''} by identifier ("
            + ", ".join(f"{p} {n:,}" for p, n in info.joins.items()) + ")")


def _signed(info) -> str:
    """'signed edges (walked by kg explain/predict): biolink:affects 2; unsigned: ...' from an import's record."""
    def counts(d: dict) -> str:
        return ", ".join(f"{p} {n:,}" for p, n in sorted(d.items(), key=lambda x: -x[1])[:6]) + (
            ", ..." if len(d) > 6 else "")
    signed = f"{sum(info.signed.values()):,} signed edges ({counts(info.signed)})" if info.signed else "no signed edge"
    unsigned = f"; {sum(info.unsigned.values()):,} kept unsigned ({counts(info.unsigned)})" if info.unsigned else ""
    return f"{signed}, walked by kg explain and kg predict{unsigned}"


def _prefixes(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        prefix, sep, stem = pair.partition("=")
        if not sep or not prefix or not stem.startswith(("http://", "https://", "urn:")):
            raise UsageError(f"--prefix takes PREFIX=IRI-STEM (e.g. HGNC=https://identifiers.org/hgnc:), got {pair!r}")
        out[prefix] = stem
    return out


@click.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--name", metavar="NAME", help="Name of the imported graph (default: from the file name).")
@click.option("--format", "fmt", metavar="FORMAT",
              help="turtle, ntriples, nquads, trig, rdfxml, jsonld, n3, kgx, kgx-tsv or kgx-jsonl "
                   "(default: from the file name).")
@click.option("--replace", is_flag=True,
              help="Replace an import of the same name (a .yaml: the file in data/sources/).")
@click.option("--remove", "remove", metavar="NAME", help="Remove the imported graph NAME from the store.")
@click.option("--prefix", "prefixes", multiple=True, metavar="PREFIX=IRI",
              help="KGX: expand CURIEs of PREFIX with this IRI stem. Repeatable.")
@click.option("--dry-run", is_flag=True, help="Only check the file; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@store_dir_option
def import_cmd(file: Path | None, name: str | None, fmt: str | None, replace: bool, remove: str | None,
               prefixes: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Import FILE: a curated source (.yaml, into data/sources/) or another graph into the store.

    \b
    kg import data.yaml                       a curated source file (checked, then the graph rebuilt)
    kg import hetionet.nt.gz                  RDF: Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD
    kg import monarch-kg.tar.gz               KGX: a .tar.gz, a folder, or one file of a nodes/edges pair
    kg import --remove hetionet               remove an imported graph

    Each graph lands in its own named graph of the store; a file that fails
    half-way leaves the store as it was, and the error names the line.
    """
    if remove is not None:
        if file is not None:
            raise UsageError("give either FILE or --remove NAME, not both")
        from kg.graph_import import remove_import

        info = remove_import(remove)
        _say(f"removed {info.name} ({info.triples:,} triples)")
        return
    if file is None:
        raise click.UsageError("give a FILE to import (or --remove NAME)")
    if file.suffix in (".yaml", ".yml") and fmt is None:
        if name or prefixes:
            raise UsageError("--name and --prefix are for graph imports; a .yaml file is a curated source")
        from kg.cli.build import import_cmd as curated_import

        click.get_current_context().invoke(curated_import, file=file, replace=replace, dry_run=dry_run)
        return
    from kg.graph_import import import_graph

    report = import_graph(file, name=name, fmt=fmt, replace=replace, prefixes=_prefixes(prefixes), dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    info = report.info
    verb = "checked (dry run, store unchanged)" if dry_run else ("replaced" if report.replaced else "imported")
    counts = f"{info.triples:,} triples" + (f", {info.nodes:,} nodes, {info.edges:,} edges" if info.nodes is not None
                                           and info.edges is not None else "")
    _say(f"{verb} {info.name}: {counts} from {info.source} ({info.format}, {report.seconds:.1f} s)")
    if not dry_run:
        _say(f"  graph <{info.iri}>; query it with --graph {info.name}, or with everything (the default)")
    _say(f"  {_joined(info)}")
    _say(f"  {_signed(info)}")
    if info.candidate_count:
        shown = ", ".join(f"{c['label']} ~ {c['entity']}" for c in info.candidates[:5])
        _say(f"  {info.candidate_count:,} nodes share only a label with a curated entity (not linked): "
                   f"{shown}{', ...' if info.candidate_count > 5 else ''}")
    for note in info.notes:
        _say(f"  note: {note}")
    if info.unmapped:
        shown = ", ".join(f"{p or '(no prefix)'} {n:,}" for p, n in sorted(info.unmapped.items()))
        _say(f"  identifiers of unknown prefixes got IRIs under {info.iri}/ ({shown}); "
                   f"give --prefix PREFIX=IRI to map them")
