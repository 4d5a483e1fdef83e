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


def pair(values, field: str) -> list[int]:
    """``[3]`` → [3, 3], ``[3, 5]`` → [3, 5] (the option's type checked the count)."""
    if values is None:
        raise InputError(field, "required")
    return [values[0], values[-1]]


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
        roi = label("kind") + " roi"
        raise InputError("output", "only_with", other=either((label("solve"), roi)))
    channels = args.input[0] if args.input and len(args.input) == 3 else None
    size = pair(args.input[-2:], "input") if args.input else None
    calculate = {"stack": _stack, "spp": _bins, "roi": _bins}.get(mode, _layer)
    calculate(Work(trace, ctx, topic="outsize"), args, size, channels)
    return trace


def _shown(name, value) -> str:
    if isinstance(value, list):
        value = ("×" if name in ("input", "kernel", "output") else ",").join(map(str, value))
    return name if value is True else f"{name}={value}"


def _layer(w: Work, args, size, channels) -> None:
    kind, trace, t = args.kind, w.trace, w.ctx.t
    result, same = trace.result, str(args.padding).strip().lower() == "same"
    kernel = pair(args.kernel, "kernel")
    stride = pair(args.stride or (kernel if kind == "pool" else [1]), "stride")
    dilation, extra = (pair(args[name], name) for name in ("dilation", "output-padding"))
    if same and kind == "transpose":
        raise InputError("padding", "outsize.same_transpose")
    padding = pair([0] if same else parse_int_list(args.padding, "padding", 0, (1, 2)), "padding")
    operands, axes = [], zip(AXES, size, kernel, stride, dilation, extra, padding, strict=True)
    for (_, X), n, k, s, d, a, p in axes:
        if kind == "pool" and p > k // 2:
            raise InputError("padding", "outsize.pool_padding", k=k, p=p)
        if kind == "transpose" and a >= max(s, d):
            raise InputError("output-padding", "outsize.output_padding", limit=max(s, d), a=a)
        transposed = {"P_out": a} if kind == "transpose" else {}
        operands.append({X: n, "K": k, "S": s, "D": d, **transposed, "P": p})
    rule = "transpose" if kind == "transpose" else "ceil" if args["ceil-mode"] else "floor"
    if args.solve:
        if "padding" in args.given:
            raise InputError("padding", "not_with", other=label("solve"))
        result["padding"] = _solve(w, args, rule, operands)
        if result["padding"] is None:
            result["exact"] = False
            return
    dilated = w if max(dilation) > 1 else Work(None, w.ctx)  # D = 1: K_eff is K, no step
    result["effective_kernel"] = []
    for (axis, X), ops in zip(AXES, operands, strict=True):
        n, k, s, d, p = ops[X], ops["K"], ops["S"], ops["D"], ops["P"]
        at = dict(axis=t(f"outsize.{axis}"), X=X, stride=s)
        key = "effective_kernel"
        result[key].append(dilated("effective", "K_eff = D*(K - 1) + 1", D=d, K=k, key=key, at=at))
        if same:  # keeps the size at stride 1; TensorFlow's ⌈H/S⌉ beyond (PyTorch refuses it)
            at.update(before=d * (k - 1) // 2, after=(d * (k - 1) + 1) // 2)
            note = t("outsize.same_note" if s == 1 else "outsize.same_strided", **at)
            trace.notes += [note] if note not in trace.notes else []
            formula, ops = (f"ceil({X}/S)", {X: n, "S": s}) if s > 1 else (X, {X: n})
            result[axis] = w("output", f"{X}_out = {formula}", **ops, key=axis, at=at)
            continue
        out = result[axis] = axis_step(w, "output", rule, X, f"{X}_out", ops, key=axis, at=at)
        span = n + 2 * p - d * (k - 1) - 1
        at.update(span=d * (k - 1) + 1, padded=n + 2 * p, value=f"{span}/{s}")
        if out < 1:
            raise InputError(*EMPTY[kind == "transpose"], **at)
        if kind != "transpose" and span % s:
            result["exact"] = False
            if rule == "floor":
                trace.notes.append(t("outsize.not_whole", lost=span % s, **at))
    result["channels"] = channels if kind == "pool" else None
    if args["out-channels"] is not None:
        filters = {"C_out": args["out-channels"]}
        result["channels"] = w("channels", "C_out = C_out", **filters, key="channels")


def _solve(w: Work, args, rule: str, operands: list[dict]) -> list[int] | None:
    """The smallest padding per axis that gives the wanted output, put in the operands."""
    quiet, t = Work(None, w.ctx), w.ctx.t
    sign = -1 if rule == "transpose" else 1  # the output grows with P, or shrinks (transpose)
    for (axis, X), ops, size in zip(AXES, operands, pair(args.output, "output"), strict=True):

        def out(p, X=X, ops=ops):
            return sign * axis_step(quiet, "", rule, X, "n", ops | {"P": p})

        tries = range(ops["K"] * ops["D"] + (ops[X] + size) * ops["S"] + 2)
        p = bisect_left(tries, sign * size, key=out)  # the smallest P that reaches the size
        ops["P"] = p if p < len(tries) and out(p) == sign * size else None
        code = "solve_none" if ops["P"] is None else "solve_found"
        facts = dict(axis=t(f"outsize.{axis}"), output=size, padding=ops["P"])
        w.trace.notes.append(t(f"outsize.{code}", **facts))
    found = [ops["P"] for ops in operands]
    return None if None in found else found


def _stack(w: Work, args, size, channels) -> None:
    """``--stack "k=3,s=1,d=2; k=2,s=2"``: the output of each layer and the receptive field."""
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
    result, t, last = w.trace.result, w.ctx.t, len(layers)
    w = Work(w.trace, w.ctx, env={"r_0": 1, "j_0": 1}, topic="outsize")
    for n, layer in enumerate(layers, start=1):
        k, s, d, p = layer["k"], layer["s"], layer["d"], layer["p"]
        for i, (axis, X) in enumerate(AXES if size else ()):
            at = dict(n=n, axis=t(f"outsize.{axis}"))
            step = dict(key=axis if n == last else None, name=axis, at=at)
            ops = {f"{X}_{n - 1}": size[i], "K": k, "S": s, "P": p, "D": d}
            result["exact"] &= (size[i] + 2 * p - d * (k - 1) - 1) % s == 0
            size[i] = axis_step(w, "stack_output", "floor", f"{X}_{n - 1}", f"{X}_{n}", ops, **step)
            if size[i] < 1:
                raise InputError("stack", "outsize.stack_empty", **at)
        w.env |= {f"k_{n}": k, f"d_{n}": d, f"s_{n}": s}
        rule, key = f"r_{n} = r_{n - 1} + (k_{n} - 1)*d_{n}*j_{n - 1}", "receptive_field"
        w("receptive", rule, key=key if n == last else None, name=key, at={"n": n})
        if n < last:
            w("jump", f"j_{n} = j_{n - 1}*s_{n}", name="jump", at={"n": n})
    result["height"], result["width"] = size or (None, None)
    result["receptive_field"] = w.env[f"r_{last}"]


def _bins(w: Work, args, size, channels) -> None:
    """ROI pooling: an h×w region into H×W bins. SPP: an H×W map into n×n bins per level."""
    result, t, roi = w.trace.result, w.ctx.t, args.kind == "roi"
    if roi:  # per axis: where, which axis, its symbol, its length and its bins
        result["height"], result["width"] = pooled = pair(args.output, "output")
        axes = [("", a, X, n, b) for (a, X), n, b in zip(AXES, size, pooled, strict=True)]
        rule, operands = "H*W", {"H": pooled[0], "W": pooled[1]}
    else:
        if not args.levels:
            raise InputError("levels", "required")
        square = size[0] == size[1]  # one title and symbol for both axes
        sides = [(("both", "H"), size[0])] if square else [*zip(AXES, size, strict=True)]
        axes = [(t("outsize.level", n=b), a, X, n, b) for b in args.levels for (a, X), n in sides]
        operands = {f"n_{i}": n for i, n in enumerate(args.levels, start=1)}
        rule = " + ".join(f"{name}**2" for name in operands)
    for level, axis, X, length, bins in axes:
        x, b = (X.lower(), X) if roi else (X, "n")  # ROI: h into H bins; SPP: H into n bins
        where = level + t(f"outsize.{axis}")
        sub, ops = "" if axis == "both" else "_" + axis[0], {x: length, b: bins}
        win = w("win", f"win{sub} = ceil({x}/{b})", **ops, name="bins", at={"where": where})
        step = w("str", f"str{sub} = floor({x}/{b})", **ops, name="bins", at={"where": where})
        if length % bins:
            result["exact"] = False
            count = (length - win) // step + 1 if step else "∞"
            facts = dict(where=where, size=length, n=bins, count=count, win=win, str=step)
            w.trace.notes.append(t("outsize.uneven", **facts))
    if channels:
        rule = f"C*({rule})" if " + " in rule else f"C*{rule}"
        operands = {"C": channels, **operands}
    result["channels"] = channels
    result["features"] = w("features", f"N = {rule}", **operands, key="features")
