"""What the sheets' exercises share: float64 layers holding given weights, number formatting for explanations,
and the three-way check of a gradient formula (the sheet's formula, autograd, central differences)."""

from __future__ import annotations

import numpy as np

import deltanet as dn
from deltanet import nn
from deltanet.autograd.gradcheck import numerical_jacobian
from deltanet.exercises.registry import Outcome, agrees_if

BOOL_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)   # the columns of the sheets' X
XOR = np.array([0.0, 1.0, 1.0, 0.0])


def array(values) -> dn.Tensor:
    """A float64 tensor holding `values`."""
    return dn.tensor(np.asarray(values, dtype=np.float64))


def linear(weight, bias=None) -> nn.Linear:
    """A float64 nn.Linear holding exactly `weight` (out × in: row j = the weights into neuron j) and `bias`
    (no bias when None)."""
    weight = np.asarray(weight, dtype=np.float64)
    if weight.ndim != 2:
        raise ValueError(f"linear: expected a 2-D weight (out × in), got shape {weight.shape}")
    layer = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=np.float64)
    layer.weight.data[...] = weight
    if bias is not None:
        layer.bias.data[...] = bias
    return layer


def fmt(values, digits: int = 6, indent: int = 0) -> str:
    """Numbers for an explanation, with `digits` significant digits; rows of a matrix after the first are
    indented by `indent` spaces (to line up under a label)."""
    text = np.array2string(np.asarray(values, dtype=np.float64), max_line_width=110,
                           formatter={"float_kind": lambda v: f"{v + 0.0:.{digits}g}"})
    return text.replace("\n", "\n" + " " * indent)


def forward_table(model: nn.Sequential, x: dn.Tensor) -> list[str]:
    """The forward pass of every example (row) of x, one line each: x, then zˡ after each Linear and aˡ after
    each activation."""
    columns, a, l = [("x", x.data)], x, 0
    for module in model:
        a = module(a)
        l += isinstance(module, nn.Linear)
        columns.append((f"{'z' if isinstance(module, nn.Linear) else 'a'}{l}", a.data))
    return ["  " + "   ".join(f"{name} = {fmt(v[n])}" for name, v in columns) for n in range(len(x.data))]


def finite_differences(loss, params) -> list[np.ndarray]:
    """∂loss/∂p for each tensor p in `params` by central differences (no autodiff); `loss()` recomputes it."""
    params = list(params)
    return [j.reshape(p.shape) for j, p in zip(numerical_jacobian(lambda *_: loss(), params), params, strict=True)]


def matches(a, b, rtol: float = 1e-9) -> bool:
    """a = b up to rtol times the largest |b| (one gradient computed two ways in float64)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(b).max()))


def gradient_check(formula, autograd, numeric) -> dict:
    """`value` of a gradient-formula entry: the sheet's formula, deltanet's autograd and central differences,
    with the largest |formula − autograd| and |finite differences − autograd|."""
    formula, autograd, numeric = (np.asarray(g, dtype=np.float64) for g in (formula, autograd, numeric))
    return {"formula": formula.tolist(), "autograd": autograd.tolist(), "finite_differences": numeric.tolist(),
            "formula_error": float(np.max(np.abs(formula - autograd))),
            "fd_error": float(np.max(np.abs(numeric - autograd)))}


def gradient_lines(value: dict) -> list[str]:
    """The three gradients of a `gradient_check` value, one per line."""
    return [f"  sheet's formula     {fmt(value['formula'], indent=22)}",
            f"  deltanet (autograd) {fmt(value['autograd'], indent=22)}",
            f"  finite differences  {fmt(value['finite_differences'], indent=22)}",
            f"  max |formula − autograd| = {value['formula_error']:.1e}, "
            f"max |finite differences − autograd| = {value['fd_error']:.1e}"]


def gradient_outcome(value: dict, what: str, explain: list[str], correction: str | None = None) -> Outcome:
    """The Outcome of a gradient-formula entry: agrees when the formula equals autograd to 1e−9 relative."""
    agrees = matches(value["formula"], value["autograd"])
    return Outcome(computed=f"formula {'=' if agrees else '≠'} autograd (max |Δ| {value['formula_error']:.1e}; "
                            f"autograd vs finite differences {value['fd_error']:.1e}): {what}",
                   verdict=agrees_if(agrees), value=value, correction=None if agrees else correction,
                   explain="\n".join([*explain, *gradient_lines(value)]))


def rounds_to(computed: float, printed: float, half_unit: float) -> bool:
    """The sheet's rounded number agrees when it is within half a unit of its last printed digit."""
    return abs(computed - printed) <= half_unit


def max_abs_diff(a, b) -> float:
    """max |a − b| over all elements."""
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))
