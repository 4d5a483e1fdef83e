"""A small fully connected network: forward, backward per layer, SGD updates and training.

A layer computes z = W×h + b, then a = f(z), W of shape (outputs × inputs) as ``nn.Linear``.
Vectors are columns; a batch has one column per sample, so every formula reads the same for one
sample or many. Losses are PyTorch's means (MSE; cross-entropy on logits; binary cross-entropy
for one output unit). Backward per layer, δ = ∂L/∂z = ∂L/∂a ⊙ f′(z): ∂L/∂W = δ × hᵀ,
∂L/∂b = δ × 1, ∂L/∂h = Wᵀ × δ. f and f′ come from the activation registry (``calc.activations``);
``step`` (Heaviside) has f′ = 0, so no gradient passes it. Frozen parameters get no update.
The steps share one environment of named quantities (x, W1, z1, a1, dL_dW1, …: ``Work.env``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.calc import activations, graph
from stepcalc.context import Ctx
from stepcalc.errors import InputError, Msg
from stepcalc.formula import Work
from stepcalc.parse import format_shape, parse_tensor
from stepcalc.trace import Table, Trace

SHOWN_EPOCHS, HISTORY_ROWS = 3, 20
"""Update steps are written out for the first epochs and the last; the table's rows."""
LOSSES = {  # L over the last output aK (K: the last layer's number), and where backward starts
    "mse": ("mean((aK - y)**2)", "dL_daK = 2*(aK - y)/n"),
    "bce": ("-mean(y*log(aK) + (1 - y)*log(1 - aK))", "dL_daK = (aK - y)/(aK*(1 - aK))/N"),
    "softmax": ("-sum(y*log(aK))/N", "dL_dzK = (aK - y)/N"),  # straight to the logits
    "logits": ("-sum(y*log(p))/N", "dL_daK = (p - y)/N"),
}


@dataclass
class Layer:
    """W (outputs × inputs) and b, a column; the shapes as given are kept for the results."""

    W: np.ndarray
    b: np.ndarray | None
    activation: str
    weight_shape: tuple[int, ...]
    bias_shape: tuple[int, ...] | None


@dataclass
class Network:
    """X (features × N) and Y (outputs × N, class indices one-hot): a column per sample."""

    X: np.ndarray
    Y: np.ndarray
    loss: str
    layers: list[Layer]
    batched: bool
    scalar_samples: bool = False  # the input was a list of numbers, one sample each

    @property
    def kind(self) -> str:
        """The loss as ``LOSSES`` names it."""
        if self.loss == "mse":
            return "mse"
        if self.layers[-1].W.shape[0] == 1:
            return "bce"
        return "softmax" if self.layers[-1].activation == "softmax" else "logits"

    def natural(self, columns: np.ndarray) -> np.ndarray:
        """(width, N) columns in the shape the input was given in (one row per sample)."""
        rows = columns.T
        if not self.batched:
            return rows[0]
        return rows[:, 0] if self.scalar_samples and rows.shape[1] == 1 else rows

    def parameters(self) -> list[tuple[str, Layer, str]]:
        """(W1, layer 1, "W"), (b1, layer 1, "b"), …: every parameter there is."""
        pairs = ((k, layer, attr) for k, layer in enumerate(self.layers, 1) for attr in "Wb")
        return [(f"{a}{k}", layer, a) for k, layer, a in pairs if getattr(layer, a) is not None]

    def given_parameters(self) -> list[dict[str, Any]]:
        """Weights and biases in the shapes they were given in."""
        shaped = [(layer.W.reshape(layer.weight_shape), layer) for layer in self.layers]
        return [{"weights": W, "bias": _shaped(layer.b, layer.bias_shape)} for W, layer in shaped]


def _shaped(array: np.ndarray | None, shape) -> np.ndarray | None:
    return None if array is None else array.reshape(shape)


def _input(k: int) -> str:
    """What layer k reads: x, then a1, a2, …"""
    return f"a{k - 1}" if k > 1 else "x"


def _fail(code: str, layer: int | None = None, **values) -> InputError:
    if layer is None:
        return InputError("network", f"graph.{code}", **values)
    return InputError("network", "graph.layer", k=layer, problem=Msg(f"graph.{code}", **values))


def _tensor(raw: Any, part: str, layer: int | None = None, ndim=(0, 1, 2)) -> np.ndarray:
    try:
        return parse_tensor(raw, "network", ndim)
    except InputError as exc:
        raise _fail("in_part", layer, part=part, problem=exc.msg) from None


def _keys(data: Any, known: tuple[str, ...], required: tuple[str, ...], layer=None) -> None:
    if not isinstance(data, dict):
        raise _fail("not_mapping", layer, keys=", ".join(known))
    for key in data:
        if key not in known:
            raise _fail("unknown_key", layer, part=repr(key), valid=", ".join(sorted(known)))
    for key in required:
        if data.get(key) is None:
            raise _fail("missing", layer, part=key)


def load_network(data: Any) -> Network:
    _keys(data, ("input", "target", "loss", "layers"), ("input", "target", "layers"))
    loss = str(data.get("loss", "mse")).strip().lower().replace("_", "-")
    if loss not in ("mse", "cross-entropy"):
        raise _fail("loss", value=repr(loss))
    items = data["layers"]
    if not isinstance(items, list) or not items:
        raise _fail("no_layers")
    if len(items) > limits.MAX_LAYERS:
        raise InputError("network", "too_many_layers", n=len(items), limit=limits.MAX_LAYERS)
    layers = [_layer(item, k) for k, item in enumerate(items, start=1)]
    x, inputs = _tensor(data["input"], "input"), layers[0].W.shape[1]
    scalar_samples = x.ndim == 1 and x.size != inputs and inputs == 1
    batched = x.ndim == 2 or scalar_samples
    x = x.reshape(-1, 1) if scalar_samples else (x if x.ndim == 2 else x.reshape(1, -1))
    width = x.shape[1]
    for k, layer in enumerate(layers, start=1):
        if layer.W.shape[1] != width:
            shape = format_shape(layer.weight_shape)
            raise _fail("width", k, shape=shape, n=layer.W.shape[1], m=width)
        last = k == len(layers) and loss == "cross-entropy" and layer.W.shape[0] > 1
        if layer.activation == "softmax" and not last:
            raise _fail("softmax_last", k)
        width = layer.W.shape[0]
    net = Network(x.T, np.empty(0), loss, layers, batched, scalar_samples)
    net.Y = _targets(data["target"], net)
    return net


def _layer(item: Any, k: int) -> Layer:
    _keys(item, ("weights", "bias", "activation"), ("weights",), k)
    weights, bias, bias_shape = _tensor(item["weights"], "weights", k), None, None
    matrix = weights if weights.ndim == 2 else weights.reshape(1, -1)
    if item.get("bias") is not None:
        bias = _tensor(item["bias"], "bias", k, (0, 1))
        bias_shape = bias.shape
        if bias.size != matrix.shape[0]:
            shape = format_shape(weights.shape)
            raise _fail("bias_size", k, n=bias.size, shape=shape, m=matrix.shape[0])
        bias = bias.reshape(-1, 1)
    name = str(item.get("activation") or "none").strip().lower()
    name = "none" if name in ("identity", "linear") else name
    try:
        name = name if name in ("none", "softmax") else activations.get(name).name
    except KeyError:
        valid = ", ".join(["none", *activations.ACTIVATIONS, "softmax"])
        raise _fail("unknown_activation", k, name=repr(name), valid=valid) from None
    return Layer(matrix, bias, name, weights.shape, bias_shape)


def _targets(raw: Any, net: Network) -> np.ndarray:
    samples, width = net.X.shape[1], net.layers[-1].W.shape[0]
    target, classes = _tensor(raw, "target", ndim=None), net.loss == "cross-entropy" and width > 1
    if classes and target.ndim <= 1 and target.size == samples:
        if np.any(target != np.round(target)) or target.min() < 0 or target.max() >= width:
            raise _fail("class_range", last=width - 1)
        return np.eye(width)[target.reshape(-1).astype(int)].T
    if net.batched and target.ndim >= 1 and target.shape[0] != samples:
        raise _fail("batch_targets", n=samples, m=target.shape[0])
    if target.size != samples * width or (net.batched and target.ndim == 0):
        expected = f"{samples}×{width}" if net.batched else str(width)
        raise _fail("target_shape", shape=format_shape(target.shape), expected=expected)
    target = target.reshape(samples, width).T
    if net.kind == "bce" and (target.min() < 0 or target.max() > 1):
        raise _fail("bce_targets")
    if classes and np.any(target < 0):
        raise _fail("negative_target")
    return target


def _softmax(w: Work, out: str, logits: str, at: dict | None = None) -> None:
    """Column by column: one sample exp(z)/Σ exp(z), a batch each column over its own sum."""
    if w.env[logits].shape[1] == 1:
        w("softmax", f"{out} = exp({logits})/sum(exp({logits}))", at=at)
    else:
        ones = np.ones((1, len(w.env[logits])))
        w("softmax", f"{out} = exp({logits})/matmul(ones, exp({logits}))", ones=ones, at=at)


def forward(w: Work, net: Network, X: np.ndarray, Y: np.ndarray) -> None:
    """z1, a1, …, aK for the samples X (a layer without activation has a = z, no z)."""
    w.phase, env = "forward", w.env
    env.update(x=X, y=Y, N=Y.shape[1], n=Y.size, ones=np.ones((Y.shape[1], 1)))
    env.update({name: getattr(layer, attr) for name, layer, attr in net.parameters()})
    for k, layer in enumerate(net.layers, start=1):
        act, bias = layer.activation, "" if layer.b is None else f" + b{k}"
        rule = f"{'a' if act == 'none' else 'z'}{k} = matmul(W{k}, {_input(k)}){bias}"
        if not np.all(np.isfinite(w("pre_activation", rule, at={"k": k}))):
            raise _fail("too_large", k)
        if act == "softmax":
            _softmax(w, f"a{k}", f"z{k}", {"k": k})
        elif act != "none":
            f = activations.get(act)
            env.update(f.params)
            rule = f"a{k} = " + graph.put(f.formula, {"x": f"z{k}"})
            w("activation", rule, at={"k": k, "fn": f.label})


def loss(w: Work, net: Network, title: str = "", at: dict | None = None) -> float:
    """L at the last output (cross-entropy on logits takes their softmax p first)."""
    w.phase, K = "forward", len(net.layers)
    name, rule = f"loss_{'bce' if net.kind == 'bce' else net.loss}", LOSSES[net.kind][0]
    if net.kind == "bce" and (np.any(w.env[f"a{K}"] <= 0) or np.any(w.env[f"a{K}"] >= 1)):
        raise _fail("bce_outputs")
    if net.kind == "logits":
        _softmax(w, "p", f"a{K}")
    rule = "L = " + rule.replace("K", str(K))
    value = w(title or name, rule, key=None if title else "loss", at=at)
    if not np.isfinite(value):
        raise _fail("too_large")
    return value


def backward(w: Work, net: Network, detail: bool = False) -> str:
    """∂L/∂W, ∂L/∂b and ∂L/∂h of every layer; returns the name of the gradient at the output."""
    w.phase, env, K = "backward", w.env, len(net.layers)
    title = "grad_ce" if net.kind in ("softmax", "logits") else "grad_output"
    rule = LOSSES[net.kind][1].replace("K", str(K))
    w(title, rule, at={"k": K})
    g = first = rule.partition(" = ")[0]
    for k in range(K, 0, -1):
        layer, h = net.layers[k - 1], _input(k)
        at = {"k": k, "name": h}
        if g == f"dL_da{k}" and layer.activation != "none":
            f = activations.get(layer.activation)
            env.update(f.params)
            rule = f"da{k}_dz{k} = " + graph.put(f.derivative_formula, {"x": f"z{k}"})
            note = w.ctx.t("graph.step_note") if f.name == "step" else ""
            w("derivative", rule, note=note, at=at | {"fn": f.label})
            if detail and env["N"] == 1:
                w("jacobian", f"J{k} = diag(da{k}_dz{k})", at=at)
            g = f"dL_dz{k}"
            w("grad_pre", f"{g} = dL_da{k}*da{k}_dz{k}", at=at)
        dW = w("grad_weight", f"dL_dW{k} = matmul({g}, transpose({h}))", at=at)
        if layer.b is not None:
            w("grad_bias", f"dL_db{k} = " + (g if env["N"] == 1 else f"matmul({g}, ones)"), at=at)
        dh = w("grad_input", f"dL_d{h} = matmul(transpose(W{k}), {g})", at=at)
        if not (np.all(np.isfinite(dW)) and np.all(np.isfinite(dh))):
            raise _fail("too_large")
        g = f"dL_d{h}"
    return first


def update(w: Work, net: Network, frozen: set[str]) -> None:
    """W′ = W − η·∂L/∂W for every parameter that is not frozen."""
    w.phase = "update"
    for name, layer, attr in net.parameters():
        if name not in frozen:
            rule = f"{name}_prime = {name} - lr*dL_d{name}"
            setattr(layer, attr, w("update", rule, at={"name": name}))


def frozen_parameters(raw: list[str], net: Network) -> set[str]:
    """``b1,b2``, ``W1`` or the groups ``weights`` and ``biases`` (any case)."""
    names, frozen = [name for name, _, _ in net.parameters()], set()
    for part in (p.lower() for item in raw for p in re.split(r"[,\s]+", item) if p):
        chosen = {n for n in names if part in (n.lower(), "weights" if n[0] == "W" else "biases")}
        if not chosen:
            valid = ", ".join([*names, "weights", "biases"])
            raise InputError("freeze", "graph.unknown_parameter", name=repr(part), valid=valid)
        frozen |= chosen
    return frozen


def network_trace(args, ctx: Ctx) -> Trace:
    net, t, lr, epochs = load_network(args.network), ctx.t, args.lr, args.epochs
    frozen, samples, K = frozen_parameters(args.freeze, net), net.X.shape[1], len(net.layers)
    described = zip(net.given_parameters(), net.layers, strict=True)
    given = [p | {"activation": layer.activation} for p, layer in described]
    inputs = {"input": net.natural(net.X), "target": args.network["target"], "loss": net.loss}
    inputs |= {"layers": given, "lr": lr, "epochs": epochs, "batch_size": args["batch-size"]}
    trace = Trace("graph", inputs | {"freeze": sorted(frozen)})
    trace.title = t("graph.title_network", layers=K, loss=net.loss)
    trace.subtitle = t("graph.subtitle_network", n=samples)
    if net.loss == "cross-entropy":
        trace.notes.append(t("graph.bce_note" if net.kind == "bce" else "graph.ce_note"))
    trace.notes += [t("graph.columns_note")] if net.batched else []
    if any(layer.activation not in ("none", "softmax") for layer in net.layers):
        trace.notes.append(t("graph.jacobian_note"))
    w = Work(trace, ctx, env={"lr": lr, "pi": math.pi}, topic="graph")
    forward(w, net, net.X, net.Y)
    value = loss(w, net)
    first, env = backward(w, net, detail=True), w.env
    trace.result = {"loss": value, "output": net.natural(env[f"a{K}"]), "layers": []}
    for k, layer in enumerate(net.layers, start=1):
        found = {"output": net.natural(env[f"a{k}"])}
        found["grad_weight"] = env[f"dL_dW{k}"].reshape(layer.weight_shape)
        found["grad_bias"] = _shaped(env.get(f"dL_db{k}"), layer.bias_shape)
        trace.result["layers"].append(found | {"grad_input": net.natural(env[f"dL_d{_input(k)}"])})
    trace.dot = network_dot(net, env, first, value)
    if epochs is not None:
        train(w, net, epochs, args["batch-size"] or samples, frozen)
        if args.plot:
            from stepcalc.calc.plot import line_plot

            history = [[[h[key] for h in trace.result["history"]]] for key in ("loss", "epoch")]
            table = line_plot(t("graph.plot_title"), *history, ctx.ascii)
            trace.tables += [table] if table else []
            trace.notes += [] if table else [t("graph.plot_missing")]
    elif lr is not None:
        update(w, net, frozen)
    if lr is not None:
        trace.result["updated"] = {"layers": net.given_parameters()}
    if frozen:
        trace.notes.append(t("graph.frozen_note", names=", ".join(sorted(frozen))))
    trace.summary = ["loss", "output"]
    if epochs is not None:  # the trained state after the starting one
        trace.summary += ["final_loss", "final_output"]
    if lr is not None:
        trace.summary.append("updated")
    return trace


def train(shown: Work, net: Network, epochs: int, batch: int, frozen: set[str]) -> None:
    """Gradient descent over the samples in order; history is the loss before each epoch."""
    trace, samples, t = shown.trace, net.X.shape[1], shown.ctx.t
    if -(-samples // batch) * epochs > limits.MAX_STEPS:
        raise InputError("epochs", "graph.too_many_updates", limit=f"{limits.MAX_STEPS:,}")
    kind = "batch" if batch >= samples else "stochastic" if batch == 1 else "mini"
    kind, size, lr = t(f"graph.kind_{kind}"), min(batch, samples), f"{shown.env['lr']:g}"
    trace.notes.append(t("graph.training_note", lr=lr, batch=size, n=samples, kind=kind))
    silent, history, epoch = Work(None, shown.ctx, env=shown.env, topic="graph"), [], 0
    detailed = {*range(1, min(SHOWN_EPOCHS, epochs) + 1), epochs}
    try:
        for epoch in range(1, epochs + 1):
            w = shown if epoch in detailed else silent
            forward(silent, net, net.X, net.Y)
            history.append({"epoch": epoch, "loss": loss(w, net, "epoch_loss", {"epoch": epoch})})
            for start in range(0, samples, batch):
                stop = min(start + batch, samples)
                if stop - start < samples:
                    forward(silent, net, net.X[:, start:stop], net.Y[:, start:stop])
                    part = "batch_loss" if stop - start > 1 else "sample_loss"
                    loss(w, net, part, {"epoch": epoch, "first": start + 1, "last": stop})
                backward(silent, net)
                update(w, net, frozen)
        forward(silent, net, net.X, net.Y)
        final = loss(shown, net, "final_loss")
    except InputError:
        raise InputError("lr", "graph.diverges", epoch=epoch) from None
    trace.result["history"] = history
    trace.result["final_loss"] = final
    trace.result["final_output"] = net.natural(silent.env[f"a{len(net.layers)}"])
    if epochs > SHOWN_EPOCHS + 1:
        trace.notes.append(t("graph.detail_note", first=SHOWN_EPOCHS, last=epochs))
    rows = [[entry["epoch"], entry["loss"]] for entry in history]
    rows = [*rows[: HISTORY_ROWS - 5], ["…", "…"], *rows[-4:]] if len(rows) > HISTORY_ROWS else rows
    rows.append([t("graph.final_loss"), final])
    trace.tables.append(Table(t("graph.history_table"), t("graph.history_cols").split("|"), rows))


def network_dot(net: Network, env: dict, first: str, value: float) -> str:
    """The layer chain; each edge carries its value (above) and ∂L (below), or their shape."""

    def text(array) -> str:
        array, numbers = net.natural(array), ", ".join(f"{v:.4g}" for v in np.ravel(array))
        if array.size > 6:
            return format_shape(array.shape)
        return numbers if array.size == 1 else f"[{numbers}]"

    nodes = {"x": 'shape=plaintext, label="x"'}
    for k, layer in enumerate(net.layers, start=1):
        label = f"W{k}·h" + (f" + b{k}" if layer.b is not None else "")
        label = label if layer.activation == "none" else f"{layer.activation}({label})"
        nodes[f"layer{k}"] = f'shape=box, label="{label}"'
    nodes["loss"] = f'shape=plaintext, label="{net.loss} = {value:.6g}"'
    values = [_input(k) for k in range(1, len(net.layers) + 2)]  # x, a1, …, aK
    gradients = [f"dL_d{h}" for h in values[:-1]] + [first]
    links = zip(nodes, list(nodes)[1:], values, gradients, strict=False)
    edges = [(a, b, graph.edge(env[h], env[g], text)) for a, b, h, g in links]
    return graph.dot("network", nodes, edges)


def run(args, ctx: Ctx) -> Trace:
    """``stepcalc graph``: gates and perceptrons, an expression, or a network."""
    if args.gates:
        return graph.gates(args, ctx) if args.weights is None else graph.own_perceptron(args, ctx)
    if args.expr is not None:
        return graph.expression_graph(args, ctx)
    return network_trace(args, ctx)
