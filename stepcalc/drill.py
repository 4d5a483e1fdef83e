"""Drill: seeded practice problems, answered and worked by the commands they are about.

A topic is a command whose spec declares ``drill="stepcalc.drill:<generator>"``. A generator
draws a hand-sized problem as the options a student would type and the quantities to ask; it
holds no maths. The command run on those options (``solve``) gives the answers and the worked
steps, and says whether a drawn problem is usable (the kernel fits, the division is whole:
``_result``). Answers are judged by the one check rule (``check.evaluate``); worksheets and
answer keys are the renderers' output.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import secrets
import shlex
import sys
from dataclasses import dataclass
from typing import Any

from stepcalc import check, parse, spec
from stepcalc.context import Ctx, language
from stepcalc.errors import ExitStatus, InputError, either
from stepcalc.render import View, emit, latex, markdown
from stepcalc.render.common import fmt_inline, to_ascii
from stepcalc.render.json import step_dict
from stepcalc.render.math import Brk
from stepcalc.render.terminal import (
    Cells,
    check_lines,
    layout,
    tensor_boxes,
    terminal_width,
    text_box,
    wrap,
)
from stepcalc.trace import Trace, plain

MIX = "mix"
"""Pseudo-topic: each problem from a randomly chosen topic."""
DIFFICULTIES = ("easy", "exam")
REVEAL = ("?", "skip", "모름", "패스")
"""Answers that ask for the answer instead (scored as revealed, not wrong)."""


@dataclass
class Problem:
    topic: str
    """The command; ``drill.<topic>`` is the message that sets the scene."""
    options: dict[str, Any]
    """The command's options as a student types them (``--from`` file values for lists)."""
    ask: tuple[str, ...]


def topics() -> list[str]:
    """The commands whose spec declares a drill generator."""
    return [command.name for command in spec.commands() if command.drill]


def generate(topic: str, seed: int, count: int, difficulty: str) -> list[Problem]:
    """The same topic, seed and difficulty always give the same problems."""
    rng = random.Random(f"stepcalc-drill:{topic}:{difficulty}:{seed}")
    problems = []
    for name in (rng.choice(topics()) if topic == MIX else topic for _ in range(count)):
        options, ask = spec.load(spec.command(name).drill)(rng, difficulty == "easy")
        problems.append(Problem(name, options, tuple(ask)))
    return problems


@dataclass
class Solved:
    """A problem run through its command: the Trace holds the answers and the steps."""

    problem: Problem
    args: spec.Args
    trace: Trace
    ctx: Ctx

    def expected(self, quantity: str) -> Any:
        return check.lookup(plain(self.trace.result), quantity)

    def judge(self, quantity: str, given: Any) -> dict[str, Any]:
        """The check item of one answer: correct, rounding, imprecise or wrong."""
        calculate = spec.command(self.problem.topic).calculate()
        rerun = lambda ctx: calculate(self.args, ctx).result  # noqa: E731 - hand-mode reruns
        report = check.evaluate(self.trace.result, [(quantity, given)], rerun=rerun, ctx=self.ctx)
        return report["items"][0]


def solve(problem: Problem, ctx: Ctx | None = None) -> Solved:
    command, ctx = spec.command(problem.topic), ctx or Ctx()
    args = spec.parse_args(command, spec.merge(command, {}, problem.options, "drill"))
    return Solved(problem, args, command.calculate()(args, ctx), ctx)


def _result(topic: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """The command's result for these options, or None when it refuses them."""
    with contextlib.suppress(InputError):
        return plain(solve(Problem(topic, options, ())).trace.result)
    return None


def command_line(problem: Problem) -> str | None:
    """The equivalent ``stepcalc`` command, or None when an option needs a file."""
    words = ["stepcalc", problem.topic]
    argument = spec.command(problem.topic).argument
    for name, value in problem.options.items():
        if isinstance(value, list):
            return None
        if argument and name == argument.name:
            words.insert(2, shlex.quote(value))
        elif isinstance(value, bool):
            words.append(f"--{name}" if value else f"--no-{name}")
        else:
            words += [f"--{name}", shlex.quote(str(value))]
    return " ".join(words)


def problem_file(problem: Problem) -> str:
    """The options as a ``--from`` file (JSON flow values are YAML), with its command line."""
    lines = [f"{name}: {json.dumps(value)}" for name, value in problem.options.items()]
    return "\n".join([*lines, f"# stepcalc {problem.topic} --from problem.yaml"]) + "\n"


def shown(problem: Problem, args: spec.Args) -> dict[str, Any]:
    """The options as a statement shows them: tensors parsed, the rest as typed, lists by item."""
    types = {opt.name: opt.type for opt in spec.command(problem.topic).options}
    out: dict[str, Any] = {}
    for name, value in problem.options.items():
        if isinstance(types.get(name), spec.Tensor):
            out[name] = plain(args[name])
        elif isinstance(value, list):
            out |= {f"{name}[{i}]": fmt_inline(item) for i, item in enumerate(value)}
        else:
            out[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def statement_lines(problem: Problem, args: spec.Args, ctx: Ctx, width: int) -> list[str]:
    """The scene in words, then the options side by side, matrices as matrices."""
    items: list = []
    for name, value in shown(problem, args).items():
        boxes = [text_box(f"{name} = {value}")]
        if not isinstance(value, str):
            boxes = [
                text_box(f"{name} = "),
                *tensor_boxes(value, Cells(4, ctx.ascii, True), width - 4),
            ]
        items += [Brk(-1), text_box("   "), *boxes] if items else boxes
    lines = wrap(ctx.t(f"drill.{problem.topic}"), width)
    rows = layout(items, width, 2, 2)
    for index, row in enumerate(rows):  # a blank line around rows that hold a matrix
        lines += [""] * (index > 0 and max(len(row), len(rows[index - 1])) > 1) + row
    return lines


def _flat(value: Any) -> list[Any]:
    return [cell for item in value for cell in _flat(item)] if isinstance(value, list) else [value]


def decimals(value: Any) -> int | None:
    """Decimals to answer with: none for whole numbers, else the fewest that write the
    answer exactly, but no more than the check rule asks for (``check.SIGNIFICANT``)."""
    needed = max(1, check.needed_decimals(value, check.SIGNIFICANT))
    cells = [float(cell) for cell in _flat(value) if cell is not None]
    exact = (n for n in range(needed) if all(abs(round(c, n) - c) < 1e-9 for c in cells))
    return next(exact, needed) or None


def hint(value: Any, ctx: Ctx) -> str:
    """``  [2×2 matrix, rows separated by ;, decimals: 2]``, or nothing for a whole number."""
    shape, places = parse.shape_of(value), decimals(value)
    kind = ("", "vector", "matrix", "tensor")[min(len(shape), 3)]
    parts = [ctx.t(f"drill.hint_{kind}", shape=parse.format_shape(shape))] if kind else []
    parts += [ctx.t("drill.hint_decimals", n=places)] if places else []
    return f"  [{', '.join(parts)}]" if parts else ""


class Session:
    """The question-and-answer loop. ``read(prompt)`` gives one line, or None at the end of
    input (it may raise KeyboardInterrupt); ``write(text)`` shows text."""

    def __init__(self, problems: list[Problem], ctx: Ctx, read, write):
        self.problems, self.ctx, self.read, self.write = problems, ctx, read, write
        self.view, self.width = View(lang=ctx.lang, ascii=ctx.ascii), terminal_width()
        self.right = self.revealed = self.total = 0
        self.pending: list[dict[str, Any]] = []

    def run(self) -> int:
        try:
            ended = None if self._all() else "end_of_input"
        except KeyboardInterrupt:
            ended = "interrupted"
        if ended:
            self.write("\n" + self.ctx.t(f"drill.{ended}") + "\n")
            self._verdicts()
        percent = round(100 * self.right / self.total) if self.total else 0
        score = self.ctx.t("drill.score", right=self.right, total=self.total, percent=percent)
        score += self.ctx.t("drill.score_revealed", n=self.revealed) if self.revealed else ""
        self.write("\n" + score + "\n")
        if ended == "interrupted":
            return 130
        return ExitStatus.OK if self.right == self.total else ExitStatus.CHECK_FAILED

    def _all(self) -> bool:
        for number, problem in enumerate(self.problems, start=1):
            solved = solve(problem, self.ctx)
            count = f"{number}/{len(self.problems)}"
            header = f"── {self.ctx.t('drill.problem', n=count)} · {problem.topic} ──"
            statement = statement_lines(problem, solved.args, self.ctx, self.width)
            self.write("\n".join(["", header, *statement, "", self.ctx.t("drill.find")]) + "\n")
            if not all(self._ask(solved, quantity) for quantity in problem.ask):
                return False
            self._verdicts()
            self.write("\n" + emit(solved.trace, self.view))
        return True

    def _ask(self, solved: Solved, quantity: str) -> bool:
        """Read one answer, asking again until it parses; False at the end of input."""
        expected = solved.expected(quantity)
        while (text := self.read(f"  {quantity}{hint(expected, self.ctx)} = ")) is not None:
            if text.strip().lower() in REVEAL:  # shown at once, counted as revealed
                self.revealed, self.total = self.revealed + 1, self.total + 1
                label = f"  {self.ctx.t('drill.revealed', quantity=quantity)} = "
                drawn = [
                    text_box(label),
                    *tensor_boxes(expected, Cells(4, self.ctx.ascii), self.width),
                ]
                self.write("\n".join(sum(layout(drawn, self.width, 0, 2), [])) + "\n")
                return True
            try:  # an answer that does not parse is asked again
                self.pending.append(solved.judge(quantity, text.strip()))
                return True
            except InputError as exc:
                self.write(f"  {self.ctx.t('drill.reask', error=exc.msg.text(self.ctx.lang))}\n")
        return False

    def _verdicts(self) -> None:
        """Score the answers to the current problem and show the check report on them."""
        if self.pending:
            report = check_lines({"items": self.pending}, self.view, self.width)
            self.write("\n" + "\n".join(report) + "\n")
        self.right += sum(item["verdict"] in ("correct", "rounding") for item in self.pending)
        self.total += len(self.pending)
        self.pending = []


def interactive(problems: list[Problem], ctx: Ctx) -> int:
    """Ask on a terminal; with stdin not a terminal, read answers from it line by line."""
    terminal = sys.stdin is not None and sys.stdin.isatty()

    def write(text: str) -> None:
        print(to_ascii(text) if ctx.ascii else text, end="", flush=True)

    def read(prompt: str) -> str | None:
        if terminal:
            with contextlib.suppress(EOFError):
                return input(to_ascii(prompt) if ctx.ascii else prompt)
            return None
        line = sys.stdin.readline() if sys.stdin is not None else ""
        if line:  # echoed, so that the transcript reads as a session
            write(prompt + line.rstrip("\r\n") + "\n")
        return line or None

    if terminal:
        write(ctx.t("drill.help") + "\n")
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - gives input() line editing and history
    return Session(problems, ctx, read, write).run()


def document(solved: list[Solved], ctx: Ctx, topic: str, seed: int, difficulty: str) -> dict:
    """Problems and answers as one JSON-able document (``drill --json``)."""
    problems = [
        {
            "topic": item.problem.topic,
            "statement": ctx.t(f"drill.{item.problem.topic}"),
            "command": command_line(item.problem),
            "problem_file": problem_file(item.problem),
            "options": plain(item.problem.options),
            "answers": {q: item.expected(q) for q in item.problem.ask},
            "decimals": {q: decimals(item.expected(q)) for q in item.problem.ask},
            "steps": [step_dict(step) for step in item.trace.steps],
            "result": plain(item.trace.result),
        }
        for item in solved
    ]
    head = {"schema_version": 1, "command": "drill", "topic": topic, "seed": seed}
    return head | {"difficulty": difficulty, "lang": ctx.lang, "problems": problems}


def sheet(solved: list[Solved], ctx: Ctx, kind: str, level: dict, header: str, tex: bool) -> str:
    """The ``worksheet`` or the ``answers`` key with the worked steps, by the renderers."""
    text = latex.latex_text if tex else str

    def items(entries) -> list[str]:
        if tex:
            return [r"\begin{itemize}", *(rf"\item {entry}" for entry in entries), r"\end{itemize}"]
        return [*(f"- {entry}" for entry in entries), ""]

    def code(words: str) -> str:
        return rf"\texttt{{{text(words)}}}" if tex else f"`{words}`"

    def equals(name: str, value: Any) -> str:  # typed text as code, numbers as LaTeX math
        value = code(value) if isinstance(value, str) else f"${latex.value_tex(value, 4)}$"
        return f"{code(name)} = {value}"

    title = ctx.t(f"drill.{kind}_title", **level)
    lines = [rf"\section*{{{text(title)}}}" if tex else f"# {title}", "", text(header), ""]
    for number, item in enumerate(solved, start=1):
        problem = item.problem
        heading = f"{ctx.t('drill.problem', n=number)} · {problem.topic}"
        lines += [rf"\subsection*{{{text(heading)}}}" if tex else f"## {heading}", ""]
        lines += [text(ctx.t(f"drill.{problem.topic}")), ""]
        lines += items(equals(name, v) for name, v in shown(problem, item.args).items())
        if kind == "worksheet":
            blank = r"\hrulefill" if tex else "________"
            asked = [f"{code(q)} = {blank}{text(hint(item.expected(q), ctx))}" for q in problem.ask]
            lines += [text(ctx.t("drill.find")), "", *items(asked)]
            continue
        answers = ctx.t("drill.answers")
        lines += [rf"\paragraph{{{text(answers)}}}" if tex else f"**{answers}**", ""]
        lines += items(equals(q, item.expected(q)) for q in problem.ask)
        fence = (r"\begin{verbatim}", r"\end{verbatim}") if tex else ("```", "```")
        check = command_line(problem) or problem_file(problem).rstrip()
        lines += [text(ctx.t("drill.check_with")), "", fence[0], check, fence[1], ""]
        view = View(format="latex" if tex else "markdown", lang=ctx.lang)
        worked = latex.trace_body(item.trace, view) if tex else [markdown.render(item.trace, view)]
        lower = r"\\subsubsection" if tex else "##"  # the command's headings under the problem's
        lines += [re.sub(r"^\\(sub)?section|^#", lower, "\n".join(worked), flags=re.M), ""]
    if tex:
        return latex.document(lines, korean=latex.has_hangul("".join(lines)))
    return "\n".join(lines).rstrip() + "\n"


def write_whole(files: list[tuple[str, str, str]]) -> None:
    """Write each (option, path, text) completely or none: temporary files next to their
    targets first, renamed into place once every one is written."""
    staged: list[str] = []
    option = path = ""
    try:
        for option, path, text in files:
            if os.path.isdir(path):
                raise InputError(option, "is_directory", path=path)
            folder, name = os.path.split(os.path.abspath(path))
            staged.append(os.path.join(folder, f".{name}.{os.getpid()}.tmp"))
            with open(staged[-1], "w", encoding="utf-8") as stream:
                stream.write(text)
        for (option, path, _), temporary in zip(files, staged, strict=True):  # noqa: B007
            os.replace(temporary, path)
    except OSError as exc:
        raise InputError(option, "drill.cannot_write", path=path, reason=exc.strerror) from None
    finally:
        for temporary in staged:  # those not renamed into place
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def run(command: spec.Command, given: dict[str, Any]) -> int:
    """``stepcalc drill TOPIC``; a command's crash is one line, as the runner writes it."""
    try:
        return _run(command, given)
    except (InputError, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(None, "internal", command="drill", what=repr(exc)) from None


def _run(command: spec.Command, given: dict[str, Any]) -> int:
    args = spec.parse_args(command, given)
    topic = parse.parse_choice(args.topic.replace("_", "-"), "TOPIC", (*topics(), MIX))
    sheet_path, key = args.worksheet, args.answers
    if args.format and not (sheet_path or key):
        raise InputError("format", "only_with", other=either(("--worksheet", "--answers")))
    if sheet_path and not key:  # the key next to the sheet: sheet-answers.md
        if os.path.isdir(sheet_path) or not os.path.basename(sheet_path):
            raise InputError("worksheet", "is_directory", path=sheet_path)
        key = "{}-answers{}".format(*os.path.splitext(sheet_path))
    if sheet_path and os.path.realpath(sheet_path) == os.path.realpath(key):
        raise InputError("answers", "drill.same_file")
    ctx = Ctx(lang=language(args.lang), ascii=bool(args.ascii))
    seed = secrets.randbelow(100_000) if args.seed is None else args.seed
    problems = generate(topic, seed, args.count, args.difficulty)
    replay = f"stepcalc drill {topic} --seed {seed}" + f" --count {args.count}" * (args.count != 1)
    replay += f" --difficulty {args.difficulty}" * (args.difficulty != "exam")
    replay += " --lang ko" * (ctx.lang == "ko")
    header = ctx.t("drill.seed_line", seed=seed, command=replay)
    files = [(name, path) for name, path in (("worksheet", sheet_path), ("answers", key)) if path]
    solved = [solve(problem, ctx) for problem in problems] if files or args.json else []
    level, tex = {"topic": topic, "level": args.difficulty}, args.format == "latex"
    write_whole([(n, p, sheet(solved, ctx, n, level, header, tex)) for n, p in files])
    if args.json:
        data = document(solved, ctx, topic, seed, args.difficulty)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")
        return ExitStatus.OK
    lines = [header] + [ctx.t("drill.written", path=path) for _, path in files]
    sys.stdout.write((to_ascii if ctx.ascii else str)("\n".join(lines)) + "\n")
    return ExitStatus.OK if files else interactive(problems, ctx)


# ------------------------------------------------------------------- generators
#
# Each takes (rng, easy) and returns (options, quantities to ask); easy is the difficulty
# "easy", else "exam". Options are what a student types ("1 2; 3 4"); only a list of layers
# needs a file. No answer is computed here.


def _numbers(values) -> str:
    return " ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in values)


def _matrix(rng: random.Random, rows: int, cols: int, values) -> str:
    return "; ".join(_numbers(rng.choice(values) for _ in range(cols)) for _ in range(rows))


def _output_shape(topic: str, options: dict[str, Any]) -> tuple[int, ...]:
    return parse.shape_of(_result(topic, options)["output"])


def outsize_problem(rng: random.Random, easy: bool):
    kind = "conv" if easy else rng.choice(("conv", "conv", "pool", "transpose"))
    low, high = (2, 8) if kind == "transpose" else (5, 16 if easy else 32)
    convs = (1, 3, 3, 5) if easy else (1, 3, 5, 7)
    kernels = {"pool": (2, 2, 3), "transpose": (2, 3, 4)}.get(kind, convs)
    while True:  # until the command takes it (the kernel fits) and, when easy, divides whole
        kernel, height = rng.choice(kernels), rng.randint(low, high)
        width = height if easy or rng.random() < 0.5 else rng.randint(low, high)
        strides = (kernel, kernel, 1, 2) if kind == "pool" else (1, 1, 2) if easy else (1, 2, 3)
        options = {"input": f"{height},{width}", "kind": kind, "kernel": kernel}
        options["stride"] = rng.choice(strides)
        if kind != "pool":
            options["padding"] = rng.randint(0, kernel // 2 if kind == "conv" else 1)
        if not easy and kind != "pool" and rng.random() < 0.3:
            options["dilation" if kind == "conv" else "output-padding"] = rng.randint(1, 2)
        if (result := _result("outsize", options)) and (result["exact"] or not easy):
            break
    channels = None if easy or kind == "transpose" else rng.choice((None, 1, 3, 16))
    if channels:
        options["input"] = f"{channels},{options['input']}"
        options |= {"out-channels": rng.choice((4, 8, 16, 32, 64))} if kind == "conv" else {}
    return options, ["height", "width", "channels"][: 3 if channels else 2]


def params_problem(rng: random.Random, easy: bool):
    if easy or rng.random() < 0.4:
        depth = 3 if easy else rng.randint(3, 5)
        widths = [rng.choice((2, 3, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100)) for _ in range(depth)]
        options: dict[str, Any] = {"mlp": ",".join(map(str, widths))}
        options |= {"bias": False} if not easy and rng.random() < 0.3 else {}
        return options, ["total"] if depth == 3 else ["layers[0].params", "total"]
    filters, kernel = rng.choice((4, 6, 8, 16)), rng.choice((3, 5))
    padding = rng.choice((0, kernel // 2))
    size = rng.choice([n for n in range(6, 17) if (n + 2 * padding - kernel) % 2])  # even map
    norm = rng.choice(([], [{"batchnorm": {}}]))
    convention = rng.choice(("pytorch", "keras")) if norm else "pytorch"
    linear = {"linear": {"out": rng.choice((2, 10))}}
    conv = {"conv": {"out": filters, "kernel": kernel, "padding": padding}}
    layers = [conv, *norm, "relu", {"maxpool": {"kernel": 2}}, "flatten", linear]
    options = {"input": f"{rng.choice((1, 3))},{size},{size}", "layers": layers}
    ask = ["layers[0].params", f"layers[{len(layers) - 1}].params", "total"]
    return options | {"convention": convention}, ask + ["trainable"] * (convention == "keras")


def conv_problem(rng: random.Random, easy: bool):
    variants = ("plain", "padding", "stride", "flip", "backward", "backward")
    variant = "plain" if easy else rng.choice(variants)
    size = {"plain": rng.choice((3, 4)), "stride": 5}.get(variant, 3)
    ksize = {"stride": 3, "padding": rng.choice((2, 3))}.get(variant, 3 if size == 4 else 2)
    values = (0, 1, 2, 3) if easy else (-1, 0, 1, 2, 3)
    options: dict[str, Any] = {"input": _matrix(rng, size, size, values)}
    options["kernel"] = _matrix(rng, ksize, ksize, (-1, 0, 1) if easy else (-1, 0, 1, 2))
    tricks = {"padding": {"padding": 1}, "stride": {"stride": 2}, "flip": {"flip": True}}
    options |= tricks.get(variant, {})
    if variant == "backward":
        options["grad-output"] = _matrix(rng, *_output_shape("conv", options), (-1, 1, 2))
    return options, ["output", "grad_weight", "grad_input"] if variant == "backward" else ["output"]


def pool_problem(rng: random.Random, easy: bool):
    size, stride = (3, 1) if not easy and rng.random() < 0.4 else (4, 2)
    values = range(10) if easy else range(-3, 10)
    options = {"input": _matrix(rng, size, size, values), "mode": rng.choice(("max", "max", "avg"))}
    options |= {"kernel": 2, "stride": stride}
    if easy:
        return options, ["output"]
    options["grad-output"] = _matrix(rng, *_output_shape("pool", options), (-1, 1, 2, 3))
    return options, ["output", "grad_input"]


def silu_problem(rng: random.Random, easy: bool):
    functions = ("silu", "sigmoid", "relu", "silu", "tanh", "leaky-relu", "gelu", "elu", "softplus")
    fn = rng.choice(functions[: 3 if easy else 9])
    kinked = fn in ("relu", "leaky-relu", "elu")  # no input at the kink, where f' jumps
    points = (-2, -1, -0.5, 0.5, 1, 2) if kinked else (-2, -1, 0, 1, 2)
    options: dict[str, Any] = {"fn": fn, "input": _numbers(rng.sample(points, 3))}
    options |= {"alpha": 0.1} if fn == "leaky-relu" else {}
    if easy:
        return options, ["output", "derivative"]
    options["grad-output"] = _numbers(rng.choice((-2, -1, 1, 2, 3)) for _ in range(3))
    return options, ["output", "derivative", "grad_input"]


def dropout_problem(rng: random.Random, easy: bool):
    mask = rng.sample([1, 0, rng.choice((0, 1)), rng.choice((0, 1))], 4)  # some kept, some not
    keep = rng.choice((0.5, 0.8) if easy else (0.5, 0.8, 0.75, 0.6))
    options = {"input": _numbers(rng.randint(1, 6) for _ in mask), "mask": _numbers(mask)}
    dropped = not easy and rng.random() < 0.4  # the rate given the other way round
    options |= {"drop-prob": _numbers([round(1 - keep, 2)])} if dropped else {"keep-prob": keep}
    ask = ["standard.train_output", "standard.test_output", "inverted.train_output"]
    if easy:
        return options, ask
    options["weights"] = _numbers(rng.choice((-1, 1, 2)) for _ in mask)
    return options, [*ask, "standard.z_test", "inverted.z_train"]


def optimizer_problem(rng: random.Random, easy: bool):
    algorithms = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    algorithm = rng.choice(algorithms[: 2 if easy else 6])
    adaptive = algorithm in algorithms[3:]
    steps = rng.choice((1, 2) if easy else (2,) if adaptive else (2, 3))
    grad = _matrix(rng, steps, 2, (-2, -1, -0.5, 0.5, 1, 2, 4))  # a row per step
    params = _numbers(rng.choice((-2, -1, 0.5, 1, 2, 3)) for _ in range(2))
    options = {"algorithm": algorithm, "params": params, "grad": grad}
    options["lr"] = 0.1 if adaptive else rng.choice((0.1, 0.5, 1))
    options |= {"momentum": 0.9} if algorithm in ("momentum", "nesterov") else {}
    return options, ["final_params"]


GRAPHS = ("(x + y) * z", "x * y + z", "(x - y) * z", "x * y * z", "x * y + y * z",
          "(x * y + z) ** 2", "max(x, y) * z", "(x + y) * (y - z)")  # fmt: skip
"""Expressions of the lectures, the easy ones first."""


def graph_problem(rng: random.Random, easy: bool):
    values = rng.sample((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5), 3)
    options: dict[str, Any] = {"expr": rng.choice(GRAPHS[:3] if easy else GRAPHS)}
    options["values"] = ",".join(f"{name}={v}" for name, v in zip("xyz", values, strict=True))
    upstream = 1 if easy else rng.choice((1, 1, 2, -1, 0.5))
    options |= {"upstream": upstream} if upstream != 1 else {}
    return options, ["output", "gradients.x", "gradients.y", "gradients.z"]


def loss_problem(rng: random.Random, easy: bool):
    fn = "mse" if easy else rng.choice(("mse", "mse", "mae", "bce", "cross-entropy"))
    if fn == "cross-entropy":  # pred: probabilities in tenths, target: the class
        cuts = sorted(rng.sample(range(1, 10), rng.choice((2, 3))))
        probabilities = [(b - a) / 10 for a, b in zip([0, *cuts], [*cuts, 10], strict=True)]
        target = rng.randrange(len(probabilities))
        return {"fn": fn, "pred": _numbers(probabilities), "target": target}, ["loss"]
    if fn == "bce":
        size = rng.choice((2, 3))
        pred = _numbers(rng.choice((0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9)) for _ in range(size))
        return {"fn": fn, "pred": pred, "target": _numbers(rng.sample((0, 1) * 2, size))}, ["loss"]
    target = [rng.randint(0, 30) / 10 for _ in range(rng.choice((2, 4) if easy else (2, 4, 5)))]
    pred = [round(t + rng.choice((-3, -2, -1, 1, 2, 3)), 1) for t in target]
    options: dict[str, Any] = {"fn": fn, "pred": _numbers(pred), "target": _numbers(target)}
    options |= {"reduction": "sum"} if not easy and rng.random() < 0.3 else {}
    return options, ["loss"] if easy else ["loss", "grad_pred"]


SPREADS = ((-1, -1, 1, 1), (-3, -1, 1, 3), (-2, 0, 0, 2), (-2, -2, 2, 2), (-3, 1, 1, 1))
"""Deviations from the mean of four samples whose variance is whole (1, 5, 2, 4, 3)."""


def batchnorm_problem(rng: random.Random, easy: bool):
    centres = [rng.randint(-2, 5) for _ in range(1 if easy else rng.choice((1, 2)))]
    columns = [[centre + d for d in rng.sample(rng.choice(SPREADS), 4)] for centre in centres]
    options: dict[str, Any] = {"input": "; ".join(map(_numbers, zip(*columns, strict=True)))}
    one = "[0]" * (len(columns) == 1)  # one feature: ask for a number, not a list of one
    if easy:
        return options, [f"mean{one}", f"var{one}"]
    options["gamma"] = _numbers(rng.choice((0.5, 1, 2, 3)) for _ in columns)
    options["beta"] = _numbers(rng.choice((-1, 0, 0.5, 1)) for _ in columns)
    ask = [f"mean{one}", f"var{one}", "output", f"running_var{one}"]
    return options | {"eps": "1e-5", "momentum": 0.1}, ask


def yolo_problem(rng: random.Random, easy: bool):
    options = {
        "image": _matrix(rng, 4, 4, (0, 1, 2, 3)),
        "w-conv1": _matrix(rng, 3, 3, (-1, 0, 1)),
        "w-conv2": _matrix(rng, 2, 2, (0.1, 0.2, 0.5, -0.1)),
        "w-bbox": "0.1 0.2",  # the slide's heads and targets, so the numbers stay familiar
        "w-cls": 0.3,
        "y-true": "12 15 20",
    }
    return options, ["conv1_output", *(["y_pred", "loss", "grad_w_cls"] * (not easy))]
