"""Pipes and terminals: quiet ends of pipes, plain text for dumb terminals, narrow widths.

- ``stepcalc … --json | head -c 10`` ends quietly (a real pipe whose reader goes away).
- ``NO_COLOR``, ``TERM=dumb``, ``LANG=C`` and ``COLUMNS=40`` give readable text: no escape
  codes, no line wider than the terminal, and every number of the result still in the
  output (wide tables wrap; a number is never cropped).
- Files written by a command (drill worksheets) appear whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from stepcalc.render.common import ELIDE_AFTER, fmt_number
from tests.test_fuzz import BY_NAME, COMMANDS, run_in_process
from tests.test_security import base_line

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
STEPCALC = [sys.executable, "-m", "stepcalc"]
ESCAPE = re.compile(r"\x1b\[|\x1b\]|\x9b")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def shell(command: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**ENV, **env},
        cwd=ROOT,
    )


def stepcalc_line(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in [*STEPCALC, *args])


# --------------------------------------------------------------------------- pipes


def test_json_into_head_ends_quietly():
    line = stepcalc_line("outsize", "--input", "7", "--kernel", "3", "--json")
    done = shell(f"set -o pipefail; {line} | head -c 10; echo; echo status=${{PIPESTATUS[0]}}")
    first, status = done.stdout.splitlines()[:2]
    assert first == '{"schema_v'
    assert done.stderr == "", done.stderr
    assert status == "status=0"


def test_reader_gone_before_the_first_write():
    """The pipe is closed before stepcalc writes anything: no BrokenPipeError, no message."""
    for args in (
        ["outsize", "--input", "7", "--kernel", "3", "--json"],
        ["params", "--preset", "vgg16"],
    ):
        process = subprocess.Popen(
            [*STEPCALC, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
            cwd=ROOT,
        )
        process.stdout.close()  # the reader goes away at once
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=60)
        process.stderr.close()
        assert stderr == "", stderr
        assert code == 0


def test_long_table_into_head():
    line = stepcalc_line("params", "--preset", "resnet18", "--format", "markdown")
    done = shell(f"{line} | head -n 2")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr


# --------------------------------------------------------------------------- terminals


def _width(line: str) -> int:
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


def numbers_of(value, out: list[float]) -> list[float]:
    """Every number in a result, skipping tensors large enough to be elided in tables."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return out
    if isinstance(value, int | float):
        out.append(value)
    elif isinstance(value, list):
        if len(value) <= ELIDE_AFTER:
            for item in value:
                numbers_of(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            numbers_of(item, out)
    return out


def sample_lines() -> list:
    """One table line per sample problem of a command that exists (and one per command)."""
    from tests.test_fuzz import SAMPLES

    lines = {tuple(a for a in base_line(c) if a != "--json") for c in COMMANDS if c.computing}
    for path in sorted(SAMPLES.glob("*.yaml")):
        for command in COMMANDS:
            stem = command.name.replace("-", "_")
            if command.computing and path.name.startswith((stem + "_", stem + ".")):
                if "answers" not in path.name:
                    lines.add((command.name, "--from", str(path)))
    return [pytest.param(list(line), id=Path(line[-1]).stem) for line in sorted(lines)]


@pytest.mark.parametrize("base", sample_lines())
def test_narrow_plain_terminal_keeps_every_number(base, monkeypatch):
    """COLUMNS=40, NO_COLOR, TERM=dumb, LANG=C: plain text that fits, and every number that a
    wide terminal shows is still there, whole (wrapping never splits or crops a number)."""
    for key, value in {"NO_COLOR": "1", "TERM": "dumb", "LANG": "C"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COLUMNS", "200")
    wide = run_in_process(base)
    monkeypatch.setenv("COLUMNS", "40")
    table = run_in_process(base)
    assert table.code == 0 and wide.code == 0, table.stderr
    assert not ESCAPE.search(table.stdout)
    too_wide = [line for line in table.stdout.splitlines() if _width(line) > 40]
    assert not too_wide, too_wide
    shown = set(NUMBER.findall(table.stdout.replace("−", "-")))
    missing = sorted(set(NUMBER.findall(wide.stdout.replace("−", "-"))) - shown)
    assert not missing, (missing, table.stdout)
    document = run_in_process([*base, "--json"])
    result = json.loads(document.stdout)["result"]
    scalars = [v for v in result.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    assert all(fmt_number(v, 4) in shown for v in scalars), (scalars, table.stdout)


def test_real_dumb_terminal_environment():
    """The same as a real process, with the variables set the way a shell would."""
    for env in (
        {"NO_COLOR": "1"},
        {"TERM": "dumb"},
        {"LANG": "C", "LC_ALL": "C"},
        {"COLUMNS": "40"},
    ):
        done = subprocess.run(
            [*STEPCALC, "outsize", "--input", "32", "--kernel", "5", "--stride", "2"],
            capture_output=True,
            text=True,
            env={**ENV, **env},
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 0, (env, done.stderr)
        assert not ESCAPE.search(done.stdout), env
        assert "14" in done.stdout
        if "COLUMNS" in env:
            assert max(_width(line) for line in done.stdout.splitlines()) <= 40


def test_json_never_has_escape_codes_even_when_forced(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    for command in COMMANDS:
        if not command.computing:
            continue
        outcome = run_in_process(base_line(command))
        assert outcome.code == 0, outcome.stderr
        assert not ESCAPE.search(outcome.stdout)
        json.loads(outcome.stdout)


# --------------------------------------------------------------------------- files


@pytest.mark.skipif("drill" not in BY_NAME, reason="no command writes files yet")
def test_files_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sheet = tmp_path / "sheet.md"
    sheet.write_text("my old sheet\n")
    failed = run_in_process(
        ["drill", "outsize", "--seed", "3", "--worksheet", "sheet.md", "--answers", "no/dir/key.md"]
    )
    assert failed.code == 2 and failed.stderr.startswith("error: --"), failed.stderr
    assert sheet.read_text() == "my old sheet\n"  # untouched: nothing written, no half file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.md"]  # no temporary left over
    done = run_in_process(
        ["drill", "outsize", "--seed", "3", "--worksheet", "sheet.md", "--answers", "key.md"]
    )
    assert done.code == 0, done.stderr
    assert sheet.read_text() != "my old sheet\n" and (tmp_path / "key.md").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- start-up

HEAVY = ("numpy", "sympy", "rich", "yaml")


def test_no_command_module_loads_heavy_libraries_at_import():
    """Importing the CLI and every command module leaves NumPy, SymPy, Rich and YAML unloaded."""
    modules = [f"stepcalc.commands.{c.name.replace('-', '_')}" for c in COMMANDS]
    code = (
        "import importlib, sys\n"
        "from stepcalc.cli import main\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", f"loaded at start-up: {done.stderr.strip()}"


def test_lint_rule_bans_heavy_module_level_imports_in_commands_and_cli():
    """ruff's TID253 (banned-module-level-imports) applies to commands/ and the CLI."""
    import shutil

    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    source = "import numpy\nimport rich.table\nfrom sympy import Symbol\nimport yaml\n"
    for path in ("stepcalc/commands/new_command.py", "stepcalc/cli.py", "stepcalc/runner.py"):
        done = subprocess.run(
            [ruff, "check", "--no-cache", "--select", "TID253", "--stdin-filename", path, "-"],
            input=source,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        for module in HEAVY:
            assert f"`{module}` is banned at the module level" in done.stdout, (path, done.stdout)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_full_disk_and_closed_stdout_are_one_clean_line():
    line = stepcalc_line("outsize", "--input", "7", "--kernel", "3")
    for redirect, message in (("> /dev/full", "No space left"), (">&-", "closed")):
        done = shell(f"{line} {redirect}")
        assert done.returncode == 2, (redirect, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
        assert message in lines[0]


TOKEN = re.compile(r"-?\d+(?:\.\d*)?")


@pytest.mark.parametrize(
    "line",
    [
        ["silu", "--from", "samples/silu_yolo_conv1.yaml"],
        ["graph", "--from", "samples/graph_sigmoid_neuron.yaml"],
        ["dropout", "--from", "samples/dropout_slide.yaml"],
    ],
)
def test_narrow_extra_tables_and_inputs_never_fold_a_number(line, monkeypatch):
    """At 40 columns the element tables and the inputs line go one row per block instead of
    folding numbers (``-0.987`` as ``-0`` / ``.9`` / ``87``) or cutting them with an ellipsis."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    wide = set(TOKEN.findall(run_in_process(line).stdout.replace("−", "-")))
    monkeypatch.setenv("COLUMNS", "40")
    narrow = run_in_process(line).stdout.replace("−", "-")
    assert not re.search(r"\d…|…\d|,…", narrow), narrow
    assert set(TOKEN.findall(narrow)) <= wide, sorted(set(TOKEN.findall(narrow)) - wide)
    assert max(_width(x) for x in narrow.splitlines()) <= 40


def test_check_header_says_one_quantity_not_one_quantities():
    one = run_in_process(["params", "--mlp", "3,2", "--expect", "total=8"])
    assert "check · 1 quantity:" in one.stdout and "quantities" not in one.stdout
    two = run_in_process(
        ["params", "--mlp", "3,2", "--expect", "total=8", "--expect", "trainable=8"]
    )
    assert "check · 2 quantities:" in two.stdout
    markdown = run_in_process(
        ["params", "--mlp", "3,2", "--expect", "total=8", "--format", "markdown"]
    )
    assert "check · 1 quantity:" in markdown.stdout


def test_decimals_zero_keeps_the_zeros_of_whole_numbers():
    """--decimals 0 once showed 10.4 as '1' and -0.5 as '-' (trailing zeros stripped from a
    number without a decimal point)."""
    assert [fmt_number(v, 0) for v in (10.4, 100.3, -10.2, -0.5, 20.6)] == [
        "10",
        "100",
        "-10",
        "-1",  # half up, away from zero, as on paper
        "21",
    ]
    assert [fmt_number(v, 0) for v in (2.5, 0.5)] == ["3", "1"]
    assert [fmt_number(v, 2) for v in (2.675, 0.125)] == ["2.68", "0.13"]
    assert fmt_number(10.4, 2) == "10.4" and fmt_number(120.0001, 2) == "120"
    table = run_in_process(["loss", "--pred", "5.17 10.34 15.51", "--target", "12 15 20"])
    rounded = run_in_process(
        ["loss", "--pred", "5.17 10.34 15.51", "--target", "12 15 20", "--decimals", "0"]
    )
    assert "29.5082" in table.stdout and re.search(r"loss\s+30\b", rounded.stdout), rounded.stdout


def test_redone_arithmetic_ignores_float_noise():
    """0.15 − 0.1·0.0015 is 0.14985 by hand (0.1499 at 4 decimals), though float64 gives
    0.149849999…: the chain still says = before 0.1499."""
    from stepcalc.render.math import follows

    assert follows("a - b*c", {"a": 0.15, "b": 0.1, "c": 0.0015}, 0.14985, 4)
    assert not follows("a - b*c", {"a": 0.15, "b": 0.1, "c": 0.0015}, 0.15, 4)


def test_a_part_equal_to_the_one_before_is_dropped_and_vectors_sit_in_parentheses():
    from stepcalc.render.math import Style, chain, text
    from stepcalc.trace import Step

    step = Step("forward", "t", "-a", {"a": 1.0}, -1.0, symbol="y")
    parts = [text(part) for part in chain(step, Style(4)).parts]
    assert parts == ["y", "−a", "−1"], parts
    assert "= (0.1  0.2)·51.7 = (5.17  10.34)" in run_in_process(["yolo-toy"]).stdout


def test_a_wide_vector_shows_fewer_entries_then_stands_upright():
    from stepcalc.render.terminal import Cells, matrix_box

    vector = [0.12345 * i for i in range(1, 21)]
    wide = matrix_box(vector, Cells(4), 80)
    assert len(wide.lines) == 1 and "⋯" in wide.lines[0] and wide.width <= 80
    narrow = matrix_box(vector, Cells(4), 30)
    assert narrow.lines[0].startswith("⎛") and all(
        line.endswith(("⎞", "⎟", "⎠")) for line in narrow.lines
    )
