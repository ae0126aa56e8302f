"""A 2-2-1 sigmoid network learns XOR by full-batch gradient descent from a fixed seed.

Seeds, learning rates and epoch counts were chosen so training converges well inside the budget
(max |a − y| ≈ 0.035 for MSE after 400 epochs, ≈ 0.011 for BCE after 300), leaving margin to the
asserted 0.1; the 2-2-1 XOR net has local minima, so other seeds may get stuck (seed 2 with MSE does).
"""

import numpy as np
import pytest

import deltanet as dn
from deltanet import nn

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])

CASES = [("mse", nn.MSELoss, 10.0, 400), ("bce", nn.BCELoss, 5.0, 300)]


def xor_net(seed):
    dn.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())


def train_by_hand(model, loss_fn, lr, epochs):
    x, y = dn.tensor(X), dn.tensor(Y)
    losses = []
    for _ in range(epochs):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        losses.append(loss.item())
        with dn.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return losses


def assert_learned_xor(model):
    with dn.no_grad():
        a = model(dn.tensor(X)).data
    assert a.shape == (4, 1)
    np.testing.assert_array_equal(a > 0.5, Y > 0.5)          # right side of 0.5 …
    assert np.abs(a - Y).max() < 0.1                           # … and within 0.1 of the target


@pytest.mark.parametrize("name, loss, lr, epochs", CASES, ids=[c[0] for c in CASES])
def test_xor_is_learned_by_plain_gradient_descent(name, loss, lr, epochs, float64, restore_rng):
    model = xor_net(seed=3)
    with dn.no_grad():
        untrained = model(dn.tensor(X)).data
    assert np.abs(untrained - Y).max() > 0.4                   # it does not start out solved
    losses = train_by_hand(model, loss(), lr, epochs)
    assert_learned_xor(model)
    assert losses[-1] < 0.05 * losses[0]


def test_gradient_descent_from_the_same_seed_is_reproducible(float64, restore_rng):
    a, b = xor_net(seed=3), xor_net(seed=3)
    train_by_hand(a, nn.MSELoss(), 10.0, 50)
    train_by_hand(b, nn.MSELoss(), 10.0, 50)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)


@pytest.mark.parametrize("name, loss, lr, epochs", CASES, ids=[c[0] for c in CASES])
def test_xor_is_learned_with_optim_sgd_and_matches_the_hand_written_update(name, loss, lr, epochs, float64,
                                                                         restore_rng):
    optim = pytest.importorskip("deltanet.optim")
    if not hasattr(optim, "SGD"):
        pytest.skip("deltanet.optim.SGD is not there yet")
    model = xor_net(seed=3)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    x, y, loss_fn = dn.tensor(X), dn.tensor(Y), loss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    assert_learned_xor(model)

    by_hand = xor_net(seed=3)
    train_by_hand(by_hand, loss(), lr, epochs)
    for p, q in zip(model.parameters(), by_hand.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12, atol=1e-14)
