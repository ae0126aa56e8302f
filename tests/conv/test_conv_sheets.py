"""The source sheets' convolution results, recomputed with deltanet layers.

000 Q3  1-D CNN with a shared filter: 3 + 4 = 7 parameters; the sheet's ∂R/∂w and ∂R/∂v_i formulas.
000 Q4  2-D convolution + fully connected + sigmoid: ∂E/∂K by finite differences of a deltanet model.
        ERRATUM: the sheet's printed answer is wrong (see test_000_q4_...).
002 P3  two-channel 3×3 convolution with zero padding: (I ⋆ K¹) = 6, 14, 14, 27 at (1,1), (1,2), (2,1), (2,2);
        3×3 max-pool (stride 1) of ReLU(I ⋆ K¹) at (1,1): 27.
"""

import numpy as np

import deltanet as dn

nn = dn.nn


def _set(param, values):
    param.data[...] = np.asarray(values, dtype=param.dtype)


# ---- 000 Q3: one filter of size 3 shared over 4 positions, then a fully connected output unit ------------

def q3_model():
    """h_i = σ(Σ_j v_j x_{i+j−1}) for i = 1…4 (input length 6), z = σ(Σ_i w_i h_i); no biases."""
    return nn.Sequential(nn.Conv1d(1, 1, 3, bias=False), nn.Sigmoid(), nn.Flatten(), nn.Linear(4, 1, bias=False),
                         nn.Sigmoid())


def test_000_q3_the_shared_filter_network_has_7_parameters():
    model = q3_model()
    assert model.num_parameters() == 7                        # the sheet: 3 + 4 = 7
    assert model[0].weight.shape == (1, 1, 3) and model[3].weight.shape == (1, 4)
    assert "total parameters: 7" in model.summary(input_shape=(1, 6))


def test_000_q3_gradients_match_the_sheets_formulas():
    """R = (y − z)²: ∂R/∂w = 2(z − y) z(1 − z) h and ∂R/∂v_i = 2(z − y) z(1 − z) Σ_j w_j h_j(1 − h_j) x_{i+j−1}."""
    dn.set_default_dtype(np.float64)
    rng = np.random.default_rng(0)
    model = q3_model()
    x, y = rng.standard_normal(6), 0.3
    v, w = model[0].weight.data[0, 0], model[3].weight.data[0]
    out = model(dn.tensor(x.reshape(1, 1, 6)))
    ((out - y) ** 2).sum().backward()
    h = 1 / (1 + np.exp(-np.array([v @ x[i:i + 3] for i in range(4)])))
    z = 1 / (1 + np.exp(-(w @ h)))
    np.testing.assert_allclose(out.item(), z, rtol=1e-12)
    np.testing.assert_allclose(model[3].weight.grad.data[0], 2 * (z - y) * z * (1 - z) * h, rtol=1e-10)
    dv = [2 * (z - y) * z * (1 - z) * sum(w[j] * h[j] * (1 - h[j]) * x[i + j] for j in range(4)) for i in range(3)]
    np.testing.assert_allclose(model[0].weight.grad.data[0, 0], dv, rtol=1e-10)


# ---- 000 Q4: ∂E/∂K of conv (2×2 kernel on 3×3 input) → o = σ(Σ w_ij y_ij) → E = ½(z − o)² --------------------

def q4(X, K, W, z):
    """(E, ∂E/∂K by autograd) from deltanet layers."""
    conv = nn.Conv2d(1, 1, 2, bias=False)
    fc = nn.Linear(4, 1, bias=False)
    _set(conv.weight, K.reshape(1, 1, 2, 2))
    _set(fc.weight, W.reshape(1, 4))                          # (w11, w12, w21, w22) against (y11, y12, y21, y22)
    model = nn.Sequential(conv, nn.Flatten(), fc, nn.Sigmoid())
    o = model(dn.tensor(X.reshape(1, 1, 3, 3)))
    E = 0.5 * ((z - o) ** 2).sum()
    E.backward()
    return E.item(), o.item(), conv.weight.grad.data[0, 0]


def test_000_q4_kernel_gradient_by_finite_differences_and_the_sheets_erratum():
    dn.set_default_dtype(np.float64)
    rng = np.random.default_rng(4)
    X, K, W, z = rng.standard_normal((3, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), 1.0
    _, o, grad = q4(X, K, W, z)

    eps = 1e-6                                                # central differences of E in each k_ab
    numeric = np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            step = np.zeros((2, 2))
            step[a, b] = eps
            numeric[a, b] = (q4(X, K + step, W, z)[0] - q4(X, K - step, W, z)[0]) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-10)

    # The correct closed form: ∂E/∂k_ab = (o − z)·o(1 − o)·Σ_ij w_ij x_{i+a−1, j+b−1}, i.e. (o − z)·o(1 − o)·(X ⋆ W),
    # the valid cross-correlation of the input with the fully connected weights.
    X_star_W = np.array([[np.sum(W * X[a:a + 2, b:b + 2]) for b in range(2)] for a in range(2)])
    np.testing.assert_allclose(grad, (o - z) * o * (1 - o) * X_star_W, rtol=1e-10)

    # ERRATUM. The sheet prints (z − o)·o(1 − o)·W·[[x11 + x22, x12 + x23], [x21 + x32, x22 + x33]]. It is wrong
    # twice: ∂E/∂o = −(z − o) = o − z (sign), and the bracket pairs each x with the one diagonally below it
    # instead of weighting the four inputs under each kernel position by w11…w22. Neither reading of "W ·"
    # (elementwise or matrix product) gives the gradient.
    M = np.array([[X[0, 0] + X[1, 1], X[0, 1] + X[1, 2]], [X[1, 0] + X[2, 1], X[1, 1] + X[2, 2]]])
    for sheet in ((z - o) * o * (1 - o) * W * M, (z - o) * o * (1 - o) * W @ M):
        assert not np.allclose(sheet, grad, rtol=1e-3)


# ---- 002 Problem 3: a two-channel convolution with zero padding, ReLU and a 3×3 max-pool --------------------

I1 = [[2, 3, 4, 5], [3, 5, 7, 9], [4, 7, 10, 13], [5, 9, 13, 17]]
I2 = [[3, 4, 5, 6], [4, 6, 8, 10], [5, 8, 11, 14], [6, 10, 14, 18]]
K1_1 = [[0, 1, 0], [1, -1, 1], [0, 1, 0]]
# The sheet gives K¹'s first channel only (the second is in a figure we do not have). Its worked sums fix the
# second: at (1,1) the channel-2 part is −6 + 4 + 4 = −2·I₂(1,1) + I₂(1,2) + I₂(2,1), and at (1,2), (2,1), (2,2)
# the centre terms are −8 = −2·4 and −12 = −2·6, with no corner terms: K¹₂ = [[0, 1, 0], [1, −2, 1], [0, 1, 0]].
K1_2 = [[0, 1, 0], [1, -2, 1], [0, 1, 0]]


def p3_output():
    conv = nn.Conv2d(2, 2, 3, padding=1, bias=False)          # K_c^l indexed −k…k: a 3×3 kernel, "same" padding
    _set(conv.weight[0], [K1_1, K1_2])                        # filter l = 1 (filter 2 is not used by the sheet)
    image = dn.tensor(np.array([I1, I2], dtype=np.float64)[None])
    return conv, conv(image)


def test_002_p3_convolution_values():
    dn.set_default_dtype(np.float64)
    _, out = p3_output()
    np.testing.assert_array_equal(out.data[0, 0, :2, :2], [[6, 14], [14, 27]])   # the sheet's four values
    assert out.shape == (1, 2, 4, 4)                                             # a 4×4 2-channel output


def test_002_p3_relu_changes_nothing_and_the_max_pooled_value_is_27():
    dn.set_default_dtype(np.float64)
    _, out = p3_output()
    a = nn.ReLU()(out)
    assert np.all(out.data[0, 0] >= 0) and np.array_equal(a.data, np.maximum(out.data, 0))
    pooled = nn.MaxPool2d(3, stride=1, padding=1)(a)
    # The sheet writes max(0, 6, 14, 27): its 0 stands for the zero padding; PyTorch (and deltanet) pad a
    # max-pool with −∞ instead, which gives the same 27 here because every value is ≥ 0.
    assert pooled.data[0, 0, 0, 0] == 27
    assert pooled.shape == (1, 2, 4, 4)


def test_002_p3_matches_a_direct_sum_over_the_sheets_formula():
    """(I ⋆ K^l)_{i',j'} = Σ_c Σ_{−1≤i,j≤1} (I_c)_{i'+i, j'+j} (K_c^l)_{i,j}, zero outside the image, everywhere."""
    dn.set_default_dtype(np.float64)
    _, out = p3_output()
    padded = np.pad(np.array([I1, I2], dtype=float), ((0, 0), (1, 1), (1, 1)))
    kernel = np.array([K1_1, K1_2], dtype=float)
    direct = [[np.sum(padded[:, r:r + 3, c:c + 3] * kernel) for c in range(4)] for r in range(4)]
    np.testing.assert_array_equal(out.data[0, 0], direct)
