"""Parameter counts and output shapes of a stack of layers (no NumPy needed).

conv       Ci/g · Co · kh · kw + Co     (bias: + Co)
linear     in · out + out
batchnorm  PyTorch: 2·C trainable (γ, β); Keras also counts the running mean and
           variance: 4·C in total, 2·C of them non-trainable
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stepcalc import limits
from stepcalc.calc.shapes import conv_out
from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

PARAMETER_FREE = ("relu", "sigmoid", "tanh", "softmax", "flatten", "dropout", "identity")
LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "conv": (
        "in",
        "out",
        "kernel",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "name",
        "input_shape",
    ),
    "linear": ("in", "out", "bias", "name"),
    "maxpool": ("kernel", "stride", "padding", "dilation", "ceil_mode", "name"),
    "avgpool": ("kernel", "stride", "padding", "ceil_mode", "name"),
    "adaptiveavgpool": ("output", "name"),
    "batchnorm": ("features", "name", "input_shape"),
    "dropout": ("p", "name"),
    **{kind: ("name",) for kind in PARAMETER_FREE if kind != "dropout"},
}


@dataclass
class LayerCount:
    name: str
    kind: str
    params: int
    trainable: int
    output_shape: list[int] | None
    formula: str = ""
    inputs: dict[str, int] = field(default_factory=dict)


def count(
    layers: list[Any],
    input_shape: list[int] | None,
    ctx: Ctx,
    convention: str = "pytorch",
    source: str = "--from",
    title: str = "",
) -> Trace:
    if len(layers) > limits.MAX_LAYERS:
        raise StepcalcError(f"{source}: more than {limits.MAX_LAYERS:,} layers")
    if not layers:
        raise StepcalcError(f"{source}: no layers given")
    shape = list(input_shape) if input_shape else None
    counted: list[LayerCount] = []
    kind_counts: dict[str, int] = {}
    for index, raw in enumerate(layers, start=1):
        kind, spec = _layer_spec(raw, index, source)
        kind_counts[kind] = kind_counts.get(kind, 0) + 1
        name = str(spec.get("name") or f"{kind}{kind_counts[kind]}")
        where = f"{source}: layer {index} ({kind})"
        branch_shape = spec.get("input_shape")
        layer_in = _shape_list(branch_shape, where) if branch_shape is not None else shape
        layer = _count_layer(kind, spec, layer_in, name, where, convention)
        counted.append(layer)
        if branch_shape is None:
            shape = layer.output_shape
    return _trace(counted, input_shape, ctx, convention, title)


def _layer_spec(raw: Any, index: int, source: str) -> tuple[str, dict[str, Any]]:
    if isinstance(raw, str):
        kind, spec = raw.strip().lower(), {}
    elif isinstance(raw, dict) and len(raw) == 1:
        kind, spec = next(iter(raw.items()))
        kind = str(kind).strip().lower()
        spec = {} if spec is None else spec
        if not isinstance(spec, dict):
            raise StepcalcError(f"{source}: layer {index} ({kind}): expected a mapping of options")
    else:
        raise StepcalcError(
            f"{source}: layer {index}: write a layer as a name (relu) or {{kind: {{options}}}}"
        )
    kind = kind.replace("_", "").replace("-", "")
    aliases = {
        "conv2d": "conv",
        "fc": "linear",
        "dense": "linear",
        "maxpool2d": "maxpool",
        "avgpool2d": "avgpool",
        "batchnorm2d": "batchnorm",
        "batchnorm1d": "batchnorm",
        "bn": "batchnorm",
    }
    kind = aliases.get(kind, kind)
    if kind not in LAYER_KEYS:
        raise StepcalcError(
            f"{source}: layer {index}: unknown layer kind {kind!r} "
            f"(known: {', '.join(sorted(LAYER_KEYS))})"
        )
    for key in spec:
        if key not in LAYER_KEYS[kind]:
            raise StepcalcError(
                f"{source}: layer {index} ({kind}): unknown key {key!r} "
                f"(valid: {', '.join(LAYER_KEYS[kind])})"
            )
    return kind, spec


def _int(
    spec: dict[str, Any], key: str, where: str, default: int | None = None, minimum: int = 1
) -> int:
    from stepcalc.parse import parse_int

    value = spec.get(key, default)
    if value is None:
        raise StepcalcError(f"{where}: give {key!r}")
    number = parse_int(value, f"{where}: {key}", minimum)
    if number > limits.MAX_DIMENSION:
        raise StepcalcError(f"{where}: {key} {number} is above the limit {limits.MAX_DIMENSION:,}")
    return number


def _pair(spec: dict[str, Any], key: str, where: str, default: int, minimum: int = 1):
    value = spec.get(key, default)
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise StepcalcError(f"{where}: {key} takes 1 or 2 numbers")
        return (
            _int({key: value[0]}, key, where, minimum=minimum),
            _int({key: value[1]}, key, where, minimum=minimum),
        )
    number = _int({key: value}, key, where, minimum=minimum)
    return (number, number)


def _bool(spec: dict[str, Any], key: str, where: str, default: bool) -> bool:
    from stepcalc.parse import parse_bool

    return parse_bool(spec.get(key, default), f"{where}: {key}")


def _shape_list(value: Any, where: str) -> list[int]:
    from stepcalc.parse import parse_int_list

    return parse_int_list(value, f"{where}: input_shape", minimum=1)


def _count_layer(kind, spec, shape, name, where, convention) -> LayerCount:
    if kind == "conv":
        return _conv(spec, shape, name, where)
    if kind == "linear":
        features = None
        if shape is not None:
            features = 1
            for n in shape:
                features *= n
        n_in = _int(spec, "in", where, default=features)
        if features is not None and "in" in spec and n_in != features:
            raise StepcalcError(
                f"{where}: 'in' is {n_in} but the previous layer gives {features} features"
            )
        n_out = _int(spec, "out", where)
        bias = _bool(spec, "bias", where, True)
        inputs = {"n_in": n_in, "n_out": n_out}
        formula = "n_in*n_out + n_out" if bias else "n_in*n_out"
        params = n_in * n_out + (n_out if bias else 0)
        return LayerCount(name, kind, params, params, [n_out], formula, inputs)
    if kind in ("maxpool", "avgpool"):
        kernel = _pair(spec, "kernel", where, 2)
        stride = _pair(spec, "stride", where, kernel[0]) if "stride" in spec else kernel
        padding = _pair(spec, "padding", where, 0, minimum=0)
        dilation = _pair(spec, "dilation", where, 1) if kind == "maxpool" else (1, 1)
        ceil_mode = _bool(spec, "ceil_mode", where, False)
        out = None
        if shape is not None:
            if len(shape) != 3:
                raise StepcalcError(f"{where}: needs a C,H,W input, got {_fmt(shape)}")
            sizes = [
                conv_out(shape[i + 1], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
                for i in range(2)
            ]
            if min(sizes) < 1:
                raise StepcalcError(f"{where}: output would be empty for input {_fmt(shape)}")
            out = [shape[0], *sizes]
        return LayerCount(name, kind, 0, 0, out)
    if kind == "adaptiveavgpool":
        size = _pair(spec, "output", where, 1)
        out = [shape[0], *size] if shape is not None else None
        return LayerCount(name, kind, 0, 0, out)
    if kind == "batchnorm":
        channels = shape[0] if shape is not None else None
        features = _int(spec, "features", where, default=channels)
        if channels is not None and features != channels:
            raise StepcalcError(f"{where}: features {features} but the input has {channels}")
        inputs = {"C": features}
        if convention == "keras":
            return LayerCount(name, kind, 4 * features, 2 * features, shape, "4*C", inputs)
        return LayerCount(name, kind, 2 * features, 2 * features, shape, "2*C", inputs)
    out = shape
    if kind == "flatten" and shape is not None:
        total = 1
        for n in shape:
            total *= n
        out = [total]
    return LayerCount(name, kind, 0, 0, out)


def _conv(spec, shape, name, where) -> LayerCount:
    channels = shape[0] if shape is not None else None
    c_in = _int(spec, "in", where, default=channels)
    if channels is not None and c_in != channels:
        raise StepcalcError(f"{where}: 'in' is {c_in} but the input has {channels} channels")
    c_out = _int(spec, "out", where)
    kernel = _pair(spec, "kernel", where, 3)
    stride = _pair(spec, "stride", where, 1)
    padding = _pair(spec, "padding", where, 0, minimum=0)
    dilation = _pair(spec, "dilation", where, 1)
    groups = _int(spec, "groups", where, default=1)
    if c_in % groups or c_out % groups:
        raise StepcalcError(
            f"{where}: groups {groups} must divide both in ({c_in}) and out ({c_out})"
        )
    bias = _bool(spec, "bias", where, True)
    inputs = {"C_in": c_in, "C_out": c_out, "k_h": kernel[0], "k_w": kernel[1]}
    formula = "C_in*C_out*k_h*k_w"
    if groups != 1:
        inputs["g"] = groups
        formula = "C_in/g*C_out*k_h*k_w"
    if bias:
        formula += " + C_out"
    params = c_in // groups * c_out * kernel[0] * kernel[1] + (c_out if bias else 0)
    out = None
    if shape is not None:
        if len(shape) != 3:
            raise StepcalcError(f"{where}: needs a C,H,W input, got {_fmt(shape)}")
        sizes = [
            conv_out(shape[i + 1], kernel[i], stride[i], padding[i], dilation[i]) for i in range(2)
        ]
        if min(sizes) < 1:
            raise StepcalcError(f"{where}: output would be empty for input {_fmt(shape)}")
        out = [c_out, *sizes]
    return LayerCount(name, "conv", params, params, out, formula, inputs)


def _fmt(shape: list[int] | None) -> str:
    return "×".join(map(str, shape)) if shape else "?"


def _trace(counted: list[LayerCount], input_shape, ctx: Ctx, convention: str, title: str):
    total = sum(layer.params for layer in counted)
    trainable = sum(layer.trainable for layer in counted)
    trace = Trace(
        command="params",
        title=ctx.t("params.title") + (f" · {title}" if title else ""),
        subtitle=ctx.t(
            "params.subtitle",
            convention=convention,
            shape=_fmt(input_shape) if input_shape else ctx.t("params.no_shape"),
        ),
        inputs={
            "input": input_shape,
            "convention": convention,
            "layers": [{"name": layer.name, "kind": layer.kind} for layer in counted],
        },
    )
    terms = {}
    for layer in counted:
        if layer.formula:
            terms[f"p_{len(terms) + 1}"] = layer.params
            trace.add(
                Step(
                    "forward",
                    ctx.t("params.layer_step", name=layer.name),
                    layer.formula,
                    layer.params,
                    dict(layer.inputs),
                )
            )
    if terms:
        trace.add(
            Step(
                "forward",
                ctx.t("params.total_step"),
                " + ".join(terms),
                total,
                terms,
                rule="Σ " + ctx.t("params.layer_params"),
                key="total",
            )
        )
    else:
        trace.add(Step("forward", ctx.t("params.total_step"), "0", 0, key="total"))
    if trainable != total:
        frozen = total - trainable
        trace.add(
            Step(
                "forward",
                ctx.t("params.trainable_step"),
                "total - frozen",
                trainable,
                {"total": total, "frozen": frozen},
                key="trainable",
            )
        )
        trace.notes.append(ctx.t("params.keras_note"))
    rows = [
        [
            layer.name,
            layer.kind,
            layer.params,
            _fmt(layer.output_shape) if layer.output_shape else "—",
        ]
        for layer in counted
    ]
    trace.tables.append(
        Table(
            ctx.t("params.layers_table"),
            [
                ctx.t("params.col_layer"),
                ctx.t("params.col_kind"),
                ctx.t("params.col_params"),
                ctx.t("params.col_shape"),
            ],
            rows,
        )
    )
    trace.result = {
        "total": total,
        "trainable": trainable,
        "layers": [
            {
                "name": layer.name,
                "kind": layer.kind,
                "params": layer.params,
                "output_shape": layer.output_shape,
            }
            for layer in counted
        ],
    }
    trace.summary = ["total", "trainable"]
    return trace


def mlp_layers(widths: list[int], bias: bool) -> list[dict[str, Any]]:
    if len(widths) < 2:
        raise StepcalcError("--mlp: give at least two widths, e.g. 50,30,3")
    return [
        {"linear": {"in": a, "out": b, "bias": bias}}
        for a, b in zip(widths, widths[1:], strict=False)
    ]


# ---------------------------------------------------------------------------- presets


def _conv_spec(c_in, c_out, kernel, stride=1, padding=0, bias=True, **extra):
    return {
        "conv": {
            "in": c_in,
            "out": c_out,
            "kernel": kernel,
            "stride": stride,
            "padding": padding,
            "bias": bias,
            **extra,
        }
    }


def lenet5() -> tuple[list[int], list[Any]]:
    """LeNet-5 with a fully connected C3 and parameter-free subsampling: 61,706."""
    return [1, 32, 32], [
        _conv_spec(1, 6, 5, name="C1"),
        "tanh",
        {"avgpool": {"kernel": 2, "name": "S2"}},
        _conv_spec(6, 16, 5, name="C3"),
        "tanh",
        {"avgpool": {"kernel": 2, "name": "S4"}},
        _conv_spec(16, 120, 5, name="C5"),
        "tanh",
        "flatten",
        {"linear": {"out": 84, "name": "F6"}},
        "tanh",
        {"linear": {"out": 10, "name": "output"}},
    ]


def alexnet() -> tuple[list[int], list[Any]]:
    """torchvision's AlexNet: 61,100,840."""
    return [3, 224, 224], [
        _conv_spec(3, 64, 11, 4, 2),
        "relu",
        {"maxpool": {"kernel": 3, "stride": 2}},
        _conv_spec(64, 192, 5, 1, 2),
        "relu",
        {"maxpool": {"kernel": 3, "stride": 2}},
        _conv_spec(192, 384, 3, 1, 1),
        "relu",
        _conv_spec(384, 256, 3, 1, 1),
        "relu",
        _conv_spec(256, 256, 3, 1, 1),
        "relu",
        {"maxpool": {"kernel": 3, "stride": 2}},
        {"adaptiveavgpool": {"output": 6}},
        "flatten",
        "dropout",
        {"linear": {"out": 4096}},
        "relu",
        "dropout",
        {"linear": {"out": 4096}},
        "relu",
        {"linear": {"out": 1000}},
    ]


def vgg16() -> tuple[list[int], list[Any]]:
    """torchvision's VGG-16 (no batch norm): 138,357,544."""
    layers: list[Any] = []
    channels = 3
    for block in ([64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]):
        for width in block:
            layers += [_conv_spec(channels, width, 3, 1, 1), "relu"]
            channels = width
        layers.append({"maxpool": {"kernel": 2, "stride": 2}})
    layers += [
        {"adaptiveavgpool": {"output": 7}},
        "flatten",
        {"linear": {"out": 4096}},
        "relu",
        "dropout",
        {"linear": {"out": 4096}},
        "relu",
        "dropout",
        {"linear": {"out": 1000}},
    ]
    return [3, 224, 224], layers


def resnet18() -> tuple[list[int], list[Any]]:
    """torchvision's ResNet-18: 11,689,512. Shortcut convs read the block's input."""
    layers: list[Any] = [
        _conv_spec(3, 64, 7, 2, 3, bias=False, name="conv1"),
        {"batchnorm": {"name": "bn1"}},
        "relu",
        {"maxpool": {"kernel": 3, "stride": 2, "padding": 1}},
    ]
    channels, size = 64, 56
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            prefix = f"layer{stage}.{block}"
            block_input = [channels, size, size]
            layers += [
                _conv_spec(channels, width, 3, stride, 1, bias=False, name=f"{prefix}.conv1"),
                {"batchnorm": {"name": f"{prefix}.bn1"}},
                "relu",
                _conv_spec(width, width, 3, 1, 1, bias=False, name=f"{prefix}.conv2"),
                {"batchnorm": {"name": f"{prefix}.bn2"}},
            ]
            if stride != 1 or channels != width:
                out_size = (size - 1) // stride + 1
                layers += [
                    _conv_spec(
                        channels,
                        width,
                        1,
                        stride,
                        0,
                        bias=False,
                        name=f"{prefix}.downsample.0",
                        input_shape=block_input,
                    ),
                    {
                        "batchnorm": {
                            "name": f"{prefix}.downsample.1",
                            "input_shape": [width, out_size, out_size],
                        }
                    },
                ]
                size = out_size
            layers.append("relu")
            channels = width
    layers += [
        {"adaptiveavgpool": {"output": 1}},
        "flatten",
        {"linear": {"out": 1000, "name": "fc"}},
    ]
    return [3, 224, 224], layers


PRESETS = {"lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "resnet18": resnet18}


def run(args, ctx: Ctx) -> Trace:
    shape = args.input
    title = ""
    if args.mlp:
        widths = args.mlp
        layers = mlp_layers(widths, bias=args.bias if "bias" in args.given else True)
        shape = shape or [widths[0]]
        title = "MLP " + "→".join(map(str, widths))
    elif args.preset:
        default_shape, layers = PRESETS[args.preset]()
        shape = shape or default_shape
        title = args.preset
    else:
        layers = args.layers
        if not isinstance(layers, list):
            raise StepcalcError("--from: 'layers' must be a list of layers")
    return count(layers, shape, ctx, convention=args.convention, title=title)
