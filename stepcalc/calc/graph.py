"""Backpropagation through the graph of an expression, node by node, as micrograd does it.

Each operation has a forward formula and each input's local gradient (``RULES``; activations
from the registry). Backward works, at every node, local ∂n/∂a and downstream ∂L/∂a = ∂L/∂n ·
∂n/∂a; a variable used twice adds its parts; ``max`` splits a tie evenly (``torch.maximum``).
Also here: perceptrons (the default gates, or the student's own weights and θ or bias).
Steps take their operands by name from the values computed so far (``Work``'s ``env``).
"""

from __future__ import annotations

import itertools
import keyword
import math
import re
from dataclasses import dataclass, field

import numpy as np

from stepcalc import expr
from stepcalc.calc import activations
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.formula import Work
from stepcalc.parse import parse_scalar
from stepcalc.trace import Table, Trace

RULES: dict[str, tuple[str, ...]] = {
    "+": ("a + b", "1", "1"),
    "-": ("a - b", "1", "-1"),
    "*": ("a*b", "b", "a"),
    "/": ("a/b", "1/b", "-a/b**2"),
    # the exponent's gradient is 0 where the base is 0 (0^b is flat there), as in PyTorch
    "**": ("a**b", "b*a**(b - 1)", "where(gt(a, 0), a**b*log(a), 0)"),
    "neg": ("-a", "-1"),
    "exp": ("exp(a)", "exp(a)"),
    "log": ("log(a)", "1/a"),
    "sqrt": ("sqrt(a)", "1/(2*sqrt(a))"),
    "sin": ("sin(a)", "cos(a)"),
    "cos": ("cos(a)", "-sin(a)"),
    "abs": ("abs(a)", "gt(a, 0) - lt(a, 0)"),
    "max": ("max(a, b)", "(gt(a, b) + ge(a, b))/2", "(gt(b, a) + ge(b, a))/2"),
}
"""Each operation: its forward formula, then ∂/∂a and ∂/∂b (activations: ``rule_of``)."""
OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "^", "neg": "−x"}


def rule_of(op: str) -> tuple[str, ...]:
    """The rule of an operation; an activation's (sigmoid, relu, …) is the one registry's."""
    if op in RULES:
        return RULES[op]
    f = activations.get(op)
    return tuple(put(rule, {"x": "a"}) for rule in (f.formula, f.derivative_formula))


def op_symbol(op: str) -> str:
    return OP_SYMBOLS.get(op, op)


def put(formula: str, names: dict[str, str]) -> str:
    """A formula over placeholders (``a``, ``b``; ``x`` in the registry) over operand names."""
    return re.sub(rf"\b({'|'.join(names)})\b", lambda match: names[match.group()], formula)


@dataclass
class Node:
    """A variable, a constant (its literal as the name) or an operation on earlier nodes."""

    name: str
    op: str
    value: float
    inputs: list[Node] = field(default_factory=list)
    tree: expr.Node | None = None
    local: list[float | None] = field(default_factory=list)
    upstream: float = 0.0
    downstream: list[float | None] = field(default_factory=list)


def parse_values(raw: list) -> dict[str, float]:
    """``x=-2,y=5,z=-4`` (or ``x=-2 y=5``, a repeated option, a mapping from a file)."""
    pairs: list = []
    for item in raw:
        if isinstance(item, dict):
            pairs += [(str(k), v) for k, v in item.items()]
            continue
        for part in filter(str.strip, re.split(r"[,;]|\s+(?=[A-Za-z_]\w*\s*=)", str(item))):
            if "=" not in part:
                raise InputError("values", "graph.not_pair", part=repr(part.strip()))
            pairs.append([side.strip() for side in part.split("=", 1)])
    values: dict[str, float] = {}
    for name, value in pairs:
        if not name.isidentifier() or keyword.iskeyword(name) or name in expr.GRAPH_FUNCTIONS:
            raise InputError("values", "graph.not_variable", name=repr(name))
        if name in values:
            raise InputError("values", "graph.twice", name=name)
        values[name] = parse_scalar(value, "values")
    if not values:
        raise InputError("values", "required")
    return values


def _forward(tree: expr.Node, w: Work) -> tuple[Node, list[Node]]:
    """One node, and one forward step, per operation, in forward order."""
    nodes: list[Node] = []
    prefix = "n"
    while any(re.fullmatch(re.escape(prefix) + r"\d+", v) for v in w.env):
        prefix += "_"  # node names never take a variable's

    def walk(sub: expr.Node) -> Node:
        if isinstance(sub, expr.Num):
            value = sub.value
            text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
            return Node(text, "const", value)
        if isinstance(sub, expr.Var):
            return Node(sub.name, "var", w.env[sub.name])
        op, args = ("neg", [sub.operand]) if isinstance(sub, expr.Neg) else (None, [])
        op, args = (sub.op, [sub.left, sub.right]) if isinstance(sub, expr.BinOp) else (op, args)
        op, args = (sub.name, list(sub.args)) if isinstance(sub, expr.Call) else (op, args)
        inputs = [walk(arg) for arg in args]
        names = dict(zip("ab", [n.name for n in inputs], strict=False))
        name = f"{prefix}{len(nodes) + 1}"
        rule, key = f"{name} = " + put(rule_of(op)[0], names), "output" if sub is tree else None
        value = w("node_forward", rule, key=key, at={"op": op_symbol(op)})
        nodes.append(Node(name, op, value, inputs, sub))
        _finite(nodes[-1], value, w.env, "value")
        return nodes[-1]

    return walk(tree), nodes


def _finite(node: Node, value: float, values: dict[str, float], what: str) -> None:
    if math.isfinite(value):
        return
    reason = "no_derivative"
    if what == "value":
        reason = {"log": "log_domain", "sqrt": "sqrt_domain"}.get(node.op, "not_finite")
        reason = "division" if node.op == "/" and node.inputs[1].value == 0 else reason
    shown = ", ".join(f"{v} = {values[v]:g}" for v in expr.variables_of(node.tree))
    raise InputError("values", f"graph.{reason}", where=f"{_unparse(node.tree)} at {shown}")


def _unparse(tree: expr.Node) -> str:
    if isinstance(tree, expr.Num | expr.Var):
        return f"{tree.value:g}" if isinstance(tree, expr.Num) else tree.name
    if isinstance(tree, expr.Call):
        return f"{tree.name}({', '.join(_unparse(arg) for arg in tree.args)})"
    parts = [tree.operand] if isinstance(tree, expr.Neg) else [tree.left, tree.right]
    wrap = [isinstance(p, expr.BinOp | expr.Neg) for p in parts]
    texts = [f"({_unparse(p)})" if w else _unparse(p) for p, w in zip(parts, wrap, strict=True)]
    return f"-{texts[0]}" if isinstance(tree, expr.Neg) else f" {tree.op} ".join(texts)


def expression_graph(args, ctx: Ctx) -> Trace:
    text, values, upstream = args.expr, parse_values(args["values"]), args.upstream
    tree = expr.parse_expression(text, "expr", None, expr.GRAPH_FUNCTIONS)
    variables = expr.variables_of(tree)
    if not variables:
        raise InputError("expr", "graph.no_variables")
    named = ", ".join(variables)
    missing = [v for v in variables if v not in values]
    if missing:
        raise InputError("values", "graph.no_value", names=", ".join(missing), uses=named)
    unknown = [v for v in values if v not in variables]
    if unknown:
        raise InputError("values", "graph.unknown_variable", name=repr(unknown[0]), uses=named)
    trace = Trace("graph", {"expr": text, "values": dict(values), "upstream": upstream})
    trace.title = ctx.t("graph.title_expr", expr=" ".join(text.split()))
    trace.subtitle = ctx.t("graph.subtitle_expr", upstream=f"{upstream:g}")
    w = Work(trace, ctx, env={v: values[v] for v in variables}, topic="graph")
    output, nodes = _forward(tree, w)
    gradients = _backward(w, nodes, output, variables, upstream)
    trace.result = {"output": output.value, "gradients": gradients, "nodes": []}
    rows, short = [], lambda gs: gs[0] if len(gs) == 1 else list(gs)  # drawn as the value is
    for n in nodes:
        inputs = [i.value if i.op == "const" else i.name for i in n.inputs]
        fields = {"op": n.op, "inputs": inputs, "value": n.value, "local": n.local}
        trace.result["nodes"].append(fields | {"upstream": n.upstream, "downstream": n.downstream})
        rows.append([n.name, op_symbol(n.op), ", ".join(i.name for i in n.inputs)])
        rows[-1] += [n.value, short(n.local), n.upstream, short(n.downstream)]
    trace.summary = ["output", "gradients"]
    columns = ctx.t("graph.cols").split("|")
    trace.tables += [Table(ctx.t("graph.node_table"), columns, rows)] if rows else []
    trace.notes.append(ctx.t("graph.rule_note"))
    trace.dot = _expression_dot(nodes, output, upstream)
    return trace


def _backward(w: Work, nodes: list[Node], output: Node, variables: list[str], upstream) -> dict:
    """Upstream × local at every node, from the output back; a reused variable's parts add up."""
    w.phase, top = "backward", f"dL_d{output.name}"
    count = {v: sum(i.name == v for n in nodes for i in n.inputs) for v in variables}
    key = None if nodes else f"gradients.{output.name}"
    received = {output.name: [w("upstream", f"{top} = {top}", key=key, **{top: upstream})]}
    for node in reversed(nodes):
        node.upstream = received[node.name][0]
        names = dict(zip("ab", [i.name for i in node.inputs], strict=False))
        for index, operand in enumerate(node.inputs):
            local = down = None
            if operand.op != "const":
                at = {"op": op_symbol(node.op), "name": operand.name}
                d = f"d{node.name}_d{operand.name}"  # the local gradient's symbol
                local = w("local", f"{d} = " + put(rule_of(node.op)[1 + index], names), at=at)
                _finite(node, local, w.env, "local")
                parts = received.setdefault(operand.name, [])
                shared = operand.op == "var" and count[operand.name] > 1
                name = f"dL_d{operand.name}" + (f"_{len(parts) + 1}" if shared else "")
                key = f"gradients.{operand.name}" if operand.op == "var" and not shared else None
                down = w("downstream", f"{name} = dL_d{node.name}*{d}", key=key, at=at)
                parts.append(down)
            node.local.append(local)
            node.downstream.append(down)
    gradients = {variable: received[variable][0] for variable in variables}
    for variable, parts in ((v, received[v]) for v in variables if len(received[v]) > 1):
        names = [f"dL_d{variable}_{i + 1}" for i in range(len(parts))]
        via = ", ".join(n.name for n in reversed(nodes) for i in n.inputs if i.name == variable)
        note = w.ctx.t("graph.accumulate_note", var=variable, count=len(parts), via=via)
        rule, key = f"dL_d{variable} = " + " + ".join(names), f"gradients.{variable}"
        gradients[variable] = w("accumulate", rule, key=key, note=note, at={"var": variable})
    return gradients


def _expression_dot(nodes: list[Node], output: Node, upstream: float) -> str:
    """The forward value above and the gradient below each edge."""
    shapes, edges = {"L": 'shape=plaintext, label="L"'}, []
    for node in [*nodes, Node("L", "", 0.0, [output], downstream=[upstream])]:
        if node.op:
            shapes[node.name] = f'shape=circle, label="{op_symbol(node.op)}"'
        for operand, gradient in zip(node.inputs, node.downstream, strict=True):
            source = operand.name
            if operand.op in ("var", "const"):
                source = f"var_{source}" if operand.op == "var" else f"const_{len(shapes)}"
                shapes[source] = f'shape=plaintext, label="{operand.name}"'
            edges.append((source, node.name, edge(operand.value, gradient)))
    return dot("graph_backprop", shapes, edges)


def dot(name: str, nodes: dict[str, str], edges: list[tuple[str, str, str]]) -> str:
    """Graphviz DOT, left to right: node attributes by name, edges (from, to, label)."""
    lines = [f"digraph {name} {{", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    lines.append('  edge [fontname="Helvetica", fontsize=10];')
    lines += [f"  {node} [{attributes}];" for node, attributes in nodes.items()]
    lines += [f"  {a} -> {b} [label={label}];" for a, b, label in edges]
    return "\n".join([*lines, "}"]) + "\n"


def edge(value, gradient, text=None) -> str:
    """A DOT edge label: the value above, the gradient below (``∂L:`` before a tensor's)."""
    mark, text = ("∂L: ", text) if text else ("", lambda v: f"{v:.6g}")
    below = "" if gradient is None else f'<br/><font color="red">{mark}{text(gradient)}</font>'
    return f'<<font color="darkgreen">{text(value)}</font>{below}>'


# ------------------------------------------------------------------ perceptrons

GATES = {"AND": ((0.5, 0.5), -0.7), "OR": ((0.5, 0.5), -0.2), "NAND": ((-0.5, -0.5), 0.7)}
"""Weights and bias of each default gate; it fires (1) when w·x + b > 0."""
TRUTH = {"AND": all, "OR": any, "NAND": lambda x: not all(x), "NOR": lambda x: not any(x)}
TRUTH["XOR"] = lambda x: sum(x) % 2 == 1
"""What each gate computes, for any number of inputs (XOR: an odd number of ones)."""


def perceptron(w: Work, gate: str, weights, rows, bias=None, threshold=None, x="x"):
    """y = [Σ w⊙x + b > 0] (or [Σ w⊙x > θ]) for every input row, the sum a step of its own."""
    w.env.update(w=weights, b=bias, theta=threshold)
    total, fires = f"z = sum(w*{x}) + b", "y = gt(z, 0)"
    if threshold is not None:
        total, fires = f"s = sum(w*{x})", "y = gt(s, theta)"
    sums, outputs = [], []
    for row in rows:
        w.env[x] = np.asarray(row, dtype=float)
        shown = f"{x} = ({', '.join(f'{v:g}' for v in row)})"
        at = {"at": f"{gate}, {shown}" if gate else shown}
        sums.append(w("gate_sum", total, name=gate, at=at))
        outputs.append(int(w("gate_fires", fires, name=gate, at=at)))
    return sums, outputs


def gates(args, ctx: Ctx) -> Trace:
    """The default gates, one perceptron each, and XOR as two layers of them."""
    trace = Trace("graph", {"gates": True}, title=ctx.t("graph.title_gates"))
    trace.subtitle = ctx.t("graph.subtitle_gates")
    w, rows = Work(trace, ctx, env={}, topic="graph"), [(0, 0), (0, 1), (1, 0), (1, 1)]
    out = {name: perceptron(w, name, list(wb[0]), rows, wb[1])[1] for name, wb in GATES.items()}
    hidden = list(zip(out["NAND"], out["OR"], strict=True))
    out["XOR"] = perceptron(w, "XOR", list(GATES["AND"][0]), hidden, GATES["AND"][1], x="h")[1]
    weights = {name: {"weights": list(wb[0]), "bias": wb[1]} for name, wb in GATES.items()}
    trace.result = {"x": [list(x) for x in rows], **out, "weights": weights}
    table = [[*map(str, x), *(str(out[g][i]) for g in out)] for i, x in enumerate(rows)]
    trace.tables.append(Table(ctx.t("graph.truth_table"), ["x1", "x2", *out], table))
    trace.notes += [ctx.t("graph.gates_note"), ctx.t("graph.xor_note")]
    trace.summary = [*out]
    trace.dot = _gates_dot({name: (*wb[0], f"b = {wb[1]:g}") for name, wb in GATES.items()})
    return trace


def own_perceptron(args, ctx: Ctx) -> Trace:
    """The student's weights with a threshold θ (fires when w·x > θ) or a bias b."""
    weights, threshold, bias = args.weights.reshape(-1).tolist(), args.threshold, args.bias
    if threshold is None and bias is None:
        raise InputError("weights", "graph.needs_threshold")
    if len(weights) > 4:
        raise InputError("weights", "graph.gate_inputs", count=len(weights))
    rows = list(itertools.product((0, 1), repeat=len(weights)))
    given = {"weights": weights, **({"threshold": threshold} if bias is None else {"bias": bias})}
    trace = Trace("graph", {"gates": True, **given, "gate": args.gate})
    part = f"θ = {threshold:g}" if bias is None else f"b = {bias:g}"
    rule = "w·x > θ" if bias is None else "w·x + b > 0"
    trace.title = ctx.t("graph.title_perceptron")
    w_text = ", ".join(map("{:g}".format, weights))
    trace.subtitle = ctx.t("graph.subtitle_perceptron", w=w_text, part=part, rule=rule)
    w = Work(trace, ctx, env={}, topic="graph")
    sums, out = perceptron(w, "", weights, rows, bias, threshold)
    matches = [name for name, truth in TRUTH.items() if out == [int(truth(x)) for x in rows]]
    trace.result = {"x": [list(x) for x in rows], "sum": sums, "output": out, **given}
    trace.result["computes"] = ", ".join(matches) or None
    names = [f"x{i + 1}" for i in range(len(weights))]
    table = [[*map(str, x), s, str(y)] for x, s, y in zip(rows, sums, out, strict=True)]
    columns = [*names, "w·x" if bias is None else "w·x + b", "y"]
    trace.tables.append(Table(ctx.t("graph.truth_table"), columns, table))
    gate = (args.gate or "").upper()
    wrong = [(x, y) for x, y in zip(rows, out, strict=True) if gate and y != TRUTH[gate](x)]
    if wrong:
        at = ", ".join(map(str, wrong[0][0]))
        trace.notes.append(ctx.t("graph.not_gate", gate=gate, x=at, y=wrong[0][1]))
    else:
        found = gate or ", ".join(matches)
        trace.notes.append(ctx.t("graph.is_gate", gate=found) if found else ctx.t("graph.no_gate"))
    trace.summary = ["output", "computes"]
    trace.dot = _gates_dot({"y": (*weights, part)}, inputs=names)
    return trace


def _gates_dot(units: dict[str, tuple], inputs=("x1", "x2")) -> str:
    """The perceptron (or the XOR network of the default gates), weights on the edges."""
    nodes = {name: "shape=plaintext" for name in (*inputs, *("XOR",) * (len(units) > 1))}
    edges = [("AND", "XOR", '""')] if len(units) > 1 else []
    for unit, (*weights, part) in units.items():
        nodes[unit] = f'shape=circle, label="{"step" if unit == "y" else unit}\\n{part}"'
        sources = ("NAND", "OR") if unit == "AND" else inputs
        edges += [(s, unit, f'"{v:g}"') for s, v in zip(sources, weights, strict=True)]
    return dot("perceptron", nodes, edges)
