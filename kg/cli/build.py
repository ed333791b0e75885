"""``kg build``, ``kg export`` and ``kg import``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli import format_option
from kg.errors import FormatError
from kg.reports.headline import HEADLINE


@click.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@format_option(("table", "json"))
def build_cmd(force: bool, fmt: str) -> None:
    """Compile the curated sources, reason with HermiT, validate with SHACL and write dist/.

    Skips the work when no input changed since the last build. Ends by answering
    the headline question, with its citation.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.build import build

    err = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=fmt == "json" or not err.is_terminal) as progress:
        task = progress.add_task("checking inputs", total=None)

        def step(message: str) -> None:
            progress.update(task, description=message)
            if not err.is_terminal and fmt != "json":
                err.print(f"  {message} ...")

        result = build(force=force, step=step)
    from kg.reports import build_summary, headline_rows, headline_text
    from kg.store import load_graph

    rows = headline_rows(load_graph())
    if fmt == "json":
        click.echo(json.dumps({"dist": str(result.dist), "skipped": result.skipped, "report": result.report,
                               "question": HEADLINE, "answer": [r.to_dict() for r in rows]},
                              indent=2, ensure_ascii=False))
        return
    text = build_summary(result) + "\n" + headline_text(rows)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "xml", "kgx", "csv", "graphml",
                                                       "phenopacket"]),
              default="ttl", show_default=True, help="Serialisation.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="File to write, or for kgx, csv and phenopacket a folder (kgx: or a .tar.gz); replaced atomically.")
@click.option("--validate", "check", is_flag=True,
              help="kgx only: run kgx's validator on the result, offline (needs the [kgx] extra).")
def export_cmd(fmt: str, out: Path, check: bool) -> None:
    """Write the built graph (asserted + inferred) for other tools; the same build gives the same bytes.

    ttl, nt, jsonld (compact, with the project's context) and xml (RDF/XML, which
    Protégé, owlready2 and the OWL API open) carry the whole graph. kgx writes
    OUT/nodes.tsv and OUT/edges.tsv in Biolink terms (entities, cases, therapy
    reports, publications); csv writes OUT/nodes.csv and OUT/edges.csv of the
    entity network for pandas, Cytoscape and Gephi; graphml the same network.
    phenopacket writes the reported patients as GA4GH Phenopackets v2, one JSON
    file each, into the folder OUT (needs the [phenopackets] extra). Each file
    written is named on its own line.
    """
    from kg.export import export
    from kg.files import check_writable
    from kg.store import load_graph

    if check and fmt != "kgx":
        raise FormatError("--validate checks KGX exports only (--format kgx)")
    check_writable(out, folder=fmt in ("kgx", "csv", "phenopacket"))  # before the graph is loaded
    if fmt == "phenopacket":
        from kg.phenopacket import UNVERIFIED_FILE, write_phenopackets

        written = write_phenopackets(load_graph(store="memory"), out)
        click.echo(f"wrote {len(written)} phenopackets to {out} (terms without a verified identifier: "
                   f"{out / UNVERIFIED_FILE})")
        return
    written = export(load_graph(store="memory"), fmt, out)
    for path in written:
        click.echo(f"wrote {path}")
    if check:
        from kg.export.kgx_check import validate

        if str(out).endswith((".tar.gz", ".tgz")):
            raise FormatError("--validate needs a folder, not an archive: give --out a folder name")
        errors = validate(out).get("ERROR", {})
        count = sum(len(m) for m in errors.values())
        click.echo(f"kgx validate: {count} error message(s)")
        if count:
            first = next(iter(next(iter(errors.values()))))
            raise FormatError(f"kgx validate reports {count} error message(s), first: {first}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace an existing file of the same name in data/sources/.")
@click.option("--dry-run", is_flag=True, help="Only check the file; change nothing.")
def import_cmd(file: Path, replace: bool, dry_run: bool) -> None:
    """Check a curated source file (publication, facts, patients) and add it to data/sources/.

    The file is checked by a full build (compile, HermiT, SHACL) together with all
    existing data, in a scratch copy of the project; only if that succeeds is it
    copied in, atomically, and that build made current. Problems name FILE and
    the project's own files. See README, "Adding a case report".
    """
    from kg.curated_import import import_source

    report = import_source(file, replace=replace, dry_run=dry_run)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{file}: checks passed", err=True)
    if dry_run:
        return
    click.echo(f"added {report.target}", err=True)
    r = report.build.report
    click.echo(f"graph rebuilt: {r['triples']} triples, {r['patients']} patients")
    sys.stdout.flush()
