"""Sequence tasks: data generators and model builders (fast), and the end-to-end results (marked slow):
an LSTM solves the adding problem at lag 50 where a vanilla RNN stays at the baseline, an LSTM reaches
≥ 97 % on row-MNIST, and learns the embedded Reber grammar."""

from __future__ import annotations

import numpy as np
import pytest

import deltanet as dn
from deltanet.train import sequences as seq


def test_reber_strings_and_targets_follow_the_grammar():
    rng = np.random.default_rng(0)
    for _ in range(200):
        s = seq.reber_string(rng)
        assert s[0] == "B" and s[1] in "TP" and s[2] == "B" and s[-1] == "E" and s[-2] == s[1] and s[-3] == "E"
        allowed = seq._next_symbols(s, embedded=True)
        assert len(allowed) == len(s) - 1
        for k, options in enumerate(allowed):
            assert s[k + 1] in options                     # the string itself always takes an allowed step
    plain = seq.reber_string(rng, embedded=False)
    assert plain[0] == "B" and plain[-1] == "E"
    X, Y, mask = seq.reber_sequences(50, seed=1)
    assert X.shape == Y.shape and X.shape[:2] == mask.shape and X.shape[2] == 7
    assert np.all(X.sum(axis=2) == mask)                   # one symbol per real step, zeros in the padding
    assert np.all((Y.sum(axis=2) >= 1) == (mask == 1))


def test_models_build_run_and_save(tmp_path):
    dn.set_default_dtype(np.float32)
    model = seq.row_classifier(hidden=16)
    assert model(dn.zeros(3, 784)).shape == (3, 10)
    again = dn.io.load(dn.io.save(model, tmp_path / "row.npz"))
    x = dn.rand(2, 784)
    np.testing.assert_array_equal(again(x).data, model(x).data)
    assert seq.sequence_regressor("rnn", hidden=8)(dn.zeros(4, 30, 2)).shape == (4, 1)
    assert seq.reber_tagger("gru", hidden=8)(dn.zeros(4, 12, 7)).shape == (4, 12, 7)
    with pytest.raises(ValueError, match="unknown recurrent layer"):
        seq.row_classifier(kind="transformer")


def test_adding_training_loop_runs():
    dn.set_default_dtype(np.float32)
    result = seq.train_adding("lstm", length=10, hidden=8, steps=20, eval_every=10, log=None)
    assert [s for s, _ in result["curve"]] == [10, 20] and result["steps"] == 20
    assert np.isfinite(result["best_mse"])


@pytest.mark.slow
def test_lstm_solves_the_adding_problem_and_a_vanilla_rnn_does_not():
    dn.set_default_dtype(np.float32)
    lstm = seq.train_adding("lstm", length=50, hidden=64, steps=6000, log=None)
    rnn = seq.train_adding("rnn", length=50, hidden=64, steps=3000, log=None)
    assert lstm["solved"], lstm["curve"]
    assert rnn["best_mse"] > 0.5 * seq.ADDING_BASELINE, rnn["curve"]


@pytest.mark.slow
def test_lstm_learns_the_embedded_reber_grammar():
    dn.set_default_dtype(np.float32)
    assert seq.train_reber("lstm", hidden=16, epochs=40, log=None)["test_accuracy"] >= 0.99


@pytest.mark.slow
def test_lstm_reaches_97_percent_on_row_mnist():
    dn.set_default_dtype(np.float32)
    assert seq.train_row_mnist(epochs=4, log=None)["test_accuracy"] >= 0.97   # 97.6 % in ~40 s on 2 cores
