"""Everything SymPy: symbolic derivatives of activations and of user expressions.

The only module that imports SymPy, and only inside functions. User text never reaches
``parse_expr``: expressions arrive as trees of ``stepcalc.expr``.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def expression_to_sympy(node):
    """Turn a tree from ``stepcalc.expr`` into a SymPy expression (no text parsing)."""
    import sympy

    from stepcalc import expr

    if isinstance(node, expr.Num):
        value = node.value
        return sympy.Integer(int(value)) if float(value).is_integer() else sympy.Float(value)
    if isinstance(node, expr.Var):
        return sympy.Symbol(node.name)
    if isinstance(node, expr.Neg):
        return -expression_to_sympy(node.operand)
    if isinstance(node, expr.BinOp):
        left, right = expression_to_sympy(node.left), expression_to_sympy(node.right)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return left / right
        return left**right
    if isinstance(node, expr.Call):
        args = [expression_to_sympy(arg) for arg in node.args]
        functions = {
            "exp": sympy.exp,
            "log": sympy.log,
            "sqrt": sympy.sqrt,
            "sin": sympy.sin,
            "cos": sympy.cos,
            "tanh": sympy.tanh,
            "abs": sympy.Abs,
            "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
            "relu": lambda x: sympy.Max(0, x),
            "silu": lambda x: x / (1 + sympy.exp(-x)),
            "max": sympy.Max,
        }
        return functions[node.name](*args)
    raise TypeError(f"not an expression node: {node!r}")


@cache
def activation_calculus(name: str, alpha: float | None = None, beta: float | None = None):
    """An activation of ``stepcalc silu`` and its derivative, derived by SymPy.

    Returns ``(function, derivative)`` as SymPy-syntax strings in ``x`` with the parameters
    put in; the derivative is SymPy's own result of ``diff``, not simplified. Piecewise
    functions take the left branch at 0, as PyTorch does (ReLU′(0) = 0).
    """
    import sympy

    x = sympy.Symbol("x")

    def number(value: float | None, default: str):
        return sympy.Rational(repr(float(value)) if value is not None else default)

    def sigmoid(u):
        return 1 / (1 + sympy.exp(-u))

    forms = {
        "silu": lambda: x * sigmoid(x),
        "swish": lambda: x * sigmoid(number(beta, "1") * x),
        "sigmoid": lambda: sigmoid(x),
        "relu": lambda: sympy.Piecewise((x, x > 0), (0, True)),
        "leaky-relu": lambda: sympy.Piecewise((x, x > 0), (number(alpha, "0.01") * x, True)),
        "tanh": lambda: sympy.tanh(x),
        "gelu": lambda: x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2,
        "gelu-tanh": lambda: (
            x
            * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi) * (x + sympy.Rational("0.044715") * x**3)))
            / 2
        ),
        "elu": lambda: sympy.Piecewise((x, x > 0), (number(alpha, "1") * (sympy.exp(x) - 1), True)),
        "softplus": lambda: sympy.log(1 + sympy.exp(x)),
    }
    function = forms[name]()
    return sympy.sstr(function), sympy.sstr(sympy.diff(function, x))


def loss_and_gradient(node, names: list[str]):
    """A loss tree from ``stepcalc.expr`` differentiated once by SymPy.

    Returns ``(loss_text, derivative_texts, loss_function, gradient_function)``: the texts
    are SymPy syntax over ``names``; the functions are lambdified for NumPy once and take
    the variables in the order of ``names`` (the gradient one returns a list).
    """
    import numpy as np
    import sympy

    real = {sympy.Symbol(name): sympy.Symbol(name, real=True) for name in names}
    expression = expression_to_sympy(node).xreplace(real)
    symbols = [real[sympy.Symbol(name)] for name in names]
    derivatives = [sympy.diff(expression, symbol) for symbol in symbols]
    undefined = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    if any(part.has(*undefined) for part in (expression, *derivatives)):
        from stepcalc.errors import StepcalcError

        raise StepcalcError("--loss: a part of it is undefined or infinite (as log(0) or 1/0)")
    # The numpy module object (not the name "numpy"): lambdify then skips a star import
    # that would load numpy.testing and numpy.f2py (a third of a second).
    loss_function = sympy.lambdify(symbols, expression, modules=[np])
    gradient_function = sympy.lambdify(symbols, derivatives, modules=[np])
    return str(expression), [str(d) for d in derivatives], loss_function, gradient_function
