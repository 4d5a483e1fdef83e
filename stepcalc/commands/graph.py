"""``stepcalc graph``: backpropagation through a computational graph, node by node."""

from stepcalc import spec
from stepcalc.spec import Command, ExactlyOne, Flag, Int, Number, Opt, Requires, Tensor, Text

GATES = ("and", "or", "nand", "nor", "xor")

COMMAND = Command(
    name="graph",
    summary="Backpropagation through a computational graph",
    help="Backpropagation through a computational graph: upstream × local = downstream.",
    calculator="stepcalc.calc.network:run",
    drill="stepcalc.drill:graph_problem",
    result_keys=(
        *("output", "gradients", "nodes", "loss", "layers", "history", "updated"),
        *("final_loss", "final_output"),
        *("x", "sum", "weights", "threshold", "computes", "AND", "OR", "NAND", "XOR"),
    ),
    options=(
        Opt("expr", Text("EXPR"), "Expression, e.g. '(x + y) * z' (+ - * / ** exp max relu …)."),
        Opt("values", spec.Type("NAME=V,…"), "Values: x=-2,y=5,z=-4 (or repeated).", multiple=True),
        Opt("upstream", Number("G"), "Gradient ∂L/∂f flowing into the output.", "1"),
        Opt("network", spec.Mapping(), "YAML/JSON {input, target, loss, layers: [{weights, …}]}."),
        Opt("gates", Flag(), "Perceptron gates AND, OR, NAND, XOR; with --weights your own."),
        Opt("weights", Tensor("W[,W]", (0, 1)), "With --gates: your own weights, e.g. 0.4,0.2."),
        Opt("threshold", Number("θ"), "With --weights: it fires when w·x > θ."),
        Opt("bias", Number("b"), "With --weights: a bias instead of θ (fires when w·x + b > 0)."),
        Opt("gate", spec.Choice("and|or|…", GATES), "With --weights: the gate it should compute."),
        Opt("lr", Number("η", minimum=0), "Learning rate: one SGD update (or with --epochs)."),
        Opt("epochs", Int("N", 1), "Train the network for N epochs of gradient descent."),
        Opt("batch-size", Int("B", 1), "Samples per update while training (default: all)."),
        Opt("plot", Flag(), "With --epochs: draw the loss curve (needs the plot extra)."),
        Opt("freeze", Text("P[,P]"), "Not updated: W1, b2, … weights, biases.", multiple=True),
    ),
    constraints=(
        ExactlyOne(("expr", "network", "gates")),
        ExactlyOne(("threshold", "bias"), optional=True),
        *(Requires(name, "expr") for name in ("values", "upstream")),
        *(Requires(name, "weights") for name in ("threshold", "bias", "gate")),
        Requires("weights", "gates"),
        *(Requires(name, "network") for name in ("lr", "epochs")),
        *(Requires(name, "lr") for name in ("epochs", "freeze")),
        *(Requires(name, "epochs") for name in ("batch-size", "plot")),
    ),
    alternatives=(("expr", "network", "gates"),),
    formats=("table", "json", "markdown", "latex", "dot"),
    epilog=(
        "Examples: stepcalc graph --expr '(x + y) * z' --values x=-2,y=5,z=-4 · "
        "stepcalc graph --network samples/network_mlp.yaml --lr 0.1 · "
        "stepcalc graph --gates --weights 0.4,0.2 --threshold 0.5 --gate and"
    ),
    samples=tuple(
        f"graph_{name}.yaml"
        for name in "backprop_frozen_biases perceptron_and shared_variable sigmoid_neuron "
        "sum_times train_linreg_batch train_linreg_minibatch train_linreg_sgd "
        "train_sigmoid_neuron".split()
    ),
)
