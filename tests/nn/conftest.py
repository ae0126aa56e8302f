"""Fixtures shared by the `dn.nn` tests: a float64 default dtype that is always restored, and a seed."""

import numpy as np
import pytest

import deltanet as dn


@pytest.fixture
def float64():
    """Make float64 the default dtype for one test, restoring the previous default afterwards."""
    previous = dn.get_default_dtype()
    dn.set_default_dtype(np.float64)
    try:
        yield np.dtype(np.float64)
    finally:
        dn.set_default_dtype(previous)


@pytest.fixture
def restore_rng():
    """Keep the library generator's state unchanged by a test that reseeds it."""
    state = dn.get_rng_state()
    yield
    dn.set_rng_state(state)
