"""`trace` against PyTorch in float64: every zˡ, aˡ, δˡ (torch: `retain_grad` on each z) and ∂C/∂W, ∂C/∂b, to
1e-10 — random MLPs (sigmoid/tanh/relu; quadratic and cross-entropy costs), a small 2-D conv net and the
sheets' 1-D conv net (seed 000, Q3)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deltanet as dn
from deltanet import nn
from deltanet.inspect import trace

RTOL, ATOL = 1e-10, 1e-14
ACTIVATIONS = {"sigmoid": (nn.Sigmoid, torch.sigmoid), "tanh": (nn.Tanh, torch.tanh), "relu": (nn.ReLU, torch.relu)}


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)


def leaf(array):
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=True)


def mlp(sizes, activation, output):
    """deltanet MLP: Linear + activation per hidden layer, `output` (None: logits) last."""
    f = ACTIVATIONS[activation][0]
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            modules.append(f())
        elif output is not None:
            modules.append(ACTIVATIONS[output][0]())
    return nn.Sequential(*modules)


def torch_mlp(model, x, y, activation, output, cost):
    """The same network in torch, layer by layer: lists of z (with .grad = δ), a, W, b after backward."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    Ws, bs = [leaf(m.weight.data) for m in linears], [leaf(m.bias.data) for m in linears]
    a = torch.tensor(x, dtype=torch.float64)[None]
    zs, activations = [], []
    for l, (W, b) in enumerate(zip(Ws, bs), 1):
        z = a @ W.T + b
        z.retain_grad()
        last = l == len(Ws)
        f = ACTIVATIONS[output][1] if last and output else None if last else ACTIVATIONS[activation][1]
        a = z if f is None else f(z)
        zs.append(z)
        activations.append(a)
    if cost == "quadratic":
        C = 0.5 * ((a - torch.tensor(y)[None]) ** 2).sum()
    else:
        C = TF.cross_entropy(a, torch.tensor([y]))
    C.backward()
    return C, zs, activations, Ws, bs


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["quadratic", "ce"])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_mlp_matches_torch(activation, cost, seed, float64):
    dn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(2, 7, size=4)]
    output = "sigmoid" if cost == "quadratic" else None       # Nielsen's quadratic cost on σ outputs; CE on logits
    model = mlp(sizes, activation, output)
    x = rng.normal(size=sizes[0])
    y = rng.uniform(size=sizes[-1]) if cost == "quadratic" else int(rng.integers(sizes[-1]))
    loss = nn.QuadraticLoss() if cost == "quadratic" else nn.CrossEntropyLoss()

    t = trace(model, x, y, loss)
    C, zs, activations, Ws, bs = torch_mlp(model, x, y, activation, output, cost)

    assert len(t.layers) == len(sizes) - 1
    assert t.cost == pytest.approx(C.item(), rel=RTOL)
    np.testing.assert_array_equal(t.input, x)
    for layer, z, a, W, b in zip(t.layers, zs, activations, Ws, bs):
        assert layer.z.shape == layer.delta.shape == (z.shape[1],)
        close(layer.z, z[0])
        close(layer.a, a[0])
        close(layer.delta, z.grad[0])
        close(layer.grad_weight, W.grad)
        close(layer.grad_bias, b.grad)
    close(t.output, activations[-1][0])


def test_small_conv_net_matches_torch(float64):
    """Conv2d → tanh → max-pool → flatten → Linear, cross-entropy: three layers (pooling is a layer of its own,
    Flatten is folded into the Linear layer that reads it)."""
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 4))
    x = np.random.default_rng(5).normal(size=(1, 2, 4, 4))
    t = trace(model, x, 2, nn.CrossEntropyLoss())

    conv, linear = model[0], model[4]
    K, c, W, b = (leaf(p.data) for p in (conv.weight, conv.bias, linear.weight, linear.bias))
    z1 = TF.conv2d(torch.tensor(x), K, c, padding=1)
    a1 = torch.tanh(z1)
    z2 = TF.max_pool2d(a1, 2)
    z3 = z2.flatten(1) @ W.T + b
    for z in (z1, z2, z3):
        z.retain_grad()
    C = TF.cross_entropy(z3, torch.tensor([2]))
    C.backward()

    assert [layer.name for layer in t.layers] == ["Conv2d → Tanh", "MaxPool2d", "Flatten → Linear"]
    assert t.cost == pytest.approx(C.item(), rel=RTOL)
    for layer, z, a in zip(t.layers, (z1, z2, z3), (a1, z2, z3)):
        close(layer.z, z[0])
        close(layer.a, a[0])
        close(layer.delta, z.grad[0])
    assert t.layers[0].z.shape == (3, 4, 4) and t.layers[1].z.shape == (3, 2, 2)
    close(t.layers[0].grad_weight, K.grad)
    close(t.layers[0].grad_bias, c.grad)
    assert t.layers[1].grad_weight is None and t.layers[1].grad_bias is None
    close(t.layers[2].grad_weight, W.grad)
    close(t.layers[2].grad_bias, b.grad)


def test_sheet_000_q3_one_dimensional_conv_net(float64):
    """h_i = σ(Σⱼ v_j x_{i+j−1}), z = σ(Σᵢ w_i h_i), R = (y − z)²: the sheet's ∂R/∂w = 2(z − y) z(1 − z) h and
    ∂R/∂v_i = 2(z − y) z(1 − z) Σⱼ w_j h_j(1 − h_j) x_{i+j−1}, and torch."""
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Conv1d(1, 1, 3, bias=False), nn.Sigmoid(), nn.Flatten(), nn.Linear(4, 1, bias=False),
                          nn.Sigmoid())
    x, y = rng.normal(size=6), 1.0
    t = trace(model, x[None, None], [y], nn.MSELoss())        # MSE of one output: (y − z)²

    v, w = model[0].weight.data.reshape(3), model[3].weight.data.reshape(4)
    h, z = t.layers[0].a.reshape(4), t.output.item()
    assert t.cost == pytest.approx((y - z) ** 2, rel=RTOL)
    np.testing.assert_allclose(t.layers[1].grad_weight.reshape(4), 2 * (z - y) * z * (1 - z) * h, rtol=RTOL)
    windows = np.stack([x[i:i + 3] for i in range(4)])        # windows[i, j] = x_{i+j}
    dR_dv = 2 * (z - y) * z * (1 - z) * (w * h * (1 - h)) @ windows
    np.testing.assert_allclose(t.layers[0].grad_weight.reshape(3), dR_dv, rtol=RTOL)
    assert t.layers[0].grad_bias is None

    V, W = leaf(model[0].weight.data), leaf(model[3].weight.data)
    z1 = TF.conv1d(torch.tensor(x)[None, None], V)
    z2 = torch.sigmoid(z1).flatten(1) @ W.T
    for zl in (z1, z2):
        zl.retain_grad()
    ((torch.sigmoid(z2) - y) ** 2).mean().backward()
    for layer, zl in zip(t.layers, (z1, z2)):
        close(layer.z, zl[0])
        close(layer.delta, zl.grad[0])
    close(t.layers[0].grad_weight, V.grad)
    close(t.layers[1].grad_weight, W.grad)
    np.testing.assert_allclose(h, 1 / (1 + np.exp(-(windows @ v))), rtol=RTOL)     # the sheet's h_i
