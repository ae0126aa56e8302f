"""One epoch (a fixed slice) of real MNIST through a LeNet-like CNN, deltanet vs PyTorch alternated in one run:

    Conv2d(1, 20, 5) → ReLU → MaxPool2d(2) → Conv2d(20, 40, 5) → ReLU → MaxPool2d(2) → Flatten →
    Linear(640, 100) → ReLU → Linear(100, 10),  cross-entropy on logits, SGD lr 0.05 momentum 0.9, batch 64,
    float32, the first 10,000 training images (in order, both libraries on the same mini-batches).

    env -u OPENBLAS_CORETYPE .venv/bin/python benchmarks/cnn_epoch.py [--repeats 5] [--images 10000]
                                                                     [--threads N] [--profile]

Both models start from the same weights (PyTorch's initialisation, copied into deltanet). Prints the
median seconds per timed epoch of each library, the median over the alternated pairs of the ratio
deltanet / PyTorch (below 1 means deltanet is faster; target ≤ 1.5) and the test accuracy each model
reached (a check that both really learn). --threads N runs both libraries with N threads (PyTorch via
set_num_threads, NumPy's OpenBLAS via OPENBLAS_NUM_THREADS, set before NumPy loads); by default each uses
its own default. --profile adds a cProfile of one deltanet epoch (the functions with the most own time).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import add_threads_argument, alternate, median, median_ratio, require_torch  # noqa: E402  (first)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402

import numpy as np  # noqa: E402

import deltanet as dn  # noqa: E402

BATCH, LR, MOMENTUM = 64, 0.05, 0.9


def deltanet_model():
    nn = dn.nn
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 40, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(640, 100), nn.ReLU(), nn.Linear(100, 10))


def torch_model(torch):
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 40, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(640, 100), nn.ReLU(), nn.Linear(100, 10))


def deltanet_setup(model, X, y):
    loss_fn = dn.nn.CrossEntropyLoss()
    optimizer = dn.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

    def run():
        for i in range(0, len(X), BATCH):
            loss = loss_fn(model(dn.Tensor(X[i:i + BATCH])), dn.Tensor(y[i:i + BATCH]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def torch_setup(torch, model, X, y):
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def run():
        for i in range(0, len(X), BATCH):
            loss = loss_fn(model(Xt[i:i + BATCH]), yt[i:i + BATCH])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def accuracies(torch, ours, theirs, X, y, chunk=1000):
    right = [0, 0]
    with dn.no_grad(), torch.no_grad():
        for i in range(0, len(X), chunk):
            right[0] += int(np.sum(np.argmax(ours(dn.Tensor(X[i:i + chunk])).data, axis=1) == y[i:i + chunk]))
            right[1] += int(np.sum(theirs(torch.from_numpy(X[i:i + chunk])).argmax(1).numpy() == y[i:i + chunk]))
    return right[0] / len(X), right[1] / len(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--images", type=int, default=10_000, help="training images per timed epoch")
    add_threads_argument(parser)
    parser.add_argument("--profile", action="store_true", help="also cProfile one deltanet epoch")
    args = parser.parse_args(argv)
    torch = require_torch()
    X, y = dn.data.datasets.mnist("train")
    X, y = X[:args.images].reshape(-1, 1, 28, 28), y[:args.images].astype(np.int64)
    X_test, y_test = dn.data.datasets.mnist("test")
    X_test, y_test = X_test.reshape(-1, 1, 28, 28), y_test.astype(np.int64)

    torch.manual_seed(0)
    theirs = torch_model(torch)
    ours = deltanet_model()
    ours.load_state_dict(theirs.state_dict())                 # same starting weights
    runs = {"deltanet": deltanet_setup(ours, X, y), "torch": torch_setup(torch, theirs, X, y)}
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"LeNet-like CNN (85,670 parameters), SGD lr {LR} momentum {MOMENTUM}, batch {BATCH}, float32, "
          f"{len(X):,} MNIST images per epoch, median of {args.repeats} alternated pairs; "
          f"torch threads {torch.get_num_threads()}, OpenBLAS threads {blas}, {os.cpu_count()} cores")
    times = alternate(runs, args.repeats)
    ratio = median_ratio(times, "deltanet", "torch")
    print(f"{'':>10} {'s/epoch':>8}   all runs")
    for name in runs:
        print(f"{name:>10} {median(times[name]):>8.2f}   " + " ".join(f"{t:.2f}" for t in times[name]))
    print(f"ratio deltanet/torch (median of pairs): {ratio:.2f}   (target ≤ 1.5)")
    acc_ours, acc_theirs = accuracies(torch, ours, theirs, X_test, y_test)
    print(f"test accuracy after {args.repeats} epochs: deltanet {100 * acc_ours:.2f}%, torch {100 * acc_theirs:.2f}%")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(runs["deltanet"])
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).sort_stats("tottime")
        stats.print_stats(18)
        print("\ncProfile of one deltanet epoch (own time per function):")
        print("\n".join(line for line in stream.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
