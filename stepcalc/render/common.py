"""Formatting shared by the text renderers: numbers, tensors, formulas with numbers put in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stepcalc.trace import plain, round_half_up


@dataclass(frozen=True)
class View:
    """How to show a Trace."""

    format: str = "table"
    decimals: int = 4
    ascii: bool = False
    lang: str = "en"


ELIDE_AFTER = 8
"""Rows or columns beyond this are elided in tables (first and last three are kept)."""
KEEP = 3


def fmt_number(value: Any, decimals: int = 4, given: bool = False) -> str:
    """A number for people: integers plainly, others to ``decimals`` places, never ``-0``;
    below 10^(2 − decimals) with ``decimals`` significant digits (1.999e−5, never 0.0001 for
    it), from 10⁹ in scientific notation. A ``given`` number (an input, a hyper-parameter)
    that is short as written (0.999, 1e−8) is shown whole: rounding it would make the
    arithmetic on screen false."""
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
    if given and _significant(repr(number)) <= 6:
        return _plain_float(repr(number))
    small = 10.0 ** (2 - decimals) if decimals > 2 else 0.5 * 10.0 ** (-decimals)
    if abs(number) < small or abs(number) >= 1e9:
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


def rank(value: Any) -> int:
    """Dimensions of a tensor, a nested list or an array alike (0 for a number)."""
    if hasattr(value, "ndim"):
        return value.ndim
    return 1 + rank(value[0]) if isinstance(value, list | tuple) and value else 0


def kept(count: int, keep: int = KEEP, limit: int = ELIDE_AFTER) -> list[int | None]:
    """Indices shown of ``count``: all, or the first and last ``keep`` around a gap (None)."""
    if count <= limit:
        return list(range(count))
    return [*range(keep), None, *range(count - keep, count)]


def _significant(text: str) -> int:
    digits = text.lstrip("-").partition("e")[0].replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def _plain_float(text: str) -> str:
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else text


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


_ASCII = dict(
    pair.replace("␣", " ").split("=", 1)
    for pair in (
        "␣·␣=␣|␣ ·=* −=- ⊙=* ×=x ⋆=(*) ⊛=(*) √=sqrt ∂=d Σ=sum Π=prod ∇=grad␣ ≈=~ ≤=<= ≥=>= ≠=!= "
        "±=+/- ÷=/ →=-> ←=<- ∈=␣in␣ …=... ⋯=... ⋮=: —=- –=- ─=- │=| ┌=+ ┐=+ └=+ ┘=+ •=* "
        "‖=|| °=␣deg ∞=inf ⌊=floor( ⌋=) ⌈=ceil( ⌉=) ✓=ok ✗=x ′=' ᵀ=^T ⁻¹=^-1 ½=1/2 "
        "σ=sigma ε=eps θ=theta η=lr β₁=beta1 β₂=beta2 β=beta α=alpha γ=gamma λ=lambda μ=mu "
        "ρ=rho δ=delta Δ=Delta τ=tau π=pi ψ=psi φ=phi Φ=Phi ω=omega Ŷ=Y_hat ŷ=y_hat "
        "\u0302=_hat \u0304=_bar ḡ=g_bar ₀=0 ₁=1 ₂=2 ₃=3 ᵢ=i ⱼ=j ²=^2 ³=^3 ¹=^1 ⁰=^0 ⁴=^4 "
        "⁵=^5 ⁶=^6 ⁷=^7 ⁸=^8 ⁹=^9 ᵗ=^t ⁿ=^n ᵏ=^k ˣ=^x ᴷ=^K ⁺=^+ ⁻=^- ⁽=^( ⁾=)"
    ).split()
)
"""Unicode symbols of formulas and tables, as ASCII (``␣`` stands for a space)."""


_EXPONENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-])0*(\d+)\b")


def tidy_exponents(text: str) -> str:
    """Python's ``1e-08`` in running text written as the steps write it, ``1e−8``."""
    return _EXPONENT.sub(lambda m: f"{m[1]}e{'−' if m[2] == '-' else ''}{m[3]}", text)


def to_ascii(text: str) -> str:
    """Swap the Unicode symbols of formulas and tables for ASCII ones; Hangul stays
    (``--ascii --lang ko`` is for terminals that lack box drawing, not Korean)."""
    for symbol, replacement in _ASCII.items():
        text = text.replace(symbol, replacement)
    return "".join(ch if ch.isascii() or _is_hangul(ch) else "?" for ch in text)


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f" or "\u1100" <= ch <= "\u11ff"


def flat_result(trace) -> dict[str, Any]:
    """The summary's result keys, nested groups as dotted names (``updated.w_cls``), a short
    list of records by index (``updated.layers[0].weights``), as JSON paths read."""
    result = plain(trace.result)
    out: dict[str, Any] = {}

    def add(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                add(f"{name}.{key}", inner)
        elif isinstance(value, list) and value and isinstance(value[0], dict) and len(value) <= 8:
            for index, inner in enumerate(value):
                add(f"{name}[{index}]", inner)
        else:
            out[name] = value

    for key in trace.summary or list(result):
        add(key, result.get(key))
    return out


MARKS = {"correct": "O", "rounding": "~", "imprecise": "?", "wrong": "X"}


def check_report(check: dict[str, Any], view: View) -> tuple[str, list[str]]:
    """The check as text: a header that counts the verdicts, and a line per answer
    (mark, quantity, the answer, the verdict and what it says), in the view's language."""
    from stepcalc.i18n import t

    def tr(key: str, **values: Any) -> str:
        return t(f"core.{key}", view.lang, **values)

    items = check["items"]
    counts = {verdict: sum(i["verdict"] == verdict for i in items) for verdict in MARKS}
    one = "check_header_one" if len(items) == 1 else "check_header"
    lines = []
    for item in items:
        line = f"{MARKS[item['verdict']]}  {item['quantity']}   {fmt_inline(item['given'], 12)}"
        detail = _detail(item, view, tr)
        lines.append(f"{line}   {tr(item['verdict'])}" + (f": {detail}" if detail else ""))
    return tr(one, n=len(items), **counts), lines


def _detail(item: dict[str, Any], view: View, tr) -> str:
    if item["verdict"] == "imprecise":
        return tr("imprecise_detail", sig=item["sig"], expected=fmt_inline(item["advice"], 15))
    if item["verdict"] == "rounding":
        hand, exact = item["hand"], fmt_inline(item["expected"], 10)
        if isinstance(hand["round_steps"], list):
            (k0, k1), (low, high) = hand["round_steps"], hand["value"]
            low, high = fmt_inline(low, 10), fmt_inline(high, 10)
            return tr("hand_path_mixed", exact=exact, k0=k0, k1=k1, low=low, high=high)
        value = fmt_inline(hand["value"], 10)
        return tr("hand_path", exact=exact, k=hand["round_steps"], hand=value)
    if item["verdict"] != "wrong":
        return ""
    if "note" in item:
        return item["note"]
    detail = tr("should_be", expected=fmt_inline(item["expected_cell"], shown_decimals(item, view)))
    if item.get("index"):
        detail += " " + tr("at_cell", index="".join(f"[{i}]" for i in item["index"]))
    if item.get("step"):
        detail += " (" + tr("see_step", title=item["step"]) + ")"
    return detail
