"""Shared timing helpers: deltanet and PyTorch alternated in one process, median ratios."""

from __future__ import annotations

import os
import statistics
import sys
import time


def _threads_from_argv():
    """`--threads N` runs both libraries on N threads. OpenBLAS reads OPENBLAS_NUM_THREADS once, when NumPy
    is first imported, so this happens when this module is imported: benchmarks import it before NumPy."""
    if "--threads" not in sys.argv[:-1]:
        return None
    threads = sys.argv[sys.argv.index("--threads") + 1]
    os.environ["OPENBLAS_NUM_THREADS"] = threads
    return int(threads)


THREADS = _threads_from_argv()


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
    if THREADS:
        torch.set_num_threads(THREADS)
    return torch


def add_threads_argument(parser) -> None:
    parser.add_argument("--threads", type=int,
                        help="threads for both libraries (PyTorch and NumPy's OpenBLAS); default: each its own. "
                             "On a loaded 2-core machine, --threads 1 gives the steadiest comparison")
