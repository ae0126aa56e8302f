"""Seed sheet 000 Q1 / sheet 001 Q2: XOR is not linearly separable. `linearly_separable` answers exactly, with
a separator or a Farkas certificate, and every answer is checked here independently of the code that found it."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from deltanet.theory import linearly_separable, xor_separability
from deltanet.theory._common import boolean_inputs
from deltanet.theory.separability import BOOLEAN_FUNCTIONS_2


def certificate_holds(X, y, lam) -> bool:
    """λ ≥ 0, Σλ = 1, Σ λ_i s_i x_i = 0, Σ λ_i s_i = 0 — checked in fractions, written out separately."""
    s = [1 if label else -1 for label in y]
    lam = [Fraction(v) for v in lam]
    ones = np.ones((len(X), 1))
    rows = np.hstack([np.asarray(X, dtype=float), ones])
    return (min(lam) >= 0 and sum(lam) == 1
            and all(sum(l * si * Fraction(float(r[k])) for l, si, r in zip(lam, s, rows)) == 0
                    for k in range(rows.shape[1])))


def separator_holds(X, y, w, b) -> bool:
    z = np.asarray(X, dtype=float) @ np.array([float(v) for v in w]) + float(b)
    return bool(np.all((z > 0) == np.asarray(y, dtype=bool)) and np.all(np.abs(z) >= 1 - 1e-12))


@pytest.fixture(scope="module")
def demo():
    return xor_separability()


def test_xor_has_the_quarter_certificate(demo):
    xor = demo.xor
    assert list(xor.y) == [0, 1, 1, 0]
    assert not xor.separable and xor.w is None and xor.b is None
    assert xor.certificate == (Fraction(1, 4),) * 4
    assert xor.verify() and certificate_holds(xor.X, xor.y, xor.certificate)


def test_fourteen_of_sixteen_two_input_functions_are_separable(demo):
    tables = {tuple(r.y) for _, r in demo.functions}
    assert len(demo.functions) == 16 and len(tables) == 16          # every boolean function of two inputs once
    assert demo.n_separable == 14
    assert {name for name, r in demo.functions if not r.separable} == {"XOR", "XNOR"}
    for _, r in demo.functions:
        assert r.verify()
        if r.separable:
            assert separator_holds(r.X, r.y, r.w, r.b) and r.perceptron_correct
        else:
            assert certificate_holds(r.X, r.y, r.certificate)


def test_three_input_parity_is_not_separable(demo):
    p = demo.parity3
    assert list(p.y) == [0, 1, 1, 0, 1, 0, 0, 1]
    assert not p.separable and p.verify() and certificate_holds(p.X, p.y, p.certificate)


def test_three_input_threshold_functions_are_separable():
    X = boolean_inputs(3)
    for y in (X.sum(axis=1) >= 2, X.all(axis=1), X.any(axis=1)):        # majority, AND, OR
        r = linearly_separable(X, y.astype(int))
        assert r.separable and separator_holds(X, r.y, r.w, r.b) and r.perceptron_correct


def test_four_input_parity_and_majority():
    X = boolean_inputs(4)
    parity = linearly_separable(X, X.sum(axis=1).astype(int) % 2)
    assert not parity.separable and certificate_holds(X, parity.y, parity.certificate)
    majority = linearly_separable(X, (X.sum(axis=1) >= 2).astype(int))
    assert majority.separable and separator_holds(X, majority.y, majority.w, majority.b)


def test_sheet_001_q2_labels_plus_minus_one():
    """Sheet 001 Q2's four points with ±1 labels are XNOR in disguise: no line separates them."""
    r = linearly_separable([[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, 1])
    assert not r.separable and certificate_holds(r.X, r.y, r.certificate)
    assert set(r.certificate) == {Fraction(1, 4)}


def test_random_point_sets_every_answer_verifies():
    rng = np.random.default_rng(0)
    answers = set()
    for _ in range(40):
        X = rng.integers(-3, 4, (6, 2)) / 2
        y = rng.integers(0, 2, 6)
        r = linearly_separable(X, y)
        answers.add(r.separable)
        if r.separable:
            assert separator_holds(X, y, r.w, r.b) and r.perceptron_correct
        else:
            assert certificate_holds(X, y, r.certificate)
    assert answers == {True, False}


def test_conflicting_duplicate_point():
    r = linearly_separable([[0.5, 0.5], [0.5, 0.5], [3.0, 1.0]], [1, 0, 1])
    assert not r.separable and r.certificate == (Fraction(1, 2), Fraction(1, 2), 0)


def test_tampered_answers_fail_verification(demo):
    assert not dataclasses.replace(demo.xor, certificate=(Fraction(1, 2), Fraction(1, 2), 0, 0)).verify()
    andr = dict(demo.functions)["AND"]
    assert andr.verify()
    assert not dataclasses.replace(andr, b=andr.b + 2).verify()


def test_inputs_are_not_modified():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    linearly_separable(X, [0, 1])
    X[0, 0] = 2.0                                                    # still writeable: the result holds a copy


def test_report(demo):
    text = demo.report()
    assert "14 of 16" in text and "0 ≥ 1" in text and "1/4 × [ −b" in text
    assert all(name in text for name in BOOLEAN_FUNCTIONS_2)


@pytest.mark.parametrize("X, y, message", [
    ([[0, 0], [1, 1]], [0, 2], "labels must be 0/1"),
    ([[0, 0], [1, 1]], [0, 1, 1], "one label per row"),
    ([0, 1], [0, 1], r"\(m, p\)"),
    ([[0, np.inf], [1, 1]], [0, 1], "finite"),
])
def test_rejects_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message):
        linearly_separable(X, y)
