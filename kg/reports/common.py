"""What every text report shares: publications as numbered footnotes, and plain words for numbers.

A report cites a paper as ``[1] Case Discussion`` in its tables and lists the
papers once at the end, each with its DOI or PMID and a link, or with the words
"publication not identified" when the graph knows it only by a local id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kg.evidence import identifier_link
from kg.text import Footnotes

NOT_IDENTIFIED = "publication not identified"


def publication_note(label: str, identifier: str) -> tuple[str, str | None]:
    """(footnote text, link) for a publication: 'label. doi:...' + its resolver, or 'not identified'.

    Examples
    --------
    >>> publication_note("Kim 2011, Ann Dermatol", "doi:10.5021/ad.2011.23.3.348")
    ('Kim 2011, Ann Dermatol. doi:10.5021/ad.2011.23.3.348', 'https://doi.org/10.5021/ad.2011.23.3.348')
    >>> publication_note("Source 000", "dmkg-src-000")
    ('Source 000. publication not identified (local id dmkg-src-000)', None)
    """
    link = identifier_link(identifier)
    if link:
        return f"{label}. {identifier}", link
    local = f" (local id {identifier})" if identifier else ""
    return f"{label}. {NOT_IDENTIFIED}{local}", None


class Sources:
    """The publications a report cites, numbered in order of first use."""

    def __init__(self) -> None:
        self.notes = Footnotes()

    def cite(self, key: str, label: str, identifier: str, locator: str = "") -> str:
        """``[n]`` (plus the locator) for one publication."""
        text, link = publication_note(label or key, identifier)
        marker = self.notes.mark(key or label, text, link)
        return f"{marker} {locator}".strip() if locator else marker

    def evidence(self, record: Mapping[str, Any]) -> str:
        """``[n] locator`` for one evidence record (an :class:`~kg.evidence.Evidence` or its dict)."""
        return self.cite(str(record.get("citation") or ""), str(record.get("citation_label") or ""),
                         str(record.get("identifier") or ""), str(record.get("locator") or ""))

    def all(self, records: Iterable[Mapping[str, Any]], sep: str = "; ") -> str:
        """Every record cited, once each, in order."""
        seen: list[str] = []
        for record in records:
            text = self.evidence(record)
            if text not in seen:
                seen.append(text)
        return sep.join(seen)

    def __len__(self) -> int:
        return len(self.notes)

    def render(self, width: int | None = None) -> str:
        return ("Sources\n" + self.notes.render(width)) if len(self.notes) else ""


def strength(value: float) -> str:
    """A component in [-1, 1] in words: 'strong for', 'weak against', 'none'.

    Examples
    --------
    >>> [strength(x) for x in (0.8, 0.3, 0.05, 0.0, -0.2, -0.9)]
    ['strong for', 'moderate for', 'weak for', 'none', 'weak against', 'strong against']
    """
    size = abs(value)
    if size < 1e-9:
        return "none"
    word = "strong" if size >= 0.5 else "moderate" if size >= 0.25 else "weak"
    return f"{word} {'for' if value > 0 else 'against'}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 path', '3 paths'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def paragraph(text: str, width: int, indent: str = "") -> str:
    """``text`` wrapped at ``width`` without breaking words.

    The first line keeps ``text``'s leading spaces; continuation lines are indented by ``indent``
    (default: the same leading spaces).
    """
    from kg.text import wrap

    lead = text[: len(text) - len(text.lstrip(" "))]
    indent = indent or lead
    lines = wrap(text, max(20, width - max(len(lead), len(indent))))
    return "\n".join(([lead + lines[0]] if lines else []) + [indent + line for line in lines[1:]])


def join_blocks(*blocks: str) -> str:
    """Non-empty blocks separated by one blank line, ending with a newline."""
    kept = [b.rstrip("\n") for b in blocks if b and b.strip()]
    return "\n\n".join(kept) + "\n" if kept else ""
