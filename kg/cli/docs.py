"""``kg docs``: the ontology's HTML reference pages."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("docs")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (replaced as one); open OUT/index.html.")
def docs_cmd(out: Path) -> None:
    """Write the reference pages of the ontology: every class and property with label, definition,
    cross-references and, for relations, their sign. Offline: no script, no remote asset."""
    from kg.docs import write_docs
    from kg.store import load_graph

    for path in write_docs(load_graph(store="memory"), out):
        click.echo(f"wrote {path}")
