"""``kg cases``, ``kg cite`` and ``kg lookup``."""

from __future__ import annotations

import json

import click

from kg.cli import format_option


@click.command("cases")
@format_option(("table", "json"))
def cases_cmd(fmt: str) -> None:
    """The patients the sources report: case id, age and sex, diagnoses, what was tried and what worked.

    The case id (000-1) names the patient everywhere: kg viz --case 000-1,
    kg concordance --patient 000-1, kg query failed_regimens -p patient=000-1.
    """
    from kg.clinical import clinical_evidence
    from kg.reports import cases_text
    from kg.reports.records import course_story
    from kg.store import load_graph

    evidence = clinical_evidence(load_graph())
    if fmt == "json":
        click.echo(json.dumps([{**p.to_dict(), "treatment": course_story(evidence, p),
                                "courses": [c.to_dict() for c in evidence.courses_for(p.id)]}
                               for p in evidence.patients], indent=2, ensure_ascii=False))
        return
    text = cases_text(evidence)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("cite")
@click.argument("publication")
@format_option(("table", "json"))
def cite_cmd(publication: str, fmt: str) -> None:
    """PUBLICATION in full (an id such as pub_002, a label, a DOI or a PMID) and every claim that cites it."""
    from kg.lookup import NameIndex
    from kg.reports import cite_text, citing, find_publication
    from kg.store import load_graph

    graph = load_graph()
    index = NameIndex.of(graph)
    record = citing(graph, find_publication(index, publication), index)
    if fmt == "json":
        click.echo(json.dumps(record.to_dict(), indent=2, ensure_ascii=False))
        return
    text = cite_text(record)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("lookup")
@click.argument("name")
@format_option(("table", "json"))
def lookup_cmd(name: str, fmt: str) -> None:
    """One entity: its labels and identifiers, and every graph in the store that mentions it.

    NAME is a label, a synonym, or an identifier in any common form (CHEBI:4031,
    drugbank:DB00091, http://purl.obolibrary.org/obo/MONDO_0016367, Compound::DB00091).
    Imported graphs are matched through shared identifiers (see `kg import`).
    """
    from kg.entity import entity_text, look_up
    from kg.store import open_store

    with open_store() as snapshot:
        record = look_up(snapshot, name)
    if fmt == "json":
        click.echo(json.dumps(record.to_dict(), indent=2, ensure_ascii=False))
        return
    text = entity_text(record)
    click.echo(text, nl=not text.endswith("\n"))
