"""Formatting shared by the text renderers: numbers, tensors, formulas with numbers put in."""

from __future__ import annotations

import re
from typing import Any

from stepcalc.trace import plain, round_half_up

ELIDE_AFTER = 8
"""Rows or columns beyond this are elided in tables (first and last three are kept)."""
KEEP = 3

_GREEK = {
    "alpha": "α",
    "beta1": "β₁",
    "beta2": "β₂",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "eps": "ε",
    "epsilon": "ε",
    "eta": "η",
    "lr": "η",
    "theta": "θ",
    "lam": "λ",
    "lambda_": "λ",
    "mu": "μ",
    "rho": "ρ",
    "sigma": "σ",
    "sigmoid": "σ",
    "tau": "τ",
    "phi": "φ",
    "Phi": "Φ",
}
_SUPERSCRIPT = str.maketrans("0123456789-+tnk()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵗⁿᵏ⁽⁾")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\*\*|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\S")


def fmt_number(value: Any, decimals: int = 4) -> str:
    """A number for people: integers plainly, others to ``decimals`` places, never ``-0``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 100_000 else str(value)
    number = float(value)
    if number != number:
        return "nan"
    if number in (float("inf"), float("-inf")):
        return "∞" if number > 0 else "−∞"
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if abs(number) < 0.5 * 10.0 ** (-decimals) or abs(number) >= 1e12:
        text = f"{number:.{max(decimals, 1)}g}"
        mantissa, _, exponent = text.partition("e")
        if exponent:
            return f"{mantissa}e{int(exponent)}"
        return text
    # Half up on the number as printed, as on paper (2.5 → 3 at --decimals 0, 0.125 → 0.13).
    text = f"{round_half_up(number, decimals):.{decimals}f}"
    if "." in text:  # never strip the zeros of a whole number ("10" at --decimals 0)
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_inline(value: Any, decimals: int = 4) -> str:
    """A scalar or tensor on one line: ``[[1, 2], [3, 4]]``, elided when large."""
    value = plain(value)
    if isinstance(value, list):
        items = value
        if len(items) > ELIDE_AFTER:
            items = [*value[:KEEP], ..., *value[-KEEP:]]
        return (
            "["
            + ", ".join("…" if item is ... else fmt_inline(item, decimals) for item in items)
            + "]"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt_inline(v, decimals)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return value
    return fmt_number(value, decimals)


def shown_decimals(item: dict[str, Any], view: Any) -> int:
    """Decimals for the correct value of a wrong answer: as many as the student wrote."""
    from stepcalc.parse import decimals_written

    given = item.get("given_cell")
    written = decimals_written(given) if isinstance(given, int | float) else None
    return written if written else view.decimals


def is_tensor(value: Any) -> bool:
    value = plain(value)
    return isinstance(value, list) and bool(value) and isinstance(value[0], list)


def matrix_lines(value: Any, decimals: int = 4) -> list[str]:
    """Rows of a 2-D (or stacked 3-D/4-D) tensor as aligned text lines, elided when large."""
    value = plain(value)
    if not isinstance(value, list):
        return [fmt_number(value, decimals)]
    if not value or not isinstance(value[0], list):
        return [fmt_inline(value, decimals)]
    if isinstance(value[0][0], list):
        lines: list[str] = []
        blocks = _elide(list(range(len(value))))
        for index in blocks:
            if index is ...:
                lines.append("⋮")
                continue
            if lines:
                lines.append("")
            label = f"[{index}]"
            for n, line in enumerate(matrix_lines(value[index], decimals)):
                lines.append(f"{label if n == 0 else ' ' * len(label)} {line}")
        return lines
    rows = _elide(value)
    table = []
    for row in rows:
        if row is ...:
            table.append(None)
            continue
        table.append(["…" if cell is ... else fmt_number(cell, decimals) for cell in _elide(row)])
    width = max((len(c) for row in table if row for c in row), default=1)
    out = []
    for row in table:
        if row is None:
            out.append("⋮")
        else:
            out.append("  ".join(cell.rjust(width) for cell in row))
    return out


def _elide(items: list) -> list:
    if len(items) > ELIDE_AFTER:
        return [*items[:KEEP], ..., *items[-KEEP:]]
    return items


def pretty_formula(formula: str, ascii_only: bool = False) -> str:
    """A SymPy-syntax formula for people: ``beta1*m + (1 - beta1)*g`` → ``β₁·m + (1 − β₁)·g``."""
    if ascii_only:
        return formula
    out: list[str] = []
    tokens = _TOKEN.findall(formula)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "**" and i + 1 < len(tokens) and re.fullmatch(r"\d+|[tnk]", tokens[i + 1]):
            out.append(tokens[i + 1].translate(_SUPERSCRIPT))
            i += 2
            continue
        if token == "**":
            out.append("^")
        elif token == "*":
            out.append("·")
        elif token == "-":
            out.append("−")
        elif token == "sqrt":
            out.append("√")
        elif token in ("Max", "Min") and i + 1 < len(tokens) and tokens[i + 1] == "(":
            out.append(token.lower())
        elif _IDENTIFIER.fullmatch(token):
            out.append(pretty_name(token))
        else:
            out.append(token)
        i += 1
    return _space(out)


def pretty_name(name: str) -> str:
    if name in _GREEK:
        return _GREEK[name]
    base, _, tail = name.partition("_")
    if base in _GREEK and tail:
        return _GREEK[base] + "_" + tail
    return name


def _space(tokens: list[str]) -> str:
    text = ""
    for index, token in enumerate(tokens):
        binary = index > 0 and tokens[index - 1] not in ("(", ",", "^", "·", "/", "*", "**")
        if token in ("+", "−", "-", "=", "<", ">") and binary:
            text += f" {token} "
        elif token == ",":
            text += ", "
        else:
            text += token
    return text.replace("  ", " ").strip()


def substitute(formula: str, inputs: dict[str, Any], decimals: int, ascii_only: bool) -> str:
    """The formula with each scalar input put in; tensor inputs keep their names."""
    if not inputs:
        return ""
    tokens = _TOKEN.findall(formula)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        previous = tokens[i - 1] if i else ""
        if token in inputs and not (i + 1 < len(tokens) and tokens[i + 1] == "("):
            value = plain(inputs[token])
            if isinstance(value, list):
                long_name = token if ascii_only else pretty_name(token)
                text = fmt_inline(value, decimals) if len(str(value)) <= 40 else long_name
                out.append(text if not ascii_only else text.replace("…", "..."))
            else:
                text = fmt_number(value, decimals)
                following = tokens[i + 1] if i + 1 < len(tokens) else ""
                if text.startswith("-") and (previous not in ("", "(", ",") or following == "**"):
                    text = f"({text})"
                if "e" in text and previous in ("**",):
                    text = f"({text})"
                out.append(text if ascii_only else text.replace("-", "−"))
            i += 1
            continue
        if token == "**" and not ascii_only:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt in inputs and not isinstance(plain(inputs[nxt]), list):
                power = fmt_number(inputs[nxt], decimals)
                if re.fullmatch(r"\d+", power):
                    nxt = power
            if re.fullmatch(r"\d+", nxt):
                out.append(nxt.translate(_SUPERSCRIPT))
                i += 2
                continue
            out.append("^")
        elif token == "*":
            out.append("*" if ascii_only else "·")
        elif token == "-":
            out.append("-" if ascii_only else "−")
        elif token == "sqrt" and not ascii_only:
            out.append("√")
        elif token in ("Max", "Min") and i + 1 < len(tokens) and tokens[i + 1] == "(":
            out.append(token.lower())  # SymPy's names; the slides write max(…)
        elif _IDENTIFIER.fullmatch(token) and not ascii_only:
            out.append(pretty_name(token))
        else:
            out.append(token)
        i += 1
    return _space(out)


def to_ascii(text: str) -> str:
    """Swap the Unicode symbols of formulas and tables for ASCII ones."""
    table = {
        "·": "*",
        "−": "-",
        "√": "sqrt",
        "⊙": "*",
        "σ": "sigma",
        "ε": "eps",
        "θ": "theta",
        "η": "lr",
        "β₁": "beta1",
        "β₂": "beta2",
        "β": "beta",
        "α": "alpha",
        "γ": "gamma",
        "λ": "lambda",
        "μ": "mu",
        "ρ": "rho",
        "δ": "delta",
        "τ": "tau",
        "Σ": "sum",
        "…": "...",
        "⋮": ":",
        "→": "->",
        "←": "<-",
        "×": "x",
        "≤": "<=",
        "≥": ">=",
        "≠": "!=",
        "≈": "~",
        "∂": "d",
        "ᵀ": "^T",
        "′": "'",
        "²": "^2",
        "³": "^3",
        "ᵗ": "^t",
        "—": "-",
        "–": "-",
        "∞": "inf",
        "⁻¹": "^-1",
        "₀": "0",
        "₁": "1",
        "₂": "2",
        "₃": "3",
        "ᵢ": "i",
        "ⱼ": "j",
        "Φ": "Phi",
        "φ": "phi",
        "Ŷ": "Y_hat",
        "\u0302": "_hat",
        "ḡ": "g_bar",
        "°": " deg",
        "±": "+/-",
        "¹": "^1",
        "½": "1/2",
        "÷": "/",
        "ˣ": "^x",
        "Δ": "Delta",
        "Π": "prod",
        "π": "pi",
        "ψ": "psi",
        "ᴷ": "^K",
        "ᵏ": "^k",
        "‖": "||",
        "•": "*",
        "⁰": "^0",
        "⁴": "^4",
        "⁵": "^5",
        "⁶": "^6",
        "⁷": "^7",
        "⁸": "^8",
        "⁹": "^9",
        "⁺": "^+",
        "⁻": "^-",
        "⁽": "^(",
        "⁾": ")",
        "ⁿ": "^n",
        "∇": "grad ",
        "∈": " in ",
        "─": "-",
        "│": "|",
        "┌": "+",
        "┐": "+",
        "└": "+",
        "┘": "+",
        "⋆": "(*)",
        "⊛": "(*)",
        "✓": "ok",
        "✗": "x",
        "⌊": "floor(",
        "⌋": ")",
        "⌈": "ceil(",
        "⌉": ")",
        "ŷ": "y_hat",
        "m̂": "m_hat",
        "v̂": "v_hat",
    }
    for symbol, replacement in table.items():
        text = text.replace(symbol, replacement)
    # Hangul stays: --ascii --lang ko is for terminals that lack box drawing, not Korean.
    return "".join(ch if ch.isascii() or _is_hangul(ch) else "?" for ch in text)


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f" or "\u1100" <= ch <= "\u11ff"
