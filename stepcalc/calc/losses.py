"""Loss functions, their gradient with respect to the prediction, and L1/L2 penalties.

PyTorch's conventions (``torch.nn.functional``):
  mse            (ŷ − y)²                          ∂/∂ŷ = 2(ŷ − y)
  mae            |ŷ − y|                           ∂/∂ŷ = sign(ŷ − y)        (0 at 0)
  huber          ½d² if |d| < δ else δ(|d| − ½δ)   ∂/∂ŷ = clip(d, −δ, δ)
  bce            −[y·log ŷ + (1 − y)·log(1 − ŷ)]   logs clamped at −100, as torch does
  bce, logits    max(z, 0) − z·y + log(1 + e^(−|z|))           ∂/∂z = σ(z) − y
  cross-entropy  −Σ_c t_c·log p_c per sample; with logits p = softmax(z) by log-sum-exp
Mean reduction divides by the number of elements, for cross-entropy by the number of samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepcalc.errors import StepcalcError
from stepcalc.parse import format_shape
from stepcalc.context import Ctx
from stepcalc.trace import PHASES, Step, Trace

SPELL_LIMIT = 12
"""Sums over at most this many cells are written out term by term."""
LOG_FLOOR = -100.0
"""torch.nn.functional.binary_cross_entropy clamps each log at −100."""
BCE_EPSILON = float(np.float32(1e-12))
"""torch's BCE backward divides by max(ŷ(1 − ŷ), 1e-12), that constant being a float32."""


def _row_max(x):
    return np.max(x, axis=-1, keepdims=True)


def _row_sum(x):
    return np.sum(x, axis=-1, keepdims=True)


def _xlogy(t, p):
    t, p = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(p, dtype=float))
    out = np.zeros(t.shape)
    nonzero = t != 0
    out[nonzero] = t[nonzero] * np.log(p[nonzero])
    return out


def _xdivy(t, p):
    t, p = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(p, dtype=float))
    out = np.zeros(t.shape)
    nonzero = t != 0
    out[nonzero] = t[nonzero] / p[nonzero]
    return out


def _clamp_log(x):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), LOG_FLOOR)


def _one_hot(k, classes):
    indices = np.asarray(k, dtype=float).astype(int)
    return np.eye(int(np.asarray(classes)))[indices]


FORMULA_FUNCTIONS = {
    "sum_all": np.sum,
    "row_max": _row_max,
    "row_sum": _row_sum,
    "xlogy": _xlogy,
    "xdivy": _xdivy,
    "clamp_log": _clamp_log,
    "one_hot": _one_hot,
}


@dataclass(frozen=True)
class LossProblem:
    fn: str
    pred: np.ndarray
    target: np.ndarray
    reduction: str = "mean"
    logits: bool = False
    delta: float = 1.0


@dataclass(frozen=True)
class Regularization:
    weights: np.ndarray
    l1: float | None = None
    l2: float | None = None
    l2_form: str = "full"
    lr: float | None = None
    grad_weights: np.ndarray | None = None


def spelled_sum(template: str, **arrays: np.ndarray) -> tuple[str, dict]:
    """Σ of ``template`` over all cells, e.g. ``"{d}**2"``; written out term by term when short.

    Returns the parenthesised formula and its inputs: ``(d_0**2 + d_1**2)`` with one scalar
    input per cell, or ``sum_all(d**2)`` with the whole tensors for larger ones.
    """
    first = np.asarray(next(iter(arrays.values())))
    if first.size > SPELL_LIMIT:
        return f"sum_all({template.format(**{name: name for name in arrays})})", dict(arrays)
    terms, inputs = [], {}
    for index in np.ndindex(first.shape):
        suffix = "_".join(str(i) for i in index) or "0"
        names = {name: f"{name}_{suffix}" for name in arrays}
        terms.append(template.format(**names))
        for name, array in arrays.items():
            inputs[names[name]] = float(np.asarray(array)[index])
    return "(" + " + ".join(terms) + ")", inputs


# ------------------------------------------------------------------------------ validation


def _validate(lp: LossProblem) -> str | None:
    """Check shapes and ranges; return the cross-entropy target kind ('index' or 'dist')."""
    pred, target = lp.pred, lp.target
    if lp.logits and lp.fn not in ("bce", "cross-entropy"):
        raise StepcalcError("--logits: only for --fn bce or cross-entropy")
    if lp.delta <= 0:
        raise StepcalcError(f"--delta: must be positive, got {lp.delta:g}")
    if lp.fn != "cross-entropy":
        if target.shape != pred.shape:
            raise StepcalcError(
                f"--target: shape {format_shape(target.shape)} does not match "
                f"--pred shape {format_shape(pred.shape)}"
            )
        if lp.fn == "bce":
            if not lp.logits:
                _require_unit_interval(pred, "--pred", "bce without --logits")
            _require_unit_interval(target, "--target", "bce")
        return None
    if pred.ndim not in (1, 2):
        raise StepcalcError(
            f"--pred: cross-entropy needs a vector (one sample) or an N×C matrix, "
            f"got shape {format_shape(pred.shape)}"
        )
    if target.shape == pred.shape:
        _require_unit_interval(target, "--target", "a one-hot or probability target")
        kind = "dist"
    elif target.shape == pred.shape[:-1]:
        classes = pred.shape[-1]
        for value in np.ravel(target):
            if not float(value).is_integer():
                raise StepcalcError(f"--target: class index {value:g} is not a whole number")
            if not 0 <= value < classes:
                raise StepcalcError(
                    f"--target: class index {value:g} is out of range for {classes} classes "
                    f"(0…{classes - 1})"
                )
        kind = "index"
    else:
        wanted = "one class index" if pred.ndim == 1 else f"{pred.shape[0]} class indices"
        raise StepcalcError(
            f"--target: expected {wanted} or a one-hot target of shape "
            f"{format_shape(pred.shape)}, got shape {format_shape(target.shape)}"
        )
    if not lp.logits:
        _require_unit_interval(pred, "--pred", "cross-entropy without --logits")
    return kind


def _require_unit_interval(values: np.ndarray, option: str, what: str) -> None:
    outside = values[(values < 0) | (values > 1)]
    if outside.size:
        hint = " (give raw scores with --logits)" if option == "--pred" else ""
        raise StepcalcError(
            f"{option}: probabilities must be in [0, 1] for {what}, got {outside[0]:g}{hint}"
        )


def _validate_regularization(reg: Regularization) -> None:
    for option, value in (("--l1", reg.l1), ("--l2", reg.l2)):
        if value is not None and value < 0:
            raise StepcalcError(f"{option}: λ must not be negative, got {value:g}")
    if reg.lr is not None and reg.lr <= 0:
        raise StepcalcError(f"--lr: must be positive, got {reg.lr:g}")
    if reg.grad_weights is not None and reg.grad_weights.shape != reg.weights.shape:
        raise StepcalcError(
            f"--grad-weights: shape {format_shape(reg.grad_weights.shape)} does not match "
            f"--weights shape {format_shape(reg.weights.shape)}"
        )


# ------------------------------------------------------------------------------ the trace


def loss(lp: LossProblem, ctx: Ctx, reg: Regularization | None = None) -> Trace:
    kind = _validate(lp)
    if reg is not None:
        _validate_regularization(reg)
    inputs = _inputs(lp, reg)
    if kind == "index":
        inputs["target"] = lp.target.astype(int)
    trace = Trace(
        command="loss",
        title=ctx.t("loss.title", fn=ctx.t(f"loss.fn_{lp.fn.replace('-', '_')}")),
        subtitle=ctx.t(f"loss.reduction_{lp.reduction}"),
        inputs=inputs,
        shown_inputs={"ŷ (pred)": lp.pred, "y (target)": lp.target},
    )
    if lp.fn == "cross-entropy":
        grad_pred = _cross_entropy(trace, lp, kind, ctx)
    elif lp.fn == "bce":
        grad_pred = _bce(trace, lp, ctx)
    else:
        grad_pred = _regression(trace, lp, ctx)
    trace.result["grad_pred"] = grad_pred
    result = {"loss": trace.result.pop("loss"), **trace.result}
    trace.result = result
    if reg is not None:
        _regularize(trace, reg, ctx)
    return trace


def _inputs(lp: LossProblem, reg: Regularization | None) -> dict:
    inputs = {
        "fn": lp.fn,
        "pred": lp.pred,
        "target": lp.target,
        "reduction": lp.reduction,
        "logits": lp.logits,
        "delta": lp.delta,
    }
    reg = reg or Regularization(weights=None)
    inputs.update(
        {
            "l1": reg.l1,
            "l2": reg.l2,
            "l2_form": reg.l2_form,
            "weights": reg.weights,
            "lr": reg.lr,
            "grad_weights": reg.grad_weights,
        }
    )
    return inputs


def _reduce(
    trace: Trace, lp: LossProblem, terms: np.ndarray, count: int, ctx: Ctx, symbol: str = "n"
) -> float:
    """The reduction step: the per-element (or per-sample) losses summed, divided by count."""
    total, inputs = spelled_sum("{l}", l=terms)
    if lp.reduction == "mean":
        formula, title = f"{total}/{symbol}", ctx.t("loss.mean_step", n=count)
        inputs = {**inputs, symbol: count}
    else:
        formula, title = total, ctx.t("loss.sum_step", n=count)
    value = ctx.r(float(np.sum(terms)) / (count if lp.reduction == "mean" else 1))
    trace.result["loss"] = trace.add(Step("forward", title, formula, value, inputs, key="loss"))
    return value


def _scale(lp: LossProblem, count: int, symbol: str = "n") -> tuple[str, dict, float]:
    """The '/n' of the gradient under mean reduction (nothing under sum)."""
    if lp.reduction == "mean":
        return f"/{symbol}", {symbol: count}, float(count)
    return "", {}, 1.0


def _gradient_step(trace: Trace, lp: LossProblem, ctx: Ctx, formula, rule, grad, inputs):
    """The backward step ∂L/∂ŷ (∂L/∂z with --logits); under sum the rule loses its '/n'."""
    if lp.reduction == "sum":
        rule = rule.replace("/n", "").replace("/N", "")
    title = ctx.t("loss.grad_pred_logits" if lp.logits else "loss.grad_pred")
    trace.add(Step("backward", title, formula, grad, inputs, rule=rule, key="grad_pred"))
    return grad


def _regression(trace: Trace, lp: LossProblem, ctx: Ctx):
    count = lp.pred.size
    d = ctx.r(lp.pred - lp.target)
    trace.add(
        Step(
            "forward",
            ctx.t("loss.errors"),
            "yhat - y",
            d,
            {"yhat": lp.pred, "y": lp.target},
            rule="ŷ − y",
        )
    )
    if lp.fn == "mse":
        terms = ctx.r(d**2)
        trace.add(Step("forward", ctx.t("loss.squared"), "d**2", terms, {"d": d}, rule="d²"))
    elif lp.fn == "mae":
        terms = ctx.r(np.abs(d))
        trace.add(Step("forward", ctx.t("loss.absolute"), "Abs(d)", terms, {"d": d}, rule="|d|"))
    else:
        small = np.abs(d) < lp.delta
        terms = ctx.r(np.where(small, 0.5 * d**2, lp.delta * (np.abs(d) - 0.5 * lp.delta)))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.huber_terms"),
                "Piecewise((d**2/2, Abs(d) < delta), (delta*(Abs(d) - delta/2), True))",
                terms,
                {"d": d, "delta": lp.delta},
                rule="½d² if |d| < δ, else δ(|d| − ½δ)",
            )
        )
    value = _reduce(trace, lp, terms, count, ctx)
    if lp.fn == "mse":
        mean_square = value if lp.reduction == "mean" else value / count
        formula = "sqrt(L)" if lp.reduction == "mean" else "sqrt(L/n)"
        inputs = {"L": value} if lp.reduction == "mean" else {"L": value, "n": count}
        trace.result["rmse"] = trace.add(
            Step("forward", "RMSE", formula, ctx.r(float(np.sqrt(mean_square))), inputs, key="rmse")
        )
    per, per_inputs, divisor = _scale(lp, count)
    if lp.fn == "mse":
        formula, rule, grad = f"2*d{per}", "2/n·(ŷ − y)", 2 * d / divisor
    elif lp.fn == "mae":
        formula, rule, grad = f"sign(d){per}", "sign(ŷ − y)/n", np.sign(d) / divisor
    else:
        formula = f"Min(Max(d, -delta), delta){per}"
        rule = "clip(ŷ − y, −δ, δ)/n"
        grad = np.clip(d, -lp.delta, lp.delta) / divisor
        per_inputs = {**per_inputs, "delta": lp.delta}
    return _gradient_step(trace, lp, ctx, formula, rule, ctx.r(grad), {"d": d, **per_inputs})


def _bce(trace: Trace, lp: LossProblem, ctx: Ctx):
    count = lp.pred.size
    y = lp.target
    per, per_inputs, divisor = _scale(lp, count)
    if lp.logits:
        z = lp.pred
        p = ctx.r(_sigmoid(z))
        trace.result["probabilities"] = trace.add(
            Step(
                "forward",
                ctx.t("loss.sigmoid"),
                "1/(1 + exp(-z))",
                p,
                {"z": z},
                rule="σ(z) = 1/(1 + e^(−z))",
                key="probabilities",
            )
        )
        terms = ctx.r(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.bce_terms_logits"),
                "Max(z, 0) - z*y + log(1 + exp(-Abs(z)))",
                terms,
                {"z": z, "y": y},
                rule="max(z, 0) − z·y + log(1 + e^(−|z|))",
            )
        )
        _reduce(trace, lp, terms, count, ctx)
        grad = ctx.r((p - y) / divisor)
        formula, rule, inputs = f"(p - y){per}", "(σ(z) − y)/n", {"p": p, "y": y}
    else:
        p = lp.pred
        terms = ctx.r(-(y * _clamp_log(p) + (1 - y) * _clamp_log(1 - p)))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.bce_terms"),
                "-(y*clamp_log(p) + (1 - y)*clamp_log(1 - p))",
                terms,
                {"p": p, "y": y},
                rule="−[y·log ŷ + (1 − y)·log(1 − ŷ)]",
            )
        )
        if np.any(_clamp_log(p) == LOG_FLOOR) or np.any(_clamp_log(1 - p) == LOG_FLOOR):
            trace.notes.append(ctx.t("loss.bce_clamp"))
        _reduce(trace, lp, terms, count, ctx)
        grad = ctx.r((p - y) / np.maximum(p * (1 - p), BCE_EPSILON) / divisor)
        formula = f"(p - y)/Max(p*(1 - p), eps){per}"
        rule, inputs = "(ŷ − y)/(ŷ(1 − ŷ))/n", {"p": p, "y": y, "eps": BCE_EPSILON}
    return _gradient_step(trace, lp, ctx, formula, rule, grad, {**inputs, **per_inputs})


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) without overflow: e^z/(1 + e^z) for negative z."""
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + ez), ez / (1 + ez))


def _cross_entropy(trace: Trace, lp: LossProblem, kind: str, ctx: Ctx):
    pred = lp.pred
    classes = pred.shape[-1]
    count = 1 if pred.ndim == 1 else pred.shape[0]
    if kind == "index":
        t = _one_hot(lp.target, classes)
        trace.add(
            Step(
                "forward",
                ctx.t("loss.one_hot"),
                "one_hot(k, C)",
                t,
                {"k": lp.target.astype(int), "C": classes},
                rule="t_c = 1 if c = k else 0",
            )
        )
    else:
        t = lp.target
    per, per_inputs, divisor = _scale(lp, count, "N")
    if lp.logits:
        z = pred
        m = ctx.r(_row_max(z))
        trace.add(Step("forward", ctx.t("loss.row_max"), "row_max(z)", m, {"z": z}, rule="max_c z"))
        s = ctx.r(_row_sum(np.exp(z - m)))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.exp_sum"),
                "row_sum(exp(z - m))",
                s,
                {"z": z, "m": m},
                rule="Σ_c e^(z − m)",
            )
        )
        lse = ctx.r(m + np.log(s))
        trace.add(
            Step(
                "forward", ctx.t("loss.lse"), "m + log(s)", lse, {"m": m, "s": s}, rule="m + log s"
            )
        )
        log_p = ctx.r(z - lse)
        trace.add(
            Step("forward", ctx.t("loss.log_softmax"), "z - lse", log_p, {"z": z, "lse": lse})
        )
        p = ctx.r(np.exp(log_p))
        trace.result["probabilities"] = trace.add(
            Step(
                "forward",
                ctx.t("loss.softmax"),
                "exp(logp)",
                p,
                {"logp": log_p},
                rule="e^(log p)",
                key="probabilities",
            )
        )
        terms = ctx.r(-_row_sum(t * log_p))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.ce_terms"),
                "-row_sum(t*logp)",
                terms,
                {"t": t, "logp": log_p},
                rule="−Σ_c t·log p",
            )
        )
        _reduce(trace, lp, terms.ravel(), count, ctx, "N")
        grad = ctx.r((p - t) / divisor)
        formula, rule, inputs = f"(p - t){per}", "(softmax(z) − t)/N", {"p": p, "t": t}
    else:
        p = pred
        if np.any((t > 0) & (p == 0)):
            raise StepcalcError(
                "--pred: probability 0 for a target class: the cross-entropy is infinite"
            )
        sums = np.sum(p, axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            trace.notes.append(ctx.t("loss.not_normalised"))
        terms = ctx.r(-_row_sum(_xlogy(t, p)))
        trace.add(
            Step(
                "forward",
                ctx.t("loss.ce_terms"),
                "-row_sum(xlogy(t, p))",
                terms,
                {"t": t, "p": p},
                rule="−Σ_c t·log p",
            )
        )
        _reduce(trace, lp, terms.ravel(), count, ctx, "N")
        grad = ctx.r(-_xdivy(t, p) / divisor)
        formula, rule, inputs = f"-xdivy(t, p){per}", "−t/p/N", {"t": t, "p": p}
    return _gradient_step(trace, lp, ctx, formula, rule, grad, {**inputs, **per_inputs})


# ------------------------------------------------------------------------------ penalties


def _regularize(trace: Trace, reg: Regularization, ctx: Ctx) -> None:
    w = reg.weights
    factor = 2 if reg.l2_form == "full" else 1
    parts, grad_parts, inputs, grad_inputs = [], [], {}, {"w": w}
    penalty = 0.0
    grad = np.zeros_like(w)
    if reg.l1 is not None:
        total, spelled = spelled_sum("Abs({w})", w=w)
        parts.append(f"lam_1*{total}")
        inputs.update({"lam_1": reg.l1, **spelled})
        penalty += reg.l1 * float(np.sum(np.abs(w)))
        grad_parts.append("lam_1*sign(w)")
        grad_inputs["lam_1"] = reg.l1
        grad = grad + reg.l1 * np.sign(w)
    if reg.l2 is not None:
        total, spelled = spelled_sum("{w}**2", w=w)
        parts.append(f"lam_2*{total}" if factor == 2 else f"lam_2/2*{total}")
        inputs.update({"lam_2": reg.l2, **spelled})
        penalty += reg.l2 * float(np.sum(w**2)) * (1 if factor == 2 else 0.5)
        grad_parts.append("2*lam_2*w" if factor == 2 else "lam_2*w")
        grad_inputs["lam_2"] = reg.l2
        grad = grad + factor * reg.l2 * w
        trace.notes.append(ctx.t(f"loss.l2_{reg.l2_form}"))
    if reg.l1 is not None:
        trace.notes.append(ctx.t("loss.l1_note"))
    penalty = ctx.r(penalty)
    trace.result["penalty"] = trace.add(
        Step("forward", ctx.t("loss.penalty"), " + ".join(parts), penalty, inputs, key="penalty")
    )
    data_loss = trace.result["loss"]
    total_loss = ctx.r(data_loss + penalty)
    grad = ctx.r(grad)
    trace.result["grad_weights"] = trace.add(
        Step(
            "backward",
            ctx.t("loss.grad_weights"),
            " + ".join(grad_parts),
            grad,
            grad_inputs,
            key="grad_weights",
        )
    )
    trace.result["total"] = trace.add(
        Step(
            "forward",
            ctx.t("loss.total"),
            "L + P",
            total_loss,
            {"L": data_loss, "P": penalty},
            key="total",
        )
    )
    # The penalty and the total are forward quantities: keep the steps in phase order.
    trace.steps.sort(key=lambda step: PHASES.index(step.phase))
    if reg.lr is not None:
        _sgd_step(trace, reg, grad, factor, ctx)
    elif reg.l2 is not None:
        trace.notes.append(
            ctx.t(
                "loss.weight_decay_hint",
                factor="2" if factor == 2 else "",
                wd=f"{factor}λ = {factor * reg.l2:g}" if factor == 2 else f"λ = {reg.l2:g}",
            )
        )


def _sgd_step(trace: Trace, reg: Regularization, grad: np.ndarray, factor: int, ctx: Ctx):
    w, lr = reg.weights, reg.lr
    g = reg.grad_weights
    data = "" if g is None else "g + "
    inputs = {"w": w, "lr": lr, "r": grad}
    if g is not None:
        inputs["g"] = g
    base = np.zeros_like(w) if g is None else g
    updated = ctx.r(w - lr * (base + grad))
    trace.result["updated_weights"] = trace.add(
        Step(
            "update",
            ctx.t("loss.sgd_step"),
            f"w - lr*({data}r)",
            updated,
            inputs,
            rule="w − η·(g + ∇P)" if g is not None else "w − η·∇P",
            key="updated_weights",
        )
    )
    if reg.l2 is None or reg.l1 is not None:
        return
    decay = ctx.r(1 - factor * lr * reg.l2)
    trace.add(
        Step(
            "update",
            ctx.t("loss.decay_factor"),
            f"1 - {factor}*lr*lam_2" if factor == 2 else "1 - lr*lam_2",
            decay,
            {"lr": lr, "lam_2": reg.l2},
        )
    )
    decay_inputs = {"c": decay, "w": w, **({"lr": lr, "g": g} if g is not None else {})}
    trace.add(
        Step(
            "update",
            ctx.t("loss.decayed"),
            "c*w - lr*g" if g is not None else "c*w",
            ctx.r(decay * w - (lr * g if g is not None else 0)),
            decay_inputs,
            rule="(1 − "
            + ("2" if factor == 2 else "")
            + "ηλ)·w"
            + (" − η·g" if g is not None else ""),
        )
    )
    trace.notes.append(ctx.t("loss.weight_decay", wd=f"{factor * reg.l2:g}"))


def run(args, ctx: Ctx) -> Trace:
    problem = LossProblem(
        fn=args.fn,
        pred=args.pred,
        target=args.target,
        reduction=args.reduction,
        logits=args.logits,
        delta=args.delta if "delta" in args.given else None,
    )
    penalties = [name for name in ("l1", "l2") if args[name] is not None]
    if not penalties:
        for name in ("weights", "l2-form", "lr", "grad-weights"):
            if name in args.given:
                raise StepcalcError(f"--{name}: only used with --l1 or --l2")
        return loss(problem, ctx)
    if args.weights is None:
        raise StepcalcError(f"--weights: required with --{penalties[0]}")
    regularization = Regularization(
        weights=args.weights,
        l1=args.l1,
        l2=args.l2,
        l2_form=args["l2-form"],
        lr=args.lr,
        grad_weights=args["grad-weights"],
    )
    return loss(problem, ctx, regularization)
