"""Dropout, standard and inverted, on one activation vector (NumPy, float64).

    standard   train h = x ⊙ m            test h = p_keep·x     (the slides: W_test = p·W)
    inverted   train h = x ⊙ m / p_keep   test h = x            (PyTorch's nn.Dropout)

The mask m holds 1 for a kept unit and 0 for a dropped one; h = x ⊙ m = D·x with
D = diag(m), so W·D is W with the columns of dropped units zeroed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.errors import StepcalcError
from stepcalc.parse import format_shape as _shape
from stepcalc.context import Ctx
from stepcalc.trace import Step, Table, Trace

MODES = ("standard", "inverted")
WRITTEN_OUT_TERMS = 16
"""Dot products up to this length are written out term by term, as on the slides."""
MAX_TABLE_ROWS = 64
MAX_SAMPLE_ROWS = 10
MAX_DIAGONAL = 16
"""D = diag(m) is shown as a matrix up to this many units."""


def draw_mask(shape: tuple[int, ...], keep_prob: float, rng: np.random.Generator):
    """Bernoulli(keep_prob) mask: draw u ~ U[0, 1) per unit, keep it when u < keep_prob."""
    uniforms = rng.random(shape)
    return uniforms, (uniforms < keep_prob).astype(float)


def check_mask(mask: np.ndarray, shape: tuple[int, ...]) -> None:
    if mask.shape != shape:
        raise StepcalcError(
            f"--mask: shape {_shape(mask.shape)} does not match --input {_shape(shape)}"
        )
    bad = np.flatnonzero((mask != 0) & (mask != 1))
    if bad.size:
        value = float(mask.ravel()[bad[0]])
        raise StepcalcError(f"--mask: values must be 0 or 1, got {value:g} at position {bad[0]}")


def check_weights(weights: np.ndarray, shape: tuple[int, ...]) -> None:
    if weights.shape == shape:
        return
    if len(shape) == 1 and weights.ndim == 2 and weights.shape[1] == shape[0]:
        return
    wanted = _shape(shape)
    if len(shape) == 1:
        wanted = f"{shape[0]} numbers or a matrix with {shape[0]} columns"
    raise StepcalcError(
        f"--weights: expected {wanted} (one per unit of --input), got {_shape(weights.shape)}"
    )


def dropout_trace(
    x: Any,
    ctx: Ctx,
    keep_prob: float,
    modes: tuple[str, ...] = MODES,
    mask: Any = None,
    seed: int | None = None,
    weights: Any = None,
    grad_output: Any = None,
    samples: int | None = None,
    drop_prob: float | None = None,
) -> Trace:
    """Both kinds of dropout on ``x`` with one mask (given, or drawn with ``seed``)."""
    t = ctx.t
    x = np.asarray(x, dtype=float)
    if "inverted" in modes and keep_prob == 0:
        option = "--drop-prob" if drop_prob is not None else "--keep-prob"
        raise StepcalcError(
            f"{option}: keep probability 0 drops every unit and inverted dropout divides by "
            "it (division by zero); use --mode standard"
        )
    weights = None if weights is None else np.asarray(weights, dtype=float)
    if weights is not None:
        check_weights(weights, x.shape)
    if grad_output is not None:
        grad_output = np.asarray(grad_output, dtype=float)
        if grad_output.shape != x.shape:
            raise StepcalcError(
                f"--grad-output: shape {_shape(grad_output.shape)} does not match --input "
                f"{_shape(x.shape)}"
            )
    if samples is not None and samples * x.size > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"--samples: {samples:,} masks of {x.size:,} units is above the limit of "
            f"{limits.MAX_TENSOR_ELEMENTS:,} numbers"
        )
    rng = np.random.default_rng(seed) if seed is not None else None
    trace = Trace(
        command="dropout",
        title=t("dropout.title"),
        subtitle=t("dropout.subtitle", keep=f"{keep_prob:g}", drop=f"{1 - keep_prob:g}")
        + (t("dropout.seed", seed=seed) if seed is not None else ""),
        inputs={
            "input": x,
            "weights": weights,
            "mask": mask,
            "seed": seed,
            "keep_prob": keep_prob,
            "drop_prob": drop_prob,
            "mode": modes[0] if len(modes) == 1 else "both",
            "grad_output": grad_output,
            "samples": samples,
        },
    )
    trace.shown_inputs["x"] = x
    if weights is not None:
        trace.shown_inputs["W" if weights.ndim == 2 and x.ndim == 1 else "w"] = weights
    if drop_prob is not None:
        trace.add(
            Step(
                "forward",
                t("dropout.keep_from_drop"),
                "1 - drop_prob",
                keep_prob,
                {"drop_prob": drop_prob},
            )
        )
    if mask is None:
        uniforms, mask = draw_mask(x.shape, keep_prob, rng)
        trace.add(
            Step(
                "forward",
                t("dropout.draw"),
                "step(keep_prob - u)",
                mask,
                {"keep_prob": keep_prob, "u": uniforms},
                rule=t("dropout.draw_rule"),
            )
        )
        trace.notes.append(t("dropout.draw_note", seed=seed))
    else:
        mask = np.asarray(mask, dtype=float)
        check_mask(mask, x.shape)
        trace.shown_inputs["m"] = mask
    if x.ndim == 1 and x.size <= MAX_DIAGONAL:
        trace.add(Step("forward", t("dropout.diag"), "diag(m)", np.diag(mask), {"m": mask}))
    if x.ndim == 1 and weights is not None:
        trace.add(
            Step(
                "forward",
                t("dropout.weights_masked"),
                "W*m",
                weights * mask,
                {"W": weights, "m": mask},
                rule="W·D = W·diag(m)",
            )
        )
        trace.notes.append(t("dropout.columns_note"))
    trace.result = {}
    for mode in modes:
        trace.result[mode] = _mode(trace, mode, x, mask, keep_prob, weights, ctx)
    if samples is not None:
        _samples(trace, modes, x, keep_prob, weights, samples, rng, ctx)
    for mode in modes:
        if grad_output is not None:
            trace.result[mode]["grad_input"] = _backward(
                trace, mode, mask, keep_prob, grad_output, ctx
            )
        table = _mode_table(mode, x, mask, trace.result[mode], weights, ctx)
        trace.tables.insert(modes.index(mode), table)  # before the samples table
    trace.notes.append(t("dropout.keep_note"))
    if "standard" in modes and weights is not None:
        scaled = np.asarray(ctx.r(keep_prob * weights))
        trace.notes.append(t("dropout.slide_note", w=_fmt(scaled)))
    return trace


def _fmt(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:g}" for v in np.ravel(values)) + "]"


def _dot_step(title: str, weights: np.ndarray, h: np.ndarray, key: str, ctx: Ctx) -> Step:
    """z = w·h: written out term by term when short, else as dot(w, h)."""
    if weights.ndim == 2 and h.ndim == 1:
        return Step(
            "forward",
            title,
            "dot(W, h)",
            ctx.r(weighted_sum(weights, h)),
            {"W": weights, "h": h},
            key=key,
        )
    w, v = weights.ravel(), h.ravel()
    value = ctx.r(weighted_sum(w, v))
    if w.size > WRITTEN_OUT_TERMS:
        return Step("forward", title, "dot(w, h)", value, {"w": w, "h": v}, rule="Σ wᵢ·hᵢ", key=key)
    inputs: dict[str, Any] = {}
    terms = []
    for i in range(w.size):
        terms.append(f"w_{i}*h_{i}")
        inputs[f"w_{i}"] = float(w[i])
        inputs[f"h_{i}"] = float(v[i])
    return Step("forward", title, " + ".join(terms), value, inputs, rule="Σ wᵢ·hᵢ", key=key)


def _mode(trace, mode, x, mask, keep_prob, weights, ctx) -> dict[str, Any]:
    """Forward steps of one mode: train h, z_train, test h, z_test."""
    t = ctx.t
    name = t(f"dropout.{mode}")
    if mode == "standard":
        train = ctx.r(x * mask), "x*m", {"x": x, "m": mask}, "x ⊙ m = D·x"
        test = ctx.r(keep_prob * x), "keep_prob*x", {"keep_prob": keep_prob, "x": x}, "p_keep·x"
    else:
        inputs = {"x": x, "m": mask, "keep_prob": keep_prob}
        train = ctx.r(x * mask / keep_prob), "x*m/keep_prob", inputs, "x ⊙ m / p_keep"
        test = x.copy(), "x", {"x": x}, "x"
    out: dict[str, Any] = {"mask": mask}
    for part, (value, formula, inputs, rule) in (("train", train), ("test", test)):
        h = trace.add(
            Step(
                "forward",
                t(f"dropout.{part}_h", mode=name),
                formula,
                value,
                inputs,
                rule=rule,
                key=f"{mode}.{part}_output",
            )
        )
        out[f"{part}_output"] = h
        if weights is not None:
            title = t(f"dropout.z_{part}", mode=name)
            out[f"z_{part}"] = trace.add(_dot_step(title, weights, h, f"{mode}.z_{part}", ctx))
    return out


def _backward(trace, mode, mask, keep_prob, grad_output, ctx) -> Any:
    """∂L/∂x: the upstream gradient flows only through kept units (÷ p_keep when inverted)."""
    inputs = {"g": grad_output, "m": mask}
    if mode == "standard":
        value, formula, rule = grad_output * mask, "g*m", "∂L/∂h ⊙ m"
    else:
        inputs["keep_prob"] = keep_prob
        value, formula, rule = grad_output * mask / keep_prob, "g*m/keep_prob", "∂L/∂h ⊙ m / p_keep"
    title = ctx.t("dropout.grad", mode=ctx.t(f"dropout.{mode}"))
    step = Step(
        "backward", title, formula, ctx.r(value), inputs, rule=rule, key=f"{mode}.grad_input"
    )
    return trace.add(step)


def _mode_table(mode, x, mask, out, weights, ctx) -> Table:
    t = ctx.t
    per_unit = weights is not None and weights.shape == x.shape
    headers = ["", "x", "m", t("dropout.h_train"), t("dropout.h_test")]
    columns = [x, mask, out["train_output"], out["test_output"]]
    if per_unit:
        headers += ["w", "w·h " + t("dropout.train"), "w·h " + t("dropout.test")]
        columns += [weights, weights * out["train_output"], weights * out["test_output"]]
    if "grad_input" in out:
        headers.append("∂L/∂x")
        columns.append(out["grad_input"])
    flat = [np.ravel(c) for c in columns]
    rows = []
    for position, index in enumerate(np.ndindex(x.shape)):
        if position == MAX_TABLE_ROWS:
            break
        label = ",".join(str(i) for i in index) if len(index) != 1 else str(index[0])
        rows.append([label or "x"] + [float(c[position]) for c in flat])
    if per_unit:
        z_row = ["z", "", "", "", "", "", out["z_train"], out["z_test"]]
        rows.append(z_row + [""] * (len(headers) - len(z_row)))
    note = ""
    if x.size > MAX_TABLE_ROWS:
        note = t("dropout.rows_hidden", shown=MAX_TABLE_ROWS, total=x.size)
    return Table(t("dropout.table", mode=t(f"dropout.{mode}")), headers, rows, note)


def weighted_sum(weights: np.ndarray, h: np.ndarray) -> Any:
    """z = W·h for a weight matrix over a vector, else Σ w ⊙ h."""
    if weights.ndim == 2 and h.ndim == 1:
        return weights @ h
    return float(np.sum(weights * h))


def _samples(trace, modes, x, keep_prob, weights, samples, rng, ctx) -> None:
    """Average K fresh masks: the mean train output approaches the test output."""
    t = ctx.t
    masks = np.stack([draw_mask(x.shape, keep_prob, rng)[1] for _ in range(samples)])
    headers = ["k", "m"]
    shown: dict[str, Any] = {}
    for mode in modes:
        label = t(f"dropout.{mode}")
        trains = x * masks * (1.0 if mode == "standard" else 1.0 / keep_prob)
        quantities = [("train_output", "h", trains)]
        if weights is not None:
            z = np.array([weighted_sum(weights, h) for h in trains])
            quantities.append(("z_train", "z", z))
        for quantity, symbol, values in quantities:
            total = values.sum(axis=0)
            trace.result[mode][f"mean_{quantity}"] = trace.add(
                Step(
                    "forward",
                    t(f"dropout.mean_{symbol}", mode=label, k=samples),
                    "S/K",
                    ctx.r(total / samples),
                    {"S": total, "K": samples},
                    rule=f"({symbol}⁽¹⁾ + … + {symbol}⁽ᴷ⁾)/K",
                    key=f"{mode}.mean_{quantity}",
                )
            )
        quantity, symbol, values = quantities[-1]
        headers.append(f"{symbol} {label}")
        shown[mode] = (values, trace.result[mode][f"mean_{quantity}"])
    rows = []
    for k in range(min(samples, MAX_SAMPLE_ROWS)):
        rows.append([str(k + 1), masks[k]] + [_cell(shown[mode][0][k]) for mode in modes])
    rows.append([t("dropout.mean"), ""] + [_cell(shown[mode][1]) for mode in modes])
    note = t("dropout.samples_note")
    if samples > MAX_SAMPLE_ROWS:
        note = t("dropout.rows_hidden", shown=MAX_SAMPLE_ROWS, total=samples) + "; " + note
    trace.tables.append(Table(t("dropout.samples_table", k=samples), headers, rows, note))


def _cell(value: Any) -> Any:
    return float(value) if np.ndim(value) == 0 else value


NEW_SEEDS = 1_000_000
"""A seed chosen for the user is below this, short enough to type back."""


def run(args, ctx: Ctx) -> Trace:
    import secrets

    mask, seed, samples = args.mask, args.seed, args.samples
    if samples is None and "mask" in args.given and "seed" in args.given:
        if mask is not None and seed is not None:
            raise StepcalcError(
                "--seed: not used with --mask (give one of them, or add --samples)"
            )
    if args["keep-prob"] is not None:
        keep_prob, drop_prob = args["keep-prob"], None
    else:
        keep_prob, drop_prob = 1 - args["drop-prob"], args["drop-prob"]
    if seed is None and (mask is None or samples is not None):
        seed = args["seed"] = secrets.randbelow(NEW_SEEDS)  # a --check re-run sees the same mask
    return dropout_trace(
        args.input,
        ctx,
        keep_prob,
        modes=MODES if args.mode == "both" else (args.mode,),
        mask=mask,
        seed=seed,
        weights=args.weights,
        grad_output=args["grad-output"],
        samples=samples,
        drop_prob=drop_prob,
    )
