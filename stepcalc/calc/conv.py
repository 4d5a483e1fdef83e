"""Convolution: a float64 numeric core in PyTorch's layouts, then the worked solution.

Every number is a correlation, each cell a sum of window ⊙ kernel: O = conv(X_pad, W, S, D),
∂L/∂W = conv_dW(X_pad, G, S, D), ∂L/∂X = G_pad ⋆ rot180(W) (G dilated by S, padded by
D(K − 1) − P). A transposed convolution is the input gradient of the one it mirrors, so
``--transpose`` swaps the roles. A padding's negative side crops.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from stepcalc import limits
from stepcalc.context import Ctx
from stepcalc.errors import InputError
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
    return np.asarray(w, dtype=float)[..., ::-1, ::-1]


def dilate(g, stride):
    """Insert S − 1 zeros between neighbouring cells of the last two axes."""
    g = np.asarray(g, dtype=float)
    (sh, sw), (h, w) = _two(stride), g.shape[-2:]
    out = np.zeros(g.shape[:-2] + ((h - 1) * sh + 1, (w - 1) * sw + 1))
    out[..., ::sh, ::sw] = g
    return out


def windows(t4, size, step=(1, 1), spacing=(1, 1)):
    """Every window of t4 as a view (N, C, ho, wo, kh, kw): ``size`` cells per axis,
    ``spacing`` apart, one window every ``step`` cells."""
    span = [(k - 1) * d + 1 for k, d in zip(size, spacing, strict=True)]
    view = sliding_window_view(t4, span, axis=(2, 3))
    return view[:, :, :: step[0], :: step[1], :: spacing[0], :: spacing[1]]


def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """PyTorch ``conv2d`` (cross-correlation) in float64: x (N,C,H,W), w (Co,C/groups,kh,kw)."""
    w, groups = np.asarray(w, dtype=float), int(groups)
    (co, cig, kh, kw), xp = w.shape, pad(x, padding)
    taps = windows(xp, (kh, kw), _two(stride), _two(dilation))
    (n, _, ho, wo), per_group = taps.shape[:4], w.reshape(groups, co // groups, cig, kh, kw)
    total = sum(  # one matrix product per kernel tap
        per_group[..., a, b] @ taps[..., a, b].reshape(n, groups, cig, -1)
        for a, b in np.ndindex(kh, kw)
    )
    total = total.reshape(n, co, ho, wo)
    return total if bias is None else total + np.reshape(bias, (1, co, 1, 1))


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


def _scattering(w, channels: int, groups: int):
    """A transposed convolution's kernel as its correlation's: rotated 180°, and read the
    other way (in- and out-channels swapped in each group)."""
    k4 = rot180(_kernel4(w, channels, groups, True))
    c, cout = k4.shape[0] // groups, k4.shape[1]
    swapped = k4.reshape(groups, c, cout, *k4.shape[2:]).swapaxes(1, 2)
    return swapped.reshape(groups * cout, c, *k4.shape[2:])


def conv(X, W, S=1, D=1, groups=1, b=0):
    """Valid cross-correlation (PyTorch conv2d without padding), in the input's rank."""
    x4, groups = as4d(X), int(groups)
    out = conv2d(x4, _kernel4(W, x4.shape[1], groups, False), None, S, 0, D, groups)
    return as_given(out + np.reshape(b, (1, -1, 1, 1)), np.ndim(X))


def corr2d(X, W):
    """X ⋆ W: valid cross-correlation at stride 1 (d2l's ``corr2d``, channels summed)."""
    return conv(X, W)


def conv_t(X, W, S=1, P=0, D=1, groups=1, b=0):
    """PyTorch's conv_transpose2d: X dilated by S, padded by D(K − 1) − P, ⋆ the kernel
    rotated 180°; a negative side of P is output padding there."""
    x4, groups, (dh, dw) = as4d(X), int(groups), _two(D)
    k4 = _scattering(W, x4.shape[1], groups)
    full = (dh * (k4.shape[2] - 1),) * 2 + (dw * (k4.shape[3] - 1),) * 2
    out = conv2d(pad(dilate(x4, S), full), k4, dilation=(dh, dw), groups=groups)
    out = pad(out, [-side for side in _sides(P)]) + np.reshape(b, (1, -1, 1, 1))
    return as_given(out, np.ndim(X))


def conv_dW(A, B, S=1, D=1, groups=1):
    """∂L/∂W of a valid correlation of A with upstream B: (C_B, C_A/groups, kh, kw). A
    correlation too: A's channels ⋆ B's, the batch summed, stride and dilation swapped."""
    a4, b4 = as4d(A), as4d(B)
    full = conv2d(a4.swapaxes(0, 1), b4.swapaxes(0, 1), stride=D, dilation=S)
    cig, per = a4.shape[1] // int(groups), b4.shape[1] // int(groups)
    gw = np.stack([full[o // per * cig : (o // per + 1) * cig, o] for o in range(b4.shape[1])])
    return gw[0, 0] if np.ndim(A) == 2 else gw


# ------------------------------------------------------------------ shared by conv and pool


def matrix(value):
    """A number or a single row ("1 -1", d2l's edge detector) is a one-row matrix."""
    return value if value is None or value.ndim >= 2 else value.reshape(1, -1)


def check_size(count: int) -> None:
    """Refuse padded tensors above the element limit before they are allocated."""
    if count > limits.MAX_TENSOR_ELEMENTS:
        limit = f"{limits.MAX_TENSOR_ELEMENTS:,}"
        raise InputError("input", "conv.limit", count=f"{count:,}", limit=limit)


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


def index_text(index, ndim: int) -> str:
    return ",".join(str(i) for i in index[len(index) - ndim :])


def squeeze(block):
    """A window or filter without a leading axis of length 1 (one channel reads as a matrix)."""
    return block[0] if block.shape[0] == 1 else block


# ------------------------------------------------------------------ worked solution


class Worked:
    """A worked solution (conv's, pool's): its trace, the named quantities its formulas use,
    and the cells it writes out."""

    def __init__(self, command: str, args, ctx: Ctx, env: dict):
        self.ctx, self.args, self.trace = ctx, args, Trace(command=command, inputs={})
        self.env, self.work = env, Work(self.trace, ctx, env=env)

    def each(self, shape, part: str):
        """The first --cells cells of a group to write out; a note says how to see them all."""
        total, limit = int(np.prod(shape)), self.args.cells
        if total > limit:
            self.trace.notes.append(self.ctx.t("conv.hidden", part=part, shown=limit, total=total))
        return islice(np.ndindex(*shape), limit)

    def call(self, function: str, args: list[str], defaults: dict) -> str:
        """``function(A, B, S …)``: the settings after the last one not at its default left out."""
        names = list(defaults)
        while names and np.array_equal(self.env[names[-1]], defaults[names[-1]]):
            names.pop()
        return f"{function}({', '.join(args + names)})"

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
        self.x, self.w, self.bias = matrix(args.input), matrix(args.kernel), args.bias
        super().__init__("conv", args, ctx, {"X": self.x, "W": self.w, "b": self.bias})
        self.transpose, self.flip, groups = args.transpose, args.flip, args.groups
        self.stride, self.dilation, self.groups = _two(args.stride), _two(args.dilation), groups
        self.w4 = w4 = kernel4d(self.w, self.transpose)
        c, self.kh, self.kw = as4d(self.x).shape[1], *w4.shape[2:]
        kernel = format_shape(self.w.shape)
        if c % groups:
            raise InputError("groups", "conv.groups_channels", groups=groups, channels=c)
        takes = w4.shape[0] if self.transpose else w4.shape[1] * groups
        if takes != c:
            values = {"kernel": kernel, "takes": takes, "input": format_shape(self.x.shape)}
            raise InputError("kernel", "conv.kernel_channels", channels=c, **values)
        self.co = w4.shape[1] * groups if self.transpose else w4.shape[0]
        if self.co % groups:
            raise InputError("groups", "conv.groups_filters", groups=groups, filters=self.co)
        if self.x.ndim == 2 and self.co != 1:
            raise InputError("kernel", "conv.one_filter", kernel=kernel)
        if self.bias is not None and self.bias.size != self.co:
            raise InputError("bias", "conv.bias_size", wanted=self.co, count=self.bias.size)
        self._geometry(args, len(as4d(self.x)) * max(c, self.co))
        S, P, D = compact(self.stride), compact(self.P), compact(self.dilation)
        self.env.update(S=S, P=P, D=D, groups=groups)

    def _geometry(self, args, maps: int) -> None:
        """Output size and P, the padding as used: (top, bottom, left, right)."""
        (h, w), (sh, sw), (dh, dw) = as4d(self.x).shape[2:], self.stride, self.dilation
        span = (dh * (self.kh - 1) + 1, dw * (self.kw - 1) + 1)
        self.lost = (0, 0)
        if self.transpose:
            if args.padding == "same":
                raise InputError("padding", "conv.same_transpose")
            (ph, pw), (ah, aw) = _two(args.padding), _two(args["output-padding"])
            for extra, most in ((ah, max(sh, dh)), (aw, max(sw, dw))):
                if extra >= most:
                    raise InputError(
                        "output-padding", "conv.output_padding", limit=most, value=extra
                    )
            self.sides, self.P = (ph, ph, pw, pw), (ph, ph - ah, pw, pw - aw)
            self.ho = (h - 1) * sh + span[0] - 2 * ph + ah
            self.wo = (w - 1) * sw + span[1] - 2 * pw + aw
            if self.ho < 1 or self.wo < 1:
                raise InputError("padding", "conv.transpose_empty", h=self.ho, w=self.wo)
            return check_size(maps * ((h - 1) * sh + 2 * span[0]) * ((w - 1) * sw + 2 * span[1]))
        self.sides = padding_sides(args.padding, (h, w), span, self.stride)
        t, b, l, r = self.sides  # noqa: E741
        hp, wp = h + t + b, w + l + r
        check_size(maps * (hp + span[0]) * (wp + span[1]))
        if span[0] > hp or span[1] > wp:
            values = {"kernel": f"{self.kh}×{self.kw}", "span": format_shape(span)}
            raise InputError("kernel", "conv.kernel_too_big", padded=f"{hp}×{wp}", **values)
        self.ho, self.wo = (hp - span[0]) // sh + 1, (wp - span[1]) // sw + 1
        self.lost = ((hp - span[0]) % sh, (wp - span[1]) % sw)
        self.P = (t, b - self.lost[0], l, r - self.lost[1])

    def describe(self) -> None:
        ctx, trace, args, (t, b, l, r) = self.ctx, self.trace, self.args, self.sides  # noqa: E741
        kind = "transpose" if self.transpose else ("convolution" if self.flip else "correlation")
        parts = [ctx.t(f"conv.op_{kind}"), ctx.t("conv.stride", value=joined(self.stride))]
        parts.append(ctx.t("conv.padding", value=joined(compact(self.sides))))
        if self.dilation != (1, 1):
            parts.append(ctx.t("conv.dilation", value=joined(self.dilation)))
        if self.groups != 1:
            parts.append(ctx.t("conv.groups", value=self.groups))
        trace.title, trace.subtitle = ctx.t("conv.title"), self.subtitle(parts)
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

    def padded(self, title: str, symbol: str, inner: str, sides, name="P", note="") -> str:
        """``symbol = pad(inner, P)``; P as short as it reads, its four sides explained."""
        self.env[name] = compact(sides)
        if np.size(self.env[name]) == 4:
            note = "; ".join(filter(None, (note, self.ctx.t("conv.sides_note"))))
        self.work(title, f"{symbol} = pad({inner}, {name})", note=note)
        return symbol

    def sums(self, part: str, symbol: str, shape, tname: str, kernels, kname: str, cell):
        """One step per cell (the first --cells): Σ window ⊙ kernel (+ b). ``cell(index)``
        gives the cell as written, its window of ``tname`` and which of the kernels it takes."""
        what, several = self.ctx.t(f"conv.cell_{part}"), len(kernels) > 1
        for index in self.each(shape, part):
            at, window, o = cell(*index)
            suffix = f"_{o}" if several else ""
            kernel, bias = kname + suffix, "b" + suffix
            operands = {"window": squeeze(window), kernel: squeeze(kernels[o])}
            formula = f"{symbol}[{at}] = sum(window*{kernel})"
            if part == "output" and self.bias is not None:
                formula, operands[bias] = f"{formula} + {bias}", float(self.bias.flat[o])
            cell_at = at.replace(",", ", ")
            title = self.ctx.t("conv.cell", what=what, cell=cell_at, source=tname, kernel=kernel)
            self.work(title, formula, name=part, **operands)

    def correlate(self, key: str, symbol: str, tname: str, k4, kname: str, ndim: int, stride):
        """The cells of a correlation of ``tname`` with the filters k4 (dilation D, in groups)."""
        t4, (co, cig) = as4d(self.env[tname]), k4.shape[:2]
        taps = windows(t4, k4.shape[2:], stride, self.dilation)

        def cell(n, o, i, j):
            first = o // (co // self.groups) * cig
            return index_text((n, o, i, j), ndim), taps[n, first : first + cig, i, j], o

        self.sums(key, symbol, (len(t4), co, *taps.shape[2:4]), tname, k4, kname, cell)

    def whole(self, key, symbol: str, function: str, args: list[str], simple=True):
        """The whole tensor: ``A ⋆ B`` when simple and at defaults, else ``function(A, B, S …)``."""
        names = {"conv_t": "S P D groups", "corr2d": ""}.get(function, "S D groups").split()
        defaults = {name: 0 if name == "P" else 1 for name in names}
        bias = self.bias if key == "output" else None
        if bias is not None and bias.size > 1:
            defaults["b"] = None
        formula = self.call(function, args, defaults)
        if simple and formula == self.call(function, args, {}):
            formula = f"corr2d({args[0]}, {args[1]})"
        if bias is not None and bias.size == 1:
            formula += " + b"
        title = self.ctx.t(f"conv.{key or 'grad_weight'}")
        return self.work(title, f"{symbol} = {formula}", key=key)

    def gather(self, key: str, symbol: str, tname: str, kname: str):
        """``symbol = T_pad ⋆ K`` (stride S, dilation D): window of T_pad ⊙ filter, per cell."""
        T = self.env[tname]
        if any(self.P):
            title = self.ctx.t("conv.padded_input" if key == "output" else "conv.padded_upstream")
            tname = self.padded(title, f"{tname}_pad", tname, self.P)
        self.source, k4 = tname, _kernel4(self.env[kname], as4d(T).shape[1], self.groups, False)
        self.correlate(key, symbol, tname, k4, kname, T.ndim, self.stride)
        return self.whole(key, symbol, "conv", [tname, kname])

    def scatter(self, key: str, symbol: str, tname: str, kname: str):
        """``symbol = T_pad ⋆ rot180(K)``: a transposed convolution written as a correlation."""
        ctx, T = self.ctx, self.env[tname]
        if self.flip:  # the forward kernel was rot180(W): rotated back it is W
            self.trace.notes.append(ctx.t("conv.note_flip_back"))
            rotated = "W"
        else:
            rotated = f"{kname}_rot"
            self.work(ctx.t("conv.rotated"), f"{rotated} = rot180({kname})")
        full = [d * (k - 1) for d, k in zip(self.dilation, (self.kh, self.kw), strict=True)]
        sides = tuple(full[side // 2] - p for side, p in enumerate(self.P))
        sname, inner = tname, tname if self.stride == (1, 1) else f"dilate({tname}, S)"
        if inner != tname or any(sides):
            title, note = ctx.t("conv.padded_full", name=tname), ctx.t("conv.full_note")
            sname = self.padded(title, f"{tname}_pad", inner, sides, "P_full", note)
        k4 = _scattering(self.env[kname], as4d(T).shape[1], self.groups)
        self.correlate(key, symbol, sname, k4, rotated, T.ndim, (1, 1))
        if T.ndim == 2 and self.dilation == (1, 1):
            return self.whole(key, symbol, "corr2d", [sname, rotated])
        return self.whole(key, symbol, "conv_t", [tname, kname], simple=False)

    def kernel_grad(self, aname: str, bname: str):
        """``dL_dW = conv_dW(A, B)``: each kernel cell Σ (its strided window of A) ⊙ B; with
        --flip the kernel that slid was rot180(W), so its gradient is rotated back."""
        A, b4, w4 = self.env[aname], as4d(self.env[bname]), self.w4
        cb, ca, symbol = b4.shape[1], w4.shape[1], "dL_dW_rot" if self.flip else "dL_dW"
        taps = windows(as4d(A), b4.shape[2:], self.dilation, self.stride)

        def cell(o, c, a, b):
            flat = np.ravel_multi_index((o, c, a, b), w4.shape)
            window = taps[:, o // (cb // self.groups) * ca + c, a, b]
            return joined(np.unravel_index(flat, self.w.shape)), window, o

        self.sums("grad_weight", symbol, w4.shape, aname, b4.swapaxes(0, 1), bname, cell)
        key = None if self.flip else "grad_weight"
        grad = self.whole(key, symbol, "conv_dW", [aname, bname], A.ndim == 2)
        if self.flip:
            title = self.ctx.t("conv.grad_weight_back")
            grad = self.work(title, "dL_dW = rot180(dL_dW_rot)", key="grad_weight")
        return np.reshape(grad, self.w.shape)

    # ------------------------------------------------------------ passes

    def forward(self):
        if self.transpose:
            return self.scatter("output", "O", "X", "W")
        if self.flip:
            self.work(self.ctx.t("conv.rotated"), "W_rot = rot180(W)")
        return self.gather("output", "O", "X", "W_rot" if self.flip else "W")

    def backward(self, output) -> dict:
        G = self.upstream(np.shape(output))
        result = {"grad_input": None, "grad_weight": None, "grad_bias": self.grad_bias(G)}
        if self.transpose:
            result["grad_input"] = self.gather("grad_input", "dL_dX", "G", "W")
            result["grad_weight"] = self.kernel_grad(self.source, "X")
        else:
            result["grad_weight"] = self.kernel_grad(self.source, "G")
            kname = "W_rot" if self.flip else "W"
            result["grad_input"] = self.scatter("grad_input", "dL_dX", "G", kname)
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
    problem.describe()
    result = {"output": problem.forward()}
    if args.backward or args["grad-output"] is not None:
        result.update(problem.backward(result["output"]))
    problem.trace.result = result
    return problem.trace
