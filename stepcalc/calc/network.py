"""A small fully connected network: forward, backward per layer, SGD updates and training.

Each layer computes a = f(W·h + b) with W of shape (outputs, inputs) as PyTorch's
``nn.Linear``. A batch of N samples is a matrix H of shape (N, inputs): Z = H·Wᵀ + b.
Losses are PyTorch's means: MSE over every element (``F.mse_loss``); cross-entropy over the
samples, taking the last layer's output as logits (``F.cross_entropy``), or, with a single
output unit, binary cross-entropy on the output as a probability (``F.binary_cross_entropy``).

Backward per layer, with g = ∂L/∂a:
    ∂L/∂z = g ⊙ f′(z)           (the Jacobian of an element-wise f is diagonal)
    ∂L/∂W = (∂L/∂z)ᵀ·H           (outer product for one sample)
    ∂L/∂b = Σ over samples of ∂L/∂z
    ∂L/∂h = ∂L/∂z·W              (the upstream gradient of the layer below)
Every gradient has the shape of its variable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.calc.activations import relu, relu_derivative, sigmoid, silu, silu_derivative
from stepcalc.errors import StepcalcError
from stepcalc.parse import format_shape, parse_nested
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

LOSSES = ("mse", "cross-entropy")
IDENTITY_NAMES = ("none", "identity", "linear")
ACTIVATION_NAMES = ("none", "sigmoid", "relu", "tanh", "silu", "softmax")
SHOWN_EPOCHS = 3
"""Update steps are written out for the first epochs and the last one."""
HISTORY_ROWS = 20


@dataclass(frozen=True)
class Activation:
    forward: Any
    derivative: Any
    formula: str
    """SymPy-syntax f(z) over the symbol ``z``."""
    derivative_formula: str


ACTIVATIONS = {
    "none": Activation(lambda z: z, np.ones_like, "z", "1 + 0*z"),
    "sigmoid": Activation(
        sigmoid,
        lambda z: sigmoid(z) * (1.0 - sigmoid(z)),
        "sigmoid(z)",
        "sigmoid(z)*(1 - sigmoid(z))",
    ),
    "relu": Activation(relu, relu_derivative, "relu(z)", "relu_grad(z)"),
    "tanh": Activation(np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, "tanh(z)", "1 - tanh(z)**2"),
    "silu": Activation(silu, silu_derivative, "silu(z)", "sigmoid(z)*(1 + z*(1 - sigmoid(z)))"),
}
"""Element-wise activations; ``softmax`` (last layer, cross-entropy only) is added below."""


def _row_softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _row_log_softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


ACTIVATIONS["softmax"] = Activation(_row_softmax, None, "row_softmax(z)", "")

FORMULA_FUNCTIONS = {
    "matmul": lambda a, b: np.matmul(np.asarray(a, dtype=float), np.asarray(b, dtype=float)),
    "transpose": lambda a: np.asarray(a, dtype=float).T,
    "outer": lambda a, b: np.outer(a, b),
    "colsum": lambda a: np.asarray(a, dtype=float).sum(axis=0),
    "mean": lambda a: np.mean(a),
    "total": lambda a: np.sum(a),
    "row_softmax": _row_softmax,
    "row_log_softmax": _row_log_softmax,
}
"""Tensor helpers the network's step formulas use (``matmul(h, transpose(W)) + b``)."""


@dataclass
class Layer:
    weights: np.ndarray
    """Always (outputs, inputs); ``weight_shape`` is the shape as given."""
    bias: np.ndarray | None
    activation: str
    weight_shape: tuple[int, ...]
    bias_shape: tuple[int, ...] | None

    @property
    def width(self) -> int:
        return self.weights.shape[0]


@dataclass
class Network:
    inputs: np.ndarray
    """(N, features), one row per sample."""
    targets: np.ndarray
    """(N, outputs); class indices are turned into one-hot rows for cross-entropy."""
    loss: str
    layers: list[Layer]
    batched: bool
    """The input was a list of samples (results keep a sample axis)."""
    scalar_samples: bool = False
    """The input was a list of numbers, one per sample (one feature each)."""
    given: dict[str, Any] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return self.loss == "cross-entropy" and self.layers[-1].width == 1

    def natural(self, array: np.ndarray) -> np.ndarray:
        """A (N, width) array in the shape the input was given in."""
        if not self.batched:
            return array[0]
        if self.scalar_samples and array.shape[1] == 1:
            return array[:, 0]
        return array


@dataclass
class Pass:
    """One forward and backward pass over some samples."""

    hidden: list[np.ndarray]
    """h0 = input, h1, … the activations of every layer, each (N, width)."""
    pre: list[np.ndarray]
    loss: float
    weights: list[np.ndarray] = field(default_factory=list)
    """The parameters this pass used (before any update)."""
    biases: list[np.ndarray | None] = field(default_factory=list)
    grad_weight: list[np.ndarray] = field(default_factory=list)
    grad_bias: list[np.ndarray | None] = field(default_factory=list)
    grad_input: list[np.ndarray] = field(default_factory=list)


# --------------------------------------------------------------------------- loading


def load_network(data: Any, option: str = "--network") -> Network:
    if not isinstance(data, dict):
        raise StepcalcError(f"{option}: expected a mapping with input, target, loss, layers")
    known = {"input", "target", "loss", "layers"}
    for key in data:
        if key not in known:
            raise StepcalcError(
                f"{option}: unknown key {key!r} (valid: {', '.join(sorted(known))})"
            )
    for key in ("input", "target", "layers"):
        if data.get(key) is None:
            raise StepcalcError(f"{option}: {key!r} is required")
    loss = str(data.get("loss", "mse")).strip().lower().replace("_", "-")
    if loss not in LOSSES:
        raise StepcalcError(f"{option}: loss must be mse or cross-entropy, got {loss!r}")
    raw_layers = data["layers"]
    if not isinstance(raw_layers, list) or not raw_layers:
        raise StepcalcError(f"{option}: layers must be a non-empty list")
    if len(raw_layers) > limits.MAX_LAYERS:
        raise StepcalcError(f"{option}: more than {limits.MAX_LAYERS} layers")
    layers = [_layer(item, index + 1, option) for index, item in enumerate(raw_layers)]
    x = np.array(parse_nested(data["input"], f"{option}: input"), dtype=float)
    first_in = layers[0].weights.shape[1]
    scalar_samples = False
    if x.ndim == 0:
        x = x.reshape(1, 1)
        batched = False
    elif x.ndim == 1:
        batched = x.size != first_in and first_in == 1
        scalar_samples = batched
        x = x.reshape(-1, 1) if batched else x.reshape(1, -1)
    elif x.ndim == 2:
        batched = True
    else:
        raise StepcalcError(f"{option}: input must be a vector or a list of vectors")
    width = x.shape[1]
    source = "the input"
    for index, layer in enumerate(layers, start=1):
        if layer.weights.shape[1] != width:
            raise StepcalcError(
                f"{option}: layer {index}: weights are {format_shape(layer.weight_shape)} "
                f"({layer.weights.shape[1]} inputs) but {source} gives {width} value(s) "
                f"(shape {_shape_text(width, x.shape[0], batched)})"
            )
        width = layer.width
        source = f"layer {index}"
    for index, layer in enumerate(layers, start=1):
        if layer.activation == "softmax" and (
            index < len(layers) or loss != "cross-entropy" or layer.width < 2
        ):
            raise StepcalcError(
                f"{option}: layer {index}: softmax only as the last layer, with cross-entropy "
                "and at least 2 outputs"
            )
    network = Network(
        inputs=x,
        targets=np.empty(0),
        loss=loss,
        layers=layers,
        batched=batched,
        scalar_samples=scalar_samples,
    )
    network.targets = _targets(data["target"], network, option)
    network.given = {
        "input": network.natural(x),
        "target": data["target"],
        "loss": loss,
        "layers": [
            {
                "weights": layer.weights.reshape(layer.weight_shape),
                "bias": None if layer.bias is None else layer.bias.reshape(layer.bias_shape),
                "activation": layer.activation,
            }
            for layer in layers
        ],
    }
    return network


def _shape_text(width: int, samples: int, batched: bool) -> str:
    return f"{samples}×{width}" if batched else str(width)


def _layer(item: Any, index: int, option: str) -> Layer:
    where = f"{option}: layer {index}"
    if not isinstance(item, dict):
        raise StepcalcError(f"{where}: expected a mapping with weights, bias, activation")
    for key in item:
        if key not in ("weights", "bias", "activation"):
            raise StepcalcError(f"{where}: unknown key {key!r} (valid: activation, bias, weights)")
    if item.get("weights") is None:
        raise StepcalcError(f"{where}: weights are required")
    weights = np.array(parse_nested(item["weights"], f"{where}: weights"), dtype=float)
    weight_shape = weights.shape
    if weights.ndim > 2:
        raise StepcalcError(f"{where}: weights must be a matrix (outputs × inputs)")
    weights = weights.reshape(1, -1) if weights.ndim < 2 else weights
    bias = None
    bias_shape = None
    if item.get("bias") is not None:
        bias = np.array(parse_nested(item["bias"], f"{where}: bias"), dtype=float)
        bias_shape = bias.shape
        if bias.ndim > 1:
            raise StepcalcError(f"{where}: bias must be a vector")
        bias = bias.reshape(-1)
        if bias.size != weights.shape[0]:
            raise StepcalcError(
                f"{where}: bias has {bias.size} value(s) but weights "
                f"{format_shape(weight_shape)} give {weights.shape[0]} output(s)"
            )
    name = str(item.get("activation") or "none").strip().lower()
    name = "none" if name in IDENTITY_NAMES else name
    if name not in ACTIVATIONS:
        raise StepcalcError(
            f"{where}: unknown activation {name!r} (allowed: {', '.join(ACTIVATION_NAMES)})"
        )
    return Layer(weights, bias, name, weight_shape, bias_shape)


def _targets(raw: Any, network: Network, option: str) -> np.ndarray:
    samples = network.inputs.shape[0]
    width = network.layers[-1].width
    where = f"{option}: target"
    target = np.array(parse_nested(raw, where), dtype=float)
    if network.loss == "cross-entropy" and width > 1 and target.ndim <= 1:
        indices = target.reshape(-1)
        if indices.size == samples:
            if not np.all(indices == np.round(indices)):
                raise StepcalcError(f"{where}: class indices must be whole numbers")
            if indices.min() < 0 or indices.max() >= width:
                raise StepcalcError(
                    f"{where}: class index out of range (the output has {width} classes, "
                    f"indices 0–{width - 1})"
                )
            return np.eye(width)[indices.astype(int)]
    if network.batched and target.ndim >= 1 and target.shape[0] != samples:
        raise StepcalcError(
            f"{option}: the batch has {samples} sample(s) but target has {target.shape[0]}"
        )
    if target.size != samples * width or (network.batched and target.ndim == 0):
        expected = _shape_text(width, samples, network.batched)
        raise StepcalcError(
            f"{where}: shape {format_shape(target.shape)} does not match the network output "
            f"{expected}"
        )
    target = target.reshape(samples, width)
    if network.binary and (target.min() < 0 or target.max() > 1):
        raise StepcalcError(f"{where}: binary cross-entropy needs targets between 0 and 1")
    if network.loss == "cross-entropy" and width > 1 and np.any(target < 0):
        raise StepcalcError(f"{where}: class probabilities must not be negative")
    return target


# --------------------------------------------------------------------------- numerics


def forward_backward(network: Network, x: np.ndarray, y: np.ndarray, ctx: Ctx) -> Pass:
    hidden = [x]
    pre = []
    for layer in network.layers:
        z = hidden[-1] @ layer.weights.T
        if layer.bias is not None:
            z = z + layer.bias
        z = ctx.r(z)
        if not np.all(np.isfinite(z)):
            raise StepcalcError(
                f"--network: layer {len(pre) + 1}: W·h + b overflows (values too large)"
            )
        pre.append(z)
        hidden.append(ctx.r(ACTIVATIONS[layer.activation].forward(z)))
    output = hidden[-1]
    loss, grad = _loss_and_grad(network, output, y, ctx, pre[-1])
    result = Pass(
        hidden=hidden,
        pre=pre,
        loss=loss,
        weights=[layer.weights for layer in network.layers],
        biases=[layer.bias for layer in network.layers],
    )
    count = len(network.layers)
    result.grad_weight = [np.empty(0)] * count
    result.grad_bias = [None] * count
    result.grad_input = [np.empty(0)] * count
    for k in range(count - 1, -1, -1):
        layer = network.layers[k]
        if not (k == count - 1 and _logit_gradient(network)):
            grad = ctx.r(grad * ctx.r(ACTIVATIONS[layer.activation].derivative(pre[k])))
        result.grad_weight[k] = ctx.r(grad.T @ hidden[k])
        result.grad_bias[k] = None if layer.bias is None else ctx.r(grad.sum(axis=0))
        result.grad_input[k] = ctx.r(grad @ layer.weights)
        grad = result.grad_input[k]
    if not all(np.all(np.isfinite(g)) for g in result.grad_weight + result.grad_input):
        raise StepcalcError("--network: the gradients overflow (values too large)")
    return result


def _logit_gradient(network: Network) -> bool:
    """Softmax cross-entropy on the last layer's z: ∂L/∂z = (softmax(z) − y)/N in one step."""
    return (
        network.loss == "cross-entropy"
        and not network.binary
        and network.layers[-1].activation in ("none", "softmax")
    )


def _loss_and_grad(network: Network, output: np.ndarray, y: np.ndarray, ctx: Ctx, pre_last):
    samples = output.shape[0]
    if network.loss == "mse":
        diff = output - y
        return float(ctx.r(np.mean(diff**2))), ctx.r(2.0 * diff / diff.size)
    if network.binary:
        if np.any(output <= 0) or np.any(output >= 1):
            raise StepcalcError(
                "--network: binary cross-entropy needs outputs strictly between 0 and 1 "
                "(use a sigmoid last layer)"
            )
        loss = -np.mean(y * np.log(output) + (1 - y) * np.log(1 - output))
        return float(ctx.r(loss)), ctx.r((output - y) / (output * (1 - output)) / samples)
    logits = pre_last if network.layers[-1].activation == "softmax" else output
    loss = -np.sum(y * _row_log_softmax(logits)) / samples
    return float(ctx.r(loss)), ctx.r((_row_softmax(logits) - y) / samples)


def sgd_update(network: Network, result: Pass, lr: float, ctx: Ctx) -> None:
    for k, layer in enumerate(network.layers):
        layer.weights = ctx.r(layer.weights - ctx.r(lr * result.grad_weight[k]))
        if layer.bias is not None:
            layer.bias = ctx.r(layer.bias - ctx.r(lr * result.grad_bias[k]))


# --------------------------------------------------------------------------- trace


def network_trace(
    network: Network,
    ctx: Ctx,
    lr: float | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    plot: bool = False,
) -> Trace:
    samples = network.inputs.shape[0]
    inputs = dict(network.given)
    inputs.update({"lr": lr, "epochs": epochs, "batch_size": batch_size})
    trace = Trace(
        command="graph",
        title=ctx.t("graph.title_network", layers=len(network.layers), loss=network.loss),
        subtitle=ctx.t("graph.subtitle_network", batch=samples),
        inputs=inputs,
    )
    if network.loss == "cross-entropy":
        trace.notes.append(ctx.t("graph.bce_note" if network.binary else "graph.ce_note"))
    full = forward_backward(network, network.inputs, network.targets, ctx)
    shapes = []
    for k, layer in enumerate(network.layers, start=1):
        shapes.append(f"W{k} {format_shape(layer.weight_shape)}")
        if layer.bias is not None:
            shapes.append(f"b{k} {format_shape(layer.bias_shape)}")
    trace.notes.append(ctx.t("graph.shape_note", shapes=", ".join(shapes)))
    if any(layer.activation != "none" for layer in network.layers):
        trace.notes.append(ctx.t("graph.jacobian_note"))
    _forward_steps(trace, network, full, ctx)
    _backward_steps(trace, network, full, ctx)
    trace.result = {
        "loss": full.loss,
        "output": network.natural(full.hidden[-1]),
        "layers": [
            {
                "output": network.natural(full.hidden[k + 1]),
                "grad_weight": full.grad_weight[k].reshape(layer.weight_shape),
                "grad_bias": None
                if full.grad_bias[k] is None
                else full.grad_bias[k].reshape(layer.bias_shape),
                "grad_input": network.natural(full.grad_input[k]),
            }
            for k, layer in enumerate(network.layers)
        ],
    }
    if epochs is not None:
        _train(trace, network, lr, epochs, batch_size or samples, ctx)
        if plot:
            _plot(trace, trace.result["history"], ctx)
    elif lr is not None:
        sgd_update(network, full, lr, ctx)
        _update_steps(trace, network, full, lr, ctx)
    if lr is not None:
        trace.result["updated"] = {
            "layers": [
                {
                    "weights": layer.weights.reshape(layer.weight_shape),
                    "bias": None if layer.bias is None else layer.bias.reshape(layer.bias_shape),
                }
                for layer in network.layers
            ]
        }
    trace.summary = [k for k in ("loss", "output", "updated") if k in trace.result]
    trace.dot = network_dot(network, full)
    return trace


def _single(network: Network, array: np.ndarray) -> np.ndarray:
    return array[0] if not network.batched else array


def _forward_steps(trace: Trace, network: Network, run: Pass, ctx: Ctx) -> None:
    h_name = "x"
    for k, layer in enumerate(network.layers):
        n = k + 1
        h = _single(network, run.hidden[k])
        inputs: dict[str, Any] = {h_name: h, f"W{n}": layer.weights}
        formula = f"matmul({h_name}, transpose(W{n}))"
        rule = f"W{n}·{h_name}"
        if layer.bias is not None:
            inputs[f"b{n}"] = layer.bias
            formula += f" + b{n}"
            rule += f" + b{n}"
        trace.add(
            Step(
                "forward",
                ctx.t(
                    "graph.pre_activation" if layer.activation != "none" else "graph.linear_output",
                    k=n,
                ),
                formula,
                _single(network, run.pre[k]),
                inputs,
                rule=rule,
            )
        )
        if layer.activation != "none":
            act = ACTIVATIONS[layer.activation]
            trace.add(
                Step(
                    "forward",
                    ctx.t("graph.activation", k=n, fn=layer.activation),
                    act.formula.replace("z", f"z{n}"),
                    _single(network, run.hidden[k + 1]),
                    {f"z{n}": _single(network, run.pre[k])},
                )
            )
        h_name = f"a{n}"
    _loss_step(trace, network, run, network.targets, ctx.t, key="loss")


def _loss_step(trace, network: Network, run: Pass, y: np.ndarray, t, key=None, title=None):
    last = len(network.layers)
    a = _single(network, run.hidden[-1])
    yy = _single(network, y)
    if network.loss == "mse":
        formula, label = f"mean((a{last} - y)**2)", "graph.loss_mse"
    elif network.binary:
        formula = f"-mean(y*log(a{last}) + (1 - y)*log(1 - a{last}))"
        label = "graph.loss_bce"
    elif network.layers[-1].activation == "softmax":
        formula = f"-total(y*row_log_softmax(z{last}))/N"
        label = "graph.loss_ce"
        a = _single(network, run.pre[-1])
    else:
        formula = f"-total(y*row_log_softmax(a{last}))/N"
        label = "graph.loss_ce"
    inputs = {f"z{last}" if "(z" in formula else f"a{last}": a, "y": yy}
    if "/N" in formula:
        inputs["N"] = run.hidden[-1].shape[0]
    trace.add(Step("forward", title or t(label), formula, run.loss, inputs, key=key))


def _backward_steps(trace: Trace, network: Network, run: Pass, ctx: Ctx) -> None:
    last = len(network.layers)
    a = _single(network, run.hidden[-1])
    y = _single(network, network.targets)
    samples = run.hidden[-1].shape[0]
    if _logit_gradient(network):
        grad_name = f"g_z{last}"
        grad = _loss_and_grad(network, run.hidden[-1], network.targets, ctx, run.pre[-1])[1]
        softmax_layer = network.layers[-1].activation == "softmax"
        trace.add(
            Step(
                "backward",
                ctx.t("graph.grad_output_ce", k=last),
                f"(a{last} - y)/N" if softmax_layer else f"(row_softmax(a{last}) - y)/N",
                _single(network, grad),
                {f"a{last}": a, "y": y, "N": samples},
            )
        )
    else:
        grad_name = f"g_a{last}"
        if network.loss == "mse":
            formula = f"2*(a{last} - y)/n"
            count = run.hidden[-1].size
        elif network.binary:
            formula = f"(a{last} - y)/(a{last}*(1 - a{last}))/n"
            count = samples
        else:
            formula = f"(row_softmax(a{last}) - y)/N"
            count = samples
        _, grad = _loss_and_grad(network, run.hidden[-1], network.targets, ctx, run.pre[-1])
        trace.add(
            Step(
                "backward",
                ctx.t("graph.grad_output", k=last),
                formula,
                _single(network, grad),
                {f"a{last}": a, "y": y, "N" if "/N" in formula else "n": count},
            )
        )
    for k in range(last - 1, -1, -1):
        n = k + 1
        layer = network.layers[k]
        z = _single(network, run.pre[k])
        if not grad_name.startswith("g_z"):
            act = ACTIVATIONS[layer.activation]
            if layer.activation != "none":
                derivative = ctx.r(act.derivative(run.pre[k]))
                trace.add(
                    Step(
                        "backward",
                        ctx.t("graph.derivative", k=n, fn=layer.activation),
                        act.derivative_formula.replace("z", f"z{n}"),
                        _single(network, derivative),
                        {f"z{n}": z},
                    )
                )
                if not network.batched:
                    trace.add(
                        Step(
                            "backward",
                            ctx.t("graph.jacobian", k=n),
                            "diag(d)",
                            np.diag(derivative[0]),
                            {"d": derivative[0]},
                        )
                    )
                grad_z = ctx.r(grad * derivative)
                trace.add(
                    Step(
                        "backward",
                        ctx.t("graph.grad_pre", k=n),
                        f"{grad_name}*d{n}",
                        _single(network, grad_z),
                        {grad_name: _single(network, grad), f"d{n}": _single(network, derivative)},
                        rule=f"∂L/∂a{n} ⊙ f′(z{n})",
                    )
                )
            else:
                grad_z = grad
            grad = grad_z
            grad_name = f"g_z{n}"
        h_name = "x" if k == 0 else f"a{k}"
        h = _single(network, run.hidden[k])
        g = _single(network, grad)
        if network.batched:
            formula_w, rule_w = f"matmul(transpose({grad_name}), {h_name})", f"∂L/∂z{n}ᵀ·{h_name}"
        else:
            formula_w, rule_w = f"outer({grad_name}, {h_name})", f"∂L/∂z{n}·{h_name}ᵀ"
        trace.add(
            Step(
                "backward",
                ctx.t("graph.grad_weight", k=n, shape=format_shape(layer.weights.shape)),
                formula_w,
                run.grad_weight[k],
                {grad_name: g, h_name: h},
                rule=rule_w,
            )
        )
        if layer.bias is not None:
            formula_b = f"colsum({grad_name})" if network.batched else grad_name
            trace.add(
                Step(
                    "backward",
                    ctx.t("graph.grad_bias", k=n, shape=format_shape(layer.bias.shape)),
                    formula_b,
                    run.grad_bias[k],
                    {grad_name: g},
                )
            )
        trace.add(
            Step(
                "backward",
                ctx.t("graph.grad_input", name=h_name, shape=format_shape(h.shape)),
                f"matmul({grad_name}, W{n})",
                _single(network, run.grad_input[k]),
                {grad_name: g, f"W{n}": layer.weights},
                rule=f"∂L/∂z{n}·W{n}",
            )
        )
        grad = run.grad_input[k]
        grad_name = f"g_{h_name}"


def _update_steps(trace: Trace, network: Network, run: Pass, lr: float, ctx: Ctx) -> None:
    """W ← W − η·∂L/∂W for every layer; ``network`` already holds the new parameters."""
    for k, layer in enumerate(network.layers):
        n = k + 1
        trace.add(
            Step(
                "update",
                ctx.t("graph.update_weight", k=n),
                f"W{n} - lr*dW{n}",
                layer.weights,
                {f"W{n}": run.weights[k], "lr": lr, f"dW{n}": run.grad_weight[k]},
            )
        )
        if layer.bias is not None:
            trace.add(
                Step(
                    "update",
                    ctx.t("graph.update_bias", k=n),
                    f"b{n} - lr*db{n}",
                    layer.bias,
                    {f"b{n}": run.biases[k], "lr": lr, f"db{n}": run.grad_bias[k]},
                )
            )


def _train(
    trace: Trace, network: Network, lr: float, epochs: int, batch_size: int, ctx: Ctx
) -> None:
    samples = network.inputs.shape[0]
    if -(-samples // batch_size) * epochs > limits.MAX_STEPS:
        raise StepcalcError(f"--epochs: more than {limits.MAX_STEPS:,} updates")
    kind = "batch" if batch_size >= samples else ("stochastic" if batch_size == 1 else "minibatch")
    trace.notes.append(
        ctx.t(
            "graph.training_note",
            lr=f"{lr:g}",
            batch=min(batch_size, samples),
            n=samples,
            kind=ctx.t(f"graph.kind_{kind}"),
        )
    )
    shown = set(range(1, min(SHOWN_EPOCHS, epochs) + 1)) | {epochs}
    history = []
    for epoch in range(1, epochs + 1):
        whole = _diverging(network, ctx, epoch)
        history.append({"epoch": epoch, "loss": whole.loss})
        if epoch in shown:
            _loss_step(
                trace,
                network,
                whole,
                network.targets,
                ctx.t,
                title=ctx.t("graph.epoch_loss", epoch=epoch),
            )
        for start in range(0, samples, batch_size):
            stop = min(start + batch_size, samples)
            x, y = network.inputs[start:stop], network.targets[start:stop]
            run = whole if stop - start == samples else _diverging(network, ctx, epoch, x, y)
            sgd_update(network, run, lr, ctx)
            if epoch not in shown:
                continue
            if run is not whole:
                batch_view = _batch_view(network, start, stop)
                _loss_step(
                    trace,
                    batch_view,
                    run,
                    y,
                    ctx.t,
                    title=ctx.t(
                        "graph.batch_loss" if stop - start > 1 else "graph.sample_loss",
                        epoch=epoch,
                        first=start + 1,
                        last=stop,
                    ),
                )
            _update_steps(trace, network, run, lr, ctx)
    final = _diverging(network, ctx, epochs + 1)
    _loss_step(trace, network, final, network.targets, ctx.t, title=ctx.t("graph.final_loss"))
    trace.result["history"] = history
    if epochs > max(SHOWN_EPOCHS, 1) + 1:
        trace.notes.append(ctx.t("graph.detail_note", first=SHOWN_EPOCHS, last=epochs))
    rows = [[entry["epoch"], entry["loss"]] for entry in history]
    if len(rows) > HISTORY_ROWS:
        rows = [*rows[: HISTORY_ROWS - 5], ["…", "…"], *rows[-4:]]
    rows.append([ctx.t("graph.final_loss"), final.loss])
    trace.tables.append(
        Table(
            ctx.t("graph.history_table"), [ctx.t("graph.col_epoch"), ctx.t("graph.col_loss")], rows
        )
    )


def _diverging(network: Network, ctx: Ctx, epoch: int, x=None, y=None) -> Pass:
    """A pass (over all samples by default); blowing up is reported as a learning-rate problem."""
    x = network.inputs if x is None else x
    y = network.targets if y is None else y
    try:
        whole = forward_backward(network, x, y, ctx)
    except StepcalcError:
        whole = None
    if whole is None or not np.isfinite(whole.loss):
        raise StepcalcError(
            f"--lr: training diverges (values overflow by epoch {epoch}); try a smaller rate"
        )
    return whole


def _plot(trace: Trace, history: list[dict[str, Any]], ctx: Ctx) -> None:
    """The loss curve in the terminal, when the optional plotting package is installed."""
    from stepcalc.calc.plot import line_plot

    losses = [[entry["loss"] for entry in history]]
    epochs = [[entry["epoch"] for entry in history]]
    table = line_plot(ctx.t("graph.plot_title"), losses, epochs, ctx.ascii)
    if table is None:
        trace.notes.append(ctx.t("graph.plot_missing"))
    else:
        trace.tables.append(table)


def _batch_view(network: Network, start: int, stop: int) -> Network:
    """The same network seen on samples start..stop (for the shapes of step values)."""
    return Network(
        inputs=network.inputs[start:stop],
        targets=network.targets[start:stop],
        loss=network.loss,
        layers=network.layers,
        batched=True,
        scalar_samples=network.scalar_samples,
    )


def network_dot(network: Network, run: Pass) -> str:
    """Graphviz DOT of the layer chain: each edge carries its value (above) and ∂L (below).

    Values with more than a few numbers are written as their shape.
    """
    lines = [
        "digraph network {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", shape=box];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  x [shape=plaintext, label="x"];',
    ]
    output_grad = _loss_and_grad(network, run.hidden[-1], network.targets, Ctx(), run.pre[-1])[1]
    gradients = [*run.grad_input, output_grad]
    previous = "x"
    for k, layer in enumerate(network.layers, start=1):
        bias = f" + b{k}" if layer.bias is not None else ""
        affine = f"W{k}·h{bias}"
        label = affine if layer.activation == "none" else f"{layer.activation}({affine})"
        lines.append(f'  layer{k} [label="{label}"];')
        lines.append(
            f"  {previous} -> layer{k} [label={_edge(run.hidden[k - 1], gradients[k - 1])}];"
        )
        previous = f"layer{k}"
    lines.append(f'  loss [shape=plaintext, label="{network.loss} = {run.loss:.6g}"];')
    lines.append(f"  {previous} -> loss [label={_edge(run.hidden[-1], gradients[-1])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge(value: np.ndarray, gradient: np.ndarray) -> str:
    def text(array: np.ndarray) -> str:
        if array.size > 6:
            return format_shape(array.shape)
        numbers = ", ".join(f"{v:.4g}" for v in np.ravel(array))
        return numbers if array.size == 1 else f"[{numbers}]"

    return (
        f'<<font color="darkgreen">{text(value)}</font><br/>'
        f'<font color="red">∂L: {text(gradient)}</font>>'
    )
