"""argparse types of the `deltanet` commands: a number outside its range is refused with one line that says
what was expected and what was given (argparse prints it with the usage and exits with status 2)."""

from __future__ import annotations

import argparse
import math


def whole_number(minimum: int = 0):
    """The type of a flag that takes an integer n ≥ `minimum`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number ≥ {minimum}, got {text!r}")
        return value
    return parse


def number(minimum: float = 0.0):
    """The type of a flag that takes a finite real x ≥ `minimum`."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number ≥ {minimum:g}, got {text!r}") from None
        if not minimum <= value < math.inf:
            raise argparse.ArgumentTypeError(f"expected a finite number ≥ {minimum:g}, got {text!r}")
        return value
    return parse
