"""Nielsen ch. 3, exercise 3.1 (seed sheet 004): the cross-entropy is minimised at a = y, where it equals the
binary entropy H(y); C′(a) = (a − y)/(a(1 − a)) and ∂C/∂z = a − y by autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deltanet.theory import binary_entropy, cross_entropy_minimum
from deltanet.theory.entropy import golden_section


def entropy_formula(y):
    return -y * np.log(y) - (1 - y) * np.log(1 - y)


def test_binary_entropy_curve():
    result = binary_entropy()
    assert len(result.y) == 201 and result.y[0] == 0.0 and result.y[-1] == 1.0
    assert result.H[0] == 0.0 and result.H[-1] == 0.0
    assert result.y_max == 0.5 and abs(result.H_max - math.log(2)) < 1e-15
    inner = slice(1, -1)
    assert np.allclose(result.H[inner], entropy_formula(result.y[inner]), rtol=1e-14, atol=0)
    assert np.allclose(result.H, result.H[::-1], rtol=0, atol=1e-15)
    assert "0.693147180559945" in result.report()


@pytest.fixture(scope="module")
def minimum():
    return cross_entropy_minimum()


def test_minimum_is_at_a_equals_y_with_value_H(minimum):
    assert list(minimum.ys) == [0.1, 0.3, 0.5, 0.8]
    assert np.all(np.abs(minimum.a_star - minimum.ys) < 1e-6)
    assert np.allclose(minimum.C_min, entropy_formula(minimum.ys), rtol=1e-12, atol=0)
    assert np.allclose(minimum.H, entropy_formula(minimum.ys), rtol=1e-14, atol=0)
    grid_argmin = minimum.a[np.argmin(minimum.C, axis=1)]
    assert np.all(np.abs(grid_argmin - minimum.ys) <= (minimum.a[1] - minimum.a[0]))


def test_derivatives_by_autograd(minimum):
    assert minimum.dC_da_error < 1e-12
    assert minimum.dC_dz_error < 1e-12
    below = minimum.a[None, :] < minimum.ys[:, None]
    assert np.all(minimum.dC_da[below] < 0) and np.all(minimum.dC_da[~below] >= 0)


def test_golden_section_finds_a_minimum():
    assert abs(golden_section(lambda v: (v - 0.3) ** 2, 0.0, 1.0, tol=1e-12) - 0.3) < 1e-9
    assert abs(golden_section(lambda v: abs(v + 2.5), -4.0, 3.0) + 2.5) < 1e-9


@pytest.mark.parametrize("ys", [(0.0,), (0.3, 1.0), (), (1.5,)])
def test_rejects_targets_outside_the_open_interval(ys):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        cross_entropy_minimum(ys)
