"""Batch normalisation, forward and backward, per channel, with PyTorch's semantics.

The input's rank says its layout: (N,F) is a batch of feature vectors (BatchNorm1d), (N,C,L)
a batch of sequences (BatchNorm1d), (N,C,H,W) a batch of images (BatchNorm2d). Statistics
are taken per feature/channel (axis 1) over its m = N, N·L or N·H·W values.

Training normalises with the batch mean and the biased variance (÷ m) but updates the running
variance with the unbiased one (÷ (m − 1)), as PyTorch does; evaluation normalises with the
running statistics, constants for the backward pass (∂L/∂x = γ·∂L/∂y/σ). Channels beyond the
first few (or those not asked for) run the same formulas silently; a note says how to see them.
"""

from __future__ import annotations

import numpy as np

from stepcalc.calc.losses import chosen, each
from stepcalc.context import Ctx
from stepcalc.errors import InputError, label
from stepcalc.formula import Work
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

LAYOUTS = {2: "N,F", 3: "N,C,L", 4: "N,C,H,W"}
SHOWN_VALUES = 128
"""Larger inputs are not drawn, nor are the output tensors in the summary (JSON has them)."""
PER_CHANNEL = {  # options of one value per channel (or one for all): name in the steps, default
    "gamma": ("gamma", 1.0),
    "beta": ("beta", 0.0),
    "running-mean": ("mu_run", 0.0),
    "running-var": ("var_run", 1.0),
}


def _forward(w: Work, c: int, p: dict, x) -> dict:
    """One channel: statistics (training), σ, x̂ and the output."""
    q, at = w.env, {"c": c}
    q.update(p, x=x, **{name: p[name][c] for name, _ in PER_CHANNEL.values()})
    if q["training"]:
        q["mu"] = w("mean", f"mu[{c}] = mean(x)", at=at, name="mean")
        q["var"] = w("var", f"var[{c}] = mean((x - mu)**2)", at=at, name="var")
    mu, var = ("mu", "var") if q["training"] else ("mu_run", "var_run")
    q["sigma"] = w("sigma", f"sigma[{c}] = sqrt({var} + eps)", at=at)
    q["x_hat"] = w("x_hat", f"x_hat[{c}] = (x - {mu})/sigma", at=at)
    q["y"] = w("output", f"y[{c}] = gamma*x_hat + beta", at=at, name="output")
    return q


def _backward(w: Work, c: int, forward: dict, g) -> dict:
    """One channel's gradients: ∂L/∂β, ∂L/∂γ and ∂L/∂x."""
    q, at = w.env, {"c": c}
    q.update(forward, dL_dy=g)
    q["dL_dbeta"] = w("grad_beta", f"dL_dbeta[{c}] = sum(dL_dy)", at=at)
    q["dL_dgamma"] = w("grad_gamma", f"dL_dgamma[{c}] = sum(dL_dy*x_hat)", at=at)
    rule = "gamma/(m*sigma)*(m*dL_dy - dL_dbeta - x_hat*dL_dgamma)"
    rule = rule if q["training"] else "gamma*dL_dy/sigma"
    q["dL_dx"] = w("grad_input", f"dL_dx[{c}] = {rule}", at=at, name="grad_input")
    return q


def run(args, ctx: Ctx) -> Trace:
    x, g, training = args.input, args["grad-output"], not args.eval
    channels, moved = x.shape[1], np.moveaxis(x, 1, 0).shape
    m = x.size // channels
    if training and m == 1:
        raise InputError("input", "batchnorm.one_value", shape=format_shape(x.shape))
    if g is not None and g.shape != x.shape:
        shapes = {"shape": format_shape(g.shape), "other": format_shape(x.shape)}
        raise InputError("grad-output", "loss.shape", option=label("input"), **shapes)
    p = {"eps": args.eps, "momentum": args.momentum, "training": training, "m": m}
    for field, (name, default) in PER_CHANNEL.items():
        values = np.ravel(default if args[field] is None else args[field])
        if values.size not in (1, channels):
            raise InputError(field, "batchnorm.per_channel", n=channels, got=values.size)
        p[name] = np.resize(values, channels)
    if np.any(p["var_run"] < 0):
        raise InputError("running-var", "not_negative", value=f"{p['var_run'].min():g}")
    shown = chosen(args.channel, "channel", channels)
    layout, mode = LAYOUTS[x.ndim], "train" if training else "eval"
    shape, eps, momentum = format_shape(x.shape), f"{args.eps:g}", f"{args.momentum:g}"
    inputs = {key.replace("-", "_"): value for key, value in args.items() if key != "channel"}
    inputs.update({f.replace("-", "_"): p[n] for f, (n, _) in PER_CHANNEL.items()}, layout=layout)
    trace = Trace(
        command="batchnorm",
        title=ctx.t(f"batchnorm.title_{mode}"),
        subtitle=ctx.t(
            "batchnorm.subtitle", shape=shape, layout=layout, m=m, eps=eps, momentum=momentum
        ),
        inputs=inputs,
        shown_inputs={"x": x, "gamma": p["gamma"], "beta": p["beta"]},
        notes=[ctx.t("batchnorm.layout_note", layout=layout, m=m), ctx.t(f"batchnorm.{mode}_note")],
    )
    w = Work(trace, ctx, topic="batchnorm")

    def channels_of(tensor):  # each channel's m values in a row, as the steps show them
        return np.moveaxis(tensor, 1, 0).reshape(channels, m)

    def tensor_of(rows):
        return np.moveaxis(np.reshape(rows, moved), 0, 1)

    slices = channels_of(x)
    done = each(w, channels, shown, lambda wc, c: _forward(wc, c, p, slices[c]))
    mean = np.array([q["mu"] for q in done]) if training else p["mu_run"]
    var = np.array([q["var"] for q in done]) if training else p["var_run"]
    trace.result = {"output": tensor_of([q["y"] for q in done]), "mean": mean, "var": var}
    trace.result.update(x_hat=tensor_of([q["x_hat"] for q in done]), running_mean=p["mu_run"])
    trace.result["running_var"] = p["var_run"]
    if g is not None:
        w.phase, upstream = "backward", channels_of(g)
        back = each(w, channels, shown, lambda wc, c: _backward(wc, c, done[c], upstream[c]))
        trace.result["grad_input"] = tensor_of([q["dL_dx"] for q in back])
        trace.result["grad_gamma"] = np.array([q["dL_dgamma"] for q in back])
        trace.result["grad_beta"] = np.array([q["dL_dbeta"] for q in back])
        trace.notes.append(ctx.t(f"batchnorm.backward_{mode}"))
    if training:
        w = Work(trace, ctx, "update", {**p, "mu": mean, "var": var}, "batchnorm")
        for key, rule in (
            ("running_mean", "mu_run = (1 - momentum)*mu_run + momentum*mu"),
            ("running_var", "var_run = (1 - momentum)*var_run + momentum*var*m/(m - 1)"),
        ):
            trace.result[key] = w(key, rule, key=key)
    if channels > len(shown):
        unseen = [c for c in range(channels) if c not in shown]
        pair = ",".join(map(str, unseen[:2]))
        hidden = {"n": len(unseen), "total": channels, "last": unseen[-1], "pair": pair}
        trace.notes.append(ctx.t("batchnorm.hidden", **hidden))
    if x.size > SHOWN_VALUES:
        del trace.shown_inputs["x"]
        trace.summary = [key for key in trace.result if np.size(trace.result[key]) == channels]
        trace.notes.append(ctx.t("batchnorm.large", n=f"{x.size:,}"))
    return trace
