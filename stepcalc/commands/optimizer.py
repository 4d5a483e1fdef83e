"""``stepcalc optimizer ALGO``: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam … step by step."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Arg, Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

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


def run(p: Problem, ctx: Ctx) -> Trace:
    from stepcalc.calc import optim

    algorithms = _algorithms(p, optim.ALGORITHMS)
    params = p.tensor("params", ndim=(0, 1, 2, 3))
    if params is None:
        raise StepcalcError("--params: required (the starting parameters θ₀)")
    steps = p.int("steps", minimum=1)
    if steps is not None and steps > _max_steps():
        raise StepcalcError(f"--steps: at most {_max_steps():,}, got {steps:,}")
    source = _gradients(p, params, steps, optim)
    if steps is None:
        steps = len(source.rows) if hasattr(source, "rows") else 1
    convention = p.choice("convention", optim.CONVENTIONS)
    given = _hyper_parameters(p, algorithms, optim.DEFAULTS)
    state = optim.parse_state(p.raw("state"), params.size)
    optim.check_state_names(state, algorithms, convention)
    first_step = _first_step(p, state)
    _check_size(params.size, steps, algorithms, optim)
    problem = optim.OptimizerProblem(
        algorithms=algorithms,
        compare=p.has("compare"),
        params=params,
        source=source,
        steps=steps,
        convention=convention,
        given=given,
        state=state,
        first_step=first_step,
        plot=p.flag("plot") and p.raw("format", "table") == "table" and not p.flag("json"),
    )
    return optim.optimizer_trace(problem, ctx)


def _max_steps() -> int:
    from stepcalc import limits

    return limits.MAX_STEPS


def _algorithms(p: Problem, known: tuple[str, ...]) -> list[str]:
    chosen: list[str] = []
    first = p.text("algorithm")
    if first is not None:
        chosen.append(first)
    if p.has("compare"):
        listed = p.raw("compare")
        text = ",".join(map(str, listed)) if isinstance(listed, list) else str(listed)
        chosen += [name for name in text.replace(" ", ",").split(",") if name]
        if not chosen:
            raise StepcalcError("--compare: give algorithms such as sgd,momentum,adam")
    if not chosen:
        raise StepcalcError(f"ALGO: required, one of {', '.join(known)} (or --compare A,B)")
    names = []
    for name in chosen:
        name = name.strip().lower()
        if name not in known:
            where = "--compare" if p.has("compare") and name != (first or "").lower() else "ALGO"
            raise StepcalcError(f"{where}: {name!r} is not one of {', '.join(known)}")
        if name not in names:
            names.append(name)
    return names


def _gradients(p: Problem, params, steps: int | None, optim):
    if p.has("grad") == p.has("loss"):
        raise StepcalcError(
            "--grad or --loss: give exactly one (the gradient, or a loss to differentiate)"
        )
    if p.has("grad"):
        grad = p.tensor("grad", ndim=(0, 1, 2, 3, 4))
        return optim.GivenGradients(optim.gradient_rows(grad, params.size, steps))
    from stepcalc.expr import parse_expression

    variables = optim.variable_names(p.text("vars"), params.size)
    tree = parse_expression(p.text("loss"), "--loss", variables)
    return optim.LossGradients(tree, variables)


def _hyper_parameters(p: Problem, algorithms: list[str], defaults) -> dict:
    given: dict = {}
    for name, _ in HYPER + FLAGS:
        if not p.has(name):
            continue
        key = name.replace("-", "_")
        users = [a for a in algorithms if key in defaults[a] or key == "maximize"]
        if not users:
            takers = [a for a in defaults if key in defaults[a]]
            raise StepcalcError(
                f"--{name}: not used by {', '.join(algorithms)} (only by {', '.join(takers)})"
            )
        is_flag = any(name == flag for flag, _ in FLAGS)
        given[key] = p.flag(name) if is_flag else p.scalar(name)
    return given


def _first_step(p: Problem, state: dict) -> int:
    first = p.int("first-step", minimum=1)
    if "step" in state:
        counted = state["step"][0]
        if counted < 0 or not float(counted).is_integer():
            raise StepcalcError("--state: step must be a whole number ≥ 0 (steps taken so far)")
        if first is not None and first != int(counted) + 1:
            raise StepcalcError(f"--first-step: {first} contradicts --state step={int(counted)}")
        return int(counted) + 1
    return 1 if first is None else first


def _check_size(size: int, steps: int, algorithms: list[str], optim) -> None:
    from stepcalc import limits

    kept = size * steps * (2 + max(len(optim.state_names(a)) for a in algorithms)) * len(algorithms)
    if kept > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"--steps: {steps:,} steps of {size:,} parameters would keep {kept:,} numbers in the "
            f"trajectory (at most {limits.MAX_TENSOR_ELEMENTS:,}); use fewer steps"
        )


COMMAND = Command(
    name="optimizer",
    help="Optimizer steps as torch.optim computes them: sgd, momentum, nesterov, adagrad, "
    "rmsprop, adam, adamw, adamax, nadam, adadelta; or --compare several.",
    argument=Arg(
        "algorithm",
        "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, adamax, nadam or adadelta "
        "(may be left out with --compare).",
    ),
    options=(
        Opt("params", "Starting parameters θ₀ (a number, vector or matrix).", metavar="X0"),
        Opt("grad", "Gradient: one for every step, or one per step 'g1; g2; …'.", metavar="G"),
        Opt(
            "loss",
            "Loss expression, e.g. 'x1**2 + 10*x2**2' (differentiated by SymPy).",
            metavar="EXPR",
        ),
        Opt(
            "vars",
            "Variable names of --loss, in --params order (default x1,x2,…).",
            metavar="NAMES",
        ),
        Opt(
            "steps",
            "Number of steps (default: the number of gradients given, else 1).",
            metavar="N",
        ),
        *(Opt(name, text, metavar="X") for name, text in HYPER),
        *(Opt(name, text, flag=True) for name, text in FLAGS),
        Opt(
            "state",
            "Initial state NAME=VALUES with PyTorch names (exp_avg, sum, momentum_buffer, "
            "step, …); repeatable.",
            multiple=True,
            metavar="NAME=VALUES",
        ),
        Opt(
            "first-step",
            "Step count t of the first step (bias corrections; default 1).",
            metavar="T",
        ),
        Opt(
            "convention",
            "pytorch (default) or textbook (ε inside the root, η inside the velocity).",
            default="pytorch",
            metavar="pytorch|textbook",
        ),
        Opt(
            "compare", "Run several algorithms side by side, e.g. sgd,momentum,adam.", metavar="A,B"
        ),
        Opt("plot", "Draw the loss (and a 2-D path) in the terminal (needs uniplot).", flag=True),
    ),
    alternatives=(("grad", "loss"),),
    run=run,
)
