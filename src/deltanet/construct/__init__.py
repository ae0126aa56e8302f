"""`dn.construct`: networks built by hand, each an ordinary `nn.Module` (float64), each with a check that
says where it fails.

    logic      xor, boolean (one hidden unit per DNF term), minimal_dnf (Quine–McCluskey), verify_*
    approx     step_neuron, bump, tower (m dimensions), approximate (1-D and 2-D, measured max error)
    transform  onehot_to_binary (4-bit outputs for a one-hot classifier), collapse_linear (linear MLP → Linear)

The equations are in each module's docstring.
"""

from deltanet.construct._common import Failure
from deltanet.construct.approx import (
    Approximation,
    approximate,
    bump,
    nielsen_f,
    step_neuron,
    tower,
    tower_probes,
    verify_tower,
)
from deltanet.construct.logic import (
    DNF,
    boolean,
    canonical_dnf,
    inputs,
    minimal_dnf,
    truth_values,
    verify_boolean,
    verify_xor,
    xor,
)
from deltanet.construct.transform import Collapsed, collapse_linear, onehot_to_binary

__all__ = ["DNF", "Approximation", "Collapsed", "Failure", "approximate", "boolean", "bump", "canonical_dnf",
           "collapse_linear", "inputs", "minimal_dnf", "nielsen_f", "onehot_to_binary", "step_neuron", "tower",
           "tower_probes", "truth_values", "verify_boolean", "verify_tower", "verify_xor", "xor"]
