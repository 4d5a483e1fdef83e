"""``stepcalc batchnorm``: batch normalisation forward and backward, as PyTorch computes it."""

from __future__ import annotations

from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.batchnorm import BatchNormProblem, batchnorm

    problem = BatchNormProblem(
        x=_tensor(p, "input") if p.has("input") else p.require("input"),
        gamma=p.vector("gamma"),
        beta=p.vector("beta"),
        eps=p.scalar("eps"),
        momentum=p.scalar("momentum"),
        running_mean=p.vector("running-mean"),
        running_var=p.vector("running-var"),
        training=not p.flag("eval"),
        grad_output=_tensor(p, "grad-output"),
    )
    return batchnorm(problem, ctx)


def _tensor(p: Problem, name: str):
    """A tensor; "a b c | d e f || …" (rows, no ';') is (N,C,L), not (N,C,1,L)."""
    value = p.tensor(name)
    raw = p.raw(name)
    if (
        value is not None
        and isinstance(raw, str)
        and "||" in raw
        and ";" not in raw
        and value.ndim == 4
        and value.shape[2] == 1
    ):
        value = value.reshape(value.shape[0], value.shape[1], value.shape[3])
    return value


COMMAND = Command(
    name="batchnorm",
    help=(
        "Batch normalisation: per-channel mean, variance, x̂, output, running statistics, "
        "and the backward pass (PyTorch semantics)."
    ),
    epilog=(
        "The rank of --input gives its layout: 2-D (N,F) as BatchNorm1d, 3-D (N,C,L), "
        "4-D (N,C,H,W) as BatchNorm2d. Write 4-D input as JSON nested lists "
        "[[[[...]]]] or with '||' between samples and '|' between channels."
    ),
    options=(
        Opt("input", "Batch x: (N,F), (N,C,L) or (N,C,H,W).", metavar="TENSOR"),
        Opt("gamma", "Scale γ, one per channel (default 1).", metavar="VECTOR"),
        Opt("beta", "Shift β, one per channel (default 0).", metavar="VECTOR"),
        Opt("eps", "ε added to the variance.", default=1e-5, metavar="X"),
        Opt("momentum", "Running-statistics momentum (PyTorch's).", default=0.1, metavar="X"),
        Opt("running-mean", "Running mean before this batch (default 0).", metavar="VECTOR"),
        Opt("running-var", "Running variance before this batch (default 1).", metavar="VECTOR"),
        Opt("eval", "Evaluation mode: normalise with the running statistics.", flag=True),
        Opt("grad-output", "Upstream gradient ∂L/∂y (same shape as --input).", metavar="TENSOR"),
    ),
    run=run,
)
