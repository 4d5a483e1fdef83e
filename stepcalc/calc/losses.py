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
from stepcalc.formula import Work, parse
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
PER_SAMPLE = {  # a sample's loss over its classes: of a one-hot target, of any target
    "multiclass-hinge": ("sum(max(0, s_j - s_y + Delta))",) * 2,
    "cross-entropy": ("-log(p_y)", "-sum(t*log(p))"),
    "cross-entropy-logits": ("m + log(S) - z_y", "sum(t*(m + log(S) - z))"),
}


def amax(x):
    """The largest element (``amax(z)``, written max(z))."""
    return float(np.max(x))


def each(w: Work, count: int, shown: set[int], worker) -> list:
    """``worker(work, i)`` for every sample (channel) i, each work with an env of its own:
    written out for the shown ones, computed silently, by the same formulas, for the others."""
    return [
        worker(Work(w.trace if i in shown else None, w.ctx, w.phase, {}, w.topic), i)
        for i in range(count)
    ]


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


# ------------------------------------------------------------------ input


def _targets(fn: str, pred, target, logits: bool):
    """The target as the loss reads it (one-hot or probability rows for per-class losses)."""
    classes, t = (pred.shape[-1] if pred.ndim else 1), target
    if fn not in CLASSWISE:
        if target.shape != pred.shape:
            shapes = {"shape": format_shape(target.shape), "other": format_shape(pred.shape)}
            raise InputError("target", "loss.shape", option=label("pred"), **shapes)
        wrong = target[np.abs(target) != 1]
        if "hinge" in fn and wrong.size:
            raise InputError("target", "loss.not_sign", value=f"{wrong[0]:g}")
    elif pred.ndim not in (1, 2):
        raise InputError("pred", "loss.scores_shape", shape=format_shape(pred.shape))
    elif target.shape == pred.shape[:-1]:
        for value in target.ravel():
            code = "loss.index_range" if float(value).is_integer() else "not_whole"
            if value not in range(classes):
                raise InputError("target", code, value=f"{value:g}", n=classes - 1)
        t = np.eye(classes)[target.astype(int)]
    elif target.shape != pred.shape:
        count, shapes = pred.size // classes, (format_shape(pred.shape), format_shape(target.shape))
        raise InputError("target", "loss.class_target", n=count, shape=shapes[0], got=shapes[1])
    probabilities = {"target": fn in ("bce", *CLASSWISE) and target.shape == pred.shape}
    probabilities["pred"] = fn in ("bce", "cross-entropy") and not logits
    for field, values in (("target", target), ("pred", pred)):
        outside = values[(values < 0) | (values > 1)]
        if probabilities[field] and outside.size:
            raise InputError(field, f"loss.not_probability_{field}", value=f"{outside[0]:g}")
    if fn == "multiclass-hinge" and not (np.isin(t, (0, 1)).all() and (t.sum(-1) == 1).all()):
        raise InputError("target", "loss.one_class")
    if fn == "cross-entropy" and not np.all(np.reshape(t, (-1, classes)).sum(-1) > 0):
        raise InputError("target", "loss.no_class")
    if fn == "cross-entropy" and not logits and np.any((t > 0) & (pred == 0)):
        raise InputError("pred", "loss.infinite")
    return t


# ------------------------------------------------------------------ the steps


def _per_value(w: Work, fn: str, args, shown: set[int]) -> str:
    """Per-value losses, reduced into ``L``; returns the gradient's formula."""
    v, y_hat, y, keras = w.env, args.pred, args.target, args.convention == "keras"
    acts = {"bce": y_hat * (1 - y_hat) < BCE_EPS, "mape": np.abs(y) < KERAS_EPS}
    acts["msle"] = np.minimum(y_hat, y) < KERAS_EPS
    clamped = bool(np.any(acts.get(fn, False)))
    per_value, derivative = CLAMPED[fn] if clamped else PER_VALUE[fn]
    if clamped:
        w.trace.notes.append(w.ctx.t("loss.clamp_bce" if fn == "bce" else "loss.clamp_keras"))
    if fn in ("mse", "mae", "huber", "mape"):
        w("errors", "d = y_hat - y")
    if fn == "msle":
        w("log_errors", "q = " + MSLE_LOGS[clamped])
    if fn == "bce-logits":
        w("sigmoid", "p = sigmoid(z)", key="probabilities")
    samples = keras and y_hat.ndim > 1
    whole = (args.reduction == "none" and not keras) or y_hat.ndim == 0
    w(f"terms_{fn}", "l = " + per_value, key="loss" if whole else None)
    if samples:
        rows = v["l"].reshape(-1, y_hat.shape[-1])

        def mean(wi: Work, i: int):
            return wi(
                "sample_mean", f"L[{i}] = mean(l)", l=rows[i], at={"i": i}, name="sample_loss"
            )

        means = each(w, len(rows), shown, mean)
        v["L"] = _reduce(w, np.reshape(means, y_hat.shape[:-1]), "L_i", args.reduction)
    else:
        v["L"] = _reduce(w, v["l"], "l", "mean" if keras else args.reduction)
    overall = args.reduction == "mean" or (keras and not samples)
    if overall or keras:
        v["n"] = y_hat.size if overall else y_hat.shape[-1]
    if fn == "mse":
        w("rmse", "RMSE = sqrt(L)" if overall else "RMSE = sqrt(mean(l))", key="rmse")
    return _divided(derivative, "n" * (v.get("n", 1) > 1))


def _reduce(w: Work, values, name: str, reduction: str):
    if reduction == "none" or np.ndim(values) == 0:
        return values
    at = {"n": np.size(values)}
    return w(f"{reduction}_step", f"L = {reduction}({name})", **{name: values}, at=at, key="loss")


def _per_class(w: Work, fn: str, args, t_rows, shown: set[int]):
    """Each sample's loss over its classes, then reduced; returns the loss and softmax p."""
    single, scores = args.pred.ndim == 1, np.atleast_2d(args.pred)
    rules = PER_SAMPLE[fn + ("-logits" if args.logits else "")]
    keyed = "key" if single else "name"  # of several samples, each step is in its group

    def forward(wi: Work, i: int):
        q, row, t, at = wi.env, scores[i], t_rows[i], ("" if single else f"[{i}]")
        kept, y = t > 0, int(np.argmax(t))
        q.update(s_j=np.delete(row, y), s_y=row[y], Delta=args.margin, z=row)
        q.update(t=t[kept], p=row[kept], p_y=row[kept][0], z_y=row[kept][0])
        of, p = ({} if single else {"note": wi.ctx.t("loss.of_sample", i=i)}), None
        if args.logits:
            q["m"] = wi("max", f"m{at} = amax(z)", name="max", **of)
            q["S"] = wi("exp_sum", f"S{at} = sum(exp(z - m))", name="exp_sum", **of)
            p = wi("softmax", f"p{at} = exp(z - m)/S", **{keyed: "probabilities"}, **of)
            q["z"] = row[kept]  # the loss adds up the target's classes only
        one_hot = kept.sum() == 1 and t[kept][0] == 1
        note = "" if one_hot or kept.all() else wi.ctx.t("loss.zero_classes")
        title = "loss" if single else "sample_loss"
        formula = f"L{at} = " + rules[0 if one_hot else 1]
        return wi(title, formula, **{keyed: title}, at={"i": i}, note=note), p

    losses, probabilities = zip(*each(w, len(scores), shown, forward), strict=True)
    p = None if probabilities[0] is None else np.reshape(probabilities, args.pred.shape)
    return (losses[0] if single else _reduce(w, np.array(losses), "L_i", args.reduction)), p


def _grad_hinge(w: Work, args, t_rows, per: str, shown: set[int]):
    """Each sample's gradient: the classes inside the margin, less the target's share."""
    single, scores = args.pred.ndim == 1, np.atleast_2d(args.pred)
    keyed = "key" if single else "name"  # of several samples, each step is in its group

    def backward(wi: Work, i: int):
        at, n, row, t = ("" if single else f"[{i}]"), {"i": i}, scores[i], t_rows[i]
        wi.env.update(s=row, s_y=row[np.argmax(t)], Delta=args.margin, t=t, N=len(t_rows))
        wi.env["a"] = wi("active", f"a{at} = gt(s - s_y + Delta, 0)*(1 - t)", at=n)
        formula = f"dL_ds{at} = " + _divided("a - t*sum(a)", per)
        return wi("grad_row", formula, at=n, **{keyed: "grad_pred"})

    rows = each(w, len(scores), shown, backward)
    return rows[0] if single else np.array(rows)


def _penalty(w: Work, args) -> str:
    """The penalty P and the total J = L + P; returns the formula of ∂P/∂w."""
    half, terms, slopes = args["l2-form"] == "half", [], []
    if args.l1 is not None:
        terms.append("lam1*sum(abs(w))")
        slopes.append("lam1*sign(w)")
        w.trace.notes.append(w.ctx.t("loss.l1_note"))
    if args.l2 is not None:
        terms.append("lam2/2*sum(w**2)" if half else "lam2*sum(w**2)")
        slopes.append("lam2*w" if half else "2*lam2*w")
        w.trace.notes.append(w.ctx.t("loss.l2_note"))
    w("penalty", "P = " + " + ".join(terms), key="penalty")
    w("total", "J = L + P", key="total")
    return "dP_dw = " + " + ".join(slopes)


def _update(w: Work, args) -> None:
    """One SGD step on the weights; with L2 alone, the same step written as weight decay."""
    half, data = args["l2-form"] == "half", " - lr*g" if args["grad-weights"] is not None else ""
    if args.l2 is not None:
        decay = {"factor": "" if half else "2", "wd": f"{(1 if half else 2) * args.l2:g}"}
        w.trace.notes.append(w.ctx.t("loss.weight_decay", **decay))
    if args.lr is None:
        return
    rule = "w - lr*(g + dP_dw)" if data else "w - lr*dP_dw"
    w.trace.result["updated_weights"] = w("sgd_step", "w_prime = " + rule, key="updated_weights")
    if args.l2 is not None and args.l1 is None:
        w("decay_factor", "c = 1 - lr*lam2" if half else "c = 1 - 2*lr*lam2")
        w("decayed", "w_prime = c*w" + data)


def run(args, ctx: Ctx) -> Trace:
    fn = "multiclass-hinge" if args.fn == "svm" else args.fn
    pred, target, keras = args.pred, args.target, args.convention == "keras"
    t_rows = np.atleast_2d(_targets(fn, pred, target, args.logits))
    penalty = args.l1 is not None or args.l2 is not None
    weights, g = args.weights, args["grad-weights"]
    if penalty and weights is None:
        raise InputError("weights", "required_for", what=label("l2" if args.l1 is None else "l1"))
    if weights is not None and not penalty:  # a declared Requires names one option, not two
        raise InputError("weights", "only_with", other=either(map(label, ("l1", "l2"))))
    if g is not None and g.shape != weights.shape:
        shapes = {"shape": format_shape(g.shape), "other": format_shape(weights.shape)}
        raise InputError("grad-weights", "loss.shape", option=label("weights"), **shapes)
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
    v = dict(y_hat=pred, z=pred, y=target, delta=args.delta, w=weights, lr=args.lr, g=g)
    v.update(lam1=args.l1, lam2=args.l2, eps=BCE_EPS if fn == "bce" else KERAS_EPS)
    w = Work(trace, ctx, env=v, topic="loss")
    if classwise:
        v["L"], p = _per_class(w, fn, args, t_rows, shown)
        v.update(p=pred if p is None else p, N=len(t_rows), t=t_rows.reshape(pred.shape))
        per = "N" if args.reduction == "mean" and pred.ndim > 1 else ""
    else:
        rule = _per_value(w, "bce-logits" if args.logits else fn, args, shown)
    slope = _penalty(w, args) if penalty else None
    w.phase, sums = "backward", t_rows.sum(-1)
    if fn == "cross-entropy":  # −t/p at the probabilities, p − t at the logits
        rule = "-t/p" if np.all(pred > 0) else "where(gt(t, 0), -t/p, 0)"
        rule = _divided("p - t" if args.logits else rule, per)
    if fn == "cross-entropy" and args.logits and not np.allclose(sums, 1, rtol=0, atol=1e-12):
        rule, v["k"] = _divided("p*k - t", per), sums[0] if pred.ndim == 1 else sums[:, None]
        trace.notes.append(ctx.t("loss.soft_sum"))  # then the gradient is torch's p·Σt − t
    if fn == "multiclass-hinge":
        grad = _grad_hinge(w, args, t_rows, per, shown)
    else:
        title = "grad_pred_logits" if args.logits else "grad_pred"
        grad = w(title, f"dL_d{name} = {rule}", key="grad_pred")
    extra = {"rmse": v.get("RMSE"), "probabilities": v["p"] if args.logits else None}
    trace.result = {"loss": v["L"], **{k: x for k, x in extra.items() if x is not None}}
    trace.result["grad_pred"] = grad
    if slope:
        w("grad_weights", slope, key="grad_weights")
        trace.result.update(penalty=v["P"], grad_weights=v["dP_dw"], total=v["J"])
        w.phase = "update"
        _update(w, args)
    normalised = fn != "cross-entropy" or args.logits or np.allclose(pred.sum(-1), 1, atol=1e-6)
    notes = {"hidden": samples > len(shown), "svm_note": fn == "multiclass-hinge"}
    notes.update(kink="hinge" in fn, keras_note=keras)
    notes.update(not_normalised=not normalised, none_note=args.reduction == "none")
    counts = {"n": samples - len(shown), "total": samples, "last": samples - 1}
    counts["c"] = pred.shape[-1] if pred.ndim else 1
    trace.notes += [ctx.t(f"loss.{key}", **counts) for key, wanted in notes.items() if wanted]
    return trace
