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
)

HYPER = (
    ("lr", "Learning rate η (default: torch's for the algorithm, e.g. 0.001 for SGD and Adam)."),
    ("momentum", "Momentum γ (sgd 0; momentum/nesterov 0.9; rmsprop 0)."),
    ("dampening", "SGD dampening (default 0; not applied on the first momentum step)."),
    ("alpha", "RMSprop decay rate α (default 0.99)."),
    ("beta1", "Adam β₁ (default 0.9)."),
    ("beta2", "Adam β₂ (default 0.999)."),
    ("eps", "ε (default: adagrad 1e-10, adadelta 1e-6, others 1e-8)."),
    ("weight-decay", "L2 weight decay λ (adamw: decoupled, default 0.01; others 0)."),
    ("initial-accumulator", "AdaGrad initial sum G₀ (default 0)."),
    ("lr-decay", "AdaGrad learning-rate decay (default 0)."),
    ("rho", "Adadelta decay rate ρ (default 0.9)."),
    ("momentum-decay", "NAdam momentum decay ψ (default 0.004)."),
)
FLAGS = (
    ("nesterov", "Nesterov momentum (sgd, momentum)."),
    ("centered", "Centered RMSprop (divide by the variance estimate)."),
    ("amsgrad", "AMSGrad variant of Adam/AdamW (keeps max_exp_avg_sq)."),
    ("maximize", "Maximize the objective (step along +g)."),
)

COMMAND = Command(
    name="optimizer",
    help="Optimizer steps as torch.optim computes them: sgd, momentum, nesterov, adagrad, "
    "rmsprop, adam, adamw, adamax, nadam, adadelta; or --compare several.",
    calculator="stepcalc.calc.optim:run",
    result_keys=("trajectory", "final_params", "final_loss"),
    argument=Arg(
        "algorithm",
        Text("ALGO"),
        "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, adamax, nadam or adadelta "
        "(may be left out with --compare).",
    ),
    options=(
        Opt(
            "params",
            Tensor("X0", (0, 1, 2, 3)),
            "Starting parameters θ₀ (a number, vector or matrix).",
            required=True,
        ),
        Opt(
            "grad",
            Tensor("G", (0, 1, 2, 3, 4)),
            "Gradient: one for every step, or one per step 'g1; g2; …'.",
        ),
        Opt(
            "loss",
            Text("EXPR"),
            "Loss expression, e.g. 'x1**2 + 10*x2**2' (differentiated by SymPy).",
        ),
        Opt(
            "vars", Text("NAMES"), "Variable names of --loss, in --params order (default x1,x2,…)."
        ),
        Opt(
            "steps",
            Int("N", 1, limits.MAX_STEPS),
            "Number of steps (default: the number of gradients given, else 1).",
        ),
        *(Opt(name, Number("X"), text) for name, text in HYPER),
        *(Opt(name, Flag(), text) for name, text in FLAGS),
        Opt(
            "state",
            Text("NAME=VALUES"),
            "Initial state NAME=VALUES with PyTorch names (exp_avg, sum, momentum_buffer, "
            "step, …); repeatable.",
            multiple=True,
        ),
        Opt(
            "first-step",
            Int("T", 1),
            "Step count t of the first step (bias corrections; default 1).",
        ),
        Opt(
            "convention",
            Choice("pytorch|textbook", ("pytorch", "textbook")),
            "pytorch (default) or textbook (ε inside the root, η inside the velocity).",
            "pytorch",
        ),
        Opt("compare", Text("A,B"), "Run several algorithms side by side, e.g. sgd,momentum,adam."),
        Opt("plot", Flag(), "Draw the loss (and a 2-D path) in the terminal (needs uniplot)."),
    ),
    constraints=(ExactlyOne(("grad", "loss")), Requires("vars", "loss")),
    alternatives=(("grad", "loss"),),
    samples=("optimizer_adam.yaml", "optimizer_compare.yaml", "optimizer_momentum_textbook.yaml"),
)
