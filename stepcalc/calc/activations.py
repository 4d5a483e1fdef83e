"""Element-wise activation functions and their derivatives (NumPy, float64).

The one numeric core for activations: other calculators (toy YOLO, computational graph)
use these instead of their own copies.

    sigmoid(x), silu(x), …                     value, element-wise
    ACTIVATIONS[name].forward(x, **params)     value by name ("leaky-relu", alpha=0.1)
    ACTIVATIONS[name].derivative(x, **params)  f′(x) by name
    activation(name, x, **params), derivative(name, x, **params)

Conventions are PyTorch's: ReLU′(0) = 0, leaky-ReLU′(0) = α and ELU′(0) = α (autograd takes
the left branch at 0), ``gelu`` is the exact erf form, ``gelu-tanh`` the tanh approximation.
The sigmoid never overflows: x = ±1000 gives 1 and 0 without warnings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_COEF = 0.044715


def _array(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def sigmoid(x: Any) -> np.ndarray:
    """σ(x) = 1/(1 + e^(−x)), computed from e^(−|x|) so it never overflows."""
    x = _array(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x: Any) -> np.ndarray:
    s = sigmoid(x)
    return s * (1.0 - s)


def silu(x: Any) -> np.ndarray:
    """SiLU(x) = x·σ(x) (swish with β = 1)."""
    x = _array(x)
    return x * sigmoid(x)


def silu_derivative(x: Any) -> np.ndarray:
    """SiLU′(x) = σ(x)(1 + x(1 − σ(x)))."""
    x = _array(x)
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def swish(x: Any, beta: float = 1.0) -> np.ndarray:
    x = _array(x)
    return x * sigmoid(beta * x)


def swish_derivative(x: Any, beta: float = 1.0) -> np.ndarray:
    """d/dx x·σ(βx) = σ(βx) + βx·σ(βx)(1 − σ(βx))."""
    x = _array(x)
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def relu(x: Any) -> np.ndarray:
    x = _array(x)
    return np.where(x > 0, x, 0.0)


def relu_derivative(x: Any) -> np.ndarray:
    """1 where x > 0, else 0 (ReLU′(0) = 0 as in PyTorch)."""
    return np.where(_array(x) > 0, 1.0, 0.0)


def leaky_relu(x: Any, alpha: float = 0.01) -> np.ndarray:
    x = _array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x: Any, alpha: float = 0.01) -> np.ndarray:
    """1 where x > 0, else α (at 0: α, as PyTorch's autograd)."""
    return np.where(_array(x) > 0, 1.0, float(alpha))


def tanh(x: Any) -> np.ndarray:
    return np.tanh(_array(x))


def tanh_derivative(x: Any) -> np.ndarray:
    t = np.tanh(_array(x))
    return 1.0 - t * t


_erf_vector = np.vectorize(math.erf, otypes=[float])


def erf(x: Any) -> np.ndarray:
    """The error function, element-wise (math.erf, full double precision)."""
    x = _array(x)
    return _erf_vector(x) if x.size else x.copy()


def normal_cdf(x: Any) -> np.ndarray:
    """Φ(x) = (1 + erf(x/√2))/2."""
    return 0.5 * (1.0 + erf(_array(x) / math.sqrt(2.0)))


def normal_pdf(x: Any) -> np.ndarray:
    """φ(x) = e^(−x²/2)/√(2π)."""
    x = _array(x)
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def gelu(x: Any) -> np.ndarray:
    """Exact GELU x·Φ(x) (PyTorch's default ``approximate='none'``)."""
    x = _array(x)
    return x * normal_cdf(x)


def gelu_derivative(x: Any) -> np.ndarray:
    """Φ(x) + x·φ(x)."""
    x = _array(x)
    return normal_cdf(x) + x * normal_pdf(x)


def gelu_tanh(x: Any) -> np.ndarray:
    """GELU, tanh approximation: x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    x = _array(x)
    return 0.5 * x * (1.0 + np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x**3)))


def gelu_tanh_derivative(x: Any) -> np.ndarray:
    x = _array(x)
    t = np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x**3))
    inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * x * x)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner


def elu(x: Any, alpha: float = 1.0) -> np.ndarray:
    x = _array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x: Any, alpha: float = 1.0) -> np.ndarray:
    """1 where x > 0, else α·eˣ (at 0: α, as PyTorch's autograd)."""
    x = _array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def softplus(x: Any) -> np.ndarray:
    """log(1 + eˣ), computed without overflow."""
    return np.logaddexp(0.0, _array(x))


def softplus_derivative(x: Any) -> np.ndarray:
    """σ(x)."""
    return sigmoid(x)


@dataclass(frozen=True)
class Activation:
    """One activation by name: value and derivative, both element-wise.

    ``params`` maps each parameter name (``alpha``, ``beta``) to its default.
    """

    name: str
    forward_fn: Callable[..., np.ndarray]
    derivative_fn: Callable[..., np.ndarray]
    params: dict[str, float] = field(default_factory=dict)

    def _params(self, params: dict[str, Any]) -> dict[str, float]:
        unknown = set(params) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name} takes no parameter {sorted(unknown)[0]!r}")
        merged = dict(self.params)
        merged.update({k: float(v) for k, v in params.items() if v is not None})
        return merged

    def forward(self, x: Any, **params: Any) -> np.ndarray:
        return self.forward_fn(x, **self._params(params))

    def derivative(self, x: Any, **params: Any) -> np.ndarray:
        return self.derivative_fn(x, **self._params(params))


ACTIVATIONS: dict[str, Activation] = {
    "silu": Activation("silu", silu, silu_derivative),
    "swish": Activation("swish", swish, swish_derivative, {"beta": 1.0}),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "leaky-relu": Activation("leaky-relu", leaky_relu, leaky_relu_derivative, {"alpha": 0.01}),
    "tanh": Activation("tanh", tanh, tanh_derivative),
    "gelu": Activation("gelu", gelu, gelu_derivative),
    "gelu-tanh": Activation("gelu-tanh", gelu_tanh, gelu_tanh_derivative),
    "elu": Activation("elu", elu, elu_derivative, {"alpha": 1.0}),
    "softplus": Activation("softplus", softplus, softplus_derivative),
}
"""Every function of ``stepcalc silu --fn``, by its command-line name."""

ALIASES = {"leaky_relu": "leaky-relu", "gelu_tanh": "gelu-tanh"}


def get(name: str) -> Activation:
    """The activation called ``name`` (command-line spelling; ``_`` for ``-`` accepted)."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in ACTIVATIONS:
        raise KeyError(name)
    return ACTIVATIONS[key]


def activation(name: str, x: Any, **params: Any) -> np.ndarray:
    """f(x) element-wise for the activation called ``name``."""
    return get(name).forward(x, **params)


def derivative(name: str, x: Any, **params: Any) -> np.ndarray:
    """f′(x) element-wise for the activation called ``name``."""
    return get(name).derivative(x, **params)


FORMULA_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "sigmoid": sigmoid,
    "silu": silu,
    "swish": swish,
    "relu": relu,
    "relu_grad": relu_derivative,
    "leaky_relu": leaky_relu,
    "gelu": gelu,
    "gelu_tanh": gelu_tanh,
    "elu": elu,
    "softplus": softplus,
    "erf": erf,
    "Phi": normal_cdf,
    "phi": normal_pdf,
    "step": relu_derivative,
}
"""Named functions step formulas may use (``x*sigmoid(x)``, ``Phi(x) + x*phi(x)``)."""
