"""Text safe for a terminal, measured in terminal cells, wrapped only at spaces.

The primitives under :mod:`kg.text`: :func:`clean` removes escapes and control
characters, :func:`cell_width` counts East-Asian wide characters as two cells and
combining marks as none (``unicodedata``; no extra dependency), :func:`words` and
:func:`wrap` never split a word. A cell is parsed once (:func:`parse`) into lines
of words with their widths, so laying it out at several widths costs no more
measuring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["Para", "cell_width", "clean", "fill", "para", "parse", "words", "wrap"]

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"    # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                  # other escapes (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]"             # 8-bit CSI
)
_NEWLINES = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n",
                           "\u2029": "\n", "\t": " "})
# Bidirectional overrides and isolates reorder what the terminal shows; marks are dropped with them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Spaces a line may break at; no-break spaces (U+00A0, U+2007, U+202F) keep their words together.
_BREAK = re.compile(r"[ \u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+")


def clean(text: object) -> str:
    """Text safe to print: escapes and control characters removed, Unicode kept.

    Tabs become spaces and carriage returns, form feeds and Unicode line
    separators become newlines; ``None`` becomes the empty string.

    Examples
    --------
    >>> clean("\\x1b[31mred\\x1b[0m IFN-α\\tβ")
    'red IFN-α β'
    >>> clean("a\\r\\nb\\x07\\u202ec")
    'a\\nbc'
    """
    s = "" if text is None else str(text)
    if s.isascii() and s.isprintable():
        return s
    s = _ESCAPES.sub("", s.replace("\r\n", "\n")).translate(_NEWLINES)
    return "".join(ch for ch in s if ch == "\n" or (ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cs")))


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Width of one line of cleaned text in terminal cells.

    Examples
    --------
    >>> cell_width("TNF-α ⊣ IFN-γ")
    13
    >>> cell_width("皮膚筋炎"), cell_width("e\\u0301")
    (8, 1)
    """
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def words(text: object) -> list[str]:
    """The words of `text` (after :func:`clean`): what :func:`wrap` and :func:`kg.text.render` never split.

    Words are separated by spaces (not by no-break spaces) and newlines.

    Examples
    --------
    >>> words("TNF-α ⊣ IFN-γ\\n3\\u00a0mg/kg  daily")
    ['TNF-α', '⊣', 'IFN-γ', '3\\xa0mg/kg', 'daily']
    """
    return [w for line in clean(text).split("\n") for w in _BREAK.split(line) if w]


class Para(NamedTuple):
    """One line of a cell, parsed once: its words, their widths, and the line as one run."""

    words: tuple[str, ...]
    widths: tuple[int, ...]
    text: str
    width: int


def para(ws: Sequence[str]) -> Para:
    """A line made of the words `ws` (already clean and split)."""
    ns = tuple(map(cell_width, ws))
    return Para(tuple(ws), ns, " ".join(ws), sum(ns) + len(ns) - 1 if ns else 0)


def parse(text: object) -> tuple[Para, ...]:
    """A cell's lines (tuples, so the garbage collector soon stops scanning them)."""
    s = clean(text)
    lines = s.split("\n") if "\n" in s else [s]
    paras = [para([w for w in _BREAK.split(line) if w]) for line in lines]
    while paras and not paras[-1].words:
        paras.pop()
    while paras and not paras[0].words:
        paras.pop(0)
    return tuple(paras)


def fill(paras: Sequence[Para], width: int) -> list[str]:
    """Greedy fill of each paragraph at `width`; a word wider than `width` gets a line of its own."""
    lines: list[str] = []
    for p in paras:
        if p.width <= width:
            lines.append(p.text)
            continue
        line: list[str] = []
        used = 0
        for w, n in zip(p.words, p.widths):
            if line and used + 1 + n > width:
                lines.append(" ".join(line))
                line, used = [], 0
            used = used + 1 + n if line else n
            line.append(w)
        lines.append(" ".join(line))
    return lines


def wrap(text: object, width: int) -> list[str]:
    """Lines of at most `width` cells, broken only at spaces; explicit newlines are kept.

    A word wider than `width` is never split: it stays whole on a line of its own.
    Runs of spaces collapse to one; text with no words gives no lines.

    Examples
    --------
    >>> wrap("cyclosporine lowers IFN-γ but spares type I interferon", 20)
    ['cyclosporine lowers', 'IFN-γ but spares', 'type I interferon']
    >>> wrap("see https://example.org/a/link/longer/than/twelve/cells now", 12)
    ['see', 'https://example.org/a/link/longer/than/twelve/cells', 'now']
    >>> wrap("two\\nlines", 40), wrap("   ", 10)
    (['two', 'lines'], [])
    """
    return fill(parse(text), width)
