"""``stepcalc outsize``: output size of a conv, pool or transposed conv layer, the receptive
field of a stack of layers, and the bins of ROI and spatial-pyramid pooling."""

from stepcalc.spec import Choice, Command, Flag, Int, Ints, Opt, Requires, Text

KINDS = ("conv", "pool", "transpose", "spp", "roi")
ONE_LAYER = ("conv", "pool", "transpose")
LAYER_ONLY = ("kernel", "stride", "padding", "dilation", "solve", "out-channels")
PAIR = (1, 2)

COMMAND = Command(
    name="outsize",
    summary="Output size of a conv, pool or transposed conv layer",
    help="Output size of a conv, pool or transposed conv layer; receptive field; ROI, SPP bins.",
    calculator="stepcalc.calc.shapes:run",
    drill="stepcalc.drill:outsize_problem",
    result_keys=(
        *("height", "width", "channels", "exact", "effective_kernel", "receptive_field"),
        *("features", "padding"),
    ),
    options=(
        Opt("input", Ints("H[,W]", 1, (1, 2, 3)), "Input size H[,W] or C,H,W (roi: the ROI)."),
        Opt("kernel", Ints("K[,K]", 1, PAIR), "Kernel size K[,K]."),
        Opt("stride", Ints("S[,S]", 1, PAIR), "Stride S[,S] (default 1; pooling: the kernel)."),
        Opt("padding", Text("P[,P]|same"), "Padding per side P[,P], or 'same'.", "0"),
        Opt("dilation", Ints("D[,D]", 1, PAIR), "Dilation D[,D].", "1"),
        Opt("kind", Choice("|".join(KINDS), KINDS), "Layer kind.", "conv"),
        Opt("output-padding", Ints("A[,A]", 0, PAIR), "Transpose: extra size on one side.", "0"),
        Opt("ceil-mode", Flag(), "Pooling: round the division up (PyTorch ceil_mode)."),
        Opt("out-channels", Int("C", 1), "Number of filters (output channels)."),
        Opt("solve", Choice("padding", ("padding",)), "Solve for 'padding' (with --output)."),
        Opt("output", Ints("N[,N]", 1, PAIR), "Wanted size (--solve) or pooled size (roi)."),
        Opt("levels", Ints("N,N,...", 1), "Pyramid levels of --kind spp, e.g. 1,2,4."),
        Opt("stack", Text("LAYERS"), "Layers for the receptive field: 'k=3,d=2; k=2,s=2,p=0'."),
    ),
    constraints=(
        Requires("ceil-mode", "kind", ("pool",)),
        Requires("output-padding", "kind", ("transpose",)),
        Requires("levels", "kind", ("spp",)),
        *(Requires(name, "kind", ONE_LAYER) for name in LAYER_ONLY),
        Requires("solve", "output"),
    ),
    samples=("outsize.yaml", "outsize_spp.yaml", "outsize_stack.yaml"),
)
