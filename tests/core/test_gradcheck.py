"""`dn.autograd.gradcheck` must pass correct rules and catch wrong ones, in each mode separately."""

import numpy as np
import pytest

import deltanet as dn
from deltanet.autograd import Function, GradcheckError, gradcheck


class Cube(Function):
    """a = z³ with correct rules: f' = 3z²."""

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return z ** 3

    @staticmethod
    def backward(ctx, g):
        return 3 * ctx.z ** 2 * g

    @staticmethod
    def jvp(ctx, t):
        return 3 * ctx.z ** 2 * t


class CubeWrongBackward(Cube):
    @staticmethod
    def backward(ctx, g):
        return 2 * ctx.z ** 2 * g          # wrong factor


class CubeWrongJvp(Cube):
    @staticmethod
    def jvp(ctx, t):
        return 3 * ctx.z * t               # wrong power


class WeightedSum(Function):
    """c = Σ a·b; backward gets ∂c/∂b wrong (b instead of a), jvp is right."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.sum(a * b)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.b, g * ctx.b        # second one should be g * ctx.a

    @staticmethod
    def jvp(ctx, ta, tb):
        return np.sum(ta * ctx.b + ctx.a * tb)


@pytest.fixture
def x(rng):
    return dn.tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)


def test_correct_custom_function_passes(x):
    assert gradcheck(Cube.apply, (x,))
    assert gradcheck(lambda v: Cube.apply(v).sum(), x)


def test_wrong_backward_is_caught_with_a_useful_message(x):
    with pytest.raises(GradcheckError) as info:
        gradcheck(CubeWrongBackward.apply, (x,))
    message = str(info.value)
    for words in ["reverse mode", "input 0", "analytic", "numerical"]:
        assert words in message
    assert isinstance(info.value, AssertionError)
    assert not gradcheck(CubeWrongBackward.apply, (x,), raise_exception=False)


def test_wrong_jvp_is_caught_separately(x):
    with pytest.raises(GradcheckError, match="forward mode") as info:
        gradcheck(CubeWrongJvp.apply, (x,))
    assert "input 0" in str(info.value)
    assert gradcheck(CubeWrongJvp.apply, (x,), check_forward=False)     # reverse mode alone is right


def test_wrong_gradient_of_the_second_input_names_it(rng):
    a = dn.tensor(rng.standard_normal(3), requires_grad=True)
    b = dn.tensor(rng.standard_normal(3) + 5, requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(WeightedSum.apply, (a, b))
    assert gradcheck(WeightedSum.apply, (a, dn.tensor(b.data)))    # only a is checked: passes


def test_rejects_float32_inputs():
    x32 = dn.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(dn.exp, (x32,))


def test_checks_composites_with_several_outputs(rng):
    a = dn.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = dn.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda u, v: (u * v, dn.softmax(u + v, 1), (u @ v).sum()), (a, b))


def test_restores_inputs_after_perturbing_them(x):
    before = x.data.copy()
    gradcheck(lambda v: dn.tanh(v), (x,))
    np.testing.assert_array_equal(x.data, before)


def test_works_on_non_contiguous_inputs(rng):
    x = dn.Tensor(rng.standard_normal((3, 2)).T, requires_grad=True)   # a transposed (Fortran-order) view
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda v: v * v, (x,))


def test_a_custom_function_is_differentiable_in_both_modes(x):
    y = Cube.apply(x)
    assert y.requires_grad and y.grad_fn is Cube
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2, rtol=1e-15)
    _, t = dn.autograd.jvp(Cube.apply, (dn.tensor(x.data),), (np.ones(x.shape),))
    np.testing.assert_allclose(t.data, 3 * x.data ** 2, rtol=1e-15)
