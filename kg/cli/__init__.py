"""The ``kg`` command line: one group, commands loaded on demand.

Each command lives in a module of this package named for its feature (``kg/cli/*.py``) and is imported
only when run, so ``kg --help`` stays instant. Errors a user can cause
(:class:`~kg.errors.KGError`) print on one line and exit 1.
"""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module:attribute, one-line help). Keep in the order users meet them.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("kg.cli.build:build_cmd", "Compile, reason, validate and write dist/; answer the headline question."),
    "export": ("kg.cli.build:export_cmd",
               "Write the built graph as Turtle, N-Triples, JSON-LD, RDF/XML, KGX, CSV or GraphML."),
    "docs": ("kg.cli.docs:docs_cmd", "Write the ontology's HTML reference pages (every class and property)."),
    "import": ("kg.cli.graphs:import_cmd",
               "Add a curated source (.yaml), or import an RDF or KGX graph into the store."),
    "graphs": ("kg.cli.graphs:graphs_cmd", "The graphs in the store (curated build and imports), with provenance."),
    "lookup": ("kg.cli.records:lookup_cmd", "One entity by any name or identifier, and the graphs that mention it."),
    "queries": ("kg.cli.query:queries_cmd", "List the saved SPARQL queries with their summaries."),
    "query": ("kg.cli.query:query_cmd", "Run a saved query (or a .rq file) on the embedded store or an endpoint."),
    "serve": ("kg.cli.query:serve_cmd", "Serve the built graph as a read-only SPARQL 1.1 endpoint (Oxigraph)."),
    "push": ("kg.cli.query:push_cmd", "Upload the built graph to a SPARQL store (Graph Store Protocol)."),
    "cases": ("kg.cli.records:cases_cmd", "The reported patients, a line each: who, diagnoses, what was tried."),
    "cite": ("kg.cli.records:cite_cmd", "One publication in full, with its link and every claim that cites it."),
    "explain": ("kg.cli.analysis:explain_cmd", "Signed mechanism paths from a drug to a target, with citations."),
    "predict": ("kg.cli.analysis:predict_cmd", "Predicted effect of every drug on a disease, ranked."),
    "concordance": ("kg.cli.analysis:concordance_cmd", "Predictions against observed case outcomes."),
    "bridges": ("kg.cli.analysis:bridges_cmd", "Entities that connect two diseases, ranked."),
    "similar": ("kg.cli.analysis:similar_cmd", "Drugs with the most similar signed mechanisms."),
    "viz": ("kg.cli.viz:viz_cmd",
            "Interactive offline HTML view of the graph, a neighbourhood, a path or a case (or a case's timeline)."),
    "plot": ("kg.cli.plot:plot_cmd",
             "Figures as PNG/SVG/PDF: case timeline, literature evidence, prediction components."),
    "bench": ("kg.cli.bench:bench_cmd", "Benchmarks: embedded stores and analyses, as ratios to a baseline."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return _unavailable(name)
            raise
        command = getattr(module, attr, None)
        return command if command is not None else _unavailable(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name and name not in COMMANDS and not name.startswith("-"):
            from kg.errors import close_matches

            hint = close_matches(name, COMMANDS)
            raise click.UsageError(f"no command {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
        return super().resolve_command(ctx, args)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, help=COMMANDS[name][1])
    def stub() -> None:
        raise click.ClickException(f"'kg {name}' is not available in this installation")

    return stub


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dmkg", prog_name="kg")
def cli() -> None:
    """Dermatomyositis / psoriasis drug-mechanism knowledge graph.

    Every command that takes an entity accepts a label, a synonym or a CURIE
    (ciclosporin, CsA, DRUGBANK:DB00091); every command that prints rows
    offers --format.
    """


def main() -> None:
    """Entry point: run the CLI, turning user errors into one line and exit status 1."""
    from kg.errors import KGError

    try:
        cli.main(standalone_mode=False)
    except KGError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort as exc:  # click has written the newline that ends the terminal's ^C
        click.echo("interrupted" if isinstance(exc.__cause__, KeyboardInterrupt) else "aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


# --- options shared by commands ------------------------------------------------

def format_option(choices: tuple[str, ...] = ("table", "json"), default: str = "table"):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


if __name__ == "__main__":
    main()
