"""`Tensor`: a NumPy array that remembers how it was made, so gradients can flow back through it.

A tensor made by a primitive (see `deltanet.ops`) keeps a `Context` in `_ctx` holding the primitive and
its inputs; `backward()` walks those links in reverse topological order (`deltanet.autograd.engine`).
A tensor made by the user (a *leaf*) has no context; if it `requires_grad`, `backward()` accumulates
∂C/∂(this tensor) into its `.grad`, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_default_dtype = float32


def set_default_dtype(dtype) -> None:
    """Set the dtype of new floating-point tensors (float32 like PyTorch, or float64)."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 are supported, got {dtype}")
    _default_dtype = dtype


def get_default_dtype() -> np.dtype:
    """The dtype of new floating-point tensors."""
    return _default_dtype


def _as_array(data, dtype=None) -> np.ndarray:
    """NumPy array for `data` (not copied when possible), with torch.tensor's dtype rules:
    NumPy input keeps its dtype; Python floats become the default dtype, ints int64, bools bool."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.asarray(data)
    array = np.asarray(data)
    if array.dtype.kind == "f":
        return array.astype(_default_dtype, copy=False)
    if array.dtype.kind in "iu":
        return array.astype(int64, copy=False)
    if array.dtype.kind == "b":
        return array
    raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} (NumPy dtype {array.dtype})")


class Tensor:
    """An n-dimensional array with reverse- and forward-mode automatic differentiation.

    `data` is the NumPy array (not copied); `grad` is ∂C/∂(this tensor) after `C.backward()`.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_tangent", "_retains_grad", "__weakref__")
    __array_priority__ = 1000  # make `ndarray + tensor` call Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False):
        self.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        self.grad: Tensor | None = None
        self._ctx = None
        self._tangent = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- properties -------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (no recorded operation)."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The primitive (a `Function` subclass) that made this tensor, or None for a leaf."""
        return None if self._ctx is None else self._ctx.fn

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ---- autograd switches -------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Ask for ∂C/∂(this tensor) in `.grad` (floating-point leaves only, as in PyTorch)."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, this one is {self.dtype}")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> Tensor:
        """Keep ∂C/∂(this non-leaf tensor) in `.grad` after backward (e.g. δ = ∂C/∂z of a layer)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (shares memory, like torch)."""
        return Tensor(self.data)

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Backpropagate: add ∂self/∂x into `x.grad` for every leaf x that requires grad."""
        from deltanet.autograd.engine import backward

        backward(self, grad, retain_graph)

    # ---- conversion --------------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying NumPy array (shares memory)."""
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, shape is {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"truth value of a tensor with {self.data.size} elements is ambiguous")
        return bool(self.data)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self.dtype not in (_default_dtype, int64, bool_):
            extra += f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{self._ctx.fn.__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- in-place updates (outside the graph) ------------------------------------------------------
    def _inplace(self, name: str, value) -> Tensor:
        from deltanet.autograd.function import is_grad_enabled

        if self.requires_grad and is_grad_enabled():
            kind = "a leaf tensor that requires grad" if self._ctx is None else "a tensor inside a graph"
            raise RuntimeError(f"{name}: in-place change of {kind}; wrap it in `with dn.no_grad():`")
        value = value.data if isinstance(value, Tensor) else value
        if name == "copy_":
            np.copyto(self.data, value)
        elif name == "fill_":
            self.data.fill(value)
        else:
            getattr(self.data, name)(value)
        return self

    def __iadd__(self, other):
        return self._inplace("__iadd__", other)

    def __isub__(self, other):
        return self._inplace("__isub__", other)

    def __imul__(self, other):
        return self._inplace("__imul__", other)

    def __itruediv__(self, other):
        return self._inplace("__itruediv__", other)

    def add_(self, other):
        return self._inplace("__iadd__", other)

    def sub_(self, other):
        return self._inplace("__isub__", other)

    def mul_(self, other):
        return self._inplace("__imul__", other)

    def copy_(self, other):
        return self._inplace("copy_", other)

    def fill_(self, value):
        return self._inplace("fill_", value)

    def zero_(self):
        return self._inplace("fill_", 0)

    # ---- operators (the rules live in deltanet.ops) ------------------------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __pow__(self, exponent):
        return _ops.pow(self, exponent)

    def __rpow__(self, base):
        return _ops.pow(base, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    def __setitem__(self, index, value):
        from deltanet.autograd.function import is_grad_enabled

        if self.requires_grad and is_grad_enabled():
            raise RuntimeError("item assignment on a tensor that requires grad: build the value with "
                               "dn.where or dn.cat instead, or assign under `with dn.no_grad():`")
        self.data[_ops.raw_index(index)] = value.data if isinstance(value, Tensor) else value

    # comparisons: no gradient, boolean result
    def __eq__(self, other):
        return _ops.compare(self, other, np.equal)

    def __ne__(self, other):
        return _ops.compare(self, other, np.not_equal)

    def __lt__(self, other):
        return _ops.compare(self, other, np.less)

    def __le__(self, other):
        return _ops.compare(self, other, np.less_equal)

    def __gt__(self, other):
        return _ops.compare(self, other, np.greater)

    def __ge__(self, other):
        return _ops.compare(self, other, np.greater_equal)

    # ---- methods mirroring torch -------------------------------------------------------------------
    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def abs(self):
        return _ops.abs(self)

    def tanh(self):
        return _ops.tanh(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def clamp(self, min=None, max=None):
        return _ops.clamp(self, min, max)

    def pow(self, exponent):
        return _ops.pow(self, exponent)

    def matmul(self, other):
        return _ops.matmul(self, other)

    def sum(self, dim=None, keepdim=False):
        return _ops.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return _ops.mean(self, dim, keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False):
        return _ops.var(self, dim, unbiased, keepdim)

    def max(self, dim=None, keepdim=False):
        return _ops.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _ops.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return _ops.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _ops.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return _ops.logsumexp(self, dim, keepdim)

    def softmax(self, dim):
        return _ops.softmax(self, dim)

    def log_softmax(self, dim):
        return _ops.log_softmax(self, dim)

    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.flatten(self, start_dim, end_dim)

    def permute(self, *dims):
        return _ops.permute(self, *dims)

    def transpose(self, dim0, dim1):
        return _ops.transpose(self, dim0, dim1)

    def t(self):
        if self.ndim > 2:
            raise ValueError(f"t(): expects a tensor with <= 2 dimensions, got shape {self.shape}")
        return self.T

    def squeeze(self, dim=None):
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _ops.unsqueeze(self, dim)

    def expand(self, *shape):
        return _ops.expand(self, *shape)

    def to(self, dtype):
        return _ops.cast(self, dtype)

    def float(self):
        return _ops.cast(self, float32)

    def double(self):
        return _ops.cast(self, float64)

    def long(self):
        return Tensor(self.data.astype(int64))


from deltanet import ops as _ops  # noqa: E402  (ops need Tensor defined first)
