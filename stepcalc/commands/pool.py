"""``stepcalc pool``: max or average pooling, forward and backward, window by window."""

from stepcalc.commands.conv import PADDING, SHARED
from stepcalc.spec import Choice, Command, Flag, Ints, Opt, Requires, Tensor

COMMAND = Command(
    name="pool",
    summary="Max and average pooling forward and backward",
    help="Max or average pooling forward and backward, every window written out.",
    calculator="stepcalc.calc.pool:run",
    drill="stepcalc.drill:pool_problem",
    result_keys=("output", "grad_input"),
    options=(
        Opt("input", Tensor("X", (2, 3, 4)), "Input H×W, C×H×W or N×C×H×W.", required=True),
        Opt("mode", Choice("max|avg", ("max", "avg")), "Pooling: max or avg.", "max"),
        Opt("kernel", Ints("K[,K]", 1, (1, 2)), "Window size K[,K].", required=True),
        Opt("stride", Ints("S[,S]", 1, (1, 2)), "Stride S[,S] (default: the kernel)."),
        Opt("padding", PADDING, "Padding per side P[,P] (at most K/2), or 'same'.", "0"),
        Opt("ceil-mode", Flag(), "Round the output size up (PyTorch ceil_mode)."),
        Opt("count-include-pad", Flag(), "avg: padding counts in the divisor (off for 'same')."),
        *SHARED,
    ),
    constraints=(Requires("count-include-pad", "mode", ("avg",)),),
    alternatives=(("backward", "grad-output"),),
    samples=("pool_avg_padding.yaml", "pool_max_tie.yaml", "pool_same_keras.yaml"),
)
