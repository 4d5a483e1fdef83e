"""Parameter counts and output shapes of a stack of layers (no NumPy needed).

Each layer's count is a step (conv C_in·C_out·k_h·k_w + C_out, linear n_in·n_out + n_out,
BatchNorm 2·C in PyTorch, 4·C in Keras with 2·C non-trainable). Counting needs no memory, so
any size is allowed whose total stays below 2⁶³ (a signed 64-bit integer).
"""

from __future__ import annotations

from collections import Counter
from math import prod
from typing import Any

from stepcalc import limits
from stepcalc.calc.shapes import axis_step, pair
from stepcalc.context import Ctx
from stepcalc.errors import InputError, either, label
from stepcalc.formula import Work
from stepcalc.parse import parse_bool, parse_int_list
from stepcalc.trace import Table, Trace

LIMIT = 2**63
KEYS = {
    "conv": "in, out, kernel, stride, padding, dilation, groups, bias, name, input_shape",
    "linear": "in, out, bias, name",
    "maxpool": "kernel, stride, padding, dilation, ceil_mode, name",
    "avgpool": "kernel, stride, padding, ceil_mode, name",
    "adaptiveavgpool": "output, name",
    "batchnorm": "features, name, input_shape",
    "dropout": "p, name",
    **dict.fromkeys(("relu", "sigmoid", "tanh", "softmax", "flatten", "identity"), "name"),
}
"""The keys each layer kind takes."""
ALIASES = dict(conv2d="conv", fc="linear", dense="linear", bn="batchnorm", batchnorm1d="batchnorm")
ALIASES |= {f"{kind}2d": kind for kind in ("maxpool", "avgpool", "batchnorm")}


def count(layers, shape, ctx: Ctx, convention: str, field: str, title: str) -> Trace:
    if not isinstance(layers, list) or not layers:
        raise InputError(field, "params.no_layers")
    if len(layers) > limits.MAX_LAYERS:
        raise InputError(field, "too_many_layers", limit=f"{limits.MAX_LAYERS:,}", n=len(layers))
    shape = shape and _ints({"input": shape}, "input", lengths=(1, 2, 3))
    inputs = {"input": shape, "convention": convention, "layers": layers}
    title = ctx.t("params.title") + (f" · {title}" if title else "")
    subtitle = ctx.t("params.subtitle", convention=convention, shape=_fmt(shape))
    trace = Trace("params", inputs, title=title, subtitle=subtitle)
    w, rows, terms, seen, c_bn = Work(trace, ctx, topic="params"), [], {}, Counter(), 0
    for index, raw in enumerate(layers, start=1):
        kind = ""
        try:
            kind, spec = _spec(raw)
            seen[kind] += 1
            name = str(spec.get("name") or f"{kind}{seen[kind]}")
            given = spec.get("input_shape")
            layer_in = _ints(spec, "input_shape", None, (1, 2, 3)) if given else shape
            symbol = f"P_{len(terms) + 1}"
            params, out = _layer(w, kind, spec, layer_in, f"{name} ({kind})", symbol, convention)
        except InputError as error:
            where = f" ({kind}{', ' + error.field if error.field else ''})" if kind else ""
            at = dict(n=index, where=where, problem=error.msg)
            raise InputError(field, "params.in_layer", **at) from None
        if params is not None:
            terms[symbol] = params
            c_bn += params // 4 if kind == "batchnorm" and convention == "keras" else 0
        rows.append({"name": name, "kind": kind, "params": int(params or 0), "output_shape": out})
        shape = shape if given else out
    total = int(w("total", f"P = {' + '.join(terms) or '0'}", **terms, key="total"))
    if total >= LIMIT:
        raise InputError(field, "params.too_many", count=f"{total:,}")
    trainable = total
    if c_bn:  # Keras: the running mean and variance of every BatchNorm channel
        trainable = int(w("trainable", "P_train = P - 2*C_bn", P=total, C_bn=c_bn, key="trainable"))
        trace.notes.append(ctx.t("params.keras_note"))
    columns = [ctx.t(f"params.col_{c}") for c in ("layer", "kind", "params", "shape")]
    cells = [[r["name"], r["kind"], r["params"], _fmt(r["output_shape"])] for r in rows]
    trace.tables.append(Table(ctx.t("params.layers_table"), columns, cells))
    trace.result = {"total": total, "trainable": trainable, "layers": rows}
    trace.summary = ["total", "trainable"]
    return trace


def _spec(raw) -> tuple[str, dict[str, Any]]:
    """A layer as written, ``relu`` or ``{conv: {out: 8}}``: its kind and options."""
    written = list(raw.items()) if isinstance(raw, dict) else [(raw, {})]
    kind, spec = written[0] if len(written) == 1 else (None, None)
    if not isinstance(kind, str) or not isinstance(spec, dict | None):
        raise InputError(None, "params.layer_form")
    kind = kind.strip().lower().replace("_", "").replace("-", "")
    kind = ALIASES.get(kind, kind)
    if kind not in KEYS:
        raise InputError(None, "params.unknown_kind", kind=repr(kind), known=", ".join(KEYS))
    if unknown := sorted(set(spec or {}) - set(KEYS[kind].split(", "))):
        raise InputError(None, "params.unknown_key", name=repr(unknown[0]), valid=KEYS[kind])
    return kind, spec or {}


def _layer(w: Work, kind, spec, shape, title, symbol, convention):
    """A layer's parameter count (a step; None when it has none) and its output shape."""
    channels, at = shape and shape[0], {"name": title}
    bias = parse_bool(spec.get("bias", True), "bias")
    if kind == "conv":
        c_in, c_out = _int(spec, "in", channels), _int(spec, "out")
        groups = _ints(spec, "groups", 1, (1,))[0]
        if c_in % groups or c_out % groups:
            raise InputError("groups", "params.groups", g=groups, c_in=c_in, c_out=c_out)
        k_h, k_w = _pair(spec, "kernel", 3)
        rule = "C_in*C_out*k_h*k_w" if groups == 1 else "C_in/g*C_out*k_h*k_w"
        rule += " + C_out" if bias else ""
        operands = {"C_in": c_in, "C_out": c_out, "k_h": k_h, "k_w": k_w}
        operands |= {"g": groups} if groups > 1 else {}
        params = w("layer", f"{symbol} = {rule}", **operands, at=at)
        return params, shape and _pooled(shape, c_out, spec, (k_h, k_w), 1)
    if kind == "linear":
        n_in, n_out = _int(spec, "in", shape and prod(shape)), _int(spec, "out")
        rule = "n_in*n_out + n_out" if bias else "n_in*n_out"
        return w("layer", f"{symbol} = {rule}", n_in=n_in, n_out=n_out, at=at), [n_out]
    if kind == "batchnorm":
        rule = f"{symbol} = 4*C" if convention == "keras" else f"{symbol} = 2*C"
        return w("layer", rule, C=_int(spec, "features", channels), at=at), shape
    if kind in ("maxpool", "avgpool"):
        kernel = _pair(spec, "kernel", 2)
        return None, shape and _pooled(shape, channels, spec, kernel, kernel)
    if kind == "adaptiveavgpool":
        return None, shape and [channels, *_pair(spec, "output", 1)]
    if kind == "flatten" and shape and len(shape) > 1:
        names = ("C", "H", "W")[-len(shape) :]
        sizes = dict(zip(names, shape, strict=True))
        return None, [w("flatten", f"N = {'*'.join(names)}", **sizes, at=at)]
    return None, shape


def _pooled(shape, channels, spec, kernel, stride):
    """The C,H,W after a conv or pool: PyTorch's rule per axis."""
    if len(shape) != 3:
        raise InputError(None, "params.needs_chw", shape=_fmt(shape))
    stride, padding = _pair(spec, "stride", stride), _pair(spec, "padding", 0, 0)
    axes = zip(shape[1:], kernel, stride, padding, _pair(spec, "dilation", 1), strict=True)
    rule = "ceil" if parse_bool(spec.get("ceil_mode", False), "ceil_mode") else "floor"
    quiet = Work(None, Ctx())
    sizes = [axis_step(quiet, "", rule, "H", "n", dict(zip("HKSPD", a, strict=True))) for a in axes]
    if min(sizes) < 1:
        raise InputError(None, "params.empty", shape=_fmt(shape))
    return [channels, *sizes]


def _ints(spec, key, default=None, lengths=(1, 2), minimum=1) -> list[int]:
    """Whole numbers of a layer key: any size below 2⁶³ (counting needs no memory)."""
    if (raw := spec.get(key, default)) is None:
        raise InputError(None, "params.give", name=repr(key))
    values = parse_int_list(raw, key, None, lengths)
    for value in values:
        if value < minimum:
            raise InputError(key, "at_least", minimum=minimum, value=value)
        if value >= LIMIT:
            raise InputError(key, "too_large", value=f"{value:,}")
    return values


def _int(spec, key, given=None) -> int:
    """One whole number; ``given`` (the input's) is the default, and a value written must match."""
    value = _ints(spec, key, given, (1,))[0]
    if given and value != given:
        raise InputError(None, "params.mismatch", name=repr(key), value=value, given=given)
    return value


def _pair(spec, key, default, minimum=1) -> tuple[int, int]:
    return pair(_ints(spec, key, default, (1, 2), minimum), key)


def _fmt(shape) -> str:
    return "×".join(map(str, shape)) if shape else "—"


def _conv(c_in, c_out, kernel, stride=1, padding=0, **extra):
    keys = {"in": c_in, "out": c_out, "kernel": kernel, "stride": stride, "padding": padding}
    return {"conv": keys | extra}


FC, LAST = {"linear": {"out": 4096}}, {"linear": {"out": 1000}}
"""torchvision's AlexNet and VGG heads: pool, flatten, 4096, 4096, 1000 (dropout between)."""


def lenet5():
    """LeNet-5 with a fully connected C3 and parameter-free subsampling: 61,706."""
    s2, s4 = ({"avgpool": {"kernel": 2, "name": name}} for name in ("S2", "S4"))
    f6, output = {"linear": {"out": 84, "name": "F6"}}, {"linear": {"out": 10, "name": "output"}}
    c1, c3, c5 = _conv(1, 6, 5, name="C1"), _conv(6, 16, 5, name="C3"), _conv(16, 120, 5, name="C5")
    return [1, 32, 32], [c1, "tanh", s2, c3, "tanh", s4, c5, "tanh", "flatten", f6, "tanh", output]


def alexnet():
    """torchvision's AlexNet: 61,100,840."""
    pool = {"maxpool": {"kernel": 3, "stride": 2}}
    convs = [_conv(3, 64, 11, 4, 2), "relu", pool, _conv(64, 192, 5, 1, 2), "relu", pool]
    for c_in, c_out in ((192, 384), (384, 256), (256, 256)):
        convs += [_conv(c_in, c_out, 3, 1, 1), "relu"]
    head = [{"adaptiveavgpool": {"output": 6}}, "flatten", *["dropout", FC, "relu"] * 2, LAST]
    return [3, 224, 224], [*convs, pool, *head]


def vgg16():
    """torchvision's VGG-16 (no batch norm): 138,357,544."""
    layers, c_in = [], 3
    for widths in ([64] * 2, [128] * 2, [256] * 3, [512] * 3, [512] * 3):
        for c_out in widths:
            layers += [_conv(c_in, c_out, 3, 1, 1), "relu"]
            c_in = c_out
        layers.append({"maxpool": {"kernel": 2, "stride": 2}})
    head = [{"adaptiveavgpool": {"output": 7}}, "flatten", *[FC, "relu", "dropout"] * 2, LAST]
    return [3, 224, 224], layers + head


def resnet18():
    """torchvision's ResNet-18: 11,689,512. A shortcut reads its block's input (input_shape)."""
    layers = [_conv(3, 64, 7, 2, 3, bias=False, name="conv1"), {"batchnorm": {"name": "bn1"}}]
    layers += ["relu", {"maxpool": {"kernel": 3, "stride": 2, "padding": 1}}]
    c_in, size = 64, 56
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in (0, 1):
            stride, name = (2 if stage > 1 and block == 0 else 1), f"layer{stage}.{block}"
            block_input, out = [c_in, size, size], (size - 1) // stride + 1
            layers += [_conv(c_in, width, 3, stride, 1, bias=False, name=f"{name}.conv1")]
            layers += [{"batchnorm": {"name": f"{name}.bn1"}}, "relu"]
            layers += [_conv(width, width, 3, 1, 1, bias=False, name=f"{name}.conv2")]
            layers += [{"batchnorm": {"name": f"{name}.bn2"}}]
            if stride != 1 or c_in != width:
                shortcut = dict(bias=False, name=f"{name}.downsample.0", input_shape=block_input)
                norm = {"name": f"{name}.downsample.1", "input_shape": [width, out, out]}
                layers += [_conv(c_in, width, 1, stride, 0, **shortcut), {"batchnorm": norm}]
            layers.append("relu")
            c_in, size = width, out
    head = [{"adaptiveavgpool": {"output": 1}}, "flatten", {"linear": {"out": 1000, "name": "fc"}}]
    return [3, 224, 224], layers + head


PRESETS = {"lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "resnet18": resnet18}


def run(args, ctx: Ctx) -> Trace:
    bias = args.bias is not False
    if "bias" in args.given and (args.preset or args.layers):
        raise InputError("bias", "only_with", other=either(map(label, ("mlp", "conv", "linear"))))
    shape, title = args.input, ""
    given = ("mlp", "linear", "conv", "input" if args.preset else "preset")
    field = next((name for name in given if args[name]), "from")  # what errors name
    if widths := args.mlp or args.linear:  # --linear IN,OUT: an MLP of one layer
        if len(widths) < 2:
            raise InputError("mlp", "params.mlp_widths")
        pairs = zip(widths, widths[1:], strict=False)
        layers = [{"linear": {"in": a, "out": b, "bias": bias}} for a, b in pairs]
        if args.mlp:
            shape, title = shape or widths[:1], "MLP " + "→".join(map(str, widths))
    elif args.preset:
        default_shape, layers = PRESETS[args.preset]()
        shape, title = shape or default_shape, args.preset
    elif args.conv:
        c_in, c_out, kernel, *rest = args.conv
        extra = dict(zip(("stride", "padding", "groups"), rest, strict=False))
        layers = [_conv(c_in, c_out, kernel, bias=bias, **extra)]
    else:
        layers = args.layers
    return count(layers, shape, ctx, args.convention, field, title)
