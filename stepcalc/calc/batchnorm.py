"""Batch normalisation, forward and backward, per channel, with PyTorch's semantics.

The input's rank says its layout: (N,F) is a batch of feature vectors (BatchNorm1d), (N,C,L)
a batch of sequences (BatchNorm1d), (N,C,H,W) a batch of images (BatchNorm2d). Statistics
are taken per feature/channel (axis 1) over the m = N·L or N·H·W values of the batch.

Training: normalise with the batch mean and the biased variance (÷ m); update
running_mean ← (1 − momentum)·running_mean + momentum·mean and running_var the same way
with the unbiased variance (÷ (m − 1)). Evaluation: normalise with the running statistics.
Backward (training), per channel, with x̂ = (x − μ)/σ and σ = √(var + ε):
  ∂L/∂β = Σg    ∂L/∂γ = Σ g·x̂    ∂L/∂x = γ/(m·σ) · (m·g − Σg − x̂·Σ g·x̂)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepcalc.calc.losses import spelled_sum
from stepcalc.errors import StepcalcError
from stepcalc.parse import format_shape
from stepcalc.context import Ctx
from stepcalc.trace import PHASES, Step, Trace

LAYOUTS = {2: "N,F", 3: "N,C,L", 4: "N,C,H,W"}


@dataclass(frozen=True)
class BatchNormProblem:
    x: np.ndarray
    gamma: np.ndarray | None = None
    beta: np.ndarray | None = None
    eps: float = 1e-5
    momentum: float = 0.1
    running_mean: np.ndarray | None = None
    running_var: np.ndarray | None = None
    training: bool = True
    grad_output: np.ndarray | None = None


def _per_channel(values, option: str, channels: int, default: float) -> np.ndarray:
    if values is None:
        return np.full(channels, default)
    values = np.asarray(values, dtype=float).ravel()
    if values.size == 1:
        return np.full(channels, values[0])
    if values.size != channels:
        raise StepcalcError(
            f"{option}: expected {channels} numbers (one per channel), got {values.size}"
        )
    return values


def _validate(bn: BatchNormProblem) -> None:
    x = bn.x
    if x.ndim not in LAYOUTS:
        raise StepcalcError(
            f"--input: expected a 2-D (N,F), 3-D (N,C,L) or 4-D (N,C,H,W) tensor, "
            f"got shape {format_shape(x.shape)}"
        )
    if bn.eps <= 0:
        raise StepcalcError(f"--eps: must be positive, got {bn.eps:g}")
    if not 0 <= bn.momentum <= 1:
        raise StepcalcError(f"--momentum: must be between 0 and 1, got {bn.momentum:g}")
    if bn.training and x.size // x.shape[1] == 1:
        raise StepcalcError(
            f"--input: Expected more than 1 value per channel when training, got input size "
            f"{format_shape(x.shape)} (one value per channel has variance 0; use --eval)"
        )
    if bn.running_var is not None and np.any(np.asarray(bn.running_var) < 0):
        raise StepcalcError("--running-var: a variance must not be negative")
    if bn.grad_output is not None and bn.grad_output.shape != x.shape:
        raise StepcalcError(
            f"--grad-output: shape {format_shape(bn.grad_output.shape)} does not match "
            f"--input shape {format_shape(x.shape)}"
        )


def batchnorm(bn: BatchNormProblem, ctx: Ctx) -> Trace:
    _validate(bn)
    x = bn.x
    channels = x.shape[1]
    m = x.size // channels
    gamma = _per_channel(bn.gamma, "--gamma", channels, 1.0)
    beta = _per_channel(bn.beta, "--beta", channels, 0.0)
    running_mean = _per_channel(bn.running_mean, "--running-mean", channels, 0.0)
    running_var = _per_channel(bn.running_var, "--running-var", channels, 1.0)
    layout = LAYOUTS[x.ndim]
    mode = "train" if bn.training else "eval"
    trace = Trace(
        command="batchnorm",
        title=ctx.t(f"batchnorm.title_{mode}"),
        subtitle=ctx.t(
            "batchnorm.subtitle",
            shape=format_shape(x.shape),
            layout=layout,
            m=m,
            eps=f"{bn.eps:g}",
            momentum=f"{bn.momentum:g}",
        ),
        inputs={
            "input": x,
            "layout": layout,
            "gamma": gamma,
            "beta": beta,
            "eps": bn.eps,
            "momentum": bn.momentum,
            "running_mean": running_mean,
            "running_var": running_var,
            "eval": not bn.training,
            "grad_output": bn.grad_output,
        },
        shown_inputs={"x": x, "γ": gamma, "β": beta},
    )
    trace.notes.append(ctx.t("batchnorm.layout_note", layout=layout, m=m))
    trace.notes.append(ctx.t(f"batchnorm.{mode}_note"))
    output, x_hat = np.zeros_like(x), np.zeros_like(x)
    means, variances = np.zeros(channels), np.zeros(channels)
    sigmas = np.zeros(channels)
    for c in range(channels):
        xc = np.moveaxis(x, 1, 0)[c]
        if bn.training:
            means[c], variances[c] = _batch_statistics(trace, xc, c, m, ctx)
        else:
            means[c], variances[c] = running_mean[c], running_var[c]
        sigmas[c], hat, out = _normalise(
            trace, xc, c, means[c], variances[c], gamma[c], beta[c], bn, ctx
        )
        np.moveaxis(x_hat, 1, 0)[c] = hat
        np.moveaxis(output, 1, 0)[c] = out
    if bn.training:
        running_mean, running_var = _running(
            trace, running_mean, running_var, means, variances, m, bn, ctx
        )
    trace.result = {
        "output": output,
        "mean": means,
        "var": variances,
        "x_hat": x_hat,
        "running_mean": running_mean,
        "running_var": running_var,
    }
    if bn.grad_output is not None:
        _backward(trace, bn, x_hat, gamma, sigmas, m, ctx)
    # The running statistics are updated last, after the backward pass, as in a training step.
    trace.steps.sort(key=lambda step: PHASES.index(step.phase))
    return trace


def _batch_statistics(trace: Trace, xc: np.ndarray, c: int, m: int, ctx: Ctx):
    total, inputs = spelled_sum("{x}", x=xc)
    mean = ctx.r(float(np.sum(xc)) / m)
    trace.add(
        Step(
            "forward",
            ctx.t("batchnorm.mean", c=c),
            f"{total}/m",
            mean,
            {**inputs, "m": m},
            rule="μ = Σx/m",
        )
    )
    total, inputs = spelled_sum("({x} - mu)**2", x=xc)
    var = ctx.r(float(np.sum((xc - mean) ** 2)) / m)
    trace.add(
        Step(
            "forward",
            ctx.t("batchnorm.var", c=c),
            f"{total}/m",
            var,
            {**inputs, "mu": mean, "m": m},
            rule="σ² = Σ(x − μ)²/m",
        )
    )
    return mean, var


def _normalise(trace, xc, c, mean, var, gamma, beta, bn: BatchNormProblem, ctx: Ctx):
    sigma = ctx.r(float(np.sqrt(var + bn.eps)))
    trace.add(
        Step(
            "forward",
            ctx.t("batchnorm.sigma", c=c),
            "sqrt(var + eps)",
            sigma,
            {"var": var, "eps": bn.eps},
            rule="σ = √(σ² + ε)",
        )
    )
    hat = ctx.r((xc - mean) / sigma)
    trace.add(
        Step(
            "forward",
            ctx.t("batchnorm.x_hat", c=c),
            "(x - mu)/sigma",
            hat,
            {"x": xc, "mu": mean, "sigma": sigma},
            rule="x̂ = (x − μ)/σ",
        )
    )
    out = ctx.r(gamma * hat + beta)
    trace.add(
        Step(
            "forward",
            ctx.t("batchnorm.output", c=c),
            "gamma*x_hat + beta",
            out,
            {"gamma": gamma, "x_hat": hat, "beta": beta},
            rule="y = γ·x̂ + β",
        )
    )
    return sigma, hat, out


def _running(trace, running_mean, running_var, means, variances, m, bn, ctx: Ctx):
    new_mean = ctx.r((1 - bn.momentum) * running_mean + bn.momentum * means)
    trace.add(
        Step(
            "update",
            ctx.t("batchnorm.running_mean"),
            "(1 - momentum)*rm + momentum*mu",
            new_mean,
            {"momentum": bn.momentum, "rm": running_mean, "mu": means},
            key="running_mean",
        )
    )
    new_var = ctx.r((1 - bn.momentum) * running_var + bn.momentum * variances * m / (m - 1))
    trace.add(
        Step(
            "update",
            ctx.t("batchnorm.running_var"),
            "(1 - momentum)*rv + momentum*var*m/(m - 1)",
            new_var,
            {"momentum": bn.momentum, "rv": running_var, "var": variances, "m": m},
            key="running_var",
        )
    )
    return new_mean, new_var


def _backward(trace, bn: BatchNormProblem, x_hat, gamma, sigmas, m, ctx: Ctx) -> None:
    x = bn.x
    channels = x.shape[1]
    grad_input = np.zeros_like(x)
    grad_gamma, grad_beta = np.zeros(channels), np.zeros(channels)
    for c in range(channels):
        g = np.moveaxis(bn.grad_output, 1, 0)[c]
        hat = np.moveaxis(x_hat, 1, 0)[c]
        total, inputs = spelled_sum("{g}", g=g)
        grad_beta[c] = ctx.r(float(np.sum(g)))
        trace.add(
            Step(
                "backward",
                ctx.t("batchnorm.grad_beta", c=c),
                total,
                grad_beta[c],
                inputs,
                rule="Σg",
            )
        )
        total, inputs = spelled_sum("{g}*{x_hat}", g=g, x_hat=hat)
        grad_gamma[c] = ctx.r(float(np.sum(g * hat)))
        trace.add(
            Step(
                "backward",
                ctx.t("batchnorm.grad_gamma", c=c),
                total,
                grad_gamma[c],
                inputs,
                rule="Σ g·x̂",
            )
        )
        if bn.training:
            value = ctx.r(gamma[c] / (m * sigmas[c]) * (m * g - grad_beta[c] - hat * grad_gamma[c]))
            step = Step(
                "backward",
                ctx.t("batchnorm.grad_input", c=c),
                "gamma/(m*sigma)*(m*g - sum_g - x_hat*sum_gx)",
                value,
                {
                    "gamma": gamma[c],
                    "m": m,
                    "sigma": sigmas[c],
                    "g": g,
                    "sum_g": grad_beta[c],
                    "x_hat": hat,
                    "sum_gx": grad_gamma[c],
                },
                rule="γ/(m·σ)·(m·g − Σg − x̂·Σ g·x̂)",
            )
        else:
            value = ctx.r(gamma[c] * g / sigmas[c])
            step = Step(
                "backward",
                ctx.t("batchnorm.grad_input", c=c),
                "gamma*g/sigma",
                value,
                {"gamma": gamma[c], "g": g, "sigma": sigmas[c]},
                rule="γ·g/σ",
            )
        trace.add(step)
        np.moveaxis(grad_input, 1, 0)[c] = value
    trace.notes.append(ctx.t(f"batchnorm.backward_{'train' if bn.training else 'eval'}"))
    trace.result.update(
        {"grad_input": grad_input, "grad_gamma": grad_gamma, "grad_beta": grad_beta}
    )


def run(args, ctx: Ctx) -> Trace:
    def vector(value):
        return None if value is None else np.atleast_1d(value)

    problem = BatchNormProblem(
        x=args.input,
        gamma=vector(args.gamma),
        beta=vector(args.beta),
        eps=args.eps,
        momentum=args.momentum,
        running_mean=vector(args["running-mean"]),
        running_var=vector(args["running-var"]),
        training=not args.eval,
        grad_output=args["grad-output"],
    )
    return batchnorm(problem, ctx)
