"""Checkable results of seed sheet 003 (`../shared/seeds/003*`)."""

from deltanet.exercises.registry import Outcome, agrees_if, exercise, sheet  # noqa: F401
