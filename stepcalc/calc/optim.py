"""The optimizers of ``torch.optim``, worked step by step (NumPy, float64).

Each algorithm is a short list of ``Rule`` records: the quantity it assigns and its formula
in SymPy syntax. The same formula text is shown in the steps, re-evaluated by the honesty
test, and run here: every formula is a constant of this module, compiled once with no
builtins, so user text never reaches Python's compiler.

    sgd        b = γ·b + (1 − dampening)·g (first step b = g),  θ = θ − η·b
               Nesterov: θ = θ − η·(g + γ·b)
    adagrad    G = G + g²,  θ = θ − η_t·g/(√G + ε),  η_t = η/(1 + (t − 1)·lr_decay)
    rmsprop    v = α·v + (1 − α)·g²  (centered: ḡ = α·ḡ + (1 − α)·g, v − ḡ²),  θ = θ − η·g/(√v + ε)
    adam(w)    m = β₁·m + (1 − β₁)·g,  v = β₂·v + (1 − β₂)·g²,  θ = θ − η·m̂/(√v̂ + ε)
    adamax     u = max(β₂·u, |g| + ε),  θ = θ − η/(1 − β₁ᵗ)·m/u
    nadam      μ_t = β₁(1 − ½·0.96^(t·ψ)), Nesterov-weighted Adam step
    adadelta   v = ρ·v + (1 − ρ)·g²,  Δ = √(u + ε)/√(v + ε)·g,  u = ρ·u + (1 − ρ)·Δ²

``--convention textbook`` moves ε inside the square root (AdaGrad, RMSProp) and η into the
velocity (v = γ·v − η·g, θ = θ + v); the other algorithms read the same either way.
Large parameter vectors are updated in cache-sized chunks (the rules are element-wise).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from stepcalc.errors import StepcalcError
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

ALGORITHMS = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "adamax",
    "nadam",
    "adadelta",
)
CONVENTIONS = ("pytorch", "textbook")
NAMES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "nadam": "NAdam",
    "adadelta": "Adadelta",
}

_SGD = {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}
_ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": _SGD,
    "momentum": {**_SGD, "momentum": 0.9},
    "nesterov": {**_SGD, "momentum": 0.9, "nesterov": True},
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator": 0.0,
        "eps": 1e-10,
    },
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    "adam": {**_ADAM, "amsgrad": False},
    "adamw": {**_ADAM, "weight_decay": 1e-2, "amsgrad": False},
    "adamax": {**_ADAM, "lr": 2e-3},
    "nadam": {**_ADAM, "lr": 2e-3, "momentum_decay": 4e-3},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
}
"""torch.optim's defaults (torch 2.x; SGD's lr of 1e-3 included), one dict per algorithm.

Every algorithm also takes ``maximize`` (default False)."""

SYMBOLS = {
    "lr": "lr",
    "momentum": "gamma",
    "dampening": "dampening",
    "weight_decay": "lam",
    "eps": "eps",
    "beta1": "beta1",
    "beta2": "beta2",
    "alpha": "alpha",
    "rho": "rho",
    "lr_decay": "lr_decay",
    "momentum_decay": "momentum_decay",
}
"""The formula symbol of each hyper-parameter (shown as η, γ, λ, ε, β₁, β₂, α, ρ)."""

DETAIL_HEAD, DETAIL_TAIL = 3, 2
"""Iterations worked out in full: the first three and the last two."""
TABLE_HEAD, TABLE_TAIL = 5, 5
"""Rows of the trajectory table: the first five and the last five."""
CHUNK = 1 << 14
"""Elements updated together on the fast path (keeps the temporaries in cache)."""

_FUNCTIONS = {"sqrt": np.sqrt, "Max": np.maximum, "Abs": np.abs}
_NAMESPACE = {"__builtins__": {}, **_FUNCTIONS}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Rule:
    target: str
    """The symbol this rule assigns (``m``, ``theta`` …)."""
    formula: str
    title: str
    """Message key of the title (a rule with a ``state`` is titled ``m (exp_avg)`` instead)."""
    state: str | None = None
    """The PyTorch state key this rule updates."""
    scalar: bool = False
    """True for rules over scalars only (μ_t, η_t); they run once per iteration."""
    note: str = ""
    display: str | None = None
    """How the rule column shows the formula, when the automatic form reads badly."""

    @property
    def names(self) -> tuple[str, ...]:
        return _names(self.formula)


@cache
def _names(formula: str) -> tuple[str, ...]:
    seen: list[str] = []
    for name in _IDENTIFIER.findall(formula):
        if name not in _FUNCTIONS and name not in seen:
            seen.append(name)
    return tuple(seen)


@cache
def _compiled(formula: str):
    return compile(formula, "<optimizer rule>", "eval")


def _evaluate(rule: Rule, env: dict[str, Any]) -> Any:
    return eval(_compiled(rule.formula), _NAMESPACE, env)  # module constants only


@cache
def _program(rules: tuple[Rule, ...], hand: bool):
    """All rules of one iteration as one code object (hand mode rounds each with ``_r``)."""
    wrap = "_r({})" if hand else "{}"
    lines = [f"{rule.target} = {wrap.format(rule.formula)}" for rule in rules]
    return compile("\n".join(lines), "<optimizer rules>", "exec")


# ----------------------------------------------------------------------------- setup


@dataclass
class Optimizer:
    """One configured algorithm: hyper-parameters, rules and the state it keeps."""

    algo: str
    hp: dict[str, Any]
    convention: str
    rules: list[Rule]
    first_rules: list[Rule]
    """Rules of the first iteration (SGD's momentum buffer starts as the raw gradient)."""
    state_keys: dict[str, str]
    """PyTorch state key → formula symbol, in PyTorch's order."""
    scalar_states: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return NAMES[self.algo]


def configure(
    algo: str, given: dict[str, Any], convention: str = "pytorch", given_state: tuple = ()
) -> Optimizer:
    """Fill in torch's defaults for ``algo``, check them as torch does, and build its rules."""
    if algo not in ALGORITHMS:
        raise StepcalcError(f"ALGO: {algo!r} is not one of {', '.join(ALGORITHMS)}")
    hp = {**DEFAULTS[algo], "maximize": False}
    for name, value in given.items():
        if name in hp:
            hp[name] = value
    _validate(algo, hp, given)
    if convention == "textbook" and hp.get("dampening"):
        raise StepcalcError(
            "--dampening: the textbook form has no dampening; use --convention pytorch"
        )
    build = _BUILDERS[_family(algo)]
    rules, state_keys = build(algo, hp, convention, first=False)
    first_rules, _ = build(algo, hp, convention, first="momentum_buffer" not in given_state)
    scalars = ("mu_product",) if algo == "nadam" else ()
    return Optimizer(algo, hp, convention, rules, first_rules, state_keys, scalars)


def _family(algo: str) -> str:
    return {"momentum": "sgd", "nesterov": "sgd", "adamw": "adam"}.get(algo, algo)


def _validate(algo: str, hp: dict[str, Any], given: dict[str, Any]) -> None:
    def option(name: str) -> str:
        return "--" + name.replace("_", "-")

    non_negative = ("lr", "eps", "weight_decay", "momentum", "lr_decay", "initial_accumulator")
    for name in (*non_negative, "alpha", "momentum_decay"):
        if name in hp and hp[name] < 0:
            raise StepcalcError(f"{option(name)}: must not be negative, got {hp[name]:g}")
    for name in ("beta1", "beta2"):
        if name in hp and not 0.0 <= hp[name] < 1.0:
            raise StepcalcError(f"{option(name)}: must be in [0, 1), got {hp[name]:g}")
    if "rho" in hp and not 0.0 <= hp["rho"] <= 1.0:
        raise StepcalcError(f"--rho: must be in [0, 1], got {hp['rho']:g}")
    if hp.get("nesterov") and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        if hp["momentum"] > 0 and hp["dampening"] != 0:
            blamed = "--dampening"
        else:
            blamed = "--momentum" if "momentum" in given or algo == "nesterov" else "--nesterov"
        raise StepcalcError(
            f"{blamed}: Nesterov momentum needs a momentum above 0 and dampening 0 "
            f"(got momentum {hp['momentum']:g}, dampening {hp['dampening']:g}), as in torch"
        )


def _prologue(hp: dict[str, Any], decoupled: bool = False) -> list[Rule]:
    rules = []
    if hp.get("maximize"):
        rules.append(Rule("g", "-g", "maximize"))
    if hp.get("weight_decay"):
        if decoupled:
            rules.append(Rule("theta", "theta*(1 - lr*lam)", "decoupled_decay"))
        else:
            rules.append(Rule("g", "g + lam*theta", "weight_decay"))
    return rules


def _sgd(algo, hp, convention, first):
    rules = _prologue(hp)
    if not hp["momentum"]:
        return rules + [Rule("theta", "theta - lr*g", "update")], {}
    if convention == "textbook":
        rules.append(Rule("v", "gamma*v - lr*g", "velocity", "velocity", note="lr_inside"))
        update = "theta + gamma*v - lr*g" if hp["nesterov"] else "theta + v"
        return rules + [Rule("theta", update, "update")], {"velocity": "v"}
    if first:
        rules.append(Rule("b", "g", "momentum_buffer", "momentum_buffer", note="first_buffer"))
    elif hp["dampening"]:
        rules.append(Rule("b", "gamma*b + (1 - dampening)*g", "momentum_buffer", "momentum_buffer"))
    else:
        rules.append(Rule("b", "gamma*b + g", "momentum_buffer", "momentum_buffer"))
    update = "theta - lr*(g + gamma*b)" if hp["nesterov"] else "theta - lr*b"
    return rules + [Rule("theta", update, "update", note="lr_outside")], {"momentum_buffer": "b"}


def _adagrad(algo, hp, convention, first):
    rules = _prologue(hp)
    lr = "lr"
    if hp["lr_decay"]:
        rules.append(Rule("lr_t", "lr/(1 + (t - 1)*lr_decay)", "decayed_lr", scalar=True))
        lr = "lr_t"
    rules.append(Rule("G", "G + g**2", "sum", "sum"))
    denom = "sqrt(G + eps)" if convention == "textbook" else "sqrt(G) + eps"
    rules.append(Rule("denom", denom, "denominator", note=f"eps_{convention}"))
    rules.append(Rule("theta", f"theta - {lr}*g/denom", "update"))
    return rules, {"step": "t", "sum": "G"}


def _rmsprop(algo, hp, convention, first):
    rules = _prologue(hp)
    rules.append(Rule("v", "alpha*v + (1 - alpha)*g**2", "square_avg", "square_avg"))
    keys = {"step": "t", "square_avg": "v"}
    spread = "v"
    if hp["centered"]:
        rules.append(Rule("g_avg", "alpha*g_avg + (1 - alpha)*g", "grad_avg", "grad_avg"))
        keys["grad_avg"] = "g_avg"
        spread = "v - g_avg**2"
    denom = f"sqrt({spread} + eps)" if convention == "textbook" else f"sqrt({spread}) + eps"
    rules.append(Rule("denom", denom, "denominator", note=f"eps_{convention}"))
    if hp["momentum"]:
        rules.append(Rule("b", "gamma*b + g/denom", "momentum_buffer", "momentum_buffer"))
        rules.append(Rule("theta", "theta - lr*b", "update"))
        keys["momentum_buffer"] = "b"
    else:
        rules.append(Rule("theta", "theta - lr*g/denom", "update"))
    return rules, keys


def _adam(algo, hp, convention, first):
    rules = _prologue(hp, decoupled=algo == "adamw")
    rules.append(Rule("m", "beta1*m + (1 - beta1)*g", "exp_avg", "exp_avg"))
    rules.append(Rule("v", "beta2*v + (1 - beta2)*g**2", "exp_avg_sq", "exp_avg_sq"))
    keys = {"step": "t", "exp_avg": "m", "exp_avg_sq": "v"}
    second = "v"
    if hp["amsgrad"]:
        rules.append(Rule("v_max", "Max(v_max, v)", "max_exp_avg_sq", "max_exp_avg_sq"))
        keys["max_exp_avg_sq"] = "v_max"
        second = "v_max"
    rules.append(Rule("m_hat", "m/(1 - beta1**t)", "m_hat"))
    rules.append(Rule("v_hat", f"{second}/(1 - beta2**t)", "v_hat"))
    rules.append(
        Rule(
            "theta",
            "theta - lr*m_hat/(sqrt(v_hat) + eps)",
            "update",
            display="θ − η·m̂/(√(v̂) + ε)",
        )
    )
    return rules, keys


def _adamax(algo, hp, convention, first):
    rules = _prologue(hp)
    rules.append(Rule("m", "beta1*m + (1 - beta1)*g", "exp_avg", "exp_avg"))
    rules.append(Rule("u", "Max(beta2*u, Abs(g) + eps)", "exp_inf", "exp_inf"))
    rules.append(Rule("theta", "theta - lr/(1 - beta1**t)*m/u", "update"))
    return rules, {"step": "t", "exp_avg": "m", "exp_inf": "u"}


def _nadam(algo, hp, convention, first):
    rules = _prologue(hp)
    rules.append(Rule("mu_t", "beta1*(1 - 0.5*0.96**(t*momentum_decay))", "mu", scalar=True))
    rules.append(
        Rule("mu_next", "beta1*(1 - 0.5*0.96**((t + 1)*momentum_decay))", "mu_next", scalar=True)
    )
    rules.append(Rule("mu_product", "mu_product*mu_t", "mu_product", "mu_product", scalar=True))
    rules.append(Rule("m", "beta1*m + (1 - beta1)*g", "exp_avg", "exp_avg"))
    rules.append(Rule("v", "beta2*v + (1 - beta2)*g**2", "exp_avg_sq", "exp_avg_sq"))
    rules.append(Rule("denom", "sqrt(v/(1 - beta2**t)) + eps", "denominator"))
    rules.append(
        Rule(
            "theta",
            "theta - lr*(1 - mu_t)/(1 - mu_product)*g/denom"
            " - lr*mu_next/(1 - mu_product*mu_next)*m/denom",
            "update",
        )
    )
    keys = {"step": "t", "mu_product": "mu_product", "exp_avg": "m", "exp_avg_sq": "v"}
    return rules, keys


def _adadelta(algo, hp, convention, first):
    rules = _prologue(hp)
    rules.append(Rule("v", "rho*v + (1 - rho)*g**2", "square_avg", "square_avg"))
    rules.append(Rule("delta", "sqrt(u + eps)/sqrt(v + eps)*g", "delta"))
    rules.append(Rule("u", "rho*u + (1 - rho)*delta**2", "acc_delta", "acc_delta"))
    rules.append(Rule("theta", "theta - lr*delta", "update"))
    return rules, {"step": "t", "square_avg": "v", "acc_delta": "u"}


_BUILDERS: dict[str, Callable] = {
    "sgd": _sgd,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam,
    "adamax": _adamax,
    "nadam": _nadam,
    "adadelta": _adadelta,
}


def state_names(algo: str, convention: str = "pytorch") -> tuple[str, ...]:
    """Every state key ``--state`` may set for ``algo`` (whatever the flags)."""
    family = _family(algo)
    if family == "sgd":
        return ("velocity",) if convention == "textbook" else ("momentum_buffer",)
    hp = {**DEFAULTS[algo], "amsgrad": True, "centered": True, "momentum": 0.9}
    _, keys = _BUILDERS[family](algo, hp, convention, first=False)
    return tuple(keys)


# ----------------------------------------------------------------------------- gradients


class GivenGradients:
    """``--grad``: one gradient for every step, or one row per step."""

    loss_known = False

    def __init__(self, rows: np.ndarray):
        self.rows = rows

    def gradient(self, theta: np.ndarray, k: int, ctx: Ctx) -> np.ndarray:
        return self.rows[k if len(self.rows) > 1 else 0]

    def steps(self, theta, g, shape, ctx: Ctx) -> list[Step]:
        return [
            Step(
                "backward",
                ctx.t("optimizer.grad_given"),
                "g",
                _shaped(g, shape),
                {"g": _shaped(g, shape)},
                rule="∂L/∂θ",
            )
        ]

    def loss(self, theta: np.ndarray, ctx: Ctx) -> float | None:
        return None


class LossGradients:
    """``--loss``: SymPy differentiates once; NumPy evaluates the gradient at every step."""

    loss_known = True

    def __init__(self, tree, variables: list[str]):
        from stepcalc.symbolic import loss_and_gradient

        self.variables = variables
        self.loss_text, self.derivative_texts, self._loss, self._grad = loss_and_gradient(
            tree, variables
        )

    def gradient(self, theta: np.ndarray, k: int, ctx: Ctx) -> np.ndarray:
        return ctx.r(np.array(self._grad(*theta), dtype=float).reshape(-1))

    def loss(self, theta: np.ndarray, ctx: Ctx) -> float:
        return ctx.r(float(self._loss(*theta)))

    def steps(self, theta, g, shape, ctx: Ctx) -> list[Step]:
        out = []
        for name, text, value in zip(self.variables, self.derivative_texts, g, strict=True):
            out.append(
                Step(
                    "backward",
                    ctx.t("optimizer.partial", name=name),
                    text,
                    float(value),
                    self.inputs(text, theta),
                    rule=f"∂L/∂{name}",
                )
            )
        return out

    def loss_step(self, theta, value: float, title: str) -> Step:
        return Step("forward", title, self.loss_text, value, self.inputs(self.loss_text, theta))

    def inputs(self, text: str, theta: np.ndarray) -> dict[str, float]:
        used = set(_IDENTIFIER.findall(text))
        return {
            name: float(x) for name, x in zip(self.variables, theta, strict=True) if name in used
        }


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    """One optimizer's run: every iteration recorded, some worked out as steps."""

    optimizer: Optimizer
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    losses: dict[int, float] = field(default_factory=dict)
    """Loss after iteration k (1-based), where it was computed."""
    final: np.ndarray | None = None
    state: dict[str, Any] = field(default_factory=dict)


def initial_state(
    opt: Optimizer, size: int, given: dict[str, np.ndarray], first_step: int
) -> dict[str, Any]:
    """State symbols before the first iteration: torch's initial values unless given."""
    hp = opt.hp
    env: dict[str, Any] = {}
    for key, symbol in opt.state_keys.items():
        if key == "step":
            continue
        if key in given:
            value = given[key]
            env[symbol] = float(value.reshape(-1)[0]) if key in opt.scalar_states else value.copy()
        elif key == "sum":
            env[symbol] = np.full(size, float(hp["initial_accumulator"]))
        elif key == "mu_product":
            env[symbol] = _mu_product_before(hp, first_step)
        else:
            env[symbol] = np.zeros(size)
    return env


def _mu_product_before(hp: dict[str, Any], first_step: int) -> float:
    """NAdam's running product of μ over the steps before ``first_step`` (1 for a fresh run)."""
    product = 1.0
    for t in range(1, first_step):
        product *= hp["beta1"] * (1.0 - 0.5 * 0.96 ** (t * hp["momentum_decay"]))
    return product


def iterate(
    opt: Optimizer,
    theta0: np.ndarray,
    source,
    n_steps: int,
    ctx: Ctx,
    *,
    first_step: int = 1,
    given_state: dict[str, np.ndarray] | None = None,
    detail: set[int] | frozenset[int] = frozenset(),
    loss_at: set[int] | frozenset[int] | None = frozenset(),
    record: bool = True,
    shape: tuple[int, ...] | None = None,
) -> Run:
    """Run ``n_steps`` iterations from ``theta0`` (flat). ``detail``: iterations (1-based)
    worked out as Steps; ``loss_at``: iterations whose new loss is computed (None: all)."""
    shape = theta0.shape if shape is None else shape
    run = Run(opt)
    env: dict[str, Any] = {SYMBOLS[k]: v for k, v in opt.hp.items() if k in SYMBOLS}
    env.update(initial_state(opt, theta0.size, given_state or {}, first_step))
    theta = np.array(theta0, dtype=float).reshape(-1)
    arrays = [s for k, s in opt.state_keys.items() if k != "step" and k not in opt.scalar_states]
    lr = opt.hp["lr"]
    hand = ctx.round_steps is not None
    env["_r"] = ctx.r
    programs = {id(r): _program(tuple(r), hand) for r in (opt.first_rules, opt.rules)}
    for k in range(1, n_steps + 1):
        t = first_step + k - 1
        g = source.gradient(theta, k - 1, ctx)
        env["theta"], env["g"], env["t"] = theta, g, t
        rules = opt.first_rules if k == 1 else opt.rules
        if k in detail:
            first_of_iteration = len(run.steps)
            run.steps.extend(source.steps(theta, g, shape, ctx))
            _worked(rules, env, ctx, shape, run.steps)
            run.steps[first_of_iteration].title = f"t={t} · {run.steps[first_of_iteration].title}"
        elif theta.size > CHUNK and not hand:
            _chunked(rules, env, arrays, ctx)
        else:
            exec(programs[id(rules)], _NAMESPACE, env)  # module constants only
        theta = env["theta"]
        if source.loss_known and (loss_at is None or k in loss_at or k in detail):
            run.losses[k] = source.loss(theta, ctx)
            if k in detail:
                run.steps.append(
                    source.loss_step(theta, run.losses[k], ctx.t("optimizer.new_loss"))
                )
        if record:
            run.trajectory.append(_record(opt, t, theta, g, lr, env, shape))
    run.final = theta
    run.state = {key: env[symbol] for key, symbol in opt.state_keys.items() if key != "step"}
    return run


def _worked(rules: list[Rule], env: dict[str, Any], ctx: Ctx, shape, out: list[Step]):
    for rule in rules:
        inputs = {name: _shaped(env[name], shape) for name in rule.names}
        value = ctx.r(_evaluate(rule, env))
        env[rule.target] = value
        title = f"{_pretty(rule.target)} ({rule.state})" if rule.state else ""
        title = title or ctx.t(f"optimizer.{rule.title}")
        note = ctx.t(f"optimizer.{rule.note}") if rule.note else ""
        value = _shaped(value, shape)
        out.append(Step("update", title, rule.formula, value, inputs, note, rule.display))


def _chunked(rules: list[Rule], env: dict[str, Any], arrays: list[str], ctx: Ctx) -> None:
    """The same rules on slices of the parameter vector; scalar rules once per iteration."""
    for rule in rules:
        if rule.scalar:
            env[rule.target] = ctx.r(_evaluate(rule, env))
    vectors = ["theta", "g", *arrays]
    whole: dict[str, np.ndarray] = {}
    for name in vectors:
        array = env[name]
        shared = any(array is other for other in whole.values())
        whole[name] = array.copy() if shared or not array.flags.owndata else array
    part = dict(env)
    size = whole["theta"].size
    for start in range(0, size, CHUNK):
        piece = slice(start, min(start + CHUNK, size))
        for name in vectors:
            part[name] = whole[name][piece]
        for rule in rules:
            if not rule.scalar:
                part[rule.target] = _evaluate(rule, part)
        for name in vectors:
            if name != "g":
                whole[name][piece] = part[name]
    for rule in rules:
        if rule.scalar:
            continue
        env[rule.target] = whole.get(rule.target)


def _record(opt: Optimizer, t, theta, g, lr, env, shape) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for key, symbol in opt.state_keys.items():
        if key == "step":
            state["step"] = t
        elif key in opt.scalar_states:
            state[key] = float(env[symbol])
        else:
            state[key] = _listed(env[symbol], shape)
    return {
        "step": t,
        "params": _listed(theta, shape),
        "grad": _listed(g, shape),
        "lr": lr,
        "state": state,
    }


def _listed(values: np.ndarray, shape: tuple[int, ...]) -> Any:
    if len(shape) == 1:
        return values.tolist()
    if not shape:
        return float(values[0])
    return values.reshape(shape).tolist()


def _shaped(values: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(values, np.ndarray):
        return float(values.reshape(-1)[0]) if not shape else values.reshape(shape)
    return values


def _pretty(symbol: str) -> str:
    return {"G": "G", "b": "b", "g_avg": "ḡ", "mu_product": "Πμ"}.get(symbol, symbol)


def shown_iterations(n_steps: int, head: int, tail: int) -> list[int]:
    if n_steps <= head + tail + 1:
        return list(range(1, n_steps + 1))
    return [*range(1, head + 1), *range(n_steps - tail + 1, n_steps + 1)]


# ----------------------------------------------------------------------------- the trace


@dataclass
class OptimizerProblem:
    algorithms: list[str]
    compare: bool
    params: np.ndarray
    """Initial parameters in the shape they were given."""
    source: Any
    steps: int
    convention: str = "pytorch"
    given: dict[str, Any] = field(default_factory=dict)
    """Hyper-parameters given on the command line (defaults come per algorithm)."""
    state: dict[str, np.ndarray] = field(default_factory=dict)
    first_step: int = 1
    plot: bool = False


def optimizer_trace(problem: OptimizerProblem, ctx: Ctx) -> Trace:
    """The worked steps, the trajectory and the tables of one problem (one or more runs)."""
    with np.errstate(all="ignore"):  # a diverging run gives inf/nan as torch does, silently
        return _optimizer_trace(problem, ctx)


def _optimizer_trace(problem: OptimizerProblem, ctx: Ctx) -> Trace:
    shape = problem.params.shape
    theta0 = problem.params.reshape(-1).astype(float)
    optimizers = [_configured(algo, problem) for algo in problem.algorithms]
    kept = {key for opt in optimizers for key in opt.state_keys} | {"step"}
    for name in problem.state:
        if name not in kept:
            raise StepcalcError(
                f"--state: {name} is not kept with these settings "
                "(max_exp_avg_sq needs --amsgrad, grad_avg --centered, momentum_buffer a momentum)"
            )
    n = problem.steps
    table_rows = shown_iterations(n, TABLE_HEAD, TABLE_TAIL)
    detail = set() if problem.compare else set(shown_iterations(n, DETAIL_HEAD, DETAIL_TAIL))
    loss_at = None if problem.plot else {*table_rows, n}
    runs = []
    for opt in optimizers:
        given_state = {key: value for key, value in problem.state.items() if key != "step"}
        runs.append(
            iterate(
                opt,
                theta0,
                problem.source,
                n,
                ctx,
                first_step=problem.first_step,
                given_state={k: v for k, v in given_state.items() if k in opt.state_keys},
                detail=detail,
                loss_at=loss_at,
                shape=shape,
            )
        )
    trace = Trace(command="optimizer", inputs=_inputs(problem, optimizers))
    source = problem.source
    if source.loss_known:
        trace.steps.extend(_opening_steps(source, theta0, shape, ctx))
    for run in runs:
        trace.steps.extend(run.steps)
    trace.result = _result(problem, runs, shape)
    trace.summary = ["final_params", "final_loss"] if source.loss_known else ["final_params"]
    _describe(trace, problem, optimizers, ctx)
    if problem.compare:
        trace.tables.append(_compare_table(runs, table_rows, n, source.loss_known, ctx))
    elif n > 1:
        trace.tables.append(_trajectory_table(runs[0], table_rows, n, source.loss_known, ctx))
    if problem.plot:
        _plot(trace, runs, theta0, source, ctx)
    return trace


def _configured(algo: str, problem: OptimizerProblem) -> Optimizer:
    return configure(algo, problem.given, problem.convention, tuple(problem.state))


def _opening_steps(source: LossGradients, theta0, shape, ctx: Ctx) -> list[Step]:
    steps = [source.loss_step(theta0, source.loss(theta0, ctx), ctx.t("optimizer.start_loss"))]
    for step in source.steps(theta0, source.gradient(theta0, 0, ctx), shape, ctx):
        step.phase = "forward"
        step.title = ctx.t("optimizer.symbolic", title=step.title)
        step.rule = None
        steps.append(step)
    return steps


def _inputs(problem: OptimizerProblem, optimizers: list[Optimizer]) -> dict[str, Any]:
    source = problem.source
    inputs: dict[str, Any] = {"params": problem.params}
    shape = problem.params.shape
    if isinstance(source, LossGradients):
        inputs["loss"] = source.loss_text
        inputs["vars"] = source.variables
    else:
        rows = source.rows
        inputs["grad"] = (
            _shaped(rows[0], shape) if len(rows) == 1 else [_shaped(r, shape) for r in rows]
        )
    inputs.update(
        steps=problem.steps,
        convention=problem.convention,
        first_step=problem.first_step,
        state={
            k: (_shaped(v, shape) if v.size > 1 else float(v[0])) for k, v in problem.state.items()
        },
    )
    if problem.compare:
        inputs["algorithms"] = [opt.algo for opt in optimizers]
        inputs["settings"] = {opt.algo: dict(opt.hp) for opt in optimizers}
    else:
        inputs["algorithm"] = optimizers[0].algo
        inputs.update(optimizers[0].hp)
    return inputs


def _result(problem: OptimizerProblem, runs: list[Run], shape) -> dict[str, Any]:
    def one(run: Run) -> dict[str, Any]:
        out: dict[str, Any] = {
            "trajectory": run.trajectory,
            "final_params": _listed(run.final, shape),
        }
        if problem.source.loss_known:
            out["final_loss"] = run.losses[problem.steps]
        return out

    if not problem.compare:
        return one(runs[0])
    per = {run.optimizer.algo: one(run) for run in runs}
    keys = ["trajectory", "final_params"] + (["final_loss"] if problem.source.loss_known else [])
    return {key: {algo: values[key] for algo, values in per.items()} for key in keys}


def _describe(trace: Trace, problem: OptimizerProblem, optimizers, ctx: Ctx) -> None:
    names = ", ".join(opt.name for opt in optimizers)
    convention = ctx.t(f"optimizer.convention_{problem.convention}")
    plural = "" if problem.steps == 1 else "s"
    trace.title = ctx.t("optimizer.title", names=names, n=f"{problem.steps:,}", plural=plural)
    if problem.compare:
        trace.subtitle = convention
    else:
        opt = optimizers[0]
        trace.subtitle = f"{_hyper_text(opt)} · {convention}"
    for opt in optimizers:
        trace.notes.append(ctx.t(f"optimizer.form_{_form_key(opt)}", name=opt.name))
    if ctx.round_steps is not None:
        trace.notes.append(ctx.t("core.hand_mode", n=ctx.round_steps))
    shown = shown_iterations(problem.steps, DETAIL_HEAD, DETAIL_TAIL)
    if not problem.compare and len(shown) < problem.steps:
        hidden = problem.steps - len(shown)
        trace.notes.append(
            ctx.t(
                "optimizer.hidden_iterations",
                first=problem.first_step + DETAIL_HEAD,
                last=problem.first_step + problem.steps - DETAIL_TAIL - 1,
                n=f"{hidden:,}",
            )
        )


def _hyper_text(opt: Optimizer) -> str:
    shown = []
    for key, value in opt.hp.items():
        if isinstance(value, bool):
            if value and key != "nesterov":
                shown.append(key)
            continue
        if key in ("dampening", "lr_decay", "initial_accumulator") and not value:
            continue
        if key in ("momentum", "weight_decay") and not value and opt.algo != "adamw":
            continue
        shown.append(f"{key} {value:g}")
    return ", ".join(shown)


def _form_key(opt: Optimizer) -> str:
    family = _family(opt.algo)
    if family == "sgd":
        if not opt.hp["momentum"]:
            return "sgd"
        kind = "nesterov" if opt.hp["nesterov"] else "momentum"
        return f"{kind}_{opt.convention}"
    if family in ("adagrad", "rmsprop"):
        return f"{family}_{opt.convention}"
    return "same"


def _trajectory_table(run: Run, rows: list[int], n: int, loss_known: bool, ctx: Ctx) -> Table:
    columns = ["t", "θ", "g"] + (["L"] if loss_known else [])
    body: list[list[Any]] = []
    for k in _with_gap(rows):
        if k is None:
            body.append(_gap_row(rows, n, len(columns), ctx))
            continue
        entry = run.trajectory[k - 1]
        row = [str(entry["step"]), entry["params"], entry["grad"]]
        if loss_known:
            row.append(run.losses.get(k))
        body.append(row)
    return Table(ctx.t("optimizer.trajectory_title"), columns, body, _hidden_note(rows, n, ctx))


def _compare_table(runs: list[Run], rows: list[int], n: int, loss_known: bool, ctx: Ctx) -> Table:
    quantity = "L" if loss_known else "θ"
    columns = ["t"] + [f"{run.optimizer.name} {quantity}" for run in runs]
    body: list[list[Any]] = []
    for k in _with_gap(rows):
        if k is None:
            body.append(_gap_row(rows, n, len(columns), ctx))
            continue
        row: list[Any] = [str(runs[0].trajectory[k - 1]["step"])]
        for run in runs:
            row.append(run.losses.get(k) if loss_known else run.trajectory[k - 1]["params"])
        body.append(row)
    return Table(ctx.t("optimizer.compare_title"), columns, body, _hidden_note(rows, n, ctx))


def _with_gap(rows: list[int]):
    previous = 0
    for k in rows:
        if k != previous + 1:
            yield None
        yield k
        previous = k


def _gap_row(rows: list[int], n: int, width: int, ctx: Ctx) -> list[Any]:
    return ["⋮", ctx.t("optimizer.rows_hidden", n=f"{n - len(rows):,}")] + [""] * (width - 2)


def _hidden_note(rows: list[int], n: int, ctx: Ctx) -> str:
    if len(rows) == n:
        return ""
    return ctx.t("optimizer.table_hidden", n=f"{n - len(rows):,}", total=f"{n:,}")


def _plot(trace: Trace, runs: list[Run], theta0, source, ctx: Ctx) -> None:
    from stepcalc.calc.plot import line_plot

    labels = [run.optimizer.name for run in runs]
    steps = list(range(0, len(runs[0].trajectory) + 1))
    plots = []
    if source.loss_known:
        start = source.loss(theta0, ctx)
        series = [[start] + [run.losses[k] for k in steps[1:]] for run in runs]
        plots.append((ctx.t("optimizer.plot_loss"), series, [steps] * len(runs)))
    if theta0.size == 2 or not source.loss_known:
        index = [0, 1] if theta0.size == 2 else [0]
        paths = [[list(theta0[index])] for _ in runs]
        for path, run in zip(paths, runs, strict=True):
            path.extend(
                np.asarray(e["params"], dtype=float).reshape(-1)[index] for e in run.trajectory
            )
        if theta0.size == 2:
            xs = [[p[0] for p in path] for path in paths]
            ys = [[p[1] for p in path] for path in paths]
            plots.append((ctx.t("optimizer.plot_path"), ys, xs))
        else:
            ys = [[p[0] for p in path] for path in paths]
            plots.append((ctx.t("optimizer.plot_param"), ys, [steps] * len(runs)))
    for title, ys, xs in plots:
        table = line_plot(title, ys, xs, ctx.ascii, labels)
        if table is None:
            trace.notes.append(ctx.t("optimizer.plot_missing"))
            return
        trace.tables.append(table)


# ----------------------------------------------------------------------------- reading input


def parse_state(raw: Any, size: int, option: str = "--state") -> dict[str, np.ndarray]:
    """``NAME=VALUES`` items (or a mapping from a file) → flat arrays of the parameters' size."""
    from stepcalc import parse

    if raw is None:
        return {}
    items: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        items = [(str(k), v) for k, v in raw.items()]
    else:
        for item in [raw] if isinstance(raw, str) else list(raw):
            name, equals, values = str(item).partition("=")
            if not equals or not name.strip():
                raise StepcalcError(f"{option}: {item!r} is not NAME=VALUES")
            items.append((name, values))
    state: dict[str, np.ndarray] = {}
    for name, values in items:
        name = name.strip()
        if name in state:
            raise StepcalcError(f"{option}: {name} is given twice")
        array = parse.parse_tensor(values, f"{option} {name}").reshape(-1)
        if name in ("step", "mu_product"):
            if array.size != 1:
                raise StepcalcError(f"{option}: {name} is one number, got {array.size}")
        elif array.size == 1:
            array = np.full(size, array[0])
        elif array.size != size:
            raise StepcalcError(f"{option}: {name} has {array.size} numbers, --params has {size}")
        if name in _NON_NEGATIVE_STATES and np.any(array < 0):
            raise StepcalcError(f"{option}: {name} must not be negative (it goes under a root)")
        state[name] = array
    return state


_NON_NEGATIVE_STATES = ("sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq", "exp_inf", "acc_delta")


def check_state_names(state: dict[str, Any], algorithms: list[str], convention: str) -> None:
    valid = {"step"}
    for algo in algorithms:
        valid.update(state_names(algo, convention))
    for name in state:
        if name not in valid:
            raise StepcalcError(
                f"--state: unknown name {name!r} for {', '.join(algorithms)} "
                f"(valid: {', '.join(sorted(valid))})"
            )


def gradient_rows(grad: np.ndarray, size: int, steps: int | None) -> np.ndarray:
    """One gradient (same shape as the parameters) or one per step, as rows of ``size``."""
    if grad.size == size and (grad.ndim <= 1 or size > 1):
        rows = grad.reshape(1, size)
    elif size == 1 and grad.ndim <= 2 and (grad.ndim == 1 or grad.shape[-1] == 1):
        rows = grad.reshape(-1, 1)
    elif grad.ndim >= 2 and grad[0].size == size:
        rows = grad.reshape(len(grad), size)
    else:
        per = grad[0].size if grad.ndim >= 2 else grad.size
        raise StepcalcError(
            f"--grad: the gradient has {per} numbers, --params has {size} "
            "(give one gradient, or one per step separated by ';')"
        )
    if steps is not None and len(rows) > 1 and len(rows) != steps:
        raise StepcalcError(f"--grad: {len(rows)} gradients given for --steps {steps}")
    return rows


RESERVED_NAMES = {"E", "I", "S", "N", "O", "Q", "pi", "oo", "zoo", "nan", "sign", "Abs", "Max"}


def variable_names(text: str | None, size: int) -> list[str]:
    from stepcalc.expr import GRAPH_FUNCTIONS

    if text is None:
        return [f"x{i}" for i in range(1, size + 1)]
    names = [name for name in re.split(r"[\s,]+", text.strip()) if name]
    for name in names:
        if not _IDENTIFIER.fullmatch(name) or keyword.iskeyword(name):
            raise StepcalcError(f"--vars: {name!r} is not a variable name")
        if name in GRAPH_FUNCTIONS or name in RESERVED_NAMES:
            raise StepcalcError(f"--vars: {name!r} is reserved; choose another name")
    if len(set(names)) != len(names):
        raise StepcalcError("--vars: a name is given twice")
    if len(names) != size:
        raise StepcalcError(f"--vars: {len(names)} names for {size} parameters in --params")
    return names


def run_arrays(
    algo: str,
    params: np.ndarray,
    gradient: Callable[[np.ndarray, int], np.ndarray],
    steps: int,
    convention: str = "pytorch",
    **hyper: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Library entry for large problems: final parameters and state, no steps, no trajectory."""

    class _Callback:
        loss_known = False

        def gradient(self, theta, k, ctx):
            return gradient(theta, k)

    opt = configure(algo, hyper, convention)
    with np.errstate(all="ignore"):
        run = iterate(opt, params.reshape(-1), _Callback(), steps, Ctx(), record=False)
    return run.final.reshape(params.shape), run.state


class _Given:
    """The option values of one run, read as the steps below expect them."""

    def __init__(self, args):
        self.args = args

    def has(self, name):
        return self.args.get(name) not in (None, [], False)

    def raw(self, name, default=None):
        value = self.args.get(name)
        return default if value is None else value

    def tensor(self, name, ndim=None):
        return self.args.get(name)

    def int(self, name, minimum=None):
        return self.args.get(name)

    scalar = int

    def choice(self, name, choices):
        return self.args.get(name)

    def flag(self, name):
        return bool(self.args.get(name))

    def text(self, name):
        return self.args.get(name)


def run(args, ctx: Ctx) -> Trace:
    import sys

    optim = sys.modules[__name__]
    p = _Given(args)

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


def _algorithms(p: _Given, known: tuple[str, ...]) -> list[str]:
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


def _gradients(p: _Given, params, steps: int | None, optim):
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


def _hyper_parameters(p: _Given, algorithms: list[str], defaults) -> dict:
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


def _first_step(p: _Given, state: dict) -> int:
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
