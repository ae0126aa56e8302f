"""The theory demos build float64 layers explicitly; every test leaves the library's default dtype and random
generator as it found them (nn.Linear draws its initial weights from the library's generator)."""

import pytest

import deltanet as dn


@pytest.fixture(autouse=True)
def _restore_globals():
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    yield
    dn.set_default_dtype(dtype)
    dn.set_rng_state(state)
