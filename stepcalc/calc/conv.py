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

import numpy as np

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


def conv2d(x, w, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """PyTorch ``conv2d`` (cross-correlation) in float64: x (N,C,H,W), w (Co,C/groups,kh,kw)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    stride, dilation, pads = _pair(stride), _pair(dilation), _pads(padding)
    n, c, h, wd = x.shape
    co, cig, kh, kw = w.shape
    groups = int(groups)
    ho = _out_len(h, kh, stride[0], *pads[0], dilation[0])
    wo = _out_len(wd, kw, stride[1], *pads[1], dilation[1])
    xp = pad(x, pads) if any(pads[0] + pads[1]) else x
    out = np.zeros((n, co, ho * wo))
    cog = co // groups
    for g in range(groups):
        xs_g = xp[:, g * cig : (g + 1) * cig]
        w_g = w[g * cog : (g + 1) * cog]
        acc = out[:, g * cog : (g + 1) * cog]
        for i in range(kh):
            for j in range(kw):
                taps = _tap_view(xs_g, i, j, ho, wo, stride, dilation).reshape(n, cig, ho * wo)
                acc += np.matmul(w_g[:, :, i, j], taps)
    out = out.reshape(n, co, ho, wo)
    if bias is not None:
        out += np.asarray(bias, dtype=float).reshape(1, co, 1, 1)
    return out


def _conv2d_grad_input(grad_out, w, input_hw, stride, dilation, pads, groups):
    """Adjoint of conv2d with respect to its input: scatter each tap back, then crop."""
    n, co, ho, wo = grad_out.shape
    _, cig, kh, kw = w.shape
    h, wd = input_hw
    (top, bottom), (left, right) = pads
    gxp = np.zeros((n, cig * groups, h + top + bottom, wd + left + right))
    flat = grad_out.reshape(n, co, ho * wo)
    cog = co // groups
    for g in range(groups):
        gx_g = gxp[:, g * cig : (g + 1) * cig]
        w_g = w[g * cog : (g + 1) * cog]
        g_g = flat[:, g * cog : (g + 1) * cog]
        for i in range(kh):
            for j in range(kw):
                contribution = np.matmul(w_g[:, :, i, j].T, g_g).reshape(n, cig, ho, wo)
                _tap_view(gx_g, i, j, ho, wo, stride, dilation)[...] += contribution
    return gxp[:, :, top : top + h, left : left + wd]


def _conv2d_grad_weight(x, grad_out, kernel_hw, stride, dilation, pads, groups):
    n, co, ho, wo = grad_out.shape
    kh, kw = kernel_hw
    cig = x.shape[1] // groups
    xp = pad(x, pads) if any(pads[0] + pads[1]) else x
    flat = grad_out.reshape(n, co, ho * wo)
    gw = np.zeros((co, cig, kh, kw))
    cog = co // groups
    for g in range(groups):
        xs_g = xp[:, g * cig : (g + 1) * cig]
        g_g = flat[:, g * cog : (g + 1) * cog]
        for i in range(kh):
            for j in range(kw):
                taps = _tap_view(xs_g, i, j, ho, wo, stride, dilation).reshape(n, cig, ho * wo)
                gw[g * cog : (g + 1) * cog, :, i, j] = np.einsum("nop,ncp->oc", g_g, taps)
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


FORMULA_FUNCTIONS = {
    "corr2d": corr2d,
    "rot180": rot180,
    "dilate": dilate,
    "pad": pad,
    "crop": crop,
}
