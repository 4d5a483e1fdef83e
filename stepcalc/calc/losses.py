"""Loss functions, their gradient with respect to the prediction, and L1/L2 penalties.

Per value (d = ŷ − y), as ``PER_VALUE`` writes them: torch.nn.functional's mse, mae (L1),
huber, bce (also on logits), hinge and squared hinge (y = ±1), Keras' mape and msle. Per
sample, over a row of class scores: cross-entropy (softmax with --logits, by the stable
L = m + log Σ exp(z − m) − z_y) and CS231n's multiclass SVM Σ_{j≠y} max(0, s_j − s_y + Δ),
which F.multi_margin_loss divides by the number of classes.

A clamp is written into a step only where it changes a number: torch's BCE clamps each log
at −100 and ŷ(1 − ŷ) at 1e-12; Keras guards |y| (mape) and ŷ, y (msle) with ε = 1e-7.
Gradients are autograd's, kinks included: sign(0) = 0, and a hinge exactly at its margin
passes none (as ReLU and F.multi_margin_loss). Reduction mean averages every value (per-class
losses: every sample); the Keras convention first averages each sample over its last axis,
so its sum adds per-sample means.
"""

from __future__ import annotations

import numpy as np

from stepcalc.context import Ctx
from stepcalc.errors import InputError, either, label
from stepcalc.expr import variables_of
from stepcalc.formula import Work, parse, split
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

BCE_EPS = float(np.float32(1e-12))
"""torch's BCE backward divides by max(ŷ(1 − ŷ), 1e-12), that constant being a float32."""
KERAS_EPS = 1e-7
"""keras.backend.epsilon()."""
SHOWN = 4
"""Samples (batchnorm: channels) worked step by step unless others are asked for."""
CLASSWISE = ("cross-entropy", "multiclass-hinge")
PER_VALUE = {  # the loss of one value and its derivative
    "mse": ("d**2", "2*d"),
    "mae": ("abs(d)", "sign(d)"),
    "huber": (
        "where(lt(abs(d), delta), d**2/2, delta*(abs(d) - delta/2))",
        "min(max(d, -delta), delta)",
    ),
    "bce": ("-(y*log(y_hat) + (1 - y)*log(1 - y_hat))", "(y_hat - y)/(y_hat*(1 - y_hat))"),
    "bce-logits": ("max(z, 0) - z*y + log(1 + exp(-abs(z)))", "p - y"),
    "hinge": ("max(0, 1 - y*y_hat)", "-y*gt(1 - y*y_hat, 0)"),
    "squared-hinge": ("max(0, 1 - y*y_hat)**2", "-2*y*max(0, 1 - y*y_hat)"),
    "mape": ("100*abs(d)/abs(y)", "100*sign(d)/abs(y)"),
    "msle": ("q**2", "2*q/(1 + y_hat)"),
}
CLAMPED = {  # the same with the clamp written in, for where it acts
    "bce": (
        "-(y*max(log(y_hat), -100) + (1 - y)*max(log(1 - y_hat), -100))",
        "(y_hat - y)/max(y_hat*(1 - y_hat), eps)",
    ),
    "mape": ("100*abs(d)/max(abs(y), eps)", "100*sign(d)/max(abs(y), eps)"),
    "msle": ("q**2", "2*q/(1 + max(y_hat, eps))*ge(y_hat, eps)"),
}
MSLE_LOGS = ("log(1 + y_hat) - log(1 + y)", "log(1 + max(y_hat, eps)) - log(1 + max(y, eps))")


def amax(x):
    """The largest element (``amax(z)``, written max(z))."""
    return float(np.max(x))


def step(work: Work, title: str, formula: str, quantities: dict, **options):
    """A step whose operands are the quantities its formula names."""
    names = set(variables_of(parse(split(formula)[1])))
    return work(title, formula, **{k: v for k, v in quantities.items() if k in names}, **options)


def each(work: Work, count: int, shown: set[int], worker) -> list:
    """``worker(work, i)`` for every sample (channel) i: written out for the shown ones,
    computed silently, by the same formulas, for the others."""
    silent = Work(None, work.ctx, work.phase)
    return [worker(work if i in shown else silent, i) for i in range(count)]


def chosen(given, field: str, count: int) -> set[int]:
    """The slices to write out: those asked for, else the first SHOWN."""
    for index in given or ():
        if index >= count:
            raise InputError(field, "at_most", maximum=count - 1, value=index)
    return set(given) if given else set(range(min(count, SHOWN)))


def _divided(rhs: str, by: str) -> str:
    if not by:
        return rhs
    return f"({rhs})/{by}" if getattr(parse(rhs), "op", "") in "+-" else f"{rhs}/{by}"


def _tags(single: bool, key: str, **extra) -> dict:
    """One sample's step gives the result key itself; of several, each is in its group."""
    return {"key": key} if single else {"name": key, **extra}


# ------------------------------------------------------------------ input


def _targets(fn: str, pred, target, logits: bool):
    """The target as the loss reads it: one-hot (or probability) rows for per-class losses."""
    if fn not in CLASSWISE:
        if target.shape != pred.shape:
            shapes = {"shape": format_shape(target.shape), "other": format_shape(pred.shape)}
            raise InputError("target", "loss.shape", option=label("pred"), **shapes)
        if fn == "bce":
            _probabilities(target, "target")
            if not logits:
                _probabilities(pred, "pred")
        wrong = target[np.abs(target) != 1]
        if fn in ("hinge", "squared-hinge") and wrong.size:
            raise InputError("target", "loss.not_sign", value=f"{wrong[0]:g}")
        return target
    if pred.ndim not in (1, 2):
        raise InputError("pred", "loss.scores_shape", shape=format_shape(pred.shape))
    classes = pred.shape[-1]
    if target.shape == pred.shape:
        _probabilities(target, "target")
        t = target
    elif target.shape == pred.shape[:-1]:
        for value in target.ravel():
            code = "loss.index_range" if float(value).is_integer() else "not_whole"
            if value not in range(classes):
                raise InputError("target", code, value=f"{value:g}", n=classes - 1)
        t = np.eye(classes)[target.astype(int)]
    else:
        count, shapes = pred.size // classes, (format_shape(pred.shape), format_shape(target.shape))
        raise InputError("target", "loss.class_target", n=count, shape=shapes[0], got=shapes[1])
    if fn == "multiclass-hinge" and not (np.isin(t, (0, 1)).all() and (t.sum(-1) == 1).all()):
        raise InputError("target", "loss.one_class")
    if fn == "cross-entropy" and not logits:
        _probabilities(pred, "pred")
        if np.any((t > 0) & (pred == 0)):
            raise InputError("pred", "loss.infinite")
    return t


def _probabilities(values, field: str) -> None:
    outside = values[(values < 0) | (values > 1)]
    if outside.size:
        raise InputError(field, f"loss.not_probability_{field}", value=f"{outside[0]:g}")


# ------------------------------------------------------------------ the steps


def _per_value(w: Work, fn: str, args, v: dict, shown: set[int]) -> str:
    """Per-value losses, reduced into ``v["L"]``; returns the derivative's formula."""
    t, y_hat, y, keras = w.ctx.t, args.pred, args.target, args.convention == "keras"
    acts = {"bce": y_hat * (1 - y_hat) < BCE_EPS, "mape": np.abs(y) < KERAS_EPS}
    acts["msle"] = np.minimum(y_hat, y) < KERAS_EPS
    clamped = bool(np.any(acts.get(fn, False)))
    per_value, derivative = CLAMPED[fn] if clamped else PER_VALUE[fn]
    if clamped:
        w.trace.notes.append(t("loss.clamp_bce" if fn == "bce" else "loss.clamp_keras"))
    if fn in ("mse", "mae", "huber", "mape"):
        v["d"] = step(w, t("loss.errors"), "d = y_hat - y", v)
    if fn == "msle":
        v["q"] = step(w, t("loss.log_errors"), "q = " + MSLE_LOGS[clamped], v)
    if fn == "bce-logits":
        v["p"] = step(w, t("loss.sigmoid"), "p = sigmoid(z)", v, key="probabilities")
    samples = keras and y_hat.ndim > 1
    whole = (args.reduction == "none" and not keras) or y_hat.ndim == 0
    v["l"] = step(w, t(f"loss.terms_{fn}"), "l = " + per_value, v, key="loss" if whole else None)
    if samples:
        rows = v["l"].reshape(-1, y_hat.shape[-1])

        def mean(wi: Work, i: int):
            return wi(
                t("loss.sample_mean", i=i), f"L[{i}] = mean(l)", l=rows[i], name="sample_loss"
            )

        means = each(w, len(rows), shown, mean)
        v["L"] = _reduce(w, np.reshape(means, y_hat.shape[:-1]), "L_i", args.reduction)
    else:
        v["L"] = _reduce(w, v["l"], "l", "mean" if keras else args.reduction)
    overall = args.reduction == "mean" or (keras and not samples)
    if overall or keras:
        v["n"] = y_hat.size if overall else y_hat.shape[-1]
    if fn == "mse":
        rule = "RMSE = sqrt(L)" if overall else "RMSE = sqrt(mean(l))"
        v["rmse"] = step(w, "RMSE", rule, v, key="rmse")
    return derivative


def _reduce(w: Work, values, name: str, reduction: str):
    if reduction == "none" or np.ndim(values) == 0:
        return values
    title = w.ctx.t(f"loss.{reduction}_step", n=np.size(values))
    return w(title, f"L = {reduction}({name})", **{name: values}, key="loss")


def _per_class(w: Work, fn: str, args, t_rows, shown: set[int]):
    """Each sample's loss over its classes, then reduced; returns the loss and softmax p."""
    tr, single, scores = w.ctx.t, args.pred.ndim == 1, np.atleast_2d(args.pred)

    def forward(wi: Work, i: int):
        at, row, t = ("" if single else f"[{i}]"), scores[i], t_rows[i]
        kept = t > 0
        one_hot = kept.sum() == 1 and t[kept][0] == 1
        tags = {"key": "loss"} if single else {"name": "sample_loss"}
        if not (one_hot or kept.all()):
            tags["note"] = tr("loss.zero_classes")
        title = tr("loss.loss") if single else tr("loss.sample_loss", i=i)
        if fn == "multiclass-hinge":
            y = int(np.argmax(t))
            margins = {"s_j": np.delete(row, y), "s_y": row[y], "Delta": args.margin}
            return wi(title, f"L{at} = sum(max(0, s_j - s_y + Delta))", **margins, **tags), None
        given = {"p_y": row[kept][0], "t": t[kept], "p": row[kept], "z_y": row[kept][0]}
        if not args.logits:
            formula = f"L{at} = " + ("-log(p_y)" if one_hot else "-sum(t*log(p))")
            return step(wi, title, formula, given, **tags), None
        of = {} if single else {"note": tr("loss.of_sample", i=i)}
        m = wi(tr("loss.max"), f"m{at} = amax(z)", z=row, name="max", **of)
        total = wi(tr("loss.exp_sum"), f"S{at} = sum(exp(z - m))", z=row, m=m, name="exp_sum", **of)
        keyed = _tags(single, "probabilities", **of)
        p = wi(tr("loss.softmax"), f"p{at} = exp(z - m)/S", z=row, m=m, S=total, **keyed)
        formula = f"L{at} = " + ("m + log(S) - z_y" if one_hot else "sum(t*(m + log(S) - z))")
        return step(wi, title, formula, {**given, "m": m, "S": total, "z": row[kept]}, **tags), p

    losses, probabilities = zip(*each(w, len(scores), shown, forward), strict=True)
    p = None if probabilities[0] is None else np.reshape(probabilities, args.pred.shape)
    return (losses[0] if single else _reduce(w, np.array(losses), "L_i", args.reduction)), p


def _grad_per_class(w: Work, fn: str, args, t_rows, v: dict, shown: set[int]):
    t, single = w.ctx.t, args.pred.ndim == 1
    v.update(N=len(t_rows), t=t_rows.reshape(args.pred.shape))
    per = "N" if args.reduction == "mean" and not single else ""
    if fn == "cross-entropy":
        rule = "-t/p" if np.all(args.pred > 0) else "where(gt(t, 0), -t/p, 0)"
        if args.logits:
            rule, sums = "p - t", t_rows.sum(-1)
            if not np.allclose(sums, 1, rtol=0, atol=1e-12):  # then torch's p·Σt − t
                rule, v["k"] = "p*k - t", sums[0] if single else sums[:, None]
                w.trace.notes.append(t("loss.soft_sum"))
        title = t("loss.grad_pred_logits" if args.logits else "loss.grad_pred")
        formula = f"dL_d{'z' if args.logits else 'p'} = " + _divided(rule, per)
        return step(w, title, formula, v, key="grad_pred")
    scores = np.atleast_2d(args.pred)

    def backward(wi: Work, i: int):
        at, row, target = ("" if single else f"[{i}]"), scores[i], t_rows[i]
        q = {"s": row, "s_y": row[np.argmax(target)], "Delta": args.margin, "t": target}
        q["a"] = step(wi, t("loss.active", i=i), f"a{at} = gt(s - s_y + Delta, 0)*(1 - t)", q)
        formula = f"dL_ds{at} = " + _divided("a - t*sum(a)", per)
        return step(
            wi, t("loss.grad_row", i=i), formula, {**q, "N": v["N"]}, **_tags(single, "grad_pred")
        )

    rows = each(w, len(scores), shown, backward)
    return rows[0] if single else np.array(rows)


def _penalty(w: Work, args, v: dict) -> str:
    """The penalty P and the total J = L + P; returns the formula of ∂P/∂w."""
    t, half = w.ctx.t, args["l2-form"] == "half"
    terms, slopes = [], []
    if args.l1 is not None:
        terms.append("lam1*sum(abs(w))")
        slopes.append("lam1*sign(w)")
        w.trace.notes.append(t("loss.l1_note"))
    if args.l2 is not None:
        terms.append("lam2/2*sum(w**2)" if half else "lam2*sum(w**2)")
        slopes.append("lam2*w" if half else "2*lam2*w")
        w.trace.notes.append(t("loss.l2_note"))
    v["P"] = step(w, t("loss.penalty"), "P = " + " + ".join(terms), v, key="penalty")
    v["J"] = step(w, t("loss.total"), "J = L + P", v, key="total")
    return "dP_dw = " + " + ".join(slopes)


def _update(w: Work, args, v: dict) -> None:
    """One SGD step on the weights; with L2 alone, the same step written as weight decay."""
    t, half = w.ctx.t, args["l2-form"] == "half"
    if args.l2 is not None:
        decay = {"factor": "" if half else "2", "wd": f"{(1 if half else 2) * args.l2:g}"}
        w.trace.notes.append(t("loss.weight_decay", **decay))
    if args.lr is None:
        return
    rule = "w - lr*(g + dP_dw)" if v["g"] is not None else "w - lr*dP_dw"
    v["w_new"] = step(w, t("loss.sgd_step"), "w_prime = " + rule, v, key="updated_weights")
    if args.l2 is None or args.l1 is not None:
        return
    v["c"] = step(w, t("loss.decay_factor"), "c = 1 - lr*lam2" if half else "c = 1 - 2*lr*lam2", v)
    step(w, t("loss.decayed"), "w_prime = c*w" + (" - lr*g" if v["g"] is not None else ""), v)


def _check_penalty(args) -> bool:
    penalty = args.l1 is not None or args.l2 is not None
    weights, g = args.weights, args["grad-weights"]
    if penalty and weights is None:
        raise InputError("weights", "required_for", what=label("l2" if args.l1 is None else "l1"))
    needs = {"weights": (penalty, either(map(label, ("l1", "l2"))))}
    needs["lr"] = (weights is not None, label("weights"))
    for name, (met, other) in {**needs, "grad-weights": (args.lr is not None, label("lr"))}.items():
        if args[name] is not None and not met:
            raise InputError(name, "only_with", other=other)
    if g is not None and g.shape != weights.shape:
        shapes = {"shape": format_shape(g.shape), "other": format_shape(weights.shape)}
        raise InputError("grad-weights", "loss.shape", option=label("weights"), **shapes)
    return penalty


def run(args, ctx: Ctx) -> Trace:
    fn = "multiclass-hinge" if args.fn == "svm" else args.fn
    pred, target, keras = args.pred, args.target, args.convention == "keras"
    t_rows = np.atleast_2d(_targets(fn, pred, target, args.logits))
    penalty = _check_penalty(args)
    classwise = fn in CLASSWISE
    samples = pred.size // pred.shape[-1] if (classwise or keras) and pred.ndim > 1 else 1
    shown = chosen(args.sample, "sample", samples)
    name = "z" if args.logits else {"multiclass-hinge": "s", "cross-entropy": "p"}.get(fn, "y_hat")
    given = {name: pred, "y": target}  # operand names: the LaTeX writes them as symbols
    if classwise and target.shape != pred.shape:
        given["t"] = t_rows.reshape(pred.shape)
    inputs = {key.replace("-", "_"): value for key, value in args.items() if key != "sample"}
    inputs.update(fn=fn, target=target.astype(int) if len(given) > 2 else target)
    trace = Trace(
        command="loss",
        title=ctx.t("loss.title", fn=ctx.t(f"loss.fn_{fn}")),
        subtitle=ctx.t(f"loss.reduction_{args.reduction}") + (", " + ctx.t("loss.keras")) * keras,
        inputs=inputs,
        shown_inputs=given,
    )
    w = Work(trace, ctx)
    v = dict(y_hat=pred, z=pred, y=target, delta=args.delta, w=args.weights, lr=args.lr)
    v.update(lam1=args.l1, lam2=args.l2, g=args["grad-weights"])
    v["eps"] = BCE_EPS if fn == "bce" else KERAS_EPS
    if classwise:
        v["L"], v["p"] = _per_class(w, fn, args, t_rows, shown)
        v["p"] = pred if v["p"] is None else v["p"]
    else:
        derivative = _per_value(w, "bce-logits" if args.logits else fn, args, v, shown)
    slope = _penalty(w, args, v) if penalty else None
    w.phase = "backward"
    if classwise:
        grad = _grad_per_class(w, fn, args, t_rows, v, shown)
    else:
        title = ctx.t("loss.grad_pred_logits" if args.logits else "loss.grad_pred")
        rhs = _divided(derivative, "n" * (v.get("n", 1) > 1))
        grad = step(w, title, f"dL_d{'z' if args.logits else 'y_hat'} = {rhs}", v, key="grad_pred")
    extra = {"rmse": v.get("rmse"), "probabilities": v["p"] if args.logits else None}
    trace.result = {"loss": v["L"], **{k: x for k, x in extra.items() if x is not None}}
    trace.result["grad_pred"] = grad
    if slope:
        v["dP_dw"] = step(w, ctx.t("loss.grad_weights"), slope, v, key="grad_weights")
        trace.result.update(penalty=v["P"], grad_weights=v["dP_dw"], total=v["J"])
        w.phase = "update"
        _update(w, args, v)
        trace.result.update({"updated_weights": v["w_new"]} if "w_new" in v else {})
    normalised = fn != "cross-entropy" or args.logits or np.allclose(pred.sum(-1), 1, atol=1e-6)
    notes = {"hidden": samples > len(shown), "svm_note": fn == "multiclass-hinge"}
    notes.update(kink=fn in ("hinge", "squared-hinge", "multiclass-hinge"), keras_note=keras)
    notes.update(not_normalised=not normalised, none_note=args.reduction == "none")
    counts = {"n": samples - len(shown), "total": samples, "last": samples - 1}
    counts["c"] = pred.shape[-1] if pred.ndim else 1
    trace.notes += [ctx.t(f"loss.{key}", **counts) for key, wanted in notes.items() if wanted]
    return trace
