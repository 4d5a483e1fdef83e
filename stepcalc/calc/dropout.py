"""Dropout, standard and inverted, on one activation tensor, with one mask m (1 = kept):

    standard   train h = x ⊙ m            test h = p_keep·x     (the slides: W_test = p·W)
    inverted   train h = x ⊙ m / p_keep   test h = x            (PyTorch's nn.Dropout)

h = x ⊙ m = D·x with D = diag(m), so W·D is W with the columns of dropped units zeroed. With
p_keep = 0 inverted dropout does not divide (PyTorch's dropout with p = 1 returns zeros).
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from stepcalc import limits
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.formula import Work
from stepcalc.parse import format_shape
from stepcalc.trace import Table, Trace

MODES = ("standard", "inverted")
MAX_SAMPLE_ROWS = 10
MAX_DIAGONAL = 8  # D = diag(m) is shown as a matrix up to this many units
NEW_SEEDS = limits.MAX_DIMENSION  # a seed chosen for the user: short, and --seed takes it


def run(args, ctx: Ctx) -> Trace:
    """Both kinds of dropout on ``x`` with one mask (given, or drawn with ``seed``)."""
    x, mask, seed, samples, weights = args.input, args.mask, args.seed, args.samples, args.weights
    g, drop_prob = args["grad-output"], args["drop-prob"]
    if samples is None and mask is not None and seed is not None:
        raise InputError("seed", "dropout.seed_with_mask")
    keep_prob = 1 - drop_prob if drop_prob is not None else args["keep-prob"]
    _check(x, keep_prob, mask, weights, g, samples)
    if seed is None and (mask is None or samples is not None):
        seed = args["seed"] = secrets.randbelow(NEW_SEEDS)  # a --check re-run sees the same mask
    modes = MODES if args.mode == "both" else (args.mode,)
    t, rng = ctx.t, np.random.default_rng(seed)
    inputs = {k.replace("-", "_"): v for k, v in args.items()} | {"keep_prob": keep_prob}
    trace = Trace("dropout", inputs, title=t("dropout.title"), shown_inputs={"x": x})
    trace.subtitle = t("dropout.subtitle", keep=f"{keep_prob:g}", drop=f"{1 - keep_prob:g}")
    trace.subtitle += t("dropout.seed", seed=seed) if seed is not None else ""
    big = "W" if weights is not None and weights.ndim == 2 and x.ndim == 1 else "w"
    env = {"x": x, "m": mask, "dL_dh": g, "p_keep": keep_prob, "p_drop": drop_prob}
    if weights is not None:
        trace.shown_inputs[big] = env[big] = weights
    w = Work(trace, ctx, env=env, topic="dropout")
    if drop_prob is not None:
        w("keep_from_drop", "p_keep = 1 - p_drop")
    if mask is None:
        u = rng.random(x.shape)  # u ~ U[0, 1): a unit is kept (Bernoulli(p_keep)) when u < p_keep
        w("draw", "m = lt(u, p_keep)", u=u)
        trace.notes.append(t("dropout.draw_note", seed=seed))
    else:
        trace.shown_inputs["m"] = mask
    if x.ndim == 1 and x.size <= MAX_DIAGONAL:
        w("diag", "D = diag(m)")
    if x.ndim == 1 and weights is not None:
        w("weights_masked", f"{big}_D = " + (f"matmul({big}, D)" if "D" in env else f"{big}*m"))
        trace.notes.append(t("dropout.columns_note"))
    divide = keep_prob > 0  # p_keep = 0 drops every unit: nothing to divide (PyTorch's p = 1)
    trace.result = {mode: _mode(w, mode, divide) for mode in modes}
    if samples is not None:
        _samples(w, trace, modes, divide, samples, rng)
    if g is not None:
        w.phase = "backward"
        for mode in modes:
            rule = "dL_dh*m/p_keep" if mode == "inverted" and divide else "dL_dh*m"
            at, key = {"mode": t(f"dropout.{mode}")}, f"{mode}.grad_input"
            trace.result[mode]["grad_input"] = w("grad", f"dL_dx = {rule}", at=at, key=key)
    trace.notes.append(t("dropout.keep_note"))
    trace.notes += [t("dropout.drop_all")] * (not divide)
    trace.notes += [t("dropout.slide_note")] * ("standard" in modes and weights is not None)
    return trace


def _dot(w: Work, title: str, at: dict[str, Any], h: str, key: str) -> Any:
    """z = w·h: W × h for a matrix over a vector, else Σ w ⊙ h (written out when short)."""
    rule = f"matmul(W, {h})" if "W" in w.env else f"sum(w*{h})" if np.ndim(w.env["w"]) else f"w*{h}"
    return w(title, f"{h.replace('h', 'z', 1)} = {rule}", at=at, key=key)


def _mode(w: Work, mode: str, divide: bool) -> dict[str, Any]:
    """The mask, training and test outputs of one mode, and z = w·h of each (with weights)."""
    t, out = w.ctx.t, {"mask": w.env["m"]}
    at, weighted = {"mode": t(f"dropout.{mode}")}, "W" in w.env or "w" in w.env
    rules = {
        "train": "x*m/p_keep" if mode == "inverted" and divide else "x*m",
        "test": "p_keep*x" if mode == "standard" else "x",
    }
    for part, rule in rules.items():
        dropped_all = mode == "inverted" and part == "train" and not divide
        note, key = t("dropout.no_division") if dropped_all else "", f"{mode}.{part}_output"
        out[f"{part}_output"] = w(f"{part}_output", f"h_{part} = {rule}", at=at, key=key, note=note)
        if weighted:
            out[f"z_{part}"] = _dot(w, f"z_{part}", at, f"h_{part}", f"{mode}.z_{part}")
    return out


def _samples(w: Work, trace: Trace, modes, divide: bool, samples: int, rng) -> None:
    """Average K fresh masks (c counts how often each unit is kept): the mean training output
    approaches the test output."""
    t, env = w.ctx.t, w.env
    x, weights = env["x"], env.get("W", env.get("w"))
    masks = (rng.random((samples, *x.shape)) < env["p_keep"]).astype(float)
    env |= {"c": masks.sum(axis=0), "K": samples}
    rows = [[str(k + 1), _cell(m)] for k, m in enumerate(masks[:MAX_SAMPLE_ROWS])]
    rows.append([t("dropout.mean"), ""])
    for mode in modes:
        at, out = {"mode": t(f"dropout.{mode}"), "k": samples}, trace.result[mode]
        scale = env["p_keep"] if mode == "inverted" and divide else 1
        rule, key = "x*c/(K*p_keep)" if scale != 1 else "x*c/K", f"{mode}.mean_train_output"
        out["mean_train_output"] = w("mean_h", f"h_bar = {rule}", at=at, key=key)
        shown = [*(x * m / scale for m in masks[:MAX_SAMPLE_ROWS]), env["h_bar"]]
        if weights is not None:
            out["mean_z_train"] = _dot(w, "mean_z", at, "h_bar", f"{mode}.mean_z_train")
            shown = [weights @ h if "W" in env else np.sum(weights * h) for h in shown]
        for row, value in zip(rows, shown, strict=True):
            row.append(_cell(value))
    labels = [("z " if weights is not None else "h ") + t(f"dropout.{mode}") for mode in modes]
    note = t("dropout.samples_note")
    if samples > MAX_SAMPLE_ROWS:
        note = t("silu.rows_hidden", shown=MAX_SAMPLE_ROWS, total=samples) + "; " + note
    title = t("dropout.samples_table", k=samples)
    trace.tables.append(Table(title, ["k", "m", *labels], rows, note))


def _cell(value) -> Any:
    """A vector as one line of numbers (a table cell), a number as itself."""
    if np.ndim(value) == 0:
        return float(value)
    return "  ".join(f"{v:.4g}" for v in np.ravel(value))


def _check(x, keep_prob, mask, weights, g, samples) -> None:
    shape = format_shape
    for name, value in (("mask", mask), ("grad-output", g), ("weights", weights)):
        if value is not None and value.shape != x.shape and (name != "weights" or x.ndim != 1):
            raise InputError(name, "silu.shape", shape=shape(value.shape), input=shape(x.shape))
    bad = np.flatnonzero((mask != 0) & (mask != 1)) if mask is not None else []
    if len(bad):
        value = f"{mask.ravel()[bad[0]]:g}"
        raise InputError("mask", "dropout.mask_values", value=value, position=int(bad[0]))
    if keep_prob == 0 and mask is not None and mask.any():
        raise InputError("mask", "dropout.mask_keeps", position=int(np.flatnonzero(mask)[0]))
    if weights is not None and weights.shape not in (x.shape, (*weights.shape[:1], *x.shape)):
        raise InputError("weights", "dropout.weights_vector", n=x.size, shape=shape(weights.shape))
    if samples is not None and samples * x.size > limits.MAX_TENSOR_ELEMENTS:
        count, limit = f"{samples * x.size:,}", f"{limits.MAX_TENSOR_ELEMENTS:,}"
        raise InputError("samples", "too_many", count=count, limit=limit)
