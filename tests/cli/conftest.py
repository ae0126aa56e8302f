"""Every `dn.train` test leaves the library's default dtype and random generator as it found them."""

import pytest

import deltanet as dn


@pytest.fixture(autouse=True)
def _restore_globals():
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    yield
    dn.set_default_dtype(dtype)
    dn.set_rng_state(state)
