"""``stepcalc optimizer ALGO``: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam … step by step."""

from stepcalc import limits
from stepcalc.spec import (
    Arg,
    Choice,
    Command,
    ExactlyOne,
    Flag,
    Int,
    Number,
    Opt,
    Requires,
    Tensor,
    Text,
    Type,
)

ALGORITHMS = tuple("sgd momentum nesterov adagrad rmsprop adam adamw adamax nadam adadelta".split())
RATE = Number("X", minimum=0)
HYPER = (
    ("lr", RATE, "Learning rate η (default: torch's, e.g. 0.001 for SGD and Adam)."),
    ("momentum", RATE, "Momentum γ (sgd 0; momentum/nesterov 0.9; rmsprop 0)."),
    ("dampening", Number("X"), "SGD dampening (default 0; not on the first step)."),
    ("alpha", RATE, "RMSprop decay rate α (default 0.99)."),
    ("beta1", RATE, "Adam β₁, in [0, 1) (default 0.9)."),
    ("beta2", RATE, "Adam β₂, in [0, 1) (default 0.999)."),
    ("eps", RATE, "ε (default: adagrad 1e-10, adadelta 1e-6, others 1e-8)."),
    ("weight-decay", RATE, "L2 weight decay λ (adamw: decoupled, default 0.01; others 0)."),
    ("initial-accumulator", RATE, "AdaGrad initial sum G₀ (default 0)."),
    ("lr-decay", RATE, "AdaGrad learning-rate decay (default 0)."),
    ("rho", Number("X", 0, 1), "Adadelta decay rate ρ (default 0.9)."),
    ("momentum-decay", RATE, "NAdam momentum decay ψ (default 0.004)."),
    ("nesterov", Flag(), "Nesterov momentum (sgd, momentum)."),
    ("centered", Flag(), "Centered RMSprop (divide by the variance estimate)."),
    ("amsgrad", Flag(), "AMSGrad variant of Adam/AdamW (keeps max_exp_avg_sq)."),
    ("maximize", Flag(), "Maximize the objective (step along +g)."),
)
"""Hyper-parameters under torch's names (``weight-decay`` is torch's ``weight_decay``)."""

COMMAND = Command(
    name="optimizer",
    summary="Optimizer steps as torch.optim takes them",
    help="Optimizer steps as torch.optim takes them: " + ", ".join(ALGORITHMS) + "; or --compare.",
    calculator="stepcalc.calc.optim:run",
    drill="stepcalc.drill:optimizer_problem",
    result_keys=("trajectory", "final_params", "final_loss"),
    argument=Arg("algorithm", Choice("ALGO", ALGORITHMS), "The algorithm (or use --compare)."),
    options=(
        Opt("params", Tensor("X0", (0, 1, 2, 3)), "Starting parameters θ₀.", required=True),
        Opt("grad", Tensor("G", (0, 1, 2, 3, 4)), "Gradient: one for every step, or 'g1; g2; …'."),
        Opt("loss", Text("EXPR"), "Loss, e.g. 'x1**2 + 10*x2**2' (differentiated by SymPy)."),
        Opt("vars", Text("NAMES"), "Variable names of --loss, in --params order (default x1,…)."),
        Opt("steps", Int("N", 1, limits.MAX_STEPS), "Steps (default: gradients given, else 1)."),
        *(Opt(name, kind, text) for name, kind, text in HYPER),
        Opt(
            "state",
            Type("NAME=VALUES"),
            "Initial state under PyTorch's names (exp_avg, sum, momentum_buffer, step, …).",
            multiple=True,
        ),
        Opt("first-step", Int("T", 1), "Step count t of the first step (bias corrections)."),
        Opt(
            "convention",
            Choice("pytorch|textbook", ("pytorch", "textbook")),
            "pytorch or textbook (ε inside the root, η inside the velocity).",
            "pytorch",
        ),
        Opt("compare", Text("A,B"), "Algorithms side by side: sgd,momentum,adam.", multiple=True),
        Opt("plot", Flag(), "Draw the loss (and a 2-D path) in the terminal (needs uniplot)."),
    ),
    constraints=(
        ExactlyOne(("grad", "loss")),
        Requires("vars", "loss"),
        Requires("dampening", "convention", ("pytorch",)),
    ),
    alternatives=(("grad", "loss"),),
    samples=(
        "optimizer_adam.yaml",
        "optimizer_compare.yaml",
        "optimizer_momentum_textbook.yaml",
        "optimizer_adagrad_matrix.yaml",
    ),
)
