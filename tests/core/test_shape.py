"""Shape ops: reshape/view, flatten, permute, transpose, .T, squeeze, unsqueeze, expand, indexing, cat,
stack — value, VJP (gradient moved back, scatter-added for repeated indices) and JVP against PyTorch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import deltanet as dn

from .conftest import check

CASES = [
    ("reshape", (2, 3, 4), lambda x: x.reshape(6, 4), None),
    ("reshape-tuple", (2, 3, 4), lambda x: x.reshape((4, -1)), None),
    ("reshape-fn", (2, 3, 4), lambda x: dn.reshape(x, 3, 8), lambda x: torch.reshape(x, (3, 8))),
    ("reshape-to-0d", (1, 1), lambda x: x.reshape(()), None),
    ("reshape-from-0d", (), lambda x: x.reshape(1, 1), None),
    ("view", (2, 3, 4), lambda x: x.view(-1), None),
    ("flatten", (2, 3, 4), lambda x: x.flatten(), None),
    ("flatten-1", (2, 3, 4), lambda x: x.flatten(1), None),
    ("flatten-0-1", (2, 3, 4), lambda x: x.flatten(0, 1), None),
    ("flatten-neg", (2, 3, 4, 2), lambda x: x.flatten(-3, -2), None),
    ("flatten-0d", (), lambda x: x.flatten(), None),
    ("flatten-fn", (2, 3, 4), lambda x: dn.flatten(x, 1), lambda x: torch.flatten(x, 1)),
    ("permute", (2, 3, 4), lambda x: x.permute(2, 0, 1), None),
    ("permute-tuple", (2, 3, 4), lambda x: x.permute((1, 2, 0)), None),
    ("permute-neg", (2, 3, 4), lambda x: x.permute(-1, 0, -2), None),
    ("permute-fn", (2, 3, 4), lambda x: dn.permute(x, 1, 0, 2), lambda x: torch.permute(x, (1, 0, 2))),
    ("transpose", (2, 3, 4), lambda x: x.transpose(0, 2), None),
    ("transpose-neg", (2, 3, 4), lambda x: x.transpose(-1, -2), None),
    ("transpose-fn", (2, 3), lambda x: dn.transpose(x, 0, 1), lambda x: torch.transpose(x, 0, 1)),
    ("T-2d", (2, 3), lambda x: x.T, None),
    ("T-1d", (3,), lambda x: x.T, lambda x: x.permute(0)),        # torch warns on .T of non-2-D
    ("T-3d", (2, 3, 4), lambda x: x.T, lambda x: x.permute(2, 1, 0)),
    ("t", (2, 3), lambda x: x.t(), None),
    ("squeeze", (1, 3, 1, 2), lambda x: x.squeeze(), None),
    ("squeeze-dim", (1, 3, 1, 2), lambda x: x.squeeze(2), None),
    ("squeeze-neg", (3, 2, 1), lambda x: x.squeeze(-1), None),
    ("squeeze-not-1", (1, 3, 1, 2), lambda x: x.squeeze(1), None),
    ("squeeze-fn", (1, 3), lambda x: dn.squeeze(x, 0), lambda x: torch.squeeze(x, 0)),
    ("squeeze-all-ones", (1, 1), lambda x: x.squeeze(), None),
    ("unsqueeze-0", (3, 2), lambda x: x.unsqueeze(0), None),
    ("unsqueeze-end", (3, 2), lambda x: x.unsqueeze(2), None),
    ("unsqueeze-neg", (3, 2), lambda x: x.unsqueeze(-1), None),
    ("unsqueeze-0d", (), lambda x: x.unsqueeze(0), None),
    ("unsqueeze-fn", (3,), lambda x: dn.unsqueeze(x, 1), lambda x: torch.unsqueeze(x, 1)),
    ("expand", (3, 1), lambda x: x.expand(3, 4), None),
    ("expand-new-dims", (3, 1), lambda x: x.expand(2, 3, 5), None),
    ("expand-minus-1", (3, 1), lambda x: x.expand(-1, 4), None),
    ("expand-tuple", (1,), lambda x: x.expand((2, 3)), None),
    ("expand-0d", (), lambda x: x.expand(4), None),
]


@pytest.mark.parametrize("name,shape,f,tf", CASES, ids=[c[0] for c in CASES])
def test_shape_op_matches_torch(name, shape, f, tf, rng):
    check(f, tf or f, rng.standard_normal(shape))
    x = dn.tensor(rng.standard_normal(shape), requires_grad=True)
    assert dn.autograd.gradcheck(f, x)


def test_squeeze_of_a_0d_tensor_along_dim_0():
    check(lambda x: x.squeeze(0), lambda x: x.squeeze(0), np.array(2.5))
    check(lambda x: x.squeeze(-1), lambda x: x.squeeze(-1), np.array(2.5))


def test_squeeze_with_a_tuple_of_dims():
    check(lambda x: x.squeeze((0, 2)), lambda x: x.squeeze((0, 2)), np.ones((1, 3, 1, 1)))


def test_reshape_errors_name_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        dn.tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="permute"):
        dn.tensor(np.ones((2, 3))).permute(0, 0)
    with pytest.raises(ValueError, match="expand"):
        dn.tensor(np.ones((2, 3))).expand(4, 3)


def test_t_rejects_3d():
    with pytest.raises(ValueError, match="t()"):
        dn.tensor(np.ones((2, 3, 4))).t()


def test_view_shares_memory_like_torch():
    x = dn.tensor(np.arange(6.0))
    y = x.view(2, 3)
    with dn.no_grad():
        y += 1                                  # in place on the view changes x, as torch
    np.testing.assert_array_equal(x.data, np.arange(6.0) + 1)


INDICES = [
    ("int", (4, 3), lambda x: x[1]),
    ("neg-int", (4, 3), lambda x: x[-1]),
    ("int-int", (4, 3), lambda x: x[2, 1]),
    ("slice", (6, 3), lambda x: x[1:5]),
    ("slice-step", (7, 3), lambda x: x[1::2]),
    ("neg-step", (6, 3), lambda x: _flip(x)),
    ("slice-2d", (5, 6), lambda x: x[1:4, ::2]),
    ("none", (4, 3), lambda x: x[None]),
    ("none-middle", (4, 3), lambda x: x[:, None, :]),
    ("ellipsis", (2, 3, 4), lambda x: x[..., 1]),
    ("ellipsis-slice", (2, 3, 4), lambda x: x[0, ..., 1:3]),
    ("bool-mask", (4, 3), lambda x: x[x > 0]),
    ("bool-rows", (4, 3), lambda x: x[_t(x, [True, False, True, True])]),
    ("int-array", (5, 3), lambda x: x[_t(x, [0, 3, 1])]),
    ("int-array-repeated", (5, 3), lambda x: x[_t(x, [0, 3, 0, 0, 4])]),
    ("int-arrays-2d-repeated", (4, 3), lambda x: x[_t(x, [0, 1, 0, 0]), _t(x, [2, 2, 2, 1])]),
    ("int-array-and-slice", (4, 5), lambda x: x[1:3, _t(x, [4, 0, 4])]),
    ("int-array-2d-index", (4, 3), lambda x: x[_t(x, [[0, 1], [1, 1]])]),
    ("list-index", (4, 3), lambda x: x[[2, 2, 0]]),
    ("0d-int-tensor-index", (4, 3), lambda x: x[_t(x, 2)]),
]


def _flip(x):
    if isinstance(x, torch.Tensor):
        return torch.flip(x, [0])          # torch has no negative-step slicing
    return x[::-1]


def _t(like, values):
    """An index tensor in the framework of `like`."""
    if isinstance(like, torch.Tensor):
        return torch.tensor(values)
    return dn.tensor(values)


@pytest.mark.parametrize("name,shape,f", INDICES, ids=[c[0] for c in INDICES])
def test_getitem_matches_torch(name, shape, f, rng):
    check(f, f, rng.standard_normal(shape))
    assert dn.autograd.gradcheck(f, dn.tensor(rng.standard_normal(shape), requires_grad=True))


def test_getitem_repeated_indices_scatter_add():
    x = dn.tensor(np.zeros(4), requires_grad=True)
    y = x[np.array([1, 1, 3, 1])]
    y.backward(np.array([1.0, 2.0, 5.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [0.0, 7.0, 0.0, 5.0])


def test_getitem_numpy_index_arrays(rng):
    a = rng.standard_normal((4, 3))
    mask = a[:, 0] > 0
    check(lambda x: x[np.array([3, 3, 0])], lambda x: x[torch.tensor([3, 3, 0])], a)
    check(lambda x: x[mask], lambda x: x[torch.from_numpy(mask)], a)


def test_getitem_out_of_range_names_shape():
    with pytest.raises(IndexError, match=r"\(4, 3\)"):
        dn.tensor(np.ones((4, 3)))[4]


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim, rng):
    shapes = {0: [(2, 3), (1, 3), (4, 3)], 1: [(2, 1), (2, 3), (2, 2)], -1: [(2, 1), (2, 3), (2, 2)]}[dim]
    arrays = [rng.standard_normal(s) for s in shapes]
    check(lambda *xs: dn.cat(xs, dim), lambda *xs: torch.cat(xs, dim), *arrays, gradcheck=True)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack(dim, rng):
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    check(lambda *xs: dn.stack(xs, dim), lambda *xs: torch.stack(xs, dim), *arrays, gradcheck=True)


def test_cat_and_stack_with_a_constant_piece(rng):
    from .conftest import Const

    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    check(lambda x, y: dn.cat([x, y], 1), lambda x, y: torch.cat([x, y], 1), a, Const(b))
    check(lambda x, y: dn.stack([x, y]), lambda x, y: torch.stack([x, y]), Const(a), b)


def test_cat_stack_errors_name_shapes():
    with pytest.raises(ValueError, match=r"cat.*\(2, 3\).*\(2, 4\)"):
        dn.cat([dn.tensor(np.ones((2, 3))), dn.tensor(np.ones((2, 4)))], 0)
    with pytest.raises(ValueError, match=r"stack.*\(2, 3\).*\(3, 2\)"):
        dn.stack([dn.tensor(np.ones((2, 3))), dn.tensor(np.ones((3, 2)))])


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_permute_reshape_property(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-5, 5)))
    perm = data.draw(st.permutations(range(len(shape))))
    check(lambda v: v.permute(*perm).reshape(-1), lambda v: v.permute(*perm).reshape(-1), x)
    start = data.draw(st.integers(0, len(shape) - 1))
    check(lambda v: v.flatten(start).unsqueeze(0), lambda v: v.flatten(start).unsqueeze(0), x)
