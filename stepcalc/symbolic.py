"""Everything SymPy: derivatives of activations and of user expressions, kept in a cache.

SymPy differentiates a formula once; the result, a step formula (``gt(x, 0)`` for [x > 0]), is
stored in the user's cache directory under the formula, the stepcalc version and the SymPy
version, and later runs evaluate it with ``stepcalc.formula`` without importing SymPy. A missing
or corrupt cache means SymPy again; one that cannot be written is skipped. User text never
reaches SymPy's parser: expressions arrive as trees of ``stepcalc.expr``.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path
from typing import Any

from stepcalc import __version__, expr
from stepcalc.errors import InputError
from stepcalc.formula import FUNCTIONS, NEGATED, evaluate, parse

CACHE_FORMAT = 1  # raised when the stored forms change shape, so that old entries are not read
RELATIONS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def cache_dir() -> Path:
    """``$STEPCALC_CACHE_DIR``, else ``$XDG_CACHE_HOME/stepcalc``, else ``~/.cache/stepcalc``."""
    if os.environ.get("STEPCALC_CACHE_DIR"):
        return Path(os.environ["STEPCALC_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stepcalc"


@cache
def sympy_version() -> str:
    """SymPy's version from its metadata folder: neither SymPy nor ``importlib.metadata``
    (20 ms alone) is imported for it."""
    import importlib.util

    spec = importlib.util.find_spec("sympy")
    for location in (spec and spec.submodule_search_locations) or ():
        for info in sorted(Path(location).parent.glob("sympy-*.dist-info")):
            return info.name[len("sympy-") : -len(".dist-info")]
    from importlib.metadata import version

    return version("sympy")


def cached(kind: str, key: str, derive: Callable[[], Any], valid: Callable[[Any], Any]) -> Any:
    """``derive()`` (SymPy's work, plain JSON) stored under ``key`` and read back next time;
    a stored value that ``valid`` refuses (or that makes it raise) is derived again."""
    full = f"{CACHE_FORMAT}|{__version__}|{sympy_version()}|{kind}|{key}"
    data = full.encode()
    path = cache_dir() / f"{kind}-{zlib.crc32(data):08x}{zlib.adler32(data):08x}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry["key"] == full and valid(entry["value"]):
            return entry["value"]
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: SymPy again
        pass
    value = derive()
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:  # written beside and renamed into place: a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"key": full, "value": value}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
    return value


# ------------------------------------------------------------------ formulas ↔ SymPy


@cache
def _sympy():
    """SymPy, and σ, Φ, φ as functions of their own, so that derivatives read σ(x)(1 − σ(x))
    instead of a tower of exponentials."""
    import sympy

    def function(name: str, derivative: Callable):
        return type(name, (sympy.Function,), {"fdiff": lambda self, i=1: derivative(self)})

    phi = function("phi", lambda f: -f.args[0] * f)
    kept = {"sigmoid": function("sigmoid", lambda f: f * (1 - f)), "phi": phi}
    return sympy, kept | {"Phi": function("Phi", lambda f: phi(f.args[0]))}


def expression_to_sympy(node, named: bool = False):
    """A tree from ``stepcalc.expr`` as a SymPy expression over real symbols (no text is
    parsed). ``named`` keeps σ, Φ and φ whole; otherwise they are written out."""
    import operator

    sympy, kept = _sympy()
    to = partial(expression_to_sympy, named=named)
    if isinstance(node, expr.Num):
        value = node.value
        return sympy.Integer(int(value)) if float(value).is_integer() else sympy.Float(value)
    if isinstance(node, expr.Var):
        return sympy.Symbol(node.name, real=True)
    if isinstance(node, expr.Neg):
        return -to(node.operand)
    if isinstance(node, expr.BinOp):
        ops = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
        return ops.get(node.op, operator.pow)(to(node.left), to(node.right))
    if node.name in RELATIONS or node.name == "where":
        test = node.args[0] if node.name == "where" else node
        relation = sympy.Rel(*map(to, test.args), RELATIONS[test.name])
        yes, no = map(to, node.args[1:]) if node.name == "where" else (1, 0)
        return sympy.Piecewise((yes, relation), (no, True))
    functions = {
        "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
        "Phi": lambda u: (1 + sympy.erf(u / sympy.sqrt(2))) / 2,
        "phi": lambda u: sympy.exp(-(u**2) / 2) / sympy.sqrt(2 * sympy.pi),
        **(kept if named else {}),
    }
    functions |= {"abs": sympy.Abs, "max": sympy.Max, "min": sympy.Min}
    functions |= {"relu": lambda u: sympy.Max(0, u), "silu": lambda u: u * functions["sigmoid"](u)}
    function = functions.get(node.name) or getattr(sympy, node.name)
    return function(*map(to, node.args))


@cache
def _printer(order: str | None):
    """SymPy's printer, writing step formulas: [u > 0] (``gt``) for H(u), which is 0 at the kink
    as in PyTorch, abs, max and min of two, ``where`` for a Piecewise of single comparisons."""
    import sympy
    from sympy.printing.str import StrPrinter

    x, names = sympy.Symbol("x", real=True), {v: k for k, v in RELATIONS.items()}

    class House(StrPrinter):
        def _print_Float(self, e):
            return repr(float(e))

        def _print_Exp1(self, e):
            return "exp(1)"

        def _print_Function(self, e):
            name = {"Abs": "abs", "Max": "max", "Min": "min"}.get(type(e).__name__)
            name = name or type(e).__name__
            if name not in FUNCTIONS:
                raise ValueError(f"no step formula for {name}")
            text = self._print(e.args[-1])
            for arg in reversed(e.args[:-1]):
                text = f"{name}({self._print(arg)}, {text})"
            return text if len(e.args) > 1 else f"{name}({text})"

        _print_Abs = _print_Max = _print_Min = _print_Function

        def _print_sign(self, e):
            u = self._print(e.args[0])
            return f"(gt({u}, 0) - lt({u}, 0))"

        def _print_Heaviside(self, e):  # H(6 − m) is [6 > m], H(x + 3) is [−3 < x]
            terms = sympy.Add.make_args(e.args[0])
            right = sympy.Add(*[-t for t in terms if t.could_extract_minus_sign()])
            left = e.args[0] + right
            number = sum(t for t in sympy.Add.make_args(left) if t.is_number) if left.is_Add else 0
            left, right = left - number, right - number
            if right.is_number and right < 0:
                return f"lt({self._print(right)}, {self._print(left)})"
            return f"gt({self._print(left)}, {self._print(right)})"

        def _print_Relational(self, e):
            if x in e.rhs.free_symbols and x not in e.lhs.free_symbols:  # x > θ, not θ < x
                e = e.reversed
            return f"{names[e.rel_op]}({self._print(e.lhs)}, {self._print(e.rhs)})"

        def _print_Piecewise(self, e):  # nested where(c, a, b); [c] + [not c]·b when a is 1
            text = "0"
            for value, condition in reversed(e.args):
                value, test = self._print(value), self._print(condition)
                name, _, rest = test.partition("(")
                if condition is sympy.true or (value, text) == ("1", "0"):
                    text = value if condition is sympy.true else test
                elif value == "1":
                    text = f"({test} + where({NEGATED[name]}({rest}, {text}, 0))"
                else:
                    text = f"where({test}, {value}, {text})"
            return text

    return House({"order": order} if order else {})


def to_formula(expression, order: str | None = None) -> str:
    """A SymPy expression as a step formula (parsed once to be sure it is one)."""
    text = _printer(order).doprint(expression)
    parse(text)
    return text


def _tidy(expression):
    """The shortest of SymPy's own forms: as derived, common factors pulled out, or over
    one denominator (after u·sign(u) = |u|, so that softsign′ is 1/(1 + |x|)²)."""
    sympy, _ = _sympy()
    for sign in expression.atoms(sympy.sign):
        expression = expression.subs(sign.args[0] * sign, sympy.Abs(sign.args[0]))
    forms = [sympy.factor_terms(expression), expression, sympy.together(expression)]
    return min(forms, key=sympy.count_ops)


def _to_sympy(text: str, values: dict[str, Any], named: bool = True):
    sympy, _ = _sympy()
    values = {sympy.Symbol(k, real=True): v for k, v in values.items()}
    return expression_to_sympy(parse(text), named).subs(values)


def activation_forms(formula: str, hand: dict[str, str], params: dict[str, float]):
    """SymPy's derivative of an activation ``formula`` over ``x``: ``derivative``, and ``hand``
    with the parts worked out first named (``{"sigma": "sigmoid(x)"}``); and f and f′ in
    SymPy's own syntax with the ``params`` put in (``symbolic``, the JSON contract: σ, Φ, φ
    written out, exact fractions, H(u) as Piecewise((1, u > 0), (0, True)), as computed)."""

    def derive() -> dict[str, Any]:
        sympy, _ = _sympy()
        x, values = sympy.Symbol("x", real=True), {"pi": sympy.pi}
        d = sympy.diff(_to_sympy(formula, values), x)
        names = {_to_sympy(t, values): sympy.Symbol(n, real=True) for n, t in hand.items()}
        forms = {"derivative": _tidy(d), "hand": _tidy(d.xreplace(names))}
        forms = {key: to_formula(form, "rev-lex") for key, form in forms.items()}
        values |= {k: sympy.Rational(repr(v)) for k, v in params.items()}
        f = _to_sympy(formula, values, named=False)
        f = f.xreplace({n: sympy.Rational(repr(float(n))) for n in f.atoms(sympy.Float)})
        step = sympy.Piecewise((1, sympy.Symbol("u") > 0), (0, True))
        d = sympy.diff(f, x).replace(sympy.Heaviside, lambda u, *_: step.subs("u", u))
        return forms | {"symbolic": {"function": sympy.sstr(f), "derivative": sympy.sstr(d)}}

    key = json.dumps([formula, hand, params], sort_keys=True)
    return cached("activation", key, derive, lambda v: parse(v["derivative"]) and parse(v["hand"]))


def loss_and_gradient(node, names: list[str], field: str = "loss"):
    """A loss tree from ``stepcalc.expr`` differentiated once by SymPy (or read from the cache).

    Returns ``(loss_text, derivative_texts, loss_function, gradient_function)``: the texts are
    step formulas over ``names``, the functions evaluate them and take the variables in the
    order of ``names`` (the gradient one returns a list).
    """

    def derive() -> dict[str, Any] | None:
        sympy, _ = _sympy()
        loss = expression_to_sympy(node, named=True)
        parts = [loss, *(sympy.diff(loss, sympy.Symbol(n, real=True)) for n in names)]
        if any(part.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) for part in parts):
            return None
        return {"loss": to_formula(loss), "derivatives": [to_formula(d) for d in parts[1:]]}

    def valid(value) -> bool:
        return value is None or all(map(parse, [value["loss"], *value["derivatives"]]))

    forms = cached("gradient", repr(node) + "|" + ",".join(names), derive, valid)
    if forms is None:
        raise InputError(field, "silu.undefined")
    loss_text, texts = forms["loss"], forms["derivatives"]

    def function(text: str) -> Callable[..., Any]:
        return lambda *theta: evaluate(text, dict(zip(names, theta, strict=True)))

    gradient = [function(text) for text in texts]
    return loss_text, list(texts), function(loss_text), lambda *theta: [d(*theta) for d in gradient]
