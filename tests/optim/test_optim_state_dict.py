"""Checkpoints: 25 steps + save (.npz + JSON) + load into a fresh optimizer + 25 steps == 50 steps."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from optim_cases import SHAPES, dn_loss, dn_params, make_problem

from deltanet import optim

CONFIGS = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
    ("SGD", dict(lr=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.8, 0.99))),
]


def run(opt, params, X, Y, steps, sched=None):
    for _ in range(steps):
        opt.zero_grad()
        dn_loss(params, X, Y).backward()
        opt.step()
        if sched is not None:
            sched.step()


def save_npz(state_dict) -> bytes:
    """The documented format flattened as the io module can store it: arrays in .npz, groups as JSON."""
    arrays = {f"state/{i}/{name}": value for i, entry in state_dict["state"].items()
              for name, value in entry.items()}
    arrays["param_groups"] = np.array(json.dumps(state_dict["param_groups"]))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def load_npz(data: bytes) -> dict:
    with np.load(io.BytesIO(data)) as npz:
        state = {}
        for key in npz.files:
            if key.startswith("state/"):
                _, i, name = key.split("/")
                state.setdefault(int(i), {})[name] = npz[key]
        return {"state": state, "param_groups": json.loads(str(npz["param_groups"]))}


def make(opt_name, kwargs, start, groups=False):
    params = dn_params(start)
    if groups:
        spec = [{"params": [params["W1"], params["b1"]]}, {"params": [params["W2"]], "lr": kwargs["lr"] / 2}]
    else:
        spec = [params[n] for n in SHAPES]
    return params, getattr(optim, opt_name)(spec, **kwargs)


@pytest.mark.parametrize("opt_name,kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
@pytest.mark.parametrize("with_scheduler", [False, True])
def test_resume_is_bit_exact(opt_name, kwargs, with_scheduler):
    start, X, Y = make_problem()
    sched_of = (lambda o: optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5)) if with_scheduler else (
        lambda o: None)

    params, opt = make(opt_name, kwargs, start, groups=True)
    run(opt, params, X, Y, 50, sched_of(opt))
    straight = {n: p.data.copy() for n, p in params.items()}

    params, opt = make(opt_name, kwargs, start, groups=True)
    sched = sched_of(opt)
    run(opt, params, X, Y, 25, sched)
    saved_weights = {n: p.data.copy() for n, p in params.items()}
    saved_opt = save_npz(opt.state_dict())
    saved_sched = json.dumps(sched.state_dict()) if sched else None

    resumed_start = dict(saved_weights)
    params, opt = make(opt_name, kwargs, resumed_start, groups=True)
    sched = sched_of(opt)
    opt.load_state_dict(load_npz(saved_opt))
    if sched:
        sched.load_state_dict(json.loads(saved_sched))
    run(opt, params, X, Y, 25, sched)
    for name in SHAPES:
        np.testing.assert_array_equal(params[name].data, straight[name], err_msg=name)
    if with_scheduler:
        assert opt.param_groups[0]["lr"] == kwargs["lr"] * 0.5 ** 5


def test_state_dict_format():
    start, X, Y = make_problem()
    params, opt = make("Adam", dict(lr=0.01, amsgrad=True), start, groups=True)
    run(opt, params, X, Y, 3)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.005 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1, 2]
    entry = sd["state"][2]
    assert sorted(entry) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert all(isinstance(v, np.ndarray) for v in entry.values())
    assert entry["step"].shape == () and entry["step"].dtype == np.int64 and int(entry["step"]) == 3
    assert entry["exp_avg"].shape == SHAPES["W2"] and entry["exp_avg"].dtype == np.float64
    # a copy: further steps don't change a saved state_dict
    before = entry["exp_avg"].copy()
    run(opt, params, X, Y, 1)
    np.testing.assert_array_equal(sd["state"][2]["exp_avg"], before)
    # SGD without momentum has no state
    params, opt = make("SGD", dict(lr=0.1), start)
    run(opt, params, X, Y, 2)
    assert opt.state_dict()["state"] == {}


def test_load_state_dict_errors():
    start, X, Y = make_problem()
    params, opt = make("Adam", dict(lr=0.01), start, groups=True)
    run(opt, params, X, Y, 1)
    sd = opt.state_dict()
    _, flat = make("Adam", dict(lr=0.01), start)
    with pytest.raises(ValueError, match="parameter groups"):
        flat.load_state_dict(sd)
    _, fresh = make("Adam", dict(lr=0.01), start, groups=True)
    sd["state"][0]["exp_avg"] = np.zeros((7, 7))
    with pytest.raises(ValueError, match="shape"):
        fresh.load_state_dict(sd)
    with pytest.raises(ValueError, match="state_dict"):
        fresh.load_state_dict({"weights": 1})
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="lr"):
        fresh.load_state_dict(bad)


def test_load_restores_hyperparameters_and_casts_dtype():
    start, X, Y = make_problem()
    params, opt = make("SGD", dict(lr=0.1, momentum=0.9), start)
    run(opt, params, X, Y, 2)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.01
    sd["state"][0]["momentum_buffer"] = sd["state"][0]["momentum_buffer"].astype(np.float32)
    params2, opt2 = make("SGD", dict(lr=0.1, momentum=0.9), start)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.01
    assert opt2.param_groups[0]["params"][0] is params2["W1"]
    assert opt2.state[params2["W1"]]["momentum_buffer"].dtype == np.float64


def test_float32_state_stays_float32():
    start, X, Y = make_problem(np.float32)
    for name in ("SGD", "Adam"):
        params = dn_params(start)
        kwargs = dict(lr=0.01, momentum=0.9) if name == "SGD" else dict(lr=0.01, weight_decay=0.1)
        opt = getattr(optim, name)(list(params.values()), **kwargs)
        run(opt, params, X, Y, 3)
        for p in params.values():
            assert p.dtype == np.float32
            assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


@pytest.mark.parametrize("opt_name,kwargs", [("Adam", dict(lr=0.01, amsgrad=True)),
                                             ("SGD", dict(lr=0.05, momentum=0.9))])
def test_torch_state_dict_loads(opt_name, kwargs):
    """A torch.optim checkpoint (tensors, float step) continues in deltanet as it would in torch."""
    torch = pytest.importorskip("torch")
    from optim_cases import torch_loss

    start, X, Y = make_problem()
    tparams = {n: torch.tensor(v.copy(), requires_grad=True) for n, v in start.items()}
    topt = getattr(torch.optim, opt_name)([tparams[n] for n in SHAPES], **kwargs)

    def torch_steps(k):
        for _ in range(k):
            topt.zero_grad()
            torch_loss(tparams, X, Y).backward()
            topt.step()

    torch_steps(10)
    params, opt = make(opt_name, kwargs, {n: p.detach().numpy().copy() for n, p in tparams.items()})
    opt.load_state_dict(topt.state_dict())
    torch_steps(10)
    run(opt, params, X, Y, 10)
    for name in SHAPES:
        np.testing.assert_allclose(params[name].data, tparams[name].detach().numpy(), rtol=1e-10, atol=0)
