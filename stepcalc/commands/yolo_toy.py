"""``stepcalc yolo-toy``: the seed slides' toy YOLO, forward, backward and SGD step by step."""

from stepcalc import limits
from stepcalc.spec import Command, Flag, Int, Number, Opt, Tensor

MATRIX = Tensor("M", (2,))
VECTOR = Tensor("V", (0, 1))

COMMAND = Command(
    name="yolo-toy",
    help=(
        "The toy YOLO of the slides: conv, SiLU, conv, SiLU (backbone), optional neck, "
        "bbox and class heads, MSE loss, backward pass and SGD update. With no options it "
        "works the slide's own numbers."
    ),
    calculator="stepcalc.calc.yolo:run",
    drill="stepcalc.drill:yolo_problem",
    result_keys=(
        "conv1_output",
        "silu1_output",
        "conv2_output",
        "backbone_output",
        "neck_output",
        "y_pred",
        "loss",
        "grad_y_pred",
        "grad_w_bbox",
        "grad_w_cls",
        "grad_backbone",
        "grad_conv2_output",
        "grad_w_conv2",
        "grad_silu1_output",
        "grad_conv1_output",
        "grad_w_conv1",
        "updated",
        *("history", "final_loss", "diagnosis"),
    ),
    options=(
        Opt("image", MATRIX, "Input image (matrix). Default: the slide's 4×4 image."),
        Opt("w-conv1", MATRIX, "Conv1 kernel (matrix). Default: the slide's 3×3."),
        Opt(
            "w-conv2",
            MATRIX,
            "Conv2 kernel, the size of the conv1 output (it flattens to one number).",
        ),
        Opt("w-neck", Number("X"), "Neck weight (used with --neck). Default 0.5."),
        Opt("w-bbox", VECTOR, "Bounding-box head weights (vector). Default 0.1 0.2."),
        Opt("w-cls", VECTOR, "Class head weight(s). Default 0.3."),
        Opt("y-true", VECTOR, "Targets: bbox entries then class entries. Default 12 15 20."),
        Opt("lr", Number("X", positive=True), "Learning rate of the SGD step. Default 0.01."),
        Opt("neck", Flag(), "Apply the neck W_neck (the slide skips it)."),
        Opt(
            "steps", Int("N", 1, limits.MAX_STEPS), "Train N SGD steps and show the loss per step."
        ),
    ),
    samples=("yolo_toy.yaml",),
    summary="The slides' toy YOLO: forward, backward and one SGD step",
)
