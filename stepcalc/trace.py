"""The one data model: every calculator returns a Trace, every renderer takes one.

Imports nothing of the package, so every module may use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PHASES = ("forward", "backward", "update")


@dataclass
class Step:
    """One worked step: ``symbol = formula``, the formula's operands, and its value.

    The value is the formula put to the operands (``stepcalc.formula.Work`` computes it so);
    every format writes the rule, the numbers and the value from these fields alone.
    """

    phase: str
    title: str
    formula: str
    """SymPy-syntax right-hand side over the operand names."""
    operands: dict[str, Any]
    value: Any
    symbol: str = ""
    """The quantity on the left (``dL_dW_conv2``); empty when the step only shows a value."""
    key: str | None = None
    """The result quantity this step produces, when it produces one."""
    note: str = ""
    name: str = ""
    """What ``--only`` calls this step (default: its key, else its symbol)."""

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"unknown phase {self.phase!r}")
        self.name = self.name or self.key or self.symbol


@dataclass
class Table:
    """An extra table a command wants shown (side-by-side comparisons, truth tables...)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Trace:
    command: str
    inputs: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    shown_inputs: dict[str, Any] = field(default_factory=dict)
    """Tensors shown side by side above the steps (the slides' "input I, kernel W")."""
    tables: list[Table] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    """Result keys shown in the closing summary; default: every result key."""
    check: dict[str, Any] | None = None
    dot: str | None = None
    """Graphviz DOT text of the problem's graph, for ``--format dot`` (graph only)."""

    def add(self, step: Step) -> Any:
        self.steps.append(step)
        return step.value


def round_half_up(value: Any, decimals: int) -> Any:
    """Round as on paper: halves away from zero, on the number as it is printed."""
    if isinstance(value, int) or value is None:  # bools, and counts: nothing to round
        return value
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return value
        if abs(value) >= 2**53:  # nothing after the point to round (and beyond Decimal's 28 digits)
            return value + 0.0 if isinstance(value, float) else value
        from decimal import ROUND_HALF_UP, Context, Decimal  # only hand mode needs it

        quantum = Decimal(1).scaleb(-decimals)
        exact = Decimal(repr(float(value)))
        rounded = float(exact.quantize(quantum, rounding=ROUND_HALF_UP, context=Context(prec=60)))
        return rounded + 0.0
    if isinstance(value, list | tuple):
        return [round_half_up(v, decimals) for v in value]
    import numpy as np

    array = np.asarray(value, dtype=float)
    flat = [round_half_up(float(v), decimals) for v in array.ravel()]
    return np.array(flat, dtype=float).reshape(array.shape)


def round_on_paper(value: Any, decimals: int) -> Any:
    """Half-up rounding, except that a nonzero number keeps its first significant digit
    rather than becoming 0 (a student writes ε = 0.00000001, not 0.00, and never divides
    by a zero that rounding made)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        rounded = round_half_up(value, decimals)
        if rounded == 0 and value != 0 and math.isfinite(value):
            return round_half_up(value, max(decimals, -math.floor(math.log10(abs(value)))))
        return rounded
    if isinstance(value, list | tuple):
        return [round_on_paper(item, decimals) for item in value]
    import numpy as np

    array = np.asarray(value, dtype=float)
    flat = [round_on_paper(float(item), decimals) for item in array.ravel()]
    return np.array(flat, dtype=float).reshape(array.shape)


def plain(value: Any) -> Any:
    """Plain JSON-able Python: arrays to nested lists, NaN and infinities to None, -0.0 to 0.0."""
    if type(value) is float:  # the common case first (long trajectories are mostly floats)
        return value + 0.0 if value - value == 0.0 else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, bool | int | float):
        return plain(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return float(value) + 0.0
    return value
