import numpy as np
import pytest

from deltanet.data.encode import binary, decode_binary, decode_one_hot, one_hot
from deltanet.tensor import Tensor, get_default_dtype, set_default_dtype

DIGITS = np.arange(10)


@pytest.fixture
def float64_default():
    previous = get_default_dtype()
    set_default_dtype(np.float64)
    yield
    set_default_dtype(previous)


def test_one_hot_is_the_identity_on_digits_and_round_trips():
    encoded = one_hot(DIGITS)
    np.testing.assert_array_equal(encoded, np.eye(10))
    assert encoded.dtype == get_default_dtype()
    np.testing.assert_array_equal(decode_one_hot(encoded), DIGITS)


def test_one_hot_shapes_dtypes_and_tensors(float64_default):
    labels = Tensor(np.array([[1, 2], [0, 3]]))
    encoded = one_hot(labels, num_classes=4)
    assert encoded.shape == (2, 2, 4) and encoded.dtype == np.float64
    np.testing.assert_array_equal(decode_one_hot(Tensor(encoded)), labels.data)
    assert one_hot([2], num_classes=3, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(one_hot(np.array([2.0, 0.0]), 3), [[0, 0, 1], [1, 0, 0]])


def test_one_hot_errors():
    with pytest.raises(
        ValueError, match=r"label 10 is out of range for num_classes=10 \(labels must lie in 0..9\)"
    ):
        one_hot([3, 10])
    with pytest.raises(ValueError, match="≥ 0"):
        one_hot([-1])
    with pytest.raises(ValueError, match="whole numbers"):
        one_hot([0.5])
    with pytest.raises(TypeError, match="must be integers"):
        one_hot(["a"])
    with pytest.raises(ValueError, match="num_classes must be ≥ 1"):
        one_hot([0], num_classes=0)


def test_binary_is_most_significant_bit_first():
    np.testing.assert_array_equal(binary(5), [0, 1, 0, 1])
    np.testing.assert_array_equal(binary([1, 8], bits=4), [[0, 0, 0, 1], [1, 0, 0, 0]])
    np.testing.assert_array_equal(binary(6, bits=3), [1, 1, 0])
    assert binary(DIGITS).dtype == get_default_dtype()


def test_binary_round_trips_all_digits_and_all_codes():
    np.testing.assert_array_equal(decode_binary(binary(DIGITS)), DIGITS)
    codes = np.arange(2**6)
    np.testing.assert_array_equal(decode_binary(Tensor(binary(codes, bits=6))), codes)


def test_decode_binary_thresholds_network_outputs():
    outputs = np.array([[0.1, 0.9, 0.2, 0.7], [0.6, 0.4, 0.5, 0.51]])
    np.testing.assert_array_equal(decode_binary(outputs), [5, 9])
    np.testing.assert_array_equal(decode_binary(np.array([[0.1, 0.3]]), threshold=0.2), [1])


def test_binary_errors():
    with pytest.raises(ValueError, match="label 8 does not fit in 3 bits .*use bits=4"):
        binary([1, 8], bits=3)
    with pytest.raises(ValueError, match="≥ 0"):
        binary([-2])
    with pytest.raises(ValueError, match="bits must be ≥ 1"):
        binary([0], bits=0)
    with pytest.raises(ValueError, match="last \\(bit\\) axis"):
        decode_binary(np.float32(1.0))
