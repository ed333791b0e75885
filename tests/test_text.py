"""Terminal layout (kg.text): tables that fit, cards otherwise, footnotes, safe and measured text."""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text import Column, Footnotes, cell_width, clean, render, terminal_width, words, wrap

# Fourteen columns as `kg query failed_regimens` returns them (labels with CURIEs, as cell_text writes them).
WIDE_HEADERS = ["sequence", "course", "therapy", "outcome", "durationText", "durationValue", "durationUnit",
                "administrations", "doseText", "route", "target", "note", "citation", "locator"]
WIDE_ROWS = [
    ["1", "course 000 1 1 hydroxychloroquine (kg:course_000_1_1_hydroxychloroquine)",
     "hydroxychloroquine (kg:hydroxychloroquine)", "minimal response (kg:minimal_response)", "3 months", "3", "mo",
     "", "", "", "cutaneous lesions (kg:cutaneous_lesions)", "both generic and brand-name product tried",
     "pub 000 (kg:pub_000)", "Case Synopsis"],
    ["2", "course 000 1 7 rituximab (kg:course_000_1_7_rituximab)", "rituximab (kg:rituximab)",
     "minimal response (kg:minimal_response)", "2 infusions", "", "", "2", "", "intravenous (kg:intravenous)",
     "cutaneous lesions (kg:cutaneous_lesions)", "", "pub 000 (kg:pub_000)", "Case Synopsis"],
]


def lines_of(text: str) -> list[str]:
    assert text.endswith("\n")
    return text[:-1].split("\n")


def assert_words_whole(text: str, cells) -> None:
    """Every word of every cell is a whole token of the output, as often as it occurs in the cells."""
    out = Counter(w for line in lines_of(text) for w in words(line))
    wanted = Counter(w for cell in cells for w in words(cell))
    missing = wanted - out
    assert not missing, missing


def table_columns(text: str, rule_at: int) -> list[tuple[int, int]]:
    """(start, end) offsets of each column, read from the header rule."""
    return [m.span() for m in re.finditer("─+", lines_of(text)[rule_at])]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

def test_three_column_table_exact():
    text = render(["drug", Column("n", align="right"), "effect on type I IFN"],
                  [["cyclosporine", 2, "spares"], ["tofacitinib", 12, "lowers"]], title="Effects", width=80)
    assert text == ("Effects\n"
                    "drug           n  effect on type I IFN\n"
                    "────────────  ──  ────────────────────\n"
                    "cyclosporine   2  spares\n"
                    "tofacitinib   12  lowers\n")


@pytest.mark.parametrize("width", [80, 120])
def test_table_wraps_at_spaces_and_parses_back(width):
    long = ("cyclosporine inhibits calcineurin, which lowers IL-2 and IFN-γ in T cells but leaves the "
            "type I interferon signature of dermatomyositis unchanged according to the case report")
    rows = [["cyclosporine (kg:cyclosporine)", long, "https://example.org/src-01"],
            ["tofacitinib (kg:tofacitinib)", "JAK1/3 inhibitor", "example:src-2"]]
    text = render(["drug", "mechanism", "source"], rows, width=width, layout="table")
    lines = lines_of(text)
    assert max(cell_width(line) for line in lines) <= width
    spans = table_columns(text, 1)
    assert len(spans) == 3
    # Rebuild each cell from its column slice; rows are separated by a blank line because one wraps.
    blocks, current = [], []
    for line in lines[2:] + [""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    rebuilt = [[" ".join(" ".join(line[a:b + 1].split()) for line in block).strip() for a, b in spans]
               for block in blocks]
    assert [[" ".join(c.split()) for c in row] for row in rebuilt] == rows
    assert all(min(b - a for a, b in spans[i:i + 1]) >= max(map(len, words(r[i]))) for r in rows for i in range(3))


def test_auto_prefers_cards_when_a_squeezed_table_would_be_taller():
    long = "cyclosporine lowers IL-2 and IFN-γ in T cells but leaves type I interferon unchanged " * 2
    rows = [["cyclosporine (kg:cyclosporine)", long, "https://example.org/src-01"],
            ["tofacitinib (kg:tofacitinib)", "JAK1/3 inhibitor", "example:src-2"]]
    assert lines_of(render(["drug", "mechanism", "source"], rows, width=120))[0].startswith("drug  ")
    cards = lines_of(render(["drug", "mechanism", "source"], rows, width=80))
    assert cards[0] == "1. cyclosporine (kg:cyclosporine)" and cards[-1] == "  source:    example:src-2"
    assert len(cards) == 9
    table_lines = lines_of(render(["drug", "mechanism", "source"], rows, width=80, layout="table"))
    assert len(table_lines) == 13  # header, rule, then 8 + 1 blank + 2 row lines: more than the 9 of the cards
    # One column stays a table (cards would drop its header); so do rows that wrap but stay short.
    assert lines_of(render(["note"], [[long]], width=80))[0] == "note"
    short = [["cyclosporine", "lowers IL-2 and IFN-γ in T cells " * 3]] * 3
    assert lines_of(render(["drug", "mechanism"], short, width=80))[0] == "drug          mechanism"


def test_empty_columns_hidden_unless_asked():
    rows = [["cyclosporine", "", "spares"], ["tacrolimus", None, "spares"]]
    shown = render(["drug", "dose", "IFN"], rows, width=80)
    assert lines_of(shown)[0] == "drug          IFN"
    everything = render(["drug", "dose", "IFN"], rows, width=80, hide_empty=False)
    assert lines_of(everything)[0] == "drug          dose  IFN"


def test_right_alignment_and_short_rows_padded():
    text = render(["drug", Column("score", align="right"), "note"], [["a", "0.5", "x"], ["bb", "12.25"]], width=40)
    assert lines_of(text)[2:] == ["a       0.5  x", "bb    12.25"]


def test_wide_characters_keep_columns_aligned():
    rows = [["皮膚筋炎", "dermatomyositis"], ["IFN-γ", "interferon gamma"], ["e\u0301", "combining accent"]]
    text = render(["name", "meaning"], rows, width=40)
    lines = lines_of(text)
    starts = {cell_width(line[: line.index(word)]) for line, word in zip(lines[2:], [r[1] for r in rows])}
    assert starts == {10}
    assert lines[2] == "皮膚筋炎  dermatomyositis"


# ---------------------------------------------------------------------------
# Cards
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("width", [80, 120])
def test_fourteen_columns_become_cards(width):
    text = render(WIDE_HEADERS, WIDE_ROWS, title="failed_regimens", width=width)
    lines = lines_of(text)
    assert lines[:3] == ["failed_regimens", "",
                         "1. course 000 1 1 hydroxychloroquine (kg:course_000_1_1_hydroxychloroquine)"]
    assert "  therapy:         hydroxychloroquine (kg:hydroxychloroquine)" in lines
    assert "administrations" not in text.split("\n\n")[1]  # empty in row 1: no field line
    assert "  administrations: 2" in lines and "doseText" not in text  # empty in every row: hidden
    assert max(cell_width(line) for line in lines) <= width
    assert_words_whole(text, [c for row in WIDE_ROWS for c in row[1:]])
    assert sum(1 for line in lines if re.match(r"\d+\. ", line)) == 2


def test_cards_wrap_values_under_the_value():
    text = render(WIDE_HEADERS, [WIDE_ROWS[0]], width=40, layout="cards")
    lines = lines_of(text)
    assert lines[:4] == ["1. course 000 1 1 hydroxychloroquine",
                         "   (kg:course_000_1_1_hydroxychloroquine)",
                         "  therapy:       hydroxychloroquine",
                         "                 (kg:hydroxychloroquine)"]
    # The one word wider than the room after the indent stays whole on its own line.
    assert [line for line in lines if cell_width(line) > 40] == ["   (kg:course_000_1_1_hydroxychloroquine)"]


def test_card_heading_from_priority_and_counter_column():
    rows = [["1", "cyclosporine", "3 mg/kg"], ["2", "tacrolimus", "0.1%"]]
    numbered = render(["#", "drug", "dose"], rows, layout="cards", width=60)
    assert lines_of(numbered) == ["1. cyclosporine", "  dose: 3 mg/kg", "", "2. tacrolimus", "  dose: 0.1%"]
    led = render(["#", "drug", Column("dose", priority=1)], rows, layout="cards", width=60)
    assert lines_of(led)[:3] == ["1. 3 mg/kg", "  #:    1", "  drug: cyclosporine"]
    both = render(["#", Column("drug", priority=1), Column("dose", priority=1)], rows, layout="cards", width=60)
    assert lines_of(both)[:2] == ["1. cyclosporine · 3 mg/kg", "  #: 1"]


def test_forced_table_keeps_words_whole_even_when_too_wide():
    text = render(WIDE_HEADERS, WIDE_ROWS, width=80, layout="table")
    assert re.fullmatch(r"[─ ]+", lines_of(text)[1])
    assert max(cell_width(line) for line in lines_of(text)) > 80
    assert_words_whole(text, [c for row in WIDE_ROWS for c in row])


def test_empty_result_and_bad_arguments():
    assert render(["drug"], [], title="Drugs") == "Drugs\n(no rows)\n"
    assert render(["drug"], [], empty="no drug spares IFN-α/β") == "no drug spares IFN-α/β\n"
    with pytest.raises(ValueError, match="layout must be one of"):
        render(["a"], [["x"]], layout="grid")
    with pytest.raises(ValueError, match="2 cells but there are 1 columns"):
        render(["a"], [["x", "y"]])
    with pytest.raises(ValueError, match="align"):
        Column("a", align="centre")


# ---------------------------------------------------------------------------
# Footnotes
# ---------------------------------------------------------------------------

def test_footnotes_numbered_once_in_order_of_use():
    notes = Footnotes()
    rows = [["cyclosporine", notes.mark("pub_000", "Case report (source 000)", "https://example.org/sources/source-000")],
            ["tacrolimus", notes.mark("pub_002", "publication not identified")],
            ["pimecrolimus", notes.mark("pub_000", "a different text is ignored")]]
    assert [r[1] for r in rows] == ["[1]", "[2]", "[1]"] and len(notes) == 2
    text = render(["drug", "source"], rows, footnotes=notes, width=80)
    assert text == ("drug          source\n"
                    "────────────  ──────\n"
                    "cyclosporine  [1]\n"
                    "tacrolimus    [2]\n"
                    "pimecrolimus  [1]\n"
                    "\n"
                    "[1] Case report (source 000)  https://example.org/sources/source-000\n"
                    "[2] publication not identified\n")


def test_footnotes_wrap_without_breaking_links():
    notes = Footnotes()
    for k in range(10):
        notes.add(k, f"note {k}")
    notes.add("long", "A deliberately long note text that has to wrap over several lines at forty cells",
              "https://example.org/a/very/long/link/that/is/wider/than/forty/cells/on/purpose")
    lines = notes.render(40).splitlines()
    assert lines[:2] == ["[1]  note 0", "[2]  note 1"] and lines[9] == "[10] note 9"
    assert lines[10:] == ["[11] A deliberately long note text that",
                          "     has to wrap over several lines at",
                          "     forty cells",
                          "     https://example.org/a/very/long/link/that/is/wider/than/forty/cells/on/purpose"]
    assert Footnotes().render(80) == ""


# ---------------------------------------------------------------------------
# Safe text, widths, wrap
# ---------------------------------------------------------------------------

def test_control_characters_and_escapes_removed():
    hostile = ("\x1b[31mred\x1b[0m \x1b]0;pwned\x07title \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
               "bell\x07 \u202eevil\x9b2J")
    assert clean(hostile) == "red title link bell evil"
    text = render(["value"], [[hostile], ["a\rb\x00c\td"]], width=40)
    assert "\x1b" not in text and all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in text)
    assert lines_of(text)[2:] == ["red title link bell evil", "", "a", "bc d"]


def test_cell_width_counts_terminal_cells():
    samples = ["abc", "IFN-α/β", "漢字", "ｆｕｌｌ", "e\u0301", "a\u200bb", "😀"]
    assert [cell_width(s) for s in samples] == [3, 7, 4, 8, 1, 2, 2]


def test_wrap_never_breaks_words():
    assert wrap("a bb ccc dddd", 6) == ["a bb", "ccc", "dddd"]
    assert wrap("x " + "y" * 50 + " z", 10) == ["x", "y" * 50, "z"]
    assert wrap("3\u00a0mg/kg daily", 7) == ["3\u00a0mg/kg", "daily"]
    assert wrap("first\n\nthird", 40) == ["first", "", "third"]


def test_terminal_width(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal
    assert terminal_width({}) == 80
    assert terminal_width({"COLUMNS": "132"}) == 132
    assert terminal_width({"COLUMNS": "wide"}) == 80
    assert terminal_width({"COLUMNS": "10"}) == 40
    monkeypatch.setenv("COLUMNS", "100")
    assert terminal_width() == 100
    assert render(["a"], [["x " * 60]]).count("\n") == 4  # header, rule, 119 cells of text at 100: two lines


def test_thousand_rows_ten_columns_keep_words_whole():
    rows = [[f"row {r} col {c} " + "word " * (c % 4) for c in range(10)] for r in range(1000)]
    for layout in ("auto", "table", "cards"):
        text = render([f"column {c}" for c in range(10)], rows, width=120, layout=layout)
        assert_words_whole(text, [c for row in rows for c in row])
        assert max(cell_width(line) for line in lines_of(text)) <= 120


# ---------------------------------------------------------------------------
# Properties over arbitrary Unicode
# ---------------------------------------------------------------------------

TRICKY = "\x1b[]0;m\x07\r\n\t \u00a0\u3000\u200b\u202e\u2028漢é\u0301😀-/:"
cell_text = st.one_of(
    st.text(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=40),
    st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=25), max_size=8).map(" ".join),
    st.none(), st.integers())


def allowed_overwide(line: str) -> bool:
    """A line may pass the width only as one unbreakable word, after its card number or field label."""
    rest = re.sub(r"^(\d+\.|h\d+:)", "", line.strip(" ")).strip(" ")
    return len(words(rest)) == 1


@settings(max_examples=300, deadline=None, database=None)
@given(ncols=st.integers(1, 8), data=st.data(), width=st.integers(40, 160),
       title=st.none() | st.text(max_size=60), layout=st.sampled_from(["auto", "cards"]))
def test_arbitrary_cells_fit_and_keep_every_word(ncols, data, width, title, layout):
    rows = data.draw(st.lists(st.lists(cell_text, min_size=ncols, max_size=ncols), max_size=6))
    headers = [f"h{i}" for i in range(ncols)]
    text = render(headers, rows, width=width, title=title, layout=layout)
    for line in lines_of(text):
        assert cell_width(line) <= width or allowed_overwide(line), (width, line)
        assert all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in line)
    assert_words_whole(text, [c for row in rows for c in row] + [title])


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(st.one_of(st.characters(), st.sampled_from(TRICKY))), width=st.integers(1, 60))
def test_wrap_keeps_words_and_width(text, width):
    lines = wrap(text, width)
    assert [w for line in lines for w in words(line)] == words(text)
    assert all(cell_width(line) <= width or len(words(line)) == 1 for line in lines)
