"""`Module`: the base of every layer and model — parameters and submodules registered by attribute."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from deltanet.nn.parameter import Parameter
from deltanet.tensor import Tensor


class Module:
    """Base class of layers and models, as `torch.nn.Module`.

    Assigning a `Parameter` or a `Module` to an attribute registers it; `parameters()` and `state_dict()`
    walk the registrations in assignment order. Subclasses implement `forward`.
    Library layers also implement `get_config()` (their constructor arguments) so `dn.io` can rebuild them.
    """

    _registry: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("deltanet."):
            Module._registry[cls.__name__] = cls

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---- registration -------------------------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            object.__setattr__(self, name, None)
            return
        setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor) -> None:
        """A non-learnable tensor that belongs to the state (saved and loaded with the parameters)."""
        object.__setattr__(self, name, tensor)
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module) -> None:
        setattr(self, name, module)

    # ---- traversal ----------------------------------------------------------------------------------
    def named_modules(self, prefix: str = "", remove_duplicate: bool = True):
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        yield from ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        seen = set()
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if param is not None and (not remove_duplicate or id(param) not in seen):
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse: bool = True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, remove_duplicate: bool = True):
        for module_name, module in self.named_modules(remove_duplicate=remove_duplicate):
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    # ---- modes and gradients ------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = Tensor(np.zeros_like(param.data))

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def to(self, dtype) -> Module:
        """Convert every parameter and buffer to a floating dtype, in place (as `module.double()`)."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: expected a floating dtype, got {dtype}")
        for param in self.parameters():
            param.data = param.data.astype(dtype)
            param.grad = None
        for _, buffer in self.named_buffers():
            if buffer.dtype.kind == "f":
                buffer.data = buffer.data.astype(dtype)
        return self

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    def apply(self, fn) -> Module:
        """Call fn(module) on every submodule (children first) and on self, as torch."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- state ------------------------------------------------------------------------------------
    def state_dict(self) -> OrderedDict:
        """Name → tensor (sharing memory with the parameter, detached) for every parameter and buffer."""
        state = OrderedDict((name, p.detach()) for name, p in self.named_parameters(remove_duplicate=False))
        state.update((name, buffer.detach()) for name, buffer in self.named_buffers(remove_duplicate=False))
        return state

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy values into the parameters and buffers (cast to their dtype).

        Values may be NumPy arrays, deltanet tensors or anything with `.numpy()` (e.g. torch tensors).
        With strict=True, missing, unexpected and mis-shaped keys are all reported in one error.
        Returns (missing_keys, unexpected_keys).
        """
        own = OrderedDict(self.named_parameters(remove_duplicate=False))
        own.update(self.named_buffers(remove_duplicate=False))
        arrays = {name: as_array(name, value) for name, value in state_dict.items()}
        missing = [name for name in own if name not in arrays]
        unexpected = [name for name in arrays if name not in own]
        mismatched = [f"{name}: expected {own[name].shape}, got {arrays[name].shape}"
                      for name in own if name in arrays and arrays[name].shape != own[name].shape]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            problems.append("shape mismatches: " + "; ".join(mismatched))
        if problems:
            raise KeyError(f"{type(self).__name__}.load_state_dict: " + " | ".join(problems))
        for name, target in own.items():
            if name in arrays:
                target.data[...] = arrays[name].astype(target.dtype, copy=False)
        return missing, unexpected

    # ---- calling and printing -----------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def get_config(self) -> dict:
        """Constructor arguments (JSON-serialisable) that rebuild this layer; used by `dn.io`."""
        return {}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        children = list(self.named_children())
        if not children:
            return lines[0] + ")"
        for name, module in children:
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"

    def num_parameters(self, trainable_only: bool = False) -> int:
        return int(sum(p.data.size for p in self.parameters() if p.requires_grad or not trainable_only))

    def summary(self, input_shape=None) -> str:
        """A table of the layers with parameter shapes and counts, and the totals. With `input_shape` (the
        shape of one example, without the batch dim, e.g. (784,) or (1, 28, 28)), one zero example is run
        through the model in eval mode, without a graph, and each layer's output shape is shown too
        (-1 standing for the batch dim)."""
        outputs = self._output_shapes(input_shape) if input_shape is not None else None
        rows = [("layer", "type") + (("output shape",) if outputs is not None else ()) + ("parameters", "count")]
        for name, module in self.named_modules():
            own = [(n, p) for n, p in module._parameters.items() if p is not None]
            if module is self and self._modules and not own:
                continue
            if not own and module._modules:
                continue
            shapes = ", ".join(f"{n} {tuple(p.shape)}" for n, p in own) or "-"
            shown = () if outputs is None else (outputs.get(id(module), "-"),)
            rows.append((name or "(model)", type(module).__name__, *shown, shapes,
                         f"{sum(p.data.size for _, p in own):,}"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        rule = "  ".join("-" * w for w in widths)
        text = [rule, "  ".join(c.ljust(w) for c, w in zip(rows[0], widths)), rule]
        text += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows[1:]]
        total, trainable = self.num_parameters(), self.num_parameters(trainable_only=True)
        text += [rule, f"total parameters: {total:,}   trainable: {trainable:,}"]
        return "\n".join(text)

    def _output_shapes(self, input_shape) -> dict:
        """id(module) → its output shape as text, from one zero example (batch dim shown as -1)."""
        from deltanet.autograd.function import no_grad

        try:
            example = tuple(int(n) for n in input_shape)
        except TypeError:
            raise TypeError(f"summary: input_shape must be a sequence of ints, got {input_shape!r}") from None
        first = next(self.parameters(), None)
        dtype = first.dtype if first is not None else np.dtype(np.float32)
        shapes, wrapped = {}, []

        def recording(module):
            forward = module.forward

            def forward_and_record(*args, **kwargs):
                out = forward(*args, **kwargs)
                if isinstance(out, Tensor):
                    shapes[id(module)] = str((-1, *out.shape[1:]))
                return out
            return forward_and_record

        for module in self.modules():
            object.__setattr__(module, "forward", recording(module))
            wrapped.append(module)
        was_training = self.training
        try:
            self.eval()
            with no_grad():
                self(Tensor(np.zeros((1, *example), dtype=dtype)))
        finally:
            for module in wrapped:
                del module.__dict__["forward"]
            self.train(was_training)
        return shapes


def as_array(name: str, value, where: str = "load_state_dict") -> np.ndarray:
    """A state value as a NumPy array: deltanet tensors, arrays, or anything with `.numpy()` (torch
    tensors, detached and moved to the CPU first, without importing torch); non-numeric → TypeError."""
    if isinstance(value, Tensor):
        value = value.data
    elif not isinstance(value, np.ndarray):
        for step in ("detach", "cpu", "numpy"):
            if hasattr(value, step):
                value = getattr(value, step)()
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{where}: {name!r} is not a numeric array ({type(value).__name__}, dtype {array.dtype})")
    return array
