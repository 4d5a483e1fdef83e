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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.calc.activations import silu, silu_derivative
from stepcalc.calc.conv import conv2d_backward, corr2d
from stepcalc.errors import StepcalcError
from stepcalc.trace import Ctx, Step, Table, Trace

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


def _concat(*parts):
    return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])


FORMULA_FUNCTIONS = {"concat": _concat}


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
    for name, value in (("w-neck", w_neck), ("lr", lr)):
        if value is not None and np.ndim(value) != 0:
            raise StepcalcError(
                f"--{name}: expected one number, got shape {_shape(np.shape(value))}"
            )
    w_neck = float(pick(w_neck, "w_neck"))
    lr = float(pick(lr, "lr"))
    for name, array in (("image", image), ("w-conv1", w_conv1), ("w-conv2", w_conv2)):
        if array.ndim != 2:
            raise StepcalcError(f"--{name}: expected a matrix, got shape {_shape(array)}")
    for name, array in (("w-bbox", w_bbox), ("w-cls", w_cls), ("y-true", y_true)):
        if array.ndim > 1:
            raise StepcalcError(f"--{name}: expected a number or a vector, got a matrix")
        if array.size == 0:
            raise StepcalcError(f"--{name}: empty")
    h, w = image.shape
    kh, kw = w_conv1.shape
    if kh > h or kw > w:
        raise StepcalcError(f"--w-conv1: conv1 kernel {kh}×{kw} does not fit the {h}×{w} image")
    conv1_shape = (h - kh + 1, w - kw + 1)
    if w_conv2.shape != conv1_shape:
        raise StepcalcError(
            f"--w-conv2: conv2 must flatten the conv1 output {_shape(conv1_shape)} to one "
            f"number, so its kernel must be {_shape(conv1_shape)}, got {_shape(w_conv2.shape)}"
        )
    outputs = np.atleast_1d(w_bbox).size + np.atleast_1d(w_cls).size
    if y_true.ndim == 0 or y_true.size != outputs:
        raise StepcalcError(
            f"--y-true: needs {outputs} entries ({np.atleast_1d(w_bbox).size} bbox + "
            f"{np.atleast_1d(w_cls).size} class), got {y_true.size}"
        )
    if not lr > 0:
        raise StepcalcError(f"--lr: must be positive, got {lr:g}")
    if steps is not None and not 1 <= steps <= limits.MAX_STEPS:
        raise StepcalcError(f"--steps: must be from 1 to {limits.MAX_STEPS:,}, got {steps:,}")
    work = (steps or 1) * image.size * w_conv1.size
    if work > limits.MAX_TENSOR_ELEMENTS * 25:
        raise StepcalcError(
            f"--steps: {steps or 1:,} steps on a {h}×{w} image is too much work for a toy; "
            "use fewer steps or a smaller image"
        )
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


def forward_backward(problem: ToyProblem, weights: Weights, ctx: Ctx) -> dict[str, Any]:
    """Every intermediate of one SGD step, each rounded by ``ctx.r`` before it is used."""
    r = ctx.r
    image, y_true, lr = problem.image, problem.y_true, problem.lr
    v: dict[str, Any] = {}
    v["conv1"] = r(corr2d(image, weights.w_conv1))
    v["silu1"] = r(silu(v["conv1"]))
    v["conv2"] = r(float(corr2d(v["silu1"], weights.w_conv2)[0, 0]))
    v["backbone"] = r(float(silu(v["conv2"])))
    if problem.neck:
        v["neck"] = r(weights.w_neck * v["backbone"])
    head_input = v["neck"] if problem.neck else v["backbone"]
    v["y_bbox"] = r(weights.w_bbox * head_input)
    v["y_cls"] = r(weights.w_cls * head_input)
    v["y_pred"] = _concat(v["y_bbox"], v["y_cls"])
    v["error"] = r(v["y_pred"] - y_true)
    v["loss"] = r(float(np.mean(v["error"] ** 2)))

    n_bbox = weights.w_bbox.size
    v["grad_y_pred"] = r(2.0 / y_true.size * v["error"])
    grad_bbox, grad_cls = v["grad_y_pred"][:n_bbox], v["grad_y_pred"][n_bbox:]
    v["grad_w_bbox"] = r(grad_bbox * head_input)
    v["grad_w_cls"] = r(grad_cls * head_input)
    v["head_terms"] = r(_concat(weights.w_bbox * grad_bbox, weights.w_cls * grad_cls))
    v["grad_head_input"] = r(float(np.sum(v["head_terms"])))
    if problem.neck:
        v["grad_w_neck"] = r(v["grad_head_input"] * v["backbone"])
        v["grad_backbone"] = r(weights.w_neck * v["grad_head_input"])
    else:
        v["grad_backbone"] = v["grad_head_input"]
    v["silu2_prime"] = r(float(silu_derivative(v["conv2"])))
    v["grad_conv2"] = r(v["grad_backbone"] * v["silu2_prime"])
    grad_silu1, grad_w_conv2, _ = conv2d_backward(
        v["silu1"][None, None], weights.w_conv2[None, None], np.full((1, 1, 1, 1), v["grad_conv2"])
    )
    v["grad_w_conv2"] = r(grad_w_conv2[0, 0])
    v["grad_silu1"] = r(grad_silu1[0, 0])
    v["silu1_prime"] = r(silu_derivative(v["conv1"]))
    v["grad_conv1"] = r(v["grad_silu1"] * v["silu1_prime"])
    v["grad_w_conv1"] = r(corr2d(image, v["grad_conv1"]))

    new = {
        "w_conv1": r(weights.w_conv1 - lr * v["grad_w_conv1"]),
        "w_conv2": r(weights.w_conv2 - lr * v["grad_w_conv2"]),
        "w_bbox": r(weights.w_bbox - lr * v["grad_w_bbox"]),
        "w_cls": r(weights.w_cls - lr * v["grad_w_cls"]),
    }
    new["w_neck"] = r(weights.w_neck - lr * v["grad_w_neck"]) if problem.neck else weights.w_neck
    v["updated"] = Weights(**new)
    return v


def train(problem: ToyProblem, steps: int, ctx: Ctx, lr: float | None = None):
    """Losses of ``steps`` SGD steps and the weights after them; stops early at overflow."""
    if lr is not None:
        problem = replace(problem, lr=lr)
    weights = problem.weights
    losses: list[float] = []
    first: dict[str, Any] | None = None
    for _ in range(steps):
        values = forward_backward(problem, weights, ctx)
        first = first or values
        losses.append(values["loss"])
        weights = values["updated"]
        if not math.isfinite(values["loss"]):
            break
    final = forward_backward(problem, weights, Ctx())["loss"] if _finite(weights) else math.inf
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
    steps = problem.steps or 1
    first, losses, weights_after, final = train(problem, steps, ctx)
    v = first
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
    _forward_steps(trace, problem, v, ctx)
    _backward_steps(trace, problem, v, ctx)
    _update_steps(trace, problem, v, ctx)
    trace.result = _result(problem, v, weights_after)
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
        "w_bbox": _as_given(w.w_bbox, problem.bbox_scalar),
        "w_cls": _as_given(w.w_cls, problem.cls_scalar),
        "y_true": problem.y_true,
        "lr": problem.lr,
        "neck": problem.neck,
        "steps": problem.steps or 1,
    }


def _as_given(vector: np.ndarray, scalar: bool):
    return float(vector[0]) if scalar else vector


def _result(problem: ToyProblem, v: dict[str, Any], after: Weights) -> dict[str, Any]:
    bbox, cls = problem.bbox_scalar, problem.cls_scalar
    updated = {
        "w_conv1": after.w_conv1,
        "w_conv2": after.w_conv2,
        "w_bbox": _as_given(after.w_bbox, bbox),
        "w_cls": _as_given(after.w_cls, cls),
    }
    if problem.neck:
        updated["w_neck"] = after.w_neck
    return {
        "conv1_output": v["conv1"],
        "silu1_output": v["silu1"],
        "conv2_output": v["conv2"],
        "backbone_output": v["backbone"],
        "neck_output": v["neck"] if problem.neck else v["backbone"],
        "y_pred": v["y_pred"],
        "loss": v["loss"],
        "grad_y_pred": v["grad_y_pred"],
        "grad_w_bbox": _as_given(v["grad_w_bbox"], bbox),
        "grad_w_cls": _as_given(v["grad_w_cls"], cls),
        "grad_backbone": v["grad_backbone"],
        "grad_conv2_output": v["grad_conv2"],
        "grad_w_conv2": v["grad_w_conv2"],
        "grad_silu1_output": v["grad_silu1"],
        "grad_conv1_output": v["grad_conv1"],
        "grad_w_conv1": v["grad_w_conv1"],
        "updated": updated,
    }


def _names(prefix: str, matrix: np.ndarray, top: int = 0, left: int = 0, rows=None, cols=None):
    """Symbol names ``prefix_r_c`` with their numbers, for a written-out sum of products."""
    rows = matrix.shape[0] if rows is None else rows
    cols = matrix.shape[1] if cols is None else cols
    return {
        f"{prefix}_{top + a}_{left + b}": float(matrix[top + a, left + b])
        for a in range(rows)
        for b in range(cols)
    }


def _correlation_cells(trace, phase, title_key, image, kernel, out, ctx, image_name, kernel_name):
    """One step per output cell: the window of ``image`` times ``kernel``, summed."""
    if out.size > CELL_STEPS_UP_TO:
        return
    kh, kw = kernel.shape
    kernel_inputs = _names(kernel_name, kernel)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = _names(image_name, image, i, j, kh, kw)
            terms = [f"{x}*{k}" for x, k in zip(window, kernel_inputs, strict=True)]
            trace.add(
                Step(
                    phase,
                    ctx.t(title_key, i=i, j=j),
                    " + ".join(terms),
                    float(out[i, j]),
                    {**window, **kernel_inputs},
                    rule=ctx.t(f"{title_key}_rule", i=i, j=j),
                )
            )


def _forward_steps(trace: Trace, problem: ToyProblem, v: dict[str, Any], ctx: Ctx) -> None:
    w = problem.weights
    add = trace.add
    _correlation_cells(
        trace, "forward", "yolo.conv1_cell", problem.image, w.w_conv1, v["conv1"], ctx, "x", "w"
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.conv1"),
            "corr2d(I, W_conv1)",
            v["conv1"],
            {"I": problem.image, "W_conv1": w.w_conv1},
            rule="I ⋆ W_conv1",
            key="conv1_output",
        )
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.silu1"),
            "C1*sigmoid(C1)",
            v["silu1"],
            {"C1": v["conv1"]},
            rule="SiLU(x) = x·σ(x)",
            key="silu1_output",
        )
    )
    silu1_names = _names("s", v["silu1"])
    kernel_names = _names("k", w.w_conv2)
    add(
        Step(
            "forward",
            ctx.t("yolo.conv2"),
            " + ".join(f"{s}*{k}" for s, k in zip(silu1_names, kernel_names, strict=True)),
            v["conv2"],
            {**silu1_names, **kernel_names},
            rule="Σ Out_SiLU1 ⊙ W_conv2",
            key="conv2_output",
        )
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.silu2"),
            "c*sigmoid(c)",
            v["backbone"],
            {"c": v["conv2"]},
            rule="SiLU(Out_conv2)",
            key="backbone_output",
        )
    )
    head_input = "X"
    if problem.neck:
        add(
            Step(
                "forward",
                ctx.t("yolo.neck"),
                "w_neck*B",
                v["neck"],
                {"w_neck": w.w_neck, "B": v["backbone"]},
                rule="W_neck · Out_backbone",
                key="neck_output",
            )
        )
    x = v["neck"] if problem.neck else v["backbone"]
    add(
        Step(
            "forward",
            ctx.t("yolo.head_bbox"),
            f"W_bbox*{head_input}",
            _vector_or_scalar(v["y_bbox"], problem.bbox_scalar),
            {"W_bbox": _as_given(w.w_bbox, problem.bbox_scalar), head_input: x},
            rule="W_bbox · X",
        )
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.head_cls"),
            f"W_cls*{head_input}",
            _vector_or_scalar(v["y_cls"], problem.cls_scalar),
            {"W_cls": _as_given(w.w_cls, problem.cls_scalar), head_input: x},
            rule="W_cls · X",
        )
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.y_pred"),
            "concat(Y_bbox, Y_cls)",
            v["y_pred"],
            {"Y_bbox": v["y_bbox"], "Y_cls": v["y_cls"]},
            rule="(Y_bbox, Y_cls)",
            key="y_pred",
        )
    )
    add(
        Step(
            "forward",
            ctx.t("yolo.error"),
            "Y_pred - Y_true",
            v["error"],
            {"Y_pred": v["y_pred"], "Y_true": problem.y_true},
            rule="Ŷ − Y",
        )
    )
    errors = {f"e_{i}": float(e) for i, e in enumerate(v["error"])}
    n = len(errors)
    add(
        Step(
            "forward",
            ctx.t("yolo.loss"),
            "(" + " + ".join(f"{name}**2" for name in errors) + f")/{n}",
            v["loss"],
            errors,
            rule="L = (1/N) Σ (Ŷ − Y)²",
            key="loss",
        )
    )


def _vector_or_scalar(value: np.ndarray, scalar: bool):
    return float(value[0]) if scalar else value


def _backward_steps(trace: Trace, problem: ToyProblem, v: dict[str, Any], ctx: Ctx) -> None:
    w = problem.weights
    add = trace.add
    n_bbox = w.w_bbox.size
    x = v["neck"] if problem.neck else v["backbone"]
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_y_pred"),
            "2/N*e",
            v["grad_y_pred"],
            {"N": problem.y_true.size, "e": v["error"]},
            rule="∂L/∂Ŷ = (2/N)(Ŷ − Y)",
            key="grad_y_pred",
        )
    )
    grad_bbox = _vector_or_scalar(v["grad_y_pred"][:n_bbox], problem.bbox_scalar)
    grad_cls = _vector_or_scalar(v["grad_y_pred"][n_bbox:], problem.cls_scalar)
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_w_bbox"),
            "G_bbox*X",
            _vector_or_scalar(v["grad_w_bbox"], problem.bbox_scalar),
            {"G_bbox": grad_bbox, "X": x},
            rule="∂L/∂Y_bbox · X",
            key="grad_w_bbox",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_w_cls"),
            "G_cls*X",
            _vector_or_scalar(v["grad_w_cls"], problem.cls_scalar),
            {"G_cls": grad_cls, "X": x},
            rule="∂L/∂Y_cls · X",
            key="grad_w_cls",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.head_terms"),
            "concat(W_bbox*G_bbox, W_cls*G_cls)",
            v["head_terms"],
            {
                "W_bbox": _as_given(w.w_bbox, problem.bbox_scalar),
                "G_bbox": grad_bbox,
                "W_cls": _as_given(w.w_cls, problem.cls_scalar),
                "G_cls": grad_cls,
            },
            rule="W_head ⊙ ∂L/∂Ŷ",
        )
    )
    terms = {f"t_{i}": float(t) for i, t in enumerate(v["head_terms"])}
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_neck" if problem.neck else "yolo.grad_backbone"),
            " + ".join(terms),
            v["grad_head_input"],
            terms,
            rule="W_bboxᵀ·∂L/∂Y_bbox + W_cls·∂L/∂Y_cls",
            key=None if problem.neck else "grad_backbone",
        )
    )
    if problem.neck:
        add(
            Step(
                "backward",
                ctx.t("yolo.grad_w_neck"),
                "G*B",
                v["grad_w_neck"],
                {"G": v["grad_head_input"], "B": v["backbone"]},
                rule="∂L/∂X · Out_backbone",
            )
        )
        add(
            Step(
                "backward",
                ctx.t("yolo.grad_backbone"),
                "w_neck*G",
                v["grad_backbone"],
                {"w_neck": w.w_neck, "G": v["grad_head_input"]},
                rule="W_neck · ∂L/∂X",
                key="grad_backbone",
            )
        )
    add(
        Step(
            "backward",
            ctx.t("yolo.silu2_prime"),
            "sigmoid(c)*(1 + c*(1 - sigmoid(c)))",
            v["silu2_prime"],
            {"c": v["conv2"]},
            rule="σ(x)(1 + x(1 − σ(x)))",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_conv2"),
            "G*d",
            v["grad_conv2"],
            {"G": v["grad_backbone"], "d": v["silu2_prime"]},
            rule="∂L/∂Out_backbone · SiLU′",
            key="grad_conv2_output",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_w_conv2"),
            "g*S1",
            v["grad_w_conv2"],
            {"g": v["grad_conv2"], "S1": v["silu1"]},
            rule="∂L/∂Out_conv2 · Out_SiLU1",
            key="grad_w_conv2",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_silu1"),
            "g*W_conv2",
            v["grad_silu1"],
            {"g": v["grad_conv2"], "W_conv2": w.w_conv2},
            rule="∂L/∂Out_conv2 · W_conv2",
            key="grad_silu1_output",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.silu1_prime"),
            "sigmoid(C1)*(1 + C1*(1 - sigmoid(C1)))",
            v["silu1_prime"],
            {"C1": v["conv1"]},
            rule="σ(x)(1 + x(1 − σ(x)))",
        )
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_conv1"),
            "G1*D1",
            v["grad_conv1"],
            {"G1": v["grad_silu1"], "D1": v["silu1_prime"]},
            rule="∂L/∂Out_SiLU1 ⊙ SiLU′",
            key="grad_conv1_output",
        )
    )
    _correlation_cells(
        trace,
        "backward",
        "yolo.grad_w_conv1_cell",
        problem.image,
        v["grad_conv1"],
        v["grad_w_conv1"],
        ctx,
        "x",
        "g",
    )
    add(
        Step(
            "backward",
            ctx.t("yolo.grad_w_conv1"),
            "corr2d(I, G)",
            v["grad_w_conv1"],
            {"I": problem.image, "G": v["grad_conv1"]},
            rule="I ⋆ ∂L/∂Out_conv1",
            key="grad_w_conv1",
        )
    )


def _update_steps(trace: Trace, problem: ToyProblem, v: dict[str, Any], ctx: Ctx) -> None:
    w, new = problem.weights, v["updated"]
    rows = [
        ("w_bbox", w.w_bbox, v["grad_w_bbox"], new.w_bbox, problem.bbox_scalar),
        ("w_cls", w.w_cls, v["grad_w_cls"], new.w_cls, problem.cls_scalar),
    ]
    if problem.neck:
        rows.append(("w_neck", w.w_neck, v["grad_w_neck"], new.w_neck, True))
    rows += [
        ("w_conv2", w.w_conv2, v["grad_w_conv2"], new.w_conv2, False),
        ("w_conv1", w.w_conv1, v["grad_w_conv1"], new.w_conv1, False),
    ]
    for name, old, grad, value, scalar in rows:
        if name == "w_neck":
            old_value, grad_value, new_value = old, grad, value
        else:
            old_value = _vector_or_scalar(old, scalar) if old.ndim == 1 else old
            grad_value = _vector_or_scalar(grad, scalar) if grad.ndim == 1 else grad
            new_value = _vector_or_scalar(value, scalar) if value.ndim == 1 else value
        trace.add(
            Step(
                "update",
                ctx.t("yolo.update", name=name),
                "W - lr*G",
                new_value,
                {"W": old_value, "lr": problem.lr, "G": grad_value},
                rule="W − η·∂L/∂W",
                key=f"updated.{name}" if (problem.steps or 1) == 1 else None,
            )
        )


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
    message = ctx.t(
        f"yolo.status_{status}",
        first=first,
        last=last,
        peak=f"{peak:.6g}" if math.isfinite(peak) else "∞",
        lr=f"{problem.lr:g}",
        steps=len(losses),
    )
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
