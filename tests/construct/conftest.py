"""Fixtures of the `dn.construct` tests."""

import pytest

import deltanet as dn


@pytest.fixture
def restore_rng():
    """Keep the library generator's state unchanged by a test that reseeds it."""
    state = dn.get_rng_state()
    yield
    dn.set_rng_state(state)
