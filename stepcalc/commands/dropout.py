"""``stepcalc dropout``: standard and inverted dropout on one activation vector."""

from stepcalc.spec import Choice, Command, ExactlyOne, Int, Number, Opt, Tensor

PROBABILITY = Number("P", minimum=0, maximum=1)
MODES = Choice("standard|inverted|both", ("standard", "inverted", "both"))

COMMAND = Command(
    name="dropout",
    summary="Standard and inverted dropout",
    help="Standard vs inverted dropout: mask, train/test outputs, z = w·h, backward.",
    calculator="stepcalc.calc.dropout:run",
    drill="stepcalc.drill:dropout_problem",
    result_keys=("standard", "inverted"),
    options=(
        Opt("input", Tensor("X"), "Activations x (vector, or any tensor).", required=True),
        Opt("weights", Tensor("W"), "Weights w (one per unit) or a matrix W, for z = w·h."),
        Opt("keep-prob", PROBABILITY, "Probability of keeping a unit (the slides' p)."),
        Opt("drop-prob", PROBABILITY, "Probability of dropping a unit (PyTorch's p)."),
        Opt("mask", Tensor("M"), "The mask, 0/1 per unit (1 = kept)."),
        Opt("seed", Int("N", 0, 2**32 - 1), "Seed of NumPy's default_rng for a random mask."),
        Opt("mode", MODES, "standard, inverted or both.", "both"),
        Opt("grad-output", Tensor("G"), "Upstream gradient ∂L/∂h, same shape as the input."),
        Opt("samples", Int("K", 1, 100_000), "Average K random masks (expected train output)."),
    ),
    constraints=(ExactlyOne(("keep-prob", "drop-prob")),),
    alternatives=(("keep-prob", "drop-prob"), ("mask", "seed")),
    samples=("dropout_slide.yaml", "dropout_drop_all.yaml"),
)
