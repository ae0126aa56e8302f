"""One epoch of MNIST-shaped random data (50,000 × 784, 10 classes) through [784, 100, 10]
(sigmoid hidden layer, cross-entropy on logits, plain SGD), deltanet vs PyTorch alternated in one run.

    env -u OPENBLAS_CORETYPE .venv/bin/python benchmarks/mlp_step.py [--repeats 3] [--batch-sizes 10 64 256]
                                                                    [--threads N]

Prints the median time per epoch of each library and, per batch size, the median over the alternated
pairs of the ratio deltanet / PyTorch (below 1 means deltanet is faster).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import add_threads_argument, alternate, median, median_ratio, require_torch  # noqa: E402  (first)

import argparse  # noqa: E402

import numpy as np  # noqa: E402

import deltanet as dn  # noqa: E402

N, D_IN, HIDDEN, CLASSES, LR = 50_000, 784, 100, 10, 0.1


def deltanet_epoch(X, y, batch_size):
    model = dn.nn.Sequential(dn.nn.Linear(D_IN, HIDDEN), dn.nn.Sigmoid(), dn.nn.Linear(HIDDEN, CLASSES))
    loss_fn = dn.nn.CrossEntropyLoss()
    optimizer = dn.optim.SGD(model.parameters(), lr=LR)

    def run():
        for i in range(0, N, batch_size):
            loss = loss_fn(model(dn.Tensor(X[i:i + batch_size])), dn.Tensor(y[i:i + batch_size]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def torch_epoch(torch, X, y, batch_size):
    model = torch.nn.Sequential(torch.nn.Linear(D_IN, HIDDEN), torch.nn.Sigmoid(), torch.nn.Linear(HIDDEN, CLASSES))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def run():
        for i in range(0, N, batch_size):
            loss = loss_fn(model(Xt[i:i + batch_size]), yt[i:i + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 64, 256])
    add_threads_argument(parser)
    args = parser.parse_args(argv)
    torch = require_torch()
    rng = np.random.default_rng(0)
    X = rng.random((N, D_IN), dtype=np.float32)
    y = rng.integers(0, CLASSES, N)
    print(f"MLP [784, 100, 10] sigmoid + cross-entropy + SGD, one epoch of {N:,} examples, "
          f"median of {args.repeats}; torch threads: {torch.get_num_threads()}")
    print(f"{'batch':>6} {'deltanet s':>11} {'torch s':>9} {'ratio':>7}")
    for batch_size in args.batch_sizes:
        times = alternate({"deltanet": deltanet_epoch(X, y, batch_size),
                           "torch": torch_epoch(torch, X, y, batch_size)}, args.repeats)
        ratio = median_ratio(times, "deltanet", "torch")
        print(f"{batch_size:>6} {median(times['deltanet']):>11.3f} {median(times['torch']):>9.3f} {ratio:>7.2f}")


if __name__ == "__main__":
    main()
