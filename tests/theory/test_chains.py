"""Seed sheet 000 Q2 and sheet 004 §5.1: in a chain of single neurons ∂a_L/∂b_1 = f′(z_1) ∏_{j≥2} w_j f′(z_j);
autograd equals the product, sigmoid chains vanish for |w| < 4 and explode when w is large with z near 0,
linear chains give w^(L−1)."""

from __future__ import annotations

import numpy as np
import pytest

from deltanet.theory import chain_gradients, chain_products, scalar_chain


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture(scope="module")
def demo():
    return chain_products()


def rows(demo):
    return {name: k for k, name in enumerate(demo.regimes)}


def test_autograd_equals_the_product(demo):
    assert demo.gradients.shape == demo.products.shape == (5, 30)
    assert demo.max_relative_error < 1e-12
    assert np.allclose(demo.gradients, demo.products, rtol=1e-12, atol=0)


def test_linear_chains_are_powers_of_w(demo):
    L = demo.depths
    k = rows(demo)
    assert np.allclose(demo.gradients[k["linear, w = 0.9"]], 0.9 ** (L - 1), rtol=1e-13, atol=0)
    assert np.allclose(demo.gradients[k["linear, w = 1.1"]], 1.1 ** (L - 1), rtol=1e-13, atol=0)


def test_centred_sigmoid_chain_explodes_as_two_to_the_depth(demo):
    """w = 8 and z_j = 0 exactly: every factor is 8 · ¼ = 2, so ∂a_L/∂b_1 = 2^(L−1)/4 in exact arithmetic."""
    g = demo.gradients[rows(demo)["sigmoid, w = 8, z_j = 0"]]
    assert np.array_equal(g, 2.0 ** (demo.depths - 1) / 4)


def test_sigmoid_chains_obey_the_quarter_bound_and_vanish(demo):
    assert np.all(np.abs(demo.gradients) <= demo.bounds * (1 + 1e-12))
    k = rows(demo)
    assert demo.gradients[k["sigmoid, w = 1, b = 0"], -1] < 4.0 ** -29
    saturated = demo.gradients[k["sigmoid, w = 8, b = 0"]]
    assert saturated[-1] < 1e-70 and np.all(np.diff(np.log(saturated)) < np.log(8 * 0.25 * 0.01))


def test_sheet_000_q2(demo):
    assert demo.sheet_outputs[0] == 110.0
    assert demo.sheet_gradients[0] == pytest.approx(93750.0, rel=1e-15)
    # case (2) written out with NumPy: h1, h2, h3 and the product of the sheet's formula
    h1 = sigmoid(0.2 * 3 + 1)
    h2 = sigmoid(0.5 * h1 + 2)
    h3 = sigmoid(0.3 * h2 + 2)
    expected = 0.6 * 0.3 * h3 * (1 - h3) * 0.5 * h2 * (1 - h2) * h1 * (1 - h1)
    assert demo.sheet_outputs[1] == pytest.approx(0.6 * h3 + 1, rel=1e-14)
    assert demo.sheet_gradients[1] == pytest.approx(expected, rel=1e-12)
    assert demo.sheet_gradients[1] == pytest.approx(7.9973168e-05, rel=1e-7)
    assert demo.sheet_stated == (93750.0, 0.0001)
    text = demo.report()
    assert "93750" in text and "erratum" in text


def test_chain_gradients_of_every_neuron():
    model = scalar_chain([2.0, -1.5], [0.5, 0.25], "sigmoid", output=(3.0, -1.0))
    values, grads, products = chain_gradients(model, 0.7)
    a1 = sigmoid(2.0 * 0.7 + 0.5)
    a2 = sigmoid(-1.5 * a1 + 0.25)
    assert values == pytest.approx([a1, a2, 3.0 * a2 - 1.0], rel=1e-15)
    d1 = a1 * (1 - a1)
    assert grads == pytest.approx([d1, -1.5 * a2 * (1 - a2) * d1, 3.0 * -1.5 * a2 * (1 - a2) * d1], rel=1e-14)
    assert grads == pytest.approx(products, rel=1e-14)


@pytest.mark.parametrize("args, message", [
    (([1.0], [0.0], "tanh"), "activation"), (([1.0, 2.0], [0.0]), "equally long"), (([], []), "equally long"),
])
def test_scalar_chain_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        scalar_chain(*args)


def test_chain_products_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_depth"):
        chain_products(max_depth=0)
    with pytest.raises(ValueError, match="x"):
        chain_products(x=np.nan)
