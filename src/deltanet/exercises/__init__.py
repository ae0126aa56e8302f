"""`dn.exercises`: every checkable result of the five source sheets, recomputed by deltanet.

    from deltanet.exercises import EXERCISES, run
    record = run("000-q3-parameters")      # {'id', 'source', 'claim', 'computed', 'verdict', ...}

`deltanet exercises` prints the table; `deltanet exercises ID --explain` shows the trace behind one
entry; `deltanet exercises --json` prints the records as JSON. See `registry` for the verdicts.
"""

from deltanet.exercises import sheet000, sheet001, sheet002, sheet003, sheet004  # noqa: F401  (register)
from deltanet.exercises.registry import EXERCISES, Exercise, Outcome, agrees_if, exercise, sheet


def run(id: str) -> dict:
    """Run the check of entry `id` and return its record."""
    if id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise KeyError(f"no exercise {id!r}; known: {known}")
    return EXERCISES[id].run()


def run_all() -> list[dict]:
    """Records of every entry, in sheet order."""
    return [EXERCISES[id].run() for id in sorted(EXERCISES)]


__all__ = ["EXERCISES", "Exercise", "Outcome", "agrees_if", "exercise", "run", "run_all", "sheet"]
