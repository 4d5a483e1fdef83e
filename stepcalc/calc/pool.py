"""Max and average pooling: a float64 core with PyTorch's semantics, then the worked solution.

Max pooling never picks a padding cell and on a tie keeps the first maximum in row-major
order. Average pooling divides by the cells inside the padded input (count_include_pad) or
the input only (Keras's 'same'); a ceil-mode window's part past the padding never counts.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from stepcalc.calc import conv as cv
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

# ------------------------------------------------------------------ numeric core


def _layout(x4, K, S, P, C):
    """Windows per axis, and the frame they cover (a ceil-mode window starts inside)."""
    (kh, kw), (sh, sw), sides = cv._two(K), cv._two(S), cv._sides(P)
    out, frame = [], list(sides)
    for axis, (k, s) in enumerate(((kh, sh), (kw, sw))):
        size, before = x4.shape[2 + axis], sides[2 * axis]
        span = size + before + sides[2 * axis + 1] - k
        n = (-(-span // s) if C else span // s) + 1
        n -= bool(C) and (n - 1) * s >= size + before
        out.append(n)
        frame[2 * axis + 1] = max((n - 1) * s + k - size - before, 0)
    return tuple(out), frame


def _windows(x4, K, S, P, C, fill: float):
    """Every window's cells over the padded frame: (N, C, ho, wo, kh, kw)."""
    (ho, wo), frame = _layout(x4, K, S, P, C)
    xp = np.pad(x4, [(0, 0), (0, 0), frame[:2], frame[2:]], constant_values=fill)
    windows = sliding_window_view(xp, cv._two(K), axis=(2, 3))
    return windows[:, :, :: cv._two(S)[0], :: cv._two(S)[1]][:, :, :ho, :wo]


def _first_max(x4, K, S, P, C):
    """Each window's maximum and the flat H·W index of its first one in row-major order."""
    windows = _windows(x4, K, S, P, C, -np.inf)
    first = windows.reshape(windows.shape[:4] + (-1,)).argmax(-1)
    (sh, sw), (t, _, l, _), kw = cv._two(S), cv._sides(P), windows.shape[-1]  # noqa: E741
    rows = np.arange(windows.shape[2])[:, None] * sh - t + first // kw
    cols = np.arange(windows.shape[3]) * sw - l + first % kw
    return windows.max(axis=(-2, -1)), rows * x4.shape[3] + cols


def _spans(x4, K, S, P, C, inc):
    """Per axis the (first, end) of the cells each window counts: in the padded input
    (``inc``: count_include_pad) or in the input only."""
    out, sides, spans = _layout(x4, K, S, P, C)[0], cv._sides(P), []
    for axis, (k, s) in enumerate(zip(cv._two(K), cv._two(S), strict=True)):
        size, start = x4.shape[2 + axis], np.arange(out[axis]) * s - sides[2 * axis]
        low, high = (start, size + sides[2 * axis + 1]) if inc else (np.maximum(start, 0), size)
        spans.append((low, np.minimum(start + k, high)))
    return spans


def _divisor(x4, K, S, P, C, inc):
    """How many rows (a column) and columns (a row) each window averages over."""
    (r0, r1), (c0, c1) = _spans(x4, K, S, P, C, bool(inc))
    return (r1 - r0)[:, None].astype(float), (c1 - c0)[None, :].astype(float)


def maxpool(X, K, S=None, P=0, C=0):
    return cv.as_given(_first_max(cv.as4d(X), K, K if S is None else S, P, C)[0], np.ndim(X))


def avgpool(X, K, S=None, P=0, C=0, inc=1):
    x4, S = cv.as4d(X), K if S is None else S
    rows, cols = _divisor(x4, K, S, P, C, inc)
    return cv.as_given(_windows(x4, K, S, P, C, 0).sum(axis=(-2, -1)) / (rows * cols), np.ndim(X))


def maxpool_grad(X, G, K, S=None, P=0, C=0):
    """Each upstream value goes to its window's first maximum; overlaps add up."""
    x4 = cv.as4d(X)
    n, c, h, w = x4.shape
    where = _first_max(x4, K, K if S is None else S, P, C)[1]
    where = where + np.arange(n * c).reshape(n, c, 1, 1) * h * w
    return np.bincount(where.ravel(), np.ravel(G), n * c * h * w).reshape(np.shape(X))


def avgpool_grad(X, G, K, S=None, P=0, C=0, inc=1):
    """Each upstream value shared (÷ divisor) by its window: conv_transpose with ones."""
    x4, S, (t, _, l, _) = cv.as4d(X), K if S is None else S, cv._sides(P)  # noqa: E741
    rows, cols = _divisor(x4, K, S, P, C, inc)
    (n, c, h, w), share = x4.shape, cv.as4d(G) / (rows * cols)
    ones, share = np.ones((1, 1, *cv._two(K))), share.reshape(n * c, 1, *share.shape[2:])
    full = cv._transpose(share, ones, cv._two(S), (1, 1), 1)
    grad = cv.pad(full, (-t, h + t - full.shape[2], -l, w + l - full.shape[3]))
    return grad.reshape(np.shape(X))


# ------------------------------------------------------------------ worked solution


class _Pool(cv.Worked):
    def __init__(self, args, ctx: Ctx):
        super().__init__("pool", args, ctx)
        self.mode, self.x, trace = args.mode, args.input, self.trace
        self.x4, self.K = cv.as4d(self.x), cv._two(args.kernel)
        self.S, self.ceil = cv._two(args.stride or args.kernel), bool(args["ceil-mode"])
        (h, w), same = self.x4.shape[2:], args.padding == "same"
        self.P = cv.padding_sides(args.padding, (h, w), self.K, self.S)
        for k, p in zip(self.K, self.P[::2], strict=True):
            if p > k // 2 and not same:
                raise InputError("padding", "pool.padding_half", half=k // 2, kernel=k, value=p)
        include = args["count-include-pad"]
        self.include = not same if include is None else include
        t, b, l, r = self.P  # noqa: E741
        padded, kernel = (h + t + b, w + l + r), format_shape(self.K)
        cv.check_size("input", self.x4[..., 0, 0].size * padded[0] * padded[1])
        (self.ho, self.wo), _ = _layout(self.x4, self.K, self.S, self.P, self.ceil)
        if self.ho < 1 or self.wo < 1:
            raise InputError(
                "kernel", "pool.window_too_big", kernel=kernel, padded=format_shape(padded)
            )
        trace.inputs = {
            "input": self.x, "mode": self.mode, "kernel": list(self.K), "stride": list(self.S),
            "padding": "same" if same else list(cv._two(args.padding)),
            "padding_sides": [[t, b], [l, r]], "ceil_mode": self.ceil,
            "count_include_pad": self.include,
        }  # fmt: skip
        parts = [ctx.t("conv.kernel", value=kernel), ctx.t("conv.stride", value=cv.joined(self.S))]
        parts.append(ctx.t("conv.padding", value=cv.joined(cv.compact(self.P))))
        trace.title, trace.subtitle = ctx.t(f"pool.title_{self.mode}"), self.subtitle(parts)
        trace.shown_inputs = {"X": self.x} if self.x.size <= 128 else {}
        note = "pool.note_max" if self.mode == "max" else f"pool.note_avg{self.include:d}"
        trace.notes.append(ctx.t(note))
        if same:
            trace.notes.append(ctx.t("conv.note_same", top=t, bottom=b, left=l, right=r))
        if self.ceil:
            trace.notes.append(ctx.t("pool.note_ceil"))

    def settings(self):
        values = [("K", cv.compact(self.K), None), ("S", cv.compact(self.S), cv.compact(self.K))]
        values += [("P", cv.compact(self.P), 0), ("C", int(self.ceil), 0)]
        return values + ([("I", int(self.include), 1)] if self.mode == "avg" else [])

    def window(self, i: int, j: int, include: bool, shift=(0, 0)):
        """The rows and columns window (i, j) counts, as slices of the input (shifted)."""
        spans = _spans(self.x4, self.K, self.S, self.P, self.ceil, include)
        rows, cols = (np.array(span) + move for span, move in zip(spans, shift, strict=True))
        return slice(rows[0][i], rows[1][i]), slice(cols[0][j], cols[1][j])

    def forward(self):
        work, ctx, nd, source, shift = self.work, self.ctx, self.x.ndim, self.x4, (0, 0)
        if self.mode == "max":
            self.where = _first_max(self.x4, self.K, self.S, self.P, self.ceil)[1]
            formula, include = "amax(window)", False
        else:
            formula, include = "sum(window)/n", self.include
            if include and any(self.P):
                title, P, shift = ctx.t("conv.padded_input"), cv.compact(self.P), self.P[::2]
                source = cv.as4d(work(title, "X_pad = pad(X, P)", X=self.x, P=P))
            rows, cols = _divisor(self.x4, self.K, self.S, self.P, self.ceil, include)
            self.n = rows * cols
            if any(self.P) or self.ceil:
                self.n = work(ctx.t("pool.divisor"), "n = matmul(rows, cols)", rows=rows, cols=cols)
        for index in self.each((*self.x4.shape[:2], self.ho, self.wo), "output"):
            operands, note = (
                {"window": source[index[:2]][self.window(*index[2:], include, shift)]},
                "",
            )
            if self.mode == "max":
                at = (*index[:2], *divmod(int(self.where[index]), self.x4.shape[3]))
                note = ctx.t("pool.max_at", cell=cv.index_text(at, nd))
            else:
                operands["n"] = self.n[index[2:]]
            title = ctx.t("pool.cell", cell=cv.index_text(index, nd, ", "))
            work(
                title,
                f"O[{cv.index_text(index, nd)}] = {formula}",
                note=note,
                name="output",
                **operands,
            )
        formula, settings = cv.call(f"{self.mode}pool", ["X"], self.settings())
        return work(ctx.t("pool.output"), f"O = {formula}", key="output", X=self.x, **settings)

    def backward(self):
        """Max: where each window routes G; per input cell the sum of what it receives."""
        work, ctx, nd, width = self.work, self.ctx, self.x.ndim, self.x4.shape[3]
        G = self.upstream(cv.as_given(np.zeros((*self.x4.shape[:2], self.ho, self.wo)), nd).shape)
        g4, args = (
            cv.as4d(G),
            (self.x4, np.ones(cv.as4d(G).shape), self.K, self.S, self.P, self.ceil),
        )
        if self.mode == "max":
            for index in self.each(g4.shape, "grad_window"):
                rows, cols = self.window(*index[2:], False)
                r, c = divmod(int(self.where[index]), width)
                mask = np.zeros((rows.stop - rows.start, cols.stop - cols.start))
                mask[r - rows.start, c - cols.start] = 1
                at, window = cv.index_text((*index[:2], r, c), nd), cv.index_text(index, nd)
                title = ctx.t("pool.route", window=window.replace(",", ", "), at=at)
                work(title, f"dL_dwindow[{window}] = g*M", name="grad_window", g=g4[index], M=mask)
            several = np.argwhere(maxpool_grad(*args) > 1)  # cells more than one window routes to
        else:
            several = np.argwhere(avgpool_grad(*args[:2], *args[2:], 0) > 0)
        (r0, r1), (c0, c1) = _spans(self.x4, self.K, self.S, self.P, self.ceil, False)
        for (k,) in self.each((len(several),), "grad_input"):
            (b, ch, r, c), cell = several[k], cv.index_text(several[k], nd)
            if self.mode == "max":
                windows = np.argwhere(self.where[b, ch] == r * width + c)
            else:
                windows = np.argwhere(np.outer((r0 <= r) & (r < r1), (c0 <= c) & (c < c1)))
            operands = {"g": g4[b, ch][tuple(windows.T)]}
            if self.mode == "avg":
                operands["n"] = np.broadcast_to(self.n, g4.shape[2:])[tuple(windows.T)]
            title = ctx.t("pool.cell_grad_input", cell=cell.replace(",", ", "))
            rhs = "sum(g)" if self.mode == "max" else "sum(g/n)"
            work(title, f"dL_dX[{cell}] = {rhs}", name="grad_input", **operands)
        formula, settings = cv.call(f"{self.mode}pool_grad", ["X", "G"], self.settings())
        title = ctx.t("pool.grad_input")
        return work(title, f"dL_dX = {formula}", key="grad_input", X=self.x, G=G, **settings)


def run(args, ctx: Ctx) -> Trace:
    problem = _Pool(args, ctx)
    result = {"output": problem.forward()}
    if args.backward or args["grad-output"] is not None:
        result["grad_input"] = problem.backward()
    problem.trace.result = result
    return problem.trace
