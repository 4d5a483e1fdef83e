"""Terminal plots for the optional ``plot`` extra (uniplot), as Tables a Trace can carry."""

from __future__ import annotations

import math
from collections.abc import Sequence

from stepcalc.trace import Table

WIDTH, HEIGHT = 56, 12


def _finite(series: Sequence[Sequence[float | None]]) -> list[list[float]]:
    return [
        [float(v) if v is not None and math.isfinite(v) else float("nan") for v in s]
        for s in series
    ]


def line_plot(
    title: str,
    ys: Sequence[Sequence[float | None]],
    xs: Sequence[Sequence[float]],
    ascii_only: bool,
    labels: Sequence[str] | None = None,
) -> Table | None:
    """One or more lines in a text box; None when uniplot is not installed."""
    try:
        from uniplot import plot_to_string
    except ImportError:
        return None
    options = dict(width=WIDTH, height=HEIGHT, character_set="ascii", color=False, lines=True)
    if labels and len(labels) > 1:
        options["legend_labels"] = list(labels)  # one mark per series, readable without colour
    text = plot_to_string(_finite(ys), _finite(xs), **options)
    text = text if isinstance(text, str) else "\n".join(text)
    if ascii_only:
        text = text.translate(str.maketrans("┌┐└┘─│", "++++-|"))
    return Table(title, [""], [[text]])
