"""`dn.train.fit` and `evaluate`: what the history records, that training learns, and accuracy and mean
loss computed by hand on outputs we choose (an Identity model passes them through unchanged)."""

import math

import numpy as np
import pytest
from train_helpers import RECORD_KEYS, X_TRAIN, Y_TRAIN, blob_loaders

import deltanet as dn
from deltanet import nn
from deltanet.data import DataLoader, TensorDataset, datasets, encode
from deltanet.train import Trainer, evaluate, fit


def test_fit_on_blobs_records_every_field_and_learns():
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = dn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = dn.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    train, val = blob_loaders(batch_size=16)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=5, scheduler=scheduler)

    assert len(history) == 5
    for i, record in enumerate(history.records, start=1):
        assert set(record) == RECORD_KEYS
        assert record["epoch"] == i
        assert record["time"] > 0
        for key in ("train_loss", "val_loss"):
            assert math.isfinite(record[key]) and record[key] > 0
        for key in ("train_accuracy", "val_accuracy"):
            assert 0 <= record[key] <= 1
    assert history["lr"] == pytest.approx([0.05, 0.05, 0.025, 0.025, 0.0125])   # lr used during each epoch
    assert history["epoch"] == [1, 2, 3, 4, 5]
    losses = history["train_loss"]
    assert losses[-1] < 0.2 * losses[0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history.last["val_accuracy"] == 1.0            # the clusters are far apart
    assert history.best("val_loss", "min")["val_loss"] == min(history["val_loss"])
    # the recorded validation numbers are exactly what evaluate() says afterwards
    scores = evaluate(model, val, nn.CrossEntropyLoss())
    assert scores["loss"] == pytest.approx(history.last["val_loss"], rel=1e-12)
    assert scores["accuracy"] == history.last["val_accuracy"]


def test_fit_without_validation_has_no_val_fields_and_train_loss_is_the_epoch_mean():
    dn.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 3))
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(X_TRAIN[:50], Y_TRAIN[:50]), batch_size=20)   # batches 20, 20, 10
    w = {n: p.data.copy() for n, p in model.named_parameters()}
    history = fit(model, loss_fn, dn.optim.SGD(model.parameters(), lr=0.0), loader, epochs=1)
    assert set(history.last) == {"epoch", "train_loss", "train_accuracy", "time", "lr"}
    for n, p in model.named_parameters():          # lr = 0: weights unchanged, so the loss is easy to check
        np.testing.assert_array_equal(p.data, w[n])
    with dn.no_grad():
        z = model(dn.tensor(X_TRAIN[:50])).data.astype(np.float64)
    log_p = z - z.max(1, keepdims=True) - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
    expected = -log_p[np.arange(50), Y_TRAIN[:50]].mean()
    assert history.last["train_loss"] == pytest.approx(expected, rel=1e-5)
    assert history.last["train_accuracy"] == np.mean(z.argmax(1) == Y_TRAIN[:50])


def test_fit_learns_xor_with_a_sigmoid_network_and_quadratic_cost():
    dn.set_default_dtype(np.float64)
    dn.manual_seed(3)
    X, y = datasets.xor()
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    history = fit(model, nn.MSELoss(), dn.optim.SGD(model.parameters(), lr=10.0), loader, epochs=400)
    assert history["train_loss"][-1] < 0.05 * history["train_loss"][0]
    assert history.last["train_accuracy"] == 1.0            # one sigmoid output: a > 0.5 means class 1
    assert evaluate(model, (X, y))["accuracy"] == 1.0


def test_fit_continues_the_epoch_count_of_its_trainer():
    dn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3))
    train, _ = blob_loaders()
    trainer = Trainer(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train)
    trainer.fit(2)
    trainer.fit(5)                                  # "until 5 epochs in total", not 5 more
    assert trainer.history["epoch"] == [1, 2, 3, 4, 5]
    assert trainer.fit(3) is trainer.history and len(trainer.history) == 5


@pytest.mark.parametrize("epochs", [-1, 2.0, "3", None])
def test_fit_refuses_a_bad_epoch_count(epochs):
    model = nn.Sequential(nn.Linear(2, 3))
    train, _ = blob_loaders()
    with pytest.raises(ValueError, match="epochs must be a non-negative integer"):
        fit(model, nn.CrossEntropyLoss(), dn.optim.SGD(model.parameters(), lr=0.1), train, epochs=epochs)


# ---- evaluate on hand-made outputs --------------------------------------------------------------------------

OUTPUTS = np.array([[0.1, 0.7, 0.2],     # → 1
                    [0.9, 0.05, 0.05],   # → 0
                    [0.3, 0.3, 0.4],     # → 2
                    [0.5, 0.2, 0.3]])    # → 0
LABELS = np.array([1, 0, 0, 2])          # right, right, wrong, wrong


def test_evaluate_accuracy_and_mean_cross_entropy_by_hand():
    z = OUTPUTS
    expected_loss = np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(4), LABELS])
    for batch_size in (1, 3, 4):                    # the mean is over examples, not over batches
        loader = DataLoader(TensorDataset(OUTPUTS, LABELS), batch_size=batch_size)
        scores = evaluate(nn.Identity(), loader, nn.CrossEntropyLoss())
        assert scores["accuracy"] == 0.5
        assert scores["loss"] == pytest.approx(expected_loss, rel=1e-6)
    # one-hot targets decode by argmax the same way; an (X, y) pair works as the loader
    assert evaluate(nn.Identity(), (OUTPUTS, encode.one_hot(LABELS, 3)))["accuracy"] == 0.5
    assert evaluate(nn.Identity(), (OUTPUTS, LABELS)) == {"loss": None, "accuracy": 0.5}


def test_evaluate_with_the_binary_decoder():
    labels = np.array([5, 3, 9, 0])
    outputs = np.array([[0.1, 0.9, 0.2, 0.8],     # 0101 = 5  right
                        [0.2, 0.1, 0.9, 0.4],     # 0010 = 2  wrong (3)
                        [0.6, 0.4, 0.3, 0.7],     # 1001 = 9  right
                        [0.4, 0.4, 0.4, 0.6]])    # 0001 = 1  wrong (0)
    bits = encode.binary(labels, bits=4, dtype=np.float64)
    decode = encode.decode_binary
    scores = evaluate(nn.Identity(), (outputs, bits), nn.QuadraticLoss(), decode=decode)
    assert scores["accuracy"] == 0.5
    assert scores["loss"] == pytest.approx(0.5 * np.sum((outputs - bits) ** 2) / 4, rel=1e-12)
    # integer labels as targets are compared with the decoded outputs directly
    assert evaluate(nn.Identity(), (outputs, labels), decode=decode)["accuracy"] == 0.5
    # logits: decode at threshold 0 (what the bce recipe does)
    logits = np.where(outputs > 0.5, 3.0, -3.0)
    assert evaluate(nn.Identity(), (logits, bits), decode=lambda a: decode(a, threshold=0.0))["accuracy"] == 0.5


def test_evaluate_restores_training_mode_and_records_no_graph():
    model = nn.Sequential(nn.Linear(3, 3))
    model.train()
    evaluate(model, (OUTPUTS.astype(np.float32), LABELS), nn.CrossEntropyLoss())
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    evaluate(model, (OUTPUTS.astype(np.float32), LABELS))
    assert not model.training


def test_evaluate_refuses_an_empty_loader():
    loader = DataLoader(TensorDataset(OUTPUTS, LABELS), batch_size=8, drop_last=True)
    with pytest.raises(ValueError, match="no examples"):
        evaluate(nn.Identity(), loader)
