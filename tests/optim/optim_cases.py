"""Shared fixtures for the optimizer tests: a tiny MLP, C = mean((tanh(X W1 + b1) W2 − Y)²), trained by
deltanet and by torch from the same start on the same data."""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet import optim

SHAPES = {"W1": (3, 5), "b1": (5,), "W2": (5, 2)}


def make_problem(dtype=np.float64, seed=0):
    """(start values of the parameters, X, Y) as NumPy arrays."""
    rng = np.random.default_rng(seed)
    start = {name: rng.normal(0.0, 0.7, shape).astype(dtype) for name, shape in SHAPES.items()}
    X = rng.normal(size=(16, 3)).astype(dtype)
    Y = rng.normal(size=(16, 2)).astype(dtype)
    return start, X, Y


def dn_params(start):
    return {name: dn.tensor(value.copy(), requires_grad=True) for name, value in start.items()}


def dn_loss(params, X, Y):
    W1, b1, W2 = params["W1"], params["b1"], params["W2"]
    a = dn.tanh(dn.tensor(X) @ W1 + b1) @ W2
    return ((a - dn.tensor(Y)) ** 2).mean()


def torch_loss(params, X, Y):
    import torch

    W1, b1, W2 = params["W1"], params["b1"], params["W2"]
    a = torch.tanh(torch.from_numpy(X) @ W1 + b1) @ W2
    return ((a - torch.from_numpy(Y)) ** 2).mean()


def groups_of(params, group_options):
    """A parameter list (group_options None) or groups: [(names, {options}), ...]."""
    if group_options is None:
        return [params[name] for name in SHAPES]
    return [{"params": [params[n] for n in names], **opts} for names, opts in group_options]


def train_deltanet(opt_name, kwargs, start, X, Y, steps, group_options=None):
    params = dn_params(start)
    opt = getattr(optim, opt_name)(groups_of(params, group_options), **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        dn_loss(params, X, Y).backward()
        opt.step()
    return {name: p.data for name, p in params.items()}, opt


def train_torch(opt_name, kwargs, start, X, Y, steps, group_options=None):
    import torch

    params = {name: torch.tensor(value.copy(), requires_grad=True) for name, value in start.items()}
    opt = getattr(torch.optim, opt_name)(groups_of(params, group_options), **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        torch_loss(params, X, Y).backward()
        opt.step()
    return {name: p.detach().numpy() for name, p in params.items()}
