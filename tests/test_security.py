"""No user text is ever evaluated: injection strings into every text-taking option of every command.

Each injection goes, one option at a time, into a command line that otherwise works (a sample
problem of the command), so the injected option is really read. The run must end with exit 2
and a one-line message, or with a clean result that shows the text was not evaluated. While
the runs happen, tripwires record any call of ``os.system``, ``subprocess``, ``exec``/``eval``
of text carrying an injection, and the shell payloads would create a marker file.
"""

from __future__ import annotations

import builtins
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stepcalc.spec import COMMON
from tests.test_fuzz import BY_NAME, COMMANDS, SAMPLES, is_flag, names_a_place, run_in_process

MARKER = "PWNED"
INJECTIONS = (
    f"__import__('os').system('touch {MARKER}')",
    f'!!python/object/apply:os.system ["touch {MARKER}"]',
    "lambda: 1",
    "x.__class__",
    "().__class__.__bases__",
    "${HOME}",
    "$(id)",
    f"$(touch {MARKER})",
    f"`touch {MARKER}`",
    f"open('{MARKER}', 'w')",
    "{0.__class__}",
    "[__import__('os')]",
)
"""What a hostile homework file or a careless script might pass."""

SIGNS_OF_EVALUATION = ("<class", "uid=", "<module", "<function", "<built-in", "object at 0x")
TELLTALES = (MARKER, "x.__class__", "().__class__", "__bases__", "lambda: 1", "{0.__class__}")
"""Text that only an injection puts into code (dataclasses' own generated code has none)."""
_warmed = False


def warm_up() -> None:
    """Run every base line once, so lazy imports happen before the tripwires are armed."""
    global _warmed
    if not _warmed:
        for command in COMMANDS:
            run_in_process(base_line(command))
            run_in_process([*base_line(command), "--format", "table"])
        _warmed = True


def base_line(command) -> list[str]:
    """A command line that works for this command (its first sample problem)."""
    if command.name == "drill":
        return ["drill", "outsize", "--seed", "1", "--json"]
    if command.name == "graph":
        return ["graph", "--expr", "(x + y) * z", "--values", "x=-2,y=5,z=-4", "--json"]
    stem = command.name.replace("-", "_")
    samples = sorted(
        p
        for p in SAMPLES.glob("*.yaml")
        if p.name.startswith((stem + "_", stem + ".")) and "answers" not in p.name
    )
    if not samples:
        return [command.name, "--json"]
    return [command.name, "--from", str(samples[0]), "--json"]


def text_options(command) -> list[str]:
    """The command's own text options; the shared ones (--format, --expect …) on one command."""
    common = COMMON if command is COMMANDS[0] else ()
    return [o.name for o in command.options + common if not is_flag(o) and o.name != "json"]


class Tripwire:
    """Records calls that would mean user text was executed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def trip(self, what: str):
        def call(*args, **kwargs):
            self.calls.append(f"{what}{args[:1]!r}")
            raise RuntimeError(f"blocked {what}")

        return call

    def guarded(self, real, what: str):
        def call(source, *args, **kwargs):
            text = source if isinstance(source, str) else getattr(source, "co_consts", ())
            if any(t in str(text) for t in TELLTALES):
                self.calls.append(f"{what}({str(text)[:80]!r})")
                raise RuntimeError(f"blocked {what}")
            return real(source, *args, **kwargs)

        return call


@pytest.fixture
def tripwire(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    warm_up()
    wire = Tripwire()
    for name in ("system", "popen", "execv", "execve", "execvp", "spawnv", "posix_spawn"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, wire.trip(f"os.{name}"))
    monkeypatch.setattr(subprocess, "Popen", wire.trip("subprocess.Popen"))
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, wire.guarded(getattr(builtins, name), name))
    yield wire
    assert not (tmp_path / MARKER).exists(), "a shell payload ran"


def assert_not_evaluated(outcome, injected: str) -> None:
    text = outcome.stdout + outcome.stderr
    assert "Traceback" not in text, outcome.stderr
    assert outcome.code in (0, 1, 2), (outcome.args, outcome.code, outcome.stderr)
    if outcome.code == 2:
        lines = outcome.stderr.splitlines()
        assert len(lines) == 1 and outcome.stdout == "", (outcome.args, outcome.stderr)
        assert names_a_place(lines[0], outcome.args[0]), lines[0]
        assert "internal error" not in lines[0], (outcome.args, lines[0])
    home = os.environ.get("HOME", "")
    if injected == "${HOME}" and len(home) > 1:
        assert home not in text.replace("${HOME}", ""), text
    for sign in SIGNS_OF_EVALUATION:
        assert sign not in text, (outcome.args, sign, text[:500])


def test_every_base_line_works():
    """The injections are only meaningful if the line works without them."""
    failing = {}
    for command in COMMANDS:
        outcome = run_in_process(base_line(command))
        if outcome.code != 0:
            failing[command.name] = outcome.stderr.strip()
    assert not failing, failing


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_injections_into_every_text_option(name, tripwire):
    command = BY_NAME[name]
    base = base_line(command)
    accepted = []
    for option in text_options(command):
        for injected in INJECTIONS:
            args = [*base, f"--{option}", injected]
            if option in ("from", "network"):
                args = [command.name, f"--{option}", injected, "--json"]
            outcome = run_in_process(args)
            assert_not_evaluated(outcome, injected)
            if outcome.code != 2:
                accepted.append((option, injected))
    assert not tripwire.calls, tripwire.calls
    # Text options that accept any text are file paths (drill writes the worksheet there).
    assert {option for option, _ in accepted} <= {"worksheet", "answers"}, accepted


@pytest.mark.parametrize("name", [c.name for c in COMMANDS if c.argument is not None])
def test_injections_as_the_positional_argument(name, tripwire):
    command = BY_NAME[name]
    for injected in INJECTIONS:
        outcome = run_in_process([command.name, injected, "--json"])
        assert_not_evaluated(outcome, injected)
        assert outcome.code == 2, (injected, outcome.stdout[:200])
    assert not tripwire.calls, tripwire.calls


YAML_PAYLOADS = (
    f'!!python/object/apply:os.system ["touch {MARKER}"]',
    f"!!python/object/new:os.system [touch {MARKER}]",
    "!!python/name:os.system",
    "!!python/module:os",
    f"!!python/object/apply:subprocess.check_output [[touch, {MARKER}]]",
    "!!python/object:builtins.object {}",
    f"!!python/object/apply:builtins.eval [\"__import__('os').system('touch {MARKER}')\"]",
)


@pytest.mark.parametrize("name", [c.name for c in COMMANDS if c.computing])
def test_yaml_tags_in_problem_and_answer_files(name, tripwire, tmp_path):
    command = BY_NAME[name]
    keys = [o.name for o in command.options if not is_flag(o)][:2]
    for payload in YAML_PAYLOADS:
        for key in keys:
            problem = tmp_path / "problem.yaml"
            problem.write_text(f"{key}: {payload}\n")
            outcome = run_in_process([command.name, "--from", str(problem), "--json"])
            assert outcome.code == 2, (key, payload, outcome.stdout[:200])
            assert "not allowed" in outcome.stderr or "--from" in outcome.stderr
            assert_not_evaluated(outcome, payload)
        via_stdin = run_in_process(
            [command.name, "--from", "-", "--json"], stdin=f"{keys[0]}: {payload}\n"
        )
        assert via_stdin.code == 2, via_stdin.stderr
        answers = tmp_path / "answers.yaml"
        answers.write_text(f"result: {payload}\n")
        checked = run_in_process([*base_line(command), "--check", str(answers)])
        assert checked.code == 2 and "--check" in checked.stderr, checked.stderr
    assert not tripwire.calls, tripwire.calls


def test_expression_options_refuse_python(tripwire):
    """optimizer --loss and graph --expr go through the whitelist parser only."""
    lines = []
    if "optimizer" in BY_NAME:
        lines.append(["optimizer", "sgd", "--params", "1 1", "--steps", "1", "--loss"])
    if "graph" in BY_NAME:
        lines.append(["graph", "--values", "x=1,y=2", "--expr"])
    attacks = (
        *INJECTIONS,
        "x.real",
        "x[0]",
        "x if y else 1",
        "[x for x in y]",
        "exp.__globals__",
        "sigmoid(x).__class__",
        "__builtins__",
        "eval('1')",
    )
    for line in lines:
        for attack in attacks:
            outcome = run_in_process([*line, attack, "--json"])
            assert outcome.code == 2, (line, attack, outcome.stdout[:200])
            assert_not_evaluated(outcome, attack)
    assert not tripwire.calls, tripwire.calls


def test_real_process_with_shell_payloads(tmp_path):
    """End to end: the payloads are passed literally and never reach a shell."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    payloads = [
        f"$(touch {MARKER})",
        f"`touch {MARKER}`",
        f"__import__('os').system('touch {MARKER}')",
    ]
    for payload in payloads:
        done = subprocess.run(
            [sys.executable, "-m", "stepcalc", "outsize", "--input", payload, "--kernel", "3"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=30,
        )
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("error: --input:"), done.stderr
    problem = tmp_path / "p.yaml"
    problem.write_text(f'input: !!python/object/apply:os.system ["touch {MARKER}"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "stepcalc", "outsize", "--from", str(problem)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=30,
    )
    assert done.returncode == 2 and "not allowed" in done.stderr, done.stderr
    assert not (tmp_path / MARKER).exists()


ALLOWED_DYNAMIC_CODE: dict[str, set[str]] = {
    # file: the constructs it may use, and why they are safe (none today: formulas are trees
    # walked by stepcalc.formula, user expressions go through the whitelist parser)
}
IMPORTERS = {
    "stepcalc/spec.py": "command modules found in the package, calculators named by the specs",
    "stepcalc/formula.py": "implementations named in the FUNCTIONS table",
}
DANGEROUS = re.compile(
    r"(?<![\w.])(eval|exec|compile)\(|sympify|\bparse_expr\b|lambdify|yaml\.load\(|unsafe_load|FullLoader"
    r"|UnsafeLoader|yaml\.Loader\b|os\.system|os\.popen|subprocess|shell=True|pickle|marshal"
    r"|__import__|importlib\.import_module"
)


def test_no_new_way_to_run_text():
    """Every use of dynamic code in the package is known and reviewed."""
    root = Path(__file__).resolve().parents[1]
    found = {}
    for path in sorted((root / "stepcalc").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        allowed = ALLOWED_DYNAMIC_CODE.get(relative, set())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in DANGEROUS.finditer(code):
                token = match.group(0)
                if token in allowed or token.rstrip("(") + "(" in allowed:
                    continue
                if token == "importlib.import_module" and relative in IMPORTERS:
                    continue
                found.setdefault(relative, []).append(f"{number}: {line.strip()}")
    assert not found, found


# --------------------------------------------------------------------------- resource limits


def refused(args: list[str], mentions: str, stdin: str = "") -> str:
    """Exit 2 naming ``mentions``, quickly and without allocating the refused thing."""
    import tracemalloc

    tracemalloc.start()
    try:
        outcome = run_in_process(args, stdin)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.code == 2, (args[:6], outcome.code, outcome.stdout[:200], outcome.stderr)
    assert outcome.stdout == "" and len(outcome.stderr.splitlines()) == 1, outcome.stderr
    assert mentions in outcome.stderr, outcome.stderr
    assert outcome.seconds < 5, outcome.seconds
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB allocated before refusing"
    return outcome.stderr


def needs(*names: str):
    missing = [n for n in names if n not in BY_NAME]
    return pytest.mark.skipif(bool(missing), reason=f"command {missing} not there yet")


def test_limit_tensor_elements_in_text_and_files(tmp_path):
    from stepcalc import limits

    many = limits.MAX_TENSOR_ELEMENTS + 1
    refused(["outsize", "--input", "7", "--kernel", "3", "--from", "-"], "--from", stdin="[")
    text = " ".join(["1"] * many)
    command = "silu" if "silu" in BY_NAME else None
    if command:
        refused([command, "--input", text], "above the limit")
        big = tmp_path / "big.json"
        big.write_text('{"input": [' + ",".join(["1"] * many) + "]}")
        refused([command, "--from", str(big)], "above the limit")


@needs("conv", "pool")
def test_limit_computed_tensors_before_allocation():
    small = ["--input", "1 2; 3 4"]
    refused(["conv", *small, "--kernel", "1", "--padding", "99999"], "limit")
    refused(["conv", *small, "--kernel", "1 1; 1 1", "--transpose", "--stride", "99999"], "limit")
    refused(["conv", *small, "--kernel", "1 1; 1 1", "--dilation", "99999"], "--")
    refused(["pool", *small, "--kernel", "99999", "--padding", "49999"], "limit")


@needs("silu", "dropout", "optimizer")
def test_limit_repeated_work():
    refused(["silu", "--input", "1 2", "--depth", "99999"], "--depth")
    refused(["dropout", "--input", "1 2 3", "--keep-prob", "0.5", "--samples", "99999"], "limit")
    refused(
        ["optimizer", "adam", "--params", "1 1", "--grad", "1 1", "--steps", "10001"], "--steps"
    )


def test_limit_dimension():
    from stepcalc import limits

    too_big = str(limits.MAX_DIMENSION + 1)
    refused(["outsize", "--input", too_big, "--kernel", "3"], "--input")
    refused(["outsize", "--input", "7", "--kernel", too_big], "--kernel")
    refused(["outsize", "--input", "7", "--kernel", "3", "--stride", "9" * 30], "--stride")


def test_limit_text_length(monkeypatch):
    from stepcalc import limits

    if "silu" not in BY_NAME:
        pytest.skip("no tensor command yet")
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 1_000)
    refused(["silu", "--input", "1 " * 600], "longer than")


def test_limit_file_size(tmp_path, monkeypatch):
    from stepcalc import limits

    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)  # no disk used, no bytes read
    refused(["outsize", "--from", str(sparse)], "larger than")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_000)
    refused(["outsize", "--from", "-"], "larger than", stdin="# x\n" * 400)
    answers = tmp_path / "answers.yaml"
    answers.write_text("height: 3\n" + "#\n" * 600)
    refused(["outsize", "--input", "7", "--kernel", "3", "--check", str(answers)], "larger than")


def test_limit_yaml_aliases_and_nesting(tmp_path):
    from tests.test_fuzz import billion_laughs

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(9, 9))
    refused(["outsize", "--from", str(bomb)], "aliases")
    refused(["outsize", "--from", "-"], "nested", stdin="input: " + "[" * 65 + "]" * 65)
    if "silu" in BY_NAME:
        refused(["silu", "--input", "[" * 9 + "1" + "]" * 9], "nested deeper")
        refused(["silu", "--input", "[" * 100_000 + "]" * 100_000], "--input")


def test_limit_layers(tmp_path):
    from stepcalc import limits

    layers = tmp_path / "layers.yaml"
    layers.write_text("input: [4]\nlayers:\n" + "  - relu\n" * (limits.MAX_LAYERS + 1))
    refused(["params", "--from", str(layers)], "layers")


@needs("yolo-toy", "graph")
def test_limit_steps_and_epochs():
    from stepcalc import limits

    over = str(limits.MAX_STEPS + 1)
    refused(["yolo-toy", "--steps", over], "--steps")
    network = str(SAMPLES / "network_mlp.yaml")
    refused(["graph", "--network", network, "--epochs", over, "--lr", "0.1"], "--epochs")


@needs("drill")
def test_limit_drill_count(tmp_path, monkeypatch):
    from stepcalc import limits

    monkeypatch.chdir(tmp_path)
    refused(["drill", "outsize", "--count", str(limits.MAX_DRILL_COUNT + 1), "--json"], "--count")


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(["optimizer", "sgd", "--params", "1", "--steps", "1", "--loss"], id="loss"),
        pytest.param(["graph", "--values", "x=1", "--expr"], id="expr"),
    ],
)
def test_limit_expressions(line):
    from stepcalc import limits

    if line[0] not in BY_NAME:
        pytest.skip(f"{line[0]} not there yet")
    vars_ = ["--vars", "x"] if line[0] == "optimizer" else []
    option = line[-1]
    long = "x" + "+x" * (limits.MAX_EXPRESSION_CHARS // 2)
    refused([*line, long, *vars_], option)
    deep = "(" * (limits.MAX_EXPRESSION_DEPTH + 1) + "x" + ")" * (limits.MAX_EXPRESSION_DEPTH + 1)
    refused([*line, deep, *vars_], option)
    refused([*line, f"x**{limits.MAX_EXPONENT + 1}", *vars_], option)
    refused([*line, "2**2**2**2**2**2", *vars_], option)
    for undefined in ("-log(log(0))", "x + 1/0"):
        outcome = run_in_process([*line, undefined, *vars_, "--json"])
        assert outcome.code == 2 and "internal error" not in outcome.stderr, outcome.stderr
    fine = run_in_process([*line, f"x**{limits.MAX_EXPONENT}", *vars_, "--json"])
    assert fine.code == 0, fine.stderr
