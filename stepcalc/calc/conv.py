"""Convolution: the vectorised float64 numeric core, then the worked-solution calculators.

Numeric core (PyTorch layouts and semantics, reused by other calculators):
  conv2d(x, w, bias, stride, padding, dilation, groups)            x (N,C,H,W), w (Co,C/g,kh,kw)
  conv2d_backward(x, w, grad_out, stride, padding, dilation, groups) → (grad_input, grad_weight,
                                                                       grad_bias)
  conv_transpose2d(x, w, bias, stride, padding, output_padding, dilation, groups)
                                                                   w (C,Co/g,kh,kw)
  conv_transpose2d_backward(...)                                   → the same three gradients
  corr2d(x2d, w2d)                                                 2-D valid cross-correlation

The loops run over kernel taps and groups only, never over pixels: each tap is one matrix
product of the (Co, Ci) weight slice with a strided view of the input.
Padding is a (top/bottom, left/right) pair of ints, or ((top, bottom), (left, right)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepcalc import limits
from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Trace

# ------------------------------------------------------------------ numeric core


def _pair(value) -> tuple[int, int]:
    if np.ndim(value) == 0:
        return (int(value), int(value))
    first, second = value
    return (int(first), int(second))


def _pads(padding) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) from an int, a per-axis pair or explicit pairs."""
    if np.ndim(padding) == 0:
        p = int(padding)
        return ((p, p), (p, p))
    rows, cols = padding
    row_pair = (int(rows), int(rows)) if np.ndim(rows) == 0 else (int(rows[0]), int(rows[1]))
    col_pair = (int(cols), int(cols)) if np.ndim(cols) == 0 else (int(cols[0]), int(cols[1]))
    return (row_pair, col_pair)


def pad(x, padding):
    """Zero-pad the last two axes; ``padding`` as in the module docstring."""
    (top, bottom), (left, right) = _pads(padding)
    x = np.asarray(x, dtype=float)
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(x, widths)


def rot180(w):
    """The kernel rotated by 180° (flipped along both spatial axes)."""
    w = np.asarray(w, dtype=float)
    return w[..., ::-1, ::-1].copy()


def dilate(g, stride):
    """Insert stride − 1 zeros between neighbouring cells of the last two axes."""
    g = np.asarray(g, dtype=float)
    sh, sw = _pair(stride)
    h, w = g.shape[-2:]
    out = np.zeros(g.shape[:-2] + ((h - 1) * sh + 1, (w - 1) * sw + 1))
    out[..., ::sh, ::sw] = g
    return out


def crop(x, top, left, height, width):
    """The height × width block of the last two axes starting at (top, left)."""
    x = np.asarray(x, dtype=float)
    top, left, height, width = int(top), int(left), int(height), int(width)
    return x[..., top : top + height, left : left + width].copy()


def _out_len(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def _tap_view(xp, i: int, j: int, ho: int, wo: int, stride, dilation):
    """The input cells that kernel tap (i, j) meets, one per output cell: (..., ho, wo)."""
    sh, sw = stride
    dh, dw = dilation
    r0, c0 = i * dh, j * dw
    return xp[..., r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw]


def _row_runs(hp: int, wp: int, kh: int, kw: int, ho: int, wo: int, dilation):
    """Stride 1: every tap reads one contiguous run of the flattened padded input.

    Output cell (i, j) sits at i·wp + j of a grid ``wp`` wide; the run of tap (a, b) starts
    at a·dh·wp + b·dw and is ``(ho − 1)·wp + wo`` long. The columns past ``wo`` are scratch.
    """
    length = (ho - 1) * wp + wo
    starts = [(a, b, a * dilation[0] * wp + b * dilation[1]) for a in range(kh) for b in range(kw)]
    return length, starts


def _on_grid(grad_out, wp: int, length: int):
    """The upstream laid on the ``wp``-wide grid (zeros in the scratch columns), flattened."""
    n, co, ho, wo = grad_out.shape
    grid = np.zeros((n, co, ho, wp))
    grid[..., :wo] = grad_out
    return grid.reshape(n, co, ho * wp)[:, :, :length]


def conv2d(x, w, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """PyTorch ``conv2d`` (cross-correlation) in float64: x (N,C,H,W), w (Co,C/groups,kh,kw)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    stride, dilation, pads = _pair(stride), _pair(dilation), _pads(padding)
    n, c, h, wd = x.shape
    co, cig, kh, kw = w.shape
    groups = int(groups)
    cog = co // groups
    ho = _out_len(h, kh, stride[0], *pads[0], dilation[0])
    wo = _out_len(wd, kw, stride[1], *pads[1], dilation[1])
    xp = np.ascontiguousarray(pad(x, pads) if any(pads[0] + pads[1]) else x)
    hp, wp = xp.shape[2:]
    if stride == (1, 1):
        length, starts = _row_runs(hp, wp, kh, kw, ho, wo, dilation)
        flat = xp.reshape(n, c, hp * wp)
        grid = np.zeros((n, co, ho * wp))
        for g, sample in np.ndindex(groups, n):
            acc = grid[sample, g * cog : (g + 1) * cog, :length]
            for a, b, start in starts:
                taps = flat[sample, g * cig : (g + 1) * cig, start : start + length]
                acc += w[g * cog : (g + 1) * cog, :, a, b] @ taps
        out = grid.reshape(n, co, ho, wp)[..., :wo]
    else:
        out = np.zeros((n, co, ho * wo))
        for g in range(groups):
            xs_g = xp[:, g * cig : (g + 1) * cig]
            acc = out[:, g * cog : (g + 1) * cog]
            for a in range(kh):
                for b in range(kw):
                    taps = _tap_view(xs_g, a, b, ho, wo, stride, dilation)
                    acc += np.matmul(
                        w[g * cog : (g + 1) * cog, :, a, b], taps.reshape(n, cig, ho * wo)
                    )
        out = out.reshape(n, co, ho, wo)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float).reshape(1, co, 1, 1)
    return np.ascontiguousarray(out)


def _conv2d_grad_input(grad_out, w, input_hw, stride, dilation, pads, groups):
    """Adjoint of conv2d with respect to its input: scatter each tap back, then crop."""
    n, co, ho, wo = grad_out.shape
    _, cig, kh, kw = w.shape
    h, wd = input_hw
    (top, bottom), (left, right) = pads
    hp, wp = h + top + bottom, wd + left + right
    gxp = np.zeros((n, cig * groups, hp, wp))
    cog = co // groups
    if stride == (1, 1):
        length, starts = _row_runs(hp, wp, kh, kw, ho, wo, dilation)
        upstream = _on_grid(grad_out, wp, length)
        flat = gxp.reshape(n, cig * groups, hp * wp)
        for g, sample in np.ndindex(groups, n):
            g_g = upstream[sample, g * cog : (g + 1) * cog]
            for a, b, start in starts:
                flat[sample, g * cig : (g + 1) * cig, start : start + length] += (
                    w[g * cog : (g + 1) * cog, :, a, b].T @ g_g
                )
    else:
        upstream = grad_out.reshape(n, co, ho * wo)
        for g in range(groups):
            gx_g = gxp[:, g * cig : (g + 1) * cig]
            g_g = upstream[:, g * cog : (g + 1) * cog]
            for a in range(kh):
                for b in range(kw):
                    contribution = np.matmul(w[g * cog : (g + 1) * cog, :, a, b].T, g_g)
                    view = _tap_view(gx_g, a, b, ho, wo, stride, dilation)
                    view += contribution.reshape(n, cig, ho, wo)
    return gxp[:, :, top : top + h, left : left + wd]


def _conv2d_grad_weight(x, grad_out, kernel_hw, stride, dilation, pads, groups):
    n, co, ho, wo = grad_out.shape
    kh, kw = kernel_hw
    cig = x.shape[1] // groups
    cog = co // groups
    xp = np.ascontiguousarray(pad(x, pads) if any(pads[0] + pads[1]) else x)
    hp, wp = xp.shape[2:]
    gw = np.zeros((co, cig, kh, kw))
    if stride == (1, 1):
        length, starts = _row_runs(hp, wp, kh, kw, ho, wo, dilation)
        upstream = _on_grid(grad_out, wp, length)
        flat = xp.reshape(n, x.shape[1], hp * wp)
        for g, sample in np.ndindex(groups, n):
            g_g = upstream[sample, g * cog : (g + 1) * cog]
            for a, b, start in starts:
                taps = flat[sample, g * cig : (g + 1) * cig, start : start + length]
                gw[g * cog : (g + 1) * cog, :, a, b] += g_g @ taps.T
        return gw
    upstream = grad_out.reshape(n, co, ho * wo)
    for g in range(groups):
        xs_g = xp[:, g * cig : (g + 1) * cig]
        g_g = upstream[:, g * cog : (g + 1) * cog]
        for a in range(kh):
            for b in range(kw):
                taps = _tap_view(xs_g, a, b, ho, wo, stride, dilation).reshape(n, cig, ho * wo)
                product = np.matmul(g_g, taps.transpose(0, 2, 1))
                gw[g * cog : (g + 1) * cog, :, a, b] = product.sum(axis=0)
    return gw


def conv2d_backward(x, w, grad_out, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Gradients of conv2d: (grad_input, grad_weight, grad_bias) for upstream ``grad_out``."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    grad_out = np.asarray(grad_out, dtype=float)
    stride, dilation, pads = _pair(stride), _pair(dilation), _pads(padding)
    groups = int(groups)
    grad_input = _conv2d_grad_input(grad_out, w, x.shape[2:], stride, dilation, pads, groups)
    grad_weight = _conv2d_grad_weight(x, grad_out, w.shape[2:], stride, dilation, pads, groups)
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    return grad_input, grad_weight, grad_bias


def transpose_size(size, kernel, stride, padding, output_padding, dilation) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose2d(
    x,
    w,
    bias=None,
    stride=(1, 1),
    padding=(0, 0),
    output_padding=(0, 0),
    dilation=(1, 1),
    groups=1,
):
    """PyTorch ``conv_transpose2d``: x (N,C,H,W), w (C, Co/groups, kh, kw)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    stride, dilation = _pair(stride), _pair(dilation)
    padding, output_padding = _pair(padding), _pair(output_padding)
    groups = int(groups)
    _, cog, kh, kw = w.shape
    size = tuple(
        transpose_size(
            x.shape[2 + a], w.shape[2 + a], stride[a], padding[a], output_padding[a], dilation[a]
        )
        for a in range(2)
    )
    # A transposed convolution is the input-gradient of the convolution it mirrors: that
    # convolution maps a tensor of the output's size to x's size with the same weights.
    pads = ((padding[0], padding[0]), (padding[1], padding[1]))
    out = _conv2d_grad_input(x, w, size, stride, dilation, pads, groups)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float).reshape(1, cog * groups, 1, 1)
    return out


def conv_transpose2d_backward(
    x,
    w,
    grad_out,
    stride=(1, 1),
    padding=(0, 0),
    output_padding=(0, 0),
    dilation=(1, 1),
    groups=1,
):
    """Gradients of conv_transpose2d: (grad_input, grad_weight, grad_bias)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    grad_out = np.asarray(grad_out, dtype=float)
    stride, dilation = _pair(stride), _pair(dilation)
    padding = _pair(padding)
    groups = int(groups)
    pads = ((padding[0], padding[0]), (padding[1], padding[1]))
    h, wd = x.shape[2:]
    grad_input = conv2d(grad_out, w, None, stride, pads, dilation, groups)[:, :, :h, :wd]
    grad_weight = _conv2d_grad_weight(grad_out, x, w.shape[2:], stride, dilation, pads, groups)
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    return grad_input, grad_weight, grad_bias


def corr2d(x2d, w2d):
    """Valid 2-D cross-correlation of one matrix with one kernel (d2l's ``corr2d``)."""
    x2d = np.asarray(x2d, dtype=float)
    w2d = np.asarray(w2d, dtype=float)
    return conv2d(x2d[None, None], w2d[None, None])[0, 0]


# ------------------------------------------------------ tensors in the rank given


def as4d(t):
    """A data tensor given as (H,W), (C,H,W) or (N,C,H,W), as (N,C,H,W)."""
    t = np.asarray(t, dtype=float)
    return t.reshape((1,) * (4 - t.ndim) + t.shape)


def kernel4d(w, transpose=False):
    """A kernel as (Co,Ci,kh,kw); transposed layout (Ci,Co,kh,kw). 2-D/3-D kernels are one slice."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 2:
        return w[None, None]
    if w.ndim == 3:
        return w[:, None] if transpose else w[None]
    return w


def as_given(t4, ndim: int):
    """Drop the leading batch/channel axes that a 2-D or 3-D input did not have."""
    return t4.reshape(t4.shape[4 - ndim :]) if ndim < 4 else t4


def _bias_or_none(bias, channels: int):
    b = np.asarray(bias, dtype=float)
    if b.size == 1 and b.reshape(-1)[0] == 0:
        return None
    return np.broadcast_to(b.reshape(-1), (channels,))


def conv(X, W, B=0, S=1, P=0, D=1, groups=1):
    """conv2d on tensors in the rank they were given (formula helper)."""
    x4, w4 = as4d(X), kernel4d(W)
    out = conv2d(x4, w4, _bias_or_none(B, w4.shape[0]), S, P, D, groups)
    return as_given(out, np.ndim(X))


def conv_grad_weight(X, G, W, S=1, P=0, D=1, groups=1):
    """∂L/∂W of conv2d for upstream G, in the kernel's rank (formula helper)."""
    gw = _conv2d_grad_weight(
        as4d(X), as4d(G), np.shape(W)[-2:], _pair(S), _pair(D), _pads(P), int(groups)
    )
    return gw.reshape(np.shape(W))


def full_corr(Gp, Wr, D=1, groups=1):
    """Correlate the padded upstream with the rotated kernel, summing over output channels."""
    g4, w4 = as4d(Gp), kernel4d(Wr)
    groups = int(groups)
    cog = w4.shape[0] // groups
    parts = [
        conv2d(
            g4[:, g * cog : (g + 1) * cog],
            w4[g * cog : (g + 1) * cog].transpose(1, 0, 2, 3),
            dilation=D,
        )
        for g in range(groups)
    ]
    return as_given(np.concatenate(parts, axis=1), np.ndim(Gp))


def sum_cells(G):
    """Sum of the upstream per output channel (∂L/∂b)."""
    G = np.asarray(G, dtype=float)
    if G.ndim == 2:
        return G.sum()
    return G.sum(axis=(1, 2)) if G.ndim == 3 else G.sum(axis=(0, 2, 3))


def conv_t(X, W, B=0, S=1, P=0, A=0, D=1, groups=1):
    """conv_transpose2d on tensors in the rank they were given (formula helper)."""
    x4, w4 = as4d(X), kernel4d(W, transpose=True)
    bias = _bias_or_none(B, w4.shape[1] * int(groups))
    return as_given(conv_transpose2d(x4, w4, bias, S, P, A, D, groups), np.ndim(X))


def _conv_t_grads(X, W, G, S, P, A, D, groups):
    x4, w4 = as4d(X), kernel4d(W, transpose=True)
    return conv_transpose2d_backward(x4, w4, as4d(G), S, P, A, D, groups)


def conv_t_grad_input(X, W, G, S=1, P=0, A=0, D=1, groups=1):
    return _conv_t_grads(X, W, G, S, P, A, D, groups)[0].reshape(np.shape(X))


def conv_t_grad_weight(X, W, G, S=1, P=0, A=0, D=1, groups=1):
    return _conv_t_grads(X, W, G, S, P, A, D, groups)[1].reshape(np.shape(W))


FORMULA_FUNCTIONS = {
    "corr2d": corr2d,
    "rot180": rot180,
    "dilate": dilate,
    "pad": pad,
    "crop": crop,
    "conv": conv,
    "conv_grad_weight": conv_grad_weight,
    "full_corr": full_corr,
    "sum_cells": sum_cells,
    "conv_t": conv_t,
    "conv_t_grad_input": conv_t_grad_input,
    "conv_t_grad_weight": conv_t_grad_weight,
}


# ------------------------------------------------------------ worked solutions

SHOWN_CELLS = 64
"""Cells per channel up to which every cell gets its own written-out step."""
SHOWN_STEPS = 256
"""Written-out steps in one group at most (all channels together)."""
SHOWN_TERMS = 100
"""Products in one written-out sum at most."""
RESULT_KEYS = ("output", "grad_input", "grad_weight", "grad_bias")


@dataclass(frozen=True)
class ConvSpec:
    """Layer settings; each pair is (height, width)."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    flip: bool = False
    transpose: bool = False
    output_padding: tuple[int, int] = (0, 0)


SHOWN_INPUT_CELLS = 128
"""Given tensors up to this size are printed above the steps (JSON always has them)."""


def shown(tensors: dict) -> dict:
    """The given tensors small enough to print side by side above the steps."""
    return {
        label: value
        for label, value in tensors.items()
        if value is not None and np.size(value) <= SHOWN_INPUT_CELLS
    }


def upstream_like(grad_output, expected: tuple[int, ...]):
    """The given upstream gradient in the output's shape (axes of length 1 may differ)."""
    given = np.asarray(grad_output, dtype=float)
    if given.shape != expected and [s for s in given.shape if s != 1] != [
        s for s in expected if s != 1
    ]:
        raise StepcalcError(
            f"--grad-output: shape {_shape_text(given.shape)} does not match the output "
            f"shape {_shape_text(expected)}"
        )
    return given.reshape(expected)


def _shape_text(shape) -> str:
    return "×".join(str(n) for n in shape) if len(shape) else "scalar"


def _index_text(index) -> str:
    return "[" + ",".join(str(i) for i in index) + "]"


def _written(cells_per_channel: int, steps: int, terms: int) -> bool:
    return cells_per_channel <= SHOWN_CELLS and steps <= SHOWN_STEPS and terms <= SHOWN_TERMS


ZERO = ("0", 0.0)
"""A padding or dilation cell in a written-out sum: a literal 0, not a named input."""


def _products(terms) -> tuple[str, dict]:
    """``a*b + c*d`` over named cells, with the numbers as inputs (``0`` when nothing).

    Each term is a pair of cells, each cell a (name, value).
    """
    inputs: dict[str, float] = {}
    parts = []
    for (name_a, value_a), (name_b, value_b) in terms:
        parts.append(f"{name_a}*{name_b}")
        inputs[name_a] = value_a
        inputs[name_b] = value_b
    inputs.pop(ZERO[0], None)
    return (" + ".join(parts) or "0"), inputs


def _same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """PyTorch's 'same' for stride 1; for larger strides TensorFlow's (output ⌈H/S⌉)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return (total // 2, total - total // 2)


class _Work:
    """One conv problem in (N,C,H,W) layout with the names of its cells in the given ranks."""

    def __init__(self, x, w, bias, spec: ConvSpec, ctx: Ctx):
        self.x, self.w, self.bias, self.spec, self.ctx = x, w, bias, spec, ctx
        self.x4 = as4d(x)
        self.w4 = kernel4d(w, spec.transpose)
        self.g4 = None
        self.n, self.c, self.h, self.wd = self.x4.shape
        self.kh, self.kw = self.w4.shape[2:]
        self.groups = spec.groups
        self.sh, self.sw = spec.stride
        self.dh, self.dw = spec.dilation
        if spec.transpose:
            self.cig = self.c // self.groups
            self.cog = self.w4.shape[1]
            self.co = self.cog * self.groups
        else:
            self.cig = self.w4.shape[1]
            self.co = self.w4.shape[0]
            self.cog = self.co // max(self.groups, 1)
        self.trace = Trace(command="conv", inputs={})

    # cells as (name, value), named by their index in the tensor as the student wrote it
    def x_cell(self, n, c, i, j) -> tuple[str, float]:
        return _name("x", (n, c, i, j)[4 - self.x.ndim :]), float(self.x4[n, c, i, j])

    def g_cell(self, n, o, i, j) -> tuple[str, float]:
        return _name("g", (n, o, i, j)[4 - self.x.ndim :]), float(self.g4[n, o, i, j])

    def w_cell(self, first, second, a, b) -> tuple[str, float]:
        return _name("w", self.kernel_index(first, second, a, b)), float(
            self.w4[first, second, a, b]
        )

    def b_cell(self, o) -> tuple[str, float]:
        name = "b" if np.ndim(self.bias) == 0 else f"b_{o}"
        return name, float(np.reshape(self.bias, -1)[o])

    def kernel_index(self, first, second, a, b) -> tuple[int, ...]:
        if self.w.ndim == 3 and self.spec.transpose:
            return (first, a, b)
        return (first, second, a, b)[4 - self.w.ndim :]

    def data_label(self, n, c, i, j) -> str:
        return _index_text((n, c, i, j)[4 - self.x.ndim :])

    def kernel_label(self, first, second, a, b) -> str:
        return _index_text(self.kernel_index(first, second, a, b))

    def given(self, t4):
        return as_given(t4, self.x.ndim)

    def add(self, phase, title, formula, value, inputs, **extra) -> None:
        self.trace.add(Step(phase, title, formula, value, inputs, **extra))

    def add_call(self, phase, title, call: tuple[str, dict], value, **extra) -> None:
        """A whole-tensor step whose formula is a ``formula_call``."""
        formula, inputs = call
        self.add(phase, title, formula, value, inputs, **extra)

    def cell_steps(self, phase, values4, title, terms_of, rule, with_bias=False) -> None:
        """One written-out sum of products per cell of ``values4``."""
        for index in np.ndindex(values4.shape):
            formula, inputs = _products(terms_of(*index))
            if with_bias:
                name, value = self.b_cell(index[1])
                formula += f" + {name}"
                inputs[name] = value
            self.add(phase, title(*index), formula, float(values4[index]), inputs, rule=rule)


def _name(prefix: str, index) -> str:
    return prefix + "_" + "_".join(map(str, index))


def convolve(x, w, bias, spec: ConvSpec, ctx: Ctx, grad_output=None, backward=False) -> Trace:
    """``conv`` (or ``conv --transpose``): forward, and backward with an upstream gradient."""
    work = _Work(x, w, bias, spec, ctx)
    _check_shapes(work)
    if spec.transpose:
        _transpose_forward(work)
    else:
        _forward(work)
    if backward or grad_output is not None:
        _upstream(work, grad_output)
        if spec.transpose:
            _transpose_backward(work)
        else:
            _backward(work)
    result = work.trace.result
    work.trace.result = {key: result[key] for key in RESULT_KEYS if key in result}
    return work.trace


# ---------------------------------------------------------------- validation


def _check_shapes(work: _Work) -> None:
    spec, x, w = work.spec, work.x, work.w
    x_shape, w_shape = _shape_text(x.shape), _shape_text(w.shape)
    if spec.transpose and spec.flip:
        raise StepcalcError("--flip: not used with --transpose")
    if spec.groups < 1:
        raise StepcalcError(f"--groups: must be at least 1, got {spec.groups}")
    if work.c % spec.groups:
        raise StepcalcError(
            f"--groups: {spec.groups} groups do not divide the {work.c} input channels"
        )
    wanted_in = work.w4.shape[0] if spec.transpose else work.cig * spec.groups
    if wanted_in != work.c:
        raise StepcalcError(
            f"--kernel: kernel {w_shape} takes {wanted_in} input channel(s) "
            f"but --input {x_shape} has {work.c}"
        )
    if not spec.transpose and work.co % spec.groups:
        raise StepcalcError(
            f"--groups: {spec.groups} groups do not divide the {work.co} filters of --kernel"
        )
    if x.ndim == 2 and work.co != 1:
        raise StepcalcError(
            f"--kernel: a 2-D --input ({x_shape}) gives a 2-D output, so the kernel must be "
            f"one filter kh×kw; got {w_shape} (give the input as C×H×W)"
        )
    if work.bias is not None:
        size = np.size(work.bias)
        if np.ndim(work.bias) > 1 or size != work.co:
            raise StepcalcError(
                f"--bias: expected {work.co} number(s), one per output channel, got {size}"
            )
    if spec.transpose:
        _transpose_geometry(work)
    else:
        _conv_geometry(work)


def _conv_geometry(work: _Work) -> None:
    spec = work.spec
    if spec.padding == "same":
        work.pads = (
            _same_padding(work.h, work.kh, work.sh, work.dh),
            _same_padding(work.wd, work.kw, work.sw, work.dw),
        )
    else:
        work.pads = ((spec.padding[0],) * 2, (spec.padding[1],) * 2)
    (top, bottom), (left, right) = work.pads
    work.hp, work.wp = work.h + top + bottom, work.wd + left + right
    span_h, span_w = work.dh * (work.kh - 1) + 1, work.dw * (work.kw - 1) + 1
    if span_h > work.hp or span_w > work.wp:
        raise StepcalcError(
            f"--kernel: the kernel {work.kh}×{work.kw} spans {span_h}×{span_w} but the padded "
            f"input is only {work.hp}×{work.wp}"
        )
    work.ho = (work.hp - span_h) // work.sh + 1
    work.wo = (work.wp - span_w) // work.sw + 1
    _check_elements("--input", work.n * work.c * work.hp * work.wp, "padded input")
    _check_elements("--kernel", work.n * work.co * work.ho * work.wo, "output")


def _transpose_geometry(work: _Work) -> None:
    spec = work.spec
    if spec.padding == "same":
        raise StepcalcError("--padding: 'same' is not defined for transposed convolution")
    for axis, name in enumerate(("height", "width")):
        limit = max(spec.stride[axis], spec.dilation[axis])
        if spec.output_padding[axis] >= limit:
            raise StepcalcError(
                f"--output-padding: must be smaller than the stride or the dilation ({limit}) "
                f"along the {name}, got {spec.output_padding[axis]}"
            )
    work.pads = ((spec.padding[0],) * 2, (spec.padding[1],) * 2)
    work.ho, work.wo = (
        transpose_size(
            (work.h, work.wd)[a],
            (work.kh, work.kw)[a],
            spec.stride[a],
            spec.padding[a],
            spec.output_padding[a],
            spec.dilation[a],
        )
        for a in range(2)
    )
    if work.ho < 1 or work.wo < 1:
        raise StepcalcError(
            f"--padding: the transposed output would be {work.ho}×{work.wo}; use less padding"
        )
    full = (work.ho + 2 * spec.padding[0]) * (work.wo + 2 * spec.padding[1])
    _check_elements("--input", work.n * work.co * full, "output before cropping")


def _check_elements(option: str, count: int, what: str) -> None:
    if count > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"{option}: the {what} would have {count:,} elements, above the limit of "
            f"{limits.MAX_TENSOR_ELEMENTS:,}"
        )


# ------------------------------------------------------------------ forward


def _header(work: _Work) -> None:
    spec, ctx, trace = work.spec, work.ctx, work.trace
    kind = "transpose" if spec.transpose else ("convolution" if spec.flip else "correlation")
    (top, bottom), (left, right) = work.pads
    padding = (
        f"{top},{left}" if (top, left) == (bottom, right) else f"{top}/{bottom},{left}/{right}"
    )
    parts = [
        ctx.t(f"conv.op_{kind}"),
        ctx.t("conv.stride", value=f"{work.sh},{work.sw}"),
        ctx.t("conv.padding", value=padding),
    ]
    if spec.dilation != (1, 1):
        parts.append(ctx.t("conv.dilation", value=f"{work.dh},{work.dw}"))
    if spec.groups != 1:
        parts.append(ctx.t("conv.groups", value=spec.groups))
    if spec.transpose and spec.output_padding != (0, 0):
        parts.append(ctx.t("conv.output_padding", value=",".join(map(str, spec.output_padding))))
    trace.title = ctx.t("conv.title_transpose" if spec.transpose else "conv.title")
    trace.subtitle = ", ".join(parts) + "   " + ctx.t("conv.out_size", h=work.ho, w=work.wo)
    trace.inputs = {
        "input": work.x,
        "kernel": work.w,
        "bias": work.bias,
        "stride": list(spec.stride),
        "padding": spec.padding if isinstance(spec.padding, str) else list(spec.padding),
        "padding_sides": [list(work.pads[0]), list(work.pads[1])],
        "dilation": list(spec.dilation),
        "groups": spec.groups,
        "flip": spec.flip,
        "transpose": spec.transpose,
    }
    if spec.transpose:
        trace.inputs["output_padding"] = list(spec.output_padding)
    trace.shown_inputs = shown(
        {
            ctx.t("conv.input_label"): work.x,
            ctx.t("conv.kernel_label"): work.w,
            ctx.t("conv.bias_label"): work.bias,
        }
    )
    trace.notes.append(ctx.t(f"conv.note_{kind}"))
    if spec.padding == "same":
        trace.notes.append(ctx.t("conv.note_same", top=top, bottom=bottom, left=left, right=right))
        if spec.stride != (1, 1):
            trace.notes.append(ctx.t("outsize.same_strided", stride=f"{work.sh},{work.sw}"))
    if not spec.transpose:
        for axis, lost in (
            ("height", (work.hp - work.dh * (work.kh - 1) - 1) % work.sh),
            ("width", (work.wp - work.dw * (work.kw - 1) - 1) % work.sw),
        ):
            if lost:
                trace.notes.append(ctx.t("conv.note_floor", axis=ctx.t(f"conv.{axis}"), lost=lost))


def _geometry(work: _Work) -> list:
    pads = [list(work.pads[0]), list(work.pads[1])]
    if work.pads[0][0] == work.pads[0][1] and work.pads[1][0] == work.pads[1][1]:
        pads = [work.pads[0][0], work.pads[1][0]]
    return [
        ("S", list(work.spec.stride), 1),
        ("P", pads, 0),
        ("D", list(work.spec.dilation), 1),
        ("groups", work.groups, 1),
    ]


def compact_setting(value):
    """A setting as written in a formula: one int when every entry is that int."""
    flat = np.asarray(value, dtype=float).ravel()
    if flat.size and np.all(flat == flat[0]) and float(flat[0]).is_integer():
        return int(flat[0])
    return value


def formula_call(function: str, args: list, tensors: dict, settings: list) -> tuple[str, dict]:
    """``function(T1, T2, s1, s2 …)`` with trailing default settings left out.

    ``settings`` holds (name, value, default); whole numbers are written into the formula,
    anything else becomes a named input.
    """
    inputs = dict(tensors)
    args = list(args)
    values = [(name, compact_setting(value), default) for name, value, default in settings]
    while values and isinstance(values[-1][1], int) and values[-1][1] == values[-1][2]:
        values.pop()
    for name, value, _ in values:
        if isinstance(value, int):
            args.append(str(value))
        else:
            args.append(name)
            inputs[name] = value
    return f"{function}({', '.join(args)})", inputs


def _bias_setting(work: _Work) -> tuple:
    return ("B", 0 if work.bias is None else work.bias, 0)


def _kernel_tap(work: _Work, a: int, b: int) -> tuple[int, int]:
    """The kernel cell met at window position (a, b): itself, or its mirror for --flip."""
    if work.spec.flip:
        return (work.kh - 1 - a, work.kw - 1 - b)
    return (a, b)


def _input_cell(work: _Work, i: int, j: int, a: int, b: int):
    """The input cell that window position (a, b) of output cell (i, j) meets, or None
    when it falls in the zero padding."""
    (top, _), (left, _) = work.pads
    r = i * work.sh + a * work.dh - top
    q = j * work.sw + b * work.dw - left
    return (r, q) if 0 <= r < work.h and 0 <= q < work.wd else None


def _forward(work: _Work) -> None:
    ctx, spec = work.ctx, work.spec
    _header(work)
    used4 = work.w4[..., ::-1, ::-1] if spec.flip else work.w4
    if spec.flip:
        work.add(
            "forward", ctx.t("conv.rotated"), "rot180(W)", ctx.r(rot180(work.w)), {"W": work.w}
        )
    if any(work.pads[0] + work.pads[1]):
        work.add_call(
            "forward",
            ctx.t("conv.padded_input"),
            formula_call("pad", ["X"], {"X": work.x}, [_geometry(work)[1][:2] + (None,)]),
            ctx.r(work.given(pad(work.x4, work.pads))),
        )
    bias4 = None if work.bias is None else np.reshape(work.bias, -1)
    out4 = ctx.r(conv2d(work.x4, used4, bias4, spec.stride, work.pads, spec.dilation, work.groups))
    with_bias = " + b" if work.bias is not None else ""

    def window_terms(n, o, i, j):
        group = o // work.cog
        terms = []
        for c, a, b in np.ndindex(work.cig, work.kh, work.kw):
            cell = _input_cell(work, i, j, a, b)
            channel = group * work.cig + c
            source = ZERO if cell is None else work.x_cell(n, channel, *cell)
            terms.append((source, work.w_cell(o, c, *_kernel_tap(work, a, b))))
        return terms

    if _written(work.ho * work.wo, out4.size, work.cig * work.kh * work.kw):
        work.cell_steps(
            "forward",
            out4,
            lambda n, o, i, j: "O" + work.data_label(n, o, i, j),
            window_terms,
            ("Σ X⊙rot180(W)" if spec.flip else "Σ X⊙W") + with_bias,
            with_bias=work.bias is not None,
        )
    else:
        work.trace.notes.append(ctx.t("conv.note_elided", limit=SHOWN_CELLS))
    output = work.given(out4)
    work.add_call(
        "forward",
        ctx.t("conv.output"),
        formula_call(
            "conv",
            ["X", "rot180(W)" if spec.flip else "W"],
            {"X": work.x, "W": work.w},
            [_bias_setting(work), *_geometry(work)],
        ),
        output,
        rule=("X ⋆ rot180(W)" if spec.flip else "X ⋆ W") + with_bias,
        key="output",
    )
    work.trace.result["output"] = output


def _upstream(work: _Work, grad_output) -> None:
    ctx = work.ctx
    expected = work.given(np.zeros((work.n, work.co, work.ho, work.wo))).shape
    if grad_output is None:
        given = np.ones(expected)
        note = ctx.t("conv.ones_note")
    else:
        given = upstream_like(grad_output, expected)
        note = ""
    work.trace.inputs["grad_output"] = given
    work.trace.inputs["backward"] = True
    work.add("backward", ctx.t("conv.upstream"), "G", given, {"G": given}, note=note)
    work.g4 = as4d(given)


def _grad_bias(work: _Work) -> None:
    if work.bias is None:
        work.trace.result["grad_bias"] = None
        return
    grad = work.ctx.r(work.g4.sum(axis=(0, 2, 3)))
    scalar = np.ndim(work.bias) == 0
    value = float(grad[0]) if scalar else grad
    written = _written(work.ho * work.wo, work.co, work.n * work.ho * work.wo)
    if written:
        for o in range(work.co):
            cells = [work.g_cell(n, o, i, j) for n, i, j in np.ndindex(work.n, work.ho, work.wo)]
            work.add(
                "backward",
                "∂L/∂b" + ("" if scalar else f"[{o}]"),
                " + ".join(name for name, _ in cells),
                float(grad[o]),
                dict(cells),
                rule="Σ G",
                key="grad_bias" if scalar else None,
            )
    if not (written and scalar):
        work.add(
            "backward",
            "∂L/∂b",
            "sum_cells(G)",
            value,
            {"G": work.given(work.g4)},
            rule="Σ G",
            key="grad_bias",
        )
    work.trace.result["grad_bias"] = value


# ----------------------------------------------------------------- backward


def _backward(work: _Work) -> None:
    ctx, spec, g4 = work.ctx, work.spec, work.g4
    _grad_bias(work)
    grad_used = _conv2d_grad_weight(
        work.x4, g4, (work.kh, work.kw), spec.stride, spec.dilation, work.pads, work.groups
    )
    grad_w4 = ctx.r(grad_used[..., ::-1, ::-1] if spec.flip else grad_used)

    def kernel_terms(o, c, ka, kb):
        a, b = _kernel_tap(work, ka, kb)
        channel = (o // work.cog) * work.cig + c
        terms = []
        for n, i, j in np.ndindex(work.n, work.ho, work.wo):
            cell = _input_cell(work, i, j, a, b)
            source = ZERO if cell is None else work.x_cell(n, channel, *cell)
            terms.append((work.g_cell(n, o, i, j), source))
        return terms

    _kernel_grad_steps(work, grad_w4, kernel_terms, work.n * work.ho * work.wo, "Σ G⊙X_window")
    grad_weight = grad_w4.reshape(work.w.shape)
    formula, inputs = formula_call(
        "conv_grad_weight",
        ["X", "G", "rot180(W)" if spec.flip else "W"],
        {"X": work.x, "G": work.given(g4), "W": work.w},
        _geometry(work),
    )
    work.add(
        "backward",
        ctx.t("conv.grad_weight"),
        f"rot180({formula})" if spec.flip else formula,
        grad_weight,
        inputs,
        rule="X ⋆ G",
        key="grad_weight",
    )
    work.trace.result["grad_weight"] = grad_weight
    _grad_input(work)


def _kernel_grad_steps(work: _Work, grad_w4, kernel_terms, terms: int, rule: str) -> None:
    """∂L/∂W cell by cell, when the kernel is small and the sums short."""
    if _written(work.kh * work.kw, grad_w4.size, terms):
        work.cell_steps(
            "backward",
            grad_w4,
            lambda *index: "∂L/∂W" + work.kernel_label(*index),
            kernel_terms,
            rule,
        )


def _grad_input(work: _Work) -> None:
    """Full correlation of the dilated, padded upstream with the rotated kernel; then crop."""
    ctx, spec, g4 = work.ctx, work.spec, work.g4
    rotated = ctx.r(work.w4 if spec.flip else work.w4[..., ::-1, ::-1])
    if spec.flip:
        work.trace.notes.append(ctx.t("conv.note_flip_back"))
    else:
        work.add("backward", ctx.t("conv.rotated"), "rot180(W)", rot180(work.w), {"W": work.w})
    upstream, source = work.given(g4), "G"
    if (work.sh, work.sw) != (1, 1):
        upstream, source = ctx.r(dilate(upstream, spec.stride)), "G_dil"
        work.add_call(
            "backward",
            ctx.t("conv.dilated"),
            formula_call("dilate", ["G"], {"G": work.given(g4)}, [("S", list(spec.stride), None)]),
            upstream,
            note=ctx.t("conv.dilated_note", sh=work.sh - 1, sw=work.sw - 1),
        )
    full_h, full_w = work.dh * (work.kh - 1), work.dw * (work.kw - 1)
    extra_h = work.hp - (work.ho - 1) * work.sh - 1 - full_h
    extra_w = work.wp - (work.wo - 1) * work.sw - 1 - full_w
    full_pads = [[full_h, full_h + extra_h], [full_w, full_w + extra_w]]
    _check_elements(
        "--grad-output",
        work.n * work.co * (work.hp + full_h) * (work.wp + full_w),
        "padded upstream",
    )
    padded = ctx.r(pad(upstream, full_pads))
    work.add_call(
        "backward",
        ctx.t("conv.padded_upstream"),
        formula_call("pad", [source], {source: upstream}, [("PF", full_pads, None)]),
        padded,
        note=ctx.t("conv.padded_upstream_note", ph=full_h, pw=full_w)
        + (ctx.t("conv.padded_upstream_extra") if extra_h or extra_w else ""),
    )
    grad_padded4 = ctx.r(full_corr(as4d(padded), rotated, spec.dilation, work.groups))
    cropped = any(work.pads[0] + work.pads[1])

    def rotated_window_terms(n, channel, r, q):
        group, c = divmod(channel, work.cig)
        terms = []
        for o, u, v in np.ndindex(work.cog, work.kh, work.kw):
            a, b = work.kh - 1 - u, work.kw - 1 - v
            i, rest_i = divmod(r - a * work.dh, work.sh)
            j, rest_j = divmod(q - b * work.dw, work.sw)
            o_all = group * work.cog + o
            kernel = work.w_cell(o_all, c, *_kernel_tap(work, a, b))
            inside = not (rest_i or rest_j) and 0 <= i < work.ho and 0 <= j < work.wo
            terms.append((work.g_cell(n, o_all, i, j) if inside else ZERO, kernel))
        return terms

    if _written(work.hp * work.wp, grad_padded4.size, work.cog * work.kh * work.kw):
        prefix = "∂L/∂X_pad" if cropped else "∂L/∂X"
        work.cell_steps(
            "backward",
            grad_padded4,
            lambda *index: prefix + work.data_label(*index),
            rotated_window_terms,
            "Σ G_pad⊙rot180(W)",
        )
    grad_padded = work.given(grad_padded4)
    work.add_call(
        "backward",
        ctx.t("conv.grad_padded") if cropped else ctx.t("conv.grad_input"),
        formula_call(
            "full_corr",
            ["G_pad", "W_rot"],
            {"G_pad": padded, "W_rot": rotated.reshape(work.w.shape)},
            _geometry(work)[2:],
        ),
        grad_padded,
        rule="G_pad ⋆ rot180(W)",
        key=None if cropped else "grad_input",
    )
    grad_input = grad_padded
    if cropped:
        (top, _), (left, _) = work.pads
        grad_input = crop(grad_padded, top, left, work.h, work.wd)
        work.add(
            "backward",
            ctx.t("conv.grad_input"),
            "crop(dX_pad, top, left, height, width)",
            grad_input,
            {"dX_pad": grad_padded, "top": top, "left": left, "height": work.h, "width": work.wd},
            note=ctx.t("conv.crop_note"),
            key="grad_input",
        )
    work.trace.result["grad_input"] = grad_input


# ------------------------------------------------------- transposed convolution


def _transpose_settings(work: _Work) -> list:
    spec = work.spec
    return [
        ("S", list(spec.stride), 1),
        ("P", list(spec.padding), 0),
        ("A", list(spec.output_padding), 0),
        ("D", list(spec.dilation), 1),
        ("groups", work.groups, 1),
    ]


def _landing(work: _Work, i: int, j: int, a: int, b: int):
    """Where input cell (i, j) times kernel cell (a, b) lands in the output, or None."""
    ph, pw = work.spec.padding
    r, q = i * work.sh + a * work.dh - ph, j * work.sw + b * work.dw - pw
    return (r, q) if 0 <= r < work.ho and 0 <= q < work.wo else None


def _transpose_forward(work: _Work) -> None:
    ctx, spec = work.ctx, work.spec
    _header(work)
    ph, pw = spec.padding
    bias4 = None if work.bias is None else np.reshape(work.bias, -1)
    out4 = ctx.r(
        conv_transpose2d(
            work.x4,
            work.w4,
            bias4,
            spec.stride,
            spec.padding,
            spec.output_padding,
            spec.dilation,
            work.groups,
        )
    )
    if _written(work.h * work.wd, work.x4.size, 1):
        for n, c, i, j in np.ndindex(work.x4.shape):
            name, value = work.x_cell(n, c, i, j)
            piece = work.w if work.w.ndim == 2 else work.w[c]
            kernel_name = "W" if work.w.ndim == 2 else f"W_{c}"
            work.add(
                "forward",
                "x" + work.data_label(n, c, i, j) + "·W",
                f"{name}*{kernel_name}",
                ctx.r(value * piece),
                {name: value, kernel_name: piece},
                note=ctx.t("conv.scatter_note", row=i * work.sh - ph, col=j * work.sw - pw),
            )

    def landed_terms(n, o, r, q):
        group, o_local = divmod(o, work.cog)
        terms = []
        for c, i, j, a, b in np.ndindex(work.cig, work.h, work.wd, work.kh, work.kw):
            if _landing(work, i, j, a, b) == (r, q):
                channel = group * work.cig + c
                terms.append((work.x_cell(n, channel, i, j), work.w_cell(channel, o_local, a, b)))
        return terms

    if _written(work.ho * work.wo, out4.size, work.cig * work.h * work.wd):
        work.cell_steps(
            "forward",
            out4,
            lambda n, o, r, q: "O" + work.data_label(n, o, r, q),
            landed_terms,
            "Σ x·w" + (" + b" if work.bias is not None else ""),
            with_bias=work.bias is not None,
        )
    else:
        work.trace.notes.append(ctx.t("conv.note_elided", limit=SHOWN_CELLS))
    output = work.given(out4)
    work.add_call(
        "forward",
        ctx.t("conv.output"),
        formula_call(
            "conv_t",
            ["X", "W"],
            {"X": work.x, "W": work.w},
            [_bias_setting(work), *_transpose_settings(work)],
        ),
        output,
        rule="Σ x·W placed at (i·S − P, j·S − P)",
        key="output",
    )
    work.trace.result["output"] = output


def _transpose_backward(work: _Work) -> None:
    ctx, spec, g4 = work.ctx, work.spec, work.g4
    _grad_bias(work)
    grad_x4, grad_w4, _ = conv_transpose2d_backward(
        work.x4,
        work.w4,
        g4,
        spec.stride,
        spec.padding,
        spec.output_padding,
        spec.dilation,
        work.groups,
    )
    grad_x4, grad_w4 = ctx.r(grad_x4), ctx.r(grad_w4)
    tensors = {"X": work.x, "W": work.w, "G": work.given(g4)}

    def input_terms(n, c, i, j):
        group = c // work.cig
        terms = []
        for o_local, a, b in np.ndindex(work.cog, work.kh, work.kw):
            landed = _landing(work, i, j, a, b)
            if landed is not None:
                o = group * work.cog + o_local
                terms.append((work.g_cell(n, o, *landed), work.w_cell(c, o_local, a, b)))
        return terms

    if _written(work.h * work.wd, grad_x4.size, work.cog * work.kh * work.kw):
        work.cell_steps(
            "backward",
            grad_x4,
            lambda *index: "∂L/∂X" + work.data_label(*index),
            input_terms,
            "Σ G_window⊙W",
        )
    grad_input = work.given(grad_x4)
    work.add_call(
        "backward",
        ctx.t("conv.grad_input"),
        formula_call("conv_t_grad_input", list(tensors), tensors, _transpose_settings(work)),
        grad_input,
        rule="G ⋆ W (stride S)",
        key="grad_input",
    )

    def kernel_terms(c, o_local, a, b):
        o = (c // work.cig) * work.cog + o_local
        terms = []
        for n, i, j in np.ndindex(work.n, work.h, work.wd):
            landed = _landing(work, i, j, a, b)
            if landed is not None:
                terms.append((work.x_cell(n, c, i, j), work.g_cell(n, o, *landed)))
        return terms

    _kernel_grad_steps(work, grad_w4, kernel_terms, work.n * work.h * work.wd, "Σ x⊙G_window")
    grad_weight = grad_w4.reshape(work.w.shape)
    work.add_call(
        "backward",
        ctx.t("conv.grad_weight"),
        formula_call("conv_t_grad_weight", list(tensors), tensors, _transpose_settings(work)),
        grad_weight,
        rule="X ⋆ G",
        key="grad_weight",
    )
    work.trace.result["grad_input"] = grad_input
    work.trace.result["grad_weight"] = grad_weight


def run(args, ctx: Ctx) -> Trace:
    from stepcalc.calc.shapes import pair
    from stepcalc.parse import parse_int_list

    def matrix(value):
        """A single number or a single row ("1 -1", d2l's edge detector) is a 1-row matrix."""
        return value if value is None or value.ndim >= 2 else value.reshape(1, -1)

    padding = str(args.padding).strip().lower()
    if padding == "valid":
        padding = "0"
    spec = ConvSpec(
        stride=pair(args.stride, "--stride", 1),
        padding="same"
        if padding == "same"
        else pair(parse_int_list(padding, "padding", 0, (1, 2)), "--padding", 0),
        dilation=pair(args.dilation, "--dilation", 1),
        groups=args.groups,
        flip=args.flip,
        transpose=args.transpose,
        output_padding=pair(args["output-padding"], "--output-padding", 0),
    )
    return convolve(
        matrix(args.input),
        matrix(args.kernel),
        args.bias,
        spec,
        ctx,
        grad_output=matrix(args["grad-output"]),
        backward=args.backward,
    )
