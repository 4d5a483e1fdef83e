"""``stepcalc outsize``: output height and width of a conv, pool or transposed conv layer."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

KINDS = ("conv", "pool", "transpose")


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.shapes import Geometry, outsize, pair

    size = p.ints("input", minimum=1, length=(1, 2, 3)) or p.require("input")
    channels = size[0] if len(size) == 3 else None
    size = size[1:] if len(size) == 3 else size
    kind = p.choice("kind", KINDS)
    kernel = pair(p.ints("kernel", minimum=1, length=(1, 2)), "--kernel")
    stride_default = kernel if kind == "pool" else (1, 1)
    stride = p.ints("stride", minimum=1, length=(1, 2)) or list(stride_default)
    padding_text = p.raw("padding")
    if isinstance(padding_text, str) and padding_text.strip().lower() == "same":
        padding = "same"
    else:
        padding = pair(p.ints("padding", minimum=0, length=(1, 2)), "--padding", 0)
    solve = p.choice("solve", ("padding",))
    wanted = p.ints("output", minimum=1, length=(1, 2))
    if solve and wanted is None:
        raise StepcalcError("--solve padding: give the wanted size with --output N")
    if wanted is not None and not solve:
        raise StepcalcError("--output: only used with --solve padding")
    geometry = Geometry(
        size=pair(size, "--input"),
        kernel=kernel,
        stride=pair(stride, "--stride"),
        padding=padding,
        dilation=pair(p.ints("dilation", minimum=1, length=(1, 2)), "--dilation", 1),
        output_padding=pair(
            p.ints("output-padding", minimum=0, length=(1, 2)), "--output-padding", 0
        ),
    )
    if p.has("ceil-mode") and kind != "pool":
        raise StepcalcError("--ceil-mode: only for --kind pool")
    return outsize(
        geometry,
        kind,
        ctx,
        ceil_mode=p.flag("ceil-mode"),
        channels=channels,
        out_channels=p.int("out-channels", minimum=1),
        solve_output=pair(wanted, "--output") if solve else None,
    )


COMMAND = Command(
    name="outsize",
    help="Output size of a convolution, pooling or transposed convolution layer.",
    options=(
        Opt("input", "Input size H[,W], or C,H,W.", metavar="H[,W]"),
        Opt("kernel", "Kernel size K[,K].", metavar="K[,K]"),
        Opt("stride", "Stride S[,S] (default 1; pooling: the kernel).", metavar="S[,S]"),
        Opt("padding", "Padding per side P[,P], or 'same'.", default="0", metavar="P[,P]|same"),
        Opt("dilation", "Dilation D[,D].", default="1", metavar="D[,D]"),
        Opt(
            "kind",
            "Layer kind: conv, pool or transpose.",
            default="conv",
            metavar="conv|pool|transpose",
        ),
        Opt(
            "output-padding",
            "Extra size on one side (transpose only).",
            default="0",
            metavar="A[,A]",
        ),
        Opt("ceil-mode", "Pooling: round the division up (PyTorch ceil_mode).", flag=True),
        Opt("out-channels", "Number of filters (output channels).", metavar="C"),
        Opt("solve", "Solve for a quantity instead: 'padding'.", metavar="padding"),
        Opt("output", "With --solve padding: the wanted output size N[,N].", metavar="N[,N]"),
    ),
    run=run,
)
