"""``stepcalc graph``: backpropagation through a computational graph, node by node."""

from stepcalc.spec import Command, ExactlyOne, Flag, Int, Mapping, Number, Opt, Requires, Text

COMMAND = Command(
    name="graph",
    help="Backpropagation through a computational graph: upstream × local = downstream.",
    calculator="stepcalc.calc.graph:run",
    result_keys=("output", "gradients", "nodes", "loss", "layers", "history", "updated"),
    options=(
        Opt(
            "expr",
            Text("EXPR"),
            "Expression, e.g. '(x + y) * z' (+ - * / ** exp log max sigmoid relu …).",
        ),
        Opt(
            "values",
            Text("NAME=V,…"),
            "Values of the variables: x=-2,y=5,z=-4 (or repeated: --values x=-2 --values y=5).",
            multiple=True,
        ),
        Opt("upstream", Number("G"), "Gradient ∂L/∂f flowing into the output.", "1"),
        Opt(
            "network",
            Mapping(),
            "YAML/JSON network {input, target, loss, layers: [{weights, bias, activation}]}.",
        ),
        Opt("gates", Flag(), "Perceptron gates AND, OR, NAND and XOR = AND(NAND, OR)."),
        Opt(
            "lr",
            Number("η", minimum=0),
            "Learning rate η: one SGD update (or training with --epochs).",
        ),
        Opt("epochs", Int("N", 1), "Train the network for N epochs of gradient descent."),
        Opt("batch-size", Int("B", 1), "Samples per update while training (default: all)."),
        Opt("plot", Flag(), "With --epochs: draw the loss curve (needs the plot extra)."),
    ),
    constraints=(
        ExactlyOne(("expr", "network", "gates")),
        Requires("values", "expr"),
        Requires("upstream", "expr"),
        Requires("lr", "network"),
        Requires("epochs", "network"),
        Requires("epochs", "lr"),
        Requires("batch-size", "epochs"),
        Requires("plot", "epochs"),
    ),
    alternatives=(("expr", "network", "gates"),),
    formats=("table", "json", "markdown", "latex", "dot"),
    epilog=(
        "Examples: stepcalc graph --expr '(x + y) * z' --values x=-2,y=5,z=-4 · "
        "stepcalc graph --network samples/network_mlp.yaml --lr 0.1 · "
        "stepcalc graph --from samples/graph_train_linreg_sgd.yaml · stepcalc graph --gates"
    ),
    samples=(
        "graph_shared_variable.yaml",
        "graph_sigmoid_neuron.yaml",
        "graph_sum_times.yaml",
        "graph_train_linreg_batch.yaml",
        "graph_train_linreg_minibatch.yaml",
        "graph_train_linreg_sgd.yaml",
        "graph_train_sigmoid_neuron.yaml",
        "network_backprop_example.yaml",
        "network_mlp.yaml",
    ),
)
