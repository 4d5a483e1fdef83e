"""``stepcalc outsize``: output height and width of a conv, pool or transposed conv layer."""

from stepcalc.spec import Choice, Command, Flag, Int, Ints, Opt, Requires, Text

COMMAND = Command(
    name="outsize",
    help="Output size of a convolution, pooling or transposed convolution layer.",
    calculator="stepcalc.calc.shapes:run",
    result_keys=("height", "width", "channels", "exact"),
    options=(
        Opt("input", Ints("H[,W]", 1, (1, 2, 3)), "Input size H[,W], or C,H,W.", required=True),
        Opt("kernel", Ints("K[,K]", 1, (1, 2)), "Kernel size K[,K].", required=True),
        Opt("stride", Ints("S[,S]", 1, (1, 2)), "Stride S[,S] (default 1; pooling: the kernel)."),
        Opt("padding", Text("P[,P]|same"), "Padding per side P[,P], or 'same'.", "0"),
        Opt("dilation", Ints("D[,D]", 1, (1, 2)), "Dilation D[,D].", "1"),
        Opt(
            "kind",
            Choice("conv|pool|transpose", ("conv", "pool", "transpose")),
            "Layer kind: conv, pool or transpose.",
            "conv",
        ),
        Opt(
            "output-padding",
            Ints("A[,A]", 0, (1, 2)),
            "Extra size on one side (transpose only).",
            "0",
        ),
        Opt("ceil-mode", Flag(), "Pooling: round the division up (PyTorch ceil_mode)."),
        Opt("out-channels", Int("C", 1), "Number of filters (output channels)."),
        Opt("solve", Choice("padding", ("padding",)), "Solve for a quantity instead: 'padding'."),
        Opt("output", Ints("N[,N]", 1, (1, 2)), "With --solve padding: the wanted size N[,N]."),
    ),
    constraints=(
        Requires("ceil-mode", "kind", ("pool",)),
        Requires("output", "solve"),
        Requires("solve", "output"),
    ),
    samples=("outsize.yaml",),
)
