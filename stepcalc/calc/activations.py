"""Activation functions: one registry (for every calculator), and ``stepcalc silu``.

An activation is a formula over ``x`` and its parameters; its values are that formula evaluated
and its derivative is SymPy's (``stepcalc.symbolic``, cached), so numbers, steps and derivative
cannot drift apart. Kinks follow PyTorch's autograd (ReLU′(0) = 0, ReLU6′(6) = 0, …).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.context import Ctx
from stepcalc.errors import InputError, either
from stepcalc.formula import Work, evaluate, variables
from stepcalc.trace import Table, Trace


@dataclass(frozen=True)
class Activation:
    """``name`` on the command line, ``label`` in titles (and as the symbol of f(x) in steps,
    unless ``symbol`` is given), ``rule`` f(x) over x, the parameters (defaults in ``params``)
    and the ``parts`` worked out first, as by hand (``x*sigma`` with sigma = ``sigmoid(x)``);
    ``kinks``: where f may not be differentiable, formulas over the parameters."""

    name: str
    label: str
    rule: str
    params: dict[str, float] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    kinks: str = ""
    symbol: str = ""

    def __post_init__(self):
        object.__setattr__(self, "symbol", self.symbol or self.label)

    @property
    def formula(self) -> str:
        """f(x) over ``x`` and the parameters alone (``pi`` is π)."""
        text = self.rule
        for name, part in self.parts.items():
            text = re.sub(rf"\b{name}\b", f"({part})", text)
        return text

    @property
    def derivative_formula(self) -> str:
        """SymPy's f′(x) over ``x`` and the parameters."""
        return self.forms()["derivative"]

    def forms(self, params: dict[str, float] | None = None) -> dict[str, Any]:
        """SymPy's f′, alone and over the parts and f itself (``hand``: ``sigma*(1 - sigma)``),
        and the JSON ``symbolic`` forms with the parameters put in."""
        hand = tuple({**self.parts, self.symbol: self.formula}.items())
        return _forms(self.formula, hand, tuple((params or self.params).items()))

    def values(self, params: dict[str, Any]) -> dict[str, float]:
        """The parameters with their defaults filled in; an unknown one is a ValueError."""
        for unknown in sorted(set(params) - set(self.params)):
            raise ValueError(f"{self.name} takes no parameter {unknown!r}")
        return {**self.params, **{k: float(v) for k, v in params.items() if v is not None}}

    def forward(self, x: Any, **params: Any) -> Any:
        return _apply(self.formula, x, self.values(params))

    def derivative(self, x: Any, **params: Any) -> Any:
        return _apply(self.derivative_formula, x, self.values(params))


@cache
def _forms(formula: str, hand: tuple, params: tuple) -> dict[str, Any]:
    from stepcalc.symbolic import activation_forms

    return activation_forms(formula, dict(hand), dict(params))


def _apply(formula: str, x: Any, params: dict[str, float]) -> Any:
    x = np.asarray(x, dtype=float)
    value = evaluate(formula, operands(formula, {"x": x, **params}))
    return value + np.zeros_like(x) if x.ndim else value


def operands(formula: str, values: dict[str, Any]) -> dict[str, Any]:
    """The operands of ``values`` that a formula uses (π included): what a step shows."""
    values = {**values, "pi": math.pi}
    return {name: values[name] for name in variables(formula)}


A = Activation
SIGMA = {"sigma": "sigmoid(x)"}
HARD = "min(max(x + 3, 0), 6)/6"
INNER_TANH = {"t": "tanh(sqrt(2/pi)*(x + 0.044715*x**3))"}
THRESHOLD = "where(gt(x, theta), x, 0)"
ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        A("silu", "SiLU", "x*sigma", parts=SIGMA),
        A("swish", "Swish", "x*sigma", {"beta": 1.0}, {"sigma": "sigmoid(beta*x)"}),
        A("sigmoid", "σ", "sigmoid(x)", symbol="sigma"),
        A("relu", "ReLU", "max(x, 0)", kinks="0"),
        A("leaky-relu", "LeakyReLU", "where(gt(x, 0), x, alpha*x)", {"alpha": 0.01}, kinks="0"),
        A("tanh", "tanh", "tanh(x)"),
        A("gelu", "GELU", "x*Phi(x)"),
        A("gelu-tanh", "GELU-tanh", "x*(1 + t)/2", parts=INNER_TANH, symbol="GELU"),
        A("elu", "ELU", "where(gt(x, 0), x, alpha*(exp(x) - 1))", {"alpha": 1.0}, kinks="0"),
        A("softplus", "Softplus", "where(gt(x, 20), x, log(1 + exp(x)))"),
        A("relu6", "ReLU6", "min(max(x, 0), cap)", {"cap": 6.0}, kinks="0 cap"),
        A("thresholded-relu", "ThresholdedReLU", THRESHOLD, {"theta": 1.0}, {}, "theta", "TReLU"),
        A("softsign", "Softsign", "x/(1 + abs(x))"),
        A("hard-sigmoid", "HardSigmoid", HARD, kinks="-3 3", symbol="HSigmoid"),
        A("hard-swish", "HardSwish", f"x*{HARD}", kinks="-3 3", symbol="HSwish"),
        A("step", "step", "gt(x, 0)", symbol="H"),
    )
}
"""Every function of ``stepcalc silu --fn``, by its command-line name."""
ALIASES = {"hardsigmoid": "hard-sigmoid", "hardswish": "hard-swish", "heaviside": "step"}
OPTIONS = {"alpha": "alpha", "beta": "beta", "max-value": "cap", "threshold": "theta"}
"""Command-line option → parameter name in the formulas."""


def get(name: str) -> Activation:
    """The activation called ``name`` (``_`` for ``-`` and PyTorch's spellings accepted)."""
    key = name.strip().lower().replace("_", "-")
    return ACTIVATIONS[ALIASES.get(key, key)]


def activation(name: str, x: Any, **params: Any) -> Any:
    return get(name).forward(x, **params)


def derivative(name: str, x: Any, **params: Any) -> Any:
    return get(name).derivative(x, **params)


sigmoid, silu, relu = (partial(activation, name) for name in ("sigmoid", "silu", "relu"))
silu_derivative, relu_derivative = (partial(derivative, name) for name in ("silu", "relu"))


def diag(values: Any) -> np.ndarray:
    """diag(v): the square matrix with the (flattened) values on its diagonal."""
    return np.diag(np.ravel(np.asarray(values, dtype=float)))


# ------------------------------------------------------------------ stepcalc silu

MAX_TABLE_ROWS = 64
MAX_JACOBIAN = 100
NOTED = ("silu", "gelu", "gelu-tanh", "softplus", "hard-sigmoid", "step")
"""Activations with a note of their own in the catalog (``silu.<name>_note``)."""


def run(args, ctx: Ctx) -> Trace:
    from stepcalc.parse import format_shape
    from stepcalc.render.math import Style, text, write

    x, t, g, depth = args.input, ctx.t, args["grad-output"], args.depth
    act, other = ACTIVATIONS[args.fn], ACTIVATIONS.get(args.compare)
    for option, param in OPTIONS.items():
        if option in args.given and not any(param in a.params for a in (act, other) if a):
            users = [a.name for a in ACTIVATIONS.values() if param in a.params]
            raise InputError(option, "silu.unused_param", fns=either(users))
    if g is not None and g.shape != x.shape:
        shapes = {"shape": format_shape(g.shape), "input": format_shape(x.shape)}
        raise InputError("grad-output", "silu.shape", **shapes)
    if args.jacobian and x.size > MAX_JACOBIAN:
        raise InputError("jacobian", "too_many", count=x.size, limit=MAX_JACOBIAN)
    if depth and 3 * depth * x.size > limits.MAX_TENSOR_ELEMENTS:  # a, f′ and ∂a/∂x per layer
        count, limit = f"{3 * depth * x.size:,}", f"{limits.MAX_TENSOR_ELEMENTS:,}"
        raise InputError("depth", "too_many", count=count, limit=limit)
    given = {param: args[option] for option, param in OPTIONS.items()}
    params = act.values({p: given[p] for p in act.params})
    form = text(write(act.formula, {}, Style(), False))
    shown = "".join(f",  {text(write(k, {}, Style(), False))} = {_g(v)}" for k, v in params.items())
    trace = Trace("silu", {k.replace("-", "_"): v for k, v in args.items()} | params)
    trace.title, trace.shown_inputs = t("silu.title", fn=act.label), {"x": x}
    if form != f"{act.label}(x)":
        trace.subtitle = t("silu.subtitle", fn=act.label, form=form + shown)
    trace.summary = ["output", "derivative"] + ["grad_input"] * (g is not None)
    mine = {"x": x, "pi": math.pi, "dL_dy": g, **params}  # every value by its symbol
    w, at = Work(trace, ctx, env=mine, topic="silu"), {"fn": act.label}
    _forward(w, act, "output")
    if other:
        theirs = {"x": x, "pi": math.pi, **other.values({p: given[p] for p in other.params})}
        _forward(Work(trace, ctx, env=theirs, topic="silu"), other, "compare.output")
    w.phase, prime = "backward", f"{act.symbol}_prime"
    d = _derivative(w, act, "derivative")
    result = trace.result = {"output": mine[act.symbol], "derivative": d}
    result["symbolic"] = act.forms(params)["symbolic"]
    if g is not None:
        result["grad_input"] = w("grad_input", f"dL_dx = dL_dy*{prime}", at=at, key="grad_input")
    if other:
        od = _derivative(Work(trace, ctx, "backward", theirs, "silu"), other, "compare.derivative")
        result["compare"] = {"fn": other.name, "output": theirs[other.symbol], "derivative": od}
        columns = (x, mine[act.symbol], d, theirs[other.symbol], od)
        trace.tables.append(_compare_table(act, other, columns, ctx))
    if args.jacobian:
        flat = {prime: np.ravel(d)}
        result["jacobian"] = w("jacobian", f"J = diag({prime})", at=at, key="jacobian", **flat)
        if g is not None:
            w("jacobian_times", "dL_dx = matmul(transpose(J), dL_dy)", dL_dy=np.ravel(g))
        trace.notes.append(t("silu.jacobian_note"))
    if depth:
        result["depth"] = _depth(w, act, depth)
        trace.steps.sort(key=lambda step: step.phase != "forward")  # the layers' a_k first
        trace.notes.append(t("silu.depth_note"))
        if act.name == "sigmoid":
            trace.notes.append(t("silu.sigmoid_bound", n=depth, bound=f"{0.25**depth:.3g}"))
    trace.notes += _notes(act, params, ctx)
    return trace


def _forward(w: Work, act: Activation, key: str) -> None:
    """The parts first (σ = σ(x)), then f(x) = x·σ, each kept in ``w.env`` by its symbol."""
    for name, part in act.parts.items():
        w(f"part_{name}", f"{name} = {part}", at={"fn": act.label})
    w("output", f"{act.symbol} = {act.rule}", at={"fn": act.label}, key=key)


def _derivative(w: Work, act: Activation, key: str) -> Any:
    formula = act.forms({k: w.env[k] for k in act.params})["hand"]
    if not variables(formula):  # a constant (the step's 0), one per element
        formula = f"0*x + {formula}" if formula != "0" else "0*x"
    return w("derivative", f"{act.symbol}_prime = {formula}", at={"fn": act.label}, key=key)


def _compare_table(act: Activation, other: Activation, columns, ctx: Ctx) -> Table:
    """Both functions side by side, one row per element: x, f(x), f′(x), g(x), g′(x)."""
    t, x, flat, a, b = ctx.t, columns[0], [np.ravel(c) for c in columns], act.label, other.label
    indices = list(np.ndindex(x.shape))[:MAX_TABLE_ROWS]
    rows = [
        [",".join(map(str, i))] * (x.ndim > 1) + [float(c[n]) for c in flat]
        for n, i in enumerate(indices)
    ]
    headers = [""] * (x.ndim > 1) + ["x", f"{a}(x)", f"{a}′(x)", f"{b}(x)", f"{b}′(x)"]
    note = t("silu.compare_note")
    if x.size > MAX_TABLE_ROWS:
        note += "; " + t("silu.rows_hidden", shown=MAX_TABLE_ROWS, total=x.size)
    return Table(t("silu.compare_table", fn=a, other=b), headers, rows, note)


def _depth(w: Work, act: Activation, depth: int) -> dict[str, Any]:
    """N copies stacked: a_k = f(a_(k−1)), a_0 = x; ∂a_N/∂x = Π f′(a_(k−1)) by the chain rule."""
    for k in range(1, depth + 1):
        before, keys = "x" if k == 1 else f"a{k - 1}", ["depth.output", "depth.gradient"]
        keys, at = keys if k == depth else [None, None], {"k": k, "j": k - 1, "fn": act.label}
        rule, local = (re.sub(r"\bx\b", before, f) for f in (act.formula, act.derivative_formula))
        w.phase = "forward"
        w("layer", f"a{k} = {rule}", at=at, key=keys[0], name="depth")
        w.phase, chain = "backward", f"da{k - 1}_dx*({local})" if k > 1 else local
        w("layer_gradient", f"da{k}_dx = {chain}", at=at, key=keys[1], name="depth")
    return {"layers": depth, "output": w.env[f"a{depth}"], "gradient": w.env[f"da{depth}_dx"]}


def _notes(act: Activation, params: dict[str, float], ctx: Ctx) -> list[str]:
    """Where f is not differentiable (one-sided slopes or values that differ), what f′ is
    taken there; and the activation's own note."""
    t, kinks = ctx.t, []
    for point in (evaluate(k, dict(params)) for k in act.kinks.split()):
        sides = np.array([point - 1e-7, point, point + 1e-7])
        (left, at, right), values = act.derivative(sides, **params), act.forward(sides, **params)
        if abs(right - left) > 1e-4 or abs(values[2] - values[0]) > 1e-4:
            kinks.append((_g(point), t("silu.value_at", value=_g(at), point=_g(point))))
    notes = [t(f"silu.{act.name.replace('-', '_')}_note")] if act.name in NOTED else []
    if kinks:
        points, values = (", ".join(part) for part in zip(*kinks, strict=True))
        notes.insert(0, t("silu.kink_note", fn=act.label, points=points, values=values))
    return notes


def _g(number: float) -> str:
    return f"{number:g}".replace("-", "−")
