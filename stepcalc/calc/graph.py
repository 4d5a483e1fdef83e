"""Backpropagation through the computational graph of an expression, node by node.

The expression tree from ``stepcalc.expr`` becomes a list of operation nodes in forward
order, named n1, n2, … (the last one is the output). Backward starts from ∂L/∂f (the
upstream, 1 by default) and at every node multiplies the node's upstream gradient by the
local gradient of each input:

    downstream = upstream × local        (∂L/∂a = ∂L/∂n · ∂n/∂a)

A downstream gradient is the upstream of the node that produced that input; a variable used
more than once collects the sum of its downstream gradients. Constants get no gradient.
``max`` splits the gradient evenly at a tie, as PyTorch's ``torch.maximum`` does.

Also here: the perceptron gates AND, OR, NAND and XOR = AND(NAND, OR).
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from stepcalc import expr
from stepcalc.calc.activations import relu, relu_derivative, sigmoid, silu, silu_derivative
from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "^", "neg": "−x"}


@dataclass
class Operand:
    """An input of a node: a variable, a constant or an earlier node."""

    kind: str  # "var", "const" or "node"
    name: str
    """Symbol in formulas (variable or node name); the literal for a constant."""
    value: float

    @property
    def label(self) -> str | float:
        return self.value if self.kind == "const" else self.name


@dataclass
class GraphNode:
    name: str
    op: str
    inputs: list[Operand]
    value: float
    formula: str
    local_formulas: list[str]
    local: list[float | None] = field(default_factory=list)
    upstream: float = 0.0
    downstream: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """Forward value and local gradients of one operation."""

    forward: Callable[..., float]
    formula: str
    local: tuple[Callable[..., float], ...]
    local_formulas: tuple[str, ...]


def _sigmoid(a: float) -> float:
    return float(sigmoid(a))


def _sigmoid_grad(a: float) -> float:
    s = _sigmoid(a)
    return s * (1.0 - s)


def _tie_share(a: float, b: float) -> float:
    return 1.0 if a > b else (0.5 if a == b else 0.0)


RULES: dict[str, Rule] = {
    "+": Rule(lambda a, b: a + b, "{a} + {b}", (lambda a, b: 1.0,) * 2, ("1", "1")),
    "-": Rule(lambda a, b: a - b, "{a} - {b}", (lambda a, b: 1.0, lambda a, b: -1.0), ("1", "-1")),
    "*": Rule(lambda a, b: a * b, "{a}*{b}", (lambda a, b: b, lambda a, b: a), ("{b}", "{a}")),
    "/": Rule(
        lambda a, b: a / b,
        "{a}/{b}",
        (lambda a, b: 1.0 / b, lambda a, b: -a / (b * b)),
        ("1/{b}", "-{a}/{b}**2"),
    ),
    "**": Rule(
        lambda a, b: a**b,
        "{a}**{b}",
        (
            lambda a, b: b * a ** (b - 1.0),
            lambda a, b: 0.0 if a == 0 and b >= 0 else a**b * math.log(a),
        ),
        ("{b}*{a}**({b} - 1)", "{a}**{b}*log({a})"),
    ),
    "neg": Rule(lambda a: -a, "-{a}", (lambda a: -1.0,), ("-1",)),
    "exp": Rule(math.exp, "exp({a})", (math.exp,), ("exp({a})",)),
    "log": Rule(math.log, "log({a})", (lambda a: 1.0 / a,), ("1/{a}",)),
    "sqrt": Rule(math.sqrt, "sqrt({a})", (lambda a: 0.5 / math.sqrt(a),), ("1/(2*sqrt({a}))",)),
    "sin": Rule(math.sin, "sin({a})", (math.cos,), ("cos({a})",)),
    "cos": Rule(math.cos, "cos({a})", (lambda a: -math.sin(a),), ("-sin({a})",)),
    "tanh": Rule(
        math.tanh, "tanh({a})", (lambda a: 1.0 - math.tanh(a) ** 2,), ("1 - tanh({a})**2",)
    ),
    "abs": Rule(abs, "Abs({a})", (lambda a: float(np.sign(a)),), ("sign({a})",)),
    "sigmoid": Rule(
        _sigmoid, "sigmoid({a})", (_sigmoid_grad,), ("sigmoid({a})*(1 - sigmoid({a}))",)
    ),
    "relu": Rule(
        lambda a: float(relu(a)),
        "relu({a})",
        (lambda a: float(relu_derivative(a)),),
        ("relu_grad({a})",),
    ),
    "silu": Rule(
        lambda a: float(silu(a)),
        "silu({a})",
        (lambda a: float(silu_derivative(a)),),
        ("sigmoid({a})*(1 + {a}*(1 - sigmoid({a})))",),
    ),
    "max": Rule(
        max,
        "Max({a}, {b})",
        (_tie_share, lambda a, b: _tie_share(b, a)),
        ("Heaviside({a} - {b}, 1/2)", "Heaviside({b} - {a}, 1/2)"),
    ),
}


def parse_values(text: object, option: str = "--values") -> dict[str, float]:
    """``x=-2,y=5,z=-4`` (or a mapping from a file) as {name: value}."""
    from stepcalc import parse

    if isinstance(text, list | tuple) and text and all(isinstance(t, str) for t in text):
        text = ",".join(text)  # --values given more than once
    if isinstance(text, dict):
        pairs = [(str(k), v) for k, v in text.items()]
    elif isinstance(text, str):
        pairs = []
        for part in re.split(r"[,;]|\s+(?=[A-Za-z_]\w*\s*=)", text):
            if not part.strip():
                continue
            name, equals, value = part.partition("=")
            if not equals:
                raise StepcalcError(f"{option}: {part.strip()!r} is not NAME=VALUE")
            pairs.append((name.strip(), value.strip()))
    else:
        raise StepcalcError(f"{option}: expected NAME=VALUE pairs like x=-2,y=5")
    values: dict[str, float] = {}
    for name, value in pairs:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise StepcalcError(f"{option}: {name!r} is not a variable name")
        if name in expr.GRAPH_FUNCTIONS:
            raise StepcalcError(f"{option}: {name!r} is a function name, not a variable")
        if name in values:
            raise StepcalcError(f"{option}: {name} is given twice")
        values[name] = float(parse.parse_scalar(value, f"{option}: {name}"))
    if not values:
        raise StepcalcError(f"{option}: no values given")
    return values


class _Builder:
    """Walks the expression tree in forward order and records one node per operation."""

    def __init__(self, values: dict[str, float], prefix: str, ctx: Ctx):
        self.values = values
        self.prefix = prefix
        self.ctx = ctx
        self.nodes: list[GraphNode] = []

    def operand(self, tree: expr.Node) -> Operand:
        if isinstance(tree, expr.Num):
            value = tree.value
            text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
            return Operand("const", text, value)
        if isinstance(tree, expr.Var):
            return Operand("var", tree.name, self.values[tree.name])
        if isinstance(tree, expr.Neg):
            return self.node("neg", [self.operand(tree.operand)], tree)
        if isinstance(tree, expr.BinOp):
            return self.node(tree.op, [self.operand(tree.left), self.operand(tree.right)], tree)
        if isinstance(tree, expr.Call):
            return self.node(tree.name, [self.operand(arg) for arg in tree.args], tree)
        raise TypeError(f"not an expression node: {tree!r}")

    def node(self, op: str, inputs: list[Operand], tree: expr.Node) -> Operand:
        rule = RULES[op]
        name = f"{self.prefix}{len(self.nodes) + 1}"
        symbols = _symbols(inputs)
        formula = rule.formula.format(**symbols)
        arguments = [operand.value for operand in inputs]
        where = _Where(tree, self.values)
        value = _finite(lambda: rule.forward(*arguments), where, "value")
        node = GraphNode(
            name=name,
            op=op,
            inputs=inputs,
            value=self.ctx.r(value),
            formula=formula,
            local_formulas=[f.format(**symbols) for f in rule.local_formulas],
        )
        for index, operand in enumerate(inputs):
            if operand.kind == "const":
                node.local.append(None)
                continue
            local = _finite(
                lambda index=index: rule.local[index](*arguments),
                where,
                "derivative",
            )
            node.local.append(self.ctx.r(local))
        self.nodes.append(node)
        return Operand("node", name, node.value)


def _symbols(inputs: list[Operand]) -> dict[str, str]:
    return dict(zip("ab", (operand.name for operand in inputs), strict=False))


@dataclass(frozen=True)
class _Where:
    """The subexpression a node computes, for error messages."""

    tree: expr.Node
    values: dict[str, float]

    def __str__(self) -> str:
        shown = ", ".join(f"{v} = {self.values[v]:g}" for v in expr.variables_of(self.tree))
        return f"{_unparse(self.tree)} at {shown}"


def _unparse(tree: expr.Node) -> str:
    if isinstance(tree, expr.Num):
        return f"{tree.value:g}"
    if isinstance(tree, expr.Var):
        return tree.name
    if isinstance(tree, expr.Neg):
        return f"-{_wrapped(tree.operand)}"
    if isinstance(tree, expr.BinOp):
        return f"{_wrapped(tree.left)} {tree.op} {_wrapped(tree.right)}"
    return f"{tree.name}({', '.join(_unparse(arg) for arg in tree.args)})"


def _wrapped(tree: expr.Node) -> str:
    text = _unparse(tree)
    return f"({text})" if isinstance(tree, expr.BinOp | expr.Neg) else text


def _finite(compute, where: _Where, what: str) -> float:
    try:
        with np.errstate(all="ignore"):
            value = compute()
    except ZeroDivisionError:
        reason = "division by zero" if what == "value" else "no finite derivative here"
        raise StepcalcError(f"--values: {where}: {reason}") from None
    except (ValueError, OverflowError):
        value = math.nan
    if isinstance(value, complex) or not math.isfinite(value):
        tree = where.tree
        if isinstance(tree, expr.Call) and tree.name == "log" and what == "value":
            reason = "log of a non-positive number"
        elif isinstance(tree, expr.Call) and tree.name == "sqrt" and what == "value":
            reason = "square root of a negative number"
        elif what == "value":
            reason = "not a finite real number"
        else:
            reason = "no finite derivative here"
        raise StepcalcError(f"--values: {where}: {reason}")
    return float(value)


def _prefix(variables: list[str]) -> str:
    """Node names n1, n2, … unless a variable (or its upstream symbol g_…) could clash."""
    prefix = "n"
    while any(
        v.removeprefix("g_").startswith(prefix) and v.removeprefix("g_")[len(prefix) :].isdigit()
        for v in variables
    ):
        prefix += "_"
    return prefix


def expression_graph(text: str, values: dict[str, float], ctx: Ctx, upstream: float = 1.0) -> Trace:
    """Forward and backward through the graph of ``text`` at ``values``."""
    tree = expr.parse_expression(text, "--expr", None, expr.GRAPH_FUNCTIONS)
    variables = expr.variables_of(tree)
    if not variables:
        raise StepcalcError("--expr: the expression has no variables to differentiate")
    missing = [v for v in variables if v not in values]
    if missing:
        raise StepcalcError(
            f"--values: no value for {', '.join(missing)} (the expression uses "
            f"{', '.join(variables)})"
        )
    unknown = [v for v in values if v not in variables]
    if unknown:
        raise StepcalcError(
            f"--values: unknown variable {unknown[0]!r} (the expression uses "
            f"{', '.join(variables)})"
        )
    builder = _Builder(values, _prefix(variables), ctx)
    output = builder.operand(tree)
    nodes = builder.nodes
    trace = Trace(
        command="graph",
        title=ctx.t("graph.title_expr", expr=" ".join(text.split())),
        subtitle=ctx.t("graph.subtitle_expr", upstream=f"{upstream:g}"),
        inputs={"expr": text, "values": dict(values), "upstream": upstream},
    )
    for node in nodes:
        symbol_inputs = {o.name: o.value for o in node.inputs if o.kind != "const"}
        trace.add(
            Step(
                "forward",
                ctx.t("graph.node_forward", name=node.name, op=_op_label(node.op)),
                node.formula,
                node.value,
                symbol_inputs,
                key="output" if node is nodes[-1] else None,
            )
        )
    gradients = _backward(trace, nodes, output, variables, upstream, ctx)
    trace.result = {
        "output": output.value,
        "gradients": gradients,
        "nodes": [
            {
                "op": node.op,
                "inputs": [o.label for o in node.inputs],
                "value": node.value,
                "local": node.local,
                "upstream": node.upstream,
                "downstream": node.downstream,
            }
            for node in nodes
        ],
    }
    trace.summary = ["output", "gradients"]
    trace.tables.append(_node_table(nodes, ctx))
    trace.notes.append(ctx.t("graph.rule_note"))
    if any(n.op == "max" and n.inputs[0].value == n.inputs[1].value for n in nodes):
        trace.notes.append(ctx.t("graph.max_tie"))
    trace.dot = expression_dot(nodes, output, upstream)
    return trace


def _backward(trace, nodes, output, variables, upstream, ctx) -> dict[str, float]:
    received: dict[str, list[tuple[str, float]]] = {}
    """Downstream gradients each name received, with the node they came through."""
    if output.kind == "var":
        received[output.name] = [("f", upstream)]
    node_upstream = {nodes[-1].name: upstream} if nodes else {}
    for node in reversed(nodes):
        contributions = received.get(node.name, [])
        if node is not nodes[-1]:
            node_upstream[node.name] = ctx.r(sum(value for _, value in contributions))
        node.upstream = node_upstream[node.name]
        g = f"g_{node.name}"
        for operand, local, local_formula in zip(
            node.inputs, node.local, node.local_formulas, strict=True
        ):
            if operand.kind == "const":
                node.downstream.append(None)
                continue
            downstream = ctx.r(node.upstream * local)
            node.downstream.append(downstream)
            received.setdefault(operand.name, []).append((node.name, downstream))
            inputs = {g: node.upstream}
            inputs.update({o.name: o.value for o in node.inputs if o.kind != "const"})
            if local_formula == "1":
                formula = g
            elif local_formula == "-1":
                formula = f"-{g}"
            elif " " not in local_formula and not local_formula.startswith("-"):
                formula = f"{g}*{local_formula}"
            else:
                formula = f"{g}*({local_formula})"
            uses = len(received.get(operand.name, [])) if operand.kind == "var" else 0
            last_use = operand.kind == "var" and _uses(nodes, operand.name) == uses == 1
            trace.add(
                Step(
                    "backward",
                    ctx.t("graph.node_backward", target=operand.name, name=node.name),
                    formula,
                    downstream,
                    inputs,
                    note=ctx.t(
                        "graph.local_note",
                        upstream=f"{node.upstream:.4g}",
                        local=f"{local:.4g}",
                    ),
                    key=f"gradients.{operand.name}" if last_use else None,
                )
            )
    gradients: dict[str, float] = {}
    for variable in variables:
        parts = received.get(variable, [])
        if len(parts) == 1:
            gradients[variable] = parts[0][1]
            continue
        names = [f"d_{variable}_{i + 1}" for i in range(len(parts))]
        total = ctx.r(sum(value for _, value in parts))
        trace.add(
            Step(
                "backward",
                ctx.t("graph.accumulate", var=variable),
                " + ".join(names),
                total,
                {n: value for n, (_, value) in zip(names, parts, strict=True)},
                note=ctx.t(
                    "graph.accumulate_note",
                    var=variable,
                    count=len(parts),
                    via=", ".join(via for via, _ in parts),
                ),
                key=f"gradients.{variable}",
            )
        )
        gradients[variable] = total
    return gradients


def _uses(nodes: list[GraphNode], name: str) -> int:
    return sum(1 for node in nodes for o in node.inputs if o.kind == "var" and o.name == name)


def _op_label(op: str) -> str:
    return OP_SYMBOLS.get(op, op)


def _short(value: float | None) -> str:
    return "—" if value is None else f"{value + 0.0:.4g}"  # + 0.0: never print -0


def _node_table(nodes: list[GraphNode], ctx: Ctx) -> Table:
    columns = [ctx.t(f"graph.col_{c}") for c in ("node", "op", "inputs", "value", "local")]
    columns += [ctx.t("graph.col_upstream"), ctx.t("graph.col_downstream")]
    rows = []
    for node in nodes:
        rows.append(
            [
                node.name,
                _op_label(node.op),
                ", ".join(str(o.name) for o in node.inputs),
                node.value,
                ", ".join(_short(v) for v in node.local),
                node.upstream,
                ", ".join(_short(v) for v in node.downstream),
            ]
        )
    return Table(ctx.t("graph.node_table"), columns, rows)


def expression_dot(nodes: list[GraphNode], output: Operand, upstream: float) -> str:
    """Graphviz DOT: forward value above and gradient below each edge."""
    lines = [
        "digraph graph_backprop {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    declared: set[str] = set()
    constants = 0
    for node in nodes:
        lines.append(f'  {node.name} [shape=circle, label="{_op_label(node.op)}"];')
        for operand, downstream in zip(node.inputs, node.downstream, strict=True):
            if operand.kind == "node":
                source = operand.name
            elif operand.kind == "var":
                source = f"var_{operand.name}"
                if source not in declared:
                    declared.add(source)
                    lines.append(f'  {source} [shape=plaintext, label="{operand.name}"];')
            else:
                constants += 1
                source = f"const_{constants}"
                lines.append(f'  {source} [shape=plaintext, label="{operand.name}"];')
            lines.append(f"  {source} -> {node.name} [label={_edge(operand.value, downstream)}];")
    lines.append('  output [shape=plaintext, label="L"];')
    last = output.name if output.kind == "node" else f"var_{output.name}"
    if output.kind == "var":
        lines.append(f'  {last} [shape=plaintext, label="{output.name}"];')
    lines.append(f"  {last} -> output [label={_edge(output.value, upstream)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge(value: float, gradient: float | None) -> str:
    below = "" if gradient is None else f'<br/><font color="red">{gradient:.6g}</font>'
    return f'<<font color="darkgreen">{value:.6g}</font>{below}>'


# --------------------------------------------------------------------------- gates

GATES: dict[str, tuple[tuple[float, float], float]] = {
    "AND": ((0.5, 0.5), -0.7),
    "OR": ((0.5, 0.5), -0.2),
    "NAND": ((-0.5, -0.5), 0.7),
}
"""Weights and bias of each perceptron gate; it fires (1) when w·x + b > 0."""
TRUTH_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _fire(weights: tuple[float, float], bias: float, x: tuple[float, float]) -> int:
    return 1 if weights[0] * x[0] + weights[1] * x[1] + bias > 0 else 0


def gates(ctx: Ctx) -> Trace:
    """AND, OR and NAND as single perceptrons, XOR as AND(NAND, OR), for all four inputs."""
    trace = Trace(
        command="graph",
        title=ctx.t("graph.title_gates"),
        subtitle=ctx.t("graph.subtitle_gates"),
        inputs={"gates": True},
    )
    outputs: dict[str, list[int]] = {name: [] for name in (*GATES, "XOR")}
    for x in TRUTH_INPUTS:
        for name, (weights, bias) in GATES.items():
            value = _fire(weights, bias, x)
            outputs[name].append(value)
            trace.add(
                Step(
                    "forward",
                    f"{name}({x[0]}, {x[1]})",
                    "step(w1*x1 + w2*x2 + b)",
                    value,
                    {"w1": weights[0], "x1": x[0], "w2": weights[1], "x2": x[1], "b": bias},
                    rule="step(w·x + b)",
                )
            )
        hidden = (outputs["NAND"][-1], outputs["OR"][-1])
        weights, bias = GATES["AND"]
        value = _fire(weights, bias, hidden)
        outputs["XOR"].append(value)
        trace.add(
            Step(
                "forward",
                f"XOR({x[0]}, {x[1]})",
                "step(w1*s1 + w2*s2 + b)",
                value,
                {"w1": weights[0], "s1": hidden[0], "w2": weights[1], "s2": hidden[1], "b": bias},
                rule="AND(s1 = NAND, s2 = OR)",
            )
        )
    trace.result = {
        "x": [list(x) for x in TRUTH_INPUTS],
        **outputs,
        "weights": {name: {"weights": list(w), "bias": b} for name, (w, b) in GATES.items()},
    }
    rows = [
        [str(x[0]), str(x[1]), *(str(outputs[g][i]) for g in outputs)]
        for i, x in enumerate(TRUTH_INPUTS)
    ]
    trace.tables.append(Table(ctx.t("graph.truth_table"), ["x1", "x2", *outputs], rows))
    trace.tables.append(
        Table(
            ctx.t("graph.gate_weights"),
            [ctx.t("graph.col_gate"), "w1", "w2", "b"],
            [[name, w[0], w[1], b] for name, (w, b) in GATES.items()],
        )
    )
    trace.notes.append(ctx.t("graph.gates_note"))
    trace.notes.append(ctx.t("graph.xor_note"))
    trace.summary = [*outputs]
    trace.dot = _gates_dot()
    return trace


def _gates_dot() -> str:
    lines = ["digraph xor {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    lines += ["  x1 [shape=plaintext];", "  x2 [shape=plaintext];"]
    for name in ("NAND", "OR"):
        w, b = GATES[name]
        lines.append(f'  {name} [shape=circle, label="{name}\\nb = {b:g}"];')
        lines.append(f'  x1 -> {name} [label="{w[0]:g}"];')
        lines.append(f'  x2 -> {name} [label="{w[1]:g}"];')
    w, b = GATES["AND"]
    lines.append(f'  AND [shape=circle, label="AND\\nb = {b:g}"];')
    lines.append(f'  NAND -> AND [label="{w[0]:g}"];')
    lines.append(f'  OR -> AND [label="{w[1]:g}"];')
    lines += ["  XOR [shape=plaintext];", "  AND -> XOR;", "}"]
    return "\n".join(lines) + "\n"


def run(args, ctx: Ctx) -> Trace:
    if args.gates:
        return gates(ctx)
    if args.expr is not None:
        if not args["values"]:
            raise StepcalcError("--values: required")
        values = parse_values(args["values"])
        return expression_graph(args.expr, values, ctx, args.upstream)
    from stepcalc.calc.network import load_network, network_trace

    network = load_network(args.network)
    return network_trace(
        network,
        ctx,
        lr=args.lr,
        epochs=args.epochs,
        batch_size=args["batch-size"],
        plot=args.plot,
    )
