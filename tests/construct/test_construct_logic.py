"""`dn.construct` logic: XOR nets and boolean functions as one hidden layer, exact on every input.

Boolean networks are checked exhaustively for every function of p ≤ 3 inputs (all 256 for p = 3, both
activations, minimised and canonical) and for random functions up to p = 12 (all 4096 inputs in one forward
pass); the Quine–McCluskey DNF is compared with a brute-force minimum cover for p ≤ 3."""

import itertools

import numpy as np
import pytest

import deltanet as dn
from deltanet import construct, nn
from deltanet.construct import logic
from deltanet.data import datasets

XOR = np.array([0, 1, 1, 0], dtype=float)


def outputs(model, X):
    with dn.no_grad():
        return model(dn.tensor(X, dtype=dn.float64)).numpy().ravel()


# ------------------------------------------------------------------------------------------------- XOR


@pytest.mark.parametrize("kind", ["step", "relu"])
def test_threshold_and_relu_xor_are_exact(kind):
    model = construct.xor(kind)
    assert isinstance(model, nn.Module) and model[0].weight.dtype == np.float64
    assert [m.out_features for m in model if isinstance(m, nn.Linear)] == [2, 1]       # 2-2-1
    np.testing.assert_array_equal(outputs(model, logic.inputs(2)), XOR)
    assert construct.verify_xor(model) == []


def test_sigmoid_xor_is_the_step_net_times_c_and_within_1e_12():
    model = construct.xor("sigmoid")
    a = outputs(model, logic.inputs(2))
    assert np.abs(a - XOR).max() < 1e-20
    assert len(construct.verify_xor(model)) == 2          # not exact: σ never reaches 0 (at 00 and 11)
    assert construct.verify_xor(model, atol=1e-12) == []
    step = construct.xor("step")
    np.testing.assert_array_equal(model[0].weight.numpy(), 100 * step[0].weight.numpy())
    np.testing.assert_array_equal(model[2].bias.numpy(), 100 * step[2].bias.numpy())


def test_relu_xor_relies_on_f_of_zero_being_zero():
    model = construct.xor("relu")
    z = outputs(nn.Sequential(*list(model)[:3]), logic.inputs(2))
    np.testing.assert_array_equal(z, [0, 1, 1, 0])          # the output unit sees exactly 0 at 00 and 11
    model[3].at_zero = 1.0                                  # g(0) = 1 instead of f(0) = 0
    failing = construct.verify_xor(model)
    assert [f.x for f in failing] == [(0.0, 0.0), (1.0, 1.0)]
    assert [f.output for f in failing] == [1.0, 1.0]


def test_sheet_000_printed_xor_weights_fail_and_the_corrected_bias_works():
    def sheet_net(b1):
        hidden = nn.Linear(2, 2, dtype=np.float64)
        hidden.weight.data[...] = [[1, 1], [1, 1]]
        hidden.bias.data[...] = b1
        out = nn.Linear(2, 1, dtype=np.float64)
        out.weight.data[...] = [[1, -2]]
        out.bias.data[...] = [0]
        return nn.Sequential(hidden, nn.ReLU(), out, nn.Step(at_zero=0.0))

    printed = sheet_net([0.0, 1.0])
    assert len(construct.verify_xor(printed)) == 2                  # fails at 01 and 10 (outputs 0, not 1)
    np.testing.assert_array_equal(outputs(nn.Sequential(*list(printed)[:3]), logic.inputs(2)), [-2, -3, -3, -4])
    assert construct.verify_xor(sheet_net([0.0, -1.0])) == []


def test_verify_reports_where_a_network_fails():
    model = construct.xor("step")
    model[2].weight.data[...] = [[1.0, 0.0]]                        # y = a1 = x1 OR x2: wrong at 11 only
    assert construct.verify_xor(model) == [construct.Failure((1.0, 1.0), 0.0, 1.0)]


def test_xor_kind_is_checked():
    with pytest.raises(ValueError, match="kind must be one of 'step', 'relu', 'sigmoid', got 'tanh'"):
        construct.xor("tanh")


# ------------------------------------------------------------------------------------ boolean networks


def all_tables(p):
    return [[(f >> i) & 1 for i in range(2**p)] for f in range(2 ** 2**p)]


@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("activation", ["relu", "step"])
@pytest.mark.parametrize("minimise", [True, False])
def test_every_function_of_up_to_3_inputs_is_exact(p, activation, minimise):
    X = logic.inputs(p)
    tables = all_tables(p)
    assert len(tables) == 2 ** 2**p                               # 256 functions for p = 3
    for table in tables:
        model = construct.boolean(table, activation=activation, minimise=minimise)
        a = outputs(model, X)
        np.testing.assert_array_equal(a, table, err_msg=f"h = {table}")
        hidden = outputs(nn.Sequential(*list(model)[:2]), X)
        assert set(np.unique(hidden)) <= {0.0, 1.0}               # term units output exactly 0 or 1


@pytest.mark.parametrize("p", [4, 6, 8, 10, 12])
@pytest.mark.parametrize("activation", ["relu", "step"])
def test_random_functions_up_to_12_inputs_are_exact_on_all_inputs(p, activation):
    table = np.random.default_rng(p).integers(0, 2, 2**p)
    model = construct.boolean(table, activation=activation)
    a = outputs(model, logic.inputs(p))                           # all 2^p inputs in one forward pass
    np.testing.assert_array_equal(a, table)
    assert construct.verify_boolean(model, table) == []
    assert model[0].out_features < table.sum()                    # minimised: fewer units than true rows


def brute_force_minimum(table):
    """The fewest prime implicants covering the true rows, by trying every subset."""
    values = np.array(table, dtype=bool)
    primes = logic._prime_implicants(values)
    cover = [set(logic._members(mask, value).tolist()) for mask, value in primes]
    true = set(np.flatnonzero(values).tolist())
    for size in range(len(primes) + 1):
        for subset in itertools.combinations(cover, size):
            if set().union(*subset) == true:
                return size


@pytest.mark.parametrize("p", [2, 3])
def test_minimal_dnf_is_a_minimum_cover_and_equals_h(p):
    X = logic.inputs(p).astype(int)
    for table in all_tables(p):
        dnf = construct.minimal_dnf(table)
        assert len(dnf) == brute_force_minimum(table), table
        W, b = dnf.weights(beta=1.0)
        holds = (X @ W.T + b == 1).any(axis=1)                    # some term holds
        np.testing.assert_array_equal(holds, np.array(table, dtype=bool))


@pytest.mark.parametrize("p", range(2, 13))
def test_parity_needs_exactly_2_to_the_p_minus_1_units(p):
    parity = [bin(i).count("1") % 2 for i in range(2**p)]
    model = construct.boolean(parity)
    assert model[0].out_features == 2 ** (p - 1)
    assert len(construct.minimal_dnf(parity)) == 2 ** (p - 1)
    assert all("-" not in term for term in construct.minimal_dnf(parity).terms)     # every term is a minterm
    if p <= 10:
        assert construct.verify_boolean(model, parity) == []


def test_simpler_functions_need_fewer_units():
    p = 5
    assert construct.boolean(lambda *x: all(x), p=p)[0].out_features == 1          # AND: one term
    assert construct.boolean(lambda *x: any(x), p=p)[0].out_features == p          # OR: p one-literal terms
    assert construct.boolean(lambda *x: x[0], p=p)[0].out_features == 1            # x1 alone
    assert construct.boolean(lambda *x: any(x), p=p, minimise=False)[0].out_features == 2**p - 1
    assert str(construct.minimal_dnf(lambda a, b, c: a and not c, p=3)) == "x1 ∧ ¬x3"
    assert str(construct.minimal_dnf(lambda a, b, c: a or b, p=3)) == "x1 ∨ x2"


def test_term_units_follow_the_stated_weights():
    dnf = logic.DNF(4, ("10-1",))                                 # x1 ∧ ¬x2 ∧ x4
    W, b = dnf.weights(beta=1.0)
    np.testing.assert_array_equal(W, [[1, -1, 0, 1]])
    np.testing.assert_array_equal(b, [-1.0])                      # 1 − |pos| = 1 − 2 (not sheet 000's 1 − p)
    _, b_step = dnf.weights(beta=0.5)
    np.testing.assert_array_equal(b_step, [-1.5])
    X = logic.inputs(4)
    z = X @ W.T + b
    holds = (X[:, 0] == 1) & (X[:, 1] == 0) & (X[:, 3] == 1)
    np.testing.assert_array_equal(z[holds], 1.0)                  # the term holds: z = 1
    assert z[~holds].max() == 0.0                                 # otherwise z ≤ 0: ReLU gives exactly 0
    sheet_bias = 1 - 4                                            # sheet 000: b = 1 − p
    assert (X @ W.T + sheet_bias)[holds].max() == -1.0            # never fires: wrong


@pytest.mark.parametrize("at_zero", [0.0, 1.0])
def test_step_units_never_see_zero_so_at_zero_does_not_matter(at_zero):
    table = np.random.default_rng(0).integers(0, 2, 2**5)
    model = construct.boolean(table, activation="step")
    X = logic.inputs(5)
    z = outputs(model[0], X)
    assert np.all(np.abs(z) >= 0.5)
    model[1].at_zero = model[3].at_zero = at_zero
    np.testing.assert_array_equal(outputs(model, X), table)


@pytest.mark.parametrize("activation", ["relu", "step"])
def test_constant_functions(activation):
    for p in (1, 3, 12):
        zero, one = np.zeros(2**p), np.ones(2**p)
        model0 = construct.boolean(zero, activation=activation)
        model1 = construct.boolean(one, activation=activation)
        assert model0[0].out_features == 1 and model1[0].out_features == 1
        np.testing.assert_array_equal(outputs(model0, logic.inputs(p)), zero)
        np.testing.assert_array_equal(outputs(model1, logic.inputs(p)), one)
    assert str(construct.minimal_dnf("0000")) == "0" and len(construct.minimal_dnf("0000")) == 0
    assert str(construct.minimal_dnf("1111")) == "1" and construct.minimal_dnf("1111").terms == ("--",)
    assert len(construct.canonical_dnf("1111")) == 4


def test_truth_tables_in_every_accepted_form_agree():
    fn = lambda a, b, c: (a and b) or not c                      # noqa: E731
    X, y = datasets.truth_table(fn, 3)                          # the data module's row order
    expected = np.array([1, 0, 1, 0, 1, 0, 1, 1], dtype=bool)
    np.testing.assert_array_equal(y.ravel(), expected)
    forms = [fn, "10101011", list(expected.astype(int)), y, dn.tensor(y), expected]
    for form in forms:
        np.testing.assert_array_equal(logic.truth_values(form, p=3), expected)
    model = construct.boolean(fn, p=3)
    np.testing.assert_array_equal(outputs(model, X), y.ravel())
    assert str(construct.minimal_dnf("10101011")) == "(x1 ∧ x2) ∨ ¬x3"


@pytest.mark.parametrize("table, p, message", [
    ("0120", None, "only the digits 0 and 1"),
    ("011", None, "length must be 2\\^p"),
    ([0, 1, 0.5, 1], None, "0/1 values"),
    (np.zeros((4, 2)), None, "shape \\(4, 2\\)"),
    ("0110", 3, "p = 3 needs 2\\^p = 8 values, got 4"),
    (lambda a, b: a, None, "needs the number of inputs p"),
    (lambda a, b: 2, 2, "must be 0 or 1, got 2"),
    (np.zeros(2**13), None, "p = 1..12"),
    ("0110", 13, "p must be an integer from 1 to 12"),
])
def test_bad_truth_tables_are_refused_clearly(table, p, message):
    with pytest.raises(ValueError, match=message):
        construct.boolean(table, p=p)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'step', got 'sigmoid'"):
        construct.boolean("0110", activation="sigmoid")
    with pytest.raises(TypeError, match="minimise must be True or False"):
        construct.boolean("0110", minimise="yes")
    with pytest.raises(ValueError, match="atol must be ≥ 0"):
        construct.verify_boolean(construct.boolean("0110"), "0110", atol=-1)
