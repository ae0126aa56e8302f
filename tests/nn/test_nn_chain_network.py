"""The sheets' chain network (seed 000, Q2): x = 3 → three sigmoid neurons in a chain → o = w4·h3 + b4.

    z1 = w1 x + b1,  h1 = σ(z1);   z2 = w2 h1 + b2,  h2 = σ(z2);   z3 = w3 h2 + b3,  h3 = σ(z3)
    o  = w4 h3 + b4
    ∂o/∂b1 = w4 · w3 σ'(z3) · w2 σ'(z2) · σ'(z1)

Built from library layers, weights set through `load_state_dict`; ∂o/∂b1 is checked by reverse mode
(`backward`), by forward mode (`dn.autograd.jvp`), against the closed form and against PyTorch.
"""

import numpy as np
import pytest
import torch

import deltanet as dn
from deltanet import nn

X = 3.0


def chain_model(w, b):
    model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 1),
                          nn.Sigmoid(), nn.Linear(1, 1))
    state = {}
    for i, (wi, bi) in enumerate(zip(w, b, strict=True)):
        state[f"{2 * i}.weight"] = np.array([[wi]])
        state[f"{2 * i}.bias"] = np.array([bi])
    model.load_state_dict(state)
    return model


def closed_form(w, b, x=X):
    """(o, ∂o/∂b1, [z1, z2, z3], [h1, h2, h3]) by hand in NumPy."""
    sigma = lambda z: 1 / (1 + np.exp(-z))       # noqa: E731
    z1 = w[0] * x + b[0]
    h1 = sigma(z1)
    z2 = w[1] * h1 + b[1]
    h2 = sigma(z2)
    z3 = w[2] * h2 + b[2]
    h3 = sigma(z3)
    o = w[3] * h3 + b[3]
    d_sigma = lambda h: h * (1 - h)              # noqa: E731  σ'(z) = σ(z)(1 − σ(z))
    do_db1 = w[3] * w[2] * d_sigma(h3) * w[1] * d_sigma(h2) * d_sigma(h1)
    return o, do_db1, (z1, z2, z3), (h1, h2, h3)


def backward_and_forward_mode(model):
    x = dn.tensor([[X]])
    o = model(x)
    o.backward()
    bias = model[0].bias
    o_fwd, tangent = dn.autograd.jvp(lambda b: model(x), (bias,), (dn.ones(1, dtype=np.float64),))
    return o, bias.grad, o_fwd, tangent


SET_1 = ((100.0, 150.0, 200.0, 200.0), (-300.0, -75.0, -100.0, 10.0))
SET_2 = ((0.2, 0.5, 0.3, 0.6), (1.0, 2.0, 2.0, 1.0))


def test_parameter_set_1_gives_o_110_and_do_db1_93750(float64):
    """Every z is exactly 0, so every σ' = 1/4: ∂o/∂b1 = 200·200·¼·150·¼·¼ = 93750 and o = 200·½ + 10."""
    model = chain_model(*SET_1)
    assert model[0].weight.dtype == np.float64
    o, grad_b1, o_fwd, tangent = backward_and_forward_mode(model)
    assert o.shape == (1, 1) and o.dtype == np.float64
    assert o.item() == pytest.approx(110.0, rel=1e-12)
    assert grad_b1.shape == (1,)
    assert grad_b1.item() == pytest.approx(93750.0, rel=1e-9)
    assert o_fwd.item() == pytest.approx(110.0, rel=1e-12)
    assert tangent.item() == pytest.approx(93750.0, rel=1e-9)


def test_parameter_set_2_matches_the_closed_form(float64):
    # Erratum: the sheet prints ∂o/∂b1 ≈ 0.000100 and h3 ≈ 0.88 for these parameters, but they give
    # h3 = σ(0.3·σ(0.5·σ(1.6) + 2) + 2) ≈ 0.9068 and ∂o/∂b1 ≈ 7.99e−5; we assert the closed form.
    o_ref, grad_ref, _, (h1, h2, h3) = closed_form(*SET_2)
    assert h3 == pytest.approx(0.9068, abs=1e-4) and abs(h3 - 0.88) > 0.02
    assert grad_ref == pytest.approx(8.0e-5, rel=0.01) and abs(grad_ref - 1.0e-4) > 1.5e-5

    model = chain_model(*SET_2)
    o, grad_b1, o_fwd, tangent = backward_and_forward_mode(model)
    assert o.item() == pytest.approx(o_ref, rel=1e-12)
    assert grad_b1.item() == pytest.approx(grad_ref, rel=1e-10)
    assert o_fwd.item() == pytest.approx(o_ref, rel=1e-12)
    assert tangent.item() == pytest.approx(grad_ref, rel=1e-10)


@pytest.mark.parametrize("w, b", [SET_1, SET_2], ids=["set1", "set2"])
def test_every_chain_gradient_matches_torch(w, b, float64):
    """All eight parameter gradients of the chain, against the same network in PyTorch."""
    model = chain_model(w, b)
    theirs = torch.nn.Sequential(*[m for i in range(4) for m in (torch.nn.Linear(1, 1, dtype=torch.float64),
                                                                    torch.nn.Sigmoid())][:-1])
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in model.state_dict().items()})
    model(dn.tensor([[X]])).backward()
    theirs(torch.tensor([[X]], dtype=torch.float64)).sum().backward()
    for (name, p), (t_name, tp) in zip(model.named_parameters(), theirs.named_parameters(), strict=True):
        assert name == t_name
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-10, atol=0)


def test_forward_mode_with_respect_to_a_weight_matches_reverse_mode(float64):
    """jvp in the direction of w2 equals ∂o/∂w2 from backward (= w4 σ'(z3) w3 σ'(z2) h1)."""
    model = chain_model(*SET_2)
    x = dn.tensor([[X]])
    model(x).backward()
    weight = model[2].weight
    _, tangent = dn.autograd.jvp(lambda w: model(x), (weight,), (dn.ones(1, 1),))
    _, _, _, (h1, h2, h3) = closed_form(*SET_2)
    expected = SET_2[0][3] * h3 * (1 - h3) * SET_2[0][2] * h2 * (1 - h2) * h1
    assert weight.grad.item() == pytest.approx(expected, rel=1e-10)
    assert tangent.item() == pytest.approx(expected, rel=1e-10)
    assert weight._tangent is None                 # the tangent is detached from the parameter afterwards
