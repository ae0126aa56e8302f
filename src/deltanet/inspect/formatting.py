"""A `Trace` as text (an aligned table per layer), markdown (one table) or JSON, in the sheets' symbols."""

from __future__ import annotations

import json
import re
import sys

import numpy as np

SUMMARY = 10   # arrays with more values are summarised (norm, range, first values) unless full=True
FIRST = 5      # values shown in a summary
SYMBOLS = {"Sigmoid": "σ", "Tanh": "tanh", "ReLU": "ReLU", "LeakyReLU": "LeakyReLU", "Step": "step",
           "Sign": "sign", "Softmax": "softmax", "LogSoftmax": "log softmax", "Identity": "id"}
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(l: int) -> str:
    """The layer index as a superscript: 12 → ¹²."""
    return str(l).translate(_SUPERSCRIPTS)


def values(array, digits: int = 6, full: bool = False) -> str:
    """Numbers with `digits` significant digits, nested like the array (rows on their own lines); more than
    SUMMARY values become ‖·‖, min, max and the first FIRST values unless full=True."""
    array = np.asarray(array)
    number = lambda v: f"{v + 0.0:.{digits}g}"    # noqa: E731  (+ 0.0: no "-0")
    if full or array.size <= SUMMARY:
        return np.array2string(array, separator=", ", formatter={"float_kind": number}, threshold=sys.maxsize,
                               max_line_width=sys.maxsize)
    first = ", ".join(number(v) for v in array.reshape(-1)[:FIRST])
    return (f"‖·‖ = {number(np.linalg.norm(array))}, min {number(array.min())}, max {number(array.max())}, "
            f"first {FIRST}: [{first}, …]")


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def _cost_line(trace, digits: int) -> str:
    aL = f"a{sup(len(trace.layers))}"
    if trace.target is None:
        return f"C = {aL} (the network's output) = {trace.cost:.{digits}g}"
    return f"C = {trace.loss}({aL}, y) = {trace.cost:.{digits}g}"


def _entries(layer) -> list[tuple[str, object]]:
    """(symbol, array) rows of one layer, in the sheets' notation."""
    s = sup(layer.l)
    f = SYMBOLS.get(layer.activation, layer.activation)
    rows = [(f"z{s}", layer.z), (f"a{s} = {f}(z{s})" if f else f"a{s} = z{s}", layer.a),
            (f"δ{s} = ∂C/∂z{s}", layer.delta)]
    if layer.grad_weight is not None:
        rows.append((f"∂C/∂W{s}", layer.grad_weight))
    if layer.grad_bias is not None:
        rows.append((f"∂C/∂b{s}", layer.grad_bias))
    rows += [(f"∂C/∂{name}", g) for name, g in layer.extra_grads.items() if g is not None]
    return rows


def text(trace, full: bool = False, digits: int = 6) -> str:
    sections = [(None, [("a⁰ = x", trace.input)] + ([] if trace.target is None else [("y", trace.target)]))]
    sections += [(f"layer {layer.l}: {layer.name}", _entries(layer)) for layer in trace.layers]
    cells = [(label, str(np.shape(array)), values(array, digits, full))
             for _, rows in sections for label, array in rows]
    w_label = max(len(c[0]) for c in cells) + 2
    w_shape = max(len(c[1]) for c in cells) + 2
    lines, cells = [_cost_line(trace, digits)], iter(cells)
    for title, rows in sections:
        lines.append("" if title is None else title)
        for _ in rows:
            label, shape, shown = next(cells)
            indent = "\n" + " " * (2 + w_label + w_shape)
            lines.append(f"  {label:<{w_label}}{shape:<{w_shape}}{shown.replace(chr(10), indent)}")
    return "\n".join(line.rstrip() for line in "\n".join(lines).splitlines())


def markdown(trace, full: bool = False, digits: int = 6) -> str:
    def cell(array) -> str:
        return "—" if array is None else f"{_one_line(values(array, digits, full))} {np.shape(array)}"

    extras = any(layer.extra_grads for layer in trace.layers)
    header = ["l", "layer", "zˡ", "aˡ", "δˡ = ∂C/∂zˡ", "∂C/∂Wˡ", "∂C/∂bˡ"] + (["other ∂C/∂θ"] if extras else [])
    lines = [f"{_cost_line(trace, digits)}; a⁰ = x = {cell(trace.input)}"
             + ("" if trace.target is None else f"; y = {cell(trace.target)}"), "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for layer in trace.layers:
        row = [str(layer.l), layer.name, cell(layer.z), cell(layer.a), cell(layer.delta), cell(layer.grad_weight),
               cell(layer.grad_bias)]
        if extras:
            row.append("; ".join(f"{name}: {cell(g)}" for name, g in layer.extra_grads.items()) or "—")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def to_json(trace, full: bool = True, digits: int = 6) -> str:
    """Every number at full precision (`full` and `digits` do not apply)."""
    def listed(array):
        return None if array is None else np.asarray(array).tolist()

    return json.dumps({
        "loss": trace.loss, "cost": trace.cost, "input": listed(trace.input), "target": listed(trace.target),
        "output": listed(trace.output),
        "layers": [{"l": layer.l, "name": layer.name, "activation": layer.activation, "z": listed(layer.z),
                    "a": listed(layer.a), "delta": listed(layer.delta), "grad_weight": listed(layer.grad_weight),
                    "grad_bias": listed(layer.grad_bias),
                    "extra_grads": {name: listed(g) for name, g in layer.extra_grads.items()}}
                   for layer in trace.layers]})


FORMATS = {"text": text, "markdown": markdown, "json": to_json}
