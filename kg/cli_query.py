"""``kg queries``, ``kg query``, ``kg serve`` and ``kg push``."""

from __future__ import annotations

import json

import click

from kg.cli import format_option
from kg.cli_graphs import graph_option, store_dir_option
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
              help="Embedded store backend (default: the persistent Oxigraph store; memory: a copy in rdflib).")
@graph_option
@store_dir_option
def query_cmd(name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, limit: int | None,
              store: str | None, graph: str) -> None:
    """Run saved query NAME (see `kg queries`) or a SPARQL file FILE.rq.

    json is the W3C SPARQL 1.1 Query Results JSON format; table shows labels
    with the CURIE beside them.
    """
    from kg.query import find_query, format_result, is_update, run_query

    result = run_query(name, _params(params), graph=graph, endpoint=endpoint, limit=limit, store=store)
    if endpoint and is_update(find_query(name).text):
        click.echo(f"update applied at {endpoint}")
        return
    if fmt == "table":
        keep = [v for v in result.variables if not (v.endswith("Label") and v[: -len("Label")] in result.variables)]
        if keep != result.variables:
            idx = [result.variables.index(v) for v in keep]
            result.rows = [tuple(row[i] for i in idx) for row in result.rows]
            result.variables = keep
    labels = None
    if fmt == "table":  # labels of the curated graph's entities (imports show CURIEs)
        from kg.store import open_store

        labels = open_store().lookup_graph
    text = format_result(result, fmt, labels)
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
@store_dir_option
def serve_cmd(host: str, port: int, timeout: int, writable: bool, public: bool) -> None:
    """Serve the graph store as a SPARQL 1.1 endpoint (Oxigraph) until Ctrl-C.

    Read-only unless --writable. The default graph is the union of the curated
    graph and every import; each is also a named graph for GRAPH queries.
    Builds the graph first if it is stale. Imports made while it runs are
    served after a restart.
    """
    import signal

    from kg.serve import start_server, triple_count

    handle = start_server(host=host, port=port, timeout=timeout, writable=writable, public=public)

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
        raise KGError(f"the Oxigraph server exited with status {status}: {handle.log_text().strip()[-300:]}")
    except KeyboardInterrupt:
        click.echo("stopping the server ...", err=True)
    finally:
        handle.stop()
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped", err=True)


@click.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store: its base URL (http://HOST:PORT) or its query, update or graph-store URL.")
@click.option("--graph", "graph_iri", metavar="IRI", help="Named graph to fill (default: the default graph).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--user", help="User name for HTTP basic authentication.")
@click.option("--password", envvar="KG_PUSH_PASSWORD", help="Password (or set KG_PUSH_PASSWORD).")
@format_option(("table", "json"))
def push_cmd(endpoint: str, graph_iri: str | None, replace: bool, user: str | None, password: str | None,
             fmt: str) -> None:
    """Upload the built graph to a SPARQL store and check the triple count.

    Uses the SPARQL 1.1 Graph Store Protocol (POST, or PUT with --replace);
    falls back to SPARQL Update INSERT DATA when the store lacks it.
    """
    from kg.push import push

    if password is not None and user is None:
        raise KGError("--password needs --user")
    result = push(endpoint, graph=graph_iri, replace=replace, user=user, password=password)
    if fmt == "json":
        click.echo(json.dumps({"url": result.url, "graph": result.graph, "method": result.method,
                               "triples_sent": result.triples_sent, "triples_before": result.triples_before,
                               "triples_in_store": result.triples_in_store, "seconds": round(result.seconds, 3)},
                              indent=2))
        return
    click.echo(f"Sent {result.triples_sent:,} triples to {result.target} at {result.url} "
               f"({result.method}, {result.seconds:.1f} s).")
    extra = result.triples_in_store - result.triples_sent
    note = f"; {extra:,} were there before or are blank-node copies" if extra > 0 else ""
    click.echo(f"Checked with COUNT: {result.target} now holds {result.triples_in_store:,} triples{note}.")
