"""Nielsen ch. 1, exercises 1.1–1.2: perceptron networks are unchanged by w, b → c w, c b (c > 0); sigmoid
networks with weights × c tend to them, with a proven rate on inputs with a margin, and stick at ½ on a
boundary."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deltanet.theory import perceptron_scaling, sigmoid_to_perceptron


@pytest.fixture(scope="module")
def scaling():
    return perceptron_scaling()


@pytest.fixture(scope="module")
def limit():
    return sigmoid_to_perceptron()


def test_scaling_by_any_positive_c_changes_no_output(scaling):
    assert scaling.cs == (1e-3, 0.1, 0.5, 3.0, 10.0, 1e3)
    assert scaling.changed == (0,) * 6
    assert scaling.invariant


def test_c_zero_and_negative_do_change_outputs(scaling):
    nonpositive = dict(scaling.changed_nonpositive)
    total = scaling.n_networks * scaling.n_inputs
    assert set(nonpositive) == {0.0, -1.0}
    assert 0.5 * total < nonpositive[0.0] < total       # a constant network (all z = 0) against varied outputs
    assert 0.5 * total < nonpositive[-1.0] <= total     # every perceptron flipped


def test_boundary_units_keep_their_value_when_c_is_exact(scaling):
    """Integer-weight networks on boolean inputs put many units exactly on z = 0; for c that scale exactly in
    floating point (powers of 2, integers) both conventions H(0) = 0 and H(0) = 1 are kept."""
    assert scaling.boundary_zeros > 0.1 * scaling.boundary_evaluations
    exact = {c: changed for c, changed in zip(scaling.cs, scaling.boundary_changed) if c in (0.5, 3.0, 10.0, 1e3)}
    assert len(exact) == 4 and all(changed == (0, 0) for changed in exact.values())


def test_boundary_units_can_flip_under_rounding(scaling):
    """The floating-point caveat the report states: c = 0.1 is inexact, so (c w)·x + c b may round a zero z
    away from 0 and flip a unit on its boundary (seen on this seed and on seeds 1–4 alike)."""
    changed = dict(zip(scaling.cs, scaling.boundary_changed))[0.1]
    assert sum(changed) > 0


def test_scaling_report_and_frozen(scaling):
    text = scaling.report()
    assert "0 / 4000" in text and "exercise 1.1" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        scaling.changed = ()


def test_sigmoid_network_converges_at_the_proven_rate_on_inputs_with_a_margin(limit):
    assert list(limit.cs) == [1.0, 10.0, 100.0, 1e3, 1e4]
    assert limit.n_margin > 0.8 * limit.n_inputs
    assert np.all(limit.max_diff_margin <= limit.bound * (1 + 1e-9))
    assert np.all(np.diff(limit.max_diff_margin[1:]) < 0)      # falling from c = 10 on
    c_1000 = list(limit.cs).index(1e3)
    assert limit.max_diff_margin[c_1000] < 1e-20
    assert limit.bound[c_1000] < 1e-21


def test_convergence_is_not_uniform_over_all_inputs(limit):
    """Inputs near a boundary (smallest |w·x + b| ≈ 1e−4 here) keep some unit far from 0/1 even at c = 1e4."""
    assert limit.smallest_margin < 1e-3
    assert limit.max_diff_all[-1] > 0.1


def test_unit_on_its_boundary_is_stuck_at_one_half(limit):
    assert np.all(limit.stuck_hidden == 0.5)
    assert np.all(limit.stuck_output == 0.5)
    assert limit.perceptron_output == (0.0, 1.0)
    assert limit.off_boundary_perceptron == 1.0
    assert np.all(np.diff(limit.off_boundary_output) >= 0) and limit.off_boundary_output[-1] == 1.0
    assert "stuck at ½" in limit.report()


def test_arrays_are_read_only(limit):
    with pytest.raises(ValueError):
        limit.bound[0] = 0.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(cs=(1.0, 0.0)), "cs"), (dict(cs=()), "cs"), (dict(cs=(1.0, np.inf)), "cs"),
    (dict(sizes=(3,)), "sizes"), (dict(sizes=(3, 0, 1)), "sizes"), (dict(n_networks=0), "n_networks"),
])
def test_perceptron_scaling_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        perceptron_scaling(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(margin=0.0), "margin"), (dict(cs=(-1.0,)), "cs"), (dict(n_inputs=0), "n_inputs"),
])
def test_sigmoid_to_perceptron_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sigmoid_to_perceptron(**kwargs)
