import json

import numpy as np
import pytest

from deltanet.data import DataLoader, Dataset, TensorDataset
from deltanet.random import manual_seed
from deltanet.tensor import Tensor


def numbered(n):
    """A data set whose example i is (i, 2i), so a batch tells which examples it holds."""
    return TensorDataset(np.arange(n), 2 * np.arange(n, dtype=np.float64)[:, None])


def epoch_indices(loader):
    batches = list(loader)
    for x, y in batches:
        assert isinstance(x, Tensor) and isinstance(y, Tensor)
        np.testing.assert_array_equal(y.data[:, 0], 2 * x.data)  # fields stay aligned
    return [b[0].data for b in batches]


# ---- TensorDataset --------------------------------------------------------------------------------


def test_tensor_dataset_indexing_and_length():
    X, y = np.arange(12.0).reshape(4, 3), np.array([3, 1, 4, 1])
    ds = TensorDataset(Tensor(X), y)
    assert len(ds) == 4
    x2, y2 = ds[2]
    assert isinstance(x2, Tensor) and isinstance(y2, Tensor)
    np.testing.assert_array_equal(x2.data, X[2])
    assert y2.data == 4
    assert ds.tensors[0].data is X  # wrapped, not copied


def test_tensor_dataset_rejects_mismatched_first_dims():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 3\), \(4,\)"):
        TensorDataset(np.zeros((5, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="first \\(example\\) dimension"):
        TensorDataset(np.float64(1.0))


# ---- DataLoader: coverage -------------------------------------------------------------------------


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 5, 10, 11])
def test_every_example_once_per_epoch(shuffle, batch_size):
    n = 10
    loader = DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle, seed=0)
    for _ in range(3):
        batches = epoch_indices(loader)
        assert len(batches) == len(loader) == -(-n // batch_size)
        assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
        assert len(batches[-1]) == n - batch_size * (len(batches) - 1)
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
        if not shuffle:
            np.testing.assert_array_equal(np.concatenate(batches), np.arange(n))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 5, 10, 11])
def test_drop_last_gives_full_batches_of_distinct_examples(shuffle, batch_size):
    n = 10
    loader = DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle, drop_last=True, seed=0)
    batches = epoch_indices(loader)
    assert len(batches) == len(loader) == n // batch_size
    assert all(len(b) == batch_size for b in batches)
    seen = np.concatenate(batches) if batches else np.array([], dtype=int)
    assert len(np.unique(seen)) == len(seen) == (n // batch_size) * batch_size


def test_empty_dataset_has_no_batches():
    loader = DataLoader(numbered(0), batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 0 and list(loader) == []


def test_batches_come_from_one_fancy_index_not_per_example_calls():
    class NoItems(TensorDataset):
        def __getitem__(self, index):
            raise AssertionError("DataLoader must not fetch examples one by one")

    X = np.arange(20.0).reshape(10, 2)
    (x,), *_ = DataLoader(NoItems(X), batch_size=4)
    np.testing.assert_array_equal(x.data, X[:4])
    assert x.dtype == X.dtype


def test_generic_dataset_is_collated():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i]), i * i

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    x, y = batches[0]
    np.testing.assert_array_equal(x.data, [[0, 0], [1, 1]])
    np.testing.assert_array_equal(y.data, [0, 1])


def test_dataset_is_abstract():
    with pytest.raises(TypeError):
        Dataset()


# ---- DataLoader: shuffling, seeds, resuming ---------------------------------------------------------


def epochs(loader, k):
    return [np.concatenate(epoch_indices(loader)) for _ in range(k)]


def test_shuffle_draws_a_new_permutation_each_epoch():
    a, b = epochs(DataLoader(numbered(100), batch_size=7, shuffle=True, seed=0), 2)
    assert not np.array_equal(a, np.arange(100)) and not np.array_equal(a, b)


def test_same_seed_same_order_different_seed_different_order():
    first = epochs(DataLoader(numbered(50), batch_size=8, shuffle=True, seed=3), 3)
    again = epochs(DataLoader(numbered(50), batch_size=8, shuffle=True, seed=3), 3)
    other = epochs(DataLoader(numbered(50), batch_size=8, shuffle=True, seed=4), 3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_without_seed_the_library_generator_decides():
    manual_seed(11)
    first = epochs(DataLoader(numbered(50), batch_size=8, shuffle=True), 2)
    manual_seed(11)
    again = epochs(DataLoader(numbered(50), batch_size=8, shuffle=True), 2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_resume_from_state_dict_continues_the_uninterrupted_sequence():
    uninterrupted = epochs(DataLoader(numbered(40), batch_size=6, shuffle=True, seed=5), 5)

    run = DataLoader(numbered(40), batch_size=6, shuffle=True, seed=5)
    epochs(run, 2)
    checkpoint = json.loads(json.dumps(run.state_dict()))  # survives a JSON checkpoint file

    resumed = DataLoader(numbered(40), batch_size=6, shuffle=True, seed=123)
    resumed.load_state_dict(checkpoint)
    for a, b in zip(epochs(resumed, 3), uninterrupted[2:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_state_dict_rejects_garbage():
    loader = DataLoader(numbered(4), shuffle=True, seed=0)
    with pytest.raises(ValueError, match="DataLoader.state_dict"):
        loader.load_state_dict({"weights": 1})
    with pytest.raises(ValueError, match="DataLoader.state_dict"):
        loader.load_state_dict({"generator": {"bit_generator": "MT19937", "state": {}}})
    with pytest.raises(ValueError, match="invalid PCG64"):
        loader.load_state_dict({"generator": {"bit_generator": "PCG64", "state": {}}})


# ---- DataLoader: argument checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be ≥ 1"),
        ({"batch_size": -3}, ValueError, "batch_size must be ≥ 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"batch_size": True}, TypeError, "batch_size must be an integer"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"drop_last": 1}, TypeError, "drop_last must be True or False"),
        ({"seed": -1}, ValueError, "seed must be ≥ 0"),
        ({"seed": "0"}, TypeError, "seed must be an integer"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(numbered(4), **kwargs)


def test_dataset_must_be_a_dataset():
    with pytest.raises(TypeError, match="TensorDataset"):
        DataLoader(np.zeros((4, 2)))
