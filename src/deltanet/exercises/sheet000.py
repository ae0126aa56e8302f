"""Checkable results of seed sheet 000 (`../shared/seeds/000*`)."""

from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet  # noqa: F401
