"""Output sizes of conv, pool and transposed conv layers, the receptive field of a stack, and
the bins of ROI and spatial-pyramid pooling, per axis as PyTorch computes them (no NumPy).

    stack   r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1),  j_l = j_(l−1)·s_l,  r_0 = j_0 = 1
    SPP     n bins along H: windows of ⌈H/n⌉ every ⌊H/n⌋ (SPP-net), C·Σn² features
"""

from __future__ import annotations

from bisect import bisect_left

from stepcalc import limits
from stepcalc.context import Ctx
from stepcalc.errors import InputError, either, label
from stepcalc.formula import Work
from stepcalc.parse import parse_int, parse_int_list
from stepcalc.trace import Trace

AXES = (("height", "H"), ("width", "W"))
RULES = {fn: fn + "(({X} + 2*P - D*(K - 1) - 1)/S) + 1" for fn in ("floor", "ceil")}
RULES["transpose"] = "({X} - 1)*S - 2*P + D*(K - 1) + P_out + 1"
EMPTY = {False: ("kernel", "outsize.empty"), True: ("padding", "outsize.empty_transpose")}
STACK_KEYS = {"k": 1, "s": 1, "d": 1, "p": 0}
"""The keys of a ``--stack`` layer and their smallest values (k is required)."""


def pair(values, field: str, default: int | None = None) -> tuple[int, int]:
    """``[3]`` → (3, 3), ``[3, 5]`` → (3, 5); nothing → the default (or required)."""
    if values is None and default is None:
        raise InputError(field, "required")
    values = [default] if values is None else values
    if len(values) not in (1, 2):
        raise InputError(field, "expected_count", wanted=either((1, 2)), count=len(values))
    return (values[0], values[-1])


def axis_step(w: Work, title: str, rule: str, X: str, out: str, operands: dict, **step) -> int:
    """One axis of a layer's output (a ``RULES`` entry) as a step."""
    size = w(title, f"{out} = " + RULES[rule].format(X=X), **operands, **step)
    if rule == "ceil" and (size - 1) * operands["S"] >= operands[X] + operands["P"]:
        note = w.ctx.t("outsize.ceil_note")  # PyTorch: no window starts in the padding
        size = w(title, f"{out} = {out} - 1", **{out: size}, note=note, **step)
    return size


def run(args, ctx: Ctx) -> Trace:
    mode = "stack" if args.stack else args.kind
    title = ctx.t("outsize.title", kind=ctx.t(f"outsize.kind_{mode}"))
    shown = " · ".join(_shown(name, args[name]) for name in args if name in args.given)
    trace = Trace("outsize", dict(args), title=title, subtitle=shown)
    trace.result = {"height": None, "width": None, "channels": None, "exact": True}
    if args.input is None and mode != "stack":
        raise InputError("input", "required")
    if args.output and not (args.solve or mode == "roi"):
        raise InputError(
            "output", "only_with", other=either((label("solve"), label("kind") + " roi"))
        )
    channels = args.input[0] if args.input and len(args.input) == 3 else None
    size = pair(args.input[-2:], "input") if args.input else None
    w = Work(trace, ctx)
    if mode == "stack":
        _stack(w, trace.result, _stack_layers(args), size)
    elif mode in ("spp", "roi"):
        _bins(w, trace.result, mode, size, channels, args)
    else:
        _layer(w, trace, args, size, channels)
    return trace


def _shown(name, value) -> str:
    if isinstance(value, list):
        value = ("×" if name in ("input", "kernel", "output") else ",").join(map(str, value))
    return name if value is True else f"{name}={value}"


# ------------------------------------------------------------------ one layer


def _layer(w: Work, trace: Trace, args, size, channels) -> None:
    kind, result, t = args.kind, trace.result, w.ctx.t
    kernel = pair(args.kernel, "kernel")
    stride = pair(args.stride or (kernel if kind == "pool" else [1]), "stride")
    dilation = pair(args.dilation, "dilation")
    extra = pair(args["output-padding"], "output-padding")
    rule = "transpose" if kind == "transpose" else "ceil" if args["ceil-mode"] else "floor"
    same = str(args.padding).strip().lower() == "same"
    if same and kind == "transpose":
        raise InputError("padding", "outsize.same_transpose")
    if not same:
        padding = pair(parse_int_list(args.padding, "padding", 0, (1, 2)), "padding")
    operands = [
        {X: size[i], "K": kernel[i], "S": stride[i], "D": dilation[i]}
        | ({"P_out": extra[i]} if kind == "transpose" else {})
        for i, (_, X) in enumerate(AXES)
    ]
    for i in (0, 1):
        if kind == "pool" and not same and padding[i] > kernel[i] // 2:
            raise InputError("padding", "outsize.pool_padding", k=kernel[i], p=padding[i])
        if kind == "transpose" and extra[i] >= max(stride[i], dilation[i]):
            limit = max(stride[i], dilation[i])
            raise InputError("output-padding", "outsize.output_padding", limit=limit, a=extra[i])
    if args.solve:
        if "padding" in args.given:
            raise InputError("padding", "not_with", other=label("solve"))
        padding = result["padding"] = _solve(w, args, rule, operands)
        if padding is None:
            result["exact"] = False
            return
    dilated = w if max(dilation) > 1 else Work(None, w.ctx)  # D = 1: K_eff is K, no step
    result["effective_kernel"] = []
    for i, (axis, X) in enumerate(AXES):
        ops, n, s, k, d = operands[i], size[i], stride[i], kernel[i], dilation[i]
        facts = dict(axis=t(f"outsize.{axis}"), X=X, stride=s)
        title = t("outsize.output", **facts)
        effective, key = "K_eff = D*(K - 1) + 1", "effective_kernel"
        result[key].append(dilated(t("outsize.effective", **facts), effective, D=d, K=k, key=key))
        if same:  # keeps the size at stride 1; TensorFlow's ⌈H/S⌉ beyond (PyTorch refuses it)
            facts.update(before=d * (k - 1) // 2, after=(d * (k - 1) + 1) // 2)
            note = t("outsize.same_note" if s == 1 else "outsize.same_strided", **facts)
            trace.notes += [note] if note not in trace.notes else []
            formula = f"{X}_out = ceil({X}/S)" if s > 1 else f"{X}_out = {X}"
            result[axis] = w(title, formula, **{X: n}, **({"S": s} if s > 1 else {}), key=axis)
            continue
        p = padding[i]
        out = result[axis] = axis_step(w, title, rule, X, f"{X}_out", ops | {"P": p}, key=axis)
        span = n + 2 * p - d * (k - 1) - 1
        facts.update(span=d * (k - 1) + 1, padded=n + 2 * p, value=f"{span}/{s}")
        if out < 1:
            raise InputError(*EMPTY[kind == "transpose"], **facts)
        if kind != "transpose" and span % s:
            result["exact"] = False
            if rule == "floor":
                trace.notes.append(t("outsize.not_whole", lost=span % s, **facts))
    result["channels"] = channels if kind == "pool" else None
    if args["out-channels"] is not None:
        filters = {"C_out": args["out-channels"]}
        result["channels"] = w(t("outsize.channels"), "C_out = C_out", **filters, key="channels")


def _solve(w: Work, args, rule: str, operands: list[dict]) -> list[int] | None:
    """The smallest padding per axis that gives the wanted output (a binary search)."""
    wanted, quiet, found, t = pair(args.output, "output"), Work(None, w.ctx), [], w.ctx.t
    sign = -1 if rule == "transpose" else 1  # the output grows with P, or shrinks (transpose)
    for (axis, X), ops, size in zip(AXES, operands, wanted, strict=True):

        def out(p, X=X, ops=ops):
            return sign * axis_step(quiet, "", rule, X, "n", ops | {"P": p})

        tries = range(ops["K"] * ops["D"] + (ops[X] + size) * ops["S"] + 2)
        p = bisect_left(tries, sign * size, key=out)  # the smallest P that reaches the size
        found.append(p if p < len(tries) and out(p) == sign * size else None)
        code, ax = "solve_none" if found[-1] is None else "solve_found", t(f"outsize.{axis}")
        w.trace.notes.append(t(f"outsize.{code}", axis=ax, output=size, padding=found[-1]))
    return None if None in found else found


# ------------------------------------------------------------------ a stack of layers


def _stack_layers(args) -> list[dict[str, int]]:
    """``"k=3,s=1,d=2; k=2,s=2"`` → one mapping per layer."""
    if unused := sorted(args.given - {"stack", "input"}):
        raise InputError(unused[0], "not_with", other=label("stack"))
    layers = []
    for number, text in enumerate(args.stack.split(";"), start=1):
        layer = {}
        for item in filter(str.strip, text.split(",")):
            key, sep, value = (part.strip() for part in item.partition("="))
            if not sep or key not in STACK_KEYS:
                raise InputError("stack", "outsize.stack_item", n=number, item=repr(item.strip()))
            layer[key] = parse_int(value, "stack", STACK_KEYS[key])
        if "k" not in layer:
            raise InputError("stack", "outsize.stack_kernel", n=number)
        layers.append(STACK_KEYS | layer)
    if len(layers) > limits.MAX_LAYERS:
        raise InputError("stack", "at_most", maximum=limits.MAX_LAYERS, value=len(layers))
    return layers


def _stack(w: Work, result: dict, layers: list[dict[str, int]], size) -> None:
    t, last, r, j = w.ctx.t, len(layers), 1, 1
    for n, layer in enumerate(layers, start=1):
        k, s, d, p = layer["k"], layer["s"], layer["d"], layer["p"]
        for i, (axis, X) in enumerate(AXES if size else ()):
            title = t("outsize.stack_output", n=n, axis=t(f"outsize.{axis}"))
            ax, key = f"{X}_{n - 1}", axis if n == last else None
            ops = {ax: size[i], "K": k, "S": s, "P": p, "D": d}
            out = axis_step(w, title, "floor", ax, f"{X}_{n}", ops, key=key, name=axis)
            if out < 1:
                raise InputError("stack", "outsize.stack_empty", n=n, axis=t(f"outsize.{axis}"))
            result["exact"] &= (size[i] + 2 * p - d * (k - 1) - 1) % s == 0
            size = (out, size[1]) if i == 0 else (size[0], out)
        ops, key = {f"r_{n - 1}": r, f"k_{n}": k, f"d_{n}": d, f"j_{n - 1}": j}, "receptive_field"
        rule = f"r_{n} = r_{n - 1} + (k_{n} - 1)*d_{n}*j_{n - 1}"
        r = w(t("outsize.receptive", n=n), rule, **ops, key=key if n == last else None, name=key)
        if n < last:
            ops = {f"j_{n - 1}": j, f"s_{n}": s}
            j = w(t("outsize.jump", n=n), f"j_{n} = j_{n - 1}*s_{n}", **ops, name="jump")
    result["height"], result["width"] = size or (None, None)
    result["receptive_field"] = r


# ------------------------------------------------------------------ ROI and SPP pooling


def _bins(w: Work, result: dict, mode: str, size, channels, args) -> None:
    """ROI pooling: an h×w region into H×W bins. SPP: an H×W map into n×n bins per level."""
    t = w.ctx.t
    if mode == "roi":
        if args.output is None:
            raise InputError("output", "required")
        result["height"], result["width"] = pooled = pair(args.output, "output")
        axes = [("h", "H", size[0], pooled[0], "height"), ("w", "W", size[1], pooled[1], "width")]
        grids, rule, operands = [("", axes)], "H*W", {"H": pooled[0], "W": pooled[1]}
    else:
        if not args.levels:
            raise InputError("levels", "required")
        names, grids = list(enumerate(AXES if size[0] != size[1] else (("both", "H"),))), []
        for n in args.levels:
            grids.append(
                (t("outsize.level", n=n), [(X, "n", size[i], n, a) for i, (a, X) in names])
            )
        operands = {f"n_{i}": n for i, n in enumerate(args.levels, start=1)}
        rule = " + ".join(f"{name}**2" for name in operands)
    for level, axes in grids:
        for x, b, length, bins, axis in axes:
            sub, where = "_" + x.lower() if len(axes) == 2 else "", level + t(f"outsize.{axis}")
            got = {}
            for symbol, fn in (("win", "ceil"), ("str", "floor")):
                title = t(f"outsize.{symbol}", where=where)
                formula = f"{symbol}{sub} = {fn}({x}/{b})"
                got[symbol] = w(title, formula, **{x: length, b: bins}, name="bins")
            if length % bins:
                result["exact"] = False
                count = (length - got["win"]) // got["str"] + 1 if got["str"] else "∞"
                facts = dict(where=where, size=length, n=bins, count=count, **got)
                w.trace.notes.append(t("outsize.uneven", **facts))
    if channels:
        rule = f"C*({rule})" if " + " in rule else f"C*{rule}"
        operands = {"C": channels, **operands}
    result["channels"] = channels
    result["features"] = w(t("outsize.features"), f"N = {rule}", **operands, key="features")
