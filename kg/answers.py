"""One answer vocabulary: what a claim says, and how the graph knows it.

Every command answers in these words (saved queries, ``kg explain``, ``kg
predict``, the views and ``kg build``'s headline), so two commands never
disagree without saying why.

*What it says* (:class:`Effect`): ``lowers``, ``raises``, ``spares`` (leaves
unchanged) for a molecule, cell or process; ``improves``, ``worsens``, ``no
effect`` for a condition; ``conflicting`` when the evidence points both ways;
``no evidence`` when nothing connects.

*How it is known* (:class:`Basis`): ``stated`` (a source says it of this drug),
``via class`` (a source says it of the drug's class), ``via mechanism`` (derived
along cited steps: the answer gives the number of steps and whether any step is
a hypothesis), ``reported in cases`` / ``reported in literature``, or ``no
evidence``.

An :class:`Answer` carries both, its flags (rests on a hypothesis; rests only on
a publication that could not be identified) and its evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kg.evidence import Evidence


class Effect(StrEnum):
    """What a claim says about its object."""

    LOWERS = "lowers"
    RAISES = "raises"
    SPARES = "spares"
    IMPROVES = "improves"
    WORSENS = "worsens"
    NO_EFFECT = "no effect"
    CONFLICTING = "conflicting"
    NO_EVIDENCE = "no evidence"

    @classmethod
    def of_signs(cls, signs: Iterable[int | None], condition: bool) -> Effect:
        """The effect a set of signs agrees on (-1 lowers, +1 raises, 0 leaves unchanged).

        Examples
        --------
        >>> Effect.of_signs({-1}, condition=True), Effect.of_signs({-1, 0}, condition=False)
        (<Effect.IMPROVES: 'improves'>, <Effect.LOWERS: 'lowers'>)
        >>> Effect.of_signs({1, -1}, condition=True), Effect.of_signs(set(), condition=True)
        (<Effect.CONFLICTING: 'conflicting'>, <Effect.NO_EVIDENCE: 'no evidence'>)
        """
        signs = {s for s in signs if s is not None}
        nonzero = signs - {0}
        if nonzero == {-1, 1}:
            return cls.CONFLICTING
        if nonzero == {-1}:
            return cls.IMPROVES if condition else cls.LOWERS
        if nonzero == {1}:
            return cls.WORSENS if condition else cls.RAISES
        if 0 in signs:
            return cls.NO_EFFECT if condition else cls.SPARES
        return cls.NO_EVIDENCE

    @property
    def known(self) -> bool:
        return self is not Effect.NO_EVIDENCE

    @property
    def sign(self) -> int | None:
        """-1 for lowers/improves, +1 for raises/worsens, 0 for spares/no effect, else None."""
        return {"lowers": -1, "improves": -1, "raises": 1, "worsens": 1, "spares": 0, "no effect": 0}.get(self.value)


class Basis(StrEnum):
    """How the graph knows a claim."""

    STATED = "stated"
    VIA_CLASS = "via class"
    VIA_MECHANISM = "via mechanism"
    CASES = "reported in cases"
    LITERATURE = "reported in literature"
    NONE = "no evidence"


#: Flag wording, used by every summary line.
HYPOTHESIS = "rests on a hypothesis"
UNIDENTIFIED = "rests only on a publication that could not be identified"


@dataclass(frozen=True)
class Answer:
    """One answer: effect, basis, flags and the evidence behind it.

    ``steps`` is the length of the shortest counted path (for ``via mechanism``),
    ``route`` the intermediate nodes of that path, ``via`` the classes or families
    whose claims it borrows.
    """

    effect: Effect
    basis: Basis
    evidence: tuple[Evidence, ...] = ()
    steps: int | None = None
    route: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    hypothesis: bool = False

    @property
    def unidentified_only(self) -> bool:
        """True when every publication behind the answer lacks a DOI and PMID."""
        pubs = [e for e in self.evidence if e.citation and not e.citation.endswith("/ontology")
                and e.citation != "kg:ontology"]
        return bool(pubs) and not any(e.identified for e in pubs)

    def flags(self) -> list[str]:
        out = []
        if self.hypothesis:
            out.append(HYPOTHESIS)
        if self.unidentified_only:
            out.append(UNIDENTIFIED)
        return out

    def how(self) -> str:
        """'via mechanism, 3 steps through calcineurin, NF-AT' / 'via class TNF inhibitor' / 'stated'."""
        if self.basis is Basis.VIA_MECHANISM and self.steps:
            text = f"via mechanism, {self.steps} step{'s' if self.steps != 1 else ''}"
            return text + (f" through {', '.join(self.route)}" if self.route else "")
        if self.basis is Basis.VIA_CLASS and self.via:
            return f"via class {', '.join(self.via)}"
        return self.basis.value

    def phrase(self) -> str:
        """'lowers — via mechanism, 3 steps through calcineurin, NF-AT' (+ '; rests on a hypothesis')."""
        if not self.effect.known:
            return Effect.NO_EVIDENCE.value
        text = f"{self.effect} — {self.how()}"
        return text + "".join(f"; {flag}" for flag in self.flags())

    def to_dict(self) -> dict[str, Any]:
        return {"effect": self.effect.value, "basis": self.basis.value, "steps": self.steps,
                "route": list(self.route), "via": list(self.via), "hypothesis": self.hypothesis,
                "unidentified_only": self.unidentified_only, "flags": self.flags(),
                "evidence": [e.to_dict() for e in self.evidence]}


NO_ANSWER = Answer(Effect.NO_EVIDENCE, Basis.NONE)


def evidence_records(records: Iterable[Any]) -> tuple[Evidence, ...]:
    """The :class:`Evidence` among ``records`` (hand-built dicts are skipped), without repeats."""
    seen: dict[tuple, Evidence] = {}
    for record in records:
        if isinstance(record, Evidence):
            seen.setdefault((record.citation, record.locator), record)
    return tuple(seen.values())


def summary_flags(answers: Sequence[Answer]) -> list[str]:
    """The flags any of ``answers`` carries, once each, for a command's summary line."""
    out: list[str] = []
    for answer in answers:
        for flag in answer.flags():
            if flag not in out:
                out.append(flag)
    return out


@dataclass
class Tally:
    """Counts of favourable and unfavourable evidence of one kind (cases or literature)."""

    good: list[Any] = field(default_factory=list)
    bad: list[Any] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)

    @property
    def effect(self) -> Effect:
        signs = ({-1} if self.good else set()) | ({1} if self.bad else set()) | ({0} if self.other else set())
        return Effect.of_signs(signs, condition=True) if self.good or self.bad else Effect.NO_EVIDENCE
