"""Directions of the literature therapy reports are backed by what was actually read.

Every report row of ``data/references/003.yaml`` and ``004.yaml`` records a direction and
the basis it rests on. A ``basis: title`` report may state a result only when its title
states one; a ``basis: abstract`` report names where the abstract was read; a
``basis: topic_context`` report (therapy taken from the list section) carries no direction.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

REFS = Path(__file__).resolve().parents[1] / "data" / "references"

# Words or phrases that, found in a title, state a result of the given direction.
RESULT_PHRASES = {
    "benefit": ("responsive", "respond", "response", "effective", "successful", "successfully", "favorable",
                "improvement", "remission", "resolution", "regression", "decreased", "beneficial",
                "suppression", "quiescence", "steroid-sparing", "corticosteroid-sparing"),
    "limited_benefit": ("limited effects",),
    "no_benefit": ("refractory to",),
    "induced_or_worsened": ("induced", "-associated", "flares"),
    "adverse_reaction": ("reaction",),
}

# Titles accepted although none of the words above occurs; each says why its wording states a result.
BORDERLINE = {
    ("003", 6): ("efficacy of", "the title names the efficacy of IVIG as its finding (no abstract found)"),
    ("003", 10): ("downregulation of",
                  "the title reports a measured fall of TGF-beta1 in muscle after IVIG: a molecular result"),
    ("004", 52): ("effectiveness of", "the title names the effectiveness of infliximab as its finding"),
    ("004", 61): ("during therapy with",
                  "'evolution of dermatomyositis during therapy with' a TNF inhibitor states disease onset"),
    ("004", 89): ("as a pain control measure", "the title says lithotripsy controlled the pain"),
    ("004", 93): ("effectiveness of", "the title names the effectiveness of pamidronate as its finding"),
}

# What each reported outcome needs in a title that is the report's only basis.
OUTCOME_PHRASES = {
    "improvement": ("improvement", "improved", "responsive", "respond", "response", "suppression"),
    "remission": ("remission",),
    "resolution": ("resolution",),
    "regression": ("regression",),
    "steroid_sparing": ("steroid-sparing", "corticosteroid-sparing"),
    "remission_maintenance": ("remission-maintaining",),
    "decreased_incidence": ("decreased",),
    "pain_control": ("pain control",),
    "quiescence": ("quiescence",),
    "flare": ("flare", "flares"),
    "disease_onset": ("induced", "-associated", "evolution of"),
    "hypersensitivity_reaction": ("hypersensitivity",),
    "limited_molecular_effect": ("limited effects",),
}

# Exact directions per file after the re-derivation of issue 14 (so lost or duplicated rows fail).
EXPECTED_DIRECTIONS = {
    "003": {"benefit": 10, "not_stated": 2},
    "004": {"adverse_reaction": 2, "benefit": 67, "induced_or_worsened": 6, "limited_benefit": 2,
            "no_benefit": 2, "not_stated": 29},
}
EXPECTED_BASES = {"003": {"abstract": 7, "title": 5}, "004": {"abstract": 34, "title": 72, "topic_context": 2}}

SOURCE = re.compile(r"^(PubMed PMID \d+|MEDLINE record PMID \d+|https?://\S+|letter text \(.+\) in https?://\S+)")


def _rows() -> list[tuple[str, int, str, dict]]:
    """Every report as (file, reference number, title, report)."""
    docs = {f: yaml.safe_load((REFS / f"{f}.yaml").read_text(encoding="utf-8")) for f in ("003", "004")}
    titles = {r["pub"]["id"]: r["pub"]["title"] for d in docs.values() for r in d["references"]
              if isinstance(r["pub"], dict)}
    rows = []
    for f, d in docs.items():
        for ref in d["references"]:
            title = ref["pub"]["title"] if isinstance(ref["pub"], dict) else titles[ref["pub"]]
            rows += [(f, ref["n"], title, rep) for rep in ref["reports"]]
    return rows


ROWS = _rows()


def _states(title: str, phrases: tuple[str, ...]) -> bool:
    """Whether a phrase occurs in the title as whole words ("effective" is not "effectiveness")."""
    def pattern(p: str) -> str:
        return (r"\b" if p[0].isalnum() else "") + re.escape(p) + (r"\b" if p[-1].isalnum() else "")
    return any(re.search(pattern(p), title.lower()) for p in phrases)


def test_every_reference_has_reports():
    assert sorted({(f, n) for f, n, _, _ in ROWS}) == [("003", n) for n in range(1, 13)] + \
        [("004", n) for n in range(1, 100)]


@pytest.mark.parametrize("f", ["003", "004"])
def test_exact_directions_and_bases(f):
    rows = [rep for g, _, _, rep in ROWS if g == f]
    assert dict(Counter(rep["direction"] for rep in rows)) == EXPECTED_DIRECTIONS[f]
    assert dict(Counter(rep["basis"] for rep in rows)) == EXPECTED_BASES[f]


def test_title_based_directions_are_stated_by_the_title():
    missing = []
    for f, n, title, rep in ROWS:
        if rep["basis"] != "title" or rep["direction"] == "not_stated":
            continue
        if not _states(title, RESULT_PHRASES[rep["direction"]]):
            phrase = BORDERLINE.get((f, n), ("\0",))[0]
            if phrase not in title.lower():
                missing.append((f, n, rep["therapy"], title))
    assert missing == []


def test_borderline_titles_are_needed_and_title_based():
    for (f, n), (phrase, why) in BORDERLINE.items():
        reps = [(title, rep) for g, m, title, rep in ROWS if (g, m) == (f, n)]
        assert reps and why
        for title, rep in reps:
            assert rep["basis"] == "title" and rep["direction"] != "not_stated"
            assert phrase in title.lower()
            assert not _states(title, RESULT_PHRASES[rep["direction"]]), (f, n)  # else drop the entry


def test_title_based_outcomes_are_stated_by_the_title():
    claims = [(f, n, rep["outcome"], title) for f, n, title, rep in ROWS
              if rep["basis"] == "title" and rep.get("outcome")
              and not _states(title, OUTCOME_PHRASES[rep["outcome"]])
              and BORDERLINE.get((f, n), ("\0",))[0] not in title.lower()]
    assert claims == []


def test_titles_that_state_no_result_are_not_stated():
    # the converse check: a title-based row without any result phrase records no direction
    for f, n, title, rep in ROWS:
        if rep["basis"] == "title" and (f, n) not in BORDERLINE and \
                not any(_states(title, p) for p in RESULT_PHRASES.values()):
            assert rep["direction"] == "not_stated", (f, n, title)
            assert "outcome" not in rep, (f, n)


def test_abstract_rows_say_where_the_abstract_was_read():
    rows = [(f, n, rep) for f, n, _, rep in ROWS if rep["basis"] == "abstract"]
    assert len(rows) == 41
    for f, n, rep in rows:
        assert SOURCE.match(rep.get("abstract_from", "")), (f, n)
        assert rep.get("note"), (f, n)  # what the abstract states, in our words
    assert all("abstract_from" not in rep for _, _, _, rep in ROWS if rep["basis"] != "abstract")


def test_topic_context_rows_carry_no_direction():
    rows = [(f, n, rep["direction"]) for f, n, _, rep in ROWS if rep["basis"] == "topic_context"]
    assert rows == [("004", 16, "not_stated"), ("004", 78, "not_stated")]


@pytest.mark.parametrize("f, n, therapy, direction, basis", [
    ("003", 2, "mycophenolate_mofetil", "not_stated", "title"),   # Rowin 2006 asks "is it safe?"
    ("004", 16, "dapsone", "not_stated", "topic_context"),
    ("004", 57, "infliximab", "no_benefit", "abstract"),
    ("004", 77, "SystemicCorticosteroid", "not_stated", "abstract"),
    ("004", 12, "rituximab", "limited_benefit", "abstract"),
])
def test_reviewed_rows(f, n, therapy, direction, basis):
    assert (therapy, direction, basis) in {(rep["therapy"], rep["direction"], rep["basis"])
                                           for g, m, _, rep in ROWS if (g, m) == (f, n)}


def test_calcinosis_is_not_a_benefit_of_prednisone_in_shehata():
    reps = {(str(rep["condition"]), rep["direction"]) for f, n, _, rep in ROWS if (f, n) == ("004", 79)}
    assert reps == {("juvenile_dermatomyositis", "benefit"),
                    ("['calcinosis', 'juvenile_dermatomyositis']", "not_stated")}
