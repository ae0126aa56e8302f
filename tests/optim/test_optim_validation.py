"""Bad arguments end in one clear error, as in torch."""

from __future__ import annotations

import numpy as np
import pytest

import deltanet as dn
from deltanet import optim


def param(n=3):
    return dn.tensor(np.ones(n), requires_grad=True)


@pytest.mark.parametrize("make,error,match", [
    (lambda p: optim.SGD([p], lr=-0.1), ValueError, "Invalid lr"),
    (lambda p: optim.Adam([p], lr=-1e-3), ValueError, "Invalid lr"),
    (lambda p: optim.SGD([p], lr=float("nan")), ValueError, "Invalid lr"),
    (lambda p: optim.SGD([p], lr="0.1"), TypeError, "lr must be a real number"),
    (lambda p: optim.SGD([p]), ValueError, "required optimization parameter lr"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=-0.5), ValueError, "Invalid momentum"),
    (lambda p: optim.SGD([p], lr=0.1, weight_decay=-1), ValueError, "Invalid weight_decay"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "Nesterov momentum requires"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.999)), ValueError, "beta parameter at index 0"),
    (lambda p: optim.Adam([p], betas=(0.9, -0.1)), ValueError, "beta parameter at index 1"),
    (lambda p: optim.AdamW([p], betas=(0.9, 1.5)), ValueError, "beta parameter at index 1"),
    (lambda p: optim.Adam([p], betas=0.9), ValueError, "betas must be a pair"),
    (lambda p: optim.Adam([p], eps=-1e-8), ValueError, "Invalid eps"),
    (lambda p: optim.AdamW([p], weight_decay=-0.01), ValueError, "Invalid weight_decay"),
    (lambda p: optim.SGD([{"params": [p], "lr": -1.0}], lr=0.1), ValueError, "Invalid lr"),
])
def test_bad_hyperparameters(make, error, match):
    with pytest.raises(error, match=match):
        make(param())


def test_bad_parameters():
    p = param()
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.SGD([np.ones(3)], lr=0.1)
    with pytest.raises(TypeError, match="floating-point"):
        optim.SGD([dn.tensor(np.arange(3))], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam(iter([]))
    with pytest.raises(ValueError, match="twice in the same parameter group"):
        optim.SGD([p, param(), p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [param(), p]}], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": p})
    with pytest.raises(ValueError, match="'params' entry"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(TypeError, match="dict"):
        opt.add_param_group([param()])
    with pytest.raises(TypeError, match="not a set"):
        opt.add_param_group({"params": {param()}})
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({param()}, lr=0.1)
    assert len(opt.param_groups) == 1            # failed additions left the optimizer unchanged


def test_valid_edge_values_are_accepted():
    optim.SGD([param()], lr=0.0)
    optim.Adam([param()], betas=(0.0, 0.0), eps=0.0)
    optim.SGD([param()], lr=1, momentum=1, nesterov=True)
    optim.Adam([param()], betas=[0.9, 0.99])     # a list is fine, stored as a tuple
    opt = optim.Adam([param()], betas=[0.9, 0.99])
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)
