"""A whitelist parser for the small expressions of ``optimizer --loss`` and ``graph --expr``.

Grammar (``^`` is accepted for ``**``; powers bind right to left)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom (("**" | "^") unary)?
    atom    := NUMBER | NAME | NAME "(" sum ("," sum)* ")" | "(" sum ")"

Names must be declared variables and calls must be whitelisted functions; nothing is ever
evaluated as Python. The result is a small tree of dataclasses that ``stepcalc.symbolic``
turns into SymPy and the graph calculator walks node by node.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from stepcalc import limits
from stepcalc.errors import InputError, Msg

FUNCTIONS = {
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "sin": 1,
    "cos": 1,
    "tanh": 1,
    "sigmoid": 1,
    "abs": 1,
}
"""The functions ``optimizer --loss`` allows, with their number of arguments."""
GRAPH_FUNCTIONS = {**FUNCTIONS, "relu": 1, "silu": 1, "max": 2}
"""``graph --expr`` allows a few more nodes."""

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),]))"
)


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / **
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Num | Var | Neg | BinOp | Call


def parse_expression(
    text: str,
    option: str,
    variables: Iterable[str] | None = None,
    functions: dict[str, int | None] | None = None,
    limit: bool = True,
) -> Node:
    """Parse ``text`` into a tree; every error names ``option``.

    ``functions`` maps each allowed name to its number of arguments (None: any number).
    ``limit`` False lifts the length limit of user text (for the package's own formulas).
    """
    if not isinstance(text, str):
        raise InputError(option, "expected_expression")
    if limit and len(text) > limits.MAX_EXPRESSION_CHARS:
        raise InputError(option, "too_long", limit=f"{limits.MAX_EXPRESSION_CHARS:,}")
    parser = _Parser(
        text, option, None if variables is None else set(variables), functions or FUNCTIONS
    )
    return parser.parse()


def variables_of(node: Node) -> list[str]:
    """Variable names in order of first appearance."""
    seen: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Var) and n.name not in seen:
            seen.append(n.name)
        elif isinstance(n, Neg):
            walk(n.operand)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for arg in n.args:
                walk(arg)

    walk(node)
    return seen


def constant_value(node: Node) -> float | None:
    """The value of a variable-free subtree (None when it has variables or overflows)."""
    try:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Var):
            return None
        if isinstance(node, Neg):
            inner = constant_value(node.operand)
            return None if inner is None else -inner
        if isinstance(node, BinOp):
            left, right = constant_value(node.left), constant_value(node.right)
            if left is None or right is None:
                return None
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*":
                return left * right
            if node.op == "/":
                return left / right if right else None
            if abs(right) > limits.MAX_EXPONENT:
                return None
            value = left**right
            return value if isinstance(value, float | int) and math.isfinite(value) else None
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return None


class _Parser:
    def __init__(
        self, text: str, option: str, variables: set[str] | None, functions: dict[str, int | None]
    ):
        self.text = text
        self.option = option
        self.variables = variables
        self.functions = functions
        self.tokens = self._tokenize(text)
        self.position = 0
        self.depth = 0

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens = []
        index = 0
        stripped = text.rstrip()
        while index < len(stripped):
            match = _TOKEN.match(stripped, index)
            if not match or match.end() == index:
                bad = stripped[index:].lstrip()[:1]
                raise InputError(
                    self.option, "unexpected_in", token=repr(bad), text=repr(text.strip())
                )
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            index = match.end()
        if not tokens:
            raise InputError(self.option, "empty_expression")
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise InputError(self.option, "ends_early")
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            found = Msg("errors.the_end") if token is None else repr(token[1])
            raise InputError(self.option, "expected_token", token=repr(value), found=found)
        self.position += 1

    def parse(self) -> Node:
        node = self.sum()
        token = self.peek()
        if token is not None:
            raise InputError(self.option, "unexpected", token=repr(token[1]))
        return node

    def nested(self):
        self.depth += 1
        if self.depth > limits.MAX_EXPRESSION_DEPTH:
            raise InputError(self.option, "deeper_than", n=limits.MAX_EXPRESSION_DEPTH)

    def sum(self) -> Node:
        self.nested()
        node = self.product()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.take()
            node = BinOp(token[1], node, self.product())
        self.depth -= 1
        return node

    def product(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None and token[1] in ("*", "/"):
            self.take()
            node = BinOp(token[1], node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token[1] in ("-", "+"):
            self.take()
            self.nested()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if token[1] == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        token = self.peek()
        if token is not None and token[1] in ("**", "^"):
            self.take()
            self.nested()
            exponent = self.unary()
            self.depth -= 1
            self._check_exponent(exponent)
            return BinOp("**", base, exponent)
        return base

    def _check_exponent(self, exponent: Node) -> None:
        value = constant_value(exponent)
        has_variables = bool(variables_of(exponent))
        if not has_variables and (value is None or abs(value) > limits.MAX_EXPONENT):
            raise InputError(self.option, "exponent_too_large", limit=limits.MAX_EXPONENT)

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            number = float(value)
            if not math.isfinite(number):
                raise InputError(self.option, "too_large", value=value)
            return Num(number)
        if kind == "name":
            following = self.peek()
            if following is not None and following[1] == "(":
                return self.call(value)
            if self.variables is not None and value not in self.variables:
                known = ", ".join(sorted(self.variables)) or "none"
                raise InputError(self.option, "unknown_name", name=repr(value), valid=known)
            return Var(value)
        if value == "(":
            node = self.sum()
            self.expect(")")
            return node
        raise InputError(self.option, "unexpected", token=repr(value))

    def call(self, name: str) -> Node:
        if name not in self.functions:
            allowed = ", ".join(sorted(self.functions))
            raise InputError(self.option, "unknown_function", name=repr(name), valid=allowed)
        self.expect("(")
        args = [self.sum()]
        while (token := self.peek()) is not None and token[1] == ",":
            self.take()
            args.append(self.sum())
        self.expect(")")
        if self.functions[name] is not None and len(args) != self.functions[name]:
            raise InputError(
                self.option, "arguments", name=name, n=self.functions[name], got=len(args)
            )
        return Call(name, tuple(args))
