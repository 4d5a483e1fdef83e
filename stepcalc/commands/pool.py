"""``stepcalc pool``: max or average pooling, forward and backward, window by window."""

from __future__ import annotations

from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.pool import MODES, PoolSpec, pool
    from stepcalc.calc.shapes import pair

    x = p.tensor("input", ndim=(2, 3, 4))
    if x is None:
        p.require("input")
    # a 1×1 or 1-row output takes its upstream as a plain number or a row
    grad_output = p.tensor("grad-output", ndim=(0, 1, 2, 3, 4))
    if grad_output is not None and grad_output.ndim < 2:
        grad_output = grad_output.reshape(1, -1)
    kernel = pair(p.ints("kernel", minimum=1, length=(1, 2)), "--kernel")
    spec = PoolSpec(
        mode=p.choice("mode", MODES),
        kernel=kernel,
        stride=pair(p.ints("stride", minimum=1, length=(1, 2)) or list(kernel), "--stride"),
        padding=pair(p.ints("padding", minimum=0, length=(1, 2)), "--padding", 0),
        ceil_mode=p.flag("ceil-mode"),
    )
    return pool(
        x,
        spec,
        ctx,
        grad_output=grad_output,
        backward=p.flag("backward"),
    )


COMMAND = Command(
    name="pool",
    help="Max or average pooling forward and backward, every window written out.",
    options=(
        Opt("input", "Input H×W, C×H×W ('|' between channels) or N×C×H×W (JSON).", metavar="X"),
        Opt("mode", "Pooling: max or avg.", default="max", metavar="max|avg"),
        Opt("kernel", "Window size K[,K].", metavar="K[,K]"),
        Opt("stride", "Stride S[,S] (default: the kernel).", metavar="S[,S]"),
        Opt(
            "padding",
            "Padding per side P[,P] (at most half the kernel).",
            default="0",
            metavar="P[,P]",
        ),
        Opt("ceil-mode", "Round the output size up (PyTorch ceil_mode).", flag=True),
        Opt(
            "backward", "Backward pass with an upstream of ones (loss = sum of outputs).", flag=True
        ),
        Opt("grad-output", "Backward pass with this upstream gradient ∂L/∂O.", metavar="G"),
    ),
    run=run,
)
