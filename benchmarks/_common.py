"""Shared timing helpers: deltanet and PyTorch alternated in one process, median ratios."""

from __future__ import annotations

import statistics
import time


def settle() -> None:
    """Let the other library's idle worker threads stop spinning before a timed block."""
    time.sleep(0.5)


def time_once(fn) -> float:
    settle()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(runs: dict, repeats: int) -> dict:
    """Time each callable in `runs` `repeats` times, interleaved; return name → list of seconds."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            times[name].append(time_once(fn))
    return times


def median(values) -> float:
    return statistics.median(values)


def median_ratio(times: dict, ours: str, theirs: str) -> float:
    """Median over repeats of ours/theirs, each ratio from one alternated pair (robust to machine drift)."""
    return statistics.median(a / b for a, b in zip(times[ours], times[theirs]))


def require_torch():
    try:
        import torch
    except ImportError:
        raise SystemExit("this benchmark compares with PyTorch: "
                         "install the dev extra (pip install -e '.[dev]')") from None
    return torch
