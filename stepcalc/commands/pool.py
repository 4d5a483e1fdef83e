"""``stepcalc pool``: max or average pooling, forward and backward, window by window."""

from stepcalc.spec import Choice, Command, Flag, Ints, Opt, Tensor

COMMAND = Command(
    name="pool",
    help="Max or average pooling forward and backward, every window written out.",
    calculator="stepcalc.calc.pool:run",
    result_keys=("output", "grad_input"),
    options=(
        Opt(
            "input",
            Tensor("X", (2, 3, 4)),
            "Input H×W, C×H×W ('|' between channels) or N×C×H×W (JSON).",
            required=True,
        ),
        Opt("mode", Choice("max|avg", ("max", "avg")), "Pooling: max or avg.", "max"),
        Opt("kernel", Ints("K[,K]", 1, (1, 2)), "Window size K[,K].", required=True),
        Opt("stride", Ints("S[,S]", 1, (1, 2)), "Stride S[,S] (default: the kernel)."),
        Opt(
            "padding",
            Ints("P[,P]", 0, (1, 2)),
            "Padding per side P[,P] (at most half the kernel).",
            "0",
        ),
        Opt("ceil-mode", Flag(), "Round the output size up (PyTorch ceil_mode)."),
        Opt("backward", Flag(), "Backward pass with an upstream of ones (loss = sum of outputs)."),
        Opt(
            "grad-output",
            Tensor("G", (0, 1, 2, 3, 4)),
            "Backward pass with this upstream gradient ∂L/∂O.",
        ),
    ),
    samples=("pool_avg_padding.yaml", "pool_max_tie.yaml"),
)
