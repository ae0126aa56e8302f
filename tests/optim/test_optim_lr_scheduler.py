"""StepLR and CosineAnnealingLR give torch's learning rates step by step (same recursive formulas)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import deltanet as dn
from deltanet import optim
from deltanet.optim import lr_scheduler

torch = pytest.importorskip("torch")

SCHEDULES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=1, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=30, eta_min=0.05)),
]


def two_group_optimizers(opt_name="SGD"):
    a, b = np.ones(2), np.ones(3)
    ours = getattr(optim, opt_name)([{"params": [dn.tensor(a, requires_grad=True)]},
                                     {"params": [dn.tensor(b, requires_grad=True)], "lr": 0.3}], lr=0.1)
    theirs = getattr(torch.optim, opt_name)([{"params": [torch.tensor(a, requires_grad=True)]},
                                             {"params": [torch.tensor(b, requires_grad=True)], "lr": 0.3}],
                                            lr=0.1)
    return ours, theirs


def lr_sequence(opt, sched, steps):
    lrs = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()                      # no gradients: a no-op, but the call order torch expects
        sched.step()
        lrs.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{k}" for n, k in SCHEDULES])
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_lr_sequence_equals_torch(name, kwargs, opt_name):
    ours_opt, torch_opt = two_group_optimizers(opt_name)
    ours = lr_sequence(ours_opt, getattr(lr_scheduler, name)(ours_opt, **kwargs), 30)
    theirs = lr_sequence(torch_opt, getattr(torch.optim.lr_scheduler, name)(torch_opt, **kwargs), 30)
    assert ours == theirs                                  # bit-identical floats
    assert all(isinstance(lr, float) for lrs in ours for lr in lrs)


def test_step_lr_values():
    opt, _ = two_group_optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = [lr[0] for lr in lr_sequence(opt, sched, 6)]
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]


def test_cosine_matches_closed_form():
    opt, _ = two_group_optimizers()
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.01)
    lrs = [lr[1] for lr in lr_sequence(opt, sched, 16)]
    expected = [0.01 + 0.5 * (0.3 - 0.01) * (1 + math.cos(math.pi * t / 8)) for t in range(17)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-15)
    assert lrs[8] == pytest.approx(0.01) and lrs[16] == pytest.approx(0.3)


@pytest.mark.parametrize("name,kwargs", [("StepLR", dict(step_size=3, gamma=0.5)),
                                         ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001))])
def test_state_dict_resume(name, kwargs):
    """Checkpoint optimizer + scheduler after 10 epochs (through JSON), restore into fresh ones, go on."""
    opt, _ = two_group_optimizers()
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    full = lr_sequence(opt, sched, 20)

    opt, _ = two_group_optimizers()
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    first = lr_sequence(opt, sched, 10)
    opt_state = opt.state_dict()
    sched_state = json.loads(json.dumps(sched.state_dict()))  # JSON-friendly

    opt2, _ = two_group_optimizers()
    sched2 = getattr(lr_scheduler, name)(opt2, **kwargs)      # as torch advises: scheduler first,
    opt2.load_state_dict(opt_state)                            # then the optimizer's state
    sched2.load_state_dict(sched_state)
    assert sched2.get_last_lr() == first[-1]
    rest = lr_sequence(opt2, sched2, 10)
    assert first + rest[1:] == full


def test_warns_when_scheduler_steps_before_optimizer():
    opt, _ = two_group_optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        sched.step()
    opt, _ = two_group_optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_scheduler_argument_errors():
    opt, _ = two_group_optimizers()
    with pytest.raises(TypeError, match="not an Optimizer"):
        lr_scheduler.StepLR("sgd", step_size=2)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=5)
