"""`Optimizer`: the bookkeeping every update rule shares — parameter groups, per-parameter state, checkpoints.

A subclass supplies only `step()`, the update rule w ← w − η·(something built from ∂C/∂w). Everything here
follows `torch.optim.Optimizer`, so code written for torch reads the same:

    opt = dn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in loader:
        opt.zero_grad()            # forget ∂C/∂w of the previous batch (backward *accumulates* into .grad)
        loss(model(x), y).backward()
        opt.step()                 # w ← w − η v, in place on w.data

`step()` works on the NumPy arrays behind the tensors (`p.data`, `p.grad.data`): it creates no tensors,
records no graph, updates `p.data` in place and never writes into `p.grad.data` (the gradient array may be
shared with someone else). Parameters whose `.grad` is None (not used in the loss) are skipped.

Checkpoint format (`state_dict()`), chosen so that the io module can write it to `.npz` + JSON and a
resumed run continues bit for bit:

    {"state": {i: {name: numpy array, ...}, ...},       # i = index of the parameter, see below
     "param_groups": [{"lr": 0.1, "momentum": 0.9, ..., "params": [0, 1, 2]}, ...]}

Parameters are numbered 0, 1, 2, ... in the order they appear in `param_groups` (group by group); a
parameter without state (never stepped) has no entry in "state". Every state value is a NumPy array (a
copy): buffers have the parameter's shape and dtype, counters such as Adam's "step" are 0-d int64 arrays.
Hyperparameters in "param_groups" are plain Python numbers, bools and tuples (JSON-friendly).
`load_state_dict()` restores the state and the hyperparameters (e.g. an lr lowered by a scheduler) into an
optimizer built over the same parameters in the same order.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from deltanet.autograd import enable_grad
from deltanet.tensor import Tensor


class Optimizer:
    """Base class of the optimizers: holds `param_groups` and `state`, implements `zero_grad`,
    `add_param_group`, `state_dict` and `load_state_dict`. Subclasses implement `step(closure=None)`.

    `params` is an iterable of tensors, of `(name, tensor)` pairs, or of dicts (parameter groups), each with
    a "params" entry and optional per-group hyperparameters overriding `defaults`:
    `[{"params": body}, {"params": head, "lr": 1e-2}]`.

    `param_groups` is a list of dicts (hyperparameters + "params", the list of tensors); schedulers change
    `group["lr"]` between steps. `state` maps a parameter tensor to a dict of its NumPy buffers (shaped like
    the parameter, e.g. SGD's "momentum_buffer") and Python-int counters (Adam's "step"); a parameter
    appears in `state` after its first update.
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        self._opt_called = False  # has step() run? (lets a scheduler warn about the wrong call order)

        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of tensors or of dicts (parameter groups), got a "
                            "single Tensor; pass [tensor] or model.parameters()")
        if isinstance(params, dict):
            params = [params]
        if isinstance(params, set):
            raise TypeError("params must be an ordered collection (list, tuple, generator), not a set: their "
                            "order fixes the numbering used by state_dict()")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; did the model create its "
                             "parameters (and did you pass model.parameters(), not model)?")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- parameter groups -------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (e.g. a layer unfrozen during fine-tuning) with its own hyperparameters;
        hyperparameters it leaves out take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict with a 'params' entry, got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry (a tensor or a list of tensors)")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("the parameters of a group must be an ordered collection (list, tuple, "
                            "generator), not a set: their order fixes the numbering used by state_dict()")
        params = list(params)
        names = []
        if params and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in params):
            names = [name for name, _ in params]
            params = [p for _, p in params]
        for i, p in enumerate(params):
            where = f"parameter {names[i]!r}" if names else f"parameter {i} of group {len(self.param_groups)}"
            if not isinstance(p, Tensor):
                raise TypeError(f"an optimizer can only optimize Tensors, but {where} is {type(p).__name__}")
            if p.dtype.kind != "f":
                raise TypeError(f"an optimizer can only optimize floating-point tensors, but {where} has "
                                f"dtype {p.dtype}")
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf tensor ({where} was computed from other "
                                 "tensors); optimize the leaves it was made from, or .detach() it first")
        group["params"] = params
        if names:
            group["param_names"] = names

        seen = set()
        for p in params:
            if id(p) in seen:
                raise ValueError("a parameter appears twice in the same parameter group; each parameter must "
                                 "be listed once (otherwise it would be updated twice per step)")
            seen.add(id(p))
        for other in self.param_groups:
            if any(id(p) in seen for p in other["params"]):
                raise ValueError("some parameters appear in more than one parameter group; each parameter "
                                 "must belong to exactly one group")

        for name, default in self.defaults.items():
            if default is _required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            group.setdefault(name, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Raise ValueError for hyperparameters out of range (subclasses extend this)."""
        _check_real(group, "lr", low=0.0)

    # ---- gradients ----------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters before the next backward pass.

        With `set_to_none=True` (default, like torch) `p.grad` becomes None; otherwise it is replaced by a
        zero array (a new array, so no one else's memory is overwritten).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data = np.zeros_like(p.grad.data)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns `closure()` when one is given."""
        raise NotImplementedError

    def _evaluate(self, closure):
        """Call `closure` (which recomputes the loss and calls backward) with gradients enabled."""
        self._opt_called = True
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- checkpoints --------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A copy of the optimizer's state and hyperparameters (format in the module docstring)."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            if "param_names" in packed:
                packed["param_names"] = list(packed["param_names"])
            packed["params"] = []
            for p in group["params"]:
                index[id(p)] = len(index)
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _export(v) for k, v in self.state[p].items() if v is not None}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a `state_dict()` (possibly read back from disk) into this optimizer, which must have been
        built over parameters of the same shapes, in the same order and grouping."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups' "
                             "(as returned by Optimizer.state_dict())")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: the saved state has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        for g, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"load_state_dict: parameter group {g} has {len(group['params'])} "
                                 f"parameters here but {len(saved['params'])} in the saved state")
        by_index = {int(i): p for group, saved in zip(self.param_groups, saved_groups, strict=True)
                    for i, p in zip(saved["params"], group["params"], strict=True)}

        new_state = {}
        for key, entries in state_dict["state"].items():
            key = int(key)
            if key not in by_index:
                raise ValueError(f"load_state_dict: the saved state has an entry for parameter {key}, which "
                                 f"is not among the {len(by_index)} parameters it numbers")
            p = by_index[key]
            new_state[p] = {name: _import(name, value, p, key) for name, value in entries.items()
                            if value is not None}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            new = {k: (tuple(v) if isinstance(v, list) and k != "param_names" else v)
                   for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            for key, value in group.items():  # hyperparameters an older checkpoint lacks keep their value
                new.setdefault(key, value)
            self._check_group(new)
            new_groups.append(new)
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k not in ("params", "param_names")):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


class _Required:
    """Marker for a hyperparameter without a default (must be given in the constructor or the group)."""

    def __repr__(self) -> str:
        return "<required parameter>"


_required = _Required()


def _check_real(group: dict, name: str, low: float | None = None, high: float | None = None,
                high_open: bool = False) -> None:
    value = group[name]
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if value != value:
        raise ValueError(f"Invalid {name} value: {value}")
    if low is not None and value < low:
        raise ValueError(f"Invalid {name} value: {value} (must be ≥ {low})")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"Invalid {name} value: {value} (must be {'<' if high_open else '≤'} {high})")


def _export(value) -> np.ndarray:
    """State value → NumPy array (copied, so later steps don't change a saved checkpoint)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (bool, int, np.integer)):
        return np.array(value, dtype=np.int64)
    return np.array(value)


def _import(name: str, value, p: Tensor, index: int):
    """Saved state value → internal form: integer counters become Python ints, buffers arrays of p's shape."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.ndim == 0 and array.dtype.kind in "iub":
        return int(array)
    if array.ndim == 0 and name == "step":  # e.g. a float step counter from a torch checkpoint
        return int(array)
    if array.shape != p.shape:
        raise ValueError(f"load_state_dict: state {name!r} of parameter {index} has shape {array.shape}, but "
                         f"the parameter has shape {p.shape}; was the optimizer built over the same model?")
    buffer = np.empty_like(p.data)  # the parameter's dtype (as torch casts) and memory layout
    buffer[...] = array
    return buffer
