"""Every loss of `dn.nn` against PyTorch: value and ∂C/∂input (and, through a Linear layer, ∂C/∂W, ∂C/∂b)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deltanet as dn
from deltanet import nn

TOL = {np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6)}
TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}
DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]


def assert_matches(ours, theirs, dtype):
    ours = np.asarray(ours.data if isinstance(ours, dn.Tensor) else ours)
    theirs = theirs.detach().numpy()
    assert ours.dtype == np.dtype(dtype)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, **TOL[np.dtype(dtype)])


def check_loss(ours_fn, theirs_fn, input_np, target_ours, target_theirs, dtype, seed=0):
    """Loss value and ∂C/∂input equal torch's, for a random upstream gradient when reduction='none'."""
    x = dn.tensor(input_np, requires_grad=True)
    tx = torch.tensor(input_np, requires_grad=True)
    c, tc = ours_fn(x, target_ours), theirs_fn(tx, target_theirs)
    assert_matches(c, tc, dtype)
    if tc.ndim == 0:
        c.backward()
        tc.backward()
    else:
        upstream = np.random.default_rng(seed).standard_normal(tc.shape).astype(dtype)
        (c * dn.tensor(upstream)).sum().backward()
        (tc * torch.tensor(upstream)).sum().backward()
    assert_matches(x.grad, tx.grad, dtype)
    return c


# ---- Nielsen's quadratic cost ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (1, 10), (8, 3), (50, 10)])
def test_quadratic_loss_is_half_squared_norm_averaged_over_the_batch(shape, dtype):
    rng = np.random.default_rng(shape[0] * 10 + shape[1])
    a_np, y_np = rng.random(shape).astype(dtype), rng.random(shape).astype(dtype)
    check_loss(nn.QuadraticLoss(), lambda a, y: 0.5 * ((a - y) ** 2).sum(1).mean(),
               a_np, dn.tensor(y_np), torch.tensor(y_np), dtype)


def test_quadratic_loss_hand_value_and_delta_is_a_minus_y_over_n():
    """C = 1/(2n) Σₓ ‖y − a‖²; ∂C/∂a = (a − y)/n."""
    a = dn.tensor([[1.0, 2.0], [0.0, 0.0]], dtype=np.float64, requires_grad=True)
    y = dn.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=np.float64)
    c = nn.QuadraticLoss()(a, y)
    assert c.item() == pytest.approx((5 + 25) / 4, rel=1e-15)
    c.backward()
    np.testing.assert_allclose(a.grad.data, [[0.5, 1.0], [-1.5, -2.0]], rtol=1e-15)
    # with k outputs per example, C_quadratic = (k/2)·MSE; here k = 2
    assert nn.QuadraticLoss()(a, y).item() == pytest.approx(nn.MSELoss()(a, y).item() * 2 / 2, rel=1e-15)


def test_quadratic_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3,\)"):
        nn.QuadraticLoss()(dn.zeros(3, 2), np.zeros(3))


# ---- MSE --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_mse_loss_matches_torch(shape, reduction, dtype):
    rng = np.random.default_rng(len(shape))
    a_np, y_np = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    check_loss(nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction),
               a_np, dn.tensor(y_np), torch.tensor(y_np), dtype)


def test_loss_rejects_unknown_reduction():
    for loss in (nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss, nn.NLLLoss):
        with pytest.raises(ValueError, match="reduction"):
            loss(reduction="average")


# ---- binary cross-entropy ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6,), (5, 1), (4, 3), (2, 3, 2)])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_bce_loss_matches_torch(shape, reduction, dtype, soft):
    rng = np.random.default_rng(sum(shape))
    a_np = (1 / (1 + np.exp(-2 * rng.standard_normal(shape)))).astype(dtype)
    y_np = (rng.random(shape) if soft else rng.integers(0, 2, shape)).astype(dtype)
    check_loss(nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction),
               a_np, dn.tensor(y_np), torch.tensor(y_np), dtype)


def test_bce_loss_clamps_logs_at_minus_100_like_torch_at_a_equal_0_and_1():
    a_np = np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 0.5])
    y_np = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.3])
    c = nn.BCELoss(reduction="none")(dn.tensor(a_np), dn.tensor(y_np))
    expected = torch.nn.BCELoss(reduction="none")(torch.tensor(a_np), torch.tensor(y_np))
    assert_matches(c, expected, np.float64)
    np.testing.assert_array_equal(c.data[:5], [100.0, 100.0, 0.0, 0.0, 100.0])


def test_bce_loss_gradient_where_torch_clamps_a_times_1_minus_a():
    """∂C/∂a = (a − y)/max(a(1 − a), ε): torch's ε is the float32 constant 1e-12 (= 9.99999996e-13) in every
    dtype, so at a ∈ {0, 1, 1e-50} torch's float64 gradient is −1.000000004e12 (not −1e12)."""
    a_np = np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 0.5])
    y_np = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.3])
    check_loss(nn.BCELoss(reduction="none"), torch.nn.BCELoss(reduction="none"),
               a_np, dn.tensor(y_np), torch.tensor(y_np), np.float64)


def test_bce_loss_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"probabilities"):
        nn.BCELoss()(dn.tensor([0.5, 1.5]), dn.tensor([0.0, 1.0]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6,), (5, 1), (4, 3), (2, 3, 2)])
def test_bce_with_logits_loss_matches_torch(shape, reduction, dtype):
    rng = np.random.default_rng(sum(shape) + 1)
    z_np = (4 * rng.standard_normal(shape)).astype(dtype)
    y_np = rng.random(shape).astype(dtype)
    check_loss(nn.BCEWithLogitsLoss(reduction=reduction), torch.nn.BCEWithLogitsLoss(reduction=reduction),
               z_np, dn.tensor(y_np), torch.tensor(y_np), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_stays_finite_for_logits_of_1e4(dtype):
    z_np = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype)
    y_np = np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=dtype)
    c = check_loss(nn.BCEWithLogitsLoss(reduction="none"), torch.nn.BCEWithLogitsLoss(reduction="none"),
                   z_np, dn.tensor(y_np), torch.tensor(y_np), dtype)
    assert np.all(np.isfinite(c.data)) and c.data[0] == pytest.approx(1e4)


def test_target_gradients_match_torch():
    """The losses are differentiable in a real-valued target too (e.g. soft labels from another network)."""
    rng = np.random.default_rng(5)
    a_np, z_np, y_np = rng.random((4, 3)), rng.standard_normal((4, 3)), rng.random((4, 3))
    for ours_fn, theirs_fn, x_np in ((nn.BCELoss(), TF.binary_cross_entropy, a_np),
                                     (nn.BCEWithLogitsLoss(), TF.binary_cross_entropy_with_logits, z_np),
                                     (nn.MSELoss(), TF.mse_loss, z_np),
                                     (nn.QuadraticLoss(), lambda a, y: 0.5 * ((a - y) ** 2).sum(1).mean(),
                                      z_np)):
        y, ty = dn.tensor(y_np, requires_grad=True), torch.tensor(y_np, requires_grad=True)
        ours_fn(dn.tensor(x_np), y).backward()
        theirs_fn(torch.tensor(x_np), ty).backward()
        assert_matches(y.grad, ty.grad, np.float64)


# ---- cross-entropy on logits ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(1, 3), (8, 10), (64, 2)])
@pytest.mark.parametrize("target_kind", ["numpy", "tensor"])
def test_cross_entropy_with_class_indices_matches_torch(shape, reduction, dtype, target_kind):
    rng = np.random.default_rng(shape[0] + shape[1])
    z_np = (3 * rng.standard_normal(shape)).astype(dtype)
    y_np = rng.integers(0, shape[1], shape[0])
    target = dn.tensor(y_np) if target_kind == "tensor" else y_np
    check_loss(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
               z_np, target, torch.tensor(y_np), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_spatial_dims_matches_torch(reduction, dtype):
    """Logits (N, C, d1, d2) with targets (N, d1, d2), as for per-pixel classification."""
    rng = np.random.default_rng(2)
    z_np = rng.standard_normal((3, 4, 2, 5)).astype(dtype)
    y_np = rng.integers(0, 4, (3, 2, 5))
    check_loss(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
               z_np, y_np, torch.tensor(y_np), dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_on_a_single_unbatched_example_matches_torch(reduction):
    z_np = np.array([0.3, -1.2, 2.0, 0.1])
    check_loss(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
               z_np, np.array(2), torch.tensor(2), np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probability_targets_and_spatial_dims_matches_torch(reduction):
    rng = np.random.default_rng(13)
    z_np, p = rng.standard_normal((3, 4, 2, 5)), rng.random((3, 4, 2, 5))
    y_np = p / p.sum(1, keepdims=True)
    check_loss(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
               z_np, dn.tensor(y_np), torch.tensor(y_np), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["one-hot", "probabilities"])
def test_cross_entropy_with_one_hot_or_probability_targets_matches_torch(kind, reduction, dtype):
    rng = np.random.default_rng(3)
    z_np = (2 * rng.standard_normal((6, 5))).astype(dtype)
    if kind == "one-hot":
        y_np = np.eye(5, dtype=dtype)[rng.integers(0, 5, 6)]
    else:
        p = rng.random((6, 5))
        y_np = (p / p.sum(1, keepdims=True)).astype(dtype)
    check_loss(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
               z_np, dn.tensor(y_np), torch.tensor(y_np), dtype)


def test_cross_entropy_one_hot_target_equals_index_target():
    z = dn.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=np.float64)
    by_index = nn.CrossEntropyLoss()(z, np.array([1, 2]))
    by_one_hot = nn.CrossEntropyLoss()(z, dn.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float64))
    assert by_index.item() == pytest.approx(by_one_hot.item(), rel=1e-14)


def test_cross_entropy_probability_target_gradient_matches_torch():
    rng = np.random.default_rng(4)
    z_np, p = rng.standard_normal((3, 4)), rng.random((3, 4))
    y_np = p / p.sum(1, keepdims=True)
    y, ty = dn.tensor(y_np, requires_grad=True), torch.tensor(y_np, requires_grad=True)
    nn.CrossEntropyLoss()(dn.tensor(z_np), y).backward()
    torch.nn.CrossEntropyLoss()(torch.tensor(z_np), ty).backward()
    assert_matches(y.grad, ty.grad, np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_cross_entropy_ignore_index_matches_torch(ignore_index, reduction):
    """Ignored targets contribute nothing and do not count in the mean's denominator."""
    rng = np.random.default_rng(6)
    z_np = rng.standard_normal((7, 3))
    y_np = np.array([0, ignore_index, 2, 1, ignore_index, 0, 2])
    check_loss(nn.CrossEntropyLoss(reduction=reduction, ignore_index=ignore_index),
               torch.nn.CrossEntropyLoss(reduction=reduction, ignore_index=ignore_index),
               z_np, y_np, torch.tensor(y_np), np.float64)


def test_cross_entropy_and_nll_agree_with_torch_when_every_target_is_ignored():
    """A batch whose targets are all `ignore_index` (e.g. pure padding): torch's mean is 0/0 = nan for both
    losses (sum: 0). deltanet should agree with torch and with itself, without a RuntimeWarning."""
    import warnings

    z_np, y_np = np.zeros((2, 3)), np.array([-100, -100])
    expected = torch.nn.CrossEntropyLoss()(torch.tensor(z_np), torch.tensor(y_np)).item()
    assert np.isnan(expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        z_nll, z_ce = dn.tensor(z_np, requires_grad=True), dn.tensor(z_np, requires_grad=True)
        nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(z_nll), y_np)
        ce = nn.CrossEntropyLoss()(z_ce, y_np)
        assert nn.CrossEntropyLoss(reduction="sum")(dn.tensor(z_np), y_np).item() == 0.0
        nll.backward()
        ce.backward()
    assert np.isnan(nll.item()) and np.isnan(ce.item())
    # torch's gradient is zero here (no example contributes)
    np.testing.assert_array_equal(z_nll.grad.data, np.zeros((2, 3)))
    np.testing.assert_array_equal(z_ce.grad.data, np.zeros((2, 3)))


def test_cross_entropy_ignore_index_with_spatial_dims_matches_torch():
    rng = np.random.default_rng(8)
    z_np = rng.standard_normal((2, 3, 4))
    y_np = rng.integers(0, 3, (2, 4))
    y_np[0, 1] = y_np[1, 3] = -100
    check_loss(nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), z_np, y_np, torch.tensor(y_np), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_is_stable_for_logits_of_1e4(dtype):
    z_np = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4], [1e4, 1e4, 0.0]], dtype=dtype)
    y_np = np.array([2, 0, 1])
    c = check_loss(nn.CrossEntropyLoss(reduction="none"), torch.nn.CrossEntropyLoss(reduction="none"),
                   z_np, y_np, torch.tensor(y_np), dtype)
    assert np.all(np.isfinite(c.data))
    np.testing.assert_allclose(c.data, [2e4, 2e4, np.log(2)], rtol=1e-6)


def test_cross_entropy_delta_is_softmax_minus_one_hot_over_n():
    """The fused rule: ∂C/∂z = (softmax(z) − y)/n for the mean loss."""
    z_np = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    z = dn.tensor(z_np, requires_grad=True)
    nn.CrossEntropyLoss()(z, np.array([0, 1])).backward()
    s = np.exp(z_np) / np.exp(z_np).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad.data, (s - np.eye(3)[[0, 1]]) / 2, rtol=1e-14)


def test_cross_entropy_out_of_range_class_raises_index_error():
    with pytest.raises(IndexError, match="3"):
        nn.CrossEntropyLoss()(dn.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(IndexError):
        nn.NLLLoss()(dn.zeros(2, 3), np.array([-1, 0]))


# ---- negative log-likelihood ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(1, 3), (9, 4), (3, 5, 2)])
def test_nll_loss_matches_torch(shape, reduction, dtype):
    rng = np.random.default_rng(shape[0])
    log_p_np = np.log(rng.dirichlet(np.ones(shape[1]), (shape[0],) + shape[2:]))
    log_p_np = np.moveaxis(log_p_np, -1, 1).astype(dtype)
    y_np = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    check_loss(nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction),
               log_p_np, y_np, torch.tensor(y_np), dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_ignore_index_matches_torch(reduction):
    rng = np.random.default_rng(9)
    log_p_np = rng.standard_normal((6, 3))
    y_np = np.array([0, 2, 2, -100, 1, -100])
    check_loss(nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction),
               log_p_np, y_np, torch.tensor(y_np), np.float64)


def test_log_softmax_then_nll_equals_cross_entropy_and_torch():
    rng = np.random.default_rng(10)
    z_np, y_np = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    composed = check_loss(lambda z, y: nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y),
                          lambda z, y: TF.nll_loss(TF.log_softmax(z, 1), y),
                          z_np, y_np, torch.tensor(y_np), np.float64)
    fused = nn.CrossEntropyLoss()(dn.tensor(z_np), y_np)
    assert composed.item() == pytest.approx(fused.item(), rel=1e-13)


def test_nll_loss_rejects_float_targets():
    with pytest.raises(TypeError, match="integer"):
        nn.NLLLoss()(dn.zeros(2, 3), np.array([0.0, 1.0]))


# ---- gradients flow through a Linear layer into its parameters, for every loss ---------------------------

def _targets(kind, rng, n, k):
    if kind == "index":
        y = rng.integers(0, k, n)
        return y, torch.tensor(y)
    y = rng.random((n, k))
    return dn.tensor(y), torch.tensor(y)


LOSSES_THROUGH_LINEAR = [  # (id, deltanet loss, torch loss, target kind, activation applied before the loss)
    ("Quadratic", nn.QuadraticLoss(), lambda a, y: 0.5 * ((a - y) ** 2).sum(1).mean(), "real", None),
    ("MSE", nn.MSELoss(), torch.nn.MSELoss(), "real", None),
    ("BCE", nn.BCELoss(), torch.nn.BCELoss(), "real", "sigmoid"),
    ("BCEWithLogits", nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), "real", None),
    ("CrossEntropy", nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), "index", None),
    ("NLL", nn.NLLLoss(), torch.nn.NLLLoss(), "index", "log_softmax"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, ours_loss, theirs_loss, kind, act", LOSSES_THROUGH_LINEAR,
                         ids=[c[0] for c in LOSSES_THROUGH_LINEAR])
def test_every_loss_backpropagates_into_linear_parameters_like_torch(name, ours_loss, theirs_loss, kind, act,
                                                                     dtype):
    torch.manual_seed(1)
    tdtype = TORCH_DTYPE[np.dtype(dtype)]
    theirs = torch.nn.Linear(5, 4, dtype=tdtype)
    ours = nn.Linear(5, 4, dtype=dtype)
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(12)
    x_np = rng.standard_normal((7, 5)).astype(dtype)
    y, ty = _targets(kind, rng, 7, 4)
    if kind == "real":
        y, ty = dn.tensor(y.data.astype(dtype)), ty.to(tdtype)
    a, ta = ours(dn.tensor(x_np)), theirs(torch.tensor(x_np))
    if act == "sigmoid":
        a, ta = nn.Sigmoid()(a), torch.sigmoid(ta)
    elif act == "log_softmax":
        a, ta = nn.LogSoftmax(dim=1)(a), torch.log_softmax(ta, 1)
    c, tc = ours_loss(a, y), theirs_loss(ta, ty)
    assert_matches(c, tc, dtype)
    c.backward()
    tc.backward()
    assert_matches(ours.weight.grad, theirs.weight.grad, dtype)
    assert_matches(ours.bias.grad, theirs.bias.grad, dtype)
