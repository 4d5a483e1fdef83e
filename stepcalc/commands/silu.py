"""``stepcalc silu``: an activation function and its derivative, element by element."""

from stepcalc.spec import Choice, Command, Flag, Int, Number, Opt, Tensor

FUNCTIONS = tuple(
    "silu swish sigmoid relu leaky-relu tanh gelu gelu-tanh elu softplus relu6 thresholded-relu "
    "softsign hard-sigmoid hard-swish step".split()
)
"""The names of ``calc.activations.ACTIVATIONS`` (kept here so that --help needs no NumPy)."""
NAMES = Choice("NAME", FUNCTIONS)

COMMAND = Command(
    name="silu",
    summary="Activations and their derivatives (SymPy)",
    help="Activation function value and derivative (SymPy), element by element.",
    calculator="stepcalc.calc.activations:run",
    drill="stepcalc.drill:silu_problem",
    result_keys=("output", "derivative", "grad_input", "symbolic", "compare", "jacobian", "depth"),
    options=(
        Opt("input", Tensor("X"), "Input x: scalar, vector, matrix or tensor.", required=True),
        Opt("fn", NAMES, "Function: " + ", ".join(FUNCTIONS) + ".", "silu"),
        Opt("alpha", Number("A"), "Slope α of leaky-relu (0.01) or elu (1)."),
        Opt("beta", Number("B"), "β of swish, x·σ(βx) (1)."),
        Opt("max-value", Number("M"), "Cap of relu6, min(max(x, 0), M) (6)."),
        Opt("threshold", Number("T"), "θ of thresholded-relu: x where x > θ, else 0 (1)."),
        Opt("grad-output", Tensor("G"), "Upstream gradient ∂L/∂y, same shape as the input."),
        Opt("compare", NAMES, "Show another function side by side, e.g. relu."),
        Opt("jacobian", Flag(), "Show the (diagonal) Jacobian ∂y/∂x."),
        Opt("depth", Int("N", 1, 50), "Gradient through N stacked copies of the function."),
    ),
    samples=(
        "silu_relu_jacobian.yaml",
        "silu_sigmoid_depth.yaml",
        "silu_vs_relu.yaml",
        "silu_yolo_conv1.yaml",
        "silu_hard_swish_kinks.yaml",
    ),
)
