"""Seed sheet 003, Q4.5–4.6: a one-hidden-layer ReLU network is exactly affine beyond its last kink
t* = max −b_j/w_j, so it answers the same for every large integer — no prime detector. Checked on a hand-built
network that is a perfect prime detector on 1…100, on a random network, and on a trained one."""

from __future__ import annotations

import numpy as np
import pytest

import deltanet as dn
from deltanet import nn
from deltanet.theory import relu_eventually_linear
from deltanet.theory.relu_tail import is_prime, primes_upto


def relu_net(w, b, v, b_out) -> nn.Sequential:
    first, second = nn.Linear(1, len(w), dtype=dn.float64), nn.Linear(len(w), 1, dtype=dn.float64)
    first.weight.data[:, 0], first.bias.data[:] = w, b
    second.weight.data[0], second.bias.data[:] = v, b_out
    return nn.Sequential(first, nn.ReLU(), second)


def hat_prime_detector(n_max=100) -> nn.Sequential:
    """f(n) = Σ_p [relu(n − p + 1) − 2 relu(n − p) + relu(n − p − 1)]: 1 at each prime p ≤ n_max, 0 at every
    other integer; on the input t = n / n_max."""
    primes = np.flatnonzero(primes_upto(n_max))
    offsets = np.tile([-1.0, 0.0, 1.0], len(primes))
    kinks_n = np.repeat(primes, 3) + offsets
    return relu_net(np.full(kinks_n.size, float(n_max)), -kinks_n, np.tile([1.0, -2.0, 1.0], len(primes)), 0.0)


def test_primes_upto():
    assert list(np.flatnonzero(primes_upto(30))) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_is_prime_agrees_with_the_sieve_and_rejects_strong_pseudoprimes():
    sieve = primes_upto(20000)
    assert all(is_prime(k) == sieve[k] for k in range(20001))
    assert is_prime(2**61 - 1) and not is_prime(3215031751)   # a strong pseudoprime to the bases 2, 3, 5, 7


def test_far_crossing():
    """f(t) = 1e−10 t crosses ½ only at n = 5e11: the answer is constant from there on, and the example
    integers are found past it without a sieve."""
    r = relu_eventually_linear(model=relu_net([1.0], [0.0], [1e-10], 0.0))
    assert r.last_kink == 0.0 and r.slope == 1e-10
    assert r.n_constant == 500_000_000_000 and r.eventual_class
    assert r.first_composite == r.n_constant + 1 and is_prime(r.first_prime) and r.first_prime > r.n_constant


def test_perfect_detector_on_1_to_100_is_constant_beyond_98():
    r = relu_eventually_linear(model=hat_prime_detector())
    assert r.train_accuracy == 1.0 and r.train_loss < 1e-25
    assert r.last_kink == 0.98 and r.last_breakpoint == 98.0       # the last kink of the hat at 97
    assert r.slope == 0.0 and r.intercept == 0.0
    assert np.all(r.f_tail == 0.0)
    assert r.slope_left == pytest.approx(-100.0, rel=1e-12) and r.slope_right == 0.0
    assert r.last_change == 100.0
    assert not r.eventual_class and r.n_constant == 98
    assert (r.first_prime, r.first_composite) == (101, 99)
    assert "not prime" in r.report()


@pytest.fixture(scope="module")
def random_net():
    rng = np.random.default_rng(3)
    w, b, v = rng.normal(size=12), rng.normal(size=12), rng.normal(size=12)
    v[np.argmax(-b / w)] = 0.0                       # the outermost kink does not bend f: not a breakpoint
    return w, b, v, 0.7


def test_breakpoint_and_line_of_a_random_network(random_net):
    w, b, v, b_out = random_net
    r = relu_eventually_linear(model=relu_net(w, b, v, b_out))
    kinks = np.sort((-b / w)[v != 0])
    assert np.array_equal(r.kinks, kinks)
    assert r.last_kink == kinks[-1] < np.max(-b / w)
    assert r.slope == pytest.approx(float(np.sum((v * w)[w > 0])), rel=1e-14)
    assert r.intercept == pytest.approx(b_out + float(np.sum((v * b)[w > 0])), rel=1e-14)
    # the tail, checked here from the network's values alone
    f = r.f_tail
    scale = max(1.0, np.abs(f).max())
    assert np.abs(np.diff(f, 2)).max() / scale < 1e-12
    assert np.abs(f - (r.slope * r.t_tail + r.intercept)).max() / scale < 1e-12
    assert r.affine_error < 1e-12 and r.second_difference < 1e-12 and r.slope_error < 1e-12
    # t* is a real breakpoint: the slope changes there by v_j |w_j| of its unit
    j = np.flatnonzero((-b / w == kinks[-1]) & (v != 0))
    assert r.last_change == pytest.approx(float(np.sum(v[j] * np.abs(w[j]))), rel=1e-14)
    assert r.slope_right - r.slope_left == pytest.approx(r.last_change, rel=1e-9)
    assert r.slope_right == pytest.approx(r.slope, rel=1e-12)


def test_tail_answer_is_eventually_constant(random_net):
    w, b, v, b_out = random_net
    r = relu_eventually_linear(model=relu_net(w, b, v, b_out))
    n = np.arange(r.n_constant + 1, r.n_constant + 400)
    line = r.slope * n / r.n_max + r.intercept
    assert np.all((line > 0.5) == r.eventual_class)
    assert primes_upto(r.first_prime)[r.first_prime] and not primes_upto(r.first_composite)[r.first_composite]
    assert r.n_constant + 1 in (r.first_prime, r.first_composite)


def test_trained_network():
    r = relu_eventually_linear(hidden=8, steps=150, seed=1)
    assert r.hidden == 8 and len(r.kinks) == 8
    assert 0.5 < r.train_accuracy <= 1.0
    assert r.affine_error < 1e-12 and r.second_difference < 1e-12 and r.slope_error < 1e-12
    assert r.slope_right - r.slope_left == pytest.approx(r.last_change, rel=1e-9)
    assert r.t_plot.shape == r.f_plot.shape and r.t_plot[-1] >= 2 * r.last_kink


@pytest.mark.parametrize("n_in, unit, dtype", [(1, nn.Sigmoid, dn.float64), (2, nn.ReLU, dn.float64),
                                                (1, nn.ReLU, dn.float32), (1, None, dn.float64)])
def test_rejects_other_models(n_in, unit, dtype):
    first = nn.Linear(n_in, 3, dtype=dtype)
    model = first if unit is None else nn.Sequential(first, unit(), nn.Linear(3, 1, dtype=dtype))
    with pytest.raises(TypeError, match="nn.Sequential"):
        relu_eventually_linear(model=model)


def test_rejects_bad_training_settings():
    with pytest.raises(ValueError, match="lr"):
        relu_eventually_linear(lr=0.0)
    with pytest.raises(ValueError, match="hidden"):
        relu_eventually_linear(hidden=0)
