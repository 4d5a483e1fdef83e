"""LaTeX for notes: an ``align*`` of rule = numbers = value per step, matrices as bmatrix."""

from __future__ import annotations

from typing import Any

from stepcalc.i18n import t
from stepcalc.render import View
from stepcalc.render.common import fmt_inline, fmt_number
from stepcalc.trace import Trace, plain

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape(text: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def value_tex(value: Any, decimals: int) -> str:
    value = plain(value)
    if isinstance(value, list) and value and isinstance(value[0], list):
        if isinstance(value[0][0], list):
            return r",\ ".join(value_tex(v, decimals) for v in value)
        rows = [" & ".join(fmt_number(c, decimals) for c in row) for row in value]
        return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    if isinstance(value, list):
        return (
            r"\begin{bmatrix}"
            + " & ".join(fmt_number(c, decimals) for c in value)
            + (r"\end{bmatrix}")
        )
    if isinstance(value, int | float) or value is None:
        return fmt_number(value, decimals).replace("−", "-")
    return r"\text{" + escape(fmt_inline(value, decimals)) + "}"


def _table_tex(table, decimals: int) -> list[str]:
    """An extra table (node rows, truth tables …) as a tabular; a text plot as verbatim."""
    lines = [r"\paragraph{" + escape(table.title) + "}"] if table.title else []
    cells = [cell for row in table.rows for cell in row]
    if any(isinstance(cell, str) and "\n" in cell for cell in cells):
        for cell in cells:
            lines += [r"\begin{verbatim}", str(cell), r"\end{verbatim}"]
        return lines
    lines.append(r"\begin{tabular}{" + "l" * len(table.columns) + "}")
    lines.append(" & ".join(escape(str(c)) for c in table.columns) + r" \\ \hline")
    for row in table.rows:
        texts = [
            escape(c) if isinstance(c, str) else "$" + value_tex(c, decimals) + "$" for c in row
        ]
        lines.append(" & ".join(texts) + r" \\")
    lines.append(r"\end{tabular}")
    if table.note:
        lines.append(r"\par\noindent " + escape(table.note) + r"\par")
    return lines


def render(trace: Trace, view: View) -> str:
    from stepcalc.symbolic import formula_latex, substituted_latex

    lines = [r"\subsection*{" + escape(trace.title or trace.command) + "}"]
    if trace.subtitle:
        lines.append(r"\textit{" + escape(trace.subtitle) + "}")
    if trace.steps:
        lines.append(r"\begin{align*}")
        for step in trace.steps:
            rule = (
                formula_latex(step.formula)
                if step.verify
                else r"\text{" + escape(step.formula) + "}"
            )
            numbers = (
                substituted_latex(step.formula, step.inputs, view.decimals)
                if (step.verify and step.inputs)
                else ""
            )
            parts = [rule] + ([numbers] if numbers and numbers != rule else [])
            parts.append(value_tex(step.value, view.decimals))
            lines.append(r"\text{" + escape(step.title) + r"}:&\quad " + " = ".join(parts) + r" \\")
        lines.append(r"\end{align*}")
    for table in trace.tables:
        lines += _table_tex(table, view.decimals)
    for note in trace.notes:
        lines.append(r"\noindent " + escape(note) + r"\par")
    result = plain(trace.result)
    lines.append(r"\paragraph{" + escape(t("core.result", view.lang)) + "}")
    lines.append(r"\begin{align*}")
    for key in trace.summary or list(result):
        lines.append(
            r"\text{" + escape(key) + r"} &= " + value_tex(result.get(key), view.decimals) + r" \\"
        )
    lines.append(r"\end{align*}")
    if trace.check is not None:
        lines.append(r"\begin{itemize}")
        for item in trace.check["items"]:
            lines.append(
                r"\item \texttt{"
                + escape(item["quantity"])
                + "}: "
                + escape(t(f"core.{item['verdict']}", view.lang))
            )
        lines.append(r"\end{itemize}")
    return "\n".join(lines) + "\n"
