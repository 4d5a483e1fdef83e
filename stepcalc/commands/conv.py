"""``stepcalc conv``: convolution (and ``--transpose``) forward and backward, cell by cell."""

from dataclasses import dataclass

from stepcalc.spec import Command, ExactlyOne, Flag, Int, Ints, Opt, Requires, Tensor


@dataclass(frozen=True)
class Padding(Ints):
    """``P``, ``P,P``, or a word: ``same`` (TensorFlow's, output ⌈H/S⌉) or ``valid`` (0)."""

    def parse(self, raw, name):
        word = raw.strip().lower() if isinstance(raw, str) else None
        return {"same": "same", "valid": [0]}.get(word) or super().parse(raw, name)


TENSOR = Tensor("X", (0, 1, 2, 3, 4))
PADDING = Padding("P[,P]|same", 0, (1, 2))
SHARED = (
    Opt("backward", Flag(), "Backward pass with an upstream of ones (loss = sum of outputs)."),
    Opt("grad-output", Tensor("G", TENSOR.ndim), "Backward with this upstream gradient ∂L/∂O."),
    Opt("cells", Int("N", 0, 100_000), "Write out at most N cells of each tensor as sums.", 16),
)
"""Options ``pool`` has too."""

COMMAND = Command(
    name="conv",
    summary="Convolution forward and backward, cell by cell",
    help="2-D convolution forward and backward, every output cell written out.",
    calculator="stepcalc.calc.conv:run",
    drill="stepcalc.drill:conv_problem",
    result_keys=("output", "grad_input", "grad_weight", "grad_bias"),
    options=(
        Opt("input", TENSOR, "Input H×W, C×H×W ('|' between channels) or N×C×H×W.", required=True),
        Opt(
            "kernel", TENSOR, "Kernel kh×kw, Ci×kh×kw, Co×Ci×kh×kw ('||': filters).", required=True
        ),
        Opt("bias", Tensor("B", (0, 1)), "Bias, one number per output channel."),
        Opt("stride", Ints("S[,S]", 1, (1, 2)), "Stride S[,S].", "1"),
        Opt("padding", PADDING, "Zero padding per side P[,P], or 'same'.", "0"),
        Opt("dilation", Ints("D[,D]", 1, (1, 2)), "Dilation D[,D].", "1"),
        Opt("groups", Int("G", 1), "Grouped convolution: number of groups.", 1),
        Opt("flip", Flag(), "True convolution: rotate the kernel 180° (default: correlation)."),
        Opt("transpose", Flag(), "Transposed convolution (conv_transpose2d, kernel Ci×Co×kh×kw)."),
        Opt("output-padding", Ints("A[,A]", 0, (1, 2)), "--transpose: rows/columns added.", "0"),
        *SHARED,
    ),
    constraints=(
        Requires("output-padding", "transpose"),
        ExactlyOne(("flip", "transpose"), optional=True),
    ),
    alternatives=(("backward", "grad-output"),),
    samples=("conv_seed_001.yaml", "conv_seed_toy.yaml", "conv_transpose.yaml", "conv_layer.yaml"),
)
