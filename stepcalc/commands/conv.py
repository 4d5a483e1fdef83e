"""``stepcalc conv``: convolution (and ``--transpose``) forward and backward, cell by cell."""

from __future__ import annotations

from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.conv import ConvSpec, convolve
    from stepcalc.calc.shapes import pair

    # A single number or a single row ("1 -1", d2l's edge detector) is a 1-row matrix.
    x = p.tensor("input", ndim=(0, 1, 2, 3, 4))
    if x is None:
        p.require("input")
    if x.ndim < 2:
        x = x.reshape(1, -1)
    w = p.tensor("kernel", ndim=(0, 1, 2, 3, 4))
    if w is None:
        p.require("kernel")
    if w.ndim < 2:
        w = w.reshape(1, -1)
    grad_output = p.tensor("grad-output", ndim=(0, 1, 2, 3, 4))
    if grad_output is not None and grad_output.ndim < 2:
        grad_output = grad_output.reshape(1, -1)
    padding = str(p.raw("padding")).strip().lower()
    if padding == "valid":
        padding = "0"
    spec = ConvSpec(
        stride=pair(p.ints("stride", minimum=1, length=(1, 2)), "--stride", 1),
        padding="same"
        if padding == "same"
        else pair(p.ints("padding", minimum=0, length=(1, 2)), "--padding", 0),
        dilation=pair(p.ints("dilation", minimum=1, length=(1, 2)), "--dilation", 1),
        groups=p.int("groups", minimum=1, default=1),
        flip=p.flag("flip"),
        transpose=p.flag("transpose"),
        output_padding=pair(
            p.ints("output-padding", minimum=0, length=(1, 2)), "--output-padding", 0
        ),
    )
    return convolve(
        x,
        w,
        p.tensor("bias", ndim=(0, 1)),
        spec,
        ctx,
        grad_output=grad_output,
        backward=p.flag("backward"),
    )


COMMAND = Command(
    name="conv",
    help="2-D convolution forward and backward, every output cell written out.",
    options=(
        Opt("input", "Input H×W, C×H×W ('|' between channels) or N×C×H×W (JSON).", metavar="X"),
        Opt(
            "kernel",
            "Kernel kh×kw, Ci×kh×kw or Co×Ci×kh×kw ('|' between channels, '||' between "
            "filters); with --transpose kh×kw or Ci×Co×kh×kw.",
            metavar="W",
        ),
        Opt("bias", "Bias, one number per output channel.", metavar="B"),
        Opt("stride", "Stride S[,S].", default="1", metavar="S[,S]"),
        Opt(
            "padding", "Zero padding per side P[,P], or 'same'.", default="0", metavar="P[,P]|same"
        ),
        Opt("dilation", "Dilation D[,D].", default="1", metavar="D[,D]"),
        Opt("groups", "Grouped convolution: number of groups.", default=1, metavar="G"),
        Opt(
            "flip",
            "True convolution: rotate the kernel 180° (default: cross-correlation).",
            flag=True,
        ),
        Opt("transpose", "Transposed convolution (PyTorch conv_transpose2d).", flag=True),
        Opt(
            "output-padding",
            "With --transpose: extra rows/columns at the end.",
            default="0",
            metavar="A[,A]",
        ),
        Opt(
            "backward", "Backward pass with an upstream of ones (loss = sum of outputs).", flag=True
        ),
        Opt("grad-output", "Backward pass with this upstream gradient ∂L/∂O.", metavar="G"),
    ),
    run=run,
)
