"""One epoch of real MNIST (the 50,000 training images of `dn.data.datasets.mnist`), deltanet vs PyTorch
alternated in one run, for two settings:

    (a) nielsen: Nielsen's network.py — [784, 30, 10], sigmoid everywhere, quadratic cost ½‖a − y‖² on
        one-hot targets, SGD η = 3.0, mini-batches of 10;
    (b) ce-64:   [784, 100, 10], sigmoid hidden layer, softmax cross-entropy on logits, SGD η = 0.1,
        mini-batches of 64.

    env -u OPENBLAS_CORETYPE .venv/bin/python benchmarks/mnist_epoch.py [--repeats 3] [--settings nielsen ce-64]
                                                                       [--threads N]

Each timed call is one full epoch in a fresh random order: deltanet through its own shuffling
`DataLoader`, PyTorch through `torch.randperm` and one fancy index per mini-batch (the fast idiomatic
loop; torch's per-example DataLoader collation would only slow PyTorch down). Both start from the same
weights. Prints per setting the median seconds per epoch of each library, the median over the
alternated pairs of the ratio deltanet / PyTorch (below 1 means deltanet is faster), the target ratio,
and the test accuracy each library reached after the timed epochs (a check that both really learn).

On a shared 2-core machine with other jobs running, multi-threaded BLAS and torch's intra-op threads
oversubscribe the cores and both libraries slow down by up to 15× (torch most at batch 10); compare
single-threaded then: `... mnist_epoch.py --threads 1`.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import add_threads_argument, alternate, median, median_ratio, require_torch  # noqa: E402  (first)

import argparse  # noqa: E402

import numpy as np  # noqa: E402

import deltanet as dn  # noqa: E402
from deltanet.models import mlp, nielsen  # noqa: E402

SETTINGS = {
    #          sizes          loss         lr   batch target ratio
    "nielsen": ([784, 30, 10], "quadratic", 3.0, 10, 0.3),
    "ce-64": ([784, 100, 10], "ce", 0.1, 64, 0.8),
}


def deltanet_setup(sizes, loss, lr, batch_size, X, labels, seed=0):
    """(model, run one epoch) — the model is `dn.models.nielsen` (N(0, 1) init) or an mlp with logits out."""
    dn.manual_seed(seed)
    if loss == "quadratic":
        model = nielsen(sizes)                            # sigmoid output layer
        loss_fn, targets = dn.nn.QuadraticLoss(), dn.data.encode.one_hot(labels, 10, dtype=np.float32)
    else:
        model = mlp(sizes, "sigmoid")                     # logits for the fused cross-entropy
        loss_fn, targets = dn.nn.CrossEntropyLoss(), labels
    optimizer = dn.optim.SGD(model.parameters(), lr=lr)
    loader = dn.data.DataLoader(dn.data.TensorDataset(X, targets), batch_size=batch_size, shuffle=True, seed=seed)

    def run():
        for x, y in loader:
            cost = loss_fn(model(x), y)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()

    return model, run


def torch_setup(torch, reference, loss, lr, batch_size, X, labels, seed=0):
    """The same network in PyTorch, starting from `reference`'s weights."""
    layers = []
    for module in reference:
        if isinstance(module, dn.nn.Linear):
            linear = torch.nn.Linear(module.in_features, module.out_features)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(module.weight.data)))
                linear.bias.copy_(torch.from_numpy(module.bias.data))
            layers.append(linear)
        else:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    Xt = torch.from_numpy(X)
    if loss == "quadratic":
        Yt = torch.from_numpy(dn.data.encode.one_hot(labels, 10, dtype=np.float32))

        def loss_fn(a, y):                                           # ½‖a − y‖², mean over the batch
            return 0.5 * ((a - y) ** 2).sum(dim=1).mean()
    else:
        Yt = torch.from_numpy(labels)
        loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    n = len(X)

    def run():
        order = torch.randperm(n, generator=generator)
        for i in range(0, n, batch_size):
            index = order[i:i + batch_size]
            cost = loss_fn(model(Xt[index]), Yt[index])
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()

    return model, run


def accuracy_deltanet(model, X, labels) -> float:
    model.eval()
    with dn.no_grad():
        return float(np.mean(np.argmax(model(dn.tensor(X)).data, axis=1) == labels))


def accuracy_torch(torch, model, X, labels) -> float:
    with torch.no_grad():
        return float(np.mean(model(torch.from_numpy(X)).argmax(dim=1).numpy() == labels))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per library and setting (≥ 3)")
    parser.add_argument("--settings", nargs="+", choices=SETTINGS, default=list(SETTINGS))
    add_threads_argument(parser)
    args = parser.parse_args(argv)
    torch = require_torch()
    dn.set_default_dtype(np.float32)
    X, labels = dn.data.datasets.mnist("train")
    X_test, labels_test = dn.data.datasets.mnist("test")
    X, X_test = np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(X_test, dtype=np.float32)
    print(f"one epoch of real MNIST ({len(X):,} images), float32, median of {args.repeats} alternated runs; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'setting':<9} {'network':<15} {'batch':>5} {'deltanet s':>10} {'torch s':>8} {'ratio':>6} "
          f"{'target':>7}  {'test acc dn / torch':>19}")
    for name in args.settings:
        sizes, loss, lr, batch_size, target = SETTINGS[name]
        ours, run_ours = deltanet_setup(sizes, loss, lr, batch_size, X, labels)
        theirs, run_theirs = torch_setup(torch, ours, loss, lr, batch_size, X, labels)
        times = alternate({"deltanet": run_ours, "torch": run_theirs}, args.repeats)
        ratio = median_ratio(times, "deltanet", "torch")
        accuracies = (accuracy_deltanet(ours, X_test, labels_test), accuracy_torch(torch, theirs, X_test, labels_test))
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{name:<9} {str(sizes):<15} {batch_size:>5} {median(times['deltanet']):>10.3f} "
              f"{median(times['torch']):>8.3f} {ratio:>6.2f} {'≤ ' + str(target):>7} {verdict:<6} "
              f"{100 * accuracies[0]:5.2f}% / {100 * accuracies[1]:5.2f}%", flush=True)


if __name__ == "__main__":
    main()
