"""Plain text for the terminal: tables that fit, cards when they do not, numbered footnotes.

Every command prints rows through :func:`render`, and the Python API returns the
same strings: the functions here are pure (text in, text out), never print and
keep no console state. The width comes from the caller or :func:`terminal_width`.

Two promises shape the layout:

* **No word is ever broken.** Text wraps only at spaces. A table column is at
  least as wide as the longest word in it; when the columns cannot all get that
  much room, or when squeezing them in would wrap the cells into a table taller
  than the cards, the rows are laid out as *cards* (one block per row, one
  ``header: value`` line per field) instead. A single word wider than the whole
  width (a long URL, say) stays whole on a line of its own.
* **Data cannot drive the terminal.** ANSI escapes and control characters are
  removed from every value (:func:`clean`); Unicode text (Greek letters, arrows)
  is kept and measured in terminal cells, East-Asian wide characters as two and
  combining marks as none (:func:`cell_width`). These primitives live in
  :mod:`kg.text_wrap` and are re-exported here.

Tables are plain columns two spaces apart under a ``─`` rule, with a blank line
between rows once any row takes several lines; no colour, no trailing spaces,
so the text pastes cleanly into an e-mail or an issue.

Why not rich, which the package already depends on: its tables fold a cell
*inside* a word when room runs short, it needs a Console (and its width
detection) to produce text, and its table modules take about 45 ms to import
once click is loaded, against 7-13 ms for these two modules (measured here, a shared
two-core machine). Why not :mod:`textwrap`: it counts code points, not terminal
cells, so wide characters overflow. The layout below is a greedy word fill over
widths computed once per word, linear in the size of the text: 1,000 rows x 10
columns take about 0.1 s (0.13 s with ``layout="auto"`` weighing table against
cards), 10,000 rows ten times that.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from kg.text_wrap import Para, cell_width, clean, fill, para, parse, words, wrap

__all__ = ["Column", "Footnotes", "cell_width", "clean", "render", "terminal_width", "words", "wrap"]

MIN_WIDTH = 40
"""No layout is narrower than this many cells."""
DEFAULT_WIDTH = 80
GUTTER = "  "
RULE = "─"
LAYOUTS = ("auto", "table", "cards")


@dataclass(frozen=True)
class Column:
    """A column header with its alignment and card priority.

    Parameters
    ----------
    header : str
        The header text (a table header, a card field label).
    align : {"left", "right"}
        Alignment of the column in a table (right suits numbers).
    priority : int
        In cards, the columns of the highest priority form each card's first
        line and the remaining fields follow in order of descending priority.
        When all priorities are equal, the first column is the card's first line.
    """

    header: str
    align: str = "left"
    priority: int = 0

    def __post_init__(self) -> None:
        if self.align not in ("left", "right"):
            raise ValueError(f"Column align must be 'left' or 'right', got {self.align!r}")


def terminal_width(environ: Mapping[str, str] | None = None) -> int:
    """The width to lay text out in: ``$COLUMNS``, else the terminal's, else 80; at least 40.

    `environ` defaults to ``os.environ``; the terminal is asked only when
    standard output is one.

    Examples
    --------
    >>> terminal_width({"COLUMNS": "120"}), terminal_width({"COLUMNS": "20"})
    (120, 40)
    """
    width = 0
    try:
        width = int((os.environ if environ is None else environ).get("COLUMNS", ""))
    except ValueError:
        pass
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else 0
        except (AttributeError, OSError, ValueError):
            width = 0
    return max(MIN_WIDTH, width or DEFAULT_WIDTH)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * max(0, width - cell_width(text))
    return gap + text if align == "right" else text + gap


def _min_width(paras: Sequence[Para]) -> int:
    return max((n for p in paras for n in p.widths), default=0)


def _natural_width(paras: Sequence[Para]) -> int:
    return max((p.width for p in paras), default=0)


def _share(mins: list[int], nats: list[int], room: int) -> list[int] | None:
    """Column widths within `room` cells: natural if they fit, else minimum plus a share of the rest.

    The spare room is water-filled: a column that wants little more than its
    minimum gets all it wants, and what is left is split evenly among the
    columns with the most text, so as few cells as possible wrap.

    Examples
    --------
    >>> _share([4, 8, 4], [4, 13, 41], 40)
    [4, 13, 23]
    >>> _share([4, 8], [30, 30], 20), _share([4, 8], [30, 30], 11)
    ([8, 12], None)
    """
    if sum(nats) <= room:
        return list(nats)
    spare = room - sum(mins)
    if spare < 0:
        return None
    widths = list(mins)
    wanting = sorted(range(len(mins)), key=lambda i: nats[i] - mins[i])
    while wanting:
        level, extra = divmod(spare, len(wanting))
        i = wanting[0]
        if nats[i] - mins[i] <= level:
            widths[i] = nats[i]
            spare -= nats[i] - mins[i]
            wanting.pop(0)
            continue
        for k, j in enumerate(reversed(wanting)):  # the longest texts get the odd cells
            widths[j] = mins[j] + level + (k < extra)
        break
    return widths


def _table(headers: list[Sequence[Para]], cells: list[list[Sequence[Para]]], aligns: list[str],
           widths: list[int]) -> tuple[list[str], list[str]]:
    """The header lines with their rule, and the lines of the rows."""
    filled = [[fill(c, w) for c, w in zip(row, widths)] for row in cells]
    head = [fill(h, w) for h, w in zip(headers, widths)]
    # Shrink each column to its widest wrapped line: wrapping rarely uses the whole width.
    widths = [max((cell_width(line) for block in [h] + [row[i] for row in filled] for line in block), default=1)
              for i, h in enumerate(head)]

    def lines_of(blocks: list[list[str]]) -> list[str]:
        height = max(1, *(len(b) for b in blocks))
        return [GUTTER.join(_pad(b[k] if k < len(b) else "", w, a) for b, w, a in zip(blocks, widths, aligns))
                for k in range(height)]

    out: list[str] = []
    spaced = any(len(b) > 1 for row in filled for b in row)  # rows of several lines need a blank between
    for k, row in enumerate(filled):
        if spaced and k:
            out.append("")
        out.extend(lines_of(row))
    return [*lines_of(head), GUTTER.join(RULE * w for w in widths)], out


def _hanging(prefix: str, paras: Sequence[Para], width: int, indent: int) -> list[str]:
    """`prefix` then the text filled to `width`, continuation lines indented by `indent`."""
    lines = fill(paras, max(1, width - indent)) or [""]
    first = prefix + " " * max(0, indent - cell_width(prefix))
    return [(first if k == 0 else " " * indent) + line for k, line in enumerate(lines)]


def _cards(headers: list[str], cells: list[list[Sequence[Para]]], priorities: list[int], width: int) -> list[str]:
    order = sorted(range(len(headers)), key=lambda i: -priorities[i])
    top = max(priorities)
    lead = [i for i in order if priorities[i] == top] if len(set(priorities)) > 1 else [0]
    # A leading column that just counts the rows (1, 2, 3 ...) numbers the cards instead.
    counts = len(lead) == 1 and len(headers) > 1 and all(
        [w for p in row[lead[0]] for w in p.words] == [str(k)] for k, row in enumerate(cells, 1))
    counter = lead[0] if counts else None
    if counts:
        lead = [i for i in order if i != counter][:1]
    fields = [i for i in order if i not in lead and i != counter]
    label_w = max((cell_width(headers[i]) + 1 for i in fields), default=0)
    aligned = 2 + label_w + 1 <= width // 2
    out: list[str] = []
    for k, row in enumerate(cells, 1):
        if k > 1:
            out.append("")
        heading = " · ".join(" ".join(p.text for p in row[i]) for i in lead if row[i])
        prefix = f"{k}. "
        out.extend(_hanging(prefix, [para(heading.split(" ") if heading else [])], width, len(prefix)))
        for i in fields:
            if not row[i]:
                continue
            label = f"  {headers[i]}:"
            if aligned:
                out.extend(_hanging(label, row[i], width, 2 + label_w + 1))
            elif width - (cell_width(label) + 1) >= 20:
                out.extend(_hanging(label, row[i], width, cell_width(label) + 1))
            else:  # a label too long to share its line: the label, then the value indented below
                out.extend(_hanging("  ", parse(headers[i] + ":"), width, 2))
                out.extend(_hanging("", row[i], width, 4))
    return out


def render(columns: Sequence[str | Column], rows: Sequence[Sequence[object]], *, title: str | None = None,
           width: int | None = None, footnotes: Footnotes | None = None, hide_empty: bool = True,
           layout: str = "auto", empty: str = "(no rows)") -> str:
    """Rows as a table when it fits in `width`, else as one card per row.

    Parameters
    ----------
    columns : list of str or Column
        Headers, in order.
    rows : list of list
        Cell values (converted with ``str``; ``None`` is empty; a cell may hold
        several lines). A short row is padded with empty cells.
    title : str, optional
        A line above the rows.
    width : int, optional
        Cells per line; default :func:`terminal_width`. Never less than 40.
    footnotes : Footnotes, optional
        Listed after the rows.
    hide_empty : bool
        Leave out columns that are empty in every row.
    layout : {"auto", "table", "cards"}
        "auto" picks a table when every column can be as wide as its longest
        word and the table, with its wrapped cells, is no taller than the cards
        would be; else cards. A forced "table" that cannot fit keeps every
        column at its longest word and so runs wider than `width`.
    empty : str
        What to print when there are no rows.

    Returns
    -------
    str
        The text, ending in a newline. Cards leave out a row's empty fields.

    Examples
    --------
    >>> print(render(["drug", "lowers", "n"], [["cyclosporine", "IFN-γ, IL-2", 3], ["tofacitinib", "JAK1", 12]],
    ...              title="Drugs", width=60), end="")
    Drugs
    drug          lowers       n
    ────────────  ───────────  ──
    cyclosporine  IFN-γ, IL-2  3
    tofacitinib   JAK1         12
    >>> print(render([Column("drug", priority=1), "dose", "note"], [["cyclosporine", "3 mg/kg/day", None]],
    ...              layout="cards", width=40), end="")
    1. cyclosporine
      dose: 3 mg/kg/day
    >>> print(render(["drug"], [], title="Drugs"), end="")
    Drugs
    (no rows)
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    width = max(MIN_WIDTH, terminal_width() if width is None else width)
    cols = [c if isinstance(c, Column) else Column(str(c)) for c in columns]
    headers = [" ".join(wrap(c.header, sys.maxsize)) for c in cols]
    cells = []
    for row in rows:
        if len(row) > len(cols):
            raise ValueError(f"a row has {len(row)} cells but there are {len(cols)} columns")
        cells.append([parse(v) for v in row] + [() for _ in range(len(cols) - len(row))])
    out = [line for t in ([title] if title else []) for line in wrap(t, width)]
    if not cells:
        out.extend(wrap(empty, width))
    else:
        keep = [i for i in range(len(cols)) if not hide_empty or any(row[i] for row in cells)] or list(range(len(cols)))
        cells = [[row[i] for i in keep] for row in cells]
        cols, headers = [cols[i] for i in keep], [headers[i] for i in keep]
        head_paras = [parse(h) for h in headers]
        mins = [max(_min_width(h), *(_min_width(row[i]) for row in cells)) for i, h in enumerate(head_paras)]
        widths = None
        if layout != "cards":
            nats = [max(_natural_width(h), *(_natural_width(row[i]) for row in cells))
                    for i, h in enumerate(head_paras)]
            widths = _share(mins, nats, width - len(GUTTER) * (len(cols) - 1))
            if widths is None and layout == "table":
                widths = mins
        lines, body = [], 0
        if widths is not None:
            head, rows_lines = _table(head_paras, cells, [c.align for c in cols], [max(1, w) for w in widths])
            lines, body = head + rows_lines, len(rows_lines)
        # Cards when no table fits, or when its wrapped rows make it taller than the cards (one column stays a table).
        if widths is None or (layout == "auto" and len(cols) > 1 and body > len(cells)):
            cards = _cards(headers, cells, [c.priority for c in cols], width)
            if widths is None or len(cards) < body:
                lines = [""] * bool(out) + cards
        out.extend(lines)
    if footnotes:
        out.extend(["", *footnotes.render(width).splitlines()])
    return "".join(line.rstrip(" ") + "\n" for line in out)


class Footnotes:
    """Citations collected as numbered notes, so a table shows ``[1]`` instead of the whole reference.

    Numbers follow the order of first use; adding the same key again returns
    its number. The text is the caller's: the renderer only lays it out.

    Examples
    --------
    >>> notes = Footnotes()
    >>> notes.add("pub_000", "Case report of CADM with psoriasis (source 000)", "https://example.org/sources/source-000")
    1
    >>> notes.mark("pub_007", "publication not identified"), notes.add("pub_000", "ignored: already numbered")
    ('[2]', 1)
    >>> print(notes.render(60), end="")
    [1] Case report of CADM with psoriasis (source 000)
        https://example.org/sources/source-000
    [2] publication not identified
    """

    def __init__(self) -> None:
        self._numbers: dict[Hashable, int] = {}
        self._notes: list[tuple[str, str | None]] = []

    def add(self, key: Hashable, text: str, link: str | None = None) -> int:
        """The note's number, adding it (with `text` and `link`) if `key` is new."""
        if key not in self._numbers:
            self._notes.append((text, link))
            self._numbers[key] = len(self._notes)
        return self._numbers[key]

    def mark(self, key: Hashable, text: str, link: str | None = None) -> str:
        """The note's marker, ``"[n]"``, for a table cell (see :meth:`add`)."""
        return f"[{self.add(key, text, link)}]"

    def __len__(self) -> int:
        return len(self._notes)

    def render(self, width: int | None = None) -> str:
        """The notes, one ``[n] text  link`` entry each, wrapped without breaking words or links.

        Examples
        --------
        >>> notes = Footnotes()
        >>> notes.add(1, "A note long enough to wrap onto a second line at forty cells", "https://example.org/x")
        1
        >>> print(notes.render(40), end="")
        [1] A note long enough to wrap onto a
            second line at forty cells
            https://example.org/x
        """
        width = max(MIN_WIDTH, terminal_width() if width is None else width)
        indent = len(f"[{len(self._notes)}] ")
        out: list[str] = []
        for n, (text, link) in enumerate(self._notes, 1):
            lines = _hanging(f"[{n}]", parse(text), width, indent)
            link_text = " ".join(wrap(link, sys.maxsize)) if link else ""
            # The link shares the line of a one-line note, else it gets a line of its own.
            one_line = len(lines) == 1 and lines[0].strip(" ")
            if link_text and one_line and cell_width(lines[0]) + 2 + cell_width(link_text) <= width:
                lines[-1] += "  " + link_text
            elif link_text:
                lines.append(" " * indent + link_text)
            out.extend(lines)
        return "".join(line.rstrip(" ") + "\n" for line in out)
