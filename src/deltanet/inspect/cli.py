"""`deltanet trace`: every zˡ, aˡ, δˡ = ∂C/∂zˡ and gradient of one example, in the sheets' notation.

    deltanet trace chain [--part 1|2]            sheet 000 Q2's chain of sigmoid neurons, C = o, with the
                                                 chain-rule factors whose product is ∂o/∂b¹
    deltanet trace xor [--kind relu] [--input 1 0]   the sheets' XOR network (dn.construct.xor), quadratic cost
    deltanet trace --model PATH [--example N] [--dataset mnist] [--split test]   a saved model on one example

`--format text|markdown|json` (json: every number at full precision), `--full` (no summaries), `--digits N`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from deltanet import io
from deltanet.arguments import whole_number
from deltanet.inspect import networks
from deltanet.inspect.trace import trace
from deltanet.nn import QuadraticLoss
from deltanet.train.recipes import DATASETS, LOSSES, Recipe, load_split, num_classes

FORMATS = ("text", "markdown", "json")
XOR_KINDS = ("relu", "sigmoid", "step")
# flags that belong to one kind of trace (None: --model) → (that kind, the flag's default)
OWN_FLAGS = {"part": ("chain", 1), "kind": ("xor", "relu"), "input": ("xor", [1.0, 0.0]), "example": (None, 0),
             "dataset": (None, None), "split": (None, "test"), "loss": (None, None)}


def _bit(text: str) -> float:
    if text not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"expected 0 or 1, got {text!r}")
    return float(text)


def _show(args, preamble: str, t, extra=None, remark: str = "") -> None:
    """Print the trace in args.format: a one-line preamble, the trace, then `extra` (a ChainRule) and a
    closing remark (not in json)."""
    if args.format == "json":
        document = json.loads(t.format("json"))
        if extra is not None:
            document["chain_rule"] = extra.as_dict()
        print(json.dumps(document))
        return
    parts = [preamble, "", t.format(args.format, full=args.full, digits=args.digits)]
    if extra is not None:
        parts += ["", extra.format(args.format, digits=args.digits)]
    if remark:
        parts += ["", remark]
    print("\n".join(parts))


def trace_chain(args) -> None:
    w, b = networks.PARTS[args.part]
    model = networks.chain(w, b)
    t = trace(model, [networks.X])
    show = lambda v: ", ".join(f"{x:g}" for x in v)       # noqa: E731
    _show(args, f"Sheet 000, Q2 ({args.part}): x = {networks.X:g} → three sigmoid neurons → o = w⁴h³ + b⁴, "
                f"w = ({show(w)}), b = ({show(b)}); C = o, so δˡ = ∂o/∂zˡ and ∂C/∂b¹ = ∂o/∂b¹",
          t, networks.chain_rule(model, t), f"the sheet's answer: {networks.SHEET_ANSWERS[args.part]}")


def trace_xor(args) -> None:
    from deltanet.construct import xor

    x = np.array(args.input)
    y = np.array([float(x[0] != x[1])])
    model = xor(kind=args.kind)
    t = trace(model, x, y, QuadraticLoss())
    silent = not any(layer.delta.any() for layer in t.layers)
    _show(args, f"The sheets' XOR network (dn.construct.xor(kind={args.kind!r})) on x = ({x[0]:g}, {x[1]:g}), "
                f"y = x₁ XOR x₂ = {y[0]:g}; quadratic cost C = ½‖a − y‖²", t,
          remark="every δ is 0: the output unit is a step, whose derivative is 0 wherever it exists, so no "
                 "gradient passes it back" + (" (and C = 0 here: the network is exact)" if t.cost == 0 else "")
          if silent else "")


def trace_saved(args) -> None:
    path = args.model / "model.npz" if args.model.is_dir() else args.model
    if not path.exists():
        raise ValueError(f"trace: no model file at {path}")
    model = io.load(path).eval()
    settings = io.info(path).get("metadata", {}).get("settings") or {}
    dataset = args.dataset or settings.get("dataset")
    if dataset is None:
        raise ValueError(f"trace: {path} does not say which data set it was trained on; pass --dataset")
    recipe = Recipe(args.loss or settings.get("loss", "ce"), settings.get("encoding", "onehot"),
                    num_classes(dataset))
    X, labels = load_split(dataset, args.split, dtype=next(model.parameters()).dtype)
    if args.example >= len(X):
        raise ValueError(f"trace: --example {args.example} is out of range: {dataset} {args.split} has "
                         f"{len(X):,} examples (0 … {len(X) - 1})")
    n = args.example
    t = trace(model, X[n], recipe.targets(labels[n:n + 1], X.dtype)[0], recipe.loss_function())
    if recipe.loss == "bce":
        t = replace(t, loss="BCEWithLogits summed over the outputs")
    decode = recipe.decode()
    predicted = np.argmax(t.output) if decode is None else decode(t.output[None])[0]
    _show(args, f"{path}: example {n} of {dataset} {args.split}, label {labels[n]}, predicted {predicted}", t)


def command_trace(args) -> int:
    if (args.network is None) == (args.model is None):
        raise ValueError("trace: name a network (chain or xor) or give --model PATH — one of the two")
    for flag, (owner, default) in OWN_FLAGS.items():
        if args.network != owner and getattr(args, flag) != default:
            raise ValueError(f"trace: --{flag} applies to {owner or '--model'} only")
    {"chain": trace_chain, "xor": trace_xor, None: trace_saved}[args.network](args)
    return 0


def add_parser(commands) -> None:
    """Register `deltanet trace` on the CLI's subcommands."""
    parser = commands.add_parser(
        "trace", help="z, a, δ and gradients of one example, layer by layer (the sheets' notation)",
        description="Run one example through a network and print, for every layer l, zˡ, aˡ = f(zˡ), "
                    "δˡ = ∂C/∂zˡ, ∂C/∂Wˡ and ∂C/∂bˡ, computed by the autodiff engine. "
                    "chain: sheet 000 Q2's chain of sigmoid neurons with C = o, and the chain-rule factors "
                    "of ∂o/∂b¹; xor: the sheets' XOR network; --model: a saved model on one data-set example.")
    parser.add_argument("network", nargs="?", choices=("chain", "xor"), help="a network of the sheets")
    parser.add_argument("--part", type=int, choices=sorted(networks.PARTS), default=1,
                        help="chain: the parameters of part 1 (∂o/∂b¹ explodes) or part 2 (it vanishes)")
    parser.add_argument("--kind", choices=XOR_KINDS, default="relu",
                        help="xor: ReLU hidden layer + threshold output (the sheet's), sigmoid, or step")
    parser.add_argument("--input", type=_bit, nargs=2, default=[1.0, 0.0], metavar=("X1", "X2"),
                        help="xor: the input (default 1 0)")
    parser.add_argument("--model", type=Path, metavar="PATH",
                        help="a model .npz (or run directory) written by deltanet")
    parser.add_argument("--example", type=whole_number(0), default=0, metavar="N",
                        help="--model: index of the example (default 0)")
    parser.add_argument("--dataset", choices=DATASETS, help="--model: default the one it was trained on")
    parser.add_argument("--split", choices=("train", "validation", "test"), default="test",
                        help="--model: the split the example comes from (default test)")
    parser.add_argument("--loss", choices=LOSSES, help="--model: default the one it was trained with (else ce)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--full", action="store_true", help="print every value (no summaries of big arrays)")
    parser.add_argument("--digits", type=whole_number(1), default=6, metavar="N", help="significant digits (default 6)")
    parser.set_defaults(handler=command_trace)
