"""`dn.theory`: the sheets' theoretical claims as executable demos.

Each demo is a function returning a small frozen dataclass with the numbers (and the arrays a plot needs)
and a `.report()` a learner can read; `deltanet theory NAME` prints it (`DEMOS` and `SUMMARIES` below list
them). Everything is computed with the library's own layers and autograd; closed-form formulas appear only
as the checks.
"""

from deltanet.theory.chains import ChainProducts, chain_gradients, chain_products, scalar_chain
from deltanet.theory.entropy import BinaryEntropy, CrossEntropyMinimum, binary_entropy, cross_entropy_minimum
from deltanet.theory.perceptrons import (
    PerceptronScaling,
    SigmoidToPerceptron,
    perceptron_scaling,
    sigmoid_to_perceptron,
)
from deltanet.theory.relu_tail import ReluTail, relu_eventually_linear
from deltanet.theory.separability import Separability, XorSeparability, linearly_separable, xor_separability
from deltanet.theory.softmax import SoftmaxTemperature, argmax_limit, softmax_temperature

# CLI name → demo, in the order of the sheets.
DEMOS = {
    "perceptron-scaling": perceptron_scaling,
    "sigmoid-to-perceptron": sigmoid_to_perceptron,
    "softmax-temperature": softmax_temperature,
    "binary-entropy": binary_entropy,
    "cross-entropy-minimum": cross_entropy_minimum,
    "xor-separability": xor_separability,
    "relu-eventually-linear": relu_eventually_linear,
    "chain-products": chain_products,
}

SUMMARIES = {
    "perceptron-scaling": "perceptron networks are unchanged by w, b → c w, c b for any c > 0 (Nielsen ex. 1.1)",
    "sigmoid-to-perceptron": "sigmoid networks with w, b × c → perceptron networks as c → ∞, except on a "
                             "boundary w·x + b = 0 (ex. 1.2)",
    "softmax-temperature": "softmax(z/T) → argmax as T → 0 (tied maxima share equally), → uniform as T → ∞ (ex. 3.3)",
    "binary-entropy": "H(y) = −y ln y − (1 − y) ln(1 − y), the cross-entropy at a = y",
    "cross-entropy-minimum": "C(a) = −[y ln a + (1 − y) ln(1 − a)] is minimised at a = y with C(y) = H(y) (ex. 3.1)",
    "xor-separability": "XOR is not linearly separable (exact Farkas certificate); 14 of the 16 two-input "
                        "functions are",
    "relu-eventually-linear": "a ReLU network is exactly affine beyond its last kink: no prime detector "
                              "(sheet 003 Q4.6)",
    "chain-products": "vanishing and exploding products ∏ w_j σ′(z_j) in chains of single neurons (sheet 000 Q2)",
}

__all__ = ["DEMOS", "SUMMARIES", "BinaryEntropy", "ChainProducts", "CrossEntropyMinimum", "PerceptronScaling",
           "ReluTail", "Separability", "SigmoidToPerceptron", "SoftmaxTemperature", "XorSeparability", "argmax_limit",
           "binary_entropy", "chain_gradients", "chain_products", "cross_entropy_minimum", "linearly_separable",
           "perceptron_scaling", "relu_eventually_linear", "scalar_chain", "sigmoid_to_perceptron",
           "softmax_temperature", "xor_separability"]
