"""``stepcalc loss``: a loss value, its gradient w.r.t. the prediction, and L1/L2 penalties."""

from stepcalc.spec import Choice, Command, Flag, Number, Opt, Requires, Tensor

FUNCTIONS = ("mse", "mae", "huber", "bce", "cross-entropy")

COMMAND = Command(
    name="loss",
    help=(
        "Loss value and gradient w.r.t. the prediction (MSE, MAE, Huber, BCE, "
        "cross-entropy), with optional L1/L2 penalty on weights."
    ),
    calculator="stepcalc.calc.losses:run",
    result_keys=("loss", "grad_pred", "rmse", "probabilities", "penalty", "grad_weights", "total"),
    options=(
        Opt("fn", Choice("|".join(FUNCTIONS), FUNCTIONS), "Loss function.", "mse"),
        Opt(
            "pred",
            Tensor("TENSOR"),
            "Prediction ŷ (probabilities, or raw scores with --logits). Cross-entropy: "
            "a vector of C scores for one sample, or an N×C matrix.",
            required=True,
        ),
        Opt(
            "target",
            Tensor("TENSOR"),
            "Target y, same shape as --pred. Cross-entropy: class indices (one per sample, "
            "counting from 0) or one-hot/probability rows.",
            required=True,
        ),
        Opt(
            "reduction",
            Choice("mean|sum", ("mean", "sum")),
            "mean (÷ count, PyTorch default) or sum.",
            "mean",
        ),
        Opt(
            "logits",
            Flag(),
            "bce/cross-entropy: --pred holds raw scores (sigmoid/softmax applied).",
        ),
        Opt("delta", Number("X"), "Huber threshold δ.", 1.0),
        Opt("l1", Number("λ"), "L1 penalty λ·Σ|w| on --weights."),
        Opt("l2", Number("λ"), "L2 penalty λ·Σw² on --weights (gradient 2λw)."),
        Opt(
            "l2-form",
            Choice("full|half", ("full", "half")),
            "full: λ‖w‖², gradient 2λw; half: ½λ‖w‖², gradient λw.",
            "full",
        ),
        Opt("weights", Tensor("TENSOR"), "Weights w the penalty applies to."),
        Opt(
            "lr",
            Number("η"),
            "Learning rate η: show one SGD step on --weights (L2 = weight decay).",
        ),
        Opt(
            "grad-weights",
            Tensor("TENSOR"),
            "With --lr: gradient of the data loss w.r.t. the weights (default 0).",
        ),
    ),
    constraints=(Requires("delta", "fn", ("huber",)), Requires("l2-form", "l2")),
    samples=(
        "loss_bce_logits.yaml",
        "loss_cross_entropy.yaml",
        "loss_l2_weight_decay.yaml",
        "loss_yolo_mse.yaml",
    ),
)
