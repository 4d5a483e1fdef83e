"""``stepcalc batchnorm``: batch normalisation forward and backward, as PyTorch computes it."""

from dataclasses import dataclass

from stepcalc.spec import Command, Flag, Ints, Number, Opt, Tensor


@dataclass(frozen=True)
class Batch(Tensor):
    """A batch; ``a b c | d e f || …`` (rows, no ';') is (N,C,L), not (N,C,1,L)."""

    def parse(self, raw, name):
        value = super().parse(raw, name)
        samples_of_rows = isinstance(raw, str) and "||" in raw and ";" not in raw
        if samples_of_rows and value.ndim == 4 and value.shape[2] == 1:
            value = value.reshape(value.shape[0], value.shape[1], value.shape[3])
        return value


VECTOR = Tensor("VECTOR", (0, 1))

COMMAND = Command(
    name="batchnorm",
    summary="Batch normalisation forward and backward",
    help=(
        "Batch normalisation: per-channel mean, variance, x̂, output, running statistics, "
        "and the backward pass (PyTorch semantics)."
    ),
    epilog=(
        "The rank of --input gives its layout: 2-D (N,F) as BatchNorm1d, 3-D (N,C,L), "
        "4-D (N,C,H,W) as BatchNorm2d. Write 4-D input as JSON nested lists "
        "[[[[...]]]] or with '||' between samples and '|' between channels."
    ),
    calculator="stepcalc.calc.batchnorm:run",
    drill="stepcalc.drill:batchnorm_problem",
    result_keys=tuple(
        "output mean var x_hat running_mean running_var grad_input grad_gamma grad_beta".split()
    ),
    options=(
        Opt("input", Batch("T", (2, 3, 4)), "Batch x: (N,F), (N,C,L) or (N,C,H,W).", required=True),
        Opt("gamma", VECTOR, "Scale γ, one per channel (default 1)."),
        Opt("beta", VECTOR, "Shift β, one per channel (default 0)."),
        Opt("eps", Number("ε", positive=True), "ε added to the variance.", 1e-5),
        Opt("momentum", Number("X", 0, 1), "Running-statistics momentum (PyTorch's).", 0.1),
        Opt("running-mean", VECTOR, "Running mean before this batch (default 0)."),
        Opt("running-var", VECTOR, "Running variance before this batch (default 1)."),
        Opt("eval", Flag(), "Evaluation mode: normalise with the running statistics."),
        Opt("grad-output", Batch("TENSOR"), "Upstream gradient ∂L/∂y (same shape as --input)."),
        Opt("channel", Ints("C[,C]", minimum=0), "Channels worked step by step (default 0-3)."),
    ),
    samples=tuple(
        f"batchnorm_{name}.yaml" for name in ("eval", "features", "images", "many_features")
    ),
)
