"""``stepcalc dropout``: standard and inverted dropout on one activation vector."""

from __future__ import annotations

from stepcalc.errors import StepcalcError
from stepcalc.problem import Command, Opt, Problem
from stepcalc.trace import Ctx, Trace

MAX_SAMPLES = 100_000
NEW_SEEDS = 1_000_000
"""A seed chosen for the user is below this, short enough to type back."""


def run(p: Problem, ctx: Ctx) -> Trace:
    import secrets

    from stepcalc.calc.dropout import MODES, dropout_trace

    x = p.tensor("input")
    if x is None:
        p.require("input")
    if not p.has("samples"):  # with --samples a mask and a seed go together
        p.prefer_command_line("mask", "seed")
    keep_prob, drop_prob = _probabilities(p)
    mode = p.choice("mode", (*MODES, "both"))
    mask = p.tensor("mask")
    samples = p.int("samples", minimum=1)
    if samples is not None and samples > MAX_SAMPLES:
        raise StepcalcError(f"--samples: at most {MAX_SAMPLES:,}")
    seed = p.int("seed")
    if seed is not None and seed < 0:
        raise StepcalcError(f"--seed: must be at least 0, got {seed}")
    if mask is not None and seed is not None and samples is None:
        raise StepcalcError("--seed: not used with --mask (give one of them, or add --samples)")
    if seed is None and (mask is None or samples is not None):
        seed = secrets.randbelow(NEW_SEEDS)
        p.values["seed"] = seed  # a --check re-run must see the same mask
    return dropout_trace(
        x,
        ctx,
        keep_prob,
        modes=MODES if mode == "both" else (mode,),
        mask=mask,
        seed=seed,
        weights=p.tensor("weights"),
        grad_output=p.tensor("grad-output"),
        samples=samples,
        drop_prob=drop_prob,
    )


def _probabilities(p: Problem) -> tuple[float, float | None]:
    """The keep probability, and the drop probability when that is what was given."""
    given = [name for name in ("keep-prob", "drop-prob") if p.has(name)]
    if len(given) != 1:
        raise StepcalcError(
            "--keep-prob/--drop-prob: give exactly one (the slides' p is the keep probability, "
            "PyTorch's p the drop probability)"
        )
    name = given[0]
    value = p.scalar(name)
    if not 0 <= value <= 1:
        raise StepcalcError(f"--{name}: {value:g} is not a probability in [0, 1]")
    if name == "keep-prob":
        return value, None
    return 1 - value, value


COMMAND = Command(
    name="dropout",
    help="Standard vs inverted dropout: mask, train/test outputs, z = w·h, backward.",
    options=(
        Opt("input", "Activations x (vector, or any tensor).", metavar="X"),
        Opt("weights", "Weights w (one per unit) or a matrix W, for z = w·h.", metavar="W"),
        Opt("keep-prob", "Probability of keeping a unit (the slides' p).", metavar="P"),
        Opt("drop-prob", "Probability of dropping a unit (PyTorch's p).", metavar="P"),
        Opt("mask", "The mask, 0/1 per unit (1 = kept).", metavar="M"),
        Opt("seed", "Seed of NumPy's default_rng for a random mask.", metavar="N"),
        Opt(
            "mode",
            "standard, inverted or both.",
            default="both",
            metavar="standard|inverted|both",
        ),
        Opt("grad-output", "Upstream gradient ∂L/∂h, same shape as the input.", metavar="G"),
        Opt("samples", "Average K random masks (expected train output).", metavar="K"),
    ),
    alternatives=(("keep-prob", "drop-prob"),),
    run=run,
)
