"""Checkable results of seed sheet 001 (`../shared/seeds/001*`)."""

from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet  # noqa: F401
