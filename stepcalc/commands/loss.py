"""``stepcalc loss``: a loss value, its gradient w.r.t. the prediction, and L1/L2 penalties."""

from stepcalc.spec import Choice, Command, Flag, Ints, Number, Opt, Requires, Tensor

FUNCTIONS = "mse mae huber bce cross-entropy multiclass-hinge svm hinge squared-hinge mape msle"
TENSOR = Tensor("TENSOR")
FN = Choice(FUNCTIONS.replace(" ", "|"), tuple(FUNCTIONS.split()))
KEYS = "loss grad_pred rmse probabilities penalty grad_weights total updated_weights"

COMMAND = Command(
    name="loss",
    summary="Losses, their gradients, L1 and L2 penalties",
    help=(
        "Loss value and gradient w.r.t. the prediction (MSE, MAE, Huber, BCE, cross-entropy, "
        "multiclass SVM hinge, hinge, squared hinge, MAPE, MSLE), with optional L1/L2 "
        "penalty on weights and one SGD step."
    ),
    epilog=(
        "Gradients are PyTorch autograd's, also at kinks (sign(0) = 0; a hinge exactly at its "
        "margin passes none). With --reduction none, grad_pred holds each value's own "
        "derivative (the gradient of their sum)."
    ),
    calculator="stepcalc.calc.losses:run",
    drill="stepcalc.drill:loss_problem",
    result_keys=tuple(KEYS.split()),
    options=(
        Opt("fn", FN, "Loss function (svm = multiclass-hinge).", "mse"),
        Opt(
            "pred",
            TENSOR,
            "Prediction ŷ (probabilities, or raw scores with --logits); per-class losses: "
            "C scores of one sample, or an N×C matrix.",
            required=True,
        ),
        Opt(
            "target",
            TENSOR,
            "Target y, shaped as --pred (hinge: −1 or 1); per-class losses: class indices "
            "(from 0) or one-hot/probability rows.",
            required=True,
        ),
        Opt(
            "reduction",
            Choice("mean|sum|none", ("mean", "sum", "none")),
            "mean (PyTorch default), sum, or none: one loss per value (or per sample).",
            "mean",
        ),
        Opt(
            "convention",
            Choice("pytorch|keras", ("pytorch", "keras")),
            "keras: a sample's loss is its mean over the last axis, so sum adds sample means.",
            "pytorch",
        ),
        Opt("logits", Flag(), "bce/cross-entropy: --pred holds raw scores."),
        Opt("delta", Number("δ", positive=True), "Huber threshold δ.", 1.0),
        Opt("margin", Number("Δ", minimum=0), "Multiclass hinge margin Δ.", 1.0),
        Opt("l1", Number("λ", minimum=0), "L1 penalty λ·Σ|w| on --weights."),
        Opt("l2", Number("λ", minimum=0), "L2 penalty λ·Σw² on --weights (gradient 2λw)."),
        Opt(
            "l2-form",
            Choice("full|half", ("full", "half")),
            "full: λ‖w‖², gradient 2λw; half: ½λ‖w‖², gradient λw.",
            "full",
        ),
        Opt("weights", TENSOR, "Weights w the penalty applies to."),
        Opt("lr", Number("η", positive=True), "Learning rate: one SGD step on --weights."),
        Opt("grad-weights", TENSOR, "With --lr: the data loss's gradient w.r.t. the weights."),
        Opt("sample", Ints("I[,I]", minimum=0), "Samples worked step by step (default 0-3)."),
    ),
    constraints=(
        Requires("delta", "fn", ("huber",)),
        Requires("margin", "fn", ("multiclass-hinge", "svm")),
        Requires("logits", "fn", ("bce", "cross-entropy")),
        Requires("l2-form", "l2"),
        Requires("lr", "weights"),
        Requires("grad-weights", "lr"),
    ),
    samples=tuple(
        f"loss_{name}.yaml"
        for name in "bce_logits cross_entropy keras_sum l2_weight_decay svm_cs231n yolo_mse".split()
    ),
)
