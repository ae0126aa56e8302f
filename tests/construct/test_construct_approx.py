"""`dn.construct` approximation: step neurons, bumps, m-dimensional towers and the universal approximator,
checked at the points they claim; approximation errors, measured on a dense grid including the transition
zones, shrink as the number of pieces grows (1-D: Nielsen's f with 10 and 50 pieces; 2-D)."""

import numpy as np
import pytest

import deltanet as dn
from deltanet import construct, nn
from deltanet.construct import approx


def outputs(model, X):
    with dn.no_grad():
        return model(dn.tensor(np.asarray(X, dtype=float), dtype=dn.float64)).numpy().ravel()


def test_step_neuron_is_sigma_of_w_times_x_minus_s():
    model = construct.step_neuron(0.3, w=1000.0)
    assert model[0].weight.item() == 1000.0 and model[0].bias.item() == pytest.approx(-300.0)
    x = np.array([0.0, 0.29, 0.3, 0.31, 1.0])
    np.testing.assert_allclose(outputs(model, x[:, None]), 1 / (1 + np.exp(-1000 * (x - 0.3))), rtol=1e-12)
    assert outputs(model, [[0.3]])[0] == pytest.approx(0.5)
    assert outputs(model, [[0.28]])[0] < 1e-8 and outputs(model, [[0.32]])[0] > 1 - 1e-8


@pytest.mark.parametrize("kind", approx.KINDS)
def test_bump_is_h_between_s1_and_s2_and_0_outside(kind):
    model = construct.bump(0.4, 0.6, 3.0, kind=kind)
    a = outputs(model, [[0.0], [0.38], [0.42], [0.5], [0.58], [0.62], [5.0]])     # σ(±1000·0.02) ≈ 1 − 2e-9
    np.testing.assert_allclose(a, [0, 0, 3, 3, 3, 0, 0], atol=1e-8)
    np.testing.assert_allclose(outputs(model, [[0.4], [0.6]]), [1.5, 1.5], atol=1e-10)   # half-way at s1, s2
    assert construct.verify_tower(model, [(0.4, 0.6)], 3.0) == []                          # a bump is a 1-D tower
    hidden = model[0].out_features
    assert hidden == (2 if kind == "sigmoid" else 4)


def test_relu_bump_is_exact_outside_transition_zones_of_width_1_over_w():
    w = 100.0
    model = construct.bump(1.0, 2.0, 2.0, kind="relu", w=w)
    x = np.linspace(-1, 4, 5001)
    a = outputs(model, x[:, None])
    plateau = (x >= 1 + 0.5 / w) & (x <= 2 - 0.5 / w)
    outside = (x <= 1 - 0.5 / w) | (x >= 2 + 0.5 / w)
    np.testing.assert_allclose(a[plateau], 2.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a[outside], 0.0, rtol=0, atol=1e-12)
    # in the zones it is sheet 003's ramp h_{c,d}: linear from 0 to h
    zone = (x > 1 - 0.5 / w) & (x < 1 + 0.5 / w)
    np.testing.assert_allclose(a[zone], 2.0 * (w * (x[zone] - 1) + 0.5), rtol=0, atol=1e-12)


RECTS = [[(1.0, 2.0)], [(1.0, 2.0), (-2.0, 0.0)], [(0.0, 0.5), (1.0, 3.0), (-1.0, 1.0)],
         [(0.0, 1.0), (0.0, 1.0), (2.0, 2.5), (-3.0, -1.0)]]


@pytest.mark.parametrize("kind", approx.KINDS)
@pytest.mark.parametrize("rect", RECTS, ids=lambda r: f"m={len(r)}")
def test_towers_in_1_to_4_dimensions(rect, kind):
    h = 2.5
    model = construct.tower(rect, h, kind=kind)
    m = len(rect)
    assert model[0].in_features == m and model[0].out_features == (2 if kind == "sigmoid" else 4) * m
    box = np.array(rect)
    c, r = box.mean(axis=1), (box[:, 1] - box[:, 0]) / 2
    inside = c + 0.9 * r * np.random.default_rng(m).uniform(-1, 1, (50, m))
    np.testing.assert_allclose(outputs(model, inside), h, atol=1e-9)
    for d in range(m):                                   # one coordinate outside, the others inside
        for side in (-1, 1):
            x = c + 0.9 * r * np.random.default_rng(d).uniform(-1, 1, (20, m))
            x[:, d] = c[d] + side * r[d] * np.random.default_rng(d).uniform(1.1, 3, 20)
            np.testing.assert_allclose(outputs(model, x), 0.0, atol=1e-9)
    far = c + 100 * r * np.random.default_rng(0).choice([-1, 1], (20, m))
    np.testing.assert_allclose(outputs(model, far), 0.0, atol=1e-9)
    assert construct.verify_tower(model, rect, h) == []
    X, y = construct.tower_probes(rect, h)
    assert len(X) == 1 + 2**m + 2 * m + m + 2 and (y == h).sum() == 1 + 2**m


def test_tower_threshold_bias_is_minus_m_minus_half_times_the_gain():
    w = 1000.0
    for m in range(1, 5):
        model = construct.tower([(0.0, 1.0)] * m, 1.0, w=w)
        assert model[2].bias.item() == pytest.approx(-(m - 0.5) * w)      # −(2m − 1)h/2 in seed 004's notation
        np.testing.assert_array_equal(model[2].weight.numpy(), w * np.tile([1.0, -1.0], m)[None])


def test_a_tower_too_shallow_for_its_box_is_reported_where_it_fails():
    rect = [(0.0, 1.0), (0.0, 1.0)]
    failures = construct.verify_tower(construct.tower(rect, 1.0, w=5.0), rect, 1.0)
    assert failures and failures[0].x == (0.5, 0.5) and failures[0].target == 1.0 and failures[0].output < 0.9


NIELSEN = lambda x: 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)   # noqa: E731


@pytest.mark.parametrize("kind", approx.KINDS)
def test_nielsen_f_with_10_and_50_pieces(kind):
    x = np.linspace(0, 1, 7)
    np.testing.assert_allclose(construct.nielsen_f(x), NIELSEN(x), rtol=1e-15)
    coarse = construct.approximate(NIELSEN, (0, 1), 10, kind=kind)
    fine = construct.approximate(NIELSEN, (0, 1), 50, kind=kind)
    assert coarse.max_error > 0.2 and fine.max_error < 0.08                 # measured: 0.245 and 0.068
    assert fine.max_error < coarse.max_error / 3
    for a in (coarse, fine):                                                # the network is its staircase
        assert a.max_error <= a.staircase_error + 1e-9
        assert a.target.shape == a.output.shape == (10_001,) and a.x[0][0] == 0 and a.x[0][-1] == 1
        np.testing.assert_allclose(a.output, outputs(a.model, a.x[0][:, None]), rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.max_error, np.abs(a.output - NIELSEN(a.x[0])).max(), rtol=1e-12)
    assert coarse.hidden_units == (9 if kind == "sigmoid" else 18)          # one step per interior breakpoint


def test_1d_network_is_a_staircase_of_the_centre_values():
    f = lambda x: x**2                                                      # noqa: E731
    a = construct.approximate(f, (0.0, 2.0), 4, kind="relu")
    centres = np.array([0.25, 0.75, 1.25, 1.75])
    np.testing.assert_allclose(outputs(a.model, centres[:, None]), centres**2, atol=1e-12)
    np.testing.assert_allclose(outputs(a.model, [[0.5], [1.0], [1.5]]),      # half-way at the breakpoints
                               (centres[:-1] ** 2 + centres[1:] ** 2) / 2, atol=1e-12)


def wave(x1, x2):
    return 0.5 + 0.3 * np.sin(2 * np.pi * x1) * np.cos(np.pi * x2)


@pytest.mark.parametrize("kind", approx.KINDS)
def test_2d_error_shrinks_with_more_pieces(kind):
    errors = [construct.approximate(wave, ((0, 1), (0, 2)), n, kind=kind, grid=101).max_error for n in (4, 8, 16)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.45 * errors[0]


def test_2d_output_layout_and_corners():
    a = construct.approximate(wave, ((0, 1), (0, 2)), 4, kind="relu", grid=41)
    x1, x2 = a.x
    assert a.output.shape == (len(x2), len(x1))                               # [i, j] at (x1[j], x2[i])
    X = np.array([[x1[7], x2[3]], [x1[30], x2[12]]])
    np.testing.assert_allclose(outputs(a.model, X), [a.output[3, 7], a.output[12, 30]], rtol=1e-12)
    np.testing.assert_allclose(a.target[12, 30], wave(x1[30], x2[12]))
    # at a cell corner the output is a convex combination of the four cells around it, not a hole
    cells = wave(*np.meshgrid([0.375, 0.625], [0.75, 1.25]))
    at_corner = outputs(a.model, [[0.5, 1.0]])[0]
    assert cells.min() - 1e-12 <= at_corner <= cells.max() + 1e-12


def test_a_sum_of_towers_would_have_a_hole_at_the_corner():
    """Why approximate uses orthant steps: towers of the 4 cells around a corner all vanish there."""
    corner = [[0.5, 0.5]]
    cells = [[(0.0, 0.5), (0.0, 0.5)], [(0.5, 1.0), (0.0, 0.5)], [(0.0, 0.5), (0.5, 1.0)], [(0.5, 1.0), (0.5, 1.0)]]
    total = sum(outputs(construct.tower(rect, 1.0), corner)[0] for rect in cells)
    assert total < 1e-100                                                      # should be 1 (f ≡ 1)
    a = construct.approximate(lambda x1, x2: np.ones_like(x1), ((0, 1), (0, 1)), 2, grid=11)
    assert outputs(a.model, corner)[0] == pytest.approx(1.0, abs=1e-12)


def test_constructions_are_ordinary_float64_modules():
    models = [construct.step_neuron(0.0), construct.bump(0, 1, 1), construct.tower([(0, 1)], 1),
              construct.approximate(np.sin, (0, 3), 3).model]
    for model in models:
        assert isinstance(model, nn.Sequential)
        assert all(p.dtype == np.float64 for p in model.parameters())


@pytest.mark.parametrize("call, message", [
    (lambda: construct.bump(1.0, 0.0, 1.0), "lower < upper"),
    (lambda: construct.bump(0.0, 1.0, 1.0, kind="tanh"), "kind must be one of 'sigmoid', 'relu'"),
    (lambda: construct.step_neuron(0.0, w=-1.0), "w must be > 0"),
    (lambda: construct.step_neuron(float("nan")), "s must be a finite number"),
    (lambda: construct.tower([(0, 1), (2,)], 1.0), "pairs"),
    (lambda: construct.tower([], 1.0), "pairs"),
    (lambda: construct.approximate(np.sin, (0, 1), 1), "n_pieces must be an integer ≥ 2"),
    (lambda: construct.approximate(np.sin, [(0, 1)] * 3, 4), "1-D .* or 2-D"),
    (lambda: construct.approximate(lambda x: 1.0, (0, 1), 4), "shape of its arguments"),
    (lambda: construct.approximate(np.log, (-1, 1), 4), "NaN or infinite"),
    (lambda: construct.approximate(np.sin, (0, 1), 4, grid=1), "grid must be an integer ≥ 2"),
])
def test_bad_arguments_are_refused_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        with np.errstate(invalid="ignore", divide="ignore"):
            call()


def test_f_with_the_wrong_arity_is_a_type_error():
    with pytest.raises(TypeError, match="f must take 2 array argument"):
        construct.approximate(lambda x: np.sin(x), ((0, 1), (0, 1)), 2)
