"""Property-based fuzzing of every command: random option values and random problem files.

Whatever is thrown at a command, it must end cleanly: no traceback, exit code 0, 1 or 2, a
code-2 message that is one line naming an option (``error: --kernel: …``) or the command
(``error: conv: …``) with nothing on stdout, no "internal error", valid JSON with ``--json``,
and every run within 5 s.

The harness reads the command registry (``stepcalc.spec``), so a new command is fuzzed as
soon as it is declared. Option values come from the declared option types (tensors of the
declared ranks in every written form, integer lists of the declared lengths, choices,
numbers), a few hints for free text (expressions, assignments), and generic garbage.
``benchmarks/fuzz.py`` runs the same generators for longer.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stepcalc.cli import main
from stepcalc.spec import (
    COMMON,
    Choice,
    Command,
    Flag,
    Int,
    Ints,
    Mapping,
    Number,
    Opt,
    Tensor,
    command_names,
    commands,
)

TIME_LIMIT = 5.0
"""Seconds one run may take."""


# --------------------------------------------------------------------------- discovery


COMMANDS = commands()
BY_NAME = {command.name: command for command in COMMANDS}


def all_options(command: Command) -> tuple[Opt, ...]:
    return command.options + (COMMON if command.computing else ())


def is_flag(opt: Opt) -> bool:
    return isinstance(opt.type, Flag)


# --------------------------------------------------------------------------- running


class RunTimeout(BaseException):
    """Raised by the alarm inside a run that takes too long (not an Exception on purpose)."""


@dataclass
class Outcome:
    args: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float
    stdin: str = ""
    problems: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum, frame):
        raise RunTimeout

    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def run_in_process(args: list[str], stdin: str = "", limit: float = TIME_LIMIT) -> Outcome:
    """``stepcalc ARGS`` in this process, stopped by an alarm after ``limit`` seconds."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    code: int | str = 0
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with _alarm(limit):
                try:
                    main(list(args))
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                except RunTimeout:
                    code = "timeout"
                except Exception as exc:  # noqa: BLE001 - reported as a problem below
                    import traceback

                    err.write("Traceback (most recent call last):\n")
                    err.write("".join(traceback.format_exception(exc)))
                    code = "exception"
    finally:
        sys.stdin = old_stdin
    seconds = time.perf_counter() - start
    outcome = Outcome(list(args), code, out.getvalue(), err.getvalue(), seconds, stdin)  # type: ignore[arg-type]
    outcome.problems = problems_of(outcome)
    return outcome


def run_subprocess(args: list[str], stdin: str = "", cwd: str | None = None) -> Outcome:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "stepcalc", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT + 2,
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        code, stdout, stderr = "timeout", "", ""
    seconds = time.perf_counter() - start
    outcome = Outcome(list(args), code, stdout, stderr, seconds, stdin)  # type: ignore[arg-type]
    outcome.problems = problems_of(outcome, startup=1.0)
    return outcome


def _command_of(args: list[str]) -> str | None:
    for arg in args:
        return arg if arg in BY_NAME else None
    return None


def problems_of(outcome: Outcome, startup: float = 0.0) -> list[str]:
    """Every way the outcome breaks the contract (empty when it is fine)."""
    problems = []
    code, stdout, stderr, args = outcome.code, outcome.stdout, outcome.stderr, outcome.args
    command = _command_of(args)
    if code == "timeout" or outcome.seconds > TIME_LIMIT + startup:
        problems.append(f"took {outcome.seconds:.1f} s")
        return problems
    if code not in (0, 1, 2):
        problems.append(f"exit code {code}")
    if "Traceback" in stderr or "Traceback" in stdout:
        problems.append("traceback")
    if "internal error" in stderr:
        problems.append("internal error")
    if code == 2:
        lines = stderr.splitlines()
        if stdout:
            problems.append("stdout not empty on exit 2")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr on exit 2")
        elif not names_a_place(lines[0], command):
            problems.append("exit-2 message names no option or command")
    if code == 1 and command != "drill" and not any(a in ("--check", "--expect") for a in args):
        problems.append("exit 1 without --check/--expect")
    if code in (0, 1) and command != "drill" and _wants_json(args):
        try:
            json.loads(stdout, parse_constant=_no_constant)
        except ValueError as exc:
            problems.append(f"--json output is not JSON ({exc})")
    if code in (0, 1) and command is not None and command != "drill" and stderr.strip():
        problems.append("stderr not empty on success")
    return problems


def names_a_place(line: str, command: str | None) -> bool:
    """``error: --option: …``, ``error: COMMAND: …`` or ``error: ARGUMENT: …`` (e.g. TOPIC).

    With ``--lang ko`` the word ``error`` is Korean (``오류: --kernel: …``)."""
    for prefix in ("오류: ", "error: "):
        if line.startswith(prefix):
            line = "error: " + line[len(prefix) :]
            break
    if line.startswith("error: -"):  # an option, long or short (-x: no such option)
        return True
    if command is None:
        return False
    if line.startswith(f"error: {command}:"):
        return True
    argument = BY_NAME[command].argument  # named as in help: TOPIC, ALGO(RITHM)
    return argument is not None and re.match(r"error: [A-Z][A-Z_-]*: ", line) is not None


def _no_constant(name: str):
    raise ValueError(f"{name} in JSON")


def _wants_json(args: list[str]) -> bool:
    fmt = None
    wants = False
    for i, arg in enumerate(args):
        if arg == "--json":
            wants = True
        if arg == "--no-json":
            wants = False
        if arg == "--format" and i + 1 < len(args):
            fmt = args[i + 1]
    if "--help" in args or "-h" in args:
        return False
    return wants or fmt == "json"


def describe(outcome: Outcome) -> str:
    line = "stepcalc " + " ".join(_quote(a) for a in outcome.args)
    if outcome.stdin:
        line += f"   (stdin: {outcome.stdin[:200]!r})"
    return f"{line}\n  -> {outcome.code}: {outcome.problems}\n{outcome.stderr[-2000:]}"


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


# --------------------------------------------------------------------------- value generators

GARBAGE = (
    "",
    " ",
    "-",
    "--",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1/0",
    "0/0",
    "1e999",
    "-1e999",
    "1e-400",
    "0x10",
    "1_000",
    "١٢٣",
    "½",
    "x",
    "[",
    "]",
    "[]",
    "[[]]",
    "[1, [2]]",
    "{}",
    "null",
    "true",
    ";",
    ";;",
    "|",
    "||",
    "1;",
    "1 2; 3",
    "1,,2",
    ",1",
    "1 2 | 3 4; 5 6",
    "é",
    "\u202e1",
    "\x00",
    "1\n2",
    "9" * 60,
    "-" + "9" * 60,
    "1" * 400,
    "1e308",
    "-0",
    "+.5",
    "1.",
    ".",
    "e3",
    "1e",
    "--help",
    "-h",
    "same",
    "a=b",
    "=",
    "x=",
    "=1",
)

_NUMBER_WORDS = st.sampled_from(
    ["0", "1", "-1", "2", "-3", "0.5", "-0.25", "1/3", "-2/7", "1e-3", "2.5e1", "10", "0.1"]
)
number_text = st.one_of(
    _NUMBER_WORDS,
    st.integers(-20, 20).map(str),
    st.floats(-50, 50, allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.4g}"),
)
small_numbers = st.one_of(
    st.integers(-9, 9),
    st.floats(-10, 10, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)


def int_list_text(low: int = 0, high: int = 12, sizes: tuple[int, int] = (1, 3)):
    return st.tuples(
        st.lists(st.integers(low, high), min_size=sizes[0], max_size=sizes[1]),
        st.sampled_from([",", " ", ", "]),
    ).map(lambda pair: pair[1].join(map(str, pair[0])))


def shapes(min_dims: int = 1, max_dims: int = 3, max_side: int = 5):
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims)


def nested_numbers(shape: list[int], draw_leaf) -> list:
    if len(shape) == 1:
        return [draw_leaf() for _ in range(shape[0])]
    return [nested_numbers(shape[1:], draw_leaf) for _ in range(shape[0])]


def write_tensor(nested, style: str, sep: str) -> str:
    """A nested list in one of the contract's written forms."""
    if style == "json":
        return json.dumps(nested)
    depth = 0
    probe = nested
    while isinstance(probe, list):
        depth += 1
        probe = probe[0]
    if depth == 0:
        return _num(nested)
    if depth == 1:
        return sep.join(_num(v) for v in nested)
    if depth == 2:
        return "; ".join(sep.join(_num(v) for v in row) for row in nested)
    if depth == 3:
        return " | ".join(write_tensor(m, style, sep) for m in nested)
    if depth == 4:
        return " || ".join(write_tensor(m, style, sep) for m in nested)
    return json.dumps(nested)


def _num(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@st.composite
def tensor_text(draw, min_dims: int = 1, max_dims: int = 3, max_side: int = 5, broken=True):
    shape = draw(shapes(min_dims, max_dims, max_side))
    leaves = draw(st.lists(small_numbers, min_size=1, max_size=8))
    counter = iter(range(10**6))
    nested = nested_numbers(shape, lambda: leaves[next(counter) % len(leaves)])
    style = draw(st.sampled_from(["text", "text", "text", "json"]))
    sep = draw(st.sampled_from([" ", ",", ", ", "  "]))
    text = write_tensor(nested, style, sep)
    if broken and draw(st.integers(0, 9)) == 9:
        text = draw(_break_tensor(text))
    return text


@st.composite
def _break_tensor(draw, text: str):
    how = draw(st.sampled_from(["ragged", "nan", "word", "empty-row", "cut", "unicode"]))
    if how == "ragged":
        return text.replace(";", " 7;", 1) if ";" in text else text + "; 1 2 3 4 5 6 7 8 9"
    if how == "nan":
        return text.replace("1", "nan", 1) if "1" in text else "nan " + text
    if how == "word":
        return text + " x"
    if how == "empty-row":
        return text + ";"
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    return text.replace("2", "２")


expression_text = st.recursive(
    st.sampled_from(["x", "y", "z", "w", "x1", "x2", "b", "1", "2", "0.5", "3", "0"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(
            st.sampled_from(
                ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "relu", "silu"]
            ),
            inner,
        ).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
        inner.map(lambda e: f"-{e}"),
    ),
    max_leaves=8,
)
bad_expressions = st.sampled_from(
    [
        "x**1000",
        "2**2**2**2**2",
        "(" * 80 + "x" + ")" * 80,
        "x" + "+x" * 1200,
        "exp(exp(exp(1000)))",
        "x.__class__",
        "x[0]",
        "lambda: 1",
        "__import__('os')",
        "open('f')",
        "x y",
        "x +",
        "log(0)",
        "1/0",
        "sqrt(-1)",
        "max(x)",
        "unknown(x)",
        "x = 1",
        "x; y",
        "𝑥",
    ]
)


@st.composite
def assignments(draw, names=("x", "y", "z", "w", "b", "x1", "x2")):
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    values = [draw(number_text) for _ in chosen]
    sep = draw(st.sampled_from([",", ", ", " "]))
    return sep.join(f"{n}={v}" for n, v in zip(chosen, values, strict=True))


RESULT_NAMES = (
    "output",
    "loss",
    "height",
    "width",
    "total",
    "grad_input",
    "grad_weight",
    "final_params",
    "derivative",
    "standard.z_test",
    "updated.w_conv1",
    "output[0][0]",
    "output[99]",
    "layers[0].params",
    "nope",
    "a.b.c",
)


@st.composite
def expectation(draw):
    quantity = draw(st.sampled_from(RESULT_NAMES))
    value = draw(
        st.one_of(number_text, tensor_text(max_dims=2, max_side=3), st.sampled_from(GARBAGE))
    )
    return draw(st.sampled_from([f"{quantity}={value}", quantity, f"={value}", f"{quantity}="]))


def choices_of(opt: Opt) -> list[str]:
    """The declared choices of an option (empty when it is no choice)."""
    return list(opt.type.choices) if isinstance(opt.type, Choice) else []


def typed_values(opt: Opt) -> st.SearchStrategy[str] | None:
    """Plausible values of the declared type, a little outside its range now and then."""
    kind = opt.type
    if isinstance(kind, Tensor):
        ranks = kind.ndim or (0, 1, 2, 3)
        tensors = tensor_text(max(min(ranks), 1), max(max(ranks), 1), 5)
        return st.one_of(tensors, number_text) if 0 in ranks else tensors
    if isinstance(kind, Ints):
        low = (kind.minimum or 0) - 1
        sizes = (min(kind.length), max(kind.length)) if kind.length else (1, 4)
        return int_list_text(max(low, 0), low + 30, sizes)
    if isinstance(kind, Int):
        low = (kind.minimum or 0) - 1
        high = min(kind.maximum if kind.maximum is not None else low + 30, low + 60)
        return st.integers(low, high + 1).map(str)
    if isinstance(kind, Number):
        return number_text
    return None


def choice_text(words: list[str]):
    return st.one_of(
        st.sampled_from(words),
        st.sampled_from(words).map(str.upper),
        st.sampled_from(words).map(lambda w: f" {w} "),
        st.sampled_from(words).map(lambda w: w[:-1]),
    )


ints_plain = int_list_text(1, 9, (1, 2))
ACTIVATIONS = (
    "silu",
    "swish",
    "sigmoid",
    "relu",
    "leaky-relu",
    "tanh",
    "gelu",
    "gelu-tanh",
    "elu",
    "softplus",
    "SiLU",
    "mish",
)
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adamax")
HINTS: dict[str, st.SearchStrategy[str]] = {
    # free text the types cannot describe; everything else comes from the declared types
    "outsize.padding": st.one_of(int_list_text(0, 4, (1, 2)), st.just("same")),
    "conv.padding": st.one_of(int_list_text(0, 3, (1, 2)), st.just("same")),
    "pool.padding": st.one_of(int_list_text(0, 3, (1, 2)), st.just("same")),
    "optimizer.loss": expression_text,
    "optimizer.vars": st.sampled_from(["x", "x1,x2", "x,y", "x1, x2, x3", "a,,b", "1x"]),
    "optimizer.compare": st.lists(st.sampled_from(OPTIMIZERS), min_size=1, max_size=3).map(
        ",".join
    ),
    "optimizer.algorithm": st.sampled_from(OPTIMIZERS),
    "optimizer.state": st.tuples(
        st.sampled_from(["momentum_buffer", "sum", "exp_avg", "exp_avg_sq", "step", "bogus"]),
        tensor_text(1, 1, 3, broken=False),
    ).map(lambda t: f"{t[0]}={t[1]}"),
    "silu.fn": st.sampled_from(ACTIVATIONS),
    "silu.compare": st.sampled_from(ACTIVATIONS),
    "drill.topic": st.sampled_from([*command_names(), "mix"]),
    "expect": expectation(),
    "values": assignments(),
    "expr": expression_text,
    "mask": tensor_text(1, 3, 4).map(lambda t: t.replace("-", "").replace(".", "")),
    "keep-prob": st.sampled_from(["0.5", "0.8", "1", "0", "1.5", "-0.1", "4/5"]),
    "drop-prob": st.sampled_from(["0.5", "0.2", "1", "0", "1.5", "-0.1", "1/5"]),
}


def generic_text():
    return st.one_of(
        number_text,
        int_list_text(-2, 12),
        tensor_text(1, 4, 4),
        st.sampled_from(GARBAGE),
        st.text(max_size=12),
    )


def is_file_option(opt: Opt) -> bool:
    return (
        isinstance(opt.type, Mapping)
        or opt.type.metavar.upper() == "FILE"
        or opt.name in ("from", "check")
    )


def value_strategy(command: Command, opt: Opt, files, calm: bool = False) -> st.SearchStrategy[str]:
    """Plausible values for this option, mixed with generic and hostile ones (unless calm)."""
    if is_file_option(opt):
        return files
    hinted = HINTS.get(f"{command.name}.{opt.name}")
    if hinted is None:
        hinted = HINTS.get(opt.name)
    words = choices_of(opt)
    plausible = []
    if hinted is not None:
        plausible.append(hinted)
    typed = typed_values(opt)
    if typed is not None:
        plausible.append(typed)
    if words:
        plausible.append(choice_text(words))
    if not plausible:
        plausible.append(st.one_of(number_text, tensor_text(1, 3, 4), int_list_text(0, 6)))
    if calm:
        return st.one_of(*plausible)
    return st.one_of(*plausible, *plausible, generic_text())


# --------------------------------------------------------------------------- problem files

HOSTILE_FILES = (
    "{key}: !!python/object/apply:os.system ['touch PWNED']\n",
    "{key}: !!python/name:os.system\n",
    "!!python/object/new:os.system [touch PWNED]\n",
    "{key}: !!binary aGVsbG8=\n",
    "{key}: !!set {{a, b}}\n",
    "{key}: !custom 1\n",
    "{key}: 2001-12-14\n",
    "{key}: .nan\n",
    "{key}: .inf\n",
    "{key}: -.inf\n",
    "{key}: 1e999\n",
    "{key}: 0x1F\n",
    "{key}: 0o17\n",
    "{key}: 1_000\n",
    "{key}: {big}\n",
    "{key}: -{big}\n",
    "{key}: [{big}, 1]\n",
    "{key}: 1\n{key}: 2\n",
    "{key}: [1, 2\n",
    "{key}: {{\n",
    "\t{key}: 1\n",
    "{key}: " + "[" * 60 + "1" + "]" * 60 + "\n",
    "{key}: " + "[" * 3000 + "1" + "]" * 3000 + "\n",
    "{key}: " + "{{a: " * 200 + "1" + "}}" * 200 + "\n",
    "a: &a [1, 2]\n{key}: *a\n",
    "a: &a {{x: 1}}\n{key}:\n  <<: *a\n",
    "{key}: *undefined\n",
    "? [1, 2]\n: 3\n",
    "1: 2\n",
    "~: 1\n",
    "true: 1\n",
    "- 1\n- 2\n",
    "just text\n",
    "",
    "---\n",
    "{key}: 1\n---\n{key}: 2\n",
    "\ufeff{key}: 1\n",
    '{key}: "\\x00"\n',
    '{key}: "\\ud800"\n',
    "{key}: 한국어\n",
    "{key}: '1 2; 3 4'\n",
    "{key}: [[1, 2], [3]]\n",
    "{key}: [[1, 2], 3]\n",
    "{key}: ['1/3', '2']\n",
    "{key}: [true, false]\n",
    "{key}: [null]\n",
    "{key}: []\n",
    "{key}: {{}}\n",
    "format: json\n",
    "from: other.yaml\n",
    "{key}: %\n",
    "%YAML 1.1\n%TAG ! tag:evil,2000:\n---\n{key}: !x 1\n",
)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"input: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def yaml_value(command: Command, opt: Opt):
    """A native YAML/JSON value for one key: plausible, wrong-typed, deep, huge or odd."""
    hinted = value_strategy(command, opt, st.just("missing.yaml"))
    deep = st.integers(1, 40).map(lambda d: json.loads("[" * d + "1" + "]" * d))
    return st.one_of(
        hinted,
        st.lists(small_numbers, min_size=1, max_size=5),
        st.lists(st.lists(small_numbers, min_size=2, max_size=2), min_size=1, max_size=3),
        st.integers(-(10**30), 10**30),
        st.just(10**400),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.dictionaries(st.text(max_size=4), small_numbers, max_size=2),
        deep,
        st.text(max_size=10),
        st.lists(st.text(max_size=3), min_size=1, max_size=3),
    )


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def samples_for(command: Command, option: str = "from") -> list[str]:
    """Texts of the sample problems of a command (``network_*`` ones for graph --network)."""
    if option == "network":
        prefixes = ("network_",)
    elif option == "from":
        prefixes = (command.name.replace("-", "_") + "_", command.name.replace("-", "_") + ".")
    else:
        return []
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(SAMPLES.glob("*.yaml"))
        if path.name.startswith(prefixes) and "answers" not in path.name
    ]


any_value = st.one_of(
    small_numbers,
    st.lists(small_numbers, min_size=1, max_size=4),
    st.lists(st.lists(small_numbers, min_size=2, max_size=2), min_size=1, max_size=3),
    st.just([]),
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(GARBAGE),
    st.integers(-(10**30), 10**30),
    st.just(10**400),
    st.just(1e308),
    st.integers(1, 40).map(lambda d: json.loads("[" * d + "1" + "]" * d)),
    st.dictionaries(st.text(max_size=4), small_numbers, max_size=2),
)


def _places(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _places(value, (*path, index))


@st.composite
def mutated_sample(draw, texts: list[str]):
    """A sample problem with one to three places replaced, removed or duplicated."""
    import copy

    import yaml

    data = copy.deepcopy(yaml.safe_load(draw(st.sampled_from(texts))))
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _places(data) if p]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        how = draw(st.sampled_from(["replace", "replace", "remove", "double", "scale"]))
        last = path[-1]
        if how == "replace":
            parent[last] = draw(any_value)
        elif how == "remove":
            del parent[last]
        elif how == "double" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        elif how == "scale" and isinstance(parent[last], int | float):
            try:
                parent[last] = parent[last] * draw(st.sampled_from([-1, 0, 1e6, 1e300, 10**9]))
            except OverflowError:
                parent[last] = 10**400
    if draw(st.booleans()):
        return json.dumps(data)
    return yaml.safe_dump(data, allow_unicode=True)


@st.composite
def problem_file(draw, command: Command, option: str = "from"):
    """The text of a --from (or --network) file: a mutated sample, structured or hostile."""
    texts = samples_for(command, option)
    if texts and draw(st.integers(0, 2)) == 0:
        return draw(mutated_sample(texts))
    options = [o for o in command.options if not is_file_option(o)]
    kind = draw(st.sampled_from(["yaml", "yaml", "json", "hostile", "laughs"]))
    key = draw(st.sampled_from([o.name for o in options] or ["input"]))
    if kind == "hostile":
        template = draw(st.sampled_from(HOSTILE_FILES))
        return template.format(key=key, big="9" * draw(st.sampled_from([20, 400, 5000])))
    if kind == "laughs":
        return billion_laughs(draw(st.integers(2, 9)), draw(st.integers(2, 12)))
    chosen = draw(st.lists(st.sampled_from(options), max_size=6, unique_by=lambda o: o.name))
    mapping = {}
    for opt in chosen:
        name = draw(st.sampled_from([opt.name, opt.name.replace("-", "_")]))
        mapping[name] = (
            True if is_flag(opt) and draw(st.booleans()) else draw(yaml_value(command, opt))
        )
    if draw(st.integers(0, 9)) == 0:
        mapping[draw(st.text(min_size=1, max_size=6))] = 1
    if kind == "json":
        return json.dumps(mapping, ensure_ascii=draw(st.booleans()))
    import yaml

    return yaml.safe_dump(mapping, allow_unicode=True, default_flow_style=draw(st.booleans()))


# --------------------------------------------------------------------------- command lines


@dataclass
class Workspace:
    """A scratch folder that is the working directory during a run; files are made in it."""

    root: Path
    counter: int = 0

    def file(self, text: str | bytes, suffix: str = ".yaml") -> str:
        self.counter += 1
        path = self.root / f"f{self.counter}{suffix}"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path.name


@st.composite
def file_argument(
    draw, command: Command, workspace: Workspace, stdin: list[str], option: str = "from"
):
    """A path for a FILE option: a generated problem file, stdin, missing, a folder …"""
    kind = draw(
        st.sampled_from(["problem", "problem", "stdin", "missing", "dir", "binary", "new", "deep"])
    )
    if kind == "problem":
        text = draw(problem_file(command, option))
        return workspace.file(text, draw(st.sampled_from([".yaml", ".json"])))
    if kind == "stdin":
        stdin.append(draw(problem_file(command, option)))
        return "-"
    if kind == "missing":
        return "missing.yaml"
    if kind == "dir":
        return "."
    if kind == "binary":
        return workspace.file(b"\xff\xfe\x00input: [1]\x80", ".yaml")
    if kind == "deep":
        return "no/such/folder/out.md"
    return draw(st.sampled_from(["out.md", "sheet.tex", "answers.md"]))


@st.composite
def command_line(draw, command: Command, workspace: Workspace):
    """Random arguments for one command; returns (args, stdin)."""
    if draw(st.booleans()):
        return draw(calm_command_line(command, workspace))
    stdin: list[str] = []
    args = [command.name]
    if command.argument is not None and draw(st.integers(0, 9)) > 0:
        hint = HINTS.get(f"{command.name}.{command.argument.name}")
        pool = generic_text() if hint is None else st.one_of(hint, st.sampled_from(GARBAGE))
        args.append(draw(pool))
    own = {o.name for o in command.options}
    for opt in all_options(command):
        chance = 55 if opt.name in own else 12
        if draw(st.integers(0, 99)) >= chance:
            continue
        if is_flag(opt):
            args.append(
                draw(st.sampled_from([f"--{opt.name}", f"--{opt.name}", f"--no-{opt.name}"]))
            )
            continue
        repeats = draw(st.integers(1, 2)) if opt.multiple else 1
        for _ in range(repeats):
            files = file_argument(command, workspace, stdin, opt.name)
            value = draw(value_strategy(command, opt, files))
            args.append(f"--{opt.name}")
            if draw(st.integers(0, 49)) > 0:  # sometimes the value is missing
                args.append(value)
    if draw(st.integers(0, 14)) == 0:
        args.insert(
            draw(st.integers(1, len(args))),
            draw(st.sampled_from(["--bogus", "extra", "--", "-x", "--input=1", "--json=1"])),
        )
    return args, "".join(stdin[:1])


CALM_COMMON = {
    "json": st.just("--json"),
    "format": st.sampled_from(["table", "json", "markdown", "latex"]),
    "decimals": st.integers(0, 6).map(str),
    "round-steps": st.integers(0, 4).map(str),
    "lang": st.sampled_from(["en", "ko"]),
    "ascii": st.just("--ascii"),
}


RESULT_KEYS = {command.name: (*command.result_keys, "output[0][0]", "nope") for command in COMMANDS}
"""A few result quantities per command (CONTRACT section 3), for --expect."""


@st.composite
def calm_command_line(draw, command: Command, workspace: Workspace):
    """Plausible arguments only, often over a sample problem: reaches the computing code."""
    args = [command.name]
    samples = [
        path
        for path in sorted(SAMPLES.glob("*.yaml"))
        if path.name.startswith((command.name.replace("-", "_") + "_", command.name + "."))
        and "answers" not in path.name
    ]
    if command.argument is not None:
        hint = HINTS.get(f"{command.name}.{command.argument.name}")
        if hint is not None and (not samples or draw(st.booleans())):
            args.append(draw(hint))
    use_sample = command.computing and samples and draw(st.integers(0, 2)) > 0
    if use_sample:
        args += ["--from", str(draw(st.sampled_from(samples)))]
    chance = 8 if use_sample else 60
    for opt in command.options:
        if draw(st.integers(0, 99)) >= chance:
            continue
        if is_flag(opt):
            args.append(draw(st.sampled_from([f"--{opt.name}", f"--no-{opt.name}"])))
            continue
        files = file_argument(command, workspace, [], opt.name)
        args += [f"--{opt.name}", draw(value_strategy(command, opt, files, calm=True))]
    if command.computing and draw(st.integers(0, 99)) < 20:
        key = draw(st.sampled_from(RESULT_KEYS.get(command.name, ("output",))))
        args += ["--expect", f"{key}={draw(st.one_of(number_text, tensor_text(1, 2, 3)))}"]
        if draw(st.booleans()):
            args += ["--tol", draw(st.sampled_from(["0.5", "1e-6", "100"]))]
    if command.computing:
        for name, values in CALM_COMMON.items():
            if draw(st.integers(0, 99)) < 15:
                value = draw(values)
                args += [value] if value.startswith("--") else [f"--{name}", value]
    return args, ""


@st.composite
def from_file_line(draw, command: Command, workspace: Workspace):
    """``COMMAND --from FILE`` (sometimes via stdin) with a few command-line options."""
    text = draw(problem_file(command))
    if command.computing and draw(st.booleans()):
        args, stdin = [command.name, "--from", "-"], text
    elif command.computing:
        args, stdin = [command.name, "--from", workspace.file(text)], ""
    else:
        args, stdin = [command.name], text
    for opt in command.options:
        if not is_flag(opt) and draw(st.integers(0, 99)) < 15:
            args += [f"--{opt.name}", draw(value_strategy(command, opt, st.just("missing.yaml")))]
    args.append(draw(st.sampled_from(["--json", "--json", "--format=table", "--format=markdown"])))
    if not command.computing:
        args.pop()
    return args, stdin


# --------------------------------------------------------------------------- the tests

EXAMPLES = int(os.environ.get("STEPCALC_FUZZ_EXAMPLES", "12"))
KNOWN_BUGS: list[tuple[list[str], str, str]] = [
    # (command line reproducing it, text of its error line, where the bug is), e.g.
    # (["drill", "outsize", "--worksheet", "."], "has an empty name", "drill: a folder"),
]
"""Bugs in a command's own files, reported to its owner: the fuzz tests let these exact
failures pass (so they keep finding new ones) and test_known_bugs shows them as xfail."""


def _known(outcome: Outcome) -> bool:
    command = _command_of(outcome.args)
    return any(line[0] == command and text in outcome.stderr for line, text, _ in KNOWN_BUGS)


def _params(names):
    return list(names)


@pytest.mark.parametrize(
    "line", [pytest.param(b[0], marks=pytest.mark.xfail(reason=b[2])) for b in KNOWN_BUGS]
)
def test_known_bugs(line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = run_in_process(line)
    assert not outcome.problems, describe(outcome)


NAMES = [command.name for command in COMMANDS]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    return Workspace(tmp_path)


def check_outcome(outcome: Outcome) -> None:
    assert not outcome.problems or _known(outcome), describe(outcome)
    assert not Path("PWNED").exists(), describe(outcome)


def test_every_existing_command_is_fuzzed():
    assert {"outsize", "params"} <= set(NAMES)
    for command in COMMANDS:
        for opt in command.options:
            assert opt.name == opt.name.strip().lower(), opt


@pytest.mark.parametrize("name", _params(NAMES))
def test_random_command_lines(name, workspace):
    command = BY_NAME[name]

    @FUZZ_SETTINGS
    @given(st.data())
    def prop(data):
        args, stdin = data.draw(command_line(command, workspace))
        check_outcome(run_in_process(args, stdin))

    prop()


@pytest.mark.parametrize("name", _params(NAMES))
def test_random_problem_files(name, workspace):
    command = BY_NAME[name]

    @FUZZ_SETTINGS
    @given(st.data())
    def prop(data):
        args, stdin = data.draw(from_file_line(command, workspace))
        check_outcome(run_in_process(args, stdin))

    prop()


def test_hostile_files_for_every_command(workspace):
    """Each hostile template once, per command, through --from FILE."""
    for command in COMMANDS:
        if not command.computing:
            continue
        key = next((o.name for o in command.options if not is_flag(o)), "input")
        texts = [t.format(key=key, big="9" * 5000) for t in HOSTILE_FILES]
        texts.append(billion_laughs())
        for text in texts:
            outcome = run_in_process([command.name, "--from", workspace.file(text), "--json"])
            check_outcome(outcome)


@settings(max_examples=6, deadline=None, database=None, derandomize=True)
@given(st.data())
def test_subprocess_runs(tmp_path_factory, data):
    """A few runs as a real process: the same invariants hold end to end."""
    folder = tmp_path_factory.mktemp("sub")
    command = BY_NAME[data.draw(st.sampled_from(NAMES))]
    args, stdin = data.draw(command_line(command, Workspace(folder)))
    outcome = run_subprocess(args, stdin, cwd=str(folder))
    assert not outcome.problems, describe(outcome)
    assert not (folder / "PWNED").exists()


def test_harness_catches_a_bad_outcome():
    """The invariants really do fail on the things they look for."""
    bad = Outcome(["outsize"], 2, "", "Traceback (most recent call last):\nboom\n", 0.1)
    assert "traceback" in problems_of(bad)
    two_lines = Outcome(["outsize"], 2, "", "error: --input: a\nmore\n", 0.1)
    assert "2 lines on stderr on exit 2" in problems_of(two_lines)
    nameless = Outcome(["outsize"], 2, "", "error: something broke\n", 0.1)
    assert "exit-2 message names no option or command" in problems_of(nameless)
    slow = Outcome(["outsize"], 0, "{}", "", 6.0)
    assert problems_of(slow)
    ok = Outcome(["outsize", "--json"], 0, '{"a": 1}', "", 0.1)
    assert problems_of(ok) == []
    assert run_in_process(["outsize", "--input", "7", "--kernel", "3"]).problems == []
