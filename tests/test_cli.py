import json
import subprocess
import sys

import pytest

from stepcalc import __version__
from tests.helpers import assert_bad_input, run, run_json

OUTSIZE = ("outsize", "--input", "7", "--kernel", "3", "--stride", "2")


def test_version_and_help():
    assert run("--version").stdout.strip() == f"stepcalc {__version__}"
    helped = run("--help")
    assert helped.code == 0 and "outsize" in helped.stdout and "params" in helped.stdout
    assert run("outsize", "--help").code == 0


def test_import_is_light():
    code = (
        "import sys, stepcalc.cli; "
        "heavy = [m for m in ('numpy', 'sympy', 'rich', 'yaml') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_outsize_json_needs_no_numpy_or_sympy():
    code = (
        "import sys; from stepcalc.cli import main\n"
        "try:\n    main(['outsize', '--input', '7', '--kernel', '3', '--json'])\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in ('numpy', 'sympy', 'rich') if m in sys.modules], file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "[]"


def test_python_dash_m():
    out = subprocess.run(
        [sys.executable, "-m", "stepcalc", *OUTSIZE, "--json"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert json.loads(out.stdout)["result"]["height"] == 3


def test_json_envelope():
    document = run_json(*OUTSIZE)
    assert list(document)[:5] == ["schema_version", "command", "inputs", "steps", "result"]
    assert document["schema_version"] == 1 and document["command"] == "outsize"
    for step in document["steps"]:
        assert step["phase"] in ("forward", "backward", "update")
        assert {"title", "formula", "value"} <= set(step)
    assert isinstance(document["result"]["height"], int)


def test_check_block_and_exit_codes(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("height: 3\nwidth: 4\n")
    checked = run(*OUTSIZE, "--check", str(answers), "--json")
    assert checked.code == 1
    block = checked.json["check"]
    assert block["ok"] is False
    assert block["items"][0] == {
        "quantity": "height",
        "index": None,
        "given": 3,
        "expected": 3,
        "verdict": "correct",
    }
    assert block["items"][1]["verdict"] == "wrong"
    assert block["items"][1]["expected"] == 3
    assert run(*OUTSIZE, "--expect", "height=3", "--expect", "width=3").code == 0
    unknown = assert_bad_input(*OUTSIZE, "--expect", "depth=3", mentions="unknown quantity")
    assert "height" in unknown and "width" in unknown
    assert run(*OUTSIZE, "--expect", "height=3.4", "--tol", "0.5").code == 0
    assert run(*OUTSIZE, "--expect", "height=3.4", "--tol", "0.1").code == 1


def test_from_file_and_stdin_with_flags_overriding(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text("input: 7\nkernel: 3\nstride: 2\n")
    assert run_json("outsize", "--from", str(problem))["result"]["height"] == 3
    assert run_json("outsize", "--from", str(problem), "--stride", "1")["result"]["height"] == 5
    piped = run("outsize", "--from", "-", "--json", stdin='{"input": 9, "kernel": 3}')
    assert piped.code == 0 and piped.json["result"]["height"] == 7
    assert run_json("outsize", "--from", "samples/outsize.yaml")["result"]["height"] == 4
    problem.write_text("input: 7\nkernel: 3\nstrid: 2\n")
    assert_bad_input("outsize", "--from", str(problem), mentions="unknown key 'strid'")


def test_usage_errors_are_one_line():
    assert_bad_input("outsize", "--bogus", mentions="--bogus")
    assert_bad_input("outsize", "--input", mentions="--input")
    assert_bad_input("nonsense", mentions="nonsense")
    assert_bad_input(*OUTSIZE, "--format", "html", mentions="--format")
    assert_bad_input(*OUTSIZE, "--lang", "fr", mentions="--lang")


def test_formats_ascii_and_decimals():
    table = run(*OUTSIZE, "--ascii")
    assert table.code == 0
    assert table.stdout.isascii()
    markdown = run(*OUTSIZE, "--format", "markdown").stdout
    assert markdown.startswith("## ") and "$$\n\\begin{aligned}" in markdown
    latex = run(*OUTSIZE, "--format", "latex").stdout
    assert "\\begin{align*}" in latex


def test_table_fits_80_columns():
    out = run("params", "--preset", "resnet18").stdout
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("columns", ["80", "60"])
def test_help_wraps_between_words(monkeypatch, columns):
    """``leaky-relu`` and ``--grad-output`` are never split at their hyphen."""
    from stepcalc.spec import command_names

    monkeypatch.setenv("COLUMNS", columns)
    for name in command_names():
        lines = run(name, "--help").stdout.splitlines()
        for line, after in zip(lines, lines[1:], strict=False):
            broken = line.endswith("-") and after.strip()[:1].isalpha()
            assert not broken, f"{name}: {line!r} / {after!r}"
