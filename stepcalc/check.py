"""Checking a student's answers against a result, with rounding-aware verdicts.

A given number is **correct** when it equals the exact value rounded to the decimals the
student wrote (``-16.78`` for -16.7797…). It is **rounding** when it is not, but a hand
computation explains it: the value lies between the results of two hand-mode runs that round
every intermediate to k and to k+1 decimals (half up), for some k from 0 to 8, widened by half
a unit of the student's last digit. That covers one precision throughout (both ends equal) and
a page that mixes two neighbouring precisions, as slides do. Anything else is **wrong**.
With ``--tol X`` a value is correct when within X of the exact value, and never "rounding".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stepcalc import parse
from stepcalc.errors import StepcalcError
from stepcalc.trace import plain

HAND_PRECISIONS = range(0, 9)
_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)((?:\[\s*-?\d+\s*\])*)")


def load_answers(check_file: str | None, expectations: list[str] | None) -> list[tuple[str, Any]]:
    answers: list[tuple[str, Any]] = []
    if check_file:
        mapping = parse.load_mapping(check_file, "--check")
        answers.extend(mapping.items())
    for item in expectations or []:
        answers.append(parse.parse_expectation(item))
    if not answers:
        raise StepcalcError("--check: no answers given")
    return answers


def parse_path(quantity: str) -> list[str | int]:
    path: list[str | int] = []
    for part in quantity.strip().split("."):
        match = _SEGMENT.fullmatch(part.strip())
        if not match:
            raise StepcalcError(f"--check: {quantity!r} is not a quantity name")
        path.append(match.group(1).replace("-", "_"))
        path.extend(int(i) for i in re.findall(r"-?\d+", match.group(2)))
    return path


def lookup(result: dict[str, Any], quantity: str) -> Any:
    node: Any = result
    for part in parse_path(quantity):
        if isinstance(part, str):
            if not isinstance(node, dict) or part not in node:
                raise StepcalcError(
                    f"--check: unknown quantity {quantity!r} (valid: {', '.join(names(result))})"
                )
            node = node[part]
        else:
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                raise StepcalcError(f"--check: {quantity}: index {part} is out of range")
            node = node[part]
    return node


def names(result: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in result.items():
        out.append(prefix + key)
        if isinstance(value, dict):
            out.extend(names(value, prefix + key + "."))
    return out


def _cells(value: Any, index: tuple[int, ...] = ()):
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _cells(item, (*index, i))
    else:
        yield index, value


def _shape(value: Any) -> tuple[int, ...]:
    return parse.shape_of(value)


def _matches(given: Any, expected: Any, tol: float | None) -> bool:
    if expected is None or given is None:
        return expected is None and given is None
    g, e = float(given), float(expected)
    slack = 1e-9 * max(1.0, abs(e))
    if tol is not None:
        return abs(g - e) <= tol + slack
    decimals = parse.decimals_written(given)
    if decimals is None:
        return abs(g - e) <= slack
    return abs(g - e) <= 0.5 * 10.0 ** (-decimals) + slack


def _between(given: Any, low: Any, high: Any) -> bool:
    if given is None or low is None or high is None:
        return False
    decimals = parse.decimals_written(given)
    half = 0.5 * 10.0 ** (-decimals) if decimals is not None else 0.0
    lo, hi = sorted((float(low), float(high)))
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    return lo - half - slack <= float(given) <= hi + half + slack


def first_wrong(given: Any, expected: Any, tol: float | None) -> tuple[int, ...] | None:
    """Index of the first cell (row-major) that does not match; None when all match."""
    for (index, g), (_, e) in zip(_cells(given), _cells(expected), strict=True):
        if not _matches(g, e, tol):
            return index
    return None


def evaluate(
    result: dict[str, Any],
    answers: list[tuple[str, Any]],
    tol: float | None = None,
    hand: Callable[[int], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON ``check`` block: one item per answer, ``ok`` false when any is wrong."""
    exact = plain(result)
    hand_cache: dict[int, dict[str, Any] | None] = {}

    def hand_result(k: int) -> dict[str, Any] | None:
        if k not in hand_cache:
            try:
                hand_cache[k] = plain(hand(k)) if hand else None
            except StepcalcError:
                hand_cache[k] = None
        return hand_cache[k]

    items = []
    for quantity, raw in answers:
        expected = lookup(exact, str(quantity))
        given = _given(raw, str(quantity))
        items.append(_judge(str(quantity), given, expected, tol, hand_result))
    ok = all(item["verdict"] != "wrong" for item in items)
    return {"ok": ok, "items": items}


def _given(raw: Any, quantity: str) -> Any:
    if raw is None:
        raise StepcalcError(f"--check: {quantity}: no value given")
    if isinstance(raw, dict):
        raise StepcalcError(f"--check: {quantity}: expected a number or tensor, got a mapping")
    return parse.parse_nested(raw, f"--check: {quantity}")


def _judge(quantity, given, expected, tol, hand_result) -> dict[str, Any]:
    item: dict[str, Any] = {
        "quantity": quantity,
        "index": None,
        "given": plain(given),
        "expected": expected,
        "verdict": "correct",
    }
    if isinstance(expected, dict) or (
        isinstance(expected, list) and expected and isinstance(expected[0], dict)
    ):
        raise StepcalcError(f"--check: {quantity} is a group of quantities; name one of its parts")
    if isinstance(expected, bool | str):
        raise StepcalcError(f"--check: {quantity} is not a number")
    if _shape(given) != _shape(expected):
        item["verdict"] = "wrong"
        item["note"] = (
            f"shape {parse.format_shape(_shape(given))} given, "
            f"{parse.format_shape(_shape(expected))} expected"
        )
        return item
    wrong = first_wrong(given, expected, tol)
    if wrong is None:
        return item
    item["index"] = list(wrong) if wrong else None
    if tol is None:
        path = _hand_path(quantity, given, hand_result)
        if path is not None:
            item["verdict"] = "rounding"
            item["hand"] = path
            return item
    item["verdict"] = "wrong"
    item["given_cell"] = _cell(given, wrong)
    item["expected_cell"] = _cell(expected, wrong)
    return item


def _hand_path(quantity, given, hand_result) -> dict[str, Any] | None:
    values = {}
    for k in HAND_PRECISIONS:
        result = hand_result(k)
        if result is None:
            return None
        try:
            values[k] = lookup(result, quantity)
        except StepcalcError:
            return None
    for k in HAND_PRECISIONS:
        if first_wrong(given, values[k], None) is None:
            return {"round_steps": k, "value": values[k]}
    for k in list(HAND_PRECISIONS)[:-1]:
        low, high = values[k], values[k + 1]
        cells = zip(_cells(given), _cells(low), _cells(high), strict=True)
        if all(_between(g, lo, hi) for (_, g), (_, lo), (_, hi) in cells):
            return {"round_steps": [k, k + 1], "value": [low, high]}
    return None


def _cell(value: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        value = value[i]
    return value
