"""`dn.construct` transforms: the one-hot → 4-bit binary layer (checked on all ten digits, on the sheets'
assumption, and on trained classifiers: decoding the bits gives the argmax class), and the collapse of a
linear MLP into one Linear (equal to 1e-12 in float64; rank ≤ 4 for 784-4-10)."""

import numpy as np
import pytest

import deltanet as dn
from deltanet import construct, nn
from deltanet.data import DataError, datasets, encode


def outputs(model, X):
    with dn.no_grad():
        return model(dn.tensor(X, dtype=dn.float64)).numpy()


# ------------------------------------------------------------------------------------- one-hot → binary


@pytest.mark.parametrize("temperature", [1e-6, None])
def test_the_layer_maps_each_of_the_ten_digits_to_its_4_bit_code(temperature):
    layer = construct.onehot_to_binary(temperature=temperature)
    bits = outputs(layer, np.eye(10))
    expected = encode.binary(np.arange(10), bits=4, dtype=np.float64)          # 5 → 0101, MSB first
    np.testing.assert_allclose(bits, expected, atol=1e-20)
    np.testing.assert_array_equal(encode.decode_binary(bits), np.arange(10))


def test_the_weights_are_seed_004s_plus_minus_one_times_c():
    linear = construct.onehot_to_binary(c=50.0)[1]
    lsb = linear.weight.numpy()[-1] / 50.0                                      # neuron 0' (least significant)
    np.testing.assert_array_equal(np.flatnonzero(lsb == 1), [1, 3, 5, 7, 9])
    assert np.all(lsb[[0, 2, 4, 6, 8]] == -1)
    second = linear.weight.numpy()[-2] / 50.0                                   # neuron 1'
    np.testing.assert_array_equal(np.flatnonzero(second == 1), [2, 3, 6, 7])    # not 9 (= 1001), as 004 says
    np.testing.assert_array_equal(linear.bias.numpy(), 0.0)


@pytest.mark.parametrize("temperature", [1e-6, None])
def test_on_the_sheets_assumption_correct_above_099_others_below_001(temperature):
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 10, 500)
    a = rng.uniform(0.0, 0.01, (500, 10))
    a[np.arange(500), digits] = rng.uniform(0.99, 1.0, 500)
    bits = outputs(construct.onehot_to_binary(temperature=temperature), a)
    np.testing.assert_array_equal(encode.decode_binary(bits), digits)
    assert np.abs(bits - encode.binary(digits, dtype=np.float64)).max() < 1e-18   # within σ(−50·0.9)


def test_seed_003s_order_with_digit_0_last():
    layer = construct.onehot_to_binary(classes=(1, 2, 3, 4, 5, 6, 7, 8, 9, 0))
    bits = outputs(layer, np.eye(10))
    np.testing.assert_array_equal(encode.decode_binary(bits), [1, 2, 3, 4, 5, 6, 7, 8, 9, 0])


def small_classifier(seed=0):
    """A 2-32-10 ReLU net trained for 200 full-batch Adam steps on 10 overlapping blobs (~0.5 s)."""
    X, y = datasets.blobs(1000, centers=10, std=1.5, seed=seed)
    X = X.astype(np.float64)
    dn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 32, dtype=np.float64), nn.ReLU(), nn.Linear(32, 10, dtype=np.float64))
    optimizer = dn.optim.Adam(model.parameters(), lr=0.05)
    loss = nn.CrossEntropyLoss()
    x, labels = dn.tensor(X), dn.tensor(y)
    for _ in range(200):
        optimizer.zero_grad()
        loss(model(x), labels).backward()
        optimizer.step()
    return model, X, y


def test_a_trained_classifier_keeps_its_argmax_accuracy_in_binary(restore_rng):
    model, X, y = small_classifier()
    predicted = outputs(model, X).argmax(axis=1)
    accuracy = (predicted == y).mean()
    assert accuracy > 0.7                                                        # it did learn (measured 0.83)
    binary = construct.onehot_to_binary(model)
    assert isinstance(binary, nn.Sequential) and len(binary) == len(model) + 3
    decoded = encode.decode_binary(outputs(binary, X))
    np.testing.assert_array_equal(decoded, predicted)                            # every prediction kept
    assert (decoded == y).mean() == accuracy
    # the sheets' layer alone on raw logits (not near one-hot) loses the argmax
    raw = encode.decode_binary(outputs(construct.onehot_to_binary(model, temperature=None), X))
    assert (raw == predicted).mean() < 0.5


@pytest.mark.slow
def test_on_mnist_the_binary_network_scores_what_the_one_hot_one_does(restore_rng):
    try:
        X, y = datasets.mnist("train")
        X_test, y_test = datasets.mnist("test")
    except DataError as error:
        pytest.skip(f"MNIST is not available: {error}")
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 30, dtype=np.float64), nn.Sigmoid(), nn.Linear(30, 10, dtype=np.float64),
                          nn.Sigmoid())                                            # Nielsen's net, sigmoid outputs
    optimizer = dn.optim.Adam(model.parameters(), lr=0.005)
    loss = nn.MSELoss()
    targets = encode.one_hot(y, dtype=np.float64)
    X = X.astype(np.float64)
    for start in range(0, 20_000, 50):
        optimizer.zero_grad()
        loss(model(dn.tensor(X[start:start + 50])), dn.tensor(targets[start:start + 50])).backward()
        optimizer.step()
    one_hot = outputs(model, X_test).argmax(axis=1)
    accuracy = (one_hot == y_test).mean()
    assert accuracy > 0.85
    decoded = encode.decode_binary(outputs(construct.onehot_to_binary(model), X_test))
    np.testing.assert_array_equal(decoded, one_hot)
    assert (decoded == y_test).mean() == accuracy


def test_onehot_to_binary_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match="must fit in 3 bits"):
        construct.onehot_to_binary(bits=3)
    with pytest.raises(ValueError, match="the model has 10 outputs but 3 classes"):
        construct.onehot_to_binary(nn.Linear(4, 10), classes=(0, 1, 2))
    with pytest.raises(TypeError, match="must end in an nn.Linear"):
        construct.onehot_to_binary(nn.ReLU())
    with pytest.raises(ValueError, match="temperature must be > 0"):
        construct.onehot_to_binary(temperature=0.0)


# ----------------------------------------------------------------------------------- collapse_linear


def identity_mlp(sizes, seed=0, bias=True):
    dn.manual_seed(seed)
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out, bias=bias, dtype=np.float64), nn.Identity()]
    return nn.Sequential(*layers[:-1])


def test_a_784_4_10_linear_network_collapses_to_a_rank_4_linear(restore_rng):
    mlp = identity_mlp([784, 4, 10])
    collapsed = construct.collapse_linear(mlp)
    assert isinstance(collapsed.linear, nn.Linear)
    assert (collapsed.linear.in_features, collapsed.linear.out_features) == (784, 10)
    assert collapsed.rank == 4 and collapsed.bound == 4                          # 10 × 784, yet rank ≤ 4
    x = np.random.default_rng(1).standard_normal((64, 784))
    np.testing.assert_allclose(outputs(collapsed.linear, x), outputs(mlp, x), rtol=0, atol=1e-12)


def test_deeper_nested_and_bias_free_linear_networks_collapse(restore_rng):
    mlp = nn.Sequential(identity_mlp([5, 20, 7], seed=1), nn.Identity(), identity_mlp([7, 3, 6], seed=2, bias=False))
    collapsed = construct.collapse_linear(mlp)
    assert collapsed.rank == 3 and collapsed.bound == 3
    x = np.random.default_rng(2).standard_normal((100, 5))
    np.testing.assert_allclose(outputs(collapsed.linear, x), outputs(mlp, x), rtol=0, atol=1e-12)
    W = np.linalg.multi_dot([m.weight.numpy() for m in mlp.modules() if isinstance(m, nn.Linear)][::-1])
    np.testing.assert_allclose(collapsed.linear.weight.numpy(), W, rtol=1e-12)


def test_wide_linear_networks_have_full_rank(restore_rng):
    assert construct.collapse_linear(identity_mlp([784, 25, 10])).rank == 10   # 25 hidden units: no bottleneck


def test_a_nonlinear_layer_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"layer '1' \(ReLU\) is not linear"):
        construct.collapse_linear(nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2)))
    with pytest.raises(ValueError, match=r"layer '2.1' \(Sigmoid\) is not linear"):
        construct.collapse_linear(nn.Sequential(nn.Linear(3, 3), nn.Identity(),
                                                nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())))
    with pytest.raises(ValueError, match="no Linear layer"):
        construct.collapse_linear(nn.Sequential(nn.Identity()))
