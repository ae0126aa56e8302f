"""deltanet: neural networks from first principles — every z, a and δ = ∂C/∂z in plain sight.

    import deltanet as dn
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()        # x.grad == [2., 4.]
"""

from deltanet import autograd, construct, data, inspect, io, nn, ops, optim, theory, train
from deltanet.autograd import enable_grad, is_grad_enabled, no_grad
from deltanet.creation import (
                               arange,
                               eye,
                               from_numpy,
                               full,
                               linspace,
                               ones,
                               ones_like,
                               rand,
                               randn,
                               tensor,
                               zeros,
                               zeros_like,
)
from deltanet.memory import keep_freed_memory
from deltanet.ops import (
                               abs,
                               amax,
                               amin,
                               argmax,
                               argmin,
                               cat,
                               clamp,
                               cos,
                               exp,
                               flatten,
                               leaky_relu,
                               log,
                               log_softmax,
                               logsumexp,
                               matmul,
                               max,
                               maximum,
                               mean,
                               min,
                               minimum,
                               permute,
                               relu,
                               reshape,
                               sigmoid,
                               sign,
                               sin,
                               softmax,
                               sqrt,
                               squeeze,
                               stack,
                               step,
                               sum,
                               tanh,
                               transpose,
                               unsqueeze,
                               var,
                               where,
)
from deltanet.random import get_rng_state, manual_seed, set_rng_state
from deltanet.tensor import Tensor, bool_, float32, float64, get_default_dtype, int64, set_default_dtype

__version__ = "0.1.0"

keep_freed_memory()  # reuse freed pages instead of page-faulting on fresh ones (see deltanet.memory)
