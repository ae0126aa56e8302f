"""Row-MNIST with an LSTM: each image is 28 time steps of 28 pixels; LSTM(28→128), its last state →
Linear(128, 10), cross-entropy, Adam (lr 1e-3), batch 64, float32. One pass over the same slice of the MNIST
training set (default 5,000 images), deltanet and PyTorch alternated in one run.

    env -u OPENBLAS_CORETYPE .venv/bin/python benchmarks/lstm_epoch.py [--n 5000] [--repeats 5] [--threads 1]
                                                                       [--profile] [--composite] [--random]

--threads N gives both libraries N threads (benchmarks/_common.py sets OPENBLAS_NUM_THREADS before NumPy
loads, and torch.set_num_threads(N)); without it each uses its default. On a machine shared with other
jobs, small GEMMs with 2 spinning BLAS threads are erratic, so compare with --threads 1 there.

Prints the median time per pass of each library and the median over alternated pairs of the ratio
deltanet / PyTorch (below 1 means deltanet is faster). With --profile, also where deltanet's time goes:
the fused LSTM layer (forward, backward), the classifier, Adam, the rest.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import add_threads_argument, alternate, median, median_ratio, require_torch  # noqa: E402  (first)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402

import numpy as np  # noqa: E402

import deltanet as dn  # noqa: E402

STEPS, INPUTS, HIDDEN, CLASSES, BATCH, LR = 28, 28, 128, 10, 64, 1e-3


def deltanet_model():
    return dn.nn.Sequential(dn.nn.Unflatten(1, (STEPS, INPUTS)), dn.nn.LSTM(INPUTS, HIDDEN, batch_first=True),
                            dn.nn.LastStep(), dn.nn.Linear(HIDDEN, CLASSES))


def deltanet_epoch(X, y, fused=True):
    model = deltanet_model()
    model[1].fused = fused
    loss_fn = dn.nn.CrossEntropyLoss()
    optimizer = dn.optim.Adam(model.parameters(), lr=LR)

    def run():
        for i in range(0, len(X), BATCH):
            loss = loss_fn(model(dn.Tensor(X[i:i + BATCH])), dn.Tensor(y[i:i + BATCH]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def torch_epoch(torch, X, y):
    class RowLSTM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(INPUTS, HIDDEN, batch_first=True)
            self.fc = torch.nn.Linear(HIDDEN, CLASSES)

        def forward(self, x):
            out, _ = self.lstm(x.view(-1, STEPS, INPUTS))
            return self.fc(out[:, -1])

    model = RowLSTM()
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def run():
        for i in range(0, len(X), BATCH):
            loss = loss_fn(model(Xt[i:i + BATCH]), yt[i:i + BATCH])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run


def profile(X, y) -> None:
    """cProfile one deltanet pass and group the time by where it goes."""
    run = deltanet_epoch(X, y)
    run()  # warm up
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # own time of every function
    groups = {"LSTM layer forward (one GEMM per step)": ("ops/rnn.py", "forward"), "LSTM layer backward (BPTT)":
              ("ops/rnn.py", "backward"), "linear (classifier)": ("ops/linalg.py", ""),
              "Adam": ("optim/adam.py", ""), "cross-entropy": ("ops/loss.py", "")}
    cumulative = {name: 0.0 for name in groups}
    for (path, _, func), (_, _, _, cum, _) in stats.stats.items():
        for name, (file, fn) in groups.items():
            if path.endswith(file) and (not fn or func == fn) and "deltanet" in path:
                cumulative[name] = max(cumulative[name], cum) if fn else cumulative[name] + cum
    print(f"\nwhere deltanet's {total:.2f} s go (cProfile, cumulative per part):")
    for name, seconds in cumulative.items():
        print(f"  {name:<40} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    stats.sort_stats("tottime").print_stats(12)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="training images per pass")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--composite", action="store_true", help="also time the unfused (composite) LSTM")
    add_threads_argument(parser)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--random", action="store_true", help="random pixels instead of MNIST (no download)")
    args = parser.parse_args(argv)
    torch = require_torch()
    if args.random:
        rng = np.random.default_rng(0)
        X, y = rng.random((args.n, STEPS * INPUTS), dtype=np.float32), rng.integers(0, CLASSES, args.n)
    else:
        X, y = dn.data.datasets.mnist("train")
        X, y = np.ascontiguousarray(X[:args.n], dtype=np.float32), y[:args.n]
    print(f"row-MNIST LSTM(28→128) → Linear(128, 10), Adam, batch {BATCH}, float32, {len(X):,} images per pass, "
          f"median of {args.repeats}; torch threads: {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    runs = {"deltanet": deltanet_epoch(X, y), "torch": torch_epoch(torch, X, y)}
    if args.composite:
        runs["deltanet composite"] = deltanet_epoch(X, y, fused=False)
    for fn in runs.values():  # warm up (first-call allocations, BLAS thread start)
        fn()
    times = alternate(runs, args.repeats)
    print(f"{'':>20} {'seconds':>8} {'ratio to torch':>15}")
    for name in runs:
        print(f"{name:>20} {median(times[name]):>8.3f} {median_ratio(times, name, 'torch'):>15.2f}")
    if args.profile:
        profile(X, y)


if __name__ == "__main__":
    main()
