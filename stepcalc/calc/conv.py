"""Convolution: a float64 numeric core in PyTorch's layouts, then the worked solution.

Every number is a correlation, each cell a sum of window ⊙ kernel: O = conv(X_pad, W, S, D),
∂L/∂W = conv_dW(X_pad, G, S, D), ∂L/∂X = G_pad ⋆ rot180(W) (G dilated by S, padded by
D(K − 1) − P). A transposed convolution is the input gradient of the one it mirrors, so
``--transpose`` swaps the roles. A padding's negative side crops.
"""

from __future__ import annotations

from itertools import islice

import numpy as np

from stepcalc import limits
from stepcalc.context import Ctx
from stepcalc.errors import InputError, label
from stepcalc.formula import Work
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

# ------------------------------------------------------------------ numeric core


def _two(value) -> tuple[int, int]:
    flat = [int(v) for v in np.ravel(value)]
    return (flat[0], flat[-1])


def _sides(padding) -> tuple[int, int, int, int]:
    flat = [int(v) for v in np.ravel(padding)]
    return tuple(flat if len(flat) == 4 else np.repeat(flat, 4 // len(flat)).tolist())


def pad(x, padding):
    """Zero-pad the last two axes by (top, bottom, left, right); a negative side crops."""
    x = np.asarray(x, dtype=float)
    t, b, l, r = _sides(padding)  # noqa: E741
    widths = [(0, 0)] * (x.ndim - 2) + [(max(t, 0), max(b, 0)), (max(l, 0), max(r, 0))]
    grown = np.pad(x, widths)
    h, w = grown.shape[-2:]
    return grown[..., max(-t, 0) : h - max(-b, 0), max(-l, 0) : w - max(-r, 0)]


def rot180(w):
    """The kernel rotated by 180° (flipped along both spatial axes)."""
    return np.asarray(w, dtype=float)[..., ::-1, ::-1]


def dilate(g, stride):
    """Insert S − 1 zeros between neighbouring cells of the last two axes."""
    g = np.asarray(g, dtype=float)
    (sh, sw), (h, w) = _two(stride), g.shape[-2:]
    out = np.zeros(g.shape[:-2] + ((h - 1) * sh + 1, (w - 1) * sw + 1))
    out[..., ::sh, ::sw] = g
    return out


def _taps(xp, kernel, stride, dilation, out):
    """Each kernel tap's input cells as an (N, C, ho·grid) matrix, and the grid's width. At
    stride 1 the grid is as wide as the input (columns past wo are scratch): one run per tap."""
    n, c, hp, wp = xp.shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    if (sh, sw) == (1, 1):
        flat = np.pad(xp.reshape(n, c, -1), [(0, 0), (0, 0), (0, (kw - 1) * dw)])
        runs = (
            (a, b, flat[..., a * dh * wp + b * dw :][..., : ho * wp]) for a, b in np.ndindex(kh, kw)
        )
        return runs, wp
    views = (
        (a, b, xp[..., a * dh :: sh, b * dw :: sw][..., :ho, :wo]) for a, b in np.ndindex(kh, kw)
    )
    return ((a, b, view.reshape(n, c, -1)) for a, b, view in views), wo


def _out_size(xp, kernel, stride, dilation):
    return [(xp.shape[2 + a] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1 for a in (0, 1)]


def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """PyTorch ``conv2d`` (cross-correlation) in float64: x (N,C,H,W), w (Co,C/groups,kh,kw)."""
    w, xp = np.asarray(w, dtype=float), pad(x, padding)
    stride, dilation, groups = _two(stride), _two(dilation), int(groups)
    n, (co, cig, kh, kw) = xp.shape[0], w.shape
    out = _out_size(xp, (kh, kw), stride, dilation)
    taps, grid = _taps(xp, (kh, kw), stride, dilation, out)
    per_group = w.reshape(groups, co // groups, cig, kh, kw)
    total = sum(per_group[..., a, b] @ tap.reshape(n, groups, cig, -1) for a, b, tap in taps)
    total = total.reshape(n, co, out[0], grid)[..., : out[1]]
    return total if bias is None else total + np.reshape(bias, (1, co, 1, 1))


def _kernel_grad(xp, grad_out, kernel, stride, dilation, groups):
    """∂L/∂W of an unpadded conv2d of ``xp``: (Co, C/groups, kh, kw)."""
    n, co = grad_out.shape[:2]
    cig = xp.shape[1] // groups
    taps, grid = _taps(xp, kernel, stride, dilation, grad_out.shape[2:])
    on_grid = np.pad(grad_out, [(0, 0)] * 3 + [(0, grid - grad_out.shape[3])])
    upstream = on_grid.reshape(n, groups, co // groups, -1)
    gw = np.zeros((groups, co // groups, cig, *kernel))
    for a, b, tap in taps:
        gw[..., a, b] = (upstream @ tap.reshape(n, groups, cig, -1).swapaxes(-1, -2)).sum(0)
    return gw.reshape(co, cig, *kernel)


def _swap(k4, groups: int):
    """The kernel read the other way (B → A): in- and out-channels swapped in each group."""
    c, cout = k4.shape[0] // groups, k4.shape[1]
    swapped = k4.reshape(groups, c, cout, *k4.shape[2:]).swapaxes(1, 2)
    return swapped.reshape(groups * cout, c, *k4.shape[2:])


def _transpose(x4, w4, stride, dilation, groups):
    """conv_transpose2d unpadded: x dilated, padded by D(K−1), ⋆ the kernel rotated 180°."""
    (dh, dw), (kh, kw) = dilation, w4.shape[2:]
    full = pad(dilate(x4, stride), (dh * (kh - 1),) * 2 + (dw * (kw - 1),) * 2)
    return conv2d(full, _swap(rot180(w4), groups), dilation=dilation, groups=groups)


# ------------------------------------------- formula functions (tensors in the given rank)


def as4d(t):
    """A data tensor given as (H,W), (C,H,W) or (N,C,H,W), as (N,C,H,W)."""
    t = np.asarray(t, dtype=float)
    return t.reshape((1,) * (4 - t.ndim) + t.shape)


def as_given(t4, ndim: int):
    """Drop the leading axes that a 2-D or 3-D tensor did not have."""
    return t4.reshape(t4.shape[4 - ndim :]) if ndim < 4 else t4


def kernel4d(w, transpose: bool = False):
    """A kernel as 4-D: (Co,Ci,kh,kw), or (Ci,Co,kh,kw) for a transposed convolution."""
    w = np.asarray(w, dtype=float)
    return w[:, None] if w.ndim == 3 and transpose else w.reshape((1,) * (4 - w.ndim) + w.shape)


def _kernel4(w, channels: int, groups: int, scatter: bool):
    """A 3-D kernel in a formula: one filter over the channels, or one map per channel."""
    lead = np.ndim(w) == 3 and np.shape(w)[0] == channels and (scatter or groups == 1)
    return kernel4d(w, transpose=lead == scatter)


def conv(X, W, S=1, D=1, groups=1, b=0):
    """Valid cross-correlation (PyTorch conv2d without padding), in the input's rank."""
    x4, groups = as4d(X), int(groups)
    out = conv2d(x4, _kernel4(W, x4.shape[1], groups, False), None, S, 0, D, groups)
    return as_given(out + np.reshape(b, (1, -1, 1, 1)), np.ndim(X))


def corr2d(X, W):
    """X ⋆ W: valid cross-correlation at stride 1 (d2l's ``corr2d``, channels summed)."""
    return conv(X, W)


def conv_t(X, W, S=1, P=0, D=1, groups=1, b=0):
    """PyTorch's conv_transpose2d; a negative side of P is output padding there."""
    x4, groups = as4d(X), int(groups)
    w4 = _kernel4(W, x4.shape[1], groups, True)
    full = _transpose(x4, w4, _two(S), _two(D), groups)
    out = pad(full, [-side for side in _sides(P)]) + np.reshape(b, (1, -1, 1, 1))
    return as_given(out, np.ndim(X))


def conv_dW(A, B, S=1, D=1, groups=1):
    """∂L/∂W of a valid correlation of A with upstream B: (C_B, C_A/groups, kh, kw)."""
    a4, b4, (sh, sw), (dh, dw) = as4d(A), as4d(B), _two(S), _two(D)
    kh = (a4.shape[2] - (b4.shape[2] - 1) * sh - 1) // dh + 1
    kw = (a4.shape[3] - (b4.shape[3] - 1) * sw - 1) // dw + 1
    gw = _kernel_grad(a4, b4, (kh, kw), (sh, sw), (dh, dw), int(groups))
    return gw[0, 0] if np.ndim(A) == 2 else gw


# ------------------------------------------------------------------ shared by conv and pool


def matrix(value):
    """A number or a single row ("1 -1", d2l's edge detector) is a one-row matrix."""
    return value if value is None or value.ndim >= 2 else value.reshape(1, -1)


def check_size(field: str, count: int) -> None:
    """Refuse a tensor above the element limit before it is allocated."""
    if count > limits.MAX_TENSOR_ELEMENTS:
        limit = f"{limits.MAX_TENSOR_ELEMENTS:,}"
        raise InputError(field, "conv.limit", count=f"{count:,}", limit=limit)


def padding_sides(padding, size, span, stride) -> tuple[int, int, int, int]:
    """As given, or TensorFlow's 'same': max((⌈H/S⌉ − 1)·S + K − H, 0), the odd one last."""
    if padding != "same":
        return _sides(padding)
    totals = [
        max((-(-n // s) - 1) * s + k - n, 0) for n, k, s in zip(size, span, stride, strict=True)
    ]
    return tuple(side for total in totals for side in (total // 2, total - total // 2))


def compact(values):
    """A setting as a formula operand: one int when all are equal, else as short as it reads."""
    values = tuple(values)
    if len(set(values)) == 1:
        return values[0]
    return np.array(values[::2] if len(values) == 4 and values[::2] == values[1::2] else values)


def joined(values) -> str:
    return ",".join(map(str, np.ravel(values)))


def call(function: str, args: list[str], settings: list[tuple]) -> tuple[str, dict]:
    """``function(A, B, S …)``, trailing (name, value, default) settings at defaults left out."""
    while settings and np.array_equal(settings[-1][1], settings[-1][2]):
        settings = settings[:-1]
    names = ", ".join(args + [name for name, _, _ in settings])
    return f"{function}({names})", {name: value for name, value, _ in settings}


def index_text(index, ndim: int, sep: str = ",") -> str:
    return sep.join(str(i) for i in index[len(index) - ndim :])


def squeeze(block):
    """A window or filter without a leading axis of length 1 (one channel reads as a matrix)."""
    return block[0] if block.shape[0] == 1 else block


# ------------------------------------------------------------------ worked solution


class Worked:
    """A worked solution (conv's, pool's): its trace, and the cells it writes out."""

    def __init__(self, command: str, args, ctx: Ctx):
        self.ctx, self.args, self.trace = ctx, args, Trace(command=command, inputs={})
        self.work = Work(self.trace, ctx)

    def each(self, shape, part: str):
        """The first --cells cells of a group to write out; a note says how to see them all."""
        total, limit = int(np.prod(shape)), self.args.cells
        if total > limit:
            self.trace.notes.append(self.ctx.t("conv.hidden", part=part, shown=limit, total=total))
        return islice(np.ndindex(*shape), limit)

    def subtitle(self, parts: list[str]) -> str:
        return ", ".join(parts) + "   " + self.ctx.t("conv.out_size", h=self.ho, w=self.wo)

    def upstream(self, shape):
        """``G = G``: the given upstream in the output's shape, or ones for ``--backward``."""
        self.work.phase, note, grad = "backward", "", self.args["grad-output"]
        if grad is None:
            grad, note = np.ones(shape), self.ctx.t("conv.ones_note")
        elif [s for s in matrix(grad).shape if s != 1] != [s for s in shape if s != 1]:
            found, expected = format_shape(matrix(grad).shape), format_shape(shape)
            raise InputError("grad-output", "conv.grad_shape", shape=found, expected=expected)
        self.trace.inputs["grad_output"] = grad = np.reshape(grad, shape)
        return self.work(self.ctx.t("conv.upstream"), "G = G", G=grad, note=note)


class _Conv(Worked):
    """One ``conv`` problem: its geometry checked, then the steps of each pass."""

    def __init__(self, args, ctx: Ctx):
        super().__init__("conv", args, ctx)
        self.x, self.w, self.bias = matrix(args.input), matrix(args.kernel), args.bias
        self.transpose, self.flip, groups = args.transpose, args.flip, args.groups
        self.stride, self.dilation, self.groups = _two(args.stride), _two(args.dilation), groups
        if self.flip and self.transpose:
            raise InputError("flip", "not_with", other=label("transpose"))
        self.n, c, self.h, self.wd = as4d(self.x).shape
        self.w4 = w4 = kernel4d(self.w, self.transpose)
        self.kh, self.kw = w4.shape[2:]
        kernel, given = format_shape(self.w.shape), format_shape(self.x.shape)
        if c % groups:
            raise InputError("groups", "conv.groups_channels", groups=groups, channels=c)
        takes = w4.shape[0] if self.transpose else w4.shape[1] * groups
        if takes != c:
            values = {"kernel": kernel, "takes": takes, "input": given, "channels": c}
            raise InputError("kernel", "conv.kernel_channels", **values)
        self.co = w4.shape[1] * groups if self.transpose else w4.shape[0]
        if self.co % groups:
            raise InputError("groups", "conv.groups_filters", groups=groups, filters=self.co)
        if self.x.ndim == 2 and self.co != 1:
            raise InputError("kernel", "conv.one_filter", kernel=kernel)
        if self.bias is not None and (self.bias.ndim > 1 or self.bias.size != self.co):
            raise InputError("bias", "conv.bias_size", wanted=self.co, count=self.bias.size)
        self._geometry(args, c)

    def _geometry(self, args, c: int) -> None:
        """Output size and P, the padding as used: (top, bottom, left, right)."""
        (sh, sw), (dh, dw) = self.stride, self.dilation
        span = (dh * (self.kh - 1) + 1, dw * (self.kw - 1) + 1)
        self.lost = (0, 0)
        if self.transpose:
            if args.padding == "same":
                raise InputError("padding", "conv.same_transpose")
            (ph, pw), (ah, aw) = _two(args.padding), _two(args["output-padding"])
            for extra, most in ((ah, max(sh, dh)), (aw, max(sw, dw))):
                if extra >= most:
                    code = "conv.output_padding"
                    raise InputError("output-padding", code, limit=most, value=extra)
            self.sides, self.P = (ph, ph, pw, pw), (ph, ph - ah, pw, pw - aw)
            self.ho = (self.h - 1) * sh + span[0] - 2 * ph + ah
            self.wo = (self.wd - 1) * sw + span[1] - 2 * pw + aw
            if self.ho < 1 or self.wo < 1:
                raise InputError("padding", "conv.transpose_empty", h=self.ho, w=self.wo)
            full = ((self.h - 1) * sh + 2 * span[0]) * ((self.wd - 1) * sw + 2 * span[1])
            return check_size("input", self.n * max(c, self.co) * full)
        self.sides = padding_sides(args.padding, (self.h, self.wd), span, self.stride)
        t, b, l, r = self.sides  # noqa: E741
        hp, wp = self.h + t + b, self.wd + l + r
        check_size("input", self.n * max(c, self.co) * (hp + span[0]) * (wp + span[1]))
        if span[0] > hp or span[1] > wp:
            values = {"kernel": f"{self.kh}×{self.kw}", "span": format_shape(span)}
            raise InputError("kernel", "conv.kernel_too_big", padded=f"{hp}×{wp}", **values)
        self.ho, self.wo = (hp - span[0]) // sh + 1, (wp - span[1]) // sw + 1
        self.lost = ((hp - span[0]) % sh, (wp - span[1]) % sw)
        self.P = (t, b - self.lost[0], l, r - self.lost[1])

    def header(self) -> None:
        ctx, trace, args, (t, b, l, r) = self.ctx, self.trace, self.args, self.sides  # noqa: E741
        kind = "transpose" if self.transpose else ("convolution" if self.flip else "correlation")
        parts = [ctx.t(f"conv.op_{kind}"), ctx.t("conv.stride", value=joined(self.stride))]
        parts.append(ctx.t("conv.padding", value=joined(compact(self.sides))))
        if self.dilation != (1, 1):
            parts.append(ctx.t("conv.dilation", value=joined(self.dilation)))
        if self.groups != 1:
            parts.append(ctx.t("conv.groups", value=self.groups))
        trace.title = ctx.t("conv.title")
        trace.subtitle = self.subtitle(parts)
        trace.inputs = {
            "input": self.x, "kernel": self.w, "bias": self.bias, "stride": list(self.stride),
            "padding": args.padding if args.padding == "same" else list(_two(args.padding)),
            "padding_sides": [[t, b], [l, r]], "dilation": list(self.dilation),
            "groups": self.groups, "flip": self.flip, "transpose": self.transpose,
        }  # fmt: skip
        if self.transpose:
            trace.inputs["output_padding"] = list(_two(args["output-padding"]))
        shown = {"X": self.x, "W": self.w, "b": self.bias}
        trace.shown_inputs = {k: v for k, v in shown.items() if v is not None and v.size <= 128}
        if kind != "correlation":
            trace.notes.append(ctx.t(f"conv.note_{kind}"))
        if args.padding == "same":
            trace.notes.append(ctx.t("conv.note_same", top=t, bottom=b, left=l, right=r))
        if any(self.lost):
            trace.notes.append(ctx.t("conv.note_floor", rows=self.lost[0], cols=self.lost[1]))

    # ------------------------------------------------------------ steps

    def padded(self, title: str, symbol: str, inner: str, operands, sides, name="P", note=""):
        """``symbol = pad(inner, P)``; P as short as it reads, its four sides explained."""
        operands[name] = compact(sides)
        if np.size(operands[name]) == 4:
            note = "; ".join(filter(None, (note, self.ctx.t("conv.sides_note"))))
        return self.work(title, f"{symbol} = pad({inner}, {name})", note=note, **operands)

    def cell_sums(self, key, symbol, t4, source, k4, kname, dilation, ndim, stride=None):
        """One step per cell (the first --cells): Σ window ⊙ filter (+ b)."""
        (co, cig, kh, kw), (dh, dw) = k4.shape, dilation
        sh, sw = stride or self.stride
        ho, wo = _out_size(t4, (kh, kw), (sh, sw), dilation)
        bias = np.ravel(self.bias) if key == "output" and self.bias is not None else None
        what = self.ctx.t(f"conv.cell_{key}")
        for n, o, i, j in self.each((t4.shape[0], co, ho, wo), key):
            g = o // (co // self.groups)
            rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
            cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
            name = kname + (f"_{o}" if co > 1 else "")
            operands = {"window": squeeze(t4[n, g * cig : (g + 1) * cig, rows, cols])}
            operands[name] = squeeze(k4[o])
            formula = f"{symbol}[{index_text((n, o, i, j), ndim)}] = sum(window*{name})"
            if bias is not None:
                bname = "b" + (f"_{o}" if co > 1 else "")
                formula, operands[bname] = f"{formula} + {bname}", float(bias[o])
            cell = index_text((n, o, i, j), ndim, ", ")
            title = self.ctx.t("conv.cell", what=what, cell=cell, source=source, kernel=kname)
            self.work(title, formula, name=key, **operands)

    def whole(self, key, symbol, function, args, operands, simple=True):
        """The whole tensor: ``A ⋆ B`` when simple and at defaults, else ``function(A, B, S …)``."""
        values = {
            "S": ("S", compact(self.stride), 1), "P": ("P", compact(self.P), 0),
            "D": ("D", compact(self.dilation), 1), "g": ("groups", self.groups, 1),
        }  # fmt: skip
        names = {"conv_t": "SPDg", "corr2d": ""}.get(function, "SDg")
        settings = [values[name] for name in names]
        with_bias = key == "output" and self.bias is not None
        if with_bias and self.bias.size > 1:
            settings.append(("b", self.bias, None))
        formula, more = call(function, args, settings)
        if simple and not more:
            formula = f"corr2d({args[0]}, {args[1]})"
        if with_bias and self.bias.size == 1:
            formula, more["b"] = formula + " + b", self.bias
        title = self.ctx.t(f"conv.{key or 'grad_weight'}")
        return self.work(title, f"{symbol} = {formula}", key=key, **operands, **more)

    def gather(self, key: str, symbol: str, T, tname: str, K, kname: str):
        """``symbol = T ⋆ K`` (stride S, dilation D): window of T ⊙ filter, per cell."""
        t4 = as4d(T)
        k4 = _kernel4(K, t4.shape[1], self.groups, scatter=False)
        self.cell_sums(key, symbol, t4, tname, k4, kname, self.dilation, T.ndim)
        return self.whole(key, symbol, "conv", [tname, kname], {tname: T, kname: K})

    def scatter(self, key: str, symbol: str, T, tname: str, K, kname: str):
        """``symbol = T_pad ⋆ rot180(K)``: a transposed convolution written as a correlation."""
        work, ctx = self.work, self.ctx
        if self.flip:  # the forward kernel was rot180(W): rotated back it is W
            self.trace.notes.append(ctx.t("conv.note_flip_back"))
            K_rot, rotated = self.w, "W"
        else:
            rotated = f"{kname}_rot"
            K_rot = work(ctx.t("conv.rotated"), f"{rotated} = rot180({kname})", **{kname: K})
        (dh, dw), (t, b, l, r) = self.dilation, self.P  # noqa: E741
        full = (dh * (self.kh - 1), dw * (self.kw - 1))
        sides = (full[0] - t, full[0] - b, full[1] - l, full[1] - r)
        source, sname, inner, operands = T, tname, tname, {tname: T}
        if self.stride != (1, 1):
            inner, operands["S"] = f"dilate({tname}, S)", compact(self.stride)
        if inner != tname or any(sides):
            title, sname = ctx.t("conv.padded_full", name=tname), f"{tname}_pad"
            note = ctx.t("conv.full_note")
            source = self.padded(title, sname, inner, operands, sides, "P_full", note)
        k4 = _swap(_kernel4(K_rot, as4d(T).shape[1], self.groups, True), self.groups)
        self.cell_sums(key, symbol, as4d(source), sname, k4, rotated, self.dilation, T.ndim, (1, 1))
        if T.ndim == 2 and self.dilation == (1, 1):
            operands = {sname: source, rotated: K_rot}
            return self.whole(key, symbol, "corr2d", [sname, rotated], operands)
        return self.whole(key, symbol, "conv_t", [tname, kname], {tname: T, kname: K}, False)

    def kernel_grad(
        self, symbol: str, A, aname: str, B, bname: str, key: str | None = "grad_weight"
    ):
        """``symbol = conv_dW(A, B)``: each kernel cell Σ (its strided window of A) ⊙ B."""
        a4, b4, (sh, sw), (dh, dw) = as4d(A), as4d(B), self.stride, self.dilation
        cb, ca, (hb, wb) = b4.shape[1], a4.shape[1] // self.groups, b4.shape[2:]
        what = self.ctx.t("conv.cell_grad_weight")
        for o, c, a, b in self.each((cb, ca, self.kh, self.kw), "grad_weight"):
            channel = (o // (cb // self.groups)) * ca + c
            rows = slice(a * dh, a * dh + (hb - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (wb - 1) * sw + 1, sw)
            name = bname + (f"_{o}" if cb > 1 else "")
            flat = np.ravel_multi_index((o, c, a, b), self.w4.shape)
            index = ",".join(map(str, np.unravel_index(flat, self.w.shape)))
            cell = index.replace(",", ", ")
            title = self.ctx.t("conv.cell", what=what, cell=cell, source=aname, kernel=name)
            self.work(
                title, f"{symbol}[{index}] = sum(window*{name})", name="grad_weight",
                window=squeeze(a4[:, channel, rows, cols]), **{name: squeeze(b4[:, o])},
            )  # fmt: skip
        operands = {aname: A, bname: B}
        return self.whole(key, symbol, "conv_dW", [aname, bname], operands, A.ndim == 2)

    # ------------------------------------------------------------ passes

    def forward(self):
        work, ctx = self.work, self.ctx
        if self.transpose:
            return self.scatter("output", "O", self.x, "X", self.w, "W")
        self.K, self.kname, self.X, self.xname = self.w, "W", self.x, "X"
        if self.flip:
            self.K, self.kname = work(ctx.t("conv.rotated"), "W_rot = rot180(W)", W=self.w), "W_rot"
        if any(self.P):
            self.X = self.padded(ctx.t("conv.padded_input"), "X_pad", "X", {"X": self.x}, self.P)
            self.xname = "X_pad"
        return self.gather("output", "O", self.X, self.xname, self.K, self.kname)

    def backward(self) -> dict:
        work, ctx = self.work, self.ctx
        G = self.upstream(
            as_given(np.zeros((self.n, self.co, self.ho, self.wo)), self.x.ndim).shape
        )
        result = {"grad_bias": self.grad_bias(G)}
        if self.transpose:
            G_pad, gname = G, "G"
            if any(self.P):
                title = ctx.t("conv.padded_upstream")
                G_pad, gname = self.padded(title, "G_pad", "G", {"G": G}, self.P), "G_pad"
            result["grad_input"] = self.gather("grad_input", "dL_dX", G_pad, gname, self.w, "W")
            grad_weight = self.kernel_grad("dL_dW", G_pad, gname, self.x, "X")
        elif self.flip:
            rotated = self.kernel_grad("dL_dW_rot", self.X, self.xname, G, "G", key=None)
            grad_weight = work(
                ctx.t("conv.grad_weight_back"), "dL_dW = rot180(dL_dW_rot)",
                key="grad_weight", dL_dW_rot=rotated,
            )  # fmt: skip
        else:
            grad_weight = self.kernel_grad("dL_dW", self.X, self.xname, G, "G")
        if not self.transpose:
            result["grad_input"] = self.scatter("grad_input", "dL_dX", G, "G", self.K, self.kname)
        result["grad_weight"] = np.reshape(grad_weight, self.w.shape)
        return result

    def grad_bias(self, G):
        """∂L/∂b: the upstream summed over the cells of each bias's channel."""
        if self.bias is None:
            return None
        operands = {"G": G}
        if self.bias.size > 1:
            operands = {f"G_{o}": squeeze(as4d(G)[:, o]) for o in range(self.co)}
        sums = ", ".join(f"sum({name})" for name in operands)
        formula = f"dL_db = concat({sums})" if len(operands) > 1 else f"dL_db = {sums}"
        value = self.work(self.ctx.t("conv.grad_bias"), formula, key="grad_bias", **operands)
        return np.reshape(value, self.bias.shape)


def run(args, ctx: Ctx) -> Trace:
    problem = _Conv(args, ctx)
    problem.header()
    result = {"output": problem.forward()}
    if args.backward or args["grad-output"] is not None:
        result.update(problem.backward())
    order = ("output", "grad_input", "grad_weight", "grad_bias")
    problem.trace.result = {key: result[key] for key in order if key in result}
    return problem.trace
