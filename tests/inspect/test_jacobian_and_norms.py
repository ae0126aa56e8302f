"""`jacobian` (forward-mode columns, reverse-mode rows) against torch.autograd.functional.jacobian in float64,
and `grad_norms` against NumPy norms of the gradients of a backward pass."""

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet import nn
from deltanet.inspect import grad_norms, jacobian, trace

RNG = np.random.default_rng(7)
A, B = RNG.normal(size=(3, 4)), RNG.normal(size=3)
M = RNG.normal(size=(3, 5))


def layer(x, lib):
    """tanh(A x + b): R⁴ → R³."""
    return lib.tanh(lib.tensor(A) @ x + lib.tensor(B))


def softmax_rows(x, lib):
    """softmax(sigmoid(x) M) row by row: R^{2×3} → R^{2×5}."""
    return lib.softmax(lib.sigmoid(x) @ lib.tensor(M), -1)


CASES = [(layer, RNG.normal(size=4), (3, 4)), (softmax_rows, RNG.normal(size=(2, 3)), (2, 5, 2, 3))]


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse"])
@pytest.mark.parametrize("fn, x, shape", CASES, ids=["tanh-layer", "softmax-rows"])
def test_jacobian_matches_torch(fn, x, shape, mode, float64):
    ours = jacobian(lambda t: fn(t, dn), x, mode=mode)
    theirs = torch.autograd.functional.jacobian(lambda t: fn(t, torch), torch.tensor(x))
    assert ours.shape == shape == tuple(theirs.shape) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-15)


def test_jacobian_of_a_network_output_is_the_trace_delta_times_the_first_weights(float64):
    """For C = the single output: ∂C/∂x = (W¹)ᵀ δ¹, a row of the Jacobian of the whole network."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1))
    x = np.array([0.3, -0.1, 0.8])
    J = jacobian(lambda t: model(t), x)
    t = trace(model, x)
    np.testing.assert_allclose(J.reshape(3), model[0].weight.data.T @ t.layers[0].delta, rtol=1e-12)
    assert all(p.grad is None for p in model.parameters())


def test_jacobian_refuses_bad_arguments(float64):
    with pytest.raises(ValueError, match="mode must be one of auto, forward, reverse, got 'sideways'"):
        jacobian(dn.tanh, np.ones(2), mode="sideways")
    with pytest.raises(TypeError, match="x must be floating-point, got int64"):
        jacobian(dn.tanh, np.array([1, 2]))
    with pytest.raises(TypeError, match="fn must return one tensor, got tuple"):
        jacobian(lambda t: (t, t), np.ones(2))


def test_grad_norms_after_backward(float64):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model[2].bias.requires_grad_(False)
    assert grad_norms(model) == {}                                   # no backward yet: no .grad
    nn.CrossEntropyLoss()(model(dn.tensor([[0.5, -1.0, 2.0]])), np.array([1])).backward()
    norms = grad_norms(model)
    assert list(norms) == ["0.weight", "0.bias", "2.weight"]
    for name, p in model.named_parameters():
        if name in norms:
            assert norms[name] == pytest.approx(np.sqrt(np.sum(p.grad.data ** 2)), rel=1e-14)
    with pytest.raises(TypeError, match="expected an nn.Module, got dict"):
        grad_norms({})
