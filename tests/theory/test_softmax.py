"""Nielsen ch. 3, exercise 3.3: softmax(z/T) → argmax as T → 0, with tied maxima sharing equally, and → uniform
as T → ∞; within the stated bounds at every T, and finite for |z| up to 1e4."""

from __future__ import annotations

import numpy as np
import pytest

from deltanet.theory import argmax_limit, softmax_temperature


@pytest.fixture(scope="module")
def demo():
    return softmax_temperature()


def test_cold_limit_splits_the_mass_equally_among_tied_maxima_exactly(demo):
    assert list(demo.z) == [2.0, -1.0, 2.0, 0.5, 2.0, 1.0]
    assert demo.ties == 3
    assert demo.temperatures[0] == 1e-3
    assert list(demo.a[0]) == [1 / 3, 0.0, 1 / 3, 0.0, 1 / 3, 0.0]
    assert list(demo.limit_cold) == [1 / 3, 0.0, 1 / 3, 0.0, 1 / 3, 0.0]


@pytest.mark.parametrize("z, expected", [
    ((1.0, 3.0, 2.0), [0.0, 1.0, 0.0]),
    ((5.0, 5.0, 5.0, 5.0, -1.0), [0.25, 0.25, 0.25, 0.25, 0.0]),
    ((0.0, 7.0, 7.0), [0.0, 0.5, 0.5]),
])
def test_cold_limit_for_other_ties(z, expected):
    result = softmax_temperature(z, temperatures=(1e-4, 1.0))
    assert list(result.a[0]) == expected
    assert list(argmax_limit(z)) == expected


def test_distances_to_both_limits_stay_within_their_bounds(demo):
    assert np.all(demo.dist_cold <= demo.bound_cold + 1e-15)
    assert np.all(demo.dist_hot <= demo.bound_hot + 1e-15)
    assert np.all(np.diff(demo.dist_cold) >= 0)          # T rising: further from argmax …
    assert np.all(np.diff(demo.dist_hot) <= 0)           # … and closer to uniform
    assert demo.dist_hot[-1] < 5e-4                      # T = 1000: r/T = 0.003
    assert np.allclose(demo.a.sum(axis=1), 1.0, atol=1e-15)


def test_expectation_runs_from_max_to_mean(demo):
    assert demo.expectation[0] == 2.0
    assert abs(demo.expectation[-1] - demo.z.mean()) < 2 * demo.z.var() / demo.temperatures[-1]   # ≈ mean + Var/T
    assert np.all(np.diff(demo.expectation) <= 1e-15)


def test_large_logits_stay_finite(demo):
    assert np.abs(demo.z_large).max() == 1e4
    assert demo.large_finite
    assert demo.large_sum_error < 1e-15
    assert list(demo.a_large[0]) == [1 / 3, 0.0, 1 / 3, 0.0, 1 / 3, 0.0]


def test_extreme_temperatures_with_large_logits():
    result = softmax_temperature((1e4, -1e4, 1e4 - 1), temperatures=(1e-6, 1e6))
    assert list(result.a[0]) == [1.0, 0.0, 0.0]
    assert result.large_finite and np.abs(result.a[1] - 1 / 3).max() < 0.01


def test_report_names_the_tie(demo):
    text = demo.report()
    assert "shared by 3 entries" in text and "1/3" in text and "yes" in text


@pytest.mark.parametrize("kwargs", [dict(z=(1.0,)), dict(z=((1.0, 2.0),)), dict(z=(1.0, np.nan)),
                                    dict(temperatures=(1.0, 0.0)), dict(temperatures=(-1.0,))])
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="softmax_temperature"):
        softmax_temperature(**kwargs)
