"""Step formulas: SymPy-syntax text over named operands, parsed once, evaluated in float64.

A worked step is a formula plus its operands (``dL_dOut_conv2*Out_SiLU1`` with both bound to
numbers). Its value is the formula put to the operands, so formula, numbers and value cannot
drift apart; every format writes the step from the same tree (``stepcalc.render.math``).

Formulas are constants of the calculators, parsed by the same whitelist parser as user
expressions (``stepcalc.expr``) and evaluated by walking the tree: nothing is ever handed to
Python's compiler. NumPy is loaded only when an operand is a tensor or a function needs it,
so scalar commands (``outsize``) start without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from stepcalc import expr
from stepcalc.trace import Step


@dataclass(frozen=True)
class Fn:
    """A function formulas may call: its implementation and how each format writes it.

    ``kind`` decides the written form: ``call`` f(a, b) · ``prefix`` √a, Σ a · ``wrap`` |a|,
    ⌊a⌋ · ``infix`` a ⋆ b · ``postfix`` aᵀ · ``compare`` [a > b] (Iverson) · ``where``
    [c]·a + [not c]·b · ``tuple`` (a, b).
    """

    impl: Callable[..., Any] | str
    """The NumPy implementation, or ``"module:name"`` of a calculator's own (loaded on use)."""
    text: str = ""
    """Unicode head (σ, √, Σ, ⋆ …); default: the name."""
    latex: str = ""
    ascii: str = ""
    kind: str = "call"
    elementwise: bool = True
    arity: int | None = 1


def _np():
    import numpy

    return numpy


def _sigmoid(x):
    np = _np()
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _vectorized(scalar: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(x):
        if isinstance(x, int | float):
            return scalar(x)
        np = _np()
        return np.vectorize(scalar, otypes=[float])(np.asarray(x, dtype=float))

    return apply


def _rounding(scalar: Callable[[float], int]) -> Callable[[Any], Any]:
    def apply(x):
        if isinstance(x, int | float):
            return scalar(x) if math.isfinite(x) else x
        return getattr(_np(), scalar.__name__)(x)

    return apply


def _compare(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a, b):
        if isinstance(a, int | float) and isinstance(b, int | float):
            return 1.0 if test(a, b) else 0.0
        return _np().where(test(a, b), 1.0, 0.0)

    return apply


def _where(condition, a, b):
    return _np().where(_np().asarray(condition) > 0, a, b)


def _concat(*parts):
    np = _np()
    return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])


def _sum(x):
    return float(_np().sum(x))


def _mean(x):
    return float(_np().mean(x))


_PHI = 1.0 / math.sqrt(2.0 * math.pi)

FUNCTIONS: dict[str, Fn] = {
    "sigmoid": Fn(_sigmoid, "σ", r"\sigma", "sigmoid"),
    "exp": Fn(lambda x: _np().exp(x), "exp", r"\exp"),
    "log": Fn(lambda x: _np().log(x), "log", r"\log"),
    "sqrt": Fn(lambda x: _np().sqrt(x), "√", r"\sqrt", "sqrt", kind="prefix"),
    "abs": Fn(lambda x: _np().abs(x), "|", r"\lvert", kind="wrap"),
    "tanh": Fn(lambda x: _np().tanh(x), "tanh", r"\tanh"),
    "sin": Fn(lambda x: _np().sin(x), "sin", r"\sin"),
    "cos": Fn(lambda x: _np().cos(x), "cos", r"\cos"),
    "erf": Fn(_vectorized(math.erf), "erf", r"\operatorname{erf}"),
    "Phi": Fn(
        _vectorized(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0)))), "Φ", r"\Phi", "Phi"
    ),
    "phi": Fn(lambda x: _np().exp(-0.5 * _np().square(x)) * _PHI, "φ", r"\varphi", "phi"),
    "sign": Fn(lambda x: _np().sign(x), "sign", r"\operatorname{sign}"),
    "max": Fn(lambda a, b: _np().maximum(a, b), "max", r"\max", arity=2),
    "min": Fn(lambda a, b: _np().minimum(a, b), "min", r"\min", arity=2),
    "floor": Fn(_rounding(math.floor), "⌊", r"\lfloor", "floor", kind="wrap"),
    "ceil": Fn(_rounding(math.ceil), "⌈", r"\lceil", "ceil", kind="wrap"),
    "gt": Fn(_compare(lambda a, b: a > b), ">", ">", kind="compare", arity=2),
    "ge": Fn(_compare(lambda a, b: a >= b), "≥", r"\ge", ">=", kind="compare", arity=2),
    "lt": Fn(_compare(lambda a, b: a < b), "<", "<", kind="compare", arity=2),
    "le": Fn(_compare(lambda a, b: a <= b), "≤", r"\le", "<=", kind="compare", arity=2),
    "where": Fn(_where, kind="where", arity=3),
    "sum": Fn(_sum, "Σ", r"\sum", "sum", kind="prefix", elementwise=False),
    "mean": Fn(_mean, "mean", r"\operatorname{mean}", elementwise=False),
    "concat": Fn(_concat, kind="tuple", elementwise=False, arity=None),
    "matmul": Fn(lambda a, b: _np().matmul(a, b), "×", r"\times", "@", "infix", False, 2),
    "transpose": Fn(lambda a: _np().transpose(a), "ᵀ", r"^{\top}", "^T", "postfix", False),
    "corr2d": Fn("stepcalc.calc.conv:corr2d", "⋆", r"\star", "(*)", "infix", False, 2),
    # --- outsize and params functions
    # --- conv and pool functions
    "rot180": Fn("stepcalc.calc.conv:rot180", elementwise=False),
    "pad": Fn("stepcalc.calc.conv:pad", elementwise=False, arity=2),
    "dilate": Fn("stepcalc.calc.conv:dilate", elementwise=False, arity=2),
    "conv": Fn("stepcalc.calc.conv:conv", elementwise=False, arity=None),
    "conv_t": Fn("stepcalc.calc.conv:conv_t", elementwise=False, arity=None),
    "conv_dW": Fn("stepcalc.calc.conv:conv_dW", elementwise=False, arity=None),
    "maxpool": Fn("stepcalc.calc.pool:maxpool", elementwise=False, arity=None),
    "avgpool": Fn("stepcalc.calc.pool:avgpool", elementwise=False, arity=None),
    "maxpool_grad": Fn("stepcalc.calc.pool:maxpool_grad", elementwise=False, arity=None),
    "avgpool_grad": Fn("stepcalc.calc.pool:avgpool_grad", elementwise=False, arity=None),
    # --- silu and dropout functions
    "diag": Fn("stepcalc.calc.activations:diag", "diag", r"\operatorname{diag}", elementwise=False),
    # --- optimizer functions
    # --- graph and network functions
    # --- loss and batchnorm functions
    "amax": Fn("stepcalc.calc.losses:amax", "max", r"\max", elementwise=False),
}
"""Every function a formula may call, with how each format writes it."""

NEGATED = {"gt": "le", "le": "gt", "ge": "lt", "lt": "ge"}
"""The complementary comparison, for the second branch of ``where``."""


@cache
def implementation(name: str) -> Callable[..., Any]:
    impl = FUNCTIONS[name].impl
    if isinstance(impl, str):
        import importlib

        module, _, attribute = impl.partition(":")
        impl = getattr(importlib.import_module(module), attribute)
    return impl


@cache
def parse(formula: str) -> expr.Node:
    arities = {name: fn.arity for name, fn in FUNCTIONS.items()}
    return expr.parse_expression(formula, "formula", functions=arities, limit=False)


# ------------------------------------------------------------------ evaluation


def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _pow(a, b):
    try:
        value = a**b
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf
    return math.nan if isinstance(value, complex) else value


_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _div,
    "**": _pow,
}


@cache
def compiled(formula: str) -> Callable[[dict[str, Any]], Any]:
    """The formula as a function of an operand mapping (a closure per node, built once)."""
    return _compile(parse(formula))


def _compile(node: expr.Node) -> Callable[[dict[str, Any]], Any]:
    if isinstance(node, expr.Num):
        number = int(node.value) if float(node.value).is_integer() else node.value
        return lambda env: number
    if isinstance(node, expr.Var):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, expr.Neg):
        inner = _compile(node.operand)
        return lambda env: -inner(env)
    if isinstance(node, expr.BinOp):
        left, right, op = _compile(node.left), _compile(node.right), _BINARY[node.op]
        return lambda env: op(left(env), right(env))
    arguments = [_compile(arg) for arg in node.args]
    name = node.name
    return lambda env: implementation(name)(*(arg(env) for arg in arguments))


def bind(operands: dict[str, Any]) -> dict[str, Any]:
    """Operands as the evaluator takes them: numbers stay numbers, lists become arrays."""
    bound = {}
    for name, value in operands.items():
        if isinstance(value, list | tuple):
            value = _np().asarray(value, dtype=float)
        bound[name] = value
    return bound


def evaluate(formula: str, operands: dict[str, Any]) -> Any:
    """The formula put to its operands, in float64; a 0-d result is a Python number."""
    function = compiled(formula)
    if all(type(v) in (int, float) for v in operands.values()):
        return _plain_number(function(operands))
    _quiet()
    return _plain_number(function(bind(operands)))


@cache
def _quiet() -> None:
    """inf and nan are results here, shown as such, not warnings (set once per process)."""
    _np().seterr(all="ignore")


def _plain_number(value: Any) -> Any:
    if isinstance(value, bool):
        return float(value)
    if hasattr(value, "ndim") and value.ndim == 0:
        return float(value)
    if isinstance(value, float) and type(value) is not float:
        return float(value)
    return value


@cache
def split(formula: str) -> tuple[str, str]:
    """``"m = beta1*m + g"`` → (``m``, ``beta1*m + g``); no left side → ("", formula)."""
    symbol, sep, rhs = formula.partition(" = ")
    return (symbol.strip(), rhs.strip()) if sep else ("", formula.strip())


@cache
def variables(formula: str) -> tuple[str, ...]:
    return tuple(expr.variables_of(parse(formula)))


class Work:
    """Writes a calculator's steps while computing them.

    ``work(title, "m = beta1*m + (1 - beta1)*g", m=…, beta1=…, g=…)`` evaluates the formula,
    rounds the value as a student would in hand mode (``ctx.r``), records the step (unless
    the trace is None: a silent run, as in training loops) and returns the value.

    With ``env`` (a dict of named quantities) operands not passed are taken from it by name,
    and each result is stored back under its symbol, so a worked solution reads as a list of
    formulas. With ``topic``, a title is a message name of that topic (``at`` fills it in).
    """

    def __init__(self, trace, ctx, phase: str = "forward", env=None, topic: str = ""):
        self.trace = trace
        self.ctx = ctx
        self.phase = phase
        self.env = env
        self.topic = topic

    def __call__(
        self,
        title: str,
        formula: str,
        *,
        key: str | None = None,
        note: str = "",
        name: str = "",
        at: dict[str, Any] | None = None,
        **operands: Any,
    ) -> Any:
        symbol, rhs = split(formula)
        if self.env is not None:
            for var in variables(rhs):
                if var not in operands:
                    operands[var] = self.env[var]
        value = self.ctx.r(evaluate(rhs, operands))
        if self.env is not None and symbol and "[" not in symbol:
            self.env[symbol] = value
        if self.trace is not None:
            if self.topic:
                title = self.ctx.t(f"{self.topic}.{title}", **(at or {}))
            self.trace.steps.append(
                Step(self.phase, title, rhs, operands, value, symbol, key, note, name)
            )
        return value
