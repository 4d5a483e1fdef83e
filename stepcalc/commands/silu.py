"""``stepcalc silu``: an activation function and its derivative, element by element."""

from __future__ import annotations

from stepcalc import limits
from stepcalc.errors import StepcalcError
from stepcalc.parse import format_shape
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

FUNCTIONS = (
    "silu",
    "swish",
    "sigmoid",
    "relu",
    "leaky-relu",
    "tanh",
    "gelu",
    "gelu-tanh",
    "elu",
    "softplus",
)
TAKES = {"alpha": ("leaky-relu", "elu"), "beta": ("swish",)}


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.activations import MAX_DEPTH, silu_trace

    x = p.tensor("input")
    if x is None:
        p.require("input")
    fn = p.choice("fn", FUNCTIONS)
    compare = p.choice("compare", FUNCTIONS)
    for name, users in TAKES.items():
        if p.has(name) and fn not in users and compare not in users:
            raise StepcalcError(f"--{name}: only used with --fn {' or '.join(users)}")
    grad_output = p.tensor("grad-output")
    if grad_output is not None and grad_output.shape != x.shape:
        raise StepcalcError(
            f"--grad-output: shape {format_shape(grad_output.shape)} does not match --input "
            f"{format_shape(x.shape)}"
        )
    depth = p.int("depth", minimum=1)
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
        alpha=p.scalar("alpha"),
        beta=p.scalar("beta"),
        grad_output=grad_output,
        jacobian=p.flag("jacobian"),
        compare=compare,
        depth=depth,
    )


COMMAND = Command(
    name="silu",
    help="Activation function value and derivative (SymPy), element by element.",
    options=(
        Opt("input", "Input x: scalar, vector, matrix or tensor.", metavar="X"),
        Opt("fn", "Function: " + ", ".join(FUNCTIONS) + ".", default="silu", metavar="NAME"),
        Opt("alpha", "Slope α of leaky-relu (0.01) or elu (1).", metavar="A"),
        Opt("beta", "β of swish, x·σ(βx) (1).", metavar="B"),
        Opt("grad-output", "Upstream gradient ∂L/∂y, same shape as the input.", metavar="G"),
        Opt("compare", "Show another function side by side, e.g. relu.", metavar="NAME"),
        Opt("jacobian", "Show the (diagonal) Jacobian ∂y/∂x.", flag=True),
        Opt("depth", "Gradient through N stacked copies of the function.", metavar="N"),
    ),
    run=run,
)
