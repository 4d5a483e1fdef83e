"""Checking a student's answers against a result, with rounding-aware verdicts.

A given number is **correct** when it equals the exact value rounded to the decimals the
student wrote (``-16.78`` for -16.7797…). It is **rounding** when it is not, but rounding
intermediates by hand explains it; otherwise it is **wrong**. "Explains" is decided by
re-running the calculation in hand mode (``Ctx.r`` rounds every intermediate half up), two ways:

1. *One precision throughout.* Some run that rounds every intermediate to k decimals
   (k from d − 1 to 8, d the decimals the student wrote: nobody rounds intermediates more
   coarsely than that) gives the student's number at the decimals written (``_matches``).
2. *Mixed precisions.* Pages mix precisions from step to step (two decimals for ∂L/∂Ŷ,
   three for the products that use it), and no single run reproduces that. With d the
   decimals the student wrote and k = d − 1 or k = d, each intermediate (each ``ctx.r`` call)
   may have been kept unrounded or rounded to k or k + 1 decimals (a nonzero value keeps
   its first significant digit rather than becoming 0). The range of such hand
   computations is estimated, per cell, as the union of
   a. the first-order interval: the intermediates are split into at most ``MAX_BLOCKS``
      consecutive blocks; re-running with only block b rounded to p decimals measures its
      effect Δ_b(p); effects add, giving [q + Σ_b min(0, Δ_b(k), Δ_b(k+1)),
      q + Σ_b max(0, Δ_b(k), Δ_b(k+1))] around the exact value q, and
   b. the values of actual hand runs: both uniform runs and ``MIXED_RUNS`` seeded random
      schedules (each step unrounded, k or k + 1 decimals), which catch what the first-order
      sum misses when a shifted input rounds to the other neighbour.
   The intermediates that *are* the quantity (its final value) are never rounded in these
   schedules: their rounding is the student's own, at the decimals written, so ``tanh(1)``
   written as 0.77 stays wrong (0.7616 to two decimals is 0.76).
   A number in that range, widened by half a unit of its own last digit, is rounding.

The rule propagates the rounding errors that actually occur, not a worst-case bound of half
a unit per step, so a value that no hand rounding reaches stays wrong (the seed slide's
∂L/∂W_conv1[0][0] is 4.3 away from the truth; rounding steps to one or two decimals moves it
by at most 1.3). With ``--tol X`` a value is correct when within X of the exact value, and
never "rounding".
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from stepcalc import parse
from stepcalc.context import Ctx
from stepcalc.errors import InputError, Msg, label
from stepcalc.trace import plain, round_half_up, round_on_paper

SIGNIFICANT = 3
"""Significant digits an answer needs (``--sig``) unless it is exact as written."""
HAND_PRECISIONS = range(0, 9)
MAX_BLOCKS = 24
"""Blocks of consecutive intermediates whose rounding effects are measured separately."""
MIXED_RUNS = 48
"""Seeded random precision schedules tried per pair of neighbouring precisions."""
_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)((?:\[\s*-?\d+\s*\])*)")


def load_answers(check_file: str | None, expectations: list[str] | None) -> list[tuple]:
    """(quantity, value, option) triples; the option names where an answer came from."""
    answers: list[tuple] = []
    if check_file:
        mapping = parse.load_mapping(check_file, "check")
        answers.extend((quantity, value, "check") for quantity, value in _flatten(mapping))
    for item in expectations or []:
        answers.append((*parse.parse_expectation(item), "expect"))
    if not answers:
        raise InputError("check", "no_answers")
    return answers


def _flatten(mapping: dict[Any, Any], prefix: str = ""):
    """Answers nested as in ``result`` ({updated: {w_cls: 1.85}}) become dotted quantities."""
    for key, value in mapping.items():
        name = f"{prefix}{key}" if prefix else key
        if isinstance(value, dict) and value:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def parse_path(quantity: str, option: str = "check") -> list[str | int]:
    path: list[str | int] = []
    for part in quantity.strip().split("."):
        match = _SEGMENT.fullmatch(part.strip())
        if not match:
            raise InputError(option, "not_quantity", quantity=repr(quantity))
        path.append(match.group(1).replace("-", "_"))
        path.extend(int(i) for i in re.findall(r"-?\d+", match.group(2)))
    return path


def lookup(result: dict[str, Any], quantity: str, option: str = "check") -> Any:
    node: Any = result
    for part in parse_path(quantity, option):
        if isinstance(part, str):
            if not isinstance(node, dict) or part not in node:
                valid = ", ".join(names(result))
                raise InputError(option, "unknown_quantity", quantity=repr(quantity), valid=valid)
            node = node[part]
        else:
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                raise InputError(option, "index_range", quantity=quantity, index=part)
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
    rerun: Callable[[Ctx], dict[str, Any]] | None = None,
    ctx: Ctx | None = None,
    sig: int = SIGNIFICANT,
) -> dict[str, Any]:
    """The JSON ``check`` block: one item per answer, ``ok`` false when any is wrong or
    imprecise. ``rerun(ctx)`` recomputes the result under another context (hand mode)."""
    exact = plain(result)
    runs = HandRuns(exact, rerun=rerun, ctx=ctx)
    items = []
    for quantity, raw, *origin in answers:
        option = origin[0] if origin else "check"
        expected = lookup(exact, str(quantity), option)
        given = _given(raw, str(quantity), option)
        items.append(_judge(str(quantity), given, expected, tol, runs, option, sig))
    ok = all(item["verdict"] in ("correct", "rounding") for item in items)
    return {"ok": ok, "items": items}


class HandCtx(Ctx):
    """Hand mode that counts the intermediates it sees and rounds each to its own precision.

    ``schedule[i]`` is the decimals for the i-th intermediate (None: kept unrounded); calls
    beyond the schedule, or every call without one, use ``decimals``. With ``keep_digit`` a
    nonzero number is never rounded to zero: it keeps its first significant digit, as a
    student writes 0.00004 rather than 0.00 before dividing by it.
    """

    def __init__(
        self,
        base: Ctx,
        decimals: int,
        schedule: tuple[int | None, ...] | None = None,
        keep_digit: bool = False,
    ):
        super().__init__(lang=base.lang, round_steps=decimals, ascii=base.ascii)
        self.schedule = schedule
        self.keep_digit = keep_digit
        self.calls = 0

    def r(self, value: Any) -> Any:
        index = self.calls
        self.calls += 1
        decimals = self.round_steps
        if self.schedule is not None and index < len(self.schedule):
            decimals = self.schedule[index]
        if decimals is None:
            return value
        if self.keep_digit:
            return round_on_paper(value, decimals)
        return round_half_up(value, decimals)


class HandRuns:
    """Hand-mode re-runs of one problem, computed on demand and kept."""

    def __init__(self, exact, rerun=None, ctx: Ctx | None = None):
        self.rerun, self.ctx = rerun, ctx or Ctx()
        self._exact = exact if self.ctx.round_steps is None else None
        self._runs: dict[tuple, Any] = {}
        self._recorded: list[Any] | None = None

    def _run(
        self,
        decimals: int | None,
        schedule: tuple[int | None, ...] | None = None,
        keep_digit: bool = False,
    ):
        key = (decimals, schedule, keep_digit)
        if key not in self._runs:
            self._runs[key] = None
            try:
                if self.rerun is not None:
                    context = (
                        HandCtx(self.ctx, decimals, schedule, keep_digit)
                        if decimals is not None
                        else Ctx(lang=self.ctx.lang, ascii=self.ctx.ascii)
                    )
                    value = plain(self.rerun(context))
                    self._runs[key] = (value, getattr(context, "calls", 0))
            except InputError:
                self._runs[key] = None
        return self._runs[key]

    def uniform(self, decimals: int, keep_digit: bool = True) -> dict[str, Any] | None:
        run = self._run(decimals, keep_digit=keep_digit)
        return run[0] if run else None

    def exact(self) -> dict[str, Any] | None:
        if self._exact is None and self.rerun is not None:
            run = self._run(None)
            self._exact = run[0] if run else None
        return self._exact

    def _calls(self, decimals: int) -> int:
        run = self._run(decimals)
        return run[1] if run and self.rerun is not None else 0

    def final_calls(self, exact_value: Any) -> frozenset[int]:
        """The intermediates that are the quantity itself (its last rounding is the student's
        own, at the decimals written, so rule 2 leaves them unrounded)."""
        if self.rerun is None:
            return frozenset()
        if self._recorded is None:
            recorder = _RecordingCtx(self.ctx)
            try:
                self.rerun(recorder)
            except InputError:
                return frozenset()
            self._recorded = recorder.values
        target = plain(exact_value)
        return frozenset(i for i, value in enumerate(self._recorded) if _same(value, target))

    def scheduled(self, decimals: int, keep: frozenset[int], choose) -> dict[str, Any] | None:
        """A run rounding the i-th intermediate to ``choose(i)`` decimals (None: unrounded);
        the quantity's own intermediates (``keep``) are never rounded."""
        schedule = tuple(None if i in keep else choose(i) for i in range(self._calls(decimals)))
        run = self._run(decimals, schedule, keep_digit=True)
        return run[0] if run else None

    def block_results(self, decimals: int, keep: frozenset[int]) -> list[dict[str, Any] | None]:
        """Rule 2a: one result per block of intermediates, only that block rounded."""
        calls = self._calls(decimals)
        count = min(calls, MAX_BLOCKS)
        edges = [round(b * calls / count) for b in range(count + 1)] if count else []
        return [
            self.scheduled(decimals, keep, lambda i, a=a, b=b: decimals if a <= i < b else None)
            for a, b in zip(edges, edges[1:], strict=False)
        ]

    def mixed_results(self, low: int, keep: frozenset[int]) -> list[dict[str, Any] | None]:
        """Rule 2b: seeded random mixes of unrounded, ``low`` and ``low + 1`` decimal steps."""
        choices = (None, low, low + 1)
        rngs = [random.Random(f"{low}:{seed}") for seed in range(MIXED_RUNS)]
        return [self.scheduled(low, keep, lambda i, r=r: r.choice(choices)) for r in rngs]


class _RecordingCtx(Ctx):
    """Exact mode that remembers every intermediate, in order."""

    def __init__(self, base: Ctx):
        super().__init__(lang=base.lang, ascii=base.ascii)
        self.values: list[Any] = []

    def r(self, value: Any) -> Any:
        self.values.append(plain(value))
        return value


def _same(value: Any, target: Any) -> bool:
    if parse.shape_of(value) != parse.shape_of(target):
        return False
    try:
        pairs = list(zip(_cells(value), _cells(target), strict=True))
        return all(
            a is not None
            and b is not None
            and abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
            for (_, a), (_, b) in pairs
        )
    except (TypeError, ValueError):
        return False


def _given(raw: Any, quantity: str, option: str) -> Any:
    if raw is None:
        raise InputError(option, "no_value", quantity=quantity)
    if isinstance(raw, dict):
        raise InputError(option, "answer_mapping", quantity=quantity)
    return parse.parse_nested(raw, f"{label(option)}: {quantity}")


def _judge(quantity, given, expected, tol, runs: HandRuns, option: str, sig: int):
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
        raise InputError(option, "quantity_group", quantity=quantity)
    if isinstance(expected, bool | str):
        raise InputError(option, "quantity_not_number", quantity=quantity)
    if _shape(given) != _shape(expected):
        item["verdict"] = "wrong"
        item["note"] = Msg(
            "core.shape_given",
            given=parse.format_shape(_shape(given)),
            expected=parse.format_shape(_shape(expected)),
        ).text(runs.ctx.lang)
        return item
    if tol is not None:
        wrong = first_wrong(given, expected, tol)
        return item if wrong is None else _wrong(item, given, expected, wrong)
    needed = needed_decimals(expected, sig)
    verdicts = [
        (index, _cell_verdict(g, e, needed))
        for (index, g), (_, e) in zip(_cells(given), _cells(expected), strict=True)
    ]
    coarse = any(v == "coarse" for _, v in verdicts) or any(v == "imprecise" for _, v in verdicts)
    wrong = next((index for index, v in verdicts if v in ("wrong", "coarse")), None)
    if wrong is not None:
        if not coarse:
            path = _hand_path(quantity, given, runs)
            if path is not None:
                item.update(verdict="rounding", hand=path, index=list(wrong) or None)
                return item
        return _wrong(item, given, expected, wrong)
    imprecise = next((index for index, v in verdicts if v == "imprecise"), None)
    if imprecise is not None:
        item.update(verdict="imprecise", index=list(imprecise) or None, sig=sig)
        item["advice"] = _at(_cell(expected, imprecise), needed)
    return item


def _wrong(item: dict[str, Any], given, expected, index) -> dict[str, Any]:
    item.update(verdict="wrong", index=list(index) or None)
    item["given_cell"] = _cell(given, index)
    item["expected_cell"] = _cell(expected, index)
    return item


def needed_decimals(expected: Any, sig: int) -> int:
    """Decimals that carry ``sig`` significant digits of the quantity's largest cell (a
    matrix is written to one number of decimals)."""
    sizes = [abs(float(e)) for _, e in _cells(expected) if e is not None and float(e) != 0]
    if not sizes or not all(math.isfinite(x) for x in sizes):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(max(sizes))))


def _at(value: float, decimals: int) -> float:
    return round_half_up(float(value), decimals)


def _cell_verdict(given: Any, expected: Any, needed: int) -> str:
    """``ok``; ``imprecise`` (right at the digits written, but too few of them); ``coarse``
    (too few digits and not even right at those); or ``wrong``."""
    if given is None or expected is None:
        return "ok" if given is None and expected is None else "wrong"
    written = parse.decimals_written(given)
    g, e = float(given), float(expected)
    slack = 1e-9 * max(1.0, abs(e))
    if written is None:  # a fraction such as 1/3: exact
        return "ok" if abs(g - e) <= slack else "wrong"
    if written >= needed:
        return "ok" if _matches(given, expected, None) else "wrong"
    if abs(g - _at(e, needed)) <= slack:  # exact as written: 4 for 4, 25 for 24.9999999996
        return "ok"
    return "imprecise" if _matches(given, expected, None) else "coarse"


def _hand_path(quantity: str, given: Any, runs: HandRuns) -> dict[str, Any] | None:
    """How hand rounding explains ``given`` (rule 1, then rule 2), or None."""
    written = [parse.decimals_written(g) for _, g in _cells(given) if g is not None]
    if not written or any(d is None for d in written):
        return None
    decimals = max(written)
    # Nobody rounds the intermediates more coarsely than one digit short of the answer.
    for k in HAND_PRECISIONS:
        if k < decimals - 1:
            continue
        value = _quantity(runs.uniform(k), quantity, given)
        if value is not None and first_wrong(given, value, None) is None:
            return {"round_steps": k, "value": value}
    for k in (decimals - 1, decimals):
        if k < 0 or k + 1 > max(HAND_PRECISIONS):
            continue
        bounds = _mixed_bounds(quantity, given, runs, k)
        if bounds is None:
            continue
        low, high = bounds
        cells = zip(_cells(given), _cells(low), _cells(high), strict=True)
        if all(_within(g, lo, hi) for (_, g), (_, lo), (_, hi) in cells):
            return {"round_steps": [k, k + 1], "value": [low, high]}
    return None


def _quantity(result: dict[str, Any] | None, quantity: str, given: Any) -> Any:
    if result is None:
        return None
    try:
        value = lookup(result, quantity)
    except InputError:
        return None
    if _shape(value) != _shape(given) or any(v is None for _, v in _cells(value)):
        return None
    return value


def _mixed_bounds(quantity: str, given: Any, runs: HandRuns, k: int):
    """Rule 2: the range of hand computations mixing unrounded, k- and (k+1)-decimal steps."""
    exact = _quantity(runs.exact(), quantity, given)
    if exact is None:
        return None
    flat_exact = [float(e) for _, e in _cells(exact)]
    additive_low, additive_high = list(flat_exact), list(flat_exact)
    seen_low, seen_high = list(flat_exact), list(flat_exact)

    def values(result):
        value = _quantity(result, quantity, given)
        return None if value is None else [float(v) for _, v in _cells(value)]

    keep = runs.final_calls(exact)
    blocks = [runs.block_results(k, keep), runs.block_results(k + 1, keep)]
    for block_k, block_k1 in zip(*blocks, strict=False):
        moved = [values(block_k), values(block_k1)]
        for i, e in enumerate(flat_exact):
            shifts = [0.0] + [m[i] - e for m in moved if m is not None]
            additive_low[i] += min(shifts)
            additive_high[i] += max(shifts)
    whole_runs = [
        runs.scheduled(k, keep, lambda i: k),
        runs.scheduled(k + 1, keep, lambda i: k + 1),
        *runs.mixed_results(k, keep),
    ]
    for result in whole_runs:
        cells = values(result)
        if cells is None:
            continue
        for i, value in enumerate(cells):
            seen_low[i] = min(seen_low[i], value)
            seen_high[i] = max(seen_high[i], value)
    low = [min(a, b) for a, b in zip(additive_low, seen_low, strict=True)]
    high = [max(a, b) for a, b in zip(additive_high, seen_high, strict=True)]
    return _reshape(low, exact), _reshape(high, exact)


def _reshape(flat: list[float], like: Any) -> Any:
    items = iter(flat)

    def build(node: Any) -> Any:
        if isinstance(node, list):
            return [build(item) for item in node]
        return next(items)

    return build(like)


def _within(given: Any, low: float, high: float) -> bool:
    decimals = parse.decimals_written(given)
    half = 0.5 * 10.0 ** (-decimals) if decimals is not None else 0.0
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    return low - half - slack <= float(given) <= high + half + slack


def _cell(value: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        value = value[i]
    return value
