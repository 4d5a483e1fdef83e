"""Shared test helpers: run the CLI in-process, check step honesty, compare with torch."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from dataclasses import dataclass

import numpy as np
import pytest

from stepcalc.cli import main


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run(*args: str, stdin: str | None = None) -> Run:
    """Run ``stepcalc ARGS`` in this process and capture exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return Run(code, out.getvalue(), err.getvalue())


def run_json(*args: str, stdin: str | None = None) -> dict:
    result = run(*args, "--json", stdin=stdin)
    assert result.code == 0, result.stderr
    return result.json


def assert_bad_input(*args: str, mentions: str = "", stdin: str | None = None) -> str:
    """Exit 2 with exactly one line on stderr (naming ``mentions``) and nothing on stdout."""
    result = run(*args, stdin=stdin)
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.stderr
    assert mentions in lines[0], lines[0]
    return lines[0]


def evaluate_formula(formula: str, operands: dict) -> object:
    """A step's formula put to its operands by SymPy (parse + lambdify), independently of
    stepcalc's own evaluator; named functions take stepcalc's NumPy implementations."""
    import sympy
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations

    from stepcalc.formula import FUNCTIONS, implementation

    local = {name: sympy.Symbol(name) for name in operands}
    called = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", formula))
    functions = {name: implementation(name) for name in FUNCTIONS if name in called}
    for name in functions:
        local.setdefault(name, sympy.Function(name))
    expression = parse_expr(
        formula, local_dict=local, transformations=standard_transformations, evaluate=False
    )
    symbols = [sympy.Symbol(name) for name in operands]
    function = sympy.lambdify(symbols, expression, modules=[functions, np])
    arguments = [np.asarray(value, dtype=float) for value in operands.values()]
    with np.errstate(all="ignore"):
        return function(*arguments)


def assert_steps_honest(steps, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    """Each step's formula, with its operands put in, gives its value."""
    for step in steps:
        if isinstance(step, dict):
            formula, inputs, value = step["formula"], step["operands"], step["value"]
        else:
            formula, inputs, value = step.formula, step.operands, step.value
        computed = evaluate_formula(formula, inputs)
        expected = np.asarray(value, dtype=float)
        assert np.allclose(
            np.asarray(computed, dtype=float), expected, rtol=rtol, atol=atol, equal_nan=True
        ), (formula, inputs, computed, value)


def assert_matches_torch(ours, torch_value, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Compare a result (nested list or array) with a torch tensor in float64."""
    theirs = torch_value.detach().cpu().double().numpy()
    ours = np.asarray(ours, dtype=float)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def torch_or_skip():
    return pytest.importorskip("torch")
