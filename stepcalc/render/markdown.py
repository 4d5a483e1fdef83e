"""Markdown for notes: each step's chain in a ``$$…$$`` block of the same LaTeX as
``--format latex`` (notes apps render it), extra tables as Markdown tables."""

from __future__ import annotations

from typing import Any

from stepcalc.i18n import t
from stepcalc.render.common import (
    View,
    check_report,
    flat_result,
    fmt_inline,
    rank,
    tidy_exponents,
    to_ascii,
)
from stepcalc.render.latex import _name_tex, chain_tex, value_tex
from stepcalc.trace import Trace


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _math(rows: str) -> list[str]:
    return ["$$", r"\begin{aligned}", rows, r"\end{aligned}", "$$", ""]


def render(trace: Trace, view: View) -> str:
    def tr(key: str, **params: Any) -> str:
        return t(f"core.{key}", view.lang, **params)

    def value(v: Any) -> str:
        """A table cell: a number as text, a tensor as an inline matrix."""
        if rank(v) == 0 or (isinstance(v, list) and isinstance(v[0], dict)):
            return fmt_inline(v, view.decimals)
        return "$" + value_tex(v, view.decimals) + "$"

    lines = [f"## {trace.title or trace.command}", ""]
    if trace.subtitle:
        lines += [f"*{tidy_exponents(trace.subtitle)}*", ""]
    if trace.shown_inputs:
        shown = [
            _name_tex(name) + " = " + value_tex(v, view.decimals)
            for name, v in trace.shown_inputs.items()
        ]
        lines += ["$$", r" \qquad ".join(shown), "$$", ""]
    phase = None
    several = len({step.phase for step in trace.steps}) > 1
    for step in trace.steps:
        if step.phase != phase and several:
            phase = step.phase
            lines += [f"### {tr(phase)}", ""]
        title = step.title + (f" ({step.note})" if step.note else "")
        lines += [f"**{title}**", ""]
        lines += _math(chain_tex(step, view.decimals))
    for table in trace.tables:
        lines += [f"**{table.title}**", ""]
        lines.append("| " + " | ".join(_cell(str(c)) for c in table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        for row in table.rows:
            cells = [c if isinstance(c, str) else value(c) for c in row]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        if table.note:
            lines += ["", table.note]
        lines.append("")
    if trace.notes:
        notes = [f"- {tidy_exponents(note)}" for note in trace.notes]
        lines += [f"**{tr('notes')}**", "", *notes, ""]
    lines += [f"**{tr('result')}**", ""]
    rows = [
        r"\text{" + key.replace("_", r"\_") + r"} &= " + value_tex(value, view.decimals)
        for key, value in flat_result(trace).items()
    ]
    lines += _math(" \\\\\n".join(rows))
    if trace.check is not None:
        header, report = check_report(trace.check, view)
        lines += [f"**{header}**", "", *(f"- {line}" for line in report), ""]
    text = "\n".join(lines)
    return to_ascii(text) if view.ascii else text
