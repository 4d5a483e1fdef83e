"""Turning a Trace into text: terminal tables, JSON, Markdown or LaTeX."""

from __future__ import annotations

from stepcalc.errors import InputError
from stepcalc.render.common import View
from stepcalc.trace import Trace

__all__ = ["View", "emit"]


def emit(trace: Trace, view: View) -> str:
    if view.format == "dot":
        if trace.dot is None:
            raise InputError("format", "dot_only", command=trace.command)
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
