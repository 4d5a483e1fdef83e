"""LaTeX for notes: a document that pdflatex compiles, each step an ``align*`` chain
``symbol = rule = numbers = value`` with ``pmatrix`` matrices and ``\\frac`` derivatives.

``SYMBOLS`` is the one map from the Unicode of titles and notes to LaTeX; the drill's
worksheets use it too.
"""

from __future__ import annotations

import re
from typing import Any

from stepcalc.i18n import t
from stepcalc.render.common import View, check_report, flat_result, fmt_inline, tidy_exponents
from stepcalc.render.math import LatexStyle, chain, latex_tensor
from stepcalc.trace import Trace, plain

SYMBOLS = {
    "∂": r"\partial",
    "⊙": r"\odot",
    "⋆": r"\star",
    "·": r"\cdot",
    "×": r"\times",
    "−": "-",
    "σ": r"\sigma",
    "μ": r"\mu",
    "η": r"\eta",
    "ε": r"\varepsilon",
    "θ": r"\theta",
    "β": r"\beta",
    "α": r"\alpha",
    "γ": r"\gamma",
    "λ": r"\lambda",
    "ρ": r"\rho",
    "δ": r"\delta",
    "Δ": r"\Delta",
    "τ": r"\tau",
    "π": r"\pi",
    "φ": r"\varphi",
    "Φ": r"\Phi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Σ": r"\Sigma",
    "Π": r"\Pi",
    "√": r"\surd",
    "≈": r"\approx",
    "≤": r"\le",
    "≥": r"\ge",
    "≠": r"\neq",
    "±": r"\pm",
    "∈": r"\in",
    "→": r"\to",
    "←": r"\leftarrow",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "∞": r"\infty",
    "…": r"\dots",
    "⋯": r"\cdots",
    "⋮": r"\vdots",
    "′": "'",
    "²": "^{2}",
    "³": "^{3}",
    "¹": "^{1}",
    "ᵗ": "^{t}",
    "ᵀ": r"^{\top}",
    "⁻¹": "^{-1}",
    "₀": "_{0}",
    "₁": "_{1}",
    "₂": "_{2}",
    "₃": "_{3}",
    "½": r"\tfrac{1}{2}",
    "‖": r"\|",
    "∇": r"\nabla",
    "÷": r"\div",
    "°": r"^{\circ}",
}
"""Unicode math in titles and notes, as LaTeX math."""
_TEXT = {
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
    "•": r"\textbullet{}",
    "—": "---",
    "–": "--",
    "“": "``",
    "”": "''",
    "’": "'",
    "‘": "`",
}
_ACCENTS = {"\u0302": r"\hat", "\u0304": r"\bar"}


def latex_text(text: str) -> str:
    """Running text for LaTeX: specials escaped, Unicode math as inline math."""
    text = tidy_exponents(text)
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        following = text[index + 1] if index + 1 < len(text) else ""
        if following in _ACCENTS:
            out.append(f"${_ACCENTS[following]}{{{ch}}}$")
            index += 2
            continue
        if text.startswith("⁻¹", index):
            out.append("$^{-1}$")
            index += 2
            continue
        if ch in SYMBOLS:
            out.append(f"${SYMBOLS[ch]}$")
        elif ch == "Ŷ":
            out.append(r"$\hat{Y}$")
        elif ch == "ŷ":
            out.append(r"$\hat{y}$")
        else:
            out.append(_TEXT.get(ch, ch))
        index += 1
    return "".join(out).replace("$$", "").replace("--", "-{}-")


def chain_tex(step, decimals: int) -> str:
    """A step's chain as ``align*`` rows: one part a row, aligned at the signs."""
    equation = chain(step, LatexStyle(decimals))
    rows = ["".join(p for p in equation.parts[0] if isinstance(p, str))]
    for relation, part in zip(equation.relations, equation.parts[1:], strict=True):
        sign = r"\approx" if relation == "≈" else "="
        lines = _lines(part)
        rows += [f"&{sign} " + lines[0], *(r"&\quad " + line for line in lines[1:])]
    last = equation.parts[-1]
    if len(rows) > 2 and len(last) == 1 and "pmatrix" not in last[0] and len(last[0]) < 16:
        value = rows.pop()
        rows[-1] += " " + value[1:]
    if len(rows) > 1 and step.symbol:
        rows[0] += " " + rows.pop(1)
    elif len(rows) > 1:
        rows[0] = "&" + rows[0]
    return " \\\\\n".join(rows)


ROW = 110
"""LaTeX source characters after which a long sum continues on the next row."""


def _lines(pieces: list) -> list[str]:
    """A part in rows that fit the page: a long sum breaks before a top-level + or −."""
    lines, depth = [""], 0
    for piece in pieces:
        if isinstance(piece, str):
            lines[-1] += piece
            depth += piece.count("{") - piece.count("}") + piece.count(r"\left")
            depth -= piece.count(r"\right")
        elif piece.depth == 0 and depth == 0 and len(lines[-1]) > ROW:
            lines.append("")
    return lines


def value_tex(value: Any, decimals: int) -> str:
    value = plain(value)
    if isinstance(value, str):
        return r"\text{" + latex_text(value) + "}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return r"\text{" + latex_text(fmt_inline(value, decimals)) + "}"
    return latex_tensor(value, decimals)


PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setcounter{MaxMatrixCols}{20}
"""


def document(body: list[str], korean: bool = False) -> str:
    """A whole document; Korean text needs the kotex package (XeLaTeX or pdfLaTeX)."""
    preamble = PREAMBLE + (r"\usepackage{kotex}" + "\n" if korean else "")
    return preamble + "\\begin{document}\n" + "\n".join(body) + "\n\\end{document}\n"


def trace_body(trace: Trace, view: View) -> list[str]:
    def tr(key: str, **params: Any) -> str:
        return t(f"core.{key}", view.lang, **params)

    lines = [r"\section*{" + latex_text(trace.title or trace.command) + "}"]
    if trace.subtitle:
        lines.append(r"\noindent\textit{" + latex_text(trace.subtitle) + r"}\par")
    if trace.shown_inputs:
        shown = [
            _name_tex(name) + " = " + value_tex(v, view.decimals)
            for name, v in trace.shown_inputs.items()
        ]
        lines += [r"\[", r" \qquad ".join(shown), r"\]"]
    phase = None
    for step in trace.steps:
        if step.phase != phase and len({s.phase for s in trace.steps}) > 1:
            phase = step.phase
            lines.append(r"\subsection*{" + latex_text(tr(phase)) + "}")
        title = step.title + (f" ({step.note})" if step.note else "")
        lines.append(r"\paragraph{" + latex_text(title) + "}")
        lines += [r"\begin{align*}", chain_tex(step, view.decimals), r"\end{align*}"]
    for table in trace.tables:
        lines += _table_tex(table, view.decimals)
    if trace.notes:
        lines.append(r"\begin{itemize}")
        lines += [r"\item " + latex_text(note) for note in trace.notes]
        lines.append(r"\end{itemize}")
    lines.append(r"\subsection*{" + latex_text(tr("result")) + "}")
    lines.append(r"\begin{align*}")
    rows = [
        r"\text{" + latex_text(key) + r"} &= " + value_tex(value, view.decimals)
        for key, value in flat_result(trace).items()
    ]
    lines.append(" \\\\\n".join(rows))
    lines.append(r"\end{align*}")
    if trace.check is not None:
        header, report = check_report(trace.check, view)
        lines += [r"\paragraph{" + latex_text(header) + "}", r"\begin{itemize}"]
        lines += [r"\item " + latex_text(line) for line in report]
        lines.append(r"\end{itemize}")
    return lines


def _name_tex(name: str) -> str:
    from stepcalc.render.math import symbol

    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return symbol(name, "latex")
    return r"\text{" + latex_text(name) + "}"


def _table_tex(table, decimals: int) -> list[str]:
    """An extra table (node rows, truth tables …) as a tabular; a text plot as verbatim."""
    lines = [r"\paragraph{" + latex_text(table.title) + "}"] if table.title else []
    cells = [cell for row in table.rows for cell in row]
    if any(isinstance(cell, str) and "\n" in cell for cell in cells):
        for cell in cells:
            lines += [r"\begin{verbatim}", str(cell), r"\end{verbatim}"]
        return lines
    lines.append(r"\begin{tabular}{" + "l" * len(table.columns) + "}")
    lines.append(" & ".join(latex_text(str(c)) for c in table.columns) + r" \\ \hline")
    for row in table.rows:
        texts = [
            latex_text(c) if isinstance(c, str) else "$" + value_tex(c, decimals) + "$" for c in row
        ]
        lines.append(" & ".join(texts) + r" \\")
    lines.append(r"\end{tabular}")
    if table.note:
        lines.append(r"\par\noindent " + latex_text(table.note) + r"\par")
    return lines


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f" for ch in text)


def render(trace: Trace, view: View) -> str:
    body = trace_body(trace, view)
    return document(body, korean=has_hangul("".join(body)))
