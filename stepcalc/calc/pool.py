"""Max and average pooling: a float64 core with PyTorch's semantics, then the worked solution.

Max pooling never picks a padding cell and on a tie keeps the first maximum in row-major
order. Average pooling divides by the cells inside the padded input (count_include_pad) or
the input only (Keras's 'same'); a ceil-mode window's part past the padding never counts.
"""

from __future__ import annotations

import numpy as np

from stepcalc.calc import conv as cv
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

# ------------------------------------------------------------------ numeric core


def _axes(x4, K, S, P, C):
    """Per axis: where each window starts (the input's first cell is 0, padding is negative),
    the window's size, and where the input and the padding after it end. A ceil-mode window
    is kept when it starts inside the input or the padding before it."""
    sides, axes = cv._sides(P), []
    for axis, (k, s) in enumerate(zip(cv._two(K), cv._two(S), strict=True)):
        size, before, after = x4.shape[2 + axis], sides[2 * axis], sides[2 * axis + 1]
        span = size + before + after - k
        n = (-(-span // s) if C else span // s) + 1
        n -= bool(C) and (n - 1) * s >= size + before
        axes.append((np.arange(n) * s - before, k, size, size + after))
    return axes


def _windows(x4, K, S, P, C, fill: float):
    """Every window's cells over the padded input: (N, C, ho, wo, kh, kw)."""
    axes = _axes(x4, K, S, P, C)
    frame = [(-start[0], max(start[-1] + k - size, 0)) for start, k, size, _ in axes]
    xp = np.pad(x4, [(0, 0), (0, 0), *frame], constant_values=fill)
    return cv.windows(xp, cv._two(K), cv._two(S))[:, :, : len(axes[0][0]), : len(axes[1][0])]


def _first_max(x4, K, S, P, C):
    """Each window's maximum and the flat H·W index of its first one in row-major order."""
    windows = _windows(x4, K, S, P, C, -np.inf)
    first = windows.reshape(windows.shape[:4] + (-1,)).argmax(-1)
    (rows, *_), (cols, *_) = _axes(x4, K, S, P, C)
    rows, cols = rows[:, None] + first // windows.shape[-1], cols + first % windows.shape[-1]
    return windows.max(axis=(-2, -1)), rows * x4.shape[3] + cols


def _spans(x4, K, S, P, C, inc):
    """Per axis the (first, end) of the cells each window counts: in the padded input
    (``inc``: count_include_pad) or in the input only."""
    axes = _axes(x4, K, S, P, C)
    if inc:
        return [(start, np.minimum(start + k, end)) for start, k, _, end in axes]
    return [(np.maximum(start, 0), np.minimum(start + k, size)) for start, k, size, _ in axes]


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
    """Each upstream value shared (÷ divisor) by its window: conv_t with a kernel of ones,
    cut to the input."""
    x4, S, (kh, kw) = cv.as4d(X), K if S is None else S, cv._two(K)
    (t, _, l, _), (rows, cols) = cv._sides(P), _divisor(x4, K, S, P, C, inc)  # noqa: E741
    (n, c, h, w), (sh, sw), share = x4.shape, cv._two(S), cv.as4d(G) / (rows * cols)
    (ho, wo), share = share.shape[2:], share.reshape(n * c, 1, *share.shape[2:])
    cut = (t, (ho - 1) * sh + kh - h - t, l, (wo - 1) * sw + kw - w - l)
    return cv.conv_t(share, np.ones((1, 1, kh, kw)), S, cut).reshape(np.shape(X))


# ------------------------------------------------------------------ worked solution


class _Pool(cv.Worked):
    def __init__(self, args, ctx: Ctx):
        super().__init__("pool", args, ctx, {"X": args.input})
        self.mode, self.x, self.x4, trace = args.mode, args.input, cv.as4d(args.input), self.trace
        self.K, self.S = cv._two(args.kernel), cv._two(args.stride or args.kernel)
        (h, w), same, self.ceil = self.x4.shape[2:], args.padding == "same", bool(args["ceil-mode"])
        self.P = t, b, l, r = cv.padding_sides(args.padding, (h, w), self.K, self.S)  # noqa: E741
        for k, p in zip(self.K, self.P[::2], strict=True):
            if p > k // 2 and not same:
                raise InputError("padding", "pool.padding_half", half=k // 2, kernel=k, value=p)
        include = args["count-include-pad"]
        self.include = not same if include is None else include
        self.geometry = (self.K, self.S, self.P, self.ceil)  # what every numeric function takes
        padded, kernel = format_shape((h + t + b, w + l + r)), format_shape(self.K)
        cv.check_size(self.x4[..., 0, 0].size * (h + t + b) * (w + l + r))
        self.ho, self.wo = (len(start) for start, *_ in _axes(self.x4, *self.geometry))
        if self.ho < 1 or self.wo < 1:
            raise InputError("kernel", "pool.window_too_big", kernel=kernel, padded=padded)
        K, S, P = (cv.compact(v) for v in (self.K, self.S, self.P))
        self.env.update(K=K, S=S, P=P, C=int(self.ceil), I=int(self.include))
        parts = [ctx.t("conv.kernel", value=kernel), ctx.t("conv.stride", value=cv.joined(self.S))]
        parts.append(ctx.t("conv.padding", value=cv.joined(P)))
        trace.title, trace.subtitle = ctx.t(f"pool.title_{self.mode}"), self.subtitle(parts)
        trace.inputs = {
            "input": self.x, "mode": self.mode, "kernel": list(self.K), "stride": list(self.S),
            "padding": "same" if same else list(cv._two(args.padding)),
            "padding_sides": [[t, b], [l, r]], "ceil_mode": self.ceil,
            "count_include_pad": self.include,
        }  # fmt: skip
        trace.shown_inputs = {"X": self.x} if self.x.size <= 128 else {}
        note = "pool.note_max" if self.mode == "max" else f"pool.note_avg{self.include:d}"
        trace.notes.append(ctx.t(note))
        if same:
            trace.notes.append(ctx.t("conv.note_same", top=t, bottom=b, left=l, right=r))
        if self.ceil:
            trace.notes.append(ctx.t("pool.note_ceil"))

    def whole(self, title: str, formula: str, function: str, args: list[str], key: str):
        """``formula`` around ``function(X, K, S, P, C, I)``, trailing defaults left out."""
        defaults = {"K": None, "S": self.env["K"], "P": 0, "C": 0, "I": 1}
        if self.mode == "max":
            del defaults["I"]
        call = self.call(function, args, defaults)
        return self.work(self.ctx.t(title), formula.format(call), key=key)

    def window(self, i: int, j: int, include: bool, shift=(0, 0)):
        """The rows and columns window (i, j) counts, as slices of the input (shifted)."""
        (r0, r1), (c0, c1) = _spans(self.x4, *self.geometry, include)
        return slice(r0[i] + shift[0], r1[i] + shift[0]), slice(c0[j] + shift[1], c1[j] + shift[1])

    def forward(self):
        work, ctx, nd, source, shift = self.work, self.ctx, self.x.ndim, self.x4, (0, 0)
        include, rhs = self.mode == "avg" and self.include, "amax(window)"
        if self.mode == "max":
            self.where = _first_max(self.x4, *self.geometry)[1]
        else:
            rhs = "sum(window)/n"
            if include and any(self.P):
                title, shift = ctx.t("conv.padded_input"), self.P[::2]
                source = cv.as4d(work(title, "X_pad = pad(X, P)"))
            rows, cols = _divisor(self.x4, *self.geometry, include)
            self.n = rows * cols
            if any(self.P) or self.ceil:
                self.n = work(ctx.t("pool.divisor"), "n = matmul(rows, cols)", rows=rows, cols=cols)
        for index in self.each((*self.x4.shape[:2], self.ho, self.wo), "output"):
            step = {"window": source[index[:2]][self.window(*index[2:], include, shift)]}
            if self.mode == "max":
                top = divmod(int(self.where[index]), self.x4.shape[3])
                step["note"] = ctx.t("pool.max_at", cell=cv.index_text((*index[:2], *top), nd))
            else:
                step["n"] = self.n[index[2:]]
            at = cv.index_text(index, nd)
            title = ctx.t("pool.cell", cell=at.replace(",", ", "))
            work(title, f"O[{at}] = {rhs}", name="output", **step)
        return self.whole("pool.output", "O = {}", f"{self.mode}pool", ["X"], "output")

    def backward(self, output):
        """Max: where each window routes G; per input cell the sum of what it receives."""
        work, ctx, nd, width = self.work, self.ctx, self.x.ndim, self.x4.shape[3]
        g4 = cv.as4d(self.upstream(np.shape(output)))
        ones = (self.x4, np.ones(g4.shape), *self.geometry)
        if self.mode == "max":
            for index in self.each(g4.shape, "grad_window"):
                rows, cols = self.window(*index[2:], False)
                r, c = divmod(int(self.where[index]), width)
                mask = np.zeros((rows.stop - rows.start, cols.stop - cols.start))
                mask[r - rows.start, c - cols.start] = 1
                at, window = cv.index_text((*index[:2], r, c), nd), cv.index_text(index, nd)
                title = ctx.t("pool.route", window=window.replace(",", ", "), at=at)
                work(title, f"dL_dwindow[{window}] = g*M", name="grad_window", g=g4[index], M=mask)
            several = np.argwhere(maxpool_grad(*ones) > 1)  # cells more than one window routes to
        else:
            several = np.argwhere(avgpool_grad(*ones, 0) > 0)
        (r0, r1), (c0, c1) = _spans(self.x4, *self.geometry, False)
        for (k,) in self.each((len(several),), "grad_input"):
            (b, ch, r, c), cell = several[k], cv.index_text(several[k], nd)
            title = ctx.t("pool.cell_grad_input", cell=cell.replace(",", ", "))
            if self.mode == "max":
                hits = self.where[b, ch] == r * width + c
                work(title, f"dL_dX[{cell}] = sum(g)", name="grad_input", g=g4[b, ch][hits])
            else:
                hits = np.outer((r0 <= r) & (r < r1), (c0 <= c) & (c < c1))
                g, n = g4[b, ch][hits], self.n[hits]
                work(title, f"dL_dX[{cell}] = sum(g/n)", name="grad_input", g=g, n=n)
        function = f"{self.mode}pool_grad"
        return self.whole("conv.grad_input", "dL_dX = {}", function, ["X", "G"], "grad_input")


def run(args, ctx: Ctx) -> Trace:
    problem = _Pool(args, ctx)
    result = {"output": problem.forward()}
    if args.backward or args["grad-output"] is not None:
        result["grad_input"] = problem.backward(result["output"])
    problem.trace.result = result
    return problem.trace
