"""A small fully connected network: forward, backward per layer, SGD updates and training.

A layer computes z = W×h + b, then a = f(z), W of shape (outputs × inputs) as ``nn.Linear``.
Vectors are columns; a batch has one column per sample, so every formula reads the same for one
sample or many. Losses are PyTorch's means (MSE; cross-entropy on logits; binary cross-entropy
for one output unit). Backward per layer, δ = ∂L/∂z = ∂L/∂a ⊙ f′(z): ∂L/∂W = δ × hᵀ,
∂L/∂b = δ × 1, ∂L/∂h = Wᵀ × δ. f and f′ come from the activation registry (``calc.activations``);
``step`` (Heaviside) has f′ = 0, so no gradient passes it. Frozen parameters get no update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.calc import activations
from stepcalc.calc.graph import (
    dot,
    edge,
    expression_graph,
    gates,
    own_perceptron,
    parse_values,
    put,
    uses,
)
from stepcalc.context import Ctx
from stepcalc.errors import InputError, Msg
from stepcalc.formula import Work
from stepcalc.parse import format_shape, parse_tensor
from stepcalc.trace import Table, Trace

SHOWN_EPOCHS, HISTORY_ROWS = 3, 20
"""Update steps are written out for the first epochs and the last; the table's rows."""


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
    given: dict[str, Any] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return self.loss == "cross-entropy" and self.layers[-1].W.shape[0] == 1

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


def _fail(code: str, layer: int | None = None, **values) -> InputError:
    if layer is None:
        return InputError("network", f"graph.{code}", **values)
    return InputError("network", "graph.layer", k=layer, problem=Msg(f"graph.{code}", **values))


def _tensor(raw: Any, part: str, layer: int | None = None, ndim=(0, 1, 2)) -> np.ndarray:
    try:
        return parse_tensor(raw, "network", ndim)
    except InputError as exc:
        raise _fail("in_part", layer, part=part, problem=exc.msg) from None


def _keys(data: Any, known: tuple[str, ...], layer: int | None = None) -> None:
    if not isinstance(data, dict):
        raise _fail("not_mapping", layer, keys=", ".join(known))
    for key in data:
        if key not in known:
            raise _fail("unknown_key", layer, part=repr(key), valid=", ".join(sorted(known)))


def load_network(data: Any) -> Network:
    _keys(data, ("input", "target", "loss", "layers"))
    for key in ("input", "target", "layers"):
        if data.get(key) is None:
            raise _fail("missing", part=key)
    loss = str(data.get("loss", "mse")).strip().lower().replace("_", "-")
    if loss not in ("mse", "cross-entropy"):
        raise _fail("loss", value=repr(loss))
    if not isinstance(data["layers"], list) or not data["layers"]:
        raise _fail("no_layers")
    if len(data["layers"]) > limits.MAX_LAYERS:
        raise _fail("too_many_layers", limit=limits.MAX_LAYERS)
    layers = [_layer(item, k) for k, item in enumerate(data["layers"], start=1)]
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
    described = zip(net.given_parameters(), layers, strict=True)
    net.given = {"input": net.natural(net.X), "target": data["target"], "loss": loss}
    net.given["layers"] = [p | {"activation": layer.activation} for p, layer in described]
    return net


def _layer(item: Any, k: int) -> Layer:
    _keys(item, ("weights", "bias", "activation"), k)
    if item.get("weights") is None:
        raise _fail("missing", k, part="weights")
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
    if net.binary and (target.min() < 0 or target.max() > 1):
        raise _fail("bce_targets")
    if classes and np.any(target < 0):
        raise _fail("negative_target")
    return target


def _softmax(w: Work, title: str, out: str, logits: str, value: np.ndarray) -> np.ndarray:
    """Column by column: one sample exp(z)/Σ exp(z), a batch each column over its own sum."""
    if value.shape[1] == 1:
        return w(title, f"{out} = exp({logits})/sum(exp({logits}))", **{logits: value})
    rule, ones = f"{out} = exp({logits})/matmul(ones, exp({logits}))", np.ones((1, len(value)))
    return w(title, rule, **{logits: value}, ones=ones)


def forward(w: Work, net: Network, X: np.ndarray) -> tuple[list, list]:
    """h = [x, a1, …, aK] and z = [z1, …, zK] (a layer without activation has a = z)."""
    w.phase, t = "forward", w.ctx.t
    hs, zs = [X], []
    for k, layer in enumerate(net.layers, start=1):
        act, h = layer.activation, f"a{k - 1}" if k > 1 else "x"
        operands = {f"W{k}": layer.W, h: hs[-1], f"b{k}": layer.b}
        rule = f"{'a' if act == 'none' else 'z'}{k} = matmul(W{k}, {h})"
        rule += "" if layer.b is None else f" + b{k}"
        z = w(t("graph.pre_activation", k=k), rule, **uses(rule, operands))
        if not np.all(np.isfinite(z)):
            raise _fail("too_large", k)
        zs.append(z)
        if act == "softmax":
            z = _softmax(w, t("graph.softmax", k=k), f"a{k}", f"z{k}", z)
        elif act != "none":
            f, z_ = activations.get(act), f"z{k}"
            rule = f"a{k} = " + put(f.formula, {"x": z_})
            z = w(t("graph.activation", k=k, fn=f.label), rule, **uses(rule, {z_: z, **f.params}))
        hs.append(z)
    return hs, zs


def loss(w: Work, net: Network, a: np.ndarray, Y: np.ndarray, title: str = ""):
    """L and, for cross-entropy, the probabilities p it reads (None otherwise)."""
    w.phase, K, p = "forward", len(net.layers), None
    if net.loss == "mse":
        rule = f"L = mean((a{K} - y)**2)"
    elif net.binary:
        if np.any(a <= 0) or np.any(a >= 1):
            raise _fail("bce_outputs")
        rule = f"L = -mean(y*log(a{K}) + (1 - y)*log(1 - a{K}))"
    elif net.layers[-1].activation == "softmax":
        p, rule = a, f"L = -sum(y*log(a{K}))/N"
    else:
        p = _softmax(w, w.ctx.t("graph.softmax"), "p", f"a{K}", a)
        rule = "L = -sum(y*log(p))/N"
    operands = uses(rule, {f"a{K}": a, "p": p, "y": Y, "N": Y.shape[1]})
    name = w.ctx.t(f"graph.loss_{'bce' if net.binary else net.loss}")
    return w(title or name, rule, **operands, key=None if title else "loss"), p


def backward(w: Work, net: Network, hs: list, zs: list, Y: np.ndarray, p, detail: bool = False):
    """[(∂L/∂W, ∂L/∂b, ∂L/∂h) per layer] and the loss's gradient at the last output."""
    w.phase, t, K, N = "backward", w.ctx.t, len(net.layers), Y.shape[1]
    at, title = "a", t("graph.grad_output", k=K)
    if net.loss == "mse":
        rule = f"dL_da{K} = 2*(a{K} - y)/n"
    elif net.binary:
        rule = f"dL_da{K} = (a{K} - y)/(a{K}*(1 - a{K}))/N"
    else:  # softmax cross-entropy: one step to the logits
        at, title = "z" if net.layers[-1].activation == "softmax" else "a", t("graph.grad_ce")
        rule = f"dL_d{at}{K} = ({'p' if at == 'a' else f'a{K}'} - y)/N"
    g = w(title, rule, **uses(rule, {f"a{K}": hs[-1], "p": p, "y": Y, "N": N, "n": Y.size}))
    first, grads = g, []
    for k in range(K, 0, -1):
        layer, z = net.layers[k - 1], f"z{k}"
        if at == "a" and layer.activation != "none":
            f = activations.get(layer.activation)
            rule = f"da{k}_dz{k} = " + put(f.derivative_formula, {"x": z})
            note = t("graph.step_note") if f.name == "step" else ""
            title = t("graph.derivative", k=k, fn=f.label)
            d = w(title, rule, **uses(rule, {z: zs[k - 1], **f.params}), note=note)
            if detail and N == 1:
                w(t("graph.jacobian", k=k), f"J{k} = diag(da{k}_dz{k})", **{f"da{k}_dz{k}": d})
            operands = {f"dL_da{k}": g, f"da{k}_dz{k}": d}
            g, at = w(t("graph.grad_pre", k=k), f"dL_dz{k} = dL_da{k}*da{k}_dz{k}", **operands), "z"
        delta, h = f"dL_d{at}{k}", f"a{k - 1}" if k > 1 else "x"
        rule = f"dL_dW{k} = matmul({delta}, transpose({h}))"
        dW = w(t("graph.grad_weight", k=k), rule, **{delta: g, h: hs[k - 1]})
        rule = f"dL_db{k} = {delta}" if N == 1 else f"dL_db{k} = matmul({delta}, ones)"
        operands = uses(rule, {delta: g, "ones": np.ones((N, 1))})
        db = None if layer.b is None else w(t("graph.grad_bias", k=k), rule, **operands)
        rule = f"dL_d{h} = matmul(transpose(W{k}), {delta})"
        dh = w(t("graph.grad_input", name=h), rule, **{f"W{k}": layer.W, delta: g})
        if not (np.all(np.isfinite(dW)) and np.all(np.isfinite(dh))):
            raise _fail("too_large")
        grads.insert(0, {"W": dW, "b": db, "h": dh})
        g, at = dh, "a"
    return grads, first


def update(w: Work, net: Network, grads: list, lr: float, frozen: set[str]) -> None:
    """W′ = W − η·∂L/∂W for every parameter that is not frozen."""
    w.phase = "update"
    for name, layer, attr in net.parameters():
        if name not in frozen:
            grad = grads[int(name[1:]) - 1][attr]
            operands = {name: getattr(layer, attr), f"dL_d{name}": grad, "lr": lr}
            title = w.ctx.t("graph.update", name=name)
            setattr(layer, attr, w(title, f"{name}_prime = {name} - lr*dL_d{name}", **operands))


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
    frozen, samples = frozen_parameters(args.freeze, net), net.X.shape[1]
    inputs = {**net.given, "lr": lr, "epochs": epochs, "batch_size": args["batch-size"]}
    trace = Trace("graph", inputs | {"freeze": sorted(frozen)})
    trace.title = t("graph.title_network", layers=len(net.layers), loss=net.loss)
    trace.subtitle = t("graph.subtitle_network", n=samples)
    if net.loss == "cross-entropy":
        trace.notes.append(t("graph.bce_note" if net.binary else "graph.ce_note"))
    trace.notes += [t("graph.columns_note")] if net.batched else []
    if any(layer.activation not in ("none", "softmax") for layer in net.layers):
        trace.notes.append(t("graph.jacobian_note"))
    w = Work(trace, ctx)
    hs, zs = forward(w, net, net.X)
    value, p = loss(w, net, hs[-1], net.Y)
    if not np.isfinite(value):
        raise _fail("too_large")
    grads, first = backward(w, net, hs, zs, net.Y, p, detail=True)
    trace.result = {"loss": value, "output": net.natural(hs[-1]), "layers": []}
    for layer, grad, h in zip(net.layers, grads, hs[1:], strict=True):
        found = {"output": net.natural(h), "grad_weight": grad["W"].reshape(layer.weight_shape)}
        found |= {"grad_bias": _shaped(grad["b"], layer.bias_shape)}
        trace.result["layers"].append(found | {"grad_input": net.natural(grad["h"])})
    trace.dot = network_dot(net, hs, [g["h"] for g in grads] + [first], value)
    if epochs is not None:
        train(trace, net, lr, epochs, args["batch-size"] or samples, frozen, ctx)
        if args.plot:
            from stepcalc.calc.plot import line_plot

            history = [[[h[key] for h in trace.result["history"]]] for key in ("loss", "epoch")]
            table = line_plot(t("graph.plot_title"), *history, ctx.ascii)
            trace.tables += [table] if table else []
            trace.notes += [] if table else [t("graph.plot_missing")]
    elif lr is not None:
        update(w, net, grads, lr, frozen)
    if lr is not None:
        trace.result["updated"] = {"layers": net.given_parameters()}
    if frozen:
        trace.notes.append(t("graph.frozen_note", names=", ".join(sorted(frozen))))
    trace.summary = ["loss", "output"]
    return trace


def train(trace: Trace, net: Network, lr: float, epochs: int, batch: int, frozen, ctx: Ctx):
    """Gradient descent over the samples in order; history is the loss before each epoch."""
    samples, t = net.X.shape[1], ctx.t
    if -(-samples // batch) * epochs > limits.MAX_STEPS:
        raise InputError("epochs", "graph.too_many_updates", limit=f"{limits.MAX_STEPS:,}")
    kind = "batch" if batch >= samples else "stochastic" if batch == 1 else "mini"
    kind, size = t(f"graph.kind_{kind}"), min(batch, samples)
    trace.notes.append(t("graph.training_note", lr=f"{lr:g}", batch=size, n=samples, kind=kind))
    shown, silent, history, epoch = Work(trace, ctx), Work(None, ctx), [], 0
    detailed = {*range(1, min(SHOWN_EPOCHS, epochs) + 1), epochs}
    try:
        for epoch in range(1, epochs + 1):
            w = shown if epoch in detailed else silent
            hs, zs = forward(silent, net, net.X)
            value, p = loss(w, net, hs[-1], net.Y, t("graph.epoch_loss", epoch=epoch))
            if not np.isfinite(value):
                raise _fail("too_large")
            history.append({"epoch": epoch, "loss": value})
            for start in range(0, samples, batch):
                stop = min(start + batch, samples)
                X, Y = net.X[:, start:stop], net.Y[:, start:stop]
                if stop - start < samples:
                    hs, zs = forward(silent, net, X)
                    part = "graph.batch_loss" if stop - start > 1 else "graph.sample_loss"
                    part = t(part, epoch=epoch, first=start + 1, last=stop)
                    p = loss(w, net, hs[-1], Y, part)[1]
                update(w, net, backward(silent, net, hs, zs, Y, p)[0], lr, frozen)
        last = forward(silent, net, net.X)[0][-1]
        final = loss(shown, net, last, net.Y, t("graph.final_loss"))[0]
    except InputError:
        raise InputError("lr", "graph.diverges", epoch=epoch) from None
    trace.result["history"] = history
    if epochs > SHOWN_EPOCHS + 1:
        trace.notes.append(t("graph.detail_note", first=SHOWN_EPOCHS, last=epochs))
    rows = [[entry["epoch"], entry["loss"]] for entry in history]
    rows = [*rows[: HISTORY_ROWS - 5], ["…", "…"], *rows[-4:]] if len(rows) > HISTORY_ROWS else rows
    rows.append([t("graph.final_loss"), final])
    columns = [t("graph.col_epoch"), t("graph.col_loss")]
    trace.tables.append(Table(t("graph.history_table"), columns, rows))


def network_dot(net: Network, hs: list, gradients: list, value: float) -> str:
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
    chain = list(nodes)
    links = zip(chain, chain[1:], hs, gradients, strict=False)
    return dot("network", nodes, [(a, b, edge(h, g, text)) for a, b, h, g in links])


def run(args, ctx: Ctx) -> Trace:
    """``stepcalc graph``: gates and perceptrons, an expression, or a network."""
    if args.gates:
        return gates(args, ctx) if args.weights is None else own_perceptron(args, ctx)
    if args.expr is not None:
        if not args["values"]:
            raise InputError("values", "required")
        return expression_graph(args.expr, parse_values(args["values"]), args.upstream, ctx)
    return network_trace(args, ctx)
