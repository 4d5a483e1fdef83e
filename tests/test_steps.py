"""The step model on every sample problem: each step honest, every format readable.

A step is a formula plus its operands; its value is the formula put to the operands. These
tests run every sample of ``samples/`` (and a few command lines) through every format and
check what a student reads: the formula gives the value (SymPy re-evaluates it), the shown
arithmetic follows at the shown digits (or says ``≈``), no symbol of the rule is left in the
with-numbers form, matrices are drawn as matrices, nothing is wider than the terminal, no
word is broken, SymPy's class names never show, and the LaTeX compiles.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from stepcalc import formula
from stepcalc.render.common import fmt_number
from stepcalc.render.terminal import cell_len
from stepcalc.spec import commands
from tests.helpers import assert_steps_honest, evaluate_formula, run, run_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {
    path.stem: (command.name, "--from", str(path))
    for command in commands()
    for path in (ROOT / "samples" / name for name in command.samples)
}
LINES = {
    "yolo-default": ("yolo-toy",),
    "conv-backward": (
        "conv",
        "--input",
        "1 2 3 0; 4 5 6 1; 7 8 9 2; 1 0 1 3",
        "--kernel",
        "1 0 1; 0 1 0; 1 0 1",
        "--grad-output",
        "1 2; 3 4",
    ),
    "adam-vectors": ("optimizer", "adam", "--params", "1 2", "--grad", "0.1 -0.2", "--steps", "2"),
    "batchnorm": ("batchnorm", "--input", "1 2; 3 4; 5 9", "--grad-output", "1 0; 0 1; 1 1"),
    "silu-compare": ("silu", "--input", "-2 0 3", "--compare", "relu"),
    "loss-l1": ("loss", "--pred", "0.9 0.2", "--target", "1 0", "--l1", "0.1", "--weights", "1 -2"),
    "outsize": ("outsize", "--input", "32", "--kernel", "5", "--stride", "2", "--padding", "1"),
}
CASES = {**SAMPLES, **LINES}
SYMPY_NAMES = re.compile(r"Piecewise|Heaviside|\bAbs\(|\bMax\(|\bMin\(|clamp_log|xlogy|row_max")


_DOCUMENTS: dict[str, dict] = {}


def document(name: str) -> dict:
    if name not in _DOCUMENTS:
        _DOCUMENTS[name] = run_json(*CASES[name])
    return _DOCUMENTS[name]


def test_every_command_declares_its_samples():
    for command in commands():
        for name in command.samples:
            assert (ROOT / "samples" / name).is_file(), (command.name, name)
    assert {"yolo_toy", "conv_seed_001", "optimizer_adam"} <= set(SAMPLES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_step_is_honest(name):
    """SymPy, not stepcalc's evaluator, puts the operands into each formula."""
    assert_steps_honest(document(name)["steps"], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_with_numbers_keeps_no_symbol_of_the_rule(name):
    functions = set(formula.FUNCTIONS)
    for step in document(name)["steps"]:
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", step["substituted"])) - functions
        left = names & set(step["operands"])
        assert not left, (step["title"], step["substituted"])
        assert "e" not in step["operands"], step["title"]


def _shown(value, decimals: int = 4):
    if isinstance(value, list):
        return [_shown(v, decimals) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    text = fmt_number(value, decimals, given=True).replace(",", "")  # operands as printed
    try:
        return float(text)
    except ValueError:
        return value


def _text(value, decimals: int = 4) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_text(v, decimals) for v in value) + "]"
    if isinstance(value, float) and np.isfinite(value):
        value = float(f"{value:.12g}")  # the float noise of redoing it, as by hand
    return fmt_number(value, decimals)


def _follows(step) -> bool:
    shown = {k: _shown(v) if not isinstance(v, int) else v for k, v in step["operands"].items()}
    try:
        again = evaluate_formula(step["formula"], shown)
    except (ValueError, TypeError, ZeroDivisionError):
        return False
    again = np.asarray(again, dtype=float).tolist()
    return _text(again) == _text(step["value"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_shown_arithmetic_follows_or_says_approximately(name):
    """Redo each step from the operands as printed (4 decimals): the printed value must
    come out, unless the chain writes ≈ before it (read from the LaTeX rows, step by step)."""
    args = CASES[name]
    latex = run(*args, "--format", "latex").stdout
    chains = re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", latex, re.S)
    steps = document(name)["steps"]
    assert len(chains) == len(steps) + 1  # + the result block
    for step, chain in zip(steps, chains, strict=False):
        if "\\approx" not in chain.splitlines()[-1]:
            assert _follows(step), (step["title"], step["substituted"], step["value"])


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("name", sorted(CASES))
def test_terminal_fits_and_draws_matrices(name, columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run(*CASES[name])
    assert result.code == 0, result.stderr
    text = result.stdout
    wide = [line for line in text.splitlines() if cell_len(line) > columns]
    assert not wide, wide[:3]
    assert not re.search(r"\[\[[−\d.]+,|\], \[", text), name  # no Python lists
    assert not SYMPY_NAMES.search(text)
    words = {
        word
        for step in document(name)["steps"]
        for word in re.findall(r"[^\W\d][\w/∂′]{4,}", step["title"])
    }
    missing = sorted(word for word in words if word not in text)
    assert not missing, missing


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_and_latex_write_the_same_chains(name):
    markdown = run(*CASES[name], "--format", "markdown").stdout
    assert "$$\n\\begin{aligned}" in markdown
    assert not SYMPY_NAMES.search(markdown)
    latex = run(*CASES[name], "--format", "latex").stdout
    assert latex.startswith("\\documentclass") and latex.rstrip().endswith("\\end{document}")
    assert not SYMPY_NAMES.search(latex)


def _pdflatex_or_skip() -> str:
    found = shutil.which("pdflatex")
    if not found:
        pytest.skip("pdflatex is not installed (Debian: texlive-latex-base); .ci/run installs it")
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_latex_compiles(name, tmp_path):
    pdflatex = _pdflatex_or_skip()
    source = tmp_path / "steps.tex"
    source.write_text(run(*CASES[name], "--format", "latex").stdout, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-draftmode", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [line for line in done.stdout.splitlines() if line.startswith("!")]
    assert done.returncode == 0, errors or done.stdout[-2000:]


def test_only_shows_a_part_and_names_the_parts():
    part = run_json("yolo-toy", "--only", "backward")
    assert {step["phase"] for step in part["steps"]} == {"backward"}
    assert part["result"] == run_json("yolo-toy")["result"]
    chosen = run_json("yolo-toy", "--only", "grad_w_conv1")
    assert chosen["steps"][-1]["key"] == "grad_w_conv1"
    assert len(chosen["steps"]) == 10  # nine written-out cells and the whole correlation
    both = run_json("yolo-toy", "--only", "loss", "--only", "update")
    assert [s["phase"] for s in both["steps"]][:1] == ["forward"]
    bad = run("yolo-toy", "--only", "gradw")
    assert bad.code == 2 and bad.stderr.startswith("error: --only: unknown part 'gradw'")
    assert "grad_w_conv1" in bad.stderr
