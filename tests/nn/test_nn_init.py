"""`dn.nn.init`: torch's formulas (bounds, standard deviations, gains) and Nielsen's two schemes.

Sample statistics are checked on large tensors (10⁵–10⁶ entries), where the standard error of the
sample std is ~0.2 %, so a 2 % tolerance separates a right scale from any wrong formula.
"""

import math

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet import nn
from deltanet.nn import init


def empty(*shape, dtype=np.float64):
    return dn.zeros(*shape, dtype=dtype)


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("conv1d", None),
                                                 ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                                 ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.0),
                                                 ("leaky_relu", 0.2), ("leaky_relu", 1.0)])
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_of_identity_is_one():
    assert init.calculate_gain("identity") == 1.0


def test_calculate_gain_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match="softsign"):
        init.calculate_gain("softsign")


@pytest.mark.parametrize("shape, fans", [((30, 20), (20, 30)), ((8, 4, 3), (12, 24)),
                                         ((16, 3, 5, 5), (75, 400))])
def test_fans_of_linear_and_conv_weights(shape, fans):
    assert init.calculate_fans(empty(*shape)) == fans
    assert fans == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_need_at_least_two_dimensions():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.calculate_fans(empty(5))


def _check_uniform(w, bound):
    assert np.all(np.abs(w) <= bound)
    assert np.abs(w).max() > 0.995 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def _check_normal(w, std):
    assert abs(w.mean()) < 0.01 * std
    assert w.std() == pytest.approx(std, rel=0.02)
    assert np.abs(w).max() > 3 * std           # really normal, not a clipped or uniform distribution


@pytest.mark.parametrize("shape", [(300, 500), (64, 32, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3])
def test_xavier_uniform_bound_and_statistics_match_torch_formula(shape, gain, restore_rng):
    dn.manual_seed(0)
    w = empty(*shape)
    assert init.xavier_uniform_(w, gain=gain) is w
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    _check_uniform(w.data, bound)
    theirs = torch.nn.init.xavier_uniform_(torch.empty(shape, dtype=torch.float64), gain=gain).numpy()
    assert w.data.std() == pytest.approx(theirs.std(), rel=0.03)
    assert np.abs(theirs).max() <= bound


@pytest.mark.parametrize("shape", [(300, 500), (64, 32, 3, 3)])
def test_xavier_normal_std_matches_torch_formula(shape, restore_rng):
    dn.manual_seed(1)
    w = init.xavier_normal_(empty(*shape), gain=2.0)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    _check_normal(w.data, 2.0 * math.sqrt(2.0 / (fan_in + fan_out)))
    theirs = torch.nn.init.xavier_normal_(torch.empty(shape, dtype=torch.float64), gain=2.0).numpy()
    assert w.data.std() == pytest.approx(theirs.std(), rel=0.03)


KAIMING_CASES = [  # (a, mode, nonlinearity)
    (0.0, "fan_in", "leaky_relu"), (0.0, "fan_in", "relu"), (0.2, "fan_in", "leaky_relu"),
    (0.0, "fan_out", "relu"), (math.sqrt(5), "fan_in", "leaky_relu"), (0.0, "fan_in", "tanh"),
]


@pytest.mark.parametrize("a, mode, nonlinearity", KAIMING_CASES)
def test_kaiming_uniform_bound_matches_torch_formula(a, mode, nonlinearity, restore_rng):
    shape = (256, 128, 3)
    dn.manual_seed(2)
    w = init.kaiming_uniform_(empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(3.0) * torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    _check_uniform(w.data, bound)
    theirs = torch.nn.init.kaiming_uniform_(torch.empty(shape, dtype=torch.float64), a=a, mode=mode,
                                            nonlinearity=nonlinearity).numpy()
    assert np.abs(theirs).max() <= bound and np.abs(theirs).max() > 0.995 * bound


@pytest.mark.parametrize("a, mode, nonlinearity", KAIMING_CASES)
def test_kaiming_normal_std_matches_torch_formula(a, mode, nonlinearity, restore_rng):
    shape = (256, 128, 3)
    dn.manual_seed(3)
    w = init.kaiming_normal_(empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    _check_normal(w.data, std)
    theirs = torch.nn.init.kaiming_normal_(torch.empty(shape, dtype=torch.float64), a=a, mode=mode,
                                           nonlinearity=nonlinearity).numpy()
    assert w.data.std() == pytest.approx(theirs.std(), rel=0.03)


def test_kaiming_rejects_unknown_mode():
    with pytest.raises(ValueError, match="fan_avg"):
        init.kaiming_uniform_(empty(3, 3), mode="fan_avg")


def test_linear_default_init_equals_kaiming_uniform_with_a_sqrt5_bound():
    """torch's Linear: kaiming_uniform_(a=√5) ⇒ bound = √3·√(2/6)/√in = 1/√in."""
    gain = init.calculate_gain("leaky_relu", math.sqrt(5))
    assert math.sqrt(3) * gain / math.sqrt(49) == pytest.approx(1 / 7, rel=1e-15)


def test_uniform_normal_constant_fill_in_place_in_the_tensor_dtype(restore_rng):
    dn.manual_seed(4)
    w = empty(400, 500, dtype=np.float32)
    data = w.data
    assert init.uniform_(w, -2.0, 3.0) is w and w.data is data and w.dtype == np.float32
    assert w.data.min() >= -2.0 and w.data.max() < 3.0
    assert w.data.mean() == pytest.approx(0.5, abs=0.01)
    init.normal_(w, mean=1.5, std=0.25)
    assert w.data.mean() == pytest.approx(1.5, abs=0.002) and w.data.std() == pytest.approx(0.25, rel=0.01)
    init.constant_(w, 0.7)
    np.testing.assert_array_equal(w.data, np.float32(0.7))
    init.zeros_(w)
    assert not w.data.any()
    init.ones_(w)
    assert np.all(w.data == 1)


def test_initialisations_are_reproducible_under_manual_seed(restore_rng):
    results = []
    for _ in range(2):
        dn.manual_seed(99)
        results.append([init.xavier_uniform_(empty(5, 4)).data, init.kaiming_normal_(empty(5, 4)).data,
                        init.nielsen_(empty(5, 4)).data])
    for first, second in zip(*results, strict=True):
        np.testing.assert_array_equal(first, second)


# ---- Nielsen's schemes -------------------------------------------------------------------------------------

def test_nielsen_weights_are_standard_normal(restore_rng):
    dn.manual_seed(5)
    w = init.nielsen_(empty(500, 400))
    _check_normal(w.data, 1.0)


@pytest.mark.parametrize("n_in", [30, 400, 784])
def test_nielsen_improved_weights_have_std_one_over_sqrt_n_in(n_in, restore_rng):
    dn.manual_seed(6)
    w = init.nielsen_(empty(300, n_in), improved=True)
    _check_normal(w.data, 1 / math.sqrt(n_in))


def test_nielsen_improved_leaves_biases_standard_normal(restore_rng):
    dn.manual_seed(7)
    b = init.nielsen_(empty(100_000), improved=True)
    _check_normal(b.data, 1.0)


@pytest.mark.parametrize("improved", [False, True])
def test_apply_nielsen_sets_every_parameter(improved, restore_rng):
    dn.manual_seed(8)
    model = nn.Sequential(nn.Linear(400, 300), nn.Sigmoid(), nn.Linear(300, 200), nn.Sigmoid(),
                          nn.Linear(200, 10))
    before = [p.data.copy() for p in model.parameters()]
    assert init.apply_nielsen(model, improved=improved) is model
    for (name, p), old in zip(model.named_parameters(), before, strict=True):
        assert not np.any(p.data == old), name                      # every entry was redrawn
        if name.endswith("weight"):
            _check_normal(p.data, 1 / math.sqrt(p.shape[1]) if improved else 1.0)
        elif p.data.size >= 100:
            assert p.data.std() == pytest.approx(1.0, rel=0.2), name     # biases: N(0, 1) in both schemes
        else:
            assert np.abs(p.data).max() > 0.3, name                       # far beyond Linear's 1/√200 bound
    assert model[0].weight.data.std() == pytest.approx(1 / 20 if improved else 1.0, rel=0.02)
    assert model[2].bias.data.std() == pytest.approx(1.0, rel=0.15)
