"""Fixtures for the `dn.inspect` tests: float64 as the default dtype (always restored) and a fixed seed."""

import numpy as np
import pytest

import deltanet as dn


@pytest.fixture
def float64():
    """float64 default dtype and a seeded generator for one test; both restored afterwards."""
    previous, state = dn.get_default_dtype(), dn.get_rng_state()
    dn.set_default_dtype(np.float64)
    dn.manual_seed(0)
    try:
        yield np.dtype(np.float64)
    finally:
        dn.set_default_dtype(previous)
        dn.set_rng_state(state)
