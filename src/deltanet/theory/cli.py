"""`deltanet theory [NAME]`: print a theory demo's report (no NAME: list the demos; all: run every one)."""

from __future__ import annotations

import inspect

from deltanet.arguments import whole_number
from deltanet.theory import DEMOS, SUMMARIES


def _name(text: str) -> str:
    """Demo names use hyphens; underscores (the Python names) are accepted too."""
    return text.replace("_", "-")


def command_theory(args) -> int:
    if args.name is None:
        width = max(map(len, DEMOS))
        print("Theory demos (deltanet theory NAME prints one; deltanet theory all prints every one):\n")
        for name, summary in SUMMARIES.items():
            print(f"  {name:<{width}}  {summary}")
        return 0
    names = list(DEMOS) if args.name == "all" else [args.name]
    seeded = [name for name in DEMOS if "seed" in inspect.signature(DEMOS[name]).parameters]
    if args.seed is not None and not set(names) & set(seeded):
        raise ValueError(f"theory {args.name}: --seed applies only to {', '.join(seeded)} (they draw random "
                         "networks or inputs)")
    for k, name in enumerate(names):
        kwargs = {"seed": args.seed} if args.seed is not None and name in seeded else {}
        print(("\n\n" if k else "") + DEMOS[name](**kwargs).report(), flush=True)
    return 0


def add_parser(commands) -> None:
    """Register `deltanet theory` on the CLI's subcommands."""
    parser = commands.add_parser(
        "theory", help="executable theory demos: perceptrons, softmax, entropy, XOR, ReLU tails, gradient chains",
        description="Run a theory demo and print its report: the sheets' claims checked with deltanet's layers "
                    "and autograd. Leave out NAME to list the demos. "
                    + " ".join(f"{name}: {summary}." for name, summary in SUMMARIES.items()))
    parser.add_argument("name", nargs="?", type=_name, choices=(*DEMOS, "all"), metavar="NAME",
                        help=f"one of {', '.join(DEMOS)}, or all")
    parser.add_argument("--seed", type=whole_number(0),
                        help="seed of the random networks and inputs (the demos that use them)")
    parser.set_defaults(handler=command_theory)
