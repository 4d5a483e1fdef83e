"""Writing a step's formula: the rule, the rule with its numbers put in, and the value.

One writer walks the formula tree for every format; a ``Style`` says how each format spells
symbols, numbers, tensors and operators. The terminal style leaves tensors as ``Mat`` pieces
that the terminal draws as bracketed matrices; LaTeX writes ``pmatrix``; the plain style
writes SymPy syntax with full-precision numbers (JSON's ``substituted``).

Signs, one per meaning: ``·`` a product with a scalar, ``⊙`` an element-wise product of two
tensors, ``×`` a matrix product, ``⋆`` cross-correlation, ``−`` minus, ``[x > 0]`` Iverson's
bracket (1 when true, else 0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from stepcalc import expr
from stepcalc.formula import FUNCTIONS, NEGATED, evaluate, parse
from stepcalc.render.common import fmt_number, kept, rank
from stepcalc.trace import plain

SUM, PROD, NEG, POW, ATOM = 1, 2, 3, 4, 5
FOLLOWS_UP_TO = 4096
"""Steps with more operand elements than this are marked ≈ without being redone."""
EXPAND_UP_TO = 25
"""A sum over at most this many elements is written out term by term (1·1 + 2·0 + …)."""

_SUPER = str.maketrans("0123456789-−+()tnkijT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺⁽⁾ᵗⁿᵏⁱʲᵀ")
_SUPERABLE = re.compile(r"[0-9−\-+()tnkijT]+")

GREEK = dict(
    pair.split("=")
    for pair in "alpha=α beta=β gamma=γ delta=δ Delta=Δ eps=ε epsilon=ε eta=η lr=η theta=θ "
    "lam=λ mu=μ rho=ρ sigma=σ tau=τ phi=φ psi=ψ omega=ω pi=π var=σ²".split()
)
"""Operand names written as Greek letters (``lr`` is the slides' η, ``var`` σ²)."""
_GREEK_TEX = {
    "eps": r"\varepsilon",
    "epsilon": r"\varepsilon",
    "lr": r"\eta",
    "lam": r"\lambda",
    "phi": r"\varphi",
    "var": r"\sigma^2",
}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_DERIVATIVE = re.compile(r"d([A-Za-z][A-Za-z0-9]{0,2})_d([A-Za-z].*)")
_ACCENTS = {"hat": ("\u0302", r"\hat"), "bar": ("\u0304", r"\bar"), "prime": ("′", "")}


@dataclass(frozen=True)
class Mat:
    """A tensor operand or value, drawn by the terminal as a bracketed matrix; a ``given``
    one (an operand) keeps its short numbers whole, a ``column`` vector stands upright."""

    value: Any
    given: bool = False
    column: bool = False


@dataclass(frozen=True)
class Brk:
    """A place where a long line may break: before an operator, ``depth`` parentheses in."""

    depth: int


Piece = str | Mat | Brk

SHORT_GROUP = 24
"""Characters of a parenthesised group of plain text broken across lines only when nothing
else fits (after the matrices around it have been drawn narrower)."""
LAST_RESORT = 100


# ------------------------------------------------------------------ symbols


def symbol(name: str, style: str = "unicode") -> str:
    """An operand name as each format writes it: ``dL_dW_conv2`` → ∂L/∂W_conv2,
    ``beta1`` → β₁, ``m_hat`` → m̂, ``Out_conv1`` → Out_conv1 (LaTeX ``\\mathrm{Out}_{…}``)."""
    if name.endswith("]") and "[" in name:
        base, _, index = name.partition("[")
        return symbol(base, style) + "[" + index
    derivative = _DERIVATIVE.fullmatch(name)
    if derivative:
        top, bottom = derivative.group(1), symbol(derivative.group(2), style)
        top = symbol(top, style)
        if style == "latex":
            return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
        return f"d{top}/d{bottom}" if style == "ascii" else f"∂{top}/∂{bottom}"
    base, _, rest = name.partition("_")
    accent = None
    if rest in _ACCENTS or rest.endswith(("_hat", "_bar", "_prime")):
        rest, _, accent = rest.rpartition("_") if "_" in rest else ("", "", rest)
    if style == "ascii":
        text = base + (f"_{rest}" if rest else "")
        return text + (f"_{accent}" if accent else "")
    head = _letters(base, style)
    if accent:
        mark, command = _ACCENTS[accent]
        if style == "latex":
            head = f"{command}{{{head}}}" if command else head + "'"
        else:
            head += mark
    if not rest:
        return head
    if style == "latex":
        inner = symbol(rest, "latex") if rest in GREEK else _latex_word(rest)
        return f"{head}_{{{inner}}}"
    return f"{head}_{symbol(rest, style) if rest in GREEK else rest}"


def _letters(base: str, style: str) -> str:
    """A name without its subscript: Greek by name, trailing digits as a subscript."""
    match = re.fullmatch(r"([A-Za-z]+?)(\d*)", base)
    word, digits = (match.group(1), match.group(2)) if match else (base, "")
    if word in GREEK or (len(word) == 1 and digits):  # β₁, x₁ (but conv1 stays conv1)
        letter = word if word not in GREEK else GREEK[word]
        if style == "latex":
            letter = _GREEK_TEX.get(word, "\\" + word) if word in GREEK else word
            return letter + (f"_{{{digits}}}" if digits else "")
        return letter + digits.translate(_SUBSCRIPT)
    if style == "latex":
        return _latex_word(base)
    return base


def _latex_word(word: str) -> str:
    word = word.replace("_", r"\_")
    return word if len(word) == 1 or word.isdigit() else rf"\mathrm{{{word}}}"


# ------------------------------------------------------------------ styles


class Style:
    """The unicode terminal style; the others override what they spell differently."""

    name = "unicode"
    times, odot, minus = "·", "⊙", "−"
    superscripts = True

    def __init__(self, decimals: int = 4):
        self.decimals = decimals

    def symbol(self, name: str) -> str:
        return symbol(name, self.name)

    def number(self, value: Any, given: bool = False) -> str:
        return fmt_number(value, self.decimals, given).replace("-", "−")

    def constant(self, value: float) -> str:
        return _exact(value).replace("-", self.minus)

    def tensor(self, value: Any, given: bool = False, column: bool = False) -> Piece:
        return Mat(value, given, column)

    def head(self, name: str, fn) -> str:
        return fn.text or name

    def paren(self, pieces: list[Piece]) -> list[Piece]:
        return ["(", *pieces, ")"]

    def frac(self, top: list[Piece], bottom: list[Piece]) -> list[Piece] | None:
        return None

    def power(self, base: list[Piece], exponent: list[Piece], exp_prec: int) -> list[Piece]:
        text = "".join(p for p in exponent if isinstance(p, str))
        plain_text = all(isinstance(p, str) for p in exponent)
        if self.superscripts and plain_text and _SUPERABLE.fullmatch(text):
            return [*base, text.translate(_SUPER)]
        return [*base, "^", *(exponent if exp_prec >= ATOM else self.paren(exponent))]

    def sqrt(self, arg: list[Piece], prec: int) -> list[Piece]:
        return ["√", *(arg if prec >= ATOM else self.paren(arg))]


class AsciiStyle(Style):
    name = "ascii"
    times, odot, minus = "*", "*", "-"
    superscripts = False

    def number(self, value: Any, given: bool = False) -> str:
        return fmt_number(value, self.decimals, given).replace("−", "-")

    def head(self, name: str, fn) -> str:
        return fn.ascii or name

    def sqrt(self, arg: list[Piece], prec: int) -> list[Piece]:
        return ["sqrt", *self.paren(arg)]


class LatexStyle(Style):
    name = "latex"
    times, odot, minus = r" \cdot ", r" \odot ", "-"
    superscripts = False

    def number(self, value: Any, given: bool = False) -> str:
        return latex_number(fmt_number(value, self.decimals, given))

    def constant(self, value: float) -> str:
        return latex_number(_exact(value))

    def tensor(self, value: Any, given: bool = False, column: bool = False) -> Piece:
        return latex_tensor(value, self.decimals, given, column)

    def head(self, name: str, fn) -> str:
        return fn.latex or r"\operatorname{" + name.replace("_", r"\_") + "}"

    def paren(self, pieces: list[Piece]) -> list[Piece]:
        return [r"\left(", *pieces, r"\right)"]

    def frac(self, top: list[Piece], bottom: list[Piece]) -> list[Piece]:
        return [r"\frac{", *top, "}{", *bottom, "}"]

    def power(self, base: list[Piece], exponent: list[Piece], exp_prec: int) -> list[Piece]:
        return [*base, "^{", *exponent, "}"]

    def sqrt(self, arg: list[Piece], prec: int) -> list[Piece]:
        return [r"\sqrt{", *arg, "}"]


class PlainStyle(Style):
    """SymPy syntax with the numbers put in at full precision (JSON's ``substituted``)."""

    name = "plain"
    times, odot, minus = "*", "*", "-"
    superscripts = False

    def symbol(self, name: str) -> str:
        return name

    def number(self, value: Any, given: bool = False) -> str:
        return _exact(value)

    def tensor(self, value: Any, given: bool = False, column: bool = False) -> Piece:
        return _nested(plain(value))

    def head(self, name: str, fn) -> str:
        return name

    def power(self, base: list[Piece], exponent: list[Piece], exp_prec: int) -> list[Piece]:
        return [*base, "**", *(exponent if exp_prec >= ATOM else self.paren(exponent))]

    def sqrt(self, arg: list[Piece], prec: int) -> list[Piece]:
        return ["sqrt", *self.paren(arg)]


def _exact(value: Any) -> str:
    """A formula's own constant, or a number at full precision: never rounded."""
    if value is None:
        return "nan"
    number = float(value)
    if number != number:
        return "nan"
    if number in (float("inf"), float("-inf")):
        return "oo" if number > 0 else "-oo"
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


def _nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return _exact(value)


def latex_number(text: str) -> str:
    text = text.replace("−", "-").replace(",", "{,}")
    if text == "∞":
        return r"\infty"
    if text == "−∞" or text == "-∞":
        return r"-\infty"
    mantissa, e, exponent = text.partition("e")
    if e and exponent.lstrip("+-").isdigit():
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex_tensor(value: Any, decimals: int, given: bool = False, column: bool = False) -> str:
    """A ``pmatrix`` (a vector as one row, or a column), elided as the terminal elides."""
    order = rank(value)
    if order == 0:
        return latex_number(fmt_number(value, decimals, given))
    if order > 2:
        slices = [
            r"\cdots" if i is None else latex_tensor(value[i], decimals, given)
            for i in kept(len(value))
        ]
        return r",\ ".join(slices)
    rows = ([[v] for v in value] if column else [value]) if order == 1 else value
    lines = [
        r"\vdots"
        if i is None
        else " & ".join(
            r"\cdots" if j is None else latex_number(fmt_number(rows[i][j], decimals, given))
            for j in kept(len(rows[i]))
        )
        for i in kept(len(rows))
    ]
    return r"\begin{pmatrix}" + r" \\ ".join(lines) + r"\end{pmatrix}"


# ------------------------------------------------------------------ the writer


class _Writer:
    def __init__(self, style: Style, operands: dict[str, Any], substitute: bool):
        self.style = style
        self.operands = operands
        self.substitute = substitute
        self.breaks = style.name != "plain"

    # Each method returns (pieces, precedence).

    def write(self, node, env: dict[str, Any], first: bool = True) -> tuple[list[Piece], int]:
        """``first``: the node starts its term, so a leading minus needs no parentheses."""
        if isinstance(node, expr.Num):
            return [self.style.constant(node.value)], ATOM
        if isinstance(node, expr.Var):
            return self.var(node.name, env, first)
        if isinstance(node, expr.Neg):
            pieces = [self.style.minus, *self.operand(node.operand, env, NEG + 1, False)]
            return (pieces, NEG) if first else (self.paren(pieces), ATOM)
        if isinstance(node, expr.BinOp):
            return self.binary(node, env, first)
        return self.call(node, env)

    def var(self, name: str, env: dict[str, Any], first: bool) -> tuple[list[Piece], int]:
        if not self.substitute or name not in env:
            return [self.style.symbol(name)], ATOM
        value = env[name]
        if _is_tensor(value):
            return [self.style.tensor(value, given=True)], ATOM
        text = self.style.number(value, given=True)
        if not text.startswith(("−", "-")):
            return [text], ATOM
        return ([text], NEG) if first else (self.paren([text]), ATOM)

    def paren(self, pieces: list[Piece]) -> list[Piece]:
        """Parentheses; a line break inside them is one level less welcome, and one inside
        a short group such as ``(2048 − 1)`` is a last resort (``LAST_RESORT`` deep)."""
        words = [p for p in pieces if not isinstance(p, Brk)]
        short = all(isinstance(p, str) for p in words) and sum(map(len, words)) <= SHORT_GROUP
        step = LAST_RESORT if short else 1
        deeper = [Brk(p.depth + step) if isinstance(p, Brk) else p for p in pieces]
        return self.style.paren(deeper)

    def operand(self, node, env, need: int, first: bool) -> list[Piece]:
        pieces, prec = self.write(node, env, first)
        if prec < need:  # inside parentheses a term starts afresh
            return self.paren(self.write(node, env, True)[0])
        return pieces

    def binary(self, node: expr.BinOp, env, first: bool) -> tuple[list[Piece], int]:
        op = node.op
        if op in "+-":
            left = self.operand(node.left, env, SUM, first)
            right = self.operand(node.right, env, SUM + (op == "-"), False)
            sign = "+" if op == "+" else self.style.minus
            return [*left, *self.brk(), f" {sign} ", *right], SUM
        if op == "**":
            base = self.operand(node.left, env, ATOM, first)
            exponent, exp_prec = self.write(node.right, env)
            return self.style.power(base, exponent, exp_prec), POW
        if op == "/":
            fraction = self.style.frac(
                self.write(node.left, env)[0], self.write(node.right, env)[0]
            )
            if fraction is not None:
                return fraction, ATOM
            left = self.operand(node.left, env, PROD, first)
            right = self.operand(node.right, env, PROD + 1, False)
            return [*left, "/", *right], PROD
        left = self.operand(node.left, env, PROD, first)
        right = self.operand(node.right, env, PROD, False)
        elementwise = _is_tensor(self.value(node.left, env)) and _is_tensor(
            self.value(node.right, env)
        )
        if elementwise and self.breaks:
            return [*left, *self.brk(), f" {self.style.odot} ", *right], PROD
        return [*left, self.style.odot if elementwise else self.style.times, *right], PROD

    def brk(self) -> list[Piece]:
        return [Brk(0)] if self.breaks else []

    def value(self, node, env: dict[str, Any]) -> Any:
        try:
            return _node_value(node, env)
        except Exception:  # noqa: BLE001 - only the sign (· or ⊙) depends on it
            return 0.0

    def call(self, node: expr.Call, env) -> tuple[list[Piece], int]:
        fn = FUNCTIONS[node.name]
        style = self.style
        if node.name in ("sum", "mean") and self.substitute:
            expanded = self.expand(node, env)
            if expanded is not None:
                return expanded
        if style.name == "plain":
            return self.plain_call(node, env)
        kind = fn.kind
        if kind == "prefix" and node.name == "sqrt":
            inner, prec = self.write(node.args[0], env)
            return style.sqrt(inner, prec), POW
        if kind == "prefix":
            if style.name == "ascii":
                return [
                    style.head(node.name, fn),
                    *self.paren(self.write(node.args[0], env)[0]),
                ], ATOM
            inner = self.operand(node.args[0], env, PROD, True)
            return [style.head(node.name, fn), " ", *inner], PROD
        if kind == "wrap":
            inner = self.write(node.args[0], env)[0]
            if style.name == "ascii" and fn.ascii:
                return [fn.ascii, *self.paren(inner)], ATOM
            left, right = _WRAPS[node.name][style.name == "latex"]
            return [left, *inner, right], ATOM
        if kind == "infix":
            left = self.operand(node.args[0], env, PROD, True)
            right = self.operand(node.args[1], env, PROD + 1, False)
            vector = node.args[1].name if isinstance(node.args[1], expr.Var) else None
            if node.name == "matmul" and self.substitute and rank(env.get(vector)) == 1:
                right = [style.tensor(env[vector], given=True, column=True)]  # W × x: x a column
            return [*left, *self.brk(), f" {style.head(node.name, fn)} ", *right], PROD
        if kind == "postfix":
            inner = self.operand(node.args[0], env, ATOM, True)
            return [*inner, style.head(node.name, fn)], POW
        if kind == "compare":
            return ["[", *self.comparison(node, env, node.name), "]"], ATOM
        if kind == "where":
            return self.where(node, env)
        args = [self.write(arg, env)[0] for arg in node.args]
        joined: list[Piece] = []
        for index, arg in enumerate(args):
            joined += ([", ", *self.brk()] if index else []) + arg
        if kind == "tuple":
            return self.paren(joined), ATOM
        return [style.head(node.name, fn), *self.paren(joined)], ATOM

    def comparison(self, node: expr.Call, env, name: str) -> list[Piece]:
        fn = FUNCTIONS[name]
        left = self.write(node.args[0], env)[0]
        right = self.operand(node.args[1], env, SUM, False)
        sign = (
            fn.latex
            if self.style.name == "latex"
            else (fn.ascii if self.style.name == "ascii" and fn.ascii else fn.text)
        )
        return [*left, f" {sign} ", *right]

    def where(self, node: expr.Call, env) -> tuple[list[Piece], int]:
        condition, yes, no = node.args
        if not (isinstance(condition, expr.Call) and condition.name in NEGATED):
            raise ValueError("where() takes a comparison first")
        pieces: list[Piece] = []
        for name, branch in ((condition.name, yes), (NEGATED[condition.name], no)):
            if isinstance(branch, expr.Num) and branch.value == 0:
                continue
            if pieces:
                pieces += [*self.brk(), " + "]
            bracket = ["[", *self.comparison(condition, env, name), "]"]
            value = self.operand(branch, env, PROD, False)
            pieces += [*bracket, self.style.times, *value]
        return pieces or [self.style.constant(0)], SUM

    def plain_call(self, node: expr.Call, env) -> tuple[list[Piece], int]:
        joined: list[Piece] = []
        for index, arg in enumerate(node.args):
            joined += ([", "] if index else []) + self.write(arg, env)[0]
        return [node.name, "(", *joined, ")"], ATOM

    def expand(self, node: expr.Call, env) -> tuple[list[Piece], int] | None:
        """Σ and mean over a few elements, written term by term as on paper."""
        arg = node.args[0]
        if not _elementwise(arg):
            return None
        names = expr.variables_of(arg)
        tensors = {n: env[n] for n in names if n in env and _is_tensor(env[n])}
        if not tensors:
            return None
        import numpy as np

        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in tensors.values()))
        except ValueError:
            return None
        size = int(np.prod(shape))
        if not 0 < size <= EXPAND_UP_TO:
            return None
        arrays = {n: np.broadcast_to(np.asarray(v, dtype=float), shape) for n, v in tensors.items()}
        pieces: list[Piece] = []
        for index in np.ndindex(shape):
            cell = {**env, **{n: float(a[index]) for n, a in arrays.items()}}
            term = self.operand(arg, cell, SUM, not pieces)
            if pieces:
                pieces += [*self.brk(), " + "]
            pieces += term
        if node.name == "mean":
            count = self.style.constant(size)
            if self.style.name == "latex":
                return self.style.frac(pieces, [count]), ATOM
            return [*self.paren(pieces), "/", count], PROD
        return pieces, SUM


_WRAPS = {
    "abs": (("|", "|"), (r"\lvert ", r" \rvert")),
    "floor": (("⌊", "⌋"), (r"\lfloor ", r" \rfloor")),
    "ceil": (("⌈", "⌉"), (r"\lceil ", r" \rceil")),
}

_NODE_FUNCTIONS: dict[int, Any] = {}


def _node_value(node, env: dict[str, Any]) -> Any:
    """A sub-formula's value (only its shape matters: ``·`` or ``⊙``)."""
    from stepcalc.formula import _compile, bind

    if not any(_is_tensor(v) for v in env.values()):
        return 0.0  # numbers only: a number (and no NumPy to load)
    function = _NODE_FUNCTIONS.get(id(node))
    if function is None:
        function = _NODE_FUNCTIONS[id(node)] = (node, _compile(node))
    import numpy as np

    with np.errstate(all="ignore"):
        return function[1](bind(env))


def _is_tensor(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return True
    return getattr(value, "ndim", 0) > 0


def _elementwise(node) -> bool:
    if isinstance(node, expr.Num | expr.Var):
        return True
    if isinstance(node, expr.Neg):
        return _elementwise(node.operand)
    if isinstance(node, expr.BinOp):
        return _elementwise(node.left) and _elementwise(node.right)
    return FUNCTIONS[node.name].elementwise and all(_elementwise(a) for a in node.args)


# ------------------------------------------------------------------ a step's chain


def write(formula: str, operands: dict[str, Any], style: Style, substitute: bool) -> list[Piece]:
    writer = _Writer(style, operands, substitute)
    return writer.write(parse(formula), operands)[0]


def text(pieces: list[Piece]) -> str:
    """Pieces as one line (tensors written by the style)."""
    return "".join(p for p in pieces if isinstance(p, str))


def follows(formula: str, operands: dict[str, Any], value: Any, decimals: int) -> bool:
    """True when the value, as shown, follows from the operands as shown: a student redoing
    the arithmetic from the screen gets the screen's answer."""
    sizes = [getattr(v, "size", len(v) if isinstance(v, list) else 1) for v in operands.values()]
    if sum(sizes) > FOLLOWS_UP_TO:  # far more than is shown: not redone, and not claimed
        return False
    shown = {name: _as_shown(v, decimals) for name, v in operands.items()}
    try:
        again = evaluate(formula, shown)
    except Exception:  # noqa: BLE001 - a value that cannot be redone is not claimed equal
        return False
    return _shown_text(again, decimals, tidy=True) == _shown_text(value, decimals)


def _as_shown(value: Any, decimals: int) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if _is_tensor(value):
        import numpy as np

        array = np.asarray(value, dtype=float)
        flat = [_as_shown(float(v), decimals) for v in array.ravel()]
        return np.array(flat, dtype=float).reshape(array.shape)
    shown = fmt_number(value, decimals, given=True).replace(",", "").replace("−", "-")
    try:
        return float(shown)
    except ValueError:
        return value


def _shown_text(value: Any, decimals: int, tidy: bool = False) -> str:
    """The value as shown; ``tidy`` first drops the float noise of redoing the arithmetic
    (1.29694999999 is the 1.29695 a student gets by hand)."""
    value = plain(value)
    if isinstance(value, list):
        return "[" + ",".join(_shown_text(v, decimals, tidy) for v in value) + "]"
    if tidy and isinstance(value, float) and math.isfinite(value):
        value = float(f"{value:.12g}")
    return fmt_number(value, decimals)


@dataclass
class Chain:
    """``symbol = rule = numbers = value`` of one step, as pieces per part."""

    parts: list[list[Piece]]
    relations: list[str]
    """The sign before each part after the first: ``=`` or ``≈``."""


def chain(step, style: Style) -> Chain:
    parts: list[list[Piece]] = [[style.symbol(step.symbol)]] if step.symbol else []
    for substitute in (False, True):
        if substitute and not step.operands:
            break
        pieces = write(step.formula, step.operands, style, substitute)
        if not parts or _key(pieces) != _key(parts[-1]):
            parts.append(pieces)
    relations = ["="] * (len(parts) - 1)
    value = [style.tensor(step.value)] if _is_tensor(step.value) else [style.number(step.value)]
    if _key(value) != _key(parts[-1]):
        exact = follows(step.formula, step.operands, step.value, style.decimals)
        parts.append(value)
        relations.append("=" if exact else "≈")
    return Chain(parts, relations)


def _key(pieces: list[Piece]) -> tuple:
    """What a part shows, to drop a part equal to the one before (``g = g = 0.1``)."""

    shown: list = [""]
    for piece in pieces:
        if isinstance(piece, Mat):
            import numpy as np

            array = np.asarray(piece.value, dtype=float)
            shown += [(array.shape, array.tobytes()), ""]
        elif isinstance(piece, str):
            shown[-1] += piece
    return tuple(shown)
