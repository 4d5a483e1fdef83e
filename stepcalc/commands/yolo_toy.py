"""``stepcalc yolo-toy``: the seed slides' toy YOLO, forward, backward and SGD step by step."""

from __future__ import annotations

from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

TENSORS = ("image", "w-conv1", "w-conv2", "w-neck", "w-bbox", "w-cls", "y-true")


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc.yolo import build_problem, yolo_toy

    given = {name.replace("-", "_"): p.tensor(name, ndim=(0, 1, 2)) for name in TENSORS}
    problem = build_problem(
        **given,
        lr=p.scalar("lr"),
        neck=p.flag("neck"),
        steps=p.int("steps", minimum=1),
    )
    return yolo_toy(problem, ctx)


COMMAND = Command(
    name="yolo-toy",
    help=(
        "The toy YOLO of the slides: conv, SiLU, conv, SiLU (backbone), optional neck, "
        "bbox and class heads, MSE loss, backward pass and SGD update. With no options it "
        "works the slide's own numbers."
    ),
    options=(
        Opt("image", "Input image (matrix). Default: the slide's 4×4 image.", metavar="M"),
        Opt("w-conv1", "Conv1 kernel (matrix). Default: the slide's 3×3.", metavar="M"),
        Opt(
            "w-conv2",
            "Conv2 kernel, the size of the conv1 output (it flattens to one number).",
            metavar="M",
        ),
        Opt("w-neck", "Neck weight (used with --neck). Default 0.5.", metavar="X"),
        Opt("w-bbox", "Bounding-box head weights (vector). Default 0.1 0.2.", metavar="V"),
        Opt("w-cls", "Class head weight(s). Default 0.3.", metavar="X"),
        Opt("y-true", "Targets: bbox entries then class entries. Default 12 15 20.", metavar="V"),
        Opt("lr", "Learning rate of the SGD step. Default 0.01.", metavar="X"),
        Opt("neck", "Apply the neck W_neck (the slide skips it).", flag=True),
        Opt("steps", "Train N SGD steps and show the loss per step.", metavar="N"),
    ),
    run=run,
)
