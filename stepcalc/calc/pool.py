"""Max and average pooling: the vectorised float64 core, then the worked solution.

PyTorch semantics: max pooling ignores padding cells (they act as −∞) and, on ties, keeps
the first maximum in row-major order; average pooling counts padding cells in the divisor
(``count_include_pad=True``) but not the cells a ceil-mode window hangs past the padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepcalc import limits
from stepcalc.calc.conv import as4d, as_given, formula_call, shown, upstream_like
from stepcalc.calc.shapes import conv_out
from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Trace

MODES = ("max", "avg")
SHOWN_CELLS = 64
"""Output cells per channel up to which every window gets its own step."""
SHOWN_STEPS = 256


def _pair(value) -> tuple[int, int]:
    if np.ndim(value) == 0:
        return (int(value), int(value))
    first, second = np.ravel(value)[:2]
    return (int(first), int(second))


def _window_settings(kernel, stride, padding):
    """(kernel, stride, padding) as pairs; the stride defaults to the kernel."""
    kernel = _pair(kernel)
    return kernel, kernel if stride is None else _pair(stride), _pair(padding)


def pool_size(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> int:
    return conv_out(size, kernel, stride, padding, 1, ceil_mode)


def _layout(shape, kernel, stride, padding, ceil_mode):
    """Output size and the padded frame (top/left = padding, bottom/right as windows need)."""
    h, w = shape[-2:]
    ho = pool_size(h, kernel[0], stride[0], padding[0], ceil_mode)
    wo = pool_size(w, kernel[1], stride[1], padding[1], ceil_mode)
    bottom = max((ho - 1) * stride[0] + kernel[0] - h - padding[0], 0)
    right = max((wo - 1) * stride[1] + kernel[1] - w - padding[1], 0)
    return ho, wo, ((padding[0], bottom), (padding[1], right))


def _taps(xp, kernel, stride, ho, wo):
    """(a, b, view) for every kernel tap: the cells that tap meets, one per output cell."""
    for a in range(kernel[0]):
        for b in range(kernel[1]):
            yield (
                a,
                b,
                xp[
                    ...,
                    a : a + stride[0] * (ho - 1) + 1 : stride[0],
                    b : b + stride[1] * (wo - 1) + 1 : stride[1],
                ],
            )


def _frame(x, pads, fill):
    widths = [(0, 0)] * (x.ndim - 2) + [pads[0], pads[1]]
    return np.pad(x, widths, constant_values=fill)


def max_pool2d(x, kernel, stride=None, padding=0, ceil_mode=False):
    """(output, argmax) for x (N,C,H,W); argmax is the flat H·W index of each window's max."""
    x = np.asarray(x, dtype=float)
    kernel, stride, padding = _window_settings(kernel, stride, padding)
    ho, wo, pads = _layout(x.shape, kernel, stride, padding, ceil_mode)
    xp = _frame(x, pads, -np.inf)
    best = np.full(x.shape[:-2] + (ho, wo), -np.inf)
    where = np.zeros(best.shape, dtype=np.int64)
    rows = np.arange(ho)[:, None] * stride[0] - padding[0]
    cols = np.arange(wo)[None, :] * stride[1] - padding[1]
    for a, b, view in _taps(xp, kernel, stride, ho, wo):
        better = view > best
        best = np.where(better, view, best)
        where = np.where(better, (rows + a) * x.shape[-1] + cols + b, where)
    return best, where


def _divisors(shape, kernel, stride, padding, ho, wo):
    """PyTorch's count_include_pad divisor of each window (clipped at the padded edge)."""
    sizes = []
    for axis, count in ((0, ho), (1, wo)):
        start = np.arange(count) * stride[axis] - padding[axis]
        end = np.minimum(start + kernel[axis], shape[-2 + axis] + padding[axis])
        sizes.append(end - start)
    return np.outer(sizes[0], sizes[1]).astype(float)


def avg_pool2d(x, kernel, stride=None, padding=0, ceil_mode=False):
    x = np.asarray(x, dtype=float)
    kernel, stride, padding = _window_settings(kernel, stride, padding)
    ho, wo, pads = _layout(x.shape, kernel, stride, padding, ceil_mode)
    xp = _frame(x, pads, 0.0)
    total = np.zeros(x.shape[:-2] + (ho, wo))
    for _, _, view in _taps(xp, kernel, stride, ho, wo):
        total += view
    return total / _divisors(x.shape, kernel, stride, padding, ho, wo)


def max_pool2d_backward(x, grad_out, kernel, stride=None, padding=0, ceil_mode=False):
    """Each upstream value goes to its window's max cell; overlapping windows add up."""
    x = np.asarray(x, dtype=float)
    grad_out = np.asarray(grad_out, dtype=float)
    _, where = max_pool2d(x, kernel, stride, padding, ceil_mode)
    h, w = x.shape[-2:]
    lead = int(np.prod(x.shape[:-2], dtype=np.int64))
    offsets = (np.arange(lead) * h * w).reshape(x.shape[:-2] + (1, 1))
    flat = np.bincount((where + offsets).ravel(), weights=grad_out.ravel(), minlength=lead * h * w)
    return flat.reshape(x.shape)


def avg_pool2d_backward(x, grad_out, kernel, stride=None, padding=0, ceil_mode=False):
    """Each upstream value is spread evenly (÷ divisor) over its window."""
    x = np.asarray(x, dtype=float)
    grad_out = np.asarray(grad_out, dtype=float)
    kernel, stride, padding = _window_settings(kernel, stride, padding)
    ho, wo, pads = _layout(x.shape, kernel, stride, padding, ceil_mode)
    share = grad_out / _divisors(x.shape, kernel, stride, padding, ho, wo)
    gp = _frame(np.zeros(x.shape), pads, 0.0)
    for _, _, view in _taps(gp, kernel, stride, ho, wo):
        view += share
    h, w = x.shape[-2:]
    return gp[..., pads[0][0] : pads[0][0] + h, pads[1][0] : pads[1][0] + w]


# formula helpers on tensors in the rank they were given


def maxpool(X, K, S=None, P=0, C=0):
    out, _ = max_pool2d(as4d(X), K, S, P, bool(C))
    return as_given(out, np.ndim(X))


def avgpool(X, K, S=None, P=0, C=0):
    return as_given(avg_pool2d(as4d(X), K, S, P, bool(C)), np.ndim(X))


def maxpool_grad(X, G, K, S=None, P=0, C=0):
    return max_pool2d_backward(as4d(X), as4d(G), K, S, P, bool(C)).reshape(np.shape(X))


def avgpool_grad(X, G, K, S=None, P=0, C=0):
    return avg_pool2d_backward(as4d(X), as4d(G), K, S, P, bool(C)).reshape(np.shape(X))


FORMULA_FUNCTIONS = {
    "maxpool": maxpool,
    "avgpool": avgpool,
    "maxpool_grad": maxpool_grad,
    "avgpool_grad": avgpool_grad,
}


# ------------------------------------------------------------ worked solution


@dataclass(frozen=True)
class PoolSpec:
    mode: str
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int] = (0, 0)
    ceil_mode: bool = False


def _name(prefix: str, index, ndim: int) -> str:
    return prefix + "_" + "_".join(map(str, index[4 - ndim :]))


def _label(index, ndim: int) -> str:
    return "[" + ",".join(map(str, index[4 - ndim :])) + "]"


def _shape_text(shape) -> str:
    return "×".join(map(str, shape))


def _validate(x4, spec: PoolSpec) -> tuple[int, int]:
    h, w = x4.shape[2:]
    for axis, name in enumerate(("height", "width")):
        k, p = spec.kernel[axis], spec.padding[axis]
        if p > k // 2:
            raise StepcalcError(
                f"--padding: pooling padding must be at most half the kernel ({k // 2} for "
                f"kernel {k}), got {p}"
            )
        if pool_size((h, w)[axis], k, spec.stride[axis], p, spec.ceil_mode) < 1:
            raise StepcalcError(
                f"--kernel: the window {spec.kernel[0]}×{spec.kernel[1]} is larger than the "
                f"padded input {h + 2 * spec.padding[0]}×{w + 2 * spec.padding[1]} ({name})"
            )
    ho, wo, pads = _layout(x4.shape, spec.kernel, spec.stride, spec.padding, spec.ceil_mode)
    frame = (h + sum(pads[0])) * (w + sum(pads[1]))
    for count, what in ((x4.shape[0] * x4.shape[1] * frame, "padded input"),):
        if count > limits.MAX_TENSOR_ELEMENTS:
            raise StepcalcError(
                f"--input: the {what} would have {count:,} elements, above the limit of "
                f"{limits.MAX_TENSOR_ELEMENTS:,}"
            )
    return ho, wo


def _settings(spec: PoolSpec) -> list:
    kernel = list(spec.kernel)
    return [
        ("K", kernel, None),
        ("S", list(spec.stride), kernel[0] if kernel[0] == kernel[1] else None),
        ("P", list(spec.padding), 0),
        ("C", int(spec.ceil_mode), 0),
    ]


def _window(x4, spec: PoolSpec, i: int, j: int):
    """Rows and columns of the input that output cell (i, j) covers (padding left out)."""
    h, w = x4.shape[2:]
    r0 = i * spec.stride[0] - spec.padding[0]
    c0 = j * spec.stride[1] - spec.padding[1]
    rows = [r for r in range(r0, r0 + spec.kernel[0]) if 0 <= r < h]
    cols = [c for c in range(c0, c0 + spec.kernel[1]) if 0 <= c < w]
    return rows, cols


def _padded_window(x4, spec: PoolSpec, index, ndim: int) -> list[str]:
    """The cells an average counts: input cells by name, padding cells as 0 (a ceil-mode
    window's part past the padding is not counted, as in PyTorch)."""
    b, ch, i, j = index
    h, w = x4.shape[2:]
    r0 = i * spec.stride[0] - spec.padding[0]
    c0 = j * spec.stride[1] - spec.padding[1]
    rows = range(r0, min(r0 + spec.kernel[0], h + spec.padding[0]))
    cols = range(c0, min(c0 + spec.kernel[1], w + spec.padding[1]))
    return [
        _name("x", (b, ch, r, q), ndim) if 0 <= r < h and 0 <= q < w else "0"
        for r in rows
        for q in cols
    ]


def pool(x, spec: PoolSpec, ctx: Ctx, grad_output=None, backward=False) -> Trace:
    """``pool``: each window and its max or mean; backward routes or spreads the upstream."""
    x4 = as4d(x)
    ndim = x.ndim
    n, c, h, w = x4.shape
    ho, wo = _validate(x4, spec)
    kind = spec.mode
    trace = Trace(
        command="pool",
        title=ctx.t(f"pool.title_{kind}"),
        subtitle=ctx.t(
            "pool.subtitle",
            kernel=_shape_text(spec.kernel),
            stride=",".join(map(str, spec.stride)),
            padding=",".join(map(str, spec.padding)),
            h=ho,
            w=wo,
        ),
        inputs={
            "input": x,
            "mode": kind,
            "kernel": list(spec.kernel),
            "stride": list(spec.stride),
            "padding": list(spec.padding),
            "ceil_mode": spec.ceil_mode,
            "count_include_pad": True,
        },
        shown_inputs=shown({ctx.t("pool.input_label"): x}),
    )
    trace.notes.append(ctx.t(f"pool.note_{kind}"))
    if spec.ceil_mode:
        trace.notes.append(ctx.t("pool.note_ceil"))
    if kind == "max":
        out4, where = max_pool2d(x4, spec.kernel, spec.stride, spec.padding, spec.ceil_mode)
    else:
        out4 = avg_pool2d(x4, spec.kernel, spec.stride, spec.padding, spec.ceil_mode)
        where = None
        if any(spec.padding):
            formula, inputs = formula_call(
                "pad", ["X"], {"X": x}, [("P", list(spec.padding), None)]
            )
            padded = np.pad(x4, [(0, 0), (0, 0), (spec.padding[0],) * 2, (spec.padding[1],) * 2])
            trace.add(
                Step("forward", ctx.t("pool.padded_input"), formula, as_given(padded, ndim), inputs)
            )
    out4 = ctx.r(out4)
    divisors = _divisors(x4.shape, spec.kernel, spec.stride, spec.padding, ho, wo)
    written = ho * wo <= SHOWN_CELLS and n * c * ho * wo <= SHOWN_STEPS
    if written:
        for index in np.ndindex(out4.shape):
            b, ch, i, j = index
            rows, cols = _window(x4, spec, i, j)
            names = {
                _name("x", (b, ch, r, q), ndim): float(x4[b, ch, r, q]) for r in rows for q in cols
            }
            if kind == "max":
                formula = "Max(" + ", ".join(names) + ")"
                r, q = divmod(int(where[index]), w)
                note = ctx.t("pool.max_at", cell=_label((b, ch, r, q), ndim))
                rule = "max(window)"
            else:
                formula = "(" + " + ".join(_padded_window(x4, spec, index, ndim)) + ")"
                formula += f"/{int(divisors[i, j])}"
                note = ""
                rule = "mean(window)"
            trace.add(
                Step(
                    "forward",
                    "O" + _label(index, ndim),
                    formula,
                    float(out4[index]),
                    names,
                    rule=rule,
                    note=note,
                )
            )
    else:
        trace.notes.append(ctx.t("pool.note_elided", limit=SHOWN_CELLS))
    output = as_given(out4, ndim)
    formula, inputs = formula_call(f"{kind}pool", ["X"], {"X": x}, _settings(spec))
    trace.add(
        Step(
            "forward",
            ctx.t("pool.output"),
            formula,
            output,
            inputs,
            rule="max(window)" if kind == "max" else "mean(window)",
            key="output",
        )
    )
    trace.result["output"] = output
    if backward or grad_output is not None:
        _backward(trace, x, x4, spec, ctx, grad_output, (ho, wo), where, divisors, written)
    return trace


def _backward(trace, x, x4, spec, ctx, grad_output, size, where, divisors, written) -> None:
    ndim = x.ndim
    n, c, h, w = x4.shape
    ho, wo = size
    expected = as_given(np.zeros((n, c, ho, wo)), ndim).shape
    if grad_output is None:
        given = np.ones(expected)
        note = ctx.t("pool.ones_note")
    else:
        given = upstream_like(grad_output, expected)
        note = ""
    trace.inputs["grad_output"] = given
    trace.add(Step("backward", ctx.t("pool.upstream"), "G", given, {"G": given}, note=note))
    g4 = as4d(given)
    if spec.mode == "max":
        grad4 = max_pool2d_backward(x4, g4, spec.kernel, spec.stride, spec.padding, spec.ceil_mode)
    else:
        grad4 = avg_pool2d_backward(x4, g4, spec.kernel, spec.stride, spec.padding, spec.ceil_mode)
    grad4 = ctx.r(grad4)
    shares: dict[tuple, list[tuple[str, float, int]]] = {}
    for index in np.ndindex(g4.shape):
        b, ch, i, j = index
        name = _name("g", index, ndim)
        if spec.mode == "max":
            r, q = divmod(int(where[index]), w)
            cells = [(r, q)]
        else:
            rows, cols = _window(x4, spec, i, j)
            cells = [(r, q) for r in rows for q in cols]
        for r, q in cells:
            shares.setdefault((b, ch, r, q), []).append(
                (name, float(g4[index]), int(divisors[i, j]))
            )
        if written and spec.mode == "max":
            trace.add(
                Step(
                    "backward",
                    f"G{_label(index, ndim)} → X{_label((b, ch, *cells[0]), ndim)}",
                    name,
                    float(g4[index]),
                    {name: float(g4[index])},
                    rule=ctx.t("pool.route_rule"),
                )
            )
    shown_cells = h * w <= SHOWN_CELLS and n * c * h * w <= SHOWN_STEPS
    if written and shown_cells:
        for index in np.ndindex(x4.shape):
            received = shares.get(index, [])
            if spec.mode == "max" and len(received) < 2:
                continue
            if spec.mode == "max":
                formula = " + ".join(name for name, _, _ in received)
                rule = "Σ routed G"
            else:
                formula = " + ".join(f"{name}/{d}" for name, _, d in received) or "0"
                rule = "Σ G / n"
            trace.add(
                Step(
                    "backward",
                    "∂L/∂X" + _label(index, ndim),
                    formula,
                    float(grad4[index]),
                    {name: value for name, value, _ in received},
                    rule=rule,
                )
            )
    grad_input = grad4.reshape(x.shape)
    formula, inputs = formula_call(
        f"{spec.mode}pool_grad", ["X", "G"], {"X": x, "G": given}, _settings(spec)
    )
    trace.add(
        Step(
            "backward",
            ctx.t("pool.grad_input"),
            formula,
            grad_input,
            inputs,
            rule=ctx.t(f"pool.grad_rule_{spec.mode}"),
            key="grad_input",
        )
    )
    trace.result["grad_input"] = grad_input


def run(args, ctx: Ctx) -> Trace:
    from stepcalc.calc.shapes import pair

    grad_output = args["grad-output"]
    if grad_output is not None and grad_output.ndim < 2:
        grad_output = grad_output.reshape(1, -1)
    kernel = pair(args.kernel, "--kernel")
    spec = PoolSpec(
        mode=args.mode,
        kernel=kernel,
        stride=pair(args.stride or list(kernel), "--stride"),
        padding=pair(args.padding, "--padding", 0),
        ceil_mode=args["ceil-mode"],
    )
    return pool(args.input, spec, ctx, grad_output=grad_output, backward=args.backward)
