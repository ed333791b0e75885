"""``kg queries``, ``kg query``, ``kg serve`` and ``kg push``."""

from __future__ import annotations

import json

import click

from kg.cli import format_option
from kg.errors import KGError


@click.command("queries")
@format_option(("table", "json"))
def queries_cmd(fmt: str) -> None:
    """List the saved queries: name, competency question, summary and parameters."""
    from kg.query import saved_queries
    from kg.render_text import table

    queries = saved_queries()
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "questions": list(q.questions), "summary": q.summary,
                                "tags": list(q.tags),
                                "params": [{"name": p.name, "type": p.type, "default": p.default,
                                            "description": p.description} for p in q.params]}
                               for q in queries.values()], indent=2, ensure_ascii=False))
        return
    rows = [[q.name, ", ".join(map(str, q.questions)) or "-", q.summary,
             "; ".join(f"{p.name} ({p.type}{', default ' + repr(p.default) if p.default is not None else ', required'})"
                       for p in q.params) or "-"] for q in queries.values()]
    click.echo(table(["query", "CQ", "summary", "parameters"], rows, title=f"{len(rows)} saved queries"), nl=False)


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise KGError(f"--param takes NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


@click.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter; entity values may be a label, synonym or CURIE. Repeatable.")
@format_option(("table", "csv", "tsv", "json"))
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--limit", type=click.IntRange(min=0), help="Print at most N rows.")
@click.option("--store", type=click.Choice(["oxigraph", "memory"]), default=None,
              help="Embedded store backend (default: the faster, oxigraph).")
def query_cmd(name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, limit: int | None,
              store: str | None) -> None:
    """Run saved query NAME (see `kg queries`) or a SPARQL file FILE.rq.

    json is the W3C SPARQL 1.1 Query Results JSON format; table shows labels
    with the CURIE beside them.
    """
    from kg.query import format_result, run_query
    from kg.store import DEFAULT_STORE, load_graph

    graph = load_graph(store=store or DEFAULT_STORE)
    result = run_query(name, _params(params), graph=None if endpoint else graph, endpoint=endpoint,
                       limit=limit, store=store)
    if fmt == "table":
        keep = [v for v in result.variables if not (v.endswith("Label") and v[: -len("Label")] in result.variables)]
        if keep != result.variables:
            idx = [result.variables.index(v) for v in keep]
            result.rows = [tuple(row[i] for i in idx) for row in result.rows]
            result.variables = keep
    click.echo(format_result(result, fmt, graph), nl=fmt != "table")
