"""`Linear`, every activation and a multi-layer model against PyTorch (the oracle): values and gradients.

Weights go from torch into deltanet through `load_state_dict(torch_module.state_dict())`, so both
libraries compute with the same numbers; float64 must agree to 1e-10 relative, float32 to 1e-5.
"""

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet import nn

TOL = {np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6)}
TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}
DTYPES = [np.float64, np.float32]


def assert_matches(ours, theirs, dtype):
    """Our tensor/array equals torch's tensor in dtype, shape and value (to the dtype's tolerance)."""
    ours = np.asarray(ours.data if isinstance(ours, dn.Tensor) else ours)
    theirs = theirs.detach().numpy()
    assert ours.dtype == np.dtype(dtype)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, **TOL[np.dtype(dtype)])


def pair(array, requires_grad=True):
    """The same values as a deltanet leaf and a torch leaf."""
    return (dn.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


# ---- Linear -----------------------------------------------------------------------------------------

LINEAR_CASES = [  # (in_features, out_features, input shape)
    (5, 3, (5,)),          # 1-D input: a single example
    (5, 3, (1, 5)),
    (4, 7, (8, 4)),
    (6, 2, (32, 6)),
    (3, 4, (2, 5, 3)),     # 3-D input: (batch, sequence, features)
    (1, 1, (9, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("n_in, n_out, shape", LINEAR_CASES)
def test_linear_matches_torch_value_and_all_gradients(n_in, n_out, shape, bias, dtype):
    rng = np.random.default_rng(hash((n_in, n_out, shape, bias)) % 2**32)
    torch.manual_seed(n_in * 100 + n_out)
    theirs = torch.nn.Linear(n_in, n_out, bias=bias, dtype=TORCH_DTYPE[np.dtype(dtype)])
    ours = nn.Linear(n_in, n_out, bias=bias, dtype=dtype)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())

    x, tx = pair(rng.standard_normal(shape).astype(dtype))
    z, tz = ours(x), theirs(tx)
    assert_matches(z, tz, dtype)

    upstream = rng.standard_normal(tz.shape).astype(dtype)   # a random ∂C/∂z, not just ones
    (z * dn.tensor(upstream)).sum().backward()
    (tz * torch.tensor(upstream)).sum().backward()
    assert_matches(x.grad, tx.grad, dtype)
    assert_matches(ours.weight.grad, theirs.weight.grad, dtype)
    if bias:
        assert_matches(ours.bias.grad, theirs.bias.grad, dtype)
    else:
        assert ours.bias is None and [n for n, _ in ours.named_parameters()] == ["weight"]


def test_linear_weight_is_out_by_in_and_row_j_column_k_is_w_jk():
    """z_j = Σ_k w_jk x_k + b_j: weight[j, k] connects input k to output j (the sheets' w_jk)."""
    layer = nn.Linear(3, 2, dtype=np.float64)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    layer.load_state_dict({"weight": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                           "bias": np.array([0.5, -1.0])})
    z = layer(dn.tensor([[1.0, 10.0, 100.0]], dtype=np.float64))
    np.testing.assert_array_equal(z.data, [[321.5, 653.0]])


def test_linear_gradients_accumulate_over_two_backward_passes():
    torch.manual_seed(3)
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    ours = nn.Linear(3, 2, dtype=np.float64)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).standard_normal((4, 3))
    for _ in range(2):
        (ours(dn.tensor(x)) ** 2).sum().backward()
        (theirs(torch.tensor(x)) ** 2).sum().backward()
    assert_matches(ours.weight.grad, theirs.weight.grad, np.float64)
    assert_matches(ours.bias.grad, theirs.bias.grad, np.float64)


# ---- activations --------------------------------------------------------------------------------

def _input(shape, dtype, seed):
    """Random z with some exact zeros (where ReLU', LeakyReLU', Step and Sign have their conventions)."""
    rng = np.random.default_rng(seed)
    z = 3 * rng.standard_normal(shape)
    z.flat[:: max(1, z.size // 4)] = 0.0
    return z.astype(dtype)


ACTIVATIONS = [  # (id, deltanet module, torch function)
    ("Identity", lambda: nn.Identity(), lambda z: z),
    ("Sigmoid", lambda: nn.Sigmoid(), torch.sigmoid),
    ("Tanh", lambda: nn.Tanh(), torch.tanh),
    ("ReLU", lambda: nn.ReLU(), torch.relu),
    ("LeakyReLU", lambda: nn.LeakyReLU(), torch.nn.LeakyReLU()),
    ("LeakyReLU0.2", lambda: nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    ("Softmax-1", lambda: nn.Softmax(dim=-1), lambda z: torch.softmax(z, -1)),
    ("Softmax0", lambda: nn.Softmax(dim=0), lambda z: torch.softmax(z, 0)),
    ("Softmax1T0.5", lambda: nn.Softmax(dim=1, temperature=0.5), lambda z: torch.softmax(z / 0.5, 1)),
    ("Softmax-1T3", lambda: nn.Softmax(dim=-1, temperature=3.0), lambda z: torch.softmax(z / 3.0, -1)),
    ("LogSoftmax-1", lambda: nn.LogSoftmax(dim=-1), lambda z: torch.log_softmax(z, -1)),
    ("LogSoftmax0", lambda: nn.LogSoftmax(dim=0), lambda z: torch.log_softmax(z, 0)),
    ("LogSoftmax1T2", lambda: nn.LogSoftmax(dim=1, temperature=2.0), lambda z: torch.log_softmax(z / 2.0, 1)),
    ("Sign", lambda: nn.Sign(), torch.sign),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 4), (1, 6)])
@pytest.mark.parametrize("name, make_ours, theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch_value_and_gradient(name, make_ours, theirs, shape, dtype):
    z_np = _input(shape, dtype, seed=len(name) + sum(shape))
    z, tz = pair(z_np)
    a, ta = make_ours()(z), theirs(tz)
    assert_matches(a, ta, dtype)
    upstream = np.random.default_rng(7).standard_normal(shape).astype(dtype)
    (a * dn.tensor(upstream)).sum().backward()
    (ta * torch.tensor(upstream)).sum().backward()
    assert_matches(z.grad, tz.grad, dtype)


def test_relu_and_leaky_relu_derivative_at_zero_follow_torch():
    """ReLU'(0) = 0 and LeakyReLU'(0) = negative_slope, as PyTorch."""
    for module, expected in ((nn.ReLU(), 0.0), (nn.LeakyReLU(0.3), 0.3)):
        z = dn.tensor([0.0, 2.0, -2.0], dtype=np.float64, requires_grad=True)
        module(z).sum().backward()
        np.testing.assert_array_equal(z.grad.data, [expected, 1.0, 0.0 if expected == 0 else 0.3])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("at_zero", [0.0, 1.0, 0.5])
def test_step_matches_torch_heaviside_and_has_zero_gradient(at_zero, dtype):
    """The sheets use f(0) = 0 (threshold units) and g(0) = 1; torch.heaviside(z, at_zero) is the oracle."""
    z_np = _input((6, 5), dtype, seed=11)
    assert (z_np == 0).any() and (z_np > 0).any() and (z_np < 0).any()
    z = dn.tensor(z_np, requires_grad=True)
    a = nn.Step(at_zero=at_zero)(z)
    expected = torch.heaviside(torch.tensor(z_np), torch.tensor(at_zero, dtype=TORCH_DTYPE[np.dtype(dtype)]))
    assert_matches(a, expected, dtype)
    a.sum().backward()
    np.testing.assert_array_equal(z.grad.data, np.zeros_like(z_np))


def test_step_conventions_f0_is_0_and_g0_is_1():
    z = dn.tensor([-1e-300, 0.0, 1e-300, -5.0, 5.0], dtype=np.float64)
    np.testing.assert_array_equal(nn.Step()(z).data, [0, 0, 1, 0, 1])              # f(0) = 0 (default)
    np.testing.assert_array_equal(nn.Step(at_zero=1)(z).data, [0, 1, 1, 0, 1])     # g(0) = 1
    np.testing.assert_array_equal(nn.Sign()(z).data, [-1, 0, 1, -1, 1])


def test_softmax_rejects_non_positive_temperature():
    with pytest.raises(ValueError, match="temperature"):
        nn.Softmax(dim=1, temperature=0)
    with pytest.raises(ValueError, match="temperature"):
        nn.LogSoftmax(dim=1, temperature=-1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_softmax_log_softmax_stay_finite_and_exact_at_1e4(dtype):
    """The sheets' step neurons use w = 10000: |z| up to 1e4 must not overflow (SPEC §4)."""
    z_np = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4 - 1, -1e4], [-1e4, -1e4, -1e4 + 2]], dtype=dtype)
    for make_ours, theirs in ((nn.Sigmoid, torch.sigmoid),
                              (lambda: nn.Softmax(dim=1), lambda t: torch.softmax(t, 1)),
                              (lambda: nn.LogSoftmax(dim=1), lambda t: torch.log_softmax(t, 1))):
        z, tz = pair(z_np)
        a, ta = make_ours()(z), theirs(tz)
        assert np.all(np.isfinite(a.data))
        assert_matches(a, ta, dtype)
        (a * dn.tensor(np.arange(9.0).reshape(3, 3).astype(dtype))).sum().backward()
        (ta * torch.tensor(np.arange(9.0).reshape(3, 3).astype(dtype))).sum().backward()
        assert np.all(np.isfinite(z.grad.data))
        assert_matches(z.grad, tz.grad, dtype)


# ---- a multi-layer model -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [1, 5, 64])
def test_sequential_model_matches_torch_output_and_every_parameter_gradient(batch, dtype):
    torch.manual_seed(batch)
    tdtype = TORCH_DTYPE[np.dtype(dtype)]
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6, dtype=tdtype), torch.nn.Tanh(),
                                 torch.nn.Linear(6, 3, dtype=tdtype), torch.nn.Sigmoid(),
                                 torch.nn.Linear(3, 2, dtype=tdtype))
    ours = nn.Sequential(nn.Linear(4, 6, dtype=dtype), nn.Tanh(), nn.Linear(6, 3, dtype=dtype), nn.Sigmoid(),
                         nn.Linear(3, 2, dtype=dtype))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())

    rng = np.random.default_rng(batch)
    x_np = rng.standard_normal((batch, 4)).astype(dtype)
    y_np = rng.standard_normal((batch, 2)).astype(dtype)
    out, tout = ours(dn.tensor(x_np)), theirs(torch.tensor(x_np))
    assert_matches(out, tout, dtype)

    nn.MSELoss()(out, dn.tensor(y_np)).backward()
    torch.nn.MSELoss()(tout, torch.tensor(y_np)).backward()
    ours_named, theirs_named = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(ours_named) == list(theirs_named) == ["0.weight", "0.bias", "2.weight", "2.bias",
                                                      "4.weight", "4.bias"]
    for name, param in theirs_named.items():
        assert ours_named[name].grad is not None, name
        assert_matches(ours_named[name].grad, param.grad, dtype)


def test_sequential_model_matches_torch_after_several_gradient_steps():
    """Ten identical plain gradient-descent steps keep the two models equal (no drift in float64)."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 1, dtype=torch.float64))
    ours = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.Tanh(), nn.Linear(4, 1, dtype=np.float64))
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 1))
    for _ in range(10):
        ours.zero_grad()
        theirs.zero_grad()
        nn.QuadraticLoss()(ours(dn.tensor(x)), dn.tensor(y)).backward()
        (0.5 * ((theirs(torch.tensor(x)) - torch.tensor(y)) ** 2).sum(1).mean()).backward()
        with dn.no_grad(), torch.no_grad():
            for p, tp in zip(ours.parameters(), theirs.parameters(), strict=True):
                p -= 0.3 * p.grad
                tp -= 0.3 * tp.grad
    for p, tp in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert_matches(p, tp, np.float64)


# ---- forward mode through layers -------------------------------------------------------------------------

@pytest.mark.parametrize("wrt", ["input", "weight"])
def test_forward_mode_jvp_of_a_model_matches_torch(wrt):
    """dn.autograd.jvp through Linear, Tanh, bias-free Linear and Softmax equals torch's J·v."""
    from torch.autograd.functional import jvp as torch_jvp

    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2, bias=False, dtype=torch.float64),
                                 torch.nn.Softmax(dim=1))
    ours = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.Tanh(),
                         nn.Linear(4, 2, bias=False, dtype=np.float64), nn.Softmax(dim=1))
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((5, 3))
    if wrt == "input":
        v = rng.standard_normal((5, 3))
        out, tangent = dn.autograd.jvp(lambda x: ours(x), (dn.tensor(x_np),), (dn.tensor(v),))
        t_out, t_tangent = torch_jvp(lambda x: theirs(x), (torch.tensor(x_np),), (torch.tensor(v),))
    else:
        v = rng.standard_normal((4, 3))
        w0 = theirs[0].weight.detach().clone()

        def with_weight(w):
            return torch.tanh(torch.tensor(x_np) @ w.T + theirs[0].bias) @ theirs[2].weight.T

        out, tangent = dn.autograd.jvp(lambda w: ours(dn.tensor(x_np)), (ours[0].weight,), (dn.tensor(v),))
        t_out, t_tangent = torch_jvp(lambda w: torch.softmax(with_weight(w), 1), (w0,), (torch.tensor(v),))
    assert_matches(out, t_out, np.float64)
    assert_matches(tangent, t_tangent, np.float64)
