"""Every test leaves the library's global state as it found it: default dtype, random generator, grad mode
(tests switch the dtype, reseed, or fail inside `no_grad`)."""

import pytest

import deltanet as dn
from deltanet.autograd import function


@pytest.fixture(autouse=True)
def _restore_global_state():
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    yield
    dn.set_default_dtype(dtype)
    dn.set_rng_state(state)
    function._grad_enabled = True
