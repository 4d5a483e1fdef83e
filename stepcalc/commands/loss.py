"""``stepcalc loss``: a loss value, its gradient w.r.t. the prediction, and L1/L2 penalties."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

FUNCTIONS = ("mse", "mae", "huber", "bce", "cross-entropy")
REDUCTIONS = ("mean", "sum")
L2_FORMS = ("full", "half")


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.losses import LossProblem, Regularization, loss

    fn = p.choice("fn", FUNCTIONS)
    if p.has("delta") and fn != "huber":
        raise StepcalcError("--delta: only for --fn huber")
    problem = LossProblem(
        fn=fn,
        pred=p.tensor("pred") if p.has("pred") else p.require("pred"),
        target=p.tensor("target") if p.has("target") else p.require("target"),
        reduction=p.choice("reduction", REDUCTIONS),
        logits=p.flag("logits"),
        delta=p.scalar("delta"),
    )
    penalties = [name for name in ("l1", "l2") if p.has(name)]
    if not penalties:
        for name in ("weights", "l2-form", "lr", "grad-weights"):
            if p.has(name):
                raise StepcalcError(f"--{name}: only used with --l1 or --l2")
        return loss(problem, ctx)
    if p.has("l2-form") and not p.has("l2"):
        raise StepcalcError("--l2-form: only used with --l2")
    if not p.has("weights"):
        raise StepcalcError(f"--weights: required with --{penalties[0]}")
    regularization = Regularization(
        weights=p.tensor("weights"),
        l1=p.scalar("l1"),
        l2=p.scalar("l2"),
        l2_form=p.choice("l2-form", L2_FORMS),
        lr=p.scalar("lr"),
        grad_weights=p.tensor("grad-weights"),
    )
    return loss(problem, ctx, regularization)


COMMAND = Command(
    name="loss",
    help=(
        "Loss value and gradient w.r.t. the prediction (MSE, MAE, Huber, BCE, "
        "cross-entropy), with optional L1/L2 penalty on weights."
    ),
    options=(
        Opt("fn", "Loss function.", default="mse", metavar="mse|mae|huber|bce|cross-entropy"),
        Opt(
            "pred",
            "Prediction ŷ (probabilities, or raw scores with --logits). Cross-entropy: "
            "a vector of C scores for one sample, or an N×C matrix.",
            metavar="TENSOR",
        ),
        Opt(
            "target",
            "Target y, same shape as --pred. Cross-entropy: class indices (one per sample, "
            "counting from 0) or one-hot/probability rows.",
            metavar="TENSOR",
        ),
        Opt(
            "reduction",
            "mean (÷ count, PyTorch default) or sum.",
            default="mean",
            metavar="mean|sum",
        ),
        Opt(
            "logits",
            "bce/cross-entropy: --pred holds raw scores (sigmoid/softmax applied).",
            flag=True,
        ),
        Opt("delta", "Huber threshold δ.", default=1.0, metavar="X"),
        Opt("l1", "L1 penalty λ·Σ|w| on --weights.", metavar="λ"),
        Opt("l2", "L2 penalty λ·Σw² on --weights (gradient 2λw).", metavar="λ"),
        Opt(
            "l2-form",
            "full: λ‖w‖², gradient 2λw; half: ½λ‖w‖², gradient λw.",
            default="full",
            metavar="full|half",
        ),
        Opt("weights", "Weights w the penalty applies to.", metavar="TENSOR"),
        Opt(
            "lr",
            "Learning rate η: show one SGD step on --weights (L2 = weight decay).",
            metavar="η",
        ),
        Opt(
            "grad-weights",
            "With --lr: gradient of the data loss w.r.t. the weights (default 0).",
            metavar="TENSOR",
        ),
    ),
    run=run,
)
