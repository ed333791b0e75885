"""``kg queries``, ``kg query``, ``kg serve`` and ``kg push``."""

from __future__ import annotations

import json

import click

from kg.cli import format_option
from kg.cli.graphs import graph_option, store_dir_option
from kg.errors import ServerError, UsageError


@click.command("queries")
@click.option("--search", metavar="WORDS", help="Only queries whose question, name, summary or tags hold these words.")
@format_option(("table", "json"))
def queries_cmd(search: str | None, fmt: str) -> None:
    """List the saved queries: the competency question each answers, its name and parameters.

    Run one with `kg query NAME` or by its question number (`kg query 9`).
    """
    from kg.query import saved_queries, search_queries
    from kg.text import Column, render

    queries = search_queries(search) if search else list(saved_queries().values())
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "questions": list(q.questions), "asks": q.asks, "summary": q.summary,
                                "tags": list(q.tags),
                                "params": [{"name": p.name, "type": p.type, "kind": p.kind, "default": p.default,
                                            "description": p.description} for p in q.params]}
                               for q in queries], indent=2, ensure_ascii=False))
        return
    queries.sort(key=lambda q: (q.questions[0] if q.questions else 99, q.name))
    rows = [[", ".join(map(str, q.questions)) or "-", q.asks or q.summary, q.name,
             "; ".join(f"{p.name}={p.default}" if p.default is not None else f"{p.name} (required)"
                       for p in q.params)] for q in queries]
    title = (f"{len(rows)} saved queries" + (f" matching {search!r}" if search else "")
             + " (run one: kg query NAME or kg query NUMBER)")
    text = render([Column("#", align="right"), Column("question", priority=1), "query", "parameters"], rows,
                  title=title, empty=f"(no saved query mentions {search!r})")
    click.echo(text, nl=False)


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param takes NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


@click.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter; entity values may be a label, synonym or CURIE. Repeatable.")
@format_option(("table", "csv", "tsv", "json"))
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--limit", type=click.IntRange(min=0), help="Print at most N rows (only these are read).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60, show_default=True,
              metavar="SECONDS", help="Stop the query after this long (embedded store and endpoint alike).")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Refuse an answer of more rows than this (ask for fewer with --limit or LIMIT).")
@click.option("--store", type=click.Choice(["oxigraph", "memory"]), default=None,
              help="Embedded store (default: the persistent Oxigraph store; memory: a copy in rdflib).")
@click.option("--curies", is_flag=True, help="Table: show each entity's CURIE beside its label.")
@click.option("--labels/--no-labels", default=True, show_default=True,
              help="CSV, TSV, JSON: add a ...Label column beside every column of IRIs.")
@click.option("--allow-service", is_flag=True,
              help="Let the query use SERVICE or LOAD (fetch other URLs); refused by default.")
@graph_option
@store_dir_option
def query_cmd(name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, limit: int | None,
              timeout: float, max_rows: int, store: str | None, curies: bool, labels: bool, allow_service: bool,
              graph: str) -> None:
    """Run saved query NAME, the query of competency question NUMBER (see `kg queries`), or a FILE.rq.

    The table shows labels and cites each paper as [n] with its DOI or PMID below;
    it switches to one card per row when the columns do not fit the terminal. csv and
    tsv keep full IRIs (with label columns); json is the W3C SPARQL 1.1 Query Results
    JSON format. A query stops after --timeout seconds, and an answer of more than
    --max-rows rows is refused (not cut short); Ctrl-C stops it at once.
    """
    from kg.query import find_query, format_result, is_update, run_query

    saved = find_query(name)
    result = run_query(saved, _params(params), graph=graph, endpoint=endpoint, limit=limit, store=store,
                       timeout=timeout, max_rows=max_rows, allow_service=allow_service)
    if endpoint and is_update(saved.text):
        click.echo(f"update applied at {endpoint}")
        return
    if result.index is None:  # an endpoint's answer: label its IRIs from the curated graph
        from kg.store import open_store

        result._index = open_store().names()
    title = saved.asks or (saved.summary if saved.path and saved.summary != "(ad hoc query)" else None)
    if title and params:
        title += " (" + ", ".join(params) + ")"
    text = format_result(result, fmt, labels=labels, curies=curies, title=title)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only loopback addresses unless --public.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="TCP port.")
@click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Query timeout in seconds (a longer query is cancelled).")
@click.option("--writable", is_flag=True,
              help="Accept SPARQL Update and Graph Store writes, on a scratch copy discarded at exit.")
@click.option("--public", is_flag=True,
              help="Allow a --host other machines can reach (the endpoint has no authentication).")
@click.option("--allow-service", is_flag=True,
              help="Let queries use SERVICE and updates LOAD (refused by default: the server would fetch URLs).")
@store_dir_option
def serve_cmd(host: str, port: int, timeout: int, writable: bool, public: bool, allow_service: bool) -> None:
    """Serve the graph store as a SPARQL 1.1 endpoint (Oxigraph) until Ctrl-C.

    Read-only unless --writable. The default graph is the union of the curated
    graph and every import; each is also a named graph for GRAPH queries.
    Builds the graph first if it is stale. Imports made while it runs are
    served after a restart. Queries that use SERVICE and updates that use LOAD
    are refused (HTTP 403) unless --allow-service.
    """
    import signal

    from kg.serve import start_server, triple_count

    handle = start_server(host=host, port=port, timeout=timeout, writable=writable, public=public,
                          allow_service=allow_service)

    def on_term(signum, frame):  # `kill PID` stops the server as Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        mode = "read-write (scratch copy)" if writable else "read-only"
        click.echo(f"SPARQL endpoint ({mode}, {triple_count():,} triples, query timeout {timeout} s):")
        click.echo(f"  {handle.url}")
        if writable:
            click.echo(f"  updates: {handle.update_url}   graph store: {handle.store_url}?default")
        click.echo("Try:")
        click.echo(f"  curl -s {handle.url} -H 'Accept: text/csv' "
                   f"--data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}'")
        click.echo(f"  kg query cni_type1_ifn --endpoint {handle.url}")
        click.echo("Press Ctrl-C to stop.", nl=True)
        status = handle.wait()
        raise ServerError(f"the Oxigraph server exited with status {status}: {handle.log_text().strip()[-300:]}")
    except KeyboardInterrupt:
        click.echo("stopping the server ...", err=True)
    finally:
        handle.stop()
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped", err=True)


@click.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store: its base URL (http://HOST:PORT) or its query, update or graph-store URL "
                   "(Oxigraph, Virtuoso, Fuseki, GraphDB layouts are recognised).")
@click.option("--graph", "graph_iri", metavar="IRI", help="Named graph to fill (default: the default graph).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--user", help="User name for HTTP Basic or Digest authentication.")
@click.option("--password", envvar="KG_PUSH_PASSWORD", help="Password (or set KG_PUSH_PASSWORD).")
@format_option(("table", "json"))
def push_cmd(endpoint: str, graph_iri: str | None, replace: bool, user: str | None, password: str | None,
             fmt: str) -> None:
    """Upload the built graph to a SPARQL store and check the triple count.

    Blank nodes travel as stable IRIs, so pushing the same build twice adds
    nothing. The triples are loaded into a temporary graph (Graph Store
    Protocol, or SPARQL Update where the store lacks it) and moved into place
    in one request, so a failed push changes nothing.
    """
    from kg.push import push

    if password is not None and user is None:
        raise UsageError("--password needs --user")
    result = push(endpoint, graph=graph_iri, replace=replace, user=user, password=password)
    if fmt == "json":
        click.echo(json.dumps({"url": result.url, "graph": result.graph, "method": result.method,
                               "triples_sent": result.triples_sent, "triples_before": result.triples_before,
                               "triples_in_store": result.triples_in_store, "seconds": round(result.seconds, 3),
                               "triples_per_second": round(result.rate), "note": result.note}, indent=2))
        return
    click.echo(f"Sent {result.triples_sent:,} triples to {result.target} at {result.url} "
               f"({result.method}; {result.seconds:.1f} s, {result.rate:,.0f} triples/s).")
    click.echo(f"Checked with COUNT: {result.target} now holds {result.triples_in_store:,} triples "
               f"({result.triples_before:,} before).")
    if result.note:
        click.echo(f"Note: {result.note}.")
