"""``stepcalc graph``: backpropagation through a computational graph, node by node."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

TRAINING_OPTIONS = ("epochs", "lr", "batch-size", "plot")


def run(p: Problem, ctx: Ctx) -> Trace:
    modes = [name for name in ("expr", "network") if p.has(name)] + (
        ["gates"] if p.flag("gates") else []
    )
    if len(modes) != 1:
        raise StepcalcError("--expr: give exactly one of --expr, --network or --gates")
    if modes[0] != "network":
        for name in TRAINING_OPTIONS:
            if p.has(name):
                raise StepcalcError(f"--{name}: only with --network")
    if modes[0] == "gates":
        from stepcalc.calc.graph import gates

        for name in ("values", "upstream"):
            if p.has(name):
                raise StepcalcError(f"--{name}: only with --expr")
        return gates(ctx)
    if modes[0] == "expr":
        from stepcalc.calc.graph import expression_graph, parse_values

        values = parse_values(p.require("values"))
        return expression_graph(p.text("expr"), values, ctx, p.scalar("upstream", 1.0))
    return _network(p, ctx)


def _network(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc import parse
    from stepcalc.calc.network import load_network, network_trace

    for name in ("values", "upstream"):
        if p.has(name):
            raise StepcalcError(f"--{name}: only with --expr")
    source = p.raw("network")
    if isinstance(source, dict):
        data = source
    else:
        data = parse.load_mapping(p.text("network"), "--network")
    network = load_network(data)
    lr = p.scalar("lr")
    epochs = p.int("epochs", minimum=1)
    batch_size = p.int("batch-size", minimum=1)
    if lr is not None and lr < 0:
        raise StepcalcError("--lr: must not be negative")
    if epochs is not None and lr is None:
        raise StepcalcError("--epochs: give the learning rate with --lr")
    for name in ("batch-size", "plot"):
        if p.has(name) and epochs is None:
            raise StepcalcError(f"--{name}: only with --epochs")
    return network_trace(
        network, ctx, lr=lr, epochs=epochs, batch_size=batch_size, plot=p.flag("plot")
    )


COMMAND = Command(
    name="graph",
    help="Backpropagation through a computational graph: upstream × local = downstream.",
    options=(
        Opt(
            "expr",
            "Expression, e.g. '(x + y) * z' (+ - * / ** exp log max sigmoid relu …).",
            metavar="EXPR",
        ),
        Opt(
            "values",
            "Values of the variables: x=-2,y=5,z=-4 (or repeated: --values x=-2 --values y=5).",
            multiple=True,
            metavar="NAME=V,…",
        ),
        Opt("upstream", "Gradient ∂L/∂f flowing into the output.", default="1", metavar="G"),
        Opt(
            "network",
            "YAML/JSON network {input, target, loss, layers: [{weights, bias, activation}]}.",
            metavar="FILE",
        ),
        Opt("gates", "Perceptron gates AND, OR, NAND and XOR = AND(NAND, OR).", flag=True),
        Opt("lr", "Learning rate η: one SGD update (or training with --epochs).", metavar="η"),
        Opt("epochs", "Train the network for N epochs of gradient descent.", metavar="N"),
        Opt("batch-size", "Samples per update while training (default: all).", metavar="B"),
        Opt("plot", "With --epochs: draw the loss curve (needs the plot extra).", flag=True),
    ),
    alternatives=(("expr", "network", "gates"),),
    run=run,
    epilog=(
        "Examples: stepcalc graph --expr '(x + y) * z' --values x=-2,y=5,z=-4 · "
        "stepcalc graph --network samples/network_mlp.yaml --lr 0.1 · "
        "stepcalc graph --from samples/graph_train_linreg_sgd.yaml · stepcalc graph --gates"
    ),
)
