"""The toy YOLO of the seed slides ("수식으로 Yolo 열어보기"): forward, backward, one SGD step.

    backbone   Out_conv1 = I ⋆ W_conv1           (valid cross-correlation, PyTorch's conv2d)
               Out_SiLU1 = SiLU(Out_conv1)
               Out_conv2 = Σ Out_SiLU1 ⊙ W_conv2  (a kernel of the map's own size: one number)
               Out_backbone = SiLU(Out_conv2)
    neck       X = W_neck · Out_backbone          (only with --neck; the slide skips it)
    heads      Y_bbox = W_bbox · X,  Y_cls = W_cls · X,  Ŷ = (Y_bbox, Y_cls)
    loss       L = (1/N) Σ (Ŷ − Y)²               (MSE: a teaching simplification)
    update     W ← W − η ∂L/∂W                    (plain SGD, every weight)

The numbers come from the shared numeric cores (``calc.conv`` for correlations and the conv
backward, ``calc.activations`` for SiLU and SiLU′); this module only chains them, rounds each
intermediate through ``ctx.r`` (hand mode), and lays the steps out in the slide's order.

Checked against the slide, every printed number is explained by exact arithmetic or by hand
rounding except ∂L/∂W_conv1 and the W_conv1 update computed from it: the slide's
[[-12.44, -16.03, -8.99], [-21.49, -27.56, -14.93], [-10.03, -12.42, -7.56]] is no
correlation of I with the upstream matrix it shows (nor with that matrix flipped or
transposed); the truth is [[-16.78, -21.92, -12.84], [-32.19, -37.32, -22.71],
[-17.77, -20.14, -17.38]], and W_conv1 becomes [[1.17, 0.22, 1.13], [0.32, 1.37, 0.23],
[1.18, 0.20, 1.17]], not [[1.12, 0.16, 1.09], [0.21, 1.28, 0.15], [1.10, 0.12, 1.08]].
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.calc.activations import ACTIVATIONS
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.formula import Work
from stepcalc.trace import Table, Trace

DEFAULT_PROBLEM: dict[str, Any] = {
    "image": [[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [1, 0, 1, 3]],
    "w_conv1": [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    "w_conv2": [[0.5, 0.6], [0.7, 0.8]],
    "w_neck": 0.5,
    "w_bbox": [0.1, 0.2],
    "w_cls": 0.3,
    "y_true": [12, 15, 20],
    "lr": 0.01,
}
"""The slide's problem; ``samples/yolo_toy.yaml`` holds the same (a test keeps them equal)."""

CELL_STEPS_UP_TO = 16
"""Output maps with at most this many cells get one step per cell (the slide's worked sums)."""
DIVERGES_BY = 10.0
"""A loss this many times the first one counts as divergence."""
PROBE_STEPS = 20
"""Steps of the quick trainings that pick a suggested learning rate."""
SMALLEST_LR_TRIED = 1e-8


@dataclass(frozen=True)
class Weights:
    w_conv1: np.ndarray
    w_conv2: np.ndarray
    w_bbox: np.ndarray
    w_cls: np.ndarray
    w_neck: float


@dataclass(frozen=True)
class ToyProblem:
    image: np.ndarray
    weights: Weights
    y_true: np.ndarray
    lr: float
    neck: bool = False
    steps: int | None = None
    bbox_scalar: bool = False
    cls_scalar: bool = False


def build_problem(
    image=None,
    w_conv1=None,
    w_conv2=None,
    w_neck=None,
    w_bbox=None,
    w_cls=None,
    y_true=None,
    lr=None,
    neck: bool = False,
    steps: int | None = None,
) -> ToyProblem:
    """Fill what is missing from the slide's problem and check that the layers chain."""

    def pick(value, name):
        return np.asarray(DEFAULT_PROBLEM[name] if value is None else value, dtype=float)

    image, w_conv1, w_conv2 = (
        pick(image, "image"),
        pick(w_conv1, "w_conv1"),
        pick(w_conv2, "w_conv2"),
    )
    w_bbox, w_cls, y_true = pick(w_bbox, "w_bbox"), pick(w_cls, "w_cls"), pick(y_true, "y_true")
    w_neck, lr = float(pick(w_neck, "w_neck")), float(pick(lr, "lr"))
    h, w = image.shape
    kh, kw = w_conv1.shape
    if kh > h or kw > w:
        raise InputError("w-conv1", "yolo.kernel_fits", kernel=f"{kh}×{kw}", image=f"{h}×{w}")
    conv1_shape = _shape((h - kh + 1, w - kw + 1))
    if w_conv2.shape != (h - kh + 1, w - kw + 1):
        raise InputError("w-conv2", "yolo.conv2_shape", wanted=conv1_shape, shape=_shape(w_conv2))
    boxes, classes = np.atleast_1d(w_bbox).size, np.atleast_1d(w_cls).size
    if y_true.ndim == 0 or y_true.size != boxes + classes:
        raise InputError(
            "y-true",
            "yolo.targets",
            n=boxes + classes,
            boxes=boxes,
            classes=classes,
            got=y_true.size,
        )
    if (steps or 1) * image.size * w_conv1.size > limits.MAX_TENSOR_ELEMENTS * 25:
        raise InputError("steps", "yolo.too_much_work", steps=f"{steps or 1:,}", image=f"{h}×{w}")
    return ToyProblem(
        image=image,
        weights=Weights(
            w_conv1=w_conv1,
            w_conv2=w_conv2,
            w_bbox=np.atleast_1d(w_bbox),
            w_cls=np.atleast_1d(w_cls),
            w_neck=w_neck,
        ),
        y_true=y_true,
        lr=lr,
        neck=neck,
        steps=steps,
        bbox_scalar=w_bbox.ndim == 0,
        cls_scalar=w_cls.ndim == 0,
    )


def _shape(shape) -> str:
    shape = shape.shape if hasattr(shape, "shape") else shape
    return "×".join(str(n) for n in shape) if len(shape) else "scalar"


# ------------------------------------------------------------------ the numbers


def forward_backward(problem: ToyProblem, weights: Weights, ctx: Ctx, trace=None):
    """Every intermediate of one SGD step, in the slide's order, each a worked step whose
    value is its formula put to the quantities before it (rounded by ``ctx.r`` by hand)."""
    w = weights
    x = "Out_neck" if problem.neck else "Out_backbone"
    v: dict[str, Any] = {
        "I": problem.image,
        "W_conv1": w.w_conv1,
        "W_conv2": w.w_conv2,
        "W_neck": w.w_neck,
        "W_bbox": _given(w.w_bbox, problem.bbox_scalar),
        "W_cls": _given(w.w_cls, problem.cls_scalar),
        "Y": problem.y_true,
        "N": problem.y_true.size,
        "lr": problem.lr,
    }
    s = Work(trace, ctx, env=v, topic="yolo")
    _cells(s, "conv1_cell", "Out_conv1", "I", "W_conv1", "conv1_output")
    s("conv1", "Out_conv1 = corr2d(I, W_conv1)", key="conv1_output")
    s("silu1", f"Out_SiLU1 = {_silu('Out_conv1')}", key="silu1_output")
    s("conv2", "Out_conv2 = sum(Out_SiLU1*W_conv2)", key="conv2_output")
    s("silu2", f"Out_backbone = {_silu('Out_conv2')}", key="backbone_output")
    if problem.neck:
        s("neck", "Out_neck = W_neck*Out_backbone", key="neck_output")
    s("head_bbox", f"Y_bbox = W_bbox*{x}")
    s("head_cls", f"Y_cls = W_cls*{x}")
    s("y_pred", "Y_hat = concat(Y_bbox, Y_cls)", key="y_pred")
    s("error", "delta = Y_hat - Y")
    s("loss", "L = mean(delta**2)", key="loss")
    s.phase = "backward"
    s("grad_y_pred", "dL_dY_hat = 2/N*delta", key="grad_y_pred")
    n_bbox = w.w_bbox.size
    v["dL_dY_bbox"] = _given(v["dL_dY_hat"][:n_bbox], problem.bbox_scalar)
    v["dL_dY_cls"] = _given(v["dL_dY_hat"][n_bbox:], problem.cls_scalar)
    s("grad_w_bbox", f"dL_dW_bbox = dL_dY_bbox*{x}", key="grad_w_bbox")
    s("grad_w_cls", f"dL_dW_cls = dL_dY_cls*{x}", key="grad_w_cls")
    s("head_terms", "g_head = concat(W_bbox*dL_dY_bbox, W_cls*dL_dY_cls)")
    if problem.neck:
        s("grad_neck", "dL_dOut_neck = sum(g_head)")
        s("grad_w_neck", "dL_dW_neck = dL_dOut_neck*Out_backbone")
        s("grad_backbone", "dL_dOut_backbone = W_neck*dL_dOut_neck", key="grad_backbone")
    else:
        s("grad_backbone", "dL_dOut_backbone = sum(g_head)", key="grad_backbone")
    s("silu2_prime", f"SiLU_prime = {_silu('Out_conv2', prime=True)}")
    s("grad_conv2", "dL_dOut_conv2 = dL_dOut_backbone*SiLU_prime", key="grad_conv2_output")
    s("grad_w_conv2", "dL_dW_conv2 = dL_dOut_conv2*Out_SiLU1", key="grad_w_conv2")
    s("grad_silu1", "dL_dOut_SiLU1 = dL_dOut_conv2*W_conv2", key="grad_silu1_output")
    s("silu1_prime", f"SiLU_prime = {_silu('Out_conv1', prime=True)}")
    s("grad_conv1", "dL_dOut_conv1 = dL_dOut_SiLU1*SiLU_prime", key="grad_conv1_output")
    _cells(s, "grad_w_conv1_cell", "dL_dW_conv1", "I", "dL_dOut_conv1", "grad_w_conv1")
    s("grad_w_conv1", "dL_dW_conv1 = corr2d(I, dL_dOut_conv1)", key="grad_w_conv1")
    s.phase = "update"
    once = (problem.steps or 1) == 1
    for name in ("w_bbox", "w_cls", "w_neck", "w_conv2", "w_conv1"):
        if name != "w_neck" or problem.neck:
            big = "W_" + name[2:]
            key = f"updated.{name}" if once else None
            s("update", f"{big}_prime = {big} - lr*dL_d{big}", key=key, at={"name": name})
    new = {
        name: v.get(f"W_{name[2:]}_prime", v[f"W_{name[2:]}"]) for name in Weights.__annotations__
    }
    new["w_bbox"], new["w_cls"] = np.atleast_1d(new["w_bbox"]), np.atleast_1d(new["w_cls"])
    v["updated"] = Weights(**new)
    return v


def _silu(x: str, prime: bool = False) -> str:
    """SiLU(x) or SiLU′(x) = σ(x)(1 + x(1 − σ(x))) over ``x``, from the activation registry."""
    silu = ACTIVATIONS["silu"]
    return re.sub(r"\bx\b", x, silu.derivative_formula if prime else silu.formula)


def _given(vector, scalar: bool):
    """A weight given as one number stays one number in steps and results."""
    return float(np.asarray(vector).ravel()[0]) if scalar else vector


def _cells(s: Work, title: str, symbol: str, image: str, kernel: str, group: str) -> None:
    """The slide's worked sums: one step per output cell of a small correlation."""
    if s.trace is None:
        return
    kh, kw = np.shape(s.env[kernel])
    rows, cols = s.env[image].shape[0] - kh + 1, s.env[image].shape[1] - kw + 1
    if rows * cols > CELL_STEPS_UP_TO:
        return
    for i in range(rows):
        for j in range(cols):
            window = s.env[image][i : i + kh, j : j + kw]
            formula = f"{symbol}[{i},{j}] = sum(window*{kernel})"
            s(title, formula, window=window, name=group, at={"i": i, "j": j})


def train(problem: ToyProblem, steps: int, ctx: Ctx, lr: float | None = None, trace=None):
    """Losses of ``steps`` SGD steps and the weights after them; stops early at overflow."""
    if lr is not None:
        problem = replace(problem, lr=lr)
    weights = problem.weights
    losses: list[float] = []
    first: dict[str, Any] | None = None
    for _ in range(steps):
        values = forward_backward(problem, weights, ctx, trace if first is None else None)
        first = first or values
        losses.append(values["L"])
        weights = values["updated"]
        if not math.isfinite(values["L"]):
            break
    final = forward_backward(problem, weights, Ctx())["L"] if _finite(weights) else math.inf
    return first, losses, weights, final


def _finite(weights: Weights) -> bool:
    return all(np.all(np.isfinite(getattr(weights, name))) for name in Weights.__annotations__)


def diagnose(losses: list[float], final: float) -> str:
    """``diverged``, ``stalled``, ``rising`` or ``falling`` for a loss history."""
    history = [*losses, final]
    first = history[0]
    if not all(math.isfinite(x) for x in history) or max(history) > DIVERGES_BY * max(first, 1e-12):
        return "diverged" if history[-1] >= first else "rising"
    if len(history) >= 3 and history[-1] > 1e-6 * first:
        recent = history[-3:]
        if max(recent) - min(recent) <= 1e-9 * max(abs(recent[-1]), 1e-12):
            return "stalled"
    return "falling" if history[-1] < first else "rising"


_SUGGESTIONS: dict[tuple, float | None] = {}


def suggest_lr(problem: ToyProblem) -> float | None:
    """The largest of lr/10, lr/100, … whose quick training lowers the loss at every step."""
    key = (problem.lr, problem.neck, problem.image.tobytes(), problem.y_true.tobytes())
    key += tuple(np.asarray(getattr(problem.weights, n)).tobytes() for n in Weights.__annotations__)
    if key not in _SUGGESTIONS:
        _SUGGESTIONS[key] = None
        lr = problem.lr / 10
        while lr >= SMALLEST_LR_TRIED:
            _, losses, _, final = train(problem, PROBE_STEPS, Ctx(), lr=lr)
            history = [*losses, final]
            if all(b < a for a, b in zip(history, history[1:], strict=False)):
                _SUGGESTIONS[key] = float(f"{lr:.1g}")
                break
            lr /= 10
    return _SUGGESTIONS[key]


# ------------------------------------------------------------------ the trace


def yolo_toy(problem: ToyProblem, ctx: Ctx) -> Trace:
    trace = Trace(
        command="yolo-toy",
        title=ctx.t("yolo.title"),
        subtitle=ctx.t(
            "yolo.subtitle",
            image=_shape(problem.image),
            lr=f"{problem.lr:g}",
            neck=ctx.t("yolo.neck_on" if problem.neck else "yolo.neck_off"),
        ),
        inputs=_inputs(problem),
        shown_inputs={
            "I": problem.image,
            "W_conv1": problem.weights.w_conv1,
            "W_conv2": problem.weights.w_conv2,
        },
    )
    first, losses, weights_after, final = train(problem, problem.steps or 1, ctx, trace=trace)
    trace.result = _result(problem, first, weights_after)
    trace.summary = ["y_pred", "loss", "grad_w_conv1", "updated"]
    if not problem.neck:
        trace.notes.append(ctx.t("yolo.neck_skipped", w_neck=f"{problem.weights.w_neck:g}"))
    trace.notes.append(ctx.t("yolo.mse_note"))
    if _is_slide_problem(problem):
        trace.notes.append(ctx.t("yolo.slide_errata"))
    _training_report(trace, problem, losses, final, weights_after, ctx)
    return trace


def _is_slide_problem(problem: ToyProblem) -> bool:
    given = _inputs(problem)
    return not problem.neck and all(
        np.array_equal(np.asarray(given[name], dtype=float), np.asarray(value, dtype=float))
        for name, value in DEFAULT_PROBLEM.items()
        if name != "w_neck"
    )


def _inputs(problem: ToyProblem) -> dict[str, Any]:
    w = problem.weights
    return {
        "image": problem.image,
        "w_conv1": w.w_conv1,
        "w_conv2": w.w_conv2,
        "w_neck": w.w_neck,
        "w_bbox": _given(w.w_bbox, problem.bbox_scalar),
        "w_cls": _given(w.w_cls, problem.cls_scalar),
        "y_true": problem.y_true,
        "lr": problem.lr,
        "neck": problem.neck,
        "steps": problem.steps or 1,
    }


RESULTS = {
    "conv1_output": "Out_conv1",
    "silu1_output": "Out_SiLU1",
    "conv2_output": "Out_conv2",
    "backbone_output": "Out_backbone",
    "neck_output": "Out_neck",
    "y_pred": "Y_hat",
    "loss": "L",
    "grad_y_pred": "dL_dY_hat",
    "grad_w_bbox": "dL_dW_bbox",
    "grad_w_cls": "dL_dW_cls",
    "grad_backbone": "dL_dOut_backbone",
    "grad_conv2_output": "dL_dOut_conv2",
    "grad_w_conv2": "dL_dW_conv2",
    "grad_silu1_output": "dL_dOut_SiLU1",
    "grad_conv1_output": "dL_dOut_conv1",
    "grad_w_conv1": "dL_dW_conv1",
}
"""Result keys of the contract and the quantities of the worked solution they report."""


def _result(problem: ToyProblem, v: dict[str, Any], after: Weights) -> dict[str, Any]:
    result = {key: v.get(name, v["Out_backbone"]) for key, name in RESULTS.items()}
    result["updated"] = {
        "w_conv1": after.w_conv1,
        "w_conv2": after.w_conv2,
        "w_bbox": _given(after.w_bbox, problem.bbox_scalar),
        "w_cls": _given(after.w_cls, problem.cls_scalar),
    }
    if problem.neck:
        result["updated"]["w_neck"] = after.w_neck
    return result


def _training_report(trace, problem, losses, final, weights_after, ctx) -> None:
    status = diagnose(losses, final)
    history = [*losses, final]
    if problem.steps is not None:
        rows = [[str(i + 1), loss] for i, loss in enumerate(losses)]
        rows.append([ctx.t("yolo.after_training"), final])
        if len(rows) > 2 * 10 + 1:
            rows = [*rows[:10], ["…", "…"], *rows[-10:]]
        trace.tables.append(
            Table(
                ctx.t("yolo.training_title"),
                [ctx.t("yolo.step"), ctx.t("yolo.loss_column")],
                rows,
            )
        )
        plot = _plot(history, ctx)
        if plot is not None:
            trace.tables.append(plot)
        trace.result["history"] = [{"step": i + 1, "loss": loss} for i, loss in enumerate(losses)]
        trace.result["final_loss"] = final
        trace.summary.insert(2, "final_loss")
    suggestion = suggest_lr(problem) if status in ("diverged", "stalled", "rising") else None
    first = f"{history[0]:.6g}"
    last = f"{history[-1]:.6g}" if math.isfinite(history[-1]) else "∞"
    peak = max(history) if all(math.isfinite(x) for x in history) else math.inf
    up = status == "diverged" and peak == history[-1]  # no "and ends at" the same number
    message = ctx.t(
        f"yolo.status_{status}{'_up' * up}",
        first=first,
        last=last,
        peak=f"{peak:.6g}" if math.isfinite(peak) else "∞",
        lr=f"{problem.lr:g}",
        steps=len(losses),
    )
    if status == "diverged" and diagnose(history[-3:], history[-1]) == "stalled":
        message += " " + ctx.t("yolo.then_stalled", last=last)
    if suggestion is not None:
        message += " " + ctx.t("yolo.suggest", lr=f"{suggestion:g}")
    elif status != "falling":
        message += " " + ctx.t("yolo.no_suggestion")
    trace.notes.insert(0, message)
    if problem.steps is not None:
        trace.result["diagnosis"] = {"status": status, "suggested_lr": suggestion}


def _plot(history: list[float], ctx: Ctx):
    """The loss per step in the terminal, when the ``plot`` extra (uniplot) is installed."""
    from stepcalc.calc.plot import line_plot

    finite = [x for x in history if math.isfinite(x)]
    if len(finite) < 3:
        return None
    return line_plot(ctx.t("yolo.loss_column"), [finite], [list(range(len(finite)))], ctx.ascii)


def run(args, ctx: Ctx) -> Trace:
    names = ("image", "w-conv1", "w-conv2", "w-neck", "w-bbox", "w-cls", "y-true")
    given = {name.replace("-", "_"): args[name] for name in names}
    problem = build_problem(**given, lr=args.lr, neck=args.neck, steps=args.steps)
    return yolo_toy(problem, ctx)
