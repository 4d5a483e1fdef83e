"""``stepcalc conv``: convolution (and ``--transpose``) forward and backward, cell by cell."""

from stepcalc.spec import Command, Flag, Int, Ints, Opt, Tensor, Text

ANY_RANK = Tensor("X", (0, 1, 2, 3, 4))

COMMAND = Command(
    name="conv",
    help="2-D convolution forward and backward, every output cell written out.",
    calculator="stepcalc.calc.conv:run",
    result_keys=("output", "grad_input", "grad_weight", "grad_bias"),
    options=(
        Opt(
            "input",
            ANY_RANK,
            "Input H×W, C×H×W ('|' between channels) or N×C×H×W (JSON).",
            required=True,
        ),
        Opt(
            "kernel",
            Tensor("W", (0, 1, 2, 3, 4)),
            "Kernel kh×kw, Ci×kh×kw or Co×Ci×kh×kw ('|' between channels, '||' between "
            "filters); with --transpose kh×kw or Ci×Co×kh×kw.",
            required=True,
        ),
        Opt("bias", Tensor("B", (0, 1)), "Bias, one number per output channel."),
        Opt("stride", Ints("S[,S]", 1, (1, 2)), "Stride S[,S].", "1"),
        Opt("padding", Text("P[,P]|same"), "Zero padding per side P[,P], or 'same'.", "0"),
        Opt("dilation", Ints("D[,D]", 1, (1, 2)), "Dilation D[,D].", "1"),
        Opt("groups", Int("G", 1), "Grouped convolution: number of groups.", 1),
        Opt(
            "flip", Flag(), "True convolution: rotate the kernel 180° (default: cross-correlation)."
        ),
        Opt("transpose", Flag(), "Transposed convolution (PyTorch conv_transpose2d)."),
        Opt(
            "output-padding",
            Ints("A[,A]", 0, (1, 2)),
            "With --transpose: extra rows/columns at the end.",
            "0",
        ),
        Opt("backward", Flag(), "Backward pass with an upstream of ones (loss = sum of outputs)."),
        Opt(
            "grad-output",
            Tensor("G", (0, 1, 2, 3, 4)),
            "Backward pass with this upstream gradient ∂L/∂O.",
        ),
    ),
    samples=("conv_seed_001.yaml", "conv_seed_toy.yaml", "conv_transpose.yaml"),
)
