"""The shared oracle `check` must fail on a wrong value, VJP, JVP or dtype (else tests using it are void)."""

import numpy as np
import pytest
import torch

from deltanet.autograd import Function

from .conftest import check


def _square(wrong=None):
    class Square(Function):
        @staticmethod
        def forward(ctx, z):
            ctx.z = z
            return z * z * (1 + 1e-9 if wrong == "value" else 1)

        @staticmethod
        def backward(ctx, g):
            return 2 * ctx.z * g * (1 + 1e-9 if wrong == "vjp" else 1)

        @staticmethod
        def jvp(ctx, t):
            return 2 * ctx.z * t * (1 + 1e-9 if wrong == "jvp" else 1)

    return Square.apply


def test_oracle_accepts_a_correct_function():
    check(_square(), lambda x: x * x, np.linspace(-2, 2, 5), gradcheck=True)


@pytest.mark.parametrize("wrong,message", [("value", "forward value"), ("vjp", "VJP"), ("jvp", "JVP")])
def test_oracle_rejects_an_error_of_1e9_relative(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check(_square(wrong), lambda x: x * x, np.linspace(-2, 2, 5))


def test_oracle_rejects_a_wrong_dtype_or_shape():
    with pytest.raises(AssertionError, match="dtype"):
        check(lambda x: x.float(), lambda x: x, np.ones(3))
    with pytest.raises(AssertionError, match="shape"):
        check(lambda x: x.reshape(3, 1), lambda x: x, np.ones(3))


def test_oracle_rejects_a_missing_gradient():
    with pytest.raises(AssertionError, match="None"):
        check(lambda x, y: x * y.detach(), torch.mul, np.ones(2), np.ones(2) * 2)


def test_oracle_compares_every_input_gradient():
    class MulWrongSecond(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.a, ctx.b = a, b
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g * ctx.b, g * ctx.b

        @staticmethod
        def jvp(ctx, ta, tb):
            return ta * ctx.b + ctx.a * tb

    with pytest.raises(AssertionError, match="VJP of input 1"):
        check(MulWrongSecond.apply, torch.mul, np.arange(1.0, 4.0), np.arange(4.0, 7.0))
