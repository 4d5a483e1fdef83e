"""``stepcalc silu``: an activation function and its derivative, element by element."""

from stepcalc.spec import Choice, Command, Flag, Int, Number, Opt, Requires, Tensor

FUNCTIONS = (
    "silu",
    "swish",
    "sigmoid",
    "relu",
    "leaky-relu",
    "tanh",
    "gelu",
    "gelu-tanh",
    "elu",
    "softplus",
)
NAMES = Choice("NAME", FUNCTIONS)

COMMAND = Command(
    name="silu",
    help="Activation function value and derivative (SymPy), element by element.",
    calculator="stepcalc.calc.activations:run",
    result_keys=("output", "derivative", "grad_input", "symbolic", "compare", "jacobian", "depth"),
    options=(
        Opt("input", Tensor("X"), "Input x: scalar, vector, matrix or tensor.", required=True),
        Opt("fn", NAMES, "Function: " + ", ".join(FUNCTIONS) + ".", "silu"),
        Opt("alpha", Number("A"), "Slope α of leaky-relu (0.01) or elu (1)."),
        Opt("beta", Number("B"), "β of swish, x·σ(βx) (1)."),
        Opt("grad-output", Tensor("G"), "Upstream gradient ∂L/∂y, same shape as the input."),
        Opt("compare", NAMES, "Show another function side by side, e.g. relu."),
        Opt("jacobian", Flag(), "Show the (diagonal) Jacobian ∂y/∂x."),
        Opt("depth", Int("N", 1), "Gradient through N stacked copies of the function."),
    ),
    constraints=(Requires("beta", "fn", ("swish",)),),
    samples=(
        "silu_relu_jacobian.yaml",
        "silu_sigmoid_depth.yaml",
        "silu_vs_relu.yaml",
        "silu_yolo_conv1.yaml",
    ),
)
