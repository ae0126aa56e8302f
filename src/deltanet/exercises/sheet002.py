"""Checkable results of seed sheet 002 (`../shared/seeds/002*`)."""

from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet  # noqa: F401
