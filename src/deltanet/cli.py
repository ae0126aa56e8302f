"""The `deltanet` command: train, evaluate and reproduce, with one clear line on any user error."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import deltanet as dn
from deltanet.arguments import number, whole_number
from deltanet.data import DataError
from deltanet.data.text import CORPORA
from deltanet.io import ModelFileError
from deltanet.models import cnn, lstm, mlp, nielsen
from deltanet.train import (
    Checkpoint,
    CheckpointError,
    EarlyStopping,
    GradNormLogger,
    ProgressBar,
    Trainer,
    TrainingDiverged,
    evaluate,
)
from deltanet.train.checkpoint import load_checkpoint
from deltanet.train.recipes import DATASETS, ENCODINGS, LOSSES, Recipe, load_split, num_classes

# Defaults per data set. MNIST: 784-1024-10 ReLU, SGD with momentum, cosine schedule, 20 epochs: 98.27 %
# test accuracy in 99 s of training on 2 cores (`deltanet train mnist`, seed 0).
DEFAULTS = {
    "mnist": dict(hidden=[1024], activation="relu", epochs=20, batch=128, lr=0.1, momentum=0.9, weight_decay=5e-4),
    "fashion-mnist": dict(hidden=[1024], activation="relu", epochs=20, batch=128, lr=0.1, momentum=0.9,
                          weight_decay=5e-4),
    "xor": dict(hidden=[2], activation="sigmoid", epochs=2000, batch=4, lr=2.0, momentum=0.0, weight_decay=0.0),
    "circles": dict(hidden=[8], activation="tanh", epochs=100, batch=32, lr=0.1, momentum=0.9, weight_decay=0.0),
}
# --model cnn (images only): Conv 5×5 (20) → ReLU → pool → Conv 5×5 (40) → ReLU → pool → FC (hidden) → ReLU →
# Dropout(0.5) → FC, on the flat vectors reshaped inside the model (`dn.models.cnn`).
CNN_DEFAULTS = {
    "mnist": dict(hidden=[100], activation="relu", epochs=10, batch=64, lr=0.05, momentum=0.9, weight_decay=5e-4),
    "fashion-mnist": dict(hidden=[256], activation="relu", epochs=15, batch=64, lr=0.05, momentum=0.9,
                          weight_decay=5e-4),
}
IMAGE_SHAPES = {"mnist": (1, 28, 28), "fashion-mnist": (1, 28, 28)}
# --model lstm (images only): each image as 28 time steps of 28 pixels → LSTM(hidden) → last state → FC, Adam.
# MNIST: 97.63 % test after 4 epochs (306 s on 2 shared cores with OPENBLAS_NUM_THREADS=1, seed 0).
LSTM_DEFAULTS = {
    "mnist": dict(hidden=[128], activation="tanh", epochs=4, batch=64, lr=1e-3, momentum=0.0, weight_decay=0.0),
    "fashion-mnist": dict(hidden=[128], activation="tanh", epochs=8, batch=64, lr=1e-3, momentum=0.0,
                          weight_decay=0.0),
}
SEQUENCE_TASKS = ("adding", "reber", "text")   # sequence tasks, trained by command_train_sequence
# `train text` (character-level language model, deltanet.train.charlm): LSTM(256), k = 64, B = 16 tracks, Adam
# 3e-3, clipped at 5. python-docs: 1.867 bits/char on validation after 5 epochs (unigram entropy 4.693), 275 s on
# one core (OMP_NUM_THREADS=1, seed 0); B = 32 with 2e-3 needed 10 epochs, 372 s, for 1.889.
TEXT_DEFAULTS = dict(hidden=[256], epochs=5, batch=16, lr=3e-3)


class UserError(Exception):
    """A problem with what the user asked for: printed as one line, exit status 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deltanet", description="Neural networks from first principles.")
    parser.add_argument("--version", action="version", version=f"deltanet {dn.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = commands.add_parser("train", help="train a model and write a run directory",
                                description="Train a model; writes model.npz, model.json, history.json, "
                                            "curves.png and checkpoint.npz into the run directory.")
    train.add_argument("dataset", choices=(*DATASETS, *SEQUENCE_TASKS))
    train.add_argument("--model", choices=("mlp", "nielsen", "cnn", "lstm", "gru", "rnn"),
                       help="mlp: Linear+activation layers, logits out; nielsen: sigmoid everywhere, N(0,1) init; "
                            "cnn: two 5×5 conv+ReLU+max-pool stages, then FC layers with dropout (images only); "
                            "lstm: images as sequences of rows → LSTM → last state → FC (Adam); "
                            "lstm/gru/rnn: the recurrent layer for `train adding|reber|text`")
    train.add_argument("--length", type=whole_number(1), default=50,
                       help="adding problem: sequence length, i.e. how far back the marked values lie")
    train.add_argument("--steps", type=whole_number(1), help="adding problem: at most this many Adam steps")
    train.add_argument("--corpus", default="python-docs",
                       help=f"text: {' or '.join(CORPORA)} (see deltanet.data.text) or the path of a UTF-8 file "
                            "(default python-docs, the Python language reference shipped with Python)")
    train.add_argument("--bptt", type=whole_number(1), default=64,
                       help="text: truncated BPTT window k, the characters per gradient step (default 64)")
    train.add_argument("--sample", type=whole_number(0), default=300,
                       help="text: characters to generate after training (default 300; 0 = none)")
    train.add_argument("--temperature", type=number(), default=0.8,
                       help="text: T of the sample, drawn from softmax(z / T); 0 = greedy (default 0.8)")
    train.add_argument("--hidden", type=whole_number(1), nargs="*", help="hidden layer sizes (e.g. --hidden 100 30)")
    train.add_argument("--activation", choices=("sigmoid", "tanh", "relu"))
    train.add_argument("--epochs", type=whole_number(1))
    train.add_argument("--batch", type=whole_number(1),
                       help="mini-batch size (1 = online learning); text: the number of parallel tracks")
    train.add_argument("--lr", type=number(), help="learning rate η")
    train.add_argument("--momentum", type=number())
    train.add_argument("--weight-decay", type=number(),
                       help="L2 on weights (Nielsen's λ/n; biases are not decayed)")
    train.add_argument("--optimizer", choices=("sgd", "adam"), help="default sgd")
    train.add_argument("--schedule", choices=("cosine", "none"),
                       help="learning-rate schedule over the epochs")
    train.add_argument("--loss", choices=LOSSES, help="ce: softmax cross-entropy (default); quadratic: "
                       "½‖a−y‖² on sigmoid outputs; bce: per-output sigmoid cross-entropy")
    train.add_argument("--encoding", choices=ENCODINGS, help="target encoding (default onehot)")
    train.add_argument("--dtype", choices=("float32", "float64"), help="default float32")
    train.add_argument("--seed", type=int, help="default 0")
    train.add_argument("--patience", type=whole_number(1), help="stop when validation loss stalls this many epochs")
    train.add_argument("--out", type=Path, help="run directory (default runs/DATASET-MODEL)")
    train.add_argument("--resume", type=Path, help="a checkpoint.npz (or run directory) to continue from")
    train.set_defaults(handler=command_train)

    evaluate_cmd = commands.add_parser("eval", help="accuracy of a saved model on a data set")
    evaluate_cmd.add_argument("path", type=Path, help="a run directory or a model .npz")
    evaluate_cmd.add_argument("--dataset", choices=DATASETS, help="default: the one it was trained on")
    evaluate_cmd.add_argument("--split", choices=("train", "validation", "test"), default="test")
    evaluate_cmd.set_defaults(handler=command_eval)

    diagnose = commands.add_parser("diagnose", help="gradient diagnostics (vanishing gradients through time)")
    what = diagnose.add_subparsers(dest="what", metavar="WHAT", required=True)
    vanishing = what.add_parser("vanishing", help="‖∂L/∂h_t‖ per time step: sigmoid/tanh RNN vs LSTM")
    vanishing.add_argument("--steps", type=whole_number(1), default=100, help="sequence length T (loss at T)")
    vanishing.add_argument("--hidden", type=whole_number(1), default=32, help="hidden size |h|")
    vanishing.add_argument("--seed", type=int, default=0)
    vanishing.add_argument("--out", type=Path, default=Path("runs/vanishing.png"), help="where the figure goes")
    vanishing.set_defaults(handler=command_diagnose_vanishing)

    from deltanet import figures, reproduce
    from deltanet.construct import cli as construct
    from deltanet.exercises import cli as exercises
    from deltanet.inspect import cli as trace
    from deltanet.theory import cli as theory
    from deltanet.train import charlm
    for command in (reproduce, trace, construct, theory, exercises, figures, charlm):
        command.add_parser(commands)
    return parser


# Defaults of the flags that have one regardless of the data set (None in the parser, so that --resume can
# tell a flag the user gave from one left out).
FLAG_DEFAULTS = dict(model="mlp", optimizer="sgd", schedule="cosine", encoding="onehot", dtype="float32", seed=0)


def _settings(args) -> dict:
    """The run's full settings: explicit flags over the data set's defaults."""
    if args.model == "cnn" and args.dataset not in CNN_DEFAULTS:
        raise UserError(f"--model cnn needs an image data set ({' or '.join(CNN_DEFAULTS)}), not {args.dataset}")
    if args.model in ("lstm", "gru", "rnn") and args.dataset not in LSTM_DEFAULTS:
        raise UserError(f"--model {args.model} needs an image data set ({' or '.join(LSTM_DEFAULTS)}) or a "
                        f"sequence task ({' or '.join(SEQUENCE_TASKS)}), not {args.dataset}")
    table = CNN_DEFAULTS if args.model == "cnn" else LSTM_DEFAULTS if args.model in ("lstm", "gru", "rnn") \
        else DEFAULTS
    settings = dict(table[args.dataset])
    for key in ("hidden", "activation", "epochs", "batch", "lr", "momentum", "weight_decay"):
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    if args.model == "nielsen":
        settings["activation"] = "sigmoid"
    flag_defaults = dict(FLAG_DEFAULTS)
    if args.model in ("lstm", "gru", "rnn"):
        flag_defaults.update(optimizer="adam", schedule="none")
    flags = {key: default if getattr(args, key) is None else getattr(args, key)
             for key, default in flag_defaults.items()}
    settings.update(dataset=args.dataset, loss=args.loss or ("quadratic" if args.model == "nielsen" else "ce"),
                    patience=args.patience, **flags)
    return settings


def _check_resume_flags(args, settings: dict, checkpoint: Path) -> None:
    """A resumed run keeps the settings in its settings.json: a flag that contradicts them is an error
    (it would be silently ignored, or break the bit-exact continuation), except --epochs where the
    schedule allows it and --patience."""
    keys = ("hidden", "activation", "batch", "lr", "momentum", "weight_decay", "loss", *FLAG_DEFAULTS)
    given = {key: getattr(args, key) for key in keys}
    conflicts = [f"--{key.replace('_', '-')} {_show(value)} (the run has {_show(settings.get(key))})"
                 for key, value in given.items() if value is not None and value != settings.get(key)]
    if args.dataset != settings["dataset"]:
        conflicts.insert(0, f"data set {args.dataset} (the run has {settings['dataset']})")
    if conflicts:
        raise UserError(f"--resume: {checkpoint} continues a run with other settings: {'; '.join(conflicts)}; "
                        "drop these flags to continue it, or start a new run with --out")
    if args.epochs is not None and args.epochs != settings["epochs"] and settings["schedule"] == "cosine":
        raise UserError(f"--resume: the run's cosine learning-rate schedule spans {settings['epochs']} epochs, "
                        f"so --epochs {args.epochs} cannot continue it exactly; resume without --epochs, or "
                        "train with --schedule none to extend a run later")


def _show(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def build_model(settings: dict, recipe: Recipe, n_in: int):
    sizes = [n_in, *settings["hidden"], recipe.outputs]
    if settings["model"] == "nielsen":
        return nielsen(sizes, output=recipe.output_activation)
    if settings["model"] == "cnn":
        if recipe.output_activation is not None:
            raise UserError("--model cnn outputs logits: use --loss ce or --loss bce")
        return cnn(IMAGE_SHAPES[settings["dataset"]], hidden=settings["hidden"], classes=recipe.outputs,
                   activation=settings["activation"])
    if settings["model"] in ("lstm", "gru", "rnn"):
        if recipe.output_activation is not None:
            raise UserError(f"--model {settings['model']} outputs logits: use --loss ce or --loss bce")
        return lstm(IMAGE_SHAPES[settings["dataset"]][1:], hidden=settings["hidden"][0], classes=recipe.outputs,
                    num_layers=len(settings["hidden"]), kind=settings["model"])
    return mlp(sizes, settings["activation"], output=recipe.output_activation)


def _optimizer(settings, model):
    decay = [p for name, p in model.named_parameters() if name.endswith("weight")]
    rest = [p for name, p in model.named_parameters() if not name.endswith("weight")]
    groups = [{"params": decay, "weight_decay": settings["weight_decay"]}, {"params": rest, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    if settings["optimizer"] == "adam":
        return dn.optim.Adam(groups, lr=settings["lr"])
    return dn.optim.SGD(groups, lr=settings["lr"], momentum=settings["momentum"])


def _resume_paths(resume: Path) -> tuple[Path, Path]:
    """(checkpoint file, run directory) for --resume given a file or a run directory."""
    checkpoint = resume / "checkpoint.npz" if resume.is_dir() else resume
    if not checkpoint.exists():
        raise UserError(f"--resume: no checkpoint at {checkpoint}")
    return checkpoint, checkpoint.parent


def command_train_sequence(args) -> int:
    """`deltanet train adding|reber|text`: the synthetic sequence tasks of deltanet.train.sequences and the
    character-level language model of deltanet.train.charlm."""
    from deltanet.train import sequences

    kind = args.model if args.model in ("lstm", "gru", "rnn") else "lstm"
    if args.model not in (None, "lstm", "gru", "rnn"):
        raise UserError(f"train {args.dataset}: --model must be lstm, gru or rnn, not {args.model}")
    if args.resume is not None:
        raise UserError(f"train {args.dataset}: --resume continues runs on the data sets ({', '.join(DATASETS)}), "
                        "not sequence tasks; train again with --out")
    dn.set_default_dtype(args.dtype or "float32")
    seed = 0 if args.seed is None else args.seed
    if args.dataset == "text":
        return _train_text(args, kind, seed, args.out or Path("runs") / f"text-{kind}")
    hidden = args.hidden[0] if args.hidden else (64 if args.dataset == "adding" else 16)
    if args.dataset == "adding":
        result = sequences.train_adding(kind, length=args.length, hidden=hidden, steps=args.steps or 6000,
                                        batch=args.batch or 64, lr=args.lr or 1e-3, seed=seed)
        print(f"adding problem, length {args.length}: best validation MSE {result['best_mse']:.4f} "
              f"(baseline: always answering 1 gives {sequences.ADDING_BASELINE:.4f}) — "
              f"{'solved' if result['solved'] else 'not solved'} (MSE < 0.01) after {result['steps']} steps, "
              f"{result['seconds']:.0f} s")
        metadata = {"task": "adding", "length": args.length, "best_mse": result["best_mse"]}
    else:
        result = sequences.train_reber(kind, hidden=hidden, epochs=args.epochs or 40, batch=args.batch or 32,
                                       lr=args.lr or 1e-2, seed=seed)
        print(f"embedded Reber grammar: {100 * result['test_accuracy']:.1f}% of 1,000 test strings predicted "
              f"right at every step after {result['epochs']} epochs, {result['seconds']:.0f} s")
        metadata = {"task": "reber", "test_accuracy": result["test_accuracy"]}
    run_dir = args.out or Path("runs") / f"{args.dataset}-{kind}"
    run_dir.mkdir(parents=True, exist_ok=True)
    dn.io.save(result["model"], run_dir / "model.npz", metadata=metadata)
    print(f"model: {run_dir / 'model.npz'}")
    return 0


def _train_text(args, kind: str, seed: int, run_dir: Path) -> int:
    """`deltanet train text`: a character-level language model on --corpus, then a sample of its text."""
    from deltanet.data.text import load_corpus
    from deltanet.train import charlm

    hidden = args.hidden or TEXT_DEFAULTS["hidden"]
    if len(set(hidden)) != 1:
        raise UserError(f"train text: stacked recurrent layers share one size (e.g. --hidden 256 256), "
                        f"got --hidden {_show(hidden)}")
    epochs = args.epochs or TEXT_DEFAULTS["epochs"]
    result = charlm.train_char_lm(load_corpus(args.corpus), kind, hidden[0], len(hidden), epochs=epochs,
                                  bptt=args.bptt, batch=args.batch or TEXT_DEFAULTS["batch"],
                                  lr=args.lr or TEXT_DEFAULTS["lr"], seed=seed)
    charlm.save_run(result, run_dir, args.corpus)
    print(f"{args.corpus}: validation {result['val_bits']:.3f} bits/char (unigram entropy "
          f"{result['unigram_bits']:.3f}) after {epochs} epochs, {result['seconds']:.0f} s")
    print(f"run directory: {run_dir}  (model.npz, model.json, history.json, curves.png)")
    if args.sample:
        print(f"sample (T = {args.temperature:g}, seed {seed}):")
        print(charlm.sample(result["model"], result["vocabulary"], args.sample, temperature=args.temperature,
                            seed=seed))
    return 0


def command_diagnose_vanishing(args) -> int:
    """`deltanet diagnose vanishing`: ‖∂L/∂h_t‖ per time step for sigmoid/tanh RNNs and LSTMs."""
    from deltanet.diagnose import vanishing_gradients
    from deltanet.plot.gradients import gradient_norms_over_time

    dn.set_default_dtype("float64")       # the norms go far below float32's range
    norms = vanishing_gradients(steps=args.steps, hidden=args.hidden, seed=args.seed)
    marks = sorted({1, args.steps // 4, args.steps // 2, 3 * args.steps // 4, args.steps} - {0})
    print(f"‖∂L/∂h_t‖ with the loss at t = {args.steps} (|h| = {args.hidden}, batch 8, torch's init):")
    print(f"{'':24}" + "".join(f"{'t = ' + str(t):>11}" for t in marks))
    for label, values in norms.items():
        print(f"{label:24}" + "".join(f"{values[t - 1]:>11.1e}" for t in marks))
    gradient_norms_over_time(norms, f"‖∂L/∂h_t‖, loss at t = {args.steps} (|h| = {args.hidden})", args.out)
    print(f"figure: {args.out}")
    return 0


def command_train(args) -> int:
    if args.dataset in SEQUENCE_TASKS:
        return command_train_sequence(args)
    checkpoint_path = None
    if args.resume is not None:
        checkpoint_path, run_dir = _resume_paths(args.resume)
        saved = run_dir / "settings.json"
        if not saved.exists():
            raise UserError(f"--resume: {run_dir} has no settings.json (not a deltanet run directory)")
        settings = json.loads(saved.read_text())
        _check_resume_flags(args, settings, checkpoint_path)
        if args.epochs is not None:
            settings["epochs"] = args.epochs
        run_dir = args.out or run_dir
    else:
        settings = _settings(args)
        run_dir = args.out or Path("runs") / f"{args.dataset}-{args.model}"
    dn.set_default_dtype(settings["dtype"])
    dn.manual_seed(settings["seed"])
    recipe = Recipe(settings["loss"], settings["encoding"], num_classes(settings["dataset"]))
    print(f"loading {settings['dataset']} …", flush=True)
    X, labels = load_split(settings["dataset"], "train")
    X_val, labels_val = load_split(settings["dataset"], "validation")
    model = build_model(settings, recipe, X.shape[1])
    optimizer = _optimizer(settings, model)
    scheduler = (dn.optim.lr_scheduler.CosineAnnealingLR(optimizer, settings["epochs"])
                 if settings["schedule"] == "cosine" else None)
    train_loader = recipe.loader(X, labels, settings["batch"], shuffle=True, seed=settings["seed"])
    val_loader = recipe.loader(X_val, labels_val, 1000)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "settings.json").write_text(json.dumps(settings, indent=1))
    checkpoint = Checkpoint(run_dir / "checkpoint.npz", min_interval=2.0)
    callbacks = [ProgressBar(settings["epochs"], summary_interval=1.0), GradNormLogger()]
    if settings.get("patience"):
        callbacks.append(EarlyStopping("val_loss", settings["patience"]))
    callbacks.append(checkpoint)           # last: it saves the epoch record the others have annotated
    trainer = Trainer(model, recipe.loss_function(), optimizer, train_loader, val_loader, scheduler, callbacks,
                      recipe.decode())
    if checkpoint_path is not None:
        load_checkpoint(checkpoint_path, trainer)
        print(f"resuming after epoch {trainer.epoch} from {checkpoint_path}")
    print(model.summary((X.shape[1],)) if settings["model"] == "cnn" else model.summary())
    start = time.perf_counter()
    try:
        trainer.fit(settings["epochs"])
    except TrainingDiverged as error:
        if checkpoint.saved_epoch is not None:
            where = f"the last good checkpoint (after epoch {checkpoint.saved_epoch}) is {checkpoint.path}"
        elif checkpoint_path is not None:
            where = f"the checkpoint it resumed from is {checkpoint_path}"
        else:
            where = "no checkpoint was written before it diverged; start again with a smaller --lr"
        raise UserError(f"{error}; {where}") from None
    elapsed = time.perf_counter() - start
    X_test, labels_test = load_split(settings["dataset"], "test")
    scores = evaluate(model, recipe.loader(X_test, labels_test, 1000), recipe.loss_function(), recipe.decode())
    metadata = {"settings": settings, "test_accuracy": scores["accuracy"]}
    dn.io.save(model, run_dir / "model.npz", metadata=metadata)
    dn.io.save_architecture(model, run_dir / "model.json")
    (run_dir / "history.json").write_text(trainer.history.to_json())
    from deltanet.plot import training_curves

    title = f"{settings['dataset']} — {settings['model']} {settings['hidden']} — test {100 * scores['accuracy']:.2f}%"
    training_curves(trainer.history.records, title, run_dir / "curves.png")
    print(f"training time: {elapsed:.1f} s for {len(trainer.history)} epochs")
    print(f"test accuracy: {100 * scores['accuracy']:.2f}% ({len(labels_test):,} examples)")
    print(f"run directory: {run_dir}  (model.npz, model.json, history.json, checkpoint.npz)")
    print(f"curves: {run_dir / 'curves.png'}")
    return 0


def command_eval(args) -> int:
    path = args.path / "model.npz" if args.path.is_dir() else args.path
    if not path.exists():
        raise UserError(f"eval: no model file at {path}")
    header = dn.io.info(path)
    settings = header.get("metadata", {}).get("settings")
    model = dn.io.load(path)
    if settings is None:
        task = header.get("metadata", {}).get("task")
        if task in SEQUENCE_TASKS:
            hint = ("`deltanet sample` generates text from it" if task == "text"
                    else "its score is in the model file's metadata, dn.io.info(path)")
            raise UserError(f"eval: {path} is a `deltanet train {task}` model; eval scores image and point data "
                            f"sets only ({hint})")
        raise UserError(f"eval: {path} has no training settings (it was not written by `deltanet train`)")
    dataset = args.dataset or settings["dataset"]
    recipe = Recipe(settings["loss"], settings["encoding"], num_classes(dataset))
    X, labels = load_split(dataset, args.split, dtype=model.parameters().__next__().dtype)
    first = model[0]
    n_in = first.in_features if isinstance(first, dn.nn.Linear) else \
        int(np.prod(first.unflattened_size)) if isinstance(first, dn.nn.Unflatten) else X.shape[1]
    if X.shape[1] != n_in:
        raise UserError(f"eval: the model takes {n_in} inputs, {dataset} has {X.shape[1]}")
    scores = evaluate(model, recipe.loader(X, labels, 1000), recipe.loss_function(), recipe.decode())
    print(f"{dataset} {args.split}: accuracy {100 * scores['accuracy']:.2f}% ({len(labels):,} examples), "
          f"loss {scores['loss']:.4f}")
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UserError, DataError, ModelFileError, CheckpointError) as error:
        print(f"deltanet: error: {error}", file=sys.stderr)
    except (ValueError, TypeError, KeyError, FileNotFoundError) as error:
        if os.environ.get("DELTANET_DEBUG"):
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"deltanet: error: {message}", file=sys.stderr)
    except KeyboardInterrupt:
        print("deltanet: interrupted (a run can continue with --resume RUN_DIR)", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
