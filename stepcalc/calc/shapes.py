"""Output sizes of convolution, pooling and transposed convolution (no NumPy needed).

PyTorch's rules:
  conv/pool   out = ⌊(H + 2P − D(K − 1) − 1)/S⌋ + 1      (⌈…⌉ with ceil_mode for pooling)
  transpose   out = (H − 1)S − 2P + D(K − 1) + output_padding + 1
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Trace

AXES = ("height", "width")
CONV_FORMULA = "(H + 2*P - D*(K - 1) - 1)/S"
TRANSPOSE_FORMULA = "(H - 1)*S - 2*P + D*(K - 1) + A + 1"


@dataclass(frozen=True)
class Geometry:
    """Per-axis sizes of one layer: each field is a (height, width) pair."""

    size: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int] | str
    dilation: tuple[int, int] = (1, 1)
    output_padding: tuple[int, int] = (0, 0)


def pair(values: list[int] | tuple[int, ...] | None, option: str, default: int | None = None):
    if values is None:
        if default is None:
            raise StepcalcError(f"{option}: required")
        return (default, default)
    if len(values) == 1:
        return (values[0], values[0])
    if len(values) == 2:
        return (values[0], values[1])
    raise StepcalcError(f"{option}: expected 1 or 2 numbers, got {len(values)}")


def conv_out(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """Output length of a convolution or pooling along one axis (PyTorch)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if span < 0 and not (ceil_mode and span > -stride):
        return 0  # PyTorch: with ceil_mode a window may still start inside the input
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def transpose_out(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1, output_padding: int = 0
) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def outsize(
    geometry: Geometry,
    kind: str,
    ctx: Ctx,
    ceil_mode: bool = False,
    channels: int | None = None,
    out_channels: int | None = None,
    solve_output: tuple[int, int] | None = None,
) -> Trace:
    g = geometry
    _validate(g, kind)
    kind_name = ctx.t(f"outsize.kind_{kind}")
    shape = "×".join(str(n) for n in ((channels,) if channels else ()) + g.size)
    trace = Trace(
        command="outsize",
        title=ctx.t("outsize.title", kind=kind_name),
        subtitle=ctx.t(
            "outsize.subtitle",
            shape=shape,
            kernel="×".join(map(str, g.kernel)),
            stride=",".join(map(str, g.stride)),
            padding=g.padding if isinstance(g.padding, str) else ",".join(map(str, g.padding)),
            dilation=",".join(map(str, g.dilation)),
        ),
        inputs={
            "input": list(g.size),
            "channels": channels,
            "kernel": list(g.kernel),
            "stride": list(g.stride),
            "padding": g.padding if isinstance(g.padding, str) else list(g.padding),
            "dilation": list(g.dilation),
            "kind": kind,
            "output_padding": list(g.output_padding),
            "ceil_mode": ceil_mode,
            "out_channels": out_channels,
        },
    )
    if solve_output is not None:
        return _solve_padding(trace, g, kind, ceil_mode, solve_output, ctx)
    sizes = []
    exact = True
    for axis_index, axis in enumerate(AXES):
        label = ctx.t(f"outsize.{axis}")
        n, k, s = g.size[axis_index], g.kernel[axis_index], g.stride[axis_index]
        d = g.dilation[axis_index]
        if kind == "transpose":
            sizes.append(_transpose_axis(trace, g, axis_index, label, ctx))
            continue
        if g.padding == "same":
            sizes.append(_same_axis(trace, n, k, s, d, label, ctx))
            continue
        p = g.padding[axis_index]
        inputs = {"H": n, "P": p, "D": d, "K": k, "S": s}
        quotient = trace.add(
            Step(
                "forward",
                ctx.t("outsize.quotient", axis=label),
                CONV_FORMULA,
                (n + 2 * p - d * (k - 1) - 1) / s,
                inputs,
            )
        )
        out = conv_out(n, k, s, p, d, ceil_mode and kind == "pool")
        if out < 1:
            raise StepcalcError(
                f"--kernel: the kernel spans {d * (k - 1) + 1} but the padded {axis} is "
                f"{n + 2 * p}: output would be empty"
            )
        rounding = "ceiling" if ceil_mode and kind == "pool" else "floor"
        formula = f"{rounding}(q) + 1"
        value = math.ceil(quotient) + 1 if rounding == "ceiling" else math.floor(quotient) + 1
        trace.add(
            Step(
                "forward",
                ctx.t("outsize.output", axis=label),
                formula,
                value,
                {"q": quotient},
                rule="⌈q⌉ + 1" if rounding == "ceiling" else "⌊q⌋ + 1",
                key=axis,
            )
        )
        if value != out:
            trace.add(
                Step(
                    "forward",
                    ctx.t("outsize.output", axis=label),
                    "v - 1",
                    out,
                    {"v": value},
                    note=ctx.t("outsize.ceil_note", axis=label),
                )
            )
        if not float(quotient).is_integer():
            exact = False
            lost = (n + 2 * p - d * (k - 1) - 1) % s
            if not (ceil_mode and kind == "pool"):
                trace.notes.append(
                    ctx.t("outsize.not_whole", axis=label, value=f"{quotient:g}", lost=lost)
                )
        sizes.append(out)
    channel_value = (
        out_channels if out_channels is not None else (channels if kind == "pool" else None)
    )
    trace.result = {
        "height": sizes[0],
        "width": sizes[1],
        "channels": channel_value,
        "exact": exact,
    }
    if out_channels is not None:
        trace.add(
            Step(
                "forward",
                ctx.t("outsize.channels"),
                "C_out",
                out_channels,
                {"C_out": out_channels},
                key="channels",
            )
        )
    return trace


def _validate(g: Geometry, kind: str) -> None:
    for axis_index, axis in enumerate(AXES):
        if g.size[axis_index] < 1:
            raise StepcalcError(f"--input: {axis} must be at least 1")
        if kind == "pool" and not isinstance(g.padding, str):
            k = g.kernel[axis_index]
            if g.padding[axis_index] > k // 2:
                raise StepcalcError(
                    f"--padding: pooling padding must be at most half the kernel "
                    f"({k // 2} for kernel {k}), got {g.padding[axis_index]}"
                )
        if kind == "transpose":
            limit = max(g.stride[axis_index], g.dilation[axis_index])
            if g.output_padding[axis_index] >= limit:
                raise StepcalcError(
                    f"--output-padding: must be smaller than the stride or the dilation "
                    f"({limit}), got {g.output_padding[axis_index]}"
                )
    if g.padding == "same" and kind == "transpose":
        raise StepcalcError("--padding: 'same' is not defined for transposed convolution")


def _transpose_axis(trace: Trace, g: Geometry, i: int, label: str, ctx: Ctx) -> int:
    padding = g.padding[i]
    inputs = {
        "H": g.size[i],
        "S": g.stride[i],
        "P": padding,
        "D": g.dilation[i],
        "K": g.kernel[i],
        "A": g.output_padding[i],
    }
    out = transpose_out(
        g.size[i], g.kernel[i], g.stride[i], padding, g.dilation[i], g.output_padding[i]
    )
    if out < 1:
        raise StepcalcError(f"--padding: the transposed output {AXES[i]} would be {out}")
    trace.add(
        Step(
            "forward",
            ctx.t("outsize.output_transpose", axis=label),
            TRANSPOSE_FORMULA,
            out,
            inputs,
            rule="(H − 1)·S − 2·P + D·(K − 1) + output_padding + 1",
            key=AXES[i],
        )
    )
    return out


def _same_axis(trace: Trace, n: int, k: int, s: int, d: int, label: str, ctx: Ctx) -> int:
    total = d * (k - 1)
    before = total // 2
    if s == 1:
        trace.notes.append(
            ctx.t("outsize.same_note", axis=label, total=total, before=before, after=total - before)
        )
        trace.add(Step("forward", ctx.t("outsize.same_output", axis=label), "H", n, {"H": n}))
        return n
    note = ctx.t("outsize.same_strided", stride=s)
    if note not in trace.notes:  # one note for both axes
        trace.notes.append(note)
    out = -(-n // s)
    trace.add(
        Step(
            "forward",
            ctx.t("outsize.same_output", axis=label),
            "ceiling(H/S)",
            out,
            {"H": n, "S": s},
            rule="⌈H/S⌉",
        )
    )
    return out


def _solve_padding(trace, g: Geometry, kind, ceil_mode, wanted, ctx) -> Trace:
    if g.padding == "same":
        raise StepcalcError("--solve: give no --padding when solving for it")
    found = []
    for i, axis in enumerate(AXES):
        label = ctx.t(f"outsize.{axis}")
        match = None
        for p in range(0, g.kernel[i] * g.dilation[i] + g.size[i] * g.stride[i] + 1):
            if kind == "transpose":
                out = transpose_out(
                    g.size[i], g.kernel[i], g.stride[i], p, g.dilation[i], g.output_padding[i]
                )
            else:
                out = conv_out(
                    g.size[i],
                    g.kernel[i],
                    g.stride[i],
                    p,
                    g.dilation[i],
                    ceil_mode and kind == "pool",
                )
            if out == wanted[i]:
                match = p
                break
        if match is None:
            trace.notes.append(ctx.t("outsize.solve_none", axis=label, output=wanted[i]))
        else:
            trace.notes.append(
                ctx.t("outsize.solve_found", axis=label, output=wanted[i], padding=match)
            )
            formula = TRANSPOSE_FORMULA if kind == "transpose" else f"floor({CONV_FORMULA}) + 1"
            inputs = {
                "H": g.size[i],
                "P": match,
                "D": g.dilation[i],
                "K": g.kernel[i],
                "S": g.stride[i],
            }
            if kind == "transpose":
                inputs["A"] = g.output_padding[i]
            trace.add(
                Step(
                    "forward",
                    ctx.t("outsize.solve_title", axis=label, output=wanted[i]),
                    formula,
                    wanted[i],
                    inputs,
                )
            )
        found.append(match)
    ok = all(p is not None for p in found)
    trace.result = {
        "height": wanted[0] if ok else None,
        "width": wanted[1] if ok else None,
        "channels": None,
        "exact": ok,
        "padding": found if ok else None,
    }
    return trace


def run(args, ctx: Ctx) -> Trace:
    size = args.input
    channels = size[0] if len(size) == 3 else None
    size = size[1:] if len(size) == 3 else size
    kernel = pair(args.kernel, "--kernel")
    stride = args.stride or list(kernel if args.kind == "pool" else (1, 1))
    if str(args.padding).strip().lower() == "same":
        padding = "same"
    else:
        from stepcalc.parse import parse_int_list

        padding = pair(parse_int_list(args.padding, "padding", 0, (1, 2)), "--padding", 0)
    geometry = Geometry(
        size=pair(size, "--input"),
        kernel=kernel,
        stride=pair(stride, "--stride"),
        padding=padding,
        dilation=pair(args.dilation, "--dilation", 1),
        output_padding=pair(args["output-padding"], "--output-padding", 0),
    )
    return outsize(
        geometry,
        args.kind,
        ctx,
        ceil_mode=args["ceil-mode"],
        channels=channels,
        out_channels=args["out-channels"],
        solve_output=pair(args.output, "--output") if args.solve else None,
    )
