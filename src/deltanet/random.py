"""One seeded random number generator for the whole library, so a run is reproducible from one seed."""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the library's generator (used by inits, dropout, shuffling, `randn`/`rand`)."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The library's generator (its `bit_generator.state` can be saved and restored for exact resumes)."""
    return _generator


def get_rng_state() -> dict:
    """A JSON-serialisable copy of the generator's state."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by `get_rng_state`."""
    _generator.bit_generator.state = state
