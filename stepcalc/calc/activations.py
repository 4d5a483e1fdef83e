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

from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

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


def diag_matrix(values: Any) -> np.ndarray:
    """diag(v): the square matrix with the (flattened) values on its diagonal."""
    return np.diag(np.ravel(_array(values)))


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
    "diag": diag_matrix,
    "dot": np.dot,
}
"""Named functions step formulas may use (``x*sigmoid(x)``, ``Phi(x) + x*phi(x)``)."""


# --------------------------------------------------------------------------------------
# The worked solution of ``stepcalc silu``

LABELS = {
    "silu": "SiLU",
    "swish": "Swish",
    "sigmoid": "σ",
    "relu": "ReLU",
    "leaky-relu": "LeakyReLU",
    "tanh": "tanh",
    "gelu": "GELU",
    "gelu-tanh": "GELU-tanh",
    "elu": "ELU",
    "softplus": "Softplus",
}
"""How each function is named in titles and table headers."""

NAMED_FORMULAS = {
    "silu": "silu(x)",
    "swish": "swish(x, beta)",
    "sigmoid": "sigmoid(x)",
    "relu": "relu(x)",
    "leaky-relu": "leaky_relu(x, alpha)",
    "tanh": "tanh(x)",
    "gelu": "gelu(x)",
    "gelu-tanh": "gelu_tanh(x)",
    "elu": "elu(x, alpha)",
    "softplus": "softplus(x)",
}
"""f(x) written with the named step functions (stable in float64)."""

EXP_OVERFLOW = 709.0
"""e^t overflows float64 above this, and SymPy's raw forms with e^(±x) then give inf/inf."""
RAW_FORM_USES_EXP = ("silu", "swish", "sigmoid", "softplus")
MAX_TABLE_ROWS = 64
MAX_JACOBIAN = 100
MAX_DEPTH = 50
LARGE_INPUT = 30.0
"""Beyond this |x| the naive 1/(1 + e^(−x)) is where overflow starts to matter."""


def applicable_params(name: str, alpha: float | None, beta: float | None) -> dict[str, float]:
    """The parameters ``name`` takes, defaults filled in (and none that it does not take)."""
    given = {"alpha": alpha, "beta": beta}
    return {
        key: float(given[key]) if given[key] is not None else default
        for key, default in ACTIVATIONS[name].params.items()
    }


def silu_trace(
    x: Any,
    name: str,
    ctx: Ctx,
    alpha: float | None = None,
    beta: float | None = None,
    grad_output: Any = None,
    jacobian: bool = False,
    compare: str | None = None,
    depth: int | None = None,
) -> Trace:
    """Value and derivative of one activation, element by element, derived by SymPy."""
    from stepcalc.symbolic import activation_calculus

    x = _array(x)
    t = ctx.t
    label = LABELS[name]
    params = applicable_params(name, alpha, beta)
    function_text, derivative_text = activation_calculus(
        name, params.get("alpha"), params.get("beta")
    )
    trace = Trace(
        command="silu",
        title=t("silu.title", fn=label),
        subtitle=t("silu.subtitle", form=_form(name, ctx), derivative=_deriv_rule(name, ctx)),
        inputs={
            "input": x,
            "fn": name,
            "alpha": params.get("alpha", alpha),
            "beta": params.get("beta", beta),
            "grad_output": grad_output,
            "compare": compare,
            "jacobian": jacobian,
            "depth": depth,
        },
    )
    output, named, textbook = _forward(name, x, params, ctx, trace)
    if compare is not None:
        other_params = applicable_params(compare, alpha, beta)
        other_output = trace.add(
            Step(
                "forward",
                t("silu.output", fn=LABELS[compare]),
                NAMED_FORMULAS[compare],
                ctx.r(ACTIVATIONS[compare].forward(x, **other_params)),
                {"x": x, **other_params},
                rule=_form(compare, ctx),
            )
        )
    trace.add(_raw_derivative_step(name, x, params, derivative_text, ctx))
    textbook.title = t("silu.textbook_derivative", fn=label)
    textbook.rule = _deriv_rule(name, ctx)
    textbook.key = "derivative"
    derivative_value = trace.add(textbook)
    trace.result = {
        "output": output,
        "derivative": derivative_value,
        "symbolic": {"function": function_text, "derivative": derivative_text},
    }
    grad_input = None
    if grad_output is not None:
        grad_output = _array(grad_output)
        grad_input = trace.add(
            Step(
                "backward",
                t("silu.grad_input"),
                "g*d",
                ctx.r(grad_output * derivative_value),
                {"g": grad_output, "d": derivative_value},
                rule="∂L/∂y ⊙ f′(x)",
                key="grad_input",
            )
        )
        trace.result["grad_input"] = grad_input
    trace.tables.append(
        _element_table(name, x, output, named, derivative_value, grad_output, grad_input, ctx)
    )
    if compare is not None:
        _, other_derivative_text = activation_calculus(
            compare, other_params.get("alpha"), other_params.get("beta")
        )
        other_derivative = trace.add(
            _raw_derivative_step(compare, x, other_params, other_derivative_text, ctx)
        )
        trace.result["compare"] = {
            "fn": compare,
            "output": other_output,
            "derivative": other_derivative,
        }
        table = _compare_table(
            (name, output, derivative_value), (compare, other_output, other_derivative), x, ctx
        )
        trace.tables.append(table)
    if jacobian:
        _jacobian(trace, derivative_value, grad_output, ctx)
    if depth is not None:
        _depth(trace, name, x, params, depth, ctx)
    trace.notes.extend(_notes(name, x, params, ctx))
    return trace


def _form(name: str, ctx: Ctx) -> str:
    return ctx.t(f"silu.form_{name.replace('-', '_')}")


def _deriv_rule(name: str, ctx: Ctx) -> str:
    return ctx.t(f"silu.deriv_{name.replace('-', '_')}")


def _forward(name: str, x: np.ndarray, params: dict[str, float], ctx: Ctx, trace: Trace):
    """The forward steps of ``name``.

    Returns f(x), the intermediates worth a column in the element table, and the step that
    computes f′(x) from those intermediates (the textbook form).
    """
    t = ctx.t
    title = t("silu.output", fn=LABELS[name])
    if name in ("silu", "swish", "sigmoid"):
        beta = params.get("beta")
        sigma_inputs = {"x": x} if beta is None else {"x": x, "beta": beta}
        s = trace.add(
            Step(
                "forward",
                t("silu.sigma", arg="x" if beta is None else "βx"),
                "1/(1 + exp(-x))" if beta is None else "1/(1 + exp(-beta*x))",
                ctx.r(sigmoid(x) if beta is None else sigmoid(beta * x)),
                sigma_inputs,
                key="output" if name == "sigmoid" else None,
            )
        )
        if name == "sigmoid":
            return (
                s,
                {},
                Step("backward", "", "sigma*(1 - sigma)", ctx.r(s * (1 - s)), {"sigma": s}),
            )
        out = trace.add(
            Step("forward", title, "x*sigma", ctx.r(x * s), {"x": x, "sigma": s}, key="output")
        )
        column = {"σ(x)" if beta is None else "σ(βx)": s}
        if beta is None:
            value = s * (1 + x * (1 - s))
            return (
                out,
                column,
                Step(
                    "backward", "", "sigma*(1 + x*(1 - sigma))", ctx.r(value), {"x": x, "sigma": s}
                ),
            )
        value = s * (1 + beta * x * (1 - s))
        inputs = {"x": x, "sigma": s, "beta": beta}
        return (
            out,
            column,
            Step("backward", "", "sigma*(1 + beta*x*(1 - sigma))", ctx.r(value), inputs),
        )
    if name == "tanh":
        th = trace.add(Step("forward", title, "tanh(x)", ctx.r(tanh(x)), {"x": x}, key="output"))
        return th, {}, Step("backward", "", "1 - t**2", ctx.r(1 - th * th), {"t": th})
    if name == "gelu":
        cdf = trace.add(
            Step("forward", t("silu.cdf"), "(1 + erf(x/sqrt(2)))/2", ctx.r(normal_cdf(x)), {"x": x})
        )
        out = trace.add(
            Step("forward", title, "x*Phi", ctx.r(x * cdf), {"x": x, "Phi": cdf}, key="output")
        )
        value = cdf + x * normal_pdf(x)
        formula = "Phi + x*exp(-x**2/2)/sqrt(2*pi)"
        return out, {"Φ(x)": cdf}, Step("backward", "", formula, ctx.r(value), {"x": x, "Phi": cdf})
    if name == "gelu-tanh":
        c = GELU_TANH_COEF
        u = trace.add(
            Step(
                "forward",
                t("silu.gelu_inner"),
                "sqrt(2/pi)*(x + c*x**3)",
                ctx.r(SQRT_2_OVER_PI * (x + c * x**3)),
                {"x": x, "c": c},
            )
        )
        th = trace.add(Step("forward", "tanh(u)", "tanh(u)", ctx.r(np.tanh(u)), {"u": u}))
        out = trace.add(
            Step(
                "forward",
                title,
                "x*(1 + t)/2",
                ctx.r(0.5 * x * (1 + th)),
                {"x": x, "t": th},
                key="output",
            )
        )
        value = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * c * x * x)
        formula = "(1 + t)/2 + x*(1 - t**2)*sqrt(2/pi)*(1 + 3*c*x**2)/2"
        inputs = {"x": x, "t": th, "c": c}
        return out, {"tanh(u)": th}, Step("backward", "", formula, ctx.r(value), inputs)
    out = trace.add(
        Step(
            "forward",
            title,
            NAMED_FORMULAS[name],
            ctx.r(ACTIVATIONS[name].forward(x, **params)),
            {"x": x, **params},
            rule=_form(name, ctx),
            key="output",
        )
    )
    if name == "relu":
        return out, {}, Step("backward", "", "step(x)", relu_derivative(x), {"x": x})
    if name == "leaky-relu":
        alpha = params["alpha"]
        value = leaky_relu_derivative(x, alpha)
        formula = "step(x) + alpha*(1 - step(x))"
        return out, {}, Step("backward", "", formula, value, {"x": x, "alpha": alpha})
    if name == "elu":
        alpha = params["alpha"]
        value = ctx.r(np.where(x > 0, 1.0, out + alpha))
        formula = "step(x) + (1 - step(x))*(f + alpha)"
        inputs = {"x": x, "f": out, "alpha": alpha}
        return out, {}, Step("backward", "", formula, value, inputs)
    s = ctx.r(sigmoid(x))
    return out, {}, Step("backward", "", "1/(1 + exp(-x))", s, {"x": x})


def _raw_derivative_step(
    name: str, x: np.ndarray, params: dict[str, float], formula: str, ctx: Ctx
) -> Step:
    """SymPy's own derivative, put in as written; the value comes from the stable form."""
    step = Step(
        "backward",
        ctx.t("silu.raw_derivative", fn=LABELS[name]),
        formula,
        ctx.r(ACTIVATIONS[name].derivative(x, **params)),
        {"x": x},
    )
    scale = abs(params.get("beta", 1.0))
    if name in RAW_FORM_USES_EXP and x.size and float(np.max(np.abs(x))) * scale > EXP_OVERFLOW:
        step.verify = False
        step.note = ctx.t("silu.raw_overflow")
    return step


def _index_label(index: tuple[int, ...]) -> str:
    if not index:
        return ""
    if len(index) == 1:
        return str(index[0])
    return "(" + ",".join(str(i) for i in index) + ")"


def _rows(columns: list[np.ndarray], limit: int = MAX_TABLE_ROWS) -> tuple[list[list[Any]], int]:
    """One row per element (row-major), each row the element's value in every column."""
    shape = columns[0].shape
    rows = []
    for position, index in enumerate(np.ndindex(shape)):
        if position == limit:
            break
        rows.append([_index_label(index)] + [float(c.ravel()[position]) for c in columns])
    return rows, int(np.prod(shape, dtype=int))


def _element_table(name, x, output, named, derivative_value, grad_output, grad_input, ctx):
    t = ctx.t
    label = LABELS[name]
    headers = ["", "x", *named, f"{label}(x)", f"{label}′(x)"]
    columns = [x, *named.values(), output, derivative_value]
    if grad_output is not None:
        headers += ["∂L/∂y", "∂L/∂x"]
        columns += [grad_output, grad_input]
    rows, total = _rows([np.atleast_1d(c) for c in columns])
    note = t("silu.rows_hidden", shown=len(rows), total=total) if total > len(rows) else ""
    return Table(t("silu.element_table"), headers, rows, note)


def _compare_table(first, second, x, ctx) -> Table:
    """Two functions side by side: (name, f(x), f′(x)) each; marks where one gradient is 0."""
    t = ctx.t
    (name, output, derivative_value), (other, other_output, other_derivative) = first, second
    a, b = LABELS[name], LABELS[other]
    columns = [
        np.atleast_1d(c) for c in (x, output, derivative_value, other_output, other_derivative)
    ]
    rows, total = _rows(columns)
    for row in rows:
        mark = ""
        if row[5] == 0 and row[3] != 0:
            mark = t("silu.dies", other=b, fn=a)
        elif row[3] == 0 and row[5] != 0:
            mark = t("silu.dies", other=a, fn=b)
        row.append(mark)
    headers = ["", "x", f"{a}(x)", f"{a}′(x)", f"{b}(x)", f"{b}′(x)", ""]
    note = t("silu.compare_note", fn=a, other=b)
    if total > len(rows):
        note += " " + t("silu.rows_hidden", shown=len(rows), total=total)
    return Table(t("silu.compare_table", fn=a, other=b), headers, rows, note)


def _jacobian(trace: Trace, derivative_value, grad_output, ctx: Ctx) -> None:
    t = ctx.t
    d = np.ravel(derivative_value)
    if d.size > MAX_JACOBIAN:
        raise StepcalcError(
            f"--jacobian: the input has {d.size} elements; the Jacobian is shown for at most "
            f"{MAX_JACOBIAN}"
        )
    matrix = trace.add(
        Step(
            "backward",
            t("silu.jacobian"),
            "diag(d)",
            diag_matrix(d),
            {"d": d},
            rule="∂yᵢ/∂xⱼ = f′(xᵢ)·[i = j]",
            key="jacobian",
        )
    )
    trace.result["jacobian"] = matrix
    if grad_output is not None:
        g = np.ravel(grad_output)
        trace.add(
            Step(
                "backward",
                t("silu.jacobian_times"),
                "dot(J, g)",
                ctx.r(matrix @ g),
                {"J": matrix, "g": g},
                rule="Jᵀ·g = g ⊙ f′(x)",
            )
        )
    flattened = np.ndim(derivative_value) > 1
    trace.notes.append(t("silu.jacobian_note") + (" " + t("silu.flattened") if flattened else ""))


def _depth(trace: Trace, name: str, x: np.ndarray, params: dict[str, float], depth: int, ctx):
    """N copies of the activation stacked: a_k = f(a_(k−1)); ∂a_N/∂x = Π f′(a_(k−1))."""
    t = ctx.t
    act = ACTIVATIONS[name]
    activations = [x]
    factors = []
    products = []
    product = np.ones_like(x)
    for _ in range(depth):
        previous = activations[-1]
        factors.append(ctx.r(act.derivative(previous, **params)))
        product = ctx.r(product * factors[-1])
        products.append(product)
        activations.append(ctx.r(act.forward(previous, **params)))
    nested = "x"
    for _ in range(depth):
        nested = NAMED_FORMULAS[name].replace("(x", "(" + nested, 1)
    last_forward = max(i for i, step in enumerate(trace.steps) if step.phase == "forward")
    final = Step(
        "forward",
        t("silu.depth_output", n=depth),
        nested,
        activations[-1],
        {"x": x, **params},
        rule=f"f(f(…f(x)…)) ({depth}×)",
    )
    trace.steps.insert(last_forward + 1, final)
    final = final.value
    names = [f"d_{k}" for k in range(1, depth + 1)]
    gradient = trace.add(
        Step(
            "backward",
            t("silu.depth_gradient", n=depth),
            "*".join(names),
            products[-1],
            dict(zip(names, factors, strict=True)),
            rule="f′(a₀)·f′(a₁)·…·f′(a_N−1)",
        )
    )
    trace.result["depth"] = {"layers": depth, "output": final, "gradient": gradient}
    rows = []
    for k in range(depth):
        row = [str(k + 1)]
        for value in (activations[k], factors[k], products[k]):
            row.append(value if np.ndim(value) else float(value))
        rows.append(row)
    headers = ["k", "a_(k−1)", "f′(a_(k−1))", "∂a_k/∂x"]
    note = t("silu.depth_note")
    if name == "sigmoid":
        note += " " + t("silu.sigmoid_bound", n=depth, bound=f"{0.25**depth:.3g}")
    trace.tables.append(Table(t("silu.depth_table", n=depth, fn=LABELS[name]), headers, rows, note))


def _notes(name: str, x: np.ndarray, params: dict[str, float], ctx: Ctx) -> list[str]:
    t = ctx.t
    notes = []
    if name in ("relu", "leaky-relu", "elu"):
        notes.append(t("silu.kink_note", fn=LABELS[name]))
    if name in ("gelu", "gelu-tanh"):
        notes.append(t(f"silu.{name.replace('-', '_')}_note"))
    if name in RAW_FORM_USES_EXP and x.size and float(np.max(np.abs(x))) > LARGE_INPUT:
        notes.append(t("silu.stable_note"))
    if name == "silu":
        notes.append(t("silu.silu_note"))
    return notes


def run(args, ctx: Ctx) -> Trace:
    from stepcalc import limits
    from stepcalc.parse import format_shape

    x, fn, compare = args.input, args.fn, args.compare
    if "alpha" in args.given and fn not in ("leaky-relu", "elu") and compare not in (
        "leaky-relu",
        "elu",
    ):
        raise StepcalcError("--alpha: only used with --fn leaky-relu or elu")
    grad_output = args["grad-output"]
    if grad_output is not None and grad_output.shape != x.shape:
        raise StepcalcError(
            f"--grad-output: shape {format_shape(grad_output.shape)} does not match --input "
            f"{format_shape(x.shape)}"
        )
    depth = args.depth
    if depth is not None and depth > MAX_DEPTH:
        raise StepcalcError(f"--depth: at most {MAX_DEPTH} layers")
    if depth is not None and 3 * depth * x.size > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"--depth: {depth} layers of {x.size:,} elements is above the limit of "
            f"{limits.MAX_TENSOR_ELEMENTS:,} numbers"
        )
    return silu_trace(
        x,
        fn,
        ctx,
        alpha=args.alpha,
        beta=args.beta,
        grad_output=grad_output,
        jacobian=args.jacobian,
        compare=compare,
        depth=depth,
    )
