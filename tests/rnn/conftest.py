"""Shared helpers for the recurrent-network tests: twin deltanet/torch models and float64 by default."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deltanet as dn

torch.set_num_threads(1)
with warnings.catch_warnings():  # torch.func.jvp loads these lazily and warns about torch.jit.script
    warnings.simplefilter("ignore", DeprecationWarning)
    import torch._decomp.decompositions_for_jvp  # noqa: F401

RTOL, ATOL = 1e-10, 1e-12


@pytest.fixture(autouse=True)
def _float64():
    """Every test here runs with float64 as the default dtype (tests/conftest.py restores it after)."""
    dn.set_default_dtype(np.float64)


def assert_close(actual, expected, what="", rtol=RTOL, atol=ATOL):
    actual = actual.data if isinstance(actual, dn.Tensor) else np.asarray(actual)
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def twin(kind: str, *args, **kwargs):
    """A deltanet layer and the torch layer of the same class, with torch's weights copied into ours."""
    torch_layer = getattr(torch.nn, kind)(*args, **kwargs).double()
    ours = getattr(dn.nn, kind)(*args, **kwargs)
    ours.load_state_dict(torch_layer.state_dict())
    return ours, torch_layer
