"""The reproductions train with the library's ordinary loop; here that loop is checked against a plain
NumPy transcription of Nielsen's `network.py` (quadratic cost) and `network2.py` (cross-entropy + L2)
updates, from the same initial weights and the same mini-batch order: after two epochs on 300 real MNIST
examples the weights agree to rounding. So any difference from the book's numbers comes from the seed
(initialisation and shuffling), not from the algorithm."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

import deltanet as dn
from deltanet import reproduce
from deltanet.data import encode
from deltanet.models import nielsen


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def nielsen_sgd(weights, biases, X, y, epochs, eta, m, seed, cost, lmbda=0.0):
    """network.py / network2.py `SGD` with the per-example loop of `update_mini_batch` vectorised over the
    mini-batch (the sum of the examples' ∇Cₓ); the shuffle is the DataLoader's (a seeded permutation per
    epoch) instead of `random.shuffle`. Layer index l here is the book's l + 1."""
    weights, biases = [w.copy() for w in weights], [b.copy() for b in biases]
    n = len(X)
    Y = encode.one_hot(y, 10, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n)
        for k in range(0, n, m):
            batch = order[k:k + m]
            activation, activations, zs = X[batch], [X[batch]], []
            for w, b in zip(weights, biases):
                z = activation @ w.T + b
                zs.append(z)
                activation = sigmoid(z)
                activations.append(activation)
            if cost == "quadratic":      # QuadraticCost.delta: (a − y) σ′(z)
                delta = (activations[-1] - Y[batch]) * sigmoid_prime(zs[-1])
            else:                        # CrossEntropyCost.delta: a − y
                delta = activations[-1] - Y[batch]
            nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
            nabla_w[-1], nabla_b[-1] = delta.T @ activations[-2], delta.sum(0)
            for l in range(2, len(weights) + 1):
                delta = (delta @ weights[-l + 1]) * sigmoid_prime(zs[-l])
                nabla_w[-l], nabla_b[-l] = delta.T @ activations[-l - 1], delta.sum(0)
            size = len(batch)
            weights = [(1 - eta * lmbda / n) * w - (eta / size) * nw for w, nw in zip(weights, nabla_w)]
            biases = [b - (eta / size) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


@pytest.mark.parametrize("setting", [
    reproduce.Setting("ch1", (30,), lr=3.0, epochs=2),
    reproduce.Setting("ch3", (30,), loss="bce", lr=0.5, epochs=2, improved_init=True, lmbda=5.0),
], ids=["network.py", "network2.py"])
def test_library_training_equals_nielsens_update(setting):
    previous = dn.get_default_dtype()
    dn.set_default_dtype("float64")
    try:
        data = reproduce.load_data(quick=True)
        X, y = data["train"]
        data["train"] = (X[:300], y[:300])
        data["test"] = (data["test"][0][:100], data["test"][1][:100])
        # the initial weights: the same seeded initialisation train_setting draws
        dn.manual_seed(7)
        model = nielsen(setting.sizes(10), improved=setting.improved_init)
        w0 = [p.data.copy() for name, p in model.named_parameters() if name.endswith("weight")]
        b0 = [p.data.copy() for name, p in model.named_parameters() if name.endswith("bias")]
        with contextlib.redirect_stdout(io.StringIO()):
            result = reproduce.train_setting(setting, data, ("test",), seed=7, epochs=setting.epochs)
    finally:
        dn.set_default_dtype(previous)
    assert len(result.records) == 2
    w_ref, b_ref = nielsen_sgd(w0, b0, X[:300], y[:300], 2, setting.lr, setting.batch, seed=7,
                               cost=setting.loss, lmbda=setting.lmbda)
    ours = dict(result.model.named_parameters())
    for i, (w, b) in enumerate(zip(w_ref, b_ref)):
        np.testing.assert_allclose(ours[f"{2 * i}.weight"].data, w, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(ours[f"{2 * i}.bias"].data, b, rtol=1e-9, atol=1e-11)
