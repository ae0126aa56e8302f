"""The sheets' backpropagation equations, checked on what the engine computes (the trace is autodiff, not
a second hand-written backprop):

    BP1  δᴸ = (aᴸ − y) ⊙ σ′(zᴸ)            quadratic cost on sigmoid outputs
         δᴸ = softmax(zᴸ) − y              softmax + cross-entropy
    BP2  δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ)
    BP3  ∂C/∂bˡ = δˡ        BP4  ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ

and the chain network of sheet 000, Q2 (∂o/∂b¹ = 93750 for part 1, as tests/nn/test_nn_chain_network.py).
"""

import numpy as np
import pytest

import deltanet as dn
from deltanet import nn
from deltanet.inspect import networks, trace

RTOL = 1e-12
DERIVATIVES = {  # f′(z), by hand
    nn.Sigmoid: lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
    nn.Tanh: lambda z: 1 / np.cosh(z) ** 2,
    nn.ReLU: lambda z: (z > 0).astype(float),
}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def network(activation, output, sizes=(4, 6, 5, 3)):
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(nn.Linear(n_in, n_out))
        modules.append(activation() if i < len(sizes) - 2 else output())
    return nn.Sequential(*[m for m in modules if m is not None])


def example(seed=0, n_in=4):
    return np.random.default_rng(seed).normal(size=n_in)


def test_bp1_quadratic_cost(float64):
    model = network(nn.Tanh, nn.Sigmoid)
    y = np.array([0.0, 1.0, 0.5])
    t = trace(model, example(), y, nn.QuadraticLoss())
    last = t.layers[-1]
    np.testing.assert_allclose(last.a, sigmoid(last.z), rtol=RTOL)
    np.testing.assert_allclose(last.delta, (last.a - y) * sigmoid(last.z) * (1 - sigmoid(last.z)), rtol=RTOL)
    assert t.cost == pytest.approx(0.5 * np.sum((last.a - y) ** 2), rel=RTOL)


@pytest.mark.parametrize("target", ["index", "one-hot"])
def test_bp1_softmax_cross_entropy_on_logits(target, float64):
    """CrossEntropyLoss takes the logits zᴸ (aᴸ = zᴸ in the trace; the softmax is inside the cost)."""
    model = network(nn.ReLU, lambda: None)
    y = 1 if target == "index" else np.array([0.0, 1.0, 0.0])
    t = trace(model, example(1), y, nn.CrossEntropyLoss())
    last = t.layers[-1]
    assert last.activation is None
    np.testing.assert_array_equal(last.a, last.z)
    np.testing.assert_allclose(last.delta, softmax(last.z) - np.eye(3)[1], rtol=RTOL, atol=1e-15)
    assert t.cost == pytest.approx(-np.log(softmax(last.z)[1]), rel=RTOL)


def test_bp1_log_softmax_and_nll(float64):
    """With the softmax as the layer's f (LogSoftmax + NLLLoss): δᴸ = e^{aᴸ} − y = softmax(zᴸ) − y."""
    model = network(nn.Sigmoid, lambda: nn.LogSoftmax(dim=-1))
    t = trace(model, example(2), 2, nn.NLLLoss())
    last = t.layers[-1]
    assert last.activation == "LogSoftmax"
    np.testing.assert_allclose(np.exp(last.a), softmax(last.z), rtol=RTOL)
    np.testing.assert_allclose(last.delta, np.exp(last.a) - np.eye(3)[2], rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("activation", list(DERIVATIVES), ids=lambda f: f.__name__)
def test_bp2_bp3_bp4(activation, float64):
    model = network(activation, nn.Sigmoid)
    t = trace(model, example(3), np.array([1.0, 0.0, 0.0]), nn.QuadraticLoss())
    weights = [m.weight.data for m in model if isinstance(m, nn.Linear)]
    inputs = [t.input] + [layer.a for layer in t.layers[:-1]]
    for l, layer in enumerate(t.layers[:-1]):
        expected = (weights[l + 1].T @ t.layers[l + 1].delta) * DERIVATIVES[activation](layer.z)
        np.testing.assert_allclose(layer.delta, expected, rtol=RTOL, atol=1e-15)
    for layer, a_prev in zip(t.layers, inputs):
        np.testing.assert_allclose(layer.grad_bias, layer.delta, rtol=RTOL, atol=1e-15)
        np.testing.assert_allclose(layer.grad_weight, np.outer(layer.delta, a_prev), rtol=RTOL, atol=1e-15)


def test_chain_network_part_1_gives_do_db1_93750():
    model = networks.chain(*networks.PARTS[1])
    t = trace(model, [networks.X])
    assert t.cost == pytest.approx(110.0, rel=1e-12) and t.loss == "output"
    assert t.layers[0].grad_bias.item() == pytest.approx(93750.0, rel=1e-9)   # tests/nn/test_nn_chain_network.py
    assert [layer.z.item() for layer in t.layers[:3]] == [0.0, 0.0, 0.0]
    assert [layer.delta.item() for layer in t.layers] == pytest.approx([93750.0, 2500.0, 50.0, 1.0], rel=1e-12)
    rule = networks.chain_rule(model, t)
    assert rule.symbols == ["σ′(z¹)", "w²", "σ′(z²)", "w³", "σ′(z³)", "w⁴"]
    assert rule.factors == pytest.approx([0.25, 150.0, 0.25, 200.0, 0.25, 200.0], rel=1e-15)
    assert rule.product == pytest.approx(93750.0, rel=1e-12) and rule.engine == pytest.approx(93750.0, rel=1e-9)


def test_chain_network_part_2_matches_the_closed_form():
    (w1, w2, w3, w4), (b1, b2, b3, b4) = networks.PARTS[2]
    h1 = sigmoid(w1 * networks.X + b1)
    h2 = sigmoid(w2 * h1 + b2)
    h3 = sigmoid(w3 * h2 + b3)
    do_db1 = w4 * w3 * h3 * (1 - h3) * w2 * h2 * (1 - h2) * h1 * (1 - h1)
    model = networks.chain(*networks.PARTS[2])
    t = trace(model, [networks.X])
    assert [layer.a.item() for layer in t.layers[:3]] == pytest.approx([h1, h2, h3], rel=1e-14)
    assert t.cost == pytest.approx(w4 * h3 + b4, rel=1e-14)
    assert t.layers[0].grad_bias.item() == pytest.approx(do_db1, rel=1e-12)
    assert do_db1 == pytest.approx(7.997e-5, rel=1e-3)          # not the sheet's ≈ 0.000100 (erratum)
    rule = networks.chain_rule(model, t)
    assert rule.product == pytest.approx(rule.engine, rel=1e-12)
    assert rule.factors[0] == pytest.approx(h1 * (1 - h1), rel=1e-14)


def test_chain_builds_the_same_network_as_the_nn_test():
    model = networks.chain(*networks.PARTS[1])
    state = {name: p.data for name, p in model.state_dict().items()}
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "6.weight", "6.bias"]
    assert [state[f"{2 * i}.weight"].item() for i in range(4)] == [100.0, 150.0, 200.0, 200.0]
    assert [state[f"{2 * i}.bias"].item() for i in range(4)] == [-300.0, -75.0, -100.0, 10.0]
    assert [type(m).__name__ for m in model][1::2] == ["Sigmoid"] * 3
    with pytest.raises(ValueError, match="as many weights as biases"):
        networks.chain([1.0, 2.0], [0.0])


def test_chain_rule_refuses_a_network_that_is_not_a_chain_of_scalar_neurons(float64):
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    with pytest.raises(ValueError, match="scalar neurons"):
        networks.chain_rule(model, trace(model, [1.0, 2.0]))


def test_trace_leaves_grad_alone_and_skips_frozen_parameters(float64):
    model = network(nn.Tanh, nn.Sigmoid)
    model[0].weight.requires_grad_(False)
    t = trace(model, example(), np.zeros(3), nn.QuadraticLoss())
    assert all(p.grad is None for p in model.parameters())
    assert t.layers[0].grad_weight is None and t.layers[0].grad_bias is not None
    np.testing.assert_allclose(t.layers[0].grad_bias, t.layers[0].delta, rtol=RTOL)


def test_trace_of_a_float32_model_stays_float32():
    model = nn.Sequential(nn.Linear(3, 2, dtype=np.float32), nn.Sigmoid())
    t = trace(model, [1, 2, 3], np.ones(2), nn.QuadraticLoss())     # integer x is cast to the weights' dtype
    assert t.input.dtype == t.layers[0].z.dtype == t.layers[0].delta.dtype == np.float32
    assert isinstance(t.cost, float)


def test_recurrent_layer_counts_by_its_output_sequence(float64):
    """LSTM → LastStep → Linear: z¹ = (h₁ … h_T); the LSTM's own parameters are in extra_grads, equal to the
    gradients of an ordinary backward pass."""
    model = nn.Sequential(nn.LSTM(3, 4, batch_first=True), nn.LastStep(), nn.Linear(4, 2))
    x = np.random.default_rng(4).normal(size=(1, 5, 3))
    t = trace(model, x, 1, nn.CrossEntropyLoss())
    assert [layer.name for layer in t.layers] == ["LSTM", "LastStep", "Linear"]
    assert t.layers[0].z.shape == (5, 4) and t.layers[1].z.shape == (4,)
    np.testing.assert_array_equal(t.layers[1].delta, t.layers[0].delta[-1])   # only h_T reaches the cost
    assert not t.layers[0].delta[:-1].any()
    nn.CrossEntropyLoss()(model(dn.tensor(x)), np.array([1])).backward()
    lstm = model[0]
    assert set(t.layers[0].extra_grads) == {name for name, _ in lstm.named_parameters()} - {"weight", "bias"}
    for name, p in lstm.named_parameters():
        np.testing.assert_allclose(t.layers[0].extra_grads[name], p.grad.data, rtol=RTOL, atol=1e-15)
