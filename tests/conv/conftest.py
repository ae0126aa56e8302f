"""Oracle for the convolution and pooling tests: a deltanet function against its PyTorch twin in float64.

`check(dn_fn, torch_fn, arrays)` asserts, to rtol 1e-10, the value, the VJP (every input's gradient for a
random upstream gradient) and the JVP (`dn.autograd.jvp` against `torch.func.jvp`, random tangents) —
the approach of tests/core/conftest.py, for functions of a few float arrays.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

import deltanet as dn

RTOL, ATOL = 1e-10, 1e-12

torch.set_num_threads(1)
with warnings.catch_warnings():  # torch.func.jvp loads these lazily and warns about torch.jit.script
    warnings.simplefilter("ignore", DeprecationWarning)
    import torch._decomp.decompositions_for_jvp  # noqa: F401


def close(actual, expected, what, rtol=RTOL, atol=ATOL):
    actual = actual.data if isinstance(actual, dn.Tensor) else np.asarray(actual)
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def check(dn_fn, torch_fn, arrays, seed=0, jvp=True, rtol=RTOL, atol=ATOL, what=""):
    """dn_fn(*tensors) vs torch_fn(*tensors) for the float arrays `arrays` (None entries pass through)."""
    rng = np.random.default_rng(seed)
    live = [i for i, a in enumerate(arrays) if a is not None]
    xs = [None if a is None else dn.tensor(a, requires_grad=True) for a in arrays]
    ts = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = dn_fn(*xs), torch_fn(*ts)
    assert out.dtype == np.dtype(str(expected.dtype).replace("torch.", "")), what
    close(out, expected, f"{what} value", rtol, atol)
    g = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(g)
    expected.backward(torch.tensor(g))
    for i in live:
        close(xs[i].grad, ts[i].grad, f"{what} VJP of input {i}", rtol, atol)
    if jvp:
        tangents = [rng.standard_normal(arrays[i].shape).astype(arrays[i].dtype) for i in live]

        def filled(values):
            full = [None] * len(arrays)
            for i, v in zip(live, values):
                full[i] = v
            return full

        out_dn, tan_dn = dn.autograd.jvp(lambda *p: dn_fn(*filled(p)),
                                         tuple(dn.tensor(arrays[i]) for i in live), tuple(tangents))
        _, tan_t = torch.func.jvp(lambda *p: torch_fn(*filled(p)),
                                  tuple(torch.tensor(arrays[i]) for i in live),
                                  tuple(torch.tensor(t) for t in tangents))
        close(out_dn, expected, f"{what} jvp primal", rtol, atol)
        close(tan_dn, tan_t, f"{what} JVP", rtol, atol)
    return out
