"""`dn.exercises`: every checkable result of the five source sheets, recomputed by deltanet.

    from deltanet.exercises import EXERCISES, run
    record = run("000-q3-parameters")      # {'id', 'source', 'claim', 'computed', 'verdict', ...}

`deltanet exercises` prints the table; `deltanet exercises ID --explain` shows the trace behind one
entry; `deltanet exercises --json` prints the records as JSON. See `registry` for the verdicts.
The sheet modules register their entries when `EXERCISES`, `run` or `run_all` is first used (so the
CLI starts without loading them).
"""

import importlib

from deltanet.exercises import registry
from deltanet.exercises.registry import Exercise, Outcome, agrees_if, exercise, sheet

SHEETS = ("sheet000", "sheet001", "sheet002", "sheet003", "sheet004")


def exercises() -> dict:
    """id → `Exercise`, every sheet's entries registered."""
    for name in SHEETS:
        importlib.import_module(f"deltanet.exercises.{name}")
    return registry.EXERCISES


def run(id: str) -> dict:
    """Run the check of entry `id` and return its record."""
    known = exercises()
    if id not in known:
        raise KeyError(f"no exercise {id!r}; `deltanet exercises` lists all {len(known)} ids")
    return known[id].run()


def run_all() -> list[dict]:
    """Records of every entry, in sheet order."""
    return [entry.run() for _, entry in sorted(exercises().items())]


def __getattr__(name):
    if name == "EXERCISES":
        return exercises()
    raise AttributeError(f"module 'deltanet.exercises' has no attribute {name!r}")


__all__ = ["EXERCISES", "Exercise", "Outcome", "agrees_if", "exercise", "exercises", "run", "run_all", "sheet"]
