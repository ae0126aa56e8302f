"""Checkable results of seed sheet 004 (`../shared/seeds/004*`)."""

from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet  # noqa: F401
