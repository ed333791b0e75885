"""Former home of the terminal table; kept so ``from kg.render_text import table`` still works.

New code calls :func:`kg.text.render`, which this delegates to.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.text import render


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None) -> str:
    """Rows as a table, or as cards when a table cannot fit the terminal (see :func:`kg.text.render`).

    Examples
    --------
    >>> print(table(["drug", "sign"], [["cyclosporine", "−1"]], title="Effects"), end="")
    Effects
    drug          sign
    ────────────  ────
    cyclosporine  −1
    """
    return render(headers, rows, title=title)
