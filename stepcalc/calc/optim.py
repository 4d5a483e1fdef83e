"""The optimizers of ``torch.optim``, worked step by step (NumPy, float64).

Each algorithm is a short list of ``Rule`` records, ``symbol = formula`` in the syntax of
``stepcalc.formula`` (``_build`` reads like the slides). A shown iteration (the first three and
the last two) writes each rule as a worked step through ``Work``; the others run the same
formulas, compiled once, on the whole parameter vector or on cache-sized chunks of a large one.
``--convention textbook`` moves ε inside the square root (AdaGrad, RMSProp) and η into the
velocity (v = γ·v − η·g, θ = θ + v); the other algorithms read the same either way.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np

from stepcalc import expr, limits
from stepcalc.commands.optimizer import ALGORITHMS, HYPER
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.formula import FUNCTIONS, Work, compiled, split, variables
from stepcalc.parse import parse_choice, parse_tensor
from stepcalc.trace import Table, Trace

SGD_FAMILY = ("sgd", "momentum", "nesterov")
NAMES = dict(zip(ALGORITHMS, "SGD Momentum Nesterov AdaGrad RMSProp Adam AdamW Adamax NAdam "
                 "Adadelta".split(), strict=True))  # fmt: skip
_SGD = {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}
_ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": _SGD,
    "momentum": {**_SGD, "momentum": 0.9},
    "nesterov": {**_SGD, "momentum": 0.9, "nesterov": True},
    "adagrad": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator": 0.0,
                "eps": 1e-10},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                "centered": False},
    "adam": {**_ADAM, "amsgrad": False},
    "adamw": {**_ADAM, "weight_decay": 1e-2, "amsgrad": False},
    "adamax": {**_ADAM, "lr": 2e-3},
    "nadam": {**_ADAM, "lr": 2e-3, "momentum_decay": 4e-3},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
}  # fmt: skip
"""torch.optim's defaults (torch 2.x, SGD's lr of 1e-3 included); all take ``maximize`` too."""
SYMBOLS = {"lr": "lr", "momentum": "gamma", "dampening": "dampening", "weight_decay": "lam",
           "eps": "eps", "beta1": "beta1", "beta2": "beta2", "alpha": "alpha", "rho": "rho",
           "lr_decay": "lr_decay", "momentum_decay": "psi"}  # fmt: skip
"""The formula symbol of each hyper-parameter (written η, γ, λ, ε, β₁, β₂, α, ρ, ψ)."""
STATES = ("momentum_buffer", "velocity", "sum", "square_avg", "grad_avg", "exp_avg", "exp_avg_sq",
          "max_exp_avg_sq", "exp_inf", "mu_product", "acc_delta")  # fmt: skip
"""PyTorch's state names (``velocity`` is the textbook form's); a rule titled so updates it."""
UNDER_ROOT = ("sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq", "exp_inf", "acc_delta")
RESERVED = {"E", "I", "S", "N", "O", "Q", "L", "t", "pi", "oo", "zoo", "nan", "Abs", "Max"}
"""Names SymPy or the steps use themselves, refused as ``--vars``."""
SHOWN, ROWS = (3, 2), (5, 5)
"""Iterations worked out in full, and rows of the trajectory table: the first and the last."""
CHUNK = 1 << 14
"""Elements updated together on the fast path (keeps the temporaries in cache)."""


@dataclass(frozen=True)
class Rule:
    formula: str
    title: str
    """Message key of the title; a state's name (``exp_avg``) when the rule updates it."""
    note: str = ""
    """Message key of a remark on the first iteration (which convention)."""


@cache
def _parts(formula: str):
    """Symbol, the right-hand side compiled once, and its operand names."""
    symbol, rhs = split(formula)
    return symbol, compiled(rhs), variables(rhs)


def _build(algo: str, hp: dict[str, Any], convention: str, first: bool) -> list[Rule]:
    """The rules of one iteration, in torch's order: each algorithm's state, then θ's update."""
    family = "sgd" if algo in SGD_FAMILY else "adam" if algo == "adamw" else algo
    rules = [Rule("g = -g", "maximize")] if hp["maximize"] else []
    if hp["weight_decay"] and algo == "adamw":
        rules.append(Rule("theta = theta*(1 - lr*lam)", "decoupled_decay"))
    elif hp["weight_decay"]:
        rules.append(Rule("g = g + lam*theta", "weight_decay"))
    textbook, eps, note = convention == "textbook", f"eps_{convention}", ""
    root = ("sqrt({} + eps)" if textbook else "(sqrt({}) + eps)").format
    mean = "{0} = {1}*{0} + (1 - {1})*{2}".format  # a running mean (torch's lerp)
    m, v = Rule(mean("m", "beta1", "g"), "exp_avg"), Rule(mean("v", "beta2", "g**2"), "exp_avg_sq")
    v_hat = Rule(f"v_hat = {'v_max' if hp.get('amsgrad') else 'v'}/(1 - beta2**t)", "v_hat")
    if family == "sgd" and not hp["momentum"]:
        update = "theta - lr*g"
    elif family == "sgd" and textbook:
        rules.append(Rule("v = gamma*v - lr*g", "velocity", "lr_inside"))
        update = "theta + gamma*v - lr*g" if hp["nesterov"] else "theta + v"
    elif family == "sgd":
        buffer = "gamma*b + (1 - dampening)*g" if hp["dampening"] else "gamma*b + g"
        rules.append(
            Rule(f"b = {'g' if first else buffer}", "momentum_buffer", "first_buffer" * first)
        )
        update = "theta - lr*(g + gamma*b)" if hp["nesterov"] else "theta - lr*b"
        note = "lr_outside"
    elif family == "adagrad":
        if hp["lr_decay"]:
            rules.append(Rule("lr_t = lr/(1 + (t - 1)*lr_decay)", "decayed_lr"))
        rules.append(Rule("G = G + g**2", "sum"))
        update, note = f"theta - {'lr_t' if hp['lr_decay'] else 'lr'}*g/{root('G')}", eps
    elif family == "rmsprop":
        rules.append(Rule(mean("v", "alpha", "g**2"), "square_avg"))
        if hp["centered"]:
            rules.append(Rule(mean("g_bar", "alpha", "g"), "grad_avg"))
        step = "g/" + root("v - g_bar**2" if hp["centered"] else "v")
        if hp["momentum"]:
            rules.append(Rule(f"b = gamma*b + {step}", "momentum_buffer", eps))
            update = "theta - lr*b"
        else:
            update, note = f"theta - lr*{step}", eps
    elif family == "adam":
        rules += [m, v] + [Rule("v_max = max(v_max, v)", "max_exp_avg_sq")] * hp["amsgrad"]
        rules += [Rule("m_hat = m/(1 - beta1**t)", "m_hat"), v_hat]
        update = "theta - lr*m_hat/(sqrt(v_hat) + eps)"
    elif family == "adamax":
        rules += [m, Rule("u = max(beta2*u, abs(g) + eps)", "exp_inf")]
        update = "theta - lr/(1 - beta1**t)*m/u"
    elif family == "nadam":
        rules.append(Rule("mu_t = beta1*(1 - 0.5*0.96**(t*psi))", "mu"))
        rules.append(Rule("mu_next = beta1*(1 - 0.5*0.96**((t + 1)*psi))", "mu_next"))
        rules += [Rule("mu_prod = mu_prod*mu_t", "mu_product"), m, v, v_hat]
        rules.append(Rule("lr_g = lr*(1 - mu_t)/(1 - mu_prod)", "lr_g"))
        rules.append(Rule("lr_m = lr*mu_next/(1 - mu_prod*mu_next)", "lr_m"))
        update = "theta - lr_g*g/(sqrt(v_hat) + eps) - lr_m*m/(sqrt(v_hat) + eps)"
    else:
        rules.append(Rule(mean("v", "rho", "g**2"), "square_avg"))
        rules.append(Rule("Delta = sqrt(u + eps)/sqrt(v + eps)*g", "delta"))
        rules.append(Rule(mean("u", "rho", "Delta**2"), "acc_delta"))
        update = "theta - lr*Delta"
    return [*rules, Rule(f"theta = {update}", "update", note)]


def _state_keys(algo: str, rules: list[Rule]) -> dict[str, str]:
    """PyTorch's state names → the symbols holding them."""
    keys = {} if algo in SGD_FAMILY else {"step": "t"}
    return keys | {rule.title: _parts(rule.formula)[0] for rule in rules if rule.title in STATES}


def state_names(algo: str, convention: str = "pytorch") -> tuple[str, ...]:
    """Every state ``--state`` may set for ``algo`` (whatever the flags)."""
    hp = {**DEFAULTS[algo], "amsgrad": 1, "centered": 1, "momentum": 0.9, "maximize": 0}
    return tuple(_state_keys(algo, _build(algo, {**hp, "dampening": 0}, convention, False)))


@dataclass
class Optimizer:
    """One configured algorithm and, once run, its trajectory (and the loss after each step)."""

    algo: str
    hp: dict[str, Any]
    convention: str
    first_rules: list[Rule]
    """Rules of the first iteration (SGD's momentum buffer starts as the raw gradient)."""
    rules: list[Rule]
    state_keys: dict[str, str]
    scalars: set[str]
    """Symbols holding one number (hyper-parameters, t, μ_t …), not one per parameter."""
    given_state: dict[str, Any]
    first_step: int
    trajectory: list[dict[str, Any]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    final: Any = None

    @property
    def name(self) -> str:
        return NAMES[self.algo]


def configure(algo: str, given: dict[str, Any], convention="pytorch", state=None, first_step=1):
    """torch's defaults for ``algo`` with ``given`` put in, checked as torch checks them."""
    hp, state = {**DEFAULTS[algo], "maximize": False}, state or {}
    hp.update({name: value for name, value in given.items() if name in hp})
    for name in ("beta1", "beta2"):
        if name in hp and not 0 <= hp[name] < 1:
            raise InputError(name, "optimizer.below_one", value=f"{hp[name]:g}")
    if hp.get("nesterov") and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        blamed = "momentum" if "momentum" in given or algo == "nesterov" else "nesterov"
        blamed = "dampening" if hp["momentum"] > 0 else blamed
        momentum, dampening = f"{hp['momentum']:g}", f"{hp['dampening']:g}"
        raise InputError(blamed, "optimizer.nesterov", momentum=momentum, dampening=dampening)
    rules = _build(algo, hp, convention, first=False)
    first_rules = _build(algo, hp, convention, first="momentum_buffer" not in state)
    keys = _state_keys(algo, rules)
    if "momentum_buffer" in state and hp.get("momentum") == 0:
        keys["momentum_buffer"] = "b"  # unused, and kept as it is (torch)
    scalars = {SYMBOLS[name] for name in hp if name in SYMBOLS} | {"t", "mu_prod"}
    for symbol, _, names in map(_parts, (rule.formula for rule in rules)):
        scalars |= {symbol} if set(names) <= scalars else set()
    state = {key: value for key, value in state.items() if key in keys}
    return Optimizer(algo, hp, convention, first_rules, rules, keys, scalars, state, first_step)


def _shaped(value: Any, shape: tuple[int, ...]) -> Any:
    """A flat vector in the parameters' shape (one parameter as a number), to show."""
    if not isinstance(value, np.ndarray):
        return value
    return value.reshape(shape) if shape else float(value.reshape(-1)[0])


@dataclass
class GivenGradients:
    """``--grad``: one gradient for every step, or one row per step."""

    rows: Any
    shape: tuple[int, ...]
    loss_known = False

    def gradient(self, theta, k: int, ctx: Ctx, w: Work | None = None, first=False):
        g = self.rows[min(k, len(self.rows) - 1)]
        if w is None:
            return ctx.r(g)
        return np.reshape(w("grad_given", "g = g", g=_shaped(g, self.shape)), -1)


class LossGradients:
    """``--loss``: SymPy differentiates once (``symbolic.loss_and_gradient``); each step puts
    the numbers into the derivatives' formulas, compiled once."""

    loss_known = True

    def __init__(self, text: str, variables: list[str]):
        from stepcalc.symbolic import loss_and_gradient

        tree = expr.parse_expression(text, "loss", variables)
        self.formula, self.derivatives, _, _ = loss_and_gradient(tree, variables)
        self.variables, self._loss = variables, compiled(self.formula)
        self._gradient = [compiled(derivative) for derivative in self.derivatives]

    def gradient(self, theta, k: int, ctx: Ctx, w: Work | None = None, first=False):
        point = dict(zip(self.variables, theta.tolist(), strict=True))
        if w is None:
            return ctx.r(np.array([fn(point) for fn in self._gradient], dtype=float))
        work = Work(w.trace, ctx, w.phase, env=point, topic="optimizer")
        title = "partial_sympy" if first else "partial"
        pairs = zip(self.variables, self.derivatives, strict=True)
        return np.array(
            [work(title, f"dL_d{x} = {d}", at={"name": x}, name="grad") for x, d in pairs]
        )

    def loss(self, theta, ctx: Ctx, w: Work | None, title: str, key=None) -> float:
        point = dict(zip(self.variables, theta.tolist(), strict=True))
        if w is None:
            return ctx.r(float(self._loss(point)))
        work = Work(w.trace, ctx, w.phase, env=point, topic="optimizer")
        return float(work(title, f"L = {self.formula}", key=key, name="loss"))

    def point(self, theta) -> str:
        pairs = zip(self.variables, theta, strict=True)
        return ", ".join(f"{name} = {x:.6g}" for name, x in pairs)


def iterate(opt: Optimizer, params, source, n_steps: int, ctx: Ctx, *, trace=None, shown=()):
    """``n_steps`` iterations from ``params``, the ``shown`` ones (1-based) written to ``trace``.
    Returns the state at the end, by PyTorch's names."""
    shape, w = params.shape, Work(trace, ctx, topic="optimizer")
    env = {SYMBOLS[k]: v for k, v in opt.hp.items() if k in SYMBOLS} | _initial(opt, params.size)
    theta = np.array(params, dtype=float).reshape(-1)
    vectors = ["theta", "g", *(s for s in opt.state_keys.values() if s not in opt.scalars)]
    for k in range(1, n_steps + 1):
        t, worked, last = opt.first_step + k - 1, k in shown, k == n_steps
        env["t"], rules, w.phase = t, opt.rules if k > 1 else opt.first_rules, "backward"
        start = len(trace.steps) if worked else 0
        g = env["g"] = source.gradient(theta, k - 1, ctx, w if worked else None, k == 1)
        env["theta"], w.phase = theta, "update"
        if worked:
            for rule in rules:
                symbol, _, names = _parts(rule.formula)
                key = "final_params" if last and rule is rules[-1] else None
                note = ctx.t(f"optimizer.{rule.note}") if rule.note and k == 1 else ""
                operands = {name: _shaped(env[name], shape) for name in names}
                value = w(
                    rule.title, rule.formula, key=key, note=note, name=key or rule.title, **operands
                )
                env[symbol] = value if symbol in opt.scalars else np.reshape(value, -1)
            trace.steps[start].title = f"t={t} · {trace.steps[start].title}"
        elif theta.size > CHUNK and ctx.round_steps is None:
            _chunked(rules, env, vectors, opt.scalars)
        else:
            for symbol, fn, _ in map(_parts, (rule.formula for rule in rules)):
                env[symbol] = ctx.r(fn(env))
        theta, w.phase = env["theta"], "forward"
        if source.loss_known:
            key = "final_loss" if last else None
            opt.losses.append(source.loss(theta, ctx, w if worked else None, "new_loss", key))
        if trace is not None:  # stop where torch goes on with inf or NaN, which helps no student
            if source.loss_known and not math.isfinite(opt.losses[-1]):
                at = source.point(theta)
                raise InputError("loss", "optimizer.undefined", name=opt.name, t=t, at=at)
            if not np.isfinite(theta).all():
                raise InputError("lr", "optimizer.overflow", name=opt.name, t=t)
            opt.trajectory.append(_record(opt, t, theta, g, env, shape))
    opt.final = theta
    return {key: env[symbol] for key, symbol in opt.state_keys.items() if key != "step"}


def _initial(opt: Optimizer, size: int) -> dict[str, Any]:
    """The state before the first iteration: as given, else torch's initial values."""
    env: dict[str, Any] = {}
    for key, symbol in opt.state_keys.items():
        if key in opt.given_state:
            value = opt.given_state[key]
            env[symbol] = float(value[0]) if symbol in opt.scalars else value.copy()
        elif key == "mu_product":  # the product of the μ_t before the first step
            beta1, psi = opt.hp["beta1"], opt.hp["momentum_decay"]
            mus = [beta1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in range(1, opt.first_step)]
            env[symbol] = math.prod(mus)
        elif key != "step":
            env[symbol] = np.full(size, opt.hp["initial_accumulator"] if key == "sum" else 0.0)
    return env


def _record(opt: Optimizer, t: int, theta, g, env, shape) -> dict[str, Any]:
    state = {}
    for key, symbol in opt.state_keys.items():
        value = env[symbol]
        state[key] = value if symbol in opt.scalars else value.reshape(shape).tolist()
    params, grad = theta.reshape(shape).tolist(), g.reshape(shape).tolist()
    return {"step": t, "params": params, "grad": grad, "lr": float(opt.hp["lr"]), "state": state}


def _chunked(rules: list[Rule], env: dict[str, Any], vectors: list[str], scalars: set[str]):
    """The same rules on slices of the parameter vector; scalar rules once per iteration."""
    parts = [_parts(rule.formula) for rule in rules]
    for symbol, fn, _ in parts:
        env[symbol] = fn(env) if symbol in scalars else env.get(symbol)
    whole: dict[str, Any] = {}
    for name in vectors:  # written in place below: never into a view or a shared array
        array = env[name]
        shared = any(array is other for other in whole.values())
        whole[name] = array.copy() if shared or not array.flags.owndata else array
    part = dict(env)
    for start in range(0, whole["theta"].size, CHUNK):
        piece = slice(start, start + CHUNK)
        part.update({name: whole[name][piece] for name in vectors})
        for symbol, fn, _ in parts:
            if symbol not in scalars:
                part[symbol] = fn(part)
        for name in vectors[2:] + ["theta"]:
            whole[name][piece] = part[name]
    env.update(whole)


def shown_iterations(n_steps: int, head: int, tail: int) -> list[int]:
    if n_steps <= head + tail + 1:
        return list(range(1, n_steps + 1))
    return [*range(1, head + 1), *range(n_steps - tail + 1, n_steps + 1)]


def run_arrays(algo: str, params, gradient, steps: int, convention="pytorch", **hyper):
    """Library entry for large problems: final parameters and state, no steps, no trajectory."""
    source = SimpleNamespace(loss_known=False, gradient=lambda theta, k, *_: gradient(theta, k))
    opt = configure(algo, hyper, convention)
    with np.errstate(all="ignore"):
        state = iterate(opt, params, source, steps, Ctx())
    return opt.final.reshape(params.shape), state


def run(args, ctx: Ctx) -> Trace:
    """``stepcalc optimizer``: the worked steps, trajectory and tables of one or more runs."""
    algorithms, compare, size = _algorithms(args), bool(args.compare), args.params.size
    if args.grad is not None:
        source = GivenGradients(gradient_rows(args.grad, size, args.steps), args.params.shape)
    else:
        source = LossGradients(args.loss, variable_names(args.vars, size))
    n = args.steps or (len(source.rows) if args.grad is not None else 1)
    state = parse_state(args.state, size, algorithms, args.convention)
    first_step = _first_step(args["first-step"], state)
    kept = size * n * (2 + max(len(state_names(a)) for a in algorithms)) * len(algorithms)
    if kept > limits.MAX_TENSOR_ELEMENTS:
        numbers = {"steps": n, "size": size, "kept": kept, "limit": limits.MAX_TENSOR_ELEMENTS}
        raise InputError("steps", "optimizer.too_big", **{k: f"{v:,}" for k, v in numbers.items()})
    given = _hyper_parameters(args, algorithms)
    optimizers = [configure(a, given, args.convention, state, first_step) for a in algorithms]
    for name in state.keys() - {"step"}:
        if not any(name in opt.state_keys for opt in optimizers):
            raise InputError("state", "optimizer.state_not_kept", name=name)
    trace = Trace("optimizer", _inputs(args, source, n, state, optimizers))
    theta0, start = args.params.reshape(-1), None
    with np.errstate(all="ignore"):  # a step to inf or NaN stops with an error (iterate)
        if source.loss_known:
            w = Work(trace, ctx, topic="optimizer")
            start = source.loss(theta0, ctx, w, "start_loss")
            if not math.isfinite(start):
                raise InputError("loss", "optimizer.undefined_start", at=source.point(theta0))
            if compare:  # no iteration is worked out: SymPy's derivatives at the start
                w.phase = "backward"
                source.gradient(theta0, 0, ctx, w, True)
        shown = () if compare else shown_iterations(n, *SHOWN)
        for opt in optimizers:
            iterate(opt, args.params, source, n, ctx, trace=trace, shown=shown)
    _describe(trace, optimizers, n, compare, ctx)
    if compare or n > 1:
        trace.tables.append(_table(optimizers, n, compare, ctx))
    if args.plot:
        _plot(trace, optimizers, theta0, start, ctx)
    return trace


def _inputs(args, source, n: int, state, optimizers) -> dict[str, Any]:
    shape = args.params.shape
    inputs: dict[str, Any] = {"params": args.params}
    if source.loss_known:
        inputs.update(loss=source.formula, vars=source.variables)
    else:
        rows = [_shaped(row, shape) for row in source.rows]
        inputs["grad"] = rows[0] if len(rows) == 1 else rows
    inputs.update(steps=n, convention=args.convention, first_step=optimizers[0].first_step)
    inputs["state"] = {k: _shaped(v, shape if v.size > 1 else ()) for k, v in state.items()}
    if args.compare:
        inputs["algorithms"] = [opt.algo for opt in optimizers]
        inputs["settings"] = {opt.algo: dict(opt.hp) for opt in optimizers}
    else:
        inputs.update(algorithm=optimizers[0].algo, **optimizers[0].hp)
    return inputs


def _describe(trace: Trace, runs: list[Optimizer], n: int, compare: bool, ctx: Ctx) -> None:
    """Result (keyed by algorithm with --compare), title, subtitle and notes."""
    shape, loss_known = trace.inputs["params"].shape, bool(runs[0].losses)
    keys = ["trajectory", "final_params"] + ["final_loss"] * loss_known
    per = {r.algo: [r.trajectory, r.final.reshape(shape).tolist(), *r.losses[-1:]] for r in runs}
    result = {key: {algo: values[i] for algo, values in per.items()} for i, key in enumerate(keys)}
    if not compare:
        result = {key: value[runs[0].algo] for key, value in result.items()}
    trace.result = result
    trace.summary = keys[1:]
    names, plural = ", ".join(run.name for run in runs), "" if n == 1 else "s"
    trace.title = ctx.t("optimizer.title", names=names, n=f"{n:,}", plural=plural)
    trace.subtitle = ctx.t(f"optimizer.convention_{runs[0].convention}")
    if not compare:
        hp = runs[0].hp.items()
        shown = [f"{k} {v:g}" for k, v in hp if v and not isinstance(v, bool)]
        shown += [k for k, v in hp if v is True and k != "nesterov"]
        trace.subtitle = f"{', '.join(shown)} · {trace.subtitle}"
    for opt in runs:  # how the form reads on the slides and in PyTorch, after its step note
        sgd, note = opt.algo in SGD_FAMILY, next((r.note for r in opt.rules if r.note), "")
        kind = ("nesterov" if opt.hp["nesterov"] else "momentum") if sgd else opt.algo
        key = f"{kind}_{opt.convention}" if note else ("sgd" if sgd else "same")
        form = ctx.t(f"optimizer.{note}") if note else ""
        trace.notes.append(ctx.t(f"optimizer.form_{key}", name=opt.name, form=form))
        if "momentum_buffer" in opt.state_keys and opt.hp["momentum"] == 0:
            trace.notes.append(ctx.t("optimizer.buffer_ignored", name=opt.name))
    head, tail = SHOWN
    if not compare and n > head + tail + 1:
        first, last = runs[0].first_step + head, runs[0].first_step + n - tail - 1
        hidden = f"{n - head - tail:,}"
        trace.notes.append(ctx.t("optimizer.hidden_iterations", first=first, last=last, n=hidden))


def _table(runs: list[Optimizer], n: int, compare: bool, ctx: Ctx) -> Table:
    """The trajectory (or the runs side by side): first and last rows, a gap row between."""
    rows, loss_known = shown_iterations(n, *ROWS), bool(runs[0].losses)
    hidden, body = f"{n - len(rows):,}", []
    columns = ["t"] + [f"{run.name} {'L' if loss_known else 'θ'}" for run in runs]
    columns = columns if compare else ["t", "θ", "g"] + ["L"] * loss_known
    for index, k in enumerate(rows):
        if index and k != rows[index - 1] + 1:
            body.append(["⋮", ctx.t("optimizer.rows_hidden", n=hidden)] + [""] * (len(columns) - 2))
        entry = runs[0].trajectory[k - 1]
        if compare and loss_known:
            cells = [run.losses[k - 1] for run in runs]
        elif compare:
            cells = [run.trajectory[k - 1]["params"] for run in runs]
        else:
            cells = [entry["params"], entry["grad"], *runs[0].losses[k - 1 : k]]
        body.append([str(entry["step"]), *cells])
    note = "" if len(rows) == n else ctx.t("optimizer.table_hidden", n=hidden, total=f"{n:,}")
    title = ctx.t(f"optimizer.{'compare' if compare else 'trajectory'}_title")
    return Table(title, columns, body, note)


def _plot(trace: Trace, runs: list[Optimizer], theta0, start: float | None, ctx: Ctx) -> None:
    """The loss by step, and the path of (θ₁, θ₂) (θ₁ by step without a loss)."""
    from stepcalc.calc.plot import line_plot

    steps = [list(range(len(runs[0].trajectory) + 1))] * len(runs)
    paths = [np.array([theta0, *(np.reshape(e["params"], -1) for e in r.trajectory)]) for r in runs]
    plots = [("plot_loss", [[start, *r.losses] for r in runs], steps)] if start is not None else []
    if theta0.size == 2:
        plots.append(("plot_path", [p[:, 1] for p in paths], [p[:, 0] for p in paths]))
    elif start is None:
        plots.append(("plot_param", [p[:, 0] for p in paths], steps))
    for title, ys, xs in plots:
        table = line_plot(ctx.t(f"optimizer.{title}"), ys, xs, ctx.ascii, [r.name for r in runs])
        if table is None:
            trace.notes.append(ctx.t("optimizer.plot_missing"))
            return
        trace.tables.append(table)


def _algorithms(args) -> list[str]:
    chosen = [args.algorithm] if args.algorithm else []
    for item in args.compare:
        names = [name for name in re.split(r"[\s,]+", str(item)) if name]
        if not names:
            raise InputError("compare", "optimizer.compare_empty")
        chosen += [parse_choice(name, "compare", ALGORITHMS) for name in names]
    if not chosen:
        raise InputError("ALGORITHM", "optimizer.no_algorithm", choices=", ".join(ALGORITHMS))
    return list(dict.fromkeys(chosen))


def _hyper_parameters(args, algorithms: list[str]) -> dict[str, Any]:
    """The hyper-parameters given, each used by at least one of the algorithms."""
    given: dict[str, Any] = {}
    for name, _, _ in HYPER:
        key, value = name.replace("-", "_"), args[name]
        if value is None or value is False:
            continue
        if key != "maximize" and not any(key in DEFAULTS[a] for a in algorithms):
            takers = ", ".join(a for a in ALGORITHMS if key in DEFAULTS[a])
            raise InputError(
                name, "optimizer.not_used", algorithms=", ".join(algorithms), takers=takers
            )
        given[key] = value if isinstance(value, bool) else float(value)
    return given


def parse_state(items: list[Any], size: int, algorithms: list[str], convention: str):
    """``NAME=VALUES`` items (or mappings from a file) → flat arrays of the parameters' size."""
    valid = sorted({"step"}.union(*(state_names(a, convention) for a in algorithms)))
    pairs: list[tuple[str, Any]] = []
    for item in items:
        name, equals, values = str(item).partition("=")
        if isinstance(item, dict):
            pairs += [(str(name).strip(), values) for name, values in item.items()]
        elif not equals or not name.strip():
            raise InputError("state", "optimizer.state_format", item=repr(item))
        else:
            pairs.append((name.strip(), values))
    state: dict[str, Any] = {}
    for name, values in pairs:
        array, one = parse_tensor(values, "state").reshape(-1), name in ("step", "mu_product")
        if name not in valid:
            raise InputError("state", "optimizer.state_unknown", name=name, valid=", ".join(valid))
        if name in state:
            raise InputError("state", "optimizer.twice", name=name)
        if array.size not in ((1,) if one else (1, size)):
            raise InputError("state", "optimizer.state_size", name=name, n=array.size, size=size)
        if name in UNDER_ROOT and np.any(array < 0):
            raise InputError("state", "optimizer.state_negative", name=name)
        state[name] = array if one else np.resize(array, size)
    return state


def _first_step(first: int | None, state: dict[str, Any]) -> int:
    if "step" not in state:
        return first or 1
    counted = float(state["step"][0])
    if counted < 0 or not counted.is_integer():
        raise InputError("state", "optimizer.step_whole")
    if first is not None and first != int(counted) + 1:
        raise InputError("first-step", "optimizer.step_contradicts", first=first, step=int(counted))
    return int(counted) + 1


def gradient_rows(grad, size: int, steps: int | None):
    """One gradient (the parameters' shape) or one per step, as rows of ``size``."""
    if grad.size == size and (grad.ndim <= 1 or size > 1):
        rows = grad.reshape(1, size)
    elif grad.ndim and grad[0].size == size:
        rows = grad.reshape(len(grad), size)
    else:
        n = grad[0].size if grad.ndim >= 2 else grad.size
        raise InputError("grad", "optimizer.grad_size", n=n, size=size)
    if steps is not None and len(rows) > 1 and len(rows) != steps:
        raise InputError("grad", "optimizer.grad_steps", n=len(rows), steps=steps)
    return rows


def variable_names(text: str | None, size: int) -> list[str]:
    if text is None:
        return [f"x{i}" for i in range(1, size + 1)]
    names = [name for name in re.split(r"[\s,]+", text.strip()) if name]
    for name in names:
        taken = name in expr.GRAPH_FUNCTIONS or name in FUNCTIONS or name in RESERVED
        if taken or keyword.iskeyword(name) or not re.fullmatch(r"[A-Za-z_]\w*", name, re.ASCII):
            raise InputError("vars", "optimizer.vars_name", name=repr(name))
        if names.count(name) > 1:
            raise InputError("vars", "optimizer.twice", name=name)
    if len(names) != size:
        raise InputError("vars", "optimizer.vars_count", n=len(names), size=size)
    return names
