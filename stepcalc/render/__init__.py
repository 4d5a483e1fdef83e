"""Turning a Trace into text: terminal tables, JSON, Markdown or LaTeX."""

from __future__ import annotations

from dataclasses import dataclass

from stepcalc.errors import StepcalcError
from stepcalc.trace import Trace

FORMATS = ("table", "json", "markdown", "latex", "dot")


@dataclass(frozen=True)
class View:
    """How to show a Trace."""

    format: str = "table"
    decimals: int = 4
    ascii: bool = False
    lang: str = "en"


def emit(trace: Trace, view: View) -> str:
    if view.format == "dot":
        if trace.dot is None:
            raise StepcalcError(f"--format: dot is only for graph, not {trace.command}")
        return trace.dot
    if view.format == "json":
        from stepcalc.render.json import render
    elif view.format == "markdown":
        from stepcalc.render.markdown import render
    elif view.format == "latex":
        from stepcalc.render.latex import render
    else:
        from stepcalc.render.terminal import render
    return render(trace, view)
