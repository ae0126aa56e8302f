"""The registry of checkable results of the source sheets.

Each entry says where a result is printed (`source`: seed file and question), what the sheet claims
(`claim`, with its number), and holds a `check` that recomputes the result with deltanet and returns an
`Outcome`: what deltanet computes, the verdict, a correction when the sheet is wrong, and the trace
behind the verdict (`deltanet exercises ID --explain`).

Verdicts:
    agrees          deltanet computes what the sheet claims (within the stated tolerance)
    erratum         the sheet is wrong; `correction` says what is right and tests verify it
    not checkable   the claim cannot be settled by computation (an opinion, a missing number, ...);
                    `computed` says why

Entries are registered with the `exercise` decorator in the modules `sheet000` … `sheet004`:

    @exercise("000-q3-parameters", source=sheet(0, "Q3"), claim="the 1-D conv network has 7 parameters")
    def _():
        n = sum(p.numel() for p in model.parameters())
        return Outcome(computed=f"{n} parameters", value=n, verdict=agrees_if(n == 7))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

VERDICTS = ("agrees", "erratum", "not checkable")

SEED_FILES = {
    0: "000_d25f99bb151bed0a.txt",
    1: "001_56a1a5950c8309c5.txt",
    2: "002_3d65accd438b3553.txt",
    3: "003_6d3c661d49aeb821.txt",
    4: "004_16e39d619335a582.txt",
}


def sheet(number: int, question: str) -> str:
    """`source` text for a question of seed sheet `number`: '000_d25f99bb151bed0a.txt, Q2(2)'."""
    return f"{SEED_FILES[number]}, {question}"


@dataclass(frozen=True)
class Outcome:
    """What a check found. `value` is the computed result in machine form (a number, a list, a dict of
    numbers: JSON-serialisable) for tests and `--json`; `computed` is the same for people."""

    computed: str
    verdict: str
    value: object = None
    correction: str | None = None
    explain: str = ""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == "erratum" and not self.correction:
            raise ValueError("an erratum needs a correction")


@dataclass(frozen=True)
class Exercise:
    """One checkable result of a sheet: where it is, what it claims, and how deltanet checks it."""

    id: str
    source: str
    claim: str
    check: Callable[[], Outcome]

    def run(self) -> dict:
        """The entry as a record: id, source, claim, computed, verdict, correction, value, explain."""
        outcome = self.check()
        if not isinstance(outcome, Outcome):
            raise TypeError(f"exercise {self.id}: check returned {type(outcome).__name__}, expected Outcome")
        return dict(id=self.id, source=self.source, claim=self.claim, computed=outcome.computed,
                    verdict=outcome.verdict, correction=outcome.correction, value=outcome.value,
                    explain=outcome.explain)


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, *, source: str, claim: str):
    """Register the decorated function (no arguments, returns an `Outcome`) as the check of entry `id`."""

    def register(check: Callable[[], Outcome]) -> Callable[[], Outcome]:
        if id in EXERCISES:
            raise ValueError(f"exercise id {id!r} is registered twice")
        EXERCISES[id] = Exercise(id=id, source=source, claim=claim, check=check)
        return check

    return register


def agrees_if(condition: bool) -> str:
    """'agrees' when the sheet's claim holds, else 'erratum' (give a correction with it)."""
    return "agrees" if condition else "erratum"
