"""Batch normalisation, forward and backward, per channel, with PyTorch's semantics.

The input's rank says its layout: (N,F) is a batch of feature vectors (BatchNorm1d), (N,C,L)
a batch of sequences (BatchNorm1d), (N,C,H,W) a batch of images (BatchNorm2d). Statistics
are taken per feature/channel (axis 1) over its m = N, N·L or N·H·W values.

Training normalises with the batch mean and the biased variance (÷ m), then updates
running_mean ← (1 − momentum)·running_mean + momentum·μ and running_var the same way with
the unbiased variance (÷ (m − 1)). Evaluation normalises with the running statistics.
Backward, per channel, with x̂ = (x − μ)/σ, σ = √(σ² + ε) and the upstream ∂L/∂y:
  ∂L/∂β = Σ ∂L/∂y    ∂L/∂γ = Σ ∂L/∂y·x̂    ∂L/∂x = γ/(m·σ)·(m·∂L/∂y − ∂L/∂β − x̂·∂L/∂γ)
(evaluation: ∂L/∂x = γ·∂L/∂y/σ, the statistics being constants).

Each channel is a group of worked steps; channels beyond the first few (or other than those
asked for with --channel) run the same formulas silently, and a note says how to see them.
"""

from __future__ import annotations

import numpy as np

from stepcalc.calc.losses import chosen, each, step
from stepcalc.context import Ctx
from stepcalc.errors import InputError, label
from stepcalc.formula import Work
from stepcalc.parse import format_shape
from stepcalc.trace import Trace

LAYOUTS = {2: "N,F", 3: "N,C,L", 4: "N,C,H,W"}
SHOWN_VALUES = 128
"""Larger inputs are not drawn, nor are the output tensors in the summary (JSON has them)."""


def _per_channel(values, field: str, channels: int, default: float):
    if values is None:
        return np.full(channels, default)
    values = np.ravel(values)
    if values.size == 1:
        return np.full(channels, values[0])
    if values.size != channels:
        raise InputError(field, "batchnorm.per_channel", n=channels, got=values.size)
    return values


def _forward(w: Work, x, c: int, p: dict):
    """One channel: statistics (training), σ, x̂ and the output."""
    t = w.ctx.t
    q = {**p, "x": x, "gamma": p["gamma"][c], "beta": p["beta"][c]}
    if p["training"]:
        q["mu"] = w(t("batchnorm.mean", c=c), f"mu[{c}] = mean(x)", x=x, name="mean")
        q["var"] = step(w, t("batchnorm.var", c=c), f"var[{c}] = mean((x - mu)**2)", q, name="var")
        mu, var = "mu", "var"
    else:
        q.update(mu_run=p["mu_run"][c], var_run=p["var_run"][c])
        mu, var = "mu_run", "var_run"
    q["sigma"] = step(w, t("batchnorm.sigma", c=c), f"sigma[{c}] = sqrt({var} + eps)", q)
    q["x_hat"] = step(w, t("batchnorm.x_hat", c=c), f"x_hat[{c}] = (x - {mu})/sigma", q)
    rule = f"y[{c}] = gamma*x_hat + beta"
    q["y"] = step(w, t("batchnorm.output", c=c), rule, q, name="output")
    return q


def _backward(w: Work, g, c: int, q: dict):
    """One channel's gradients: ∂L/∂β, ∂L/∂γ and ∂L/∂x."""
    t = w.ctx.t
    q["dL_dy"] = g
    q["dL_dbeta"] = step(w, t("batchnorm.grad_beta", c=c), f"dL_dbeta[{c}] = sum(dL_dy)", q)
    rule = f"dL_dgamma[{c}] = sum(dL_dy*x_hat)"
    q["dL_dgamma"] = step(w, t("batchnorm.grad_gamma", c=c), rule, q)
    rule = "gamma/(m*sigma)*(m*dL_dy - dL_dbeta - x_hat*dL_dgamma)"
    rule = rule if q["training"] else "gamma*dL_dy/sigma"
    return step(w, t("batchnorm.grad_input", c=c), f"dL_dx[{c}] = {rule}", q, name="grad_input")


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
    for name, field, default in zip(
        ("gamma", "beta", "mu_run", "var_run"),
        ("gamma", "beta", "running-mean", "running-var"),
        (1.0, 0.0, 0.0, 1.0),
        strict=True,
    ):
        p[name] = _per_channel(args[field], field, channels, default)
    if np.any(p["var_run"] < 0):
        raise InputError("running-var", "not_negative", value=f"{p['var_run'].min():g}")
    shown = chosen(args.channel, "channel", channels)
    layout, mode = LAYOUTS[x.ndim], "train" if training else "eval"
    shape, eps, momentum = format_shape(x.shape), f"{args.eps:g}", f"{args.momentum:g}"
    inputs = {key.replace("-", "_"): value for key, value in args.items() if key != "channel"}
    names = ("gamma", "beta", "running_mean", "running_var")
    inputs.update(
        zip(names, (p["gamma"], p["beta"], p["mu_run"], p["var_run"]), strict=True), layout=layout
    )
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
    w = Work(trace, ctx)

    def channels_of(tensor):  # each channel's m values in a row, as the steps show them
        return np.moveaxis(tensor, 1, 0).reshape(channels, m)

    def tensor_of(rows):
        return np.moveaxis(np.reshape(rows, moved), 0, 1)

    slices = channels_of(x)
    done = each(w, channels, shown, lambda wc, c: _forward(wc, slices[c], c, p))

    def gather(name):
        return np.array([q[name] for q in done])

    mean, var = (gather("mu"), gather("var")) if training else (p["mu_run"], p["var_run"])
    trace.result = {"output": tensor_of(gather("y")), "mean": mean, "var": var}
    trace.result.update(x_hat=tensor_of(gather("x_hat")), running_mean=p["mu_run"])
    trace.result["running_var"] = p["var_run"]
    if g is not None:
        w.phase, upstream = "backward", channels_of(g)
        grads = each(w, channels, shown, lambda wc, c: _backward(wc, upstream[c], c, done[c]))
        trace.result["grad_input"] = tensor_of(grads)
        trace.result.update(grad_gamma=gather("dL_dgamma"), grad_beta=gather("dL_dbeta"))
        trace.notes.append(ctx.t(f"batchnorm.backward_{mode}"))
    if training:
        w.phase, q = "update", {**p, "mu": mean, "var": var}
        for key, rule in (
            ("running_mean", "mu_run = (1 - momentum)*mu_run + momentum*mu"),
            ("running_var", "var_run = (1 - momentum)*var_run + momentum*var*m/(m - 1)"),
        ):
            trace.result[key] = step(w, ctx.t(f"batchnorm.{key}"), rule, q, key=key)
    if channels > len(shown):
        hidden = {"n": channels - len(shown), "total": channels, "last": channels - 1}
        trace.notes.append(ctx.t("batchnorm.hidden", **hidden))
    if x.size > SHOWN_VALUES:
        del trace.shown_inputs["x"]
        trace.summary = [key for key in trace.result if np.size(trace.result[key]) == channels]
        trace.notes.append(ctx.t("batchnorm.large", n=f"{x.size:,}"))
    return trace
