"""The character-level language model: corpus and vocabulary (data.text), truncated-BPTT training along
parallel tracks, bits per character, temperature sampling, the run directory and `deltanet sample`."""

from __future__ import annotations

import argparse
import doctest
import math

import numpy as np
import pytest

import deltanet as dn
from deltanet.data import DataError
from deltanet.data import text as tx
from deltanet.train import charlm

PATTERN_UNIGRAM = -(2 * (1 / 3) * math.log2(1 / 3) + 2 * (1 / 6) * math.log2(1 / 6))   # a, b: 1/3; c, d: 1/6


@pytest.fixture(scope="module")
def pattern_run():
    """A 16-unit LSTM trained on "abcabd…" for 3 epochs (well under a second)."""
    dtype, state = dn.get_default_dtype(), dn.get_rng_state()
    dn.set_default_dtype(np.float32)
    result = charlm.train_char_lm(tx.load_corpus("pattern"), hidden=16, epochs=3, bptt=16, batch=16, lr=1e-2,
                                  log=None)
    dn.set_default_dtype(dtype)
    dn.set_rng_state(state)
    return result


# ---- corpus and vocabulary -----------------------------------------------------------------------------


def test_python_docs_corpus_is_deterministic_and_covers_the_reference():
    from pydoc_data.topics import topics

    text = tx.load_corpus("python-docs")
    assert text == tx.load_corpus("python-docs")
    assert len(text) == sum(map(len, topics.values())) + 2 * (len(topics) - 1) > 300_000
    assert text.startswith(topics[min(topics)]) and text.endswith(topics[max(topics)])
    assert all(body in text for body in topics.values())
    vocabulary = tx.Vocabulary(text)
    assert vocabulary.chars == "".join(sorted(set(text))) and len(vocabulary) == len(set(text))
    ids = vocabulary.encode(text)
    assert ids.dtype == np.int64 and ids.min() == 0 and ids.max() == len(vocabulary) - 1
    assert vocabulary.decode(ids) == text


def test_the_module_example_runs():
    result = doctest.testmod(tx)
    assert result.attempted >= 3 and result.failed == 0


def test_encode_decode_round_trip_and_errors():
    vocabulary = tx.Vocabulary("hello world")
    assert vocabulary.chars == " dehlorw"
    assert vocabulary.encode("hello").tolist() == [3, 2, 4, 4, 5]
    assert vocabulary.decode(np.array([[7, 5, 6], [4, 1, 0]])) == "world "
    assert vocabulary.decode(vocabulary.encode("low red")) == "low red"
    assert tx.Vocabulary(vocabulary.chars).chars == vocabulary.chars       # as rebuilt from a run's metadata
    with pytest.raises(ValueError, match="'!,z' are not in the vocabulary"):
        vocabulary.encode("hello, z!")
    with pytest.raises(ValueError, match=r"integer indices in 0\.\.7"):
        vocabulary.decode([8])
    with pytest.raises(ValueError, match="integer indices"):
        vocabulary.decode(np.array([1.0]))
    with pytest.raises(TypeError, match="non-empty str"):
        tx.Vocabulary("")


def test_corpus_files_and_errors(tmp_path):
    assert tx.load_corpus("pattern") == "abcabd" * 1000
    path = tmp_path / "poem.txt"
    path.write_text("the cat sat — on the mat\n", encoding="utf-8")
    assert tx.load_corpus(str(path)) == "the cat sat — on the mat\n"
    with pytest.raises(DataError, match="not one of python-docs, pattern and no file"):
        tx.load_corpus(str(tmp_path / "missing.txt"))
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        tx.load_corpus(str(tmp_path / "latin1.txt"))
    (tmp_path / "one.txt").write_text("aaaa")
    with pytest.raises(DataError, match="at least two distinct characters"):
        tx.load_corpus(str(tmp_path / "one.txt"))


def test_split_tracks_and_unigram_entropy():
    train, val = tx.split(np.arange(100), 0.1)
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))
    x, y = tx.tracks(np.arange(23), 4)                      # L = 22 // 4 = 5; the last two characters dropped
    assert x.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
    np.testing.assert_array_equal(y, x + 1)
    assert tx.unigram_entropy(np.array([0, 1, 2, 3] * 5)) == pytest.approx(2.0, abs=1e-12)
    pattern = tx.Vocabulary("abcd").encode(tx.load_corpus("pattern"))
    assert tx.unigram_entropy(pattern) == pytest.approx(PATTERN_UNIGRAM, abs=1e-12)   # 1.918 bits
    with pytest.raises(ValueError, match="fraction in"):
        tx.split(np.arange(10), 1.0)
    with pytest.raises(ValueError, match="fewer than 2"):
        tx.split(np.arange(10), 0.05)
    with pytest.raises(ValueError, match="use a smaller batch"):
        tx.tracks(np.arange(5), 8)


# ---- model and truncated BPTT ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, states", [("lstm", 2), ("gru", 1), ("rnn", 1)])
def test_model_runs_with_a_state_carried_in_and_out(kind, states):
    model = charlm.char_lm(5, hidden=6, num_layers=2, kind=kind)
    ids = np.array([[0, 1, 2], [4, 3, 2]])
    z, state = charlm.forward(model, ids)
    assert z.shape == (2, 3, 5)
    state = state if kind == "lstm" else (state,)
    assert len(state) == states and all(s.shape == (2, 2, 6) for s in state)
    np.testing.assert_allclose(model(dn.tensor(dn.data.encode.one_hot(ids, 5))).data, z.data)  # zeros = no state
    # running the characters in two pieces, the state carried between them, gives the same logits
    z1, carried = charlm.forward(model, ids[:, :2])
    z2, _ = charlm.forward(model, ids[:, 2:], carried)
    np.testing.assert_allclose(np.concatenate([z1.data, z2.data], axis=1), z.data, rtol=1e-12, atol=1e-14)


def test_tbptt_windows_carry_the_state_detached(monkeypatch):
    seen = []
    forward = charlm.forward

    def spy(model, ids, state=None):
        z, new_state = forward(model, ids, state)
        seen.append((ids.shape[1], state, new_state))
        return z, new_state

    monkeypatch.setattr(charlm, "forward", spy)
    bptt, length = 3, 3 * charlm.CHUNK_WINDOWS + 5        # two TruncatedBPTT.run chunks; the last window is 2
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (2, length))
    model = charlm.char_lm(4, hidden=5)
    charlm.train_epoch(model, dn.optim.SGD(model.parameters(), lr=0.1), x, np.roll(x, -1, axis=1), bptt)
    assert [k for k, _, _ in seen] == [3] * (charlm.CHUNK_WINDOWS + 1) + [2]
    assert seen[0][1] is None                                # each epoch starts from zeros
    for (_, _, leaving), (_, entering, _) in zip(seen[:-1], seen[1:]):
        for out, into in zip(leaving, entering):
            np.testing.assert_array_equal(into.data, out.data)   # the state leaving window n enters n + 1 …
            assert out.requires_grad and out.grad_fn is not None
            assert not into.requires_grad and into.grad_fn is None   # … cut off from window n's graph


def test_epoch_cost_is_the_mean_over_all_characters():
    """With lr = 0 the weights stay put, so the training pass's cost (windows of 5, the last one 2 long)
    must equal the cost `score` measures in one go, character for character."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 6, (3, 37))
    y = rng.integers(0, 6, (3, 37))
    model = charlm.char_lm(6, hidden=7, kind="gru")
    cost = charlm.train_epoch(model, dn.optim.SGD(model.parameters(), lr=0.0), x, y, bptt=5)
    scores = charlm.score(model, x, y, bptt=37)
    assert cost == pytest.approx(scores["loss"], rel=1e-12)
    assert scores["bits_per_char"] == pytest.approx(scores["loss"] / math.log(2), rel=1e-15)
    z, _ = charlm.forward(model, x)
    assert scores["accuracy"] == pytest.approx(np.mean(z.data.argmax(-1) == y))


def test_small_lstm_learns_the_pattern_far_below_the_unigram_entropy(pattern_run):
    history = pattern_run["history"]
    assert pattern_run["unigram_bits"] == pytest.approx(PATTERN_UNIGRAM, abs=0.01)
    assert len(history) == 3 and history["val_bpc"][0] > history["val_bpc"][-1]
    assert pattern_run["val_bits"] < 0.25, history.records     # vs 1.92 bits for the character frequencies
    assert history.last["val_accuracy"] > 0.95
    assert pattern_run["seconds"] < 10


# ---- sampling ---------------------------------------------------------------------------------------------


def test_greedy_sampling_continues_the_pattern_and_is_the_limit_of_small_temperature(pattern_run):
    model, vocabulary = pattern_run["model"], pattern_run["vocabulary"]
    greedy = charlm.sample(model, vocabulary, 30, prime="abcab", temperature=0)
    assert greedy == ("abcabd" * 6)[:35]
    assert charlm.sample(model, vocabulary, 30, prime="abcab", temperature=1e-4, seed=5) == greedy
    assert charlm.sample(model, vocabulary, 3, prime="abcab", temperature=0, seed=9) == "abcabdab"


def test_sampling_is_seeded_and_follows_softmax_over_temperature():
    dn.manual_seed(0)
    vocabulary = tx.Vocabulary("abcd")
    model = charlm.char_lm(4, hidden=8)
    first = charlm.sample(model, vocabulary, 50, prime="ab", temperature=1.0, seed=3)
    assert len(first) == 52 and first.startswith("ab") and set(first) <= set("abcd")
    assert charlm.sample(model, vocabulary, 50, prime="ab", temperature=1.0, seed=3) == first
    assert charlm.sample(model, vocabulary, 50, prime="ab", temperature=1.0, seed=4) != first
    assert charlm.sample(model, vocabulary, 0, prime="ab") == "ab"
    assert model.training                                     # sampling leaves the mode as it found it
    # logits that ignore the state, z = ln p: the draws follow softmax(z / T) ∝ p^(1/T)
    p = np.array([0.5, 0.3, 0.15, 0.05])
    model[-1].weight.data[...] = 0
    model[-1].bias.data[...] = np.log(p)
    for temperature in (1.0, 0.5):
        drawn = charlm.sample(model, vocabulary, 2000, prime="a", temperature=temperature, seed=1)[1:]
        expected = p ** (1 / temperature) / (p ** (1 / temperature)).sum()
        frequencies = np.array([drawn.count(c) for c in "abcd"]) / len(drawn)
        np.testing.assert_allclose(frequencies, expected, atol=0.035)   # ≈ 3 standard errors


def test_sampling_errors():
    vocabulary = tx.Vocabulary("abcd")
    model = charlm.char_lm(4, hidden=3)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        charlm.sample(model, vocabulary, 5, prime="abx")
    with pytest.raises(ValueError, match="prime must be a non-empty str"):
        charlm.sample(model, vocabulary, 5, prime="")
    with pytest.raises(ValueError, match="temperature must be a finite number ≥ 0"):
        charlm.sample(model, vocabulary, 5, temperature=-1.0)
    with pytest.raises(ValueError, match="length must be a whole number"):
        charlm.sample(model, vocabulary, -2)
    with pytest.raises(ValueError, match="predicts 4 characters, the vocabulary has 3"):
        charlm.sample(model, tx.Vocabulary("abc"), 5)


# ---- run directory, `deltanet train text` and `deltanet sample` ------------------------------------------


def _sample_cli(argv):
    parser = argparse.ArgumentParser(prog="deltanet")
    charlm.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_train_text_writes_a_run_that_sample_continues(tmp_path, capsys):
    from deltanet.cli import main

    run = tmp_path / "run"
    status = main(["train", "text", "--corpus", "pattern", "--hidden", "16", "--epochs", "3", "--bptt", "16",
                   "--batch", "16", "--lr", "0.01", "--sample", "10", "--temperature", "0", "--out", str(run)])
    out = capsys.readouterr().out
    assert status == 0
    assert "epoch 3/3: training" in out and "unigram entropy 1.918" in out
    assert {p.name for p in run.iterdir()} >= {"model.npz", "model.json", "history.json", "curves.png"}
    metadata = dn.io.info(run / "model.npz")["metadata"]
    assert metadata["vocabulary"] == "abcd" and metadata["corpus"] == "pattern" and metadata["val_bits"] < 0.25
    assert dn.train.History.from_json((run / "history.json").read_text())["epoch"] == [1, 2, 3]

    model, vocabulary = charlm.load_run(run)
    assert out.rstrip().splitlines()[-1] == charlm.sample(model, vocabulary, 10, temperature=0)   # prime "a"
    assert _sample_cli(["sample", str(run), "--chars", "12", "--temperature", "0", "--prime", "abcab"]) == 0
    assert capsys.readouterr().out == "abcabdabcabdabcab\n"
    dn.io.save(charlm.char_lm(4, 3)[-1], tmp_path / "other.npz")
    with pytest.raises(ValueError, match="not a character-level language model"):
        _sample_cli(["sample", str(tmp_path / "other.npz")])
    with pytest.raises(ValueError, match="no model file"):
        _sample_cli(["sample", str(tmp_path / "nowhere")])


@pytest.mark.parametrize("argv, fragment", [
    (["--hidden", "16", "32"], "stacked recurrent layers share one size"),
    (["--resume", "runs/x"], "--resume continues runs on the data sets"),
    (["--model", "cnn"], "--model must be lstm, gru or rnn"),
    (["--corpus", "/no/such/file.txt"], "no file at /no/such/file.txt"),
])
def test_train_text_refuses_bad_flags_in_one_line(argv, fragment, capsys):
    from deltanet.cli import main

    assert main(["train", "text", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deltanet: error: ") and fragment in err and len(err.strip().splitlines()) == 1
