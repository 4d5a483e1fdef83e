"""Drill: seeded exam-style problems, solved by the very command they are about.

Each topic is a small generator that draws a hand-sized problem as the option values of
its command (``outsize``, ``conv`` …) plus the result quantities to ask for, and works out
the expected answers itself. The answers a student is judged against, and the worked
steps shown afterwards, come from running that command's own ``run`` on those options;
the tests check that the generator's answers equal the command's results for many seeds.

A topic is offered only when its command module exists. Generators, solving and the
documents are pure; ``Session`` talks to the student only through the functions it is
given, and the input/output itself (files, stdin, stdout) sits at the end of this module.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import math
import random
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stepcalc import check, parse
from stepcalc.errors import ExitStatus, StepcalcError
from stepcalc.spec import Args, Command, command, merge, parse_args
from stepcalc.render.common import fmt_inline, matrix_lines
from stepcalc.context import Ctx
from stepcalc.trace import Trace, plain

CONTRACT_ORDER = (
    "outsize", "params", "conv", "pool", "silu", "dropout", "optimizer", "yolo-toy",
    "graph", "loss", "batchnorm",
)  # fmt: skip
DIFFICULTIES = ("easy", "exam")
MIX = "mix"
"""Pseudo-topic: each problem from a randomly chosen offered topic."""
SKIP_WORDS = ("?", "skip", "모름", "패스")
"""Answers that give up on a quantity (counted wrong, the answer is shown)."""


@dataclass
class Exercise:
    """One problem: the command's option values, what to ask, and the expected answers."""

    topic: str
    options: dict[str, Any]
    ask: tuple[str, ...]
    answer: dict[str, Any]
    intro: str
    """Message key (``drill.<intro>``) of the sentence that sets the scene."""
    facts: list[tuple[str, str | Say]] = field(default_factory=list)
    """(message key of the label, value as text) lines of the statement."""
    shown: dict[str, Any] = field(default_factory=dict)
    """Tensors shown with the statement, label → nested list."""

    def decimals(self, quantity: str) -> int | None:
        """Decimals to ask for: None for whole answers, else the fewest that are exact, or 4."""
        cells = [float(v) for v in _flat(self.answer[quantity])]
        for places in (0, 1, 2):
            scaled = [c * 10**places for c in cells]
            if all(math.isclose(c, round(c), abs_tol=1e-9) for c in scaled):
                return places or None
        return 4


def _flat(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [cell for item in value for cell in _flat(item)]
    return [value]


@dataclass(frozen=True)
class Say:
    """A statement value that is itself a message (``Say("fact_yes")``), shown translated."""

    key: str


def fact_text(value: str | Say, ctx: Ctx) -> str:
    return ctx.t(f"drill.{value.key}") if isinstance(value, Say) else value


Generator = Callable[[random.Random, str], Exercise]
GENERATORS: dict[str, Generator] = {}


def generator(topic: str) -> Callable[[Generator], Generator]:
    def register(function: Generator) -> Generator:
        GENERATORS[topic] = function
        return function

    return register


def module_name(topic: str) -> str:
    return topic.replace("-", "_")


def offered_topics() -> list[str]:
    """Topics with a generator whose command module exists, in the contract's order."""
    return [
        topic
        for topic in sorted(GENERATORS, key=CONTRACT_ORDER.index)
        if importlib.util.find_spec(f"stepcalc.commands.{module_name(topic)}") is not None
    ]


def load_command(topic: str) -> Command:
    return command(topic)


def check_topic(topic: str | None) -> str:
    offered = offered_topics()
    choices = ", ".join([*offered, MIX])
    if not topic:
        raise StepcalcError(f"drill: give a TOPIC ({choices})")
    name = topic.strip().lower().replace("_", "-")
    if name != MIX and name not in offered:
        raise StepcalcError(f"TOPIC: {topic!r} is not one of {choices}")
    return name


def generate(topic: str, seed: int, count: int, difficulty: str) -> list[Exercise]:
    """The same seed, topic and difficulty always give the same problems."""
    rng = random.Random(f"stepcalc-drill:{topic}:{difficulty}:{seed}")
    offered = offered_topics()
    exercises = []
    for _ in range(count):
        name = rng.choice(offered) if topic == MIX else topic
        exercises.append(GENERATORS[name](rng, difficulty))
    return exercises


# ----------------------------------------------------------------------- solving


@dataclass
class Solved:
    """An exercise run through its command: the Trace holds the answers and the steps."""

    exercise: Exercise
    trace: Trace
    command: Command
    problem: Args
    lang: str

    def expected(self, quantity: str) -> Any:
        return check.lookup(plain(self.trace.result), quantity)

    def judge(self, quantity: str, given: Any) -> dict[str, Any]:
        """The check item (``verdict`` correct / rounding / wrong) for one answer."""

        def rerun(ctx: Ctx) -> dict[str, Any]:
            return self.command.calculate()(self.problem, ctx).result

        answers = [(quantity, given)]
        return check.evaluate(self.trace.result, answers, rerun=rerun, ctx=Ctx(self.lang))["items"][0]


def solve(exercise: Exercise, lang: str = "en") -> Solved:
    spec = load_command(exercise.topic)
    problem = parse_args(spec, merge(spec, {}, dict(exercise.options), "drill"))
    trace = spec.calculate()(problem, Ctx(lang=lang))
    return Solved(exercise, trace, spec, problem, lang)


def command_line(exercise: Exercise) -> str | None:
    """The equivalent ``stepcalc`` command, or None when an option needs a file."""
    words = ["stepcalc", exercise.topic]
    argument = load_command(exercise.topic).argument
    for name, value in exercise.options.items():
        if argument and name == argument.name:
            words.insert(2, shlex.quote(str(value)))
        elif isinstance(value, bool):
            words.append(f"--{name}" if value else f"--no-{name}")
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            words += [f"--{name}", shlex.quote(str(value))]
        else:
            return None
    return " ".join(words)


def problem_file(exercise: Exercise) -> str:
    """The options as a ``--from`` file (JSON flow values are valid YAML)."""
    import json

    return "".join(
        f"{name}: {json.dumps(value, ensure_ascii=False)}\n"
        for name, value in exercise.options.items()
    )


def parse_answer(text: str, quantity: str) -> Any:
    """A student's answer in the contract's number/matrix syntax; StepcalcError if malformed."""
    return parse.parse_nested(text, quantity)


# ------------------------------------------------------------------ presenting


def statement_lines(exercise: Exercise, ctx: Ctx, decimals: int = 4) -> list[str]:
    lines = [ctx.t(f"drill.{exercise.intro}")]
    labels = [ctx.t(f"drill.fact_{key}") for key, _ in exercise.facts]
    width = max(map(display_width, labels), default=0)
    previous = None
    for label, (_, value) in zip(labels, exercise.facts, strict=True):
        shown = label if label != previous else ""
        previous = label
        padding = " " * (width - display_width(shown))
        lines.append(f"  {shown}{padding}  {fact_text(value, ctx)}")
    if exercise.shown:
        lines.append("")
        lines += side_by_side(exercise.shown, decimals)
    return lines


def side_by_side(tensors: dict[str, Any], decimals: int = 4) -> list[str]:
    """Matrices next to each other under their names, as the slides print X and W."""
    blocks = [[label, *matrix_lines(value, decimals)] for label, value in tensors.items()]
    widths = [max(map(display_width, block)) for block in blocks]
    height = max(map(len, blocks))
    lines = []
    for row in range(height):
        cells = []
        for block, width in zip(blocks, widths, strict=True):
            text = block[row] if row < len(block) else ""
            cells.append(text + " " * (width - display_width(text)))
        lines.append(("  " + "    ".join(cells)).rstrip())
    return lines


def display_width(text: str) -> int:
    """Columns on a terminal: Hangul and other wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def quantity_label(quantity: str, ctx: Ctx) -> str:
    """``height``, or in Korean ``height (높이)``: the path stays what --expect takes."""
    base = next(part for part in reversed(check.parse_path(quantity)) if isinstance(part, str))
    try:
        meaning = ctx.t(f"drill.q_{base}")
    except KeyError:
        return quantity
    return quantity if meaning == base else f"{quantity} ({meaning})"


def shape_hint(value: Any, ctx: Ctx) -> str:
    shape = parse.shape_of(plain(value))
    if not shape:
        return ""
    if len(shape) == 1:
        return ctx.t("drill.hint_vector", n=shape[0])
    if len(shape) == 2:
        return ctx.t("drill.hint_matrix", shape=parse.format_shape(shape))
    return ctx.t("drill.hint_tensor", shape=parse.format_shape(shape))


def ask_hint(exercise: Exercise, quantity: str, ctx: Ctx) -> str:
    """``[2×2 matrix, rows separated by ;, 2 decimals]`` or empty."""
    hints = [shape_hint(exercise.answer.get(quantity), ctx)]
    decimals = exercise.decimals(quantity)
    if decimals is not None:
        hints.append(ctx.t("drill.hint_decimals", n=decimals))
    hint = ", ".join(h for h in hints if h)
    return f"[{hint}]" if hint else ""


def ask_line(exercise: Exercise, quantity: str, ctx: Ctx) -> str:
    hint = ask_hint(exercise, quantity, ctx)
    return quantity_label(quantity, ctx) + (f"  {hint}" if hint else "")


def verdict_line(item: dict[str, Any], ctx: Ctx) -> str:
    marks = {"correct": "O", "rounding": "~", "wrong": "X"}
    verdict = ctx.t(f"core.{item['verdict']}")
    text = f"{marks[item['verdict']]}  {quantity_label(item['quantity'], ctx)}: "
    text += f"{fmt_inline(item['given'], 12)}  {verdict}"
    if item["verdict"] == "wrong":
        if "note" in item:
            given = parse.format_shape(parse.shape_of(item["given"]))
            expected = parse.format_shape(parse.shape_of(item["expected"]))
            text += " — " + ctx.t("drill.shape_wrong", given=given, expected=expected)
        else:
            expected = fmt_inline(item["expected_cell"], 6)
            text += " — " + ctx.t("core.should_be", expected=expected)
            if item.get("index"):
                where = "".join(f"[{i}]" for i in item["index"])
                text += " " + ctx.t("drill.first_wrong_cell", index=where)
    elif item["verdict"] == "rounding":
        text += " — " + ctx.t("drill.rounding_exact", exact=fmt_inline(item["expected"], 6))
    return text


# ----------------------------------------------------------------------- session


SKIPPED = object()
"""What ``Session._answer`` returns for a skip word."""


@dataclass
class Score:
    right: int = 0
    answered: int = 0

    def add(self, item: dict[str, Any]) -> None:
        self.answered += 1
        if item["verdict"] != "wrong":
            self.right += 1


class Session:
    """The question-and-answer loop.

    ``read(prompt)`` returns one line, or None at the end of input (it may raise
    KeyboardInterrupt); ``write(text)`` shows text. ``steps(trace)`` renders the worked steps.
    """

    def __init__(
        self,
        exercises: list[Exercise],
        ctx: Ctx,
        read: Callable[[str], str | None],
        write: Callable[[str], None],
        steps: Callable[[Trace], str],
    ):
        self.exercises = exercises
        self.ctx = ctx
        self.read = read
        self.write = write
        self.steps = steps
        self.score = Score()
        self.pending: list[dict[str, Any]] = []

    def run(self) -> int:
        finished = False
        try:
            finished = self._all()
        except KeyboardInterrupt:
            self.write("\n" + self.ctx.t("drill.interrupted") + "\n")
            self._verdicts()
            self._final()
            return 130
        if not finished:
            self.write("\n" + self.ctx.t("drill.end_of_input") + "\n")
            self._verdicts()
        self._final()
        wrong = self.score.answered - self.score.right
        return ExitStatus.CHECK_FAILED if wrong else ExitStatus.OK

    def _verdicts(self) -> None:
        """Score and show the answers given to the current problem so far."""
        if self.pending:
            self.write("\n".join(verdict_line(item, self.ctx) for item in self.pending) + "\n")
        for item in self.pending:
            self.score.add(item)
        self.pending = []

    def _final(self) -> None:
        score = self.score
        percent = round(100 * score.right / score.answered) if score.answered else 0
        text = self.ctx.t("drill.score", right=score.right, total=score.answered, percent=percent)
        self.write("\n" + text + "\n")

    def _all(self) -> bool:
        total = len(self.exercises)
        for number, exercise in enumerate(self.exercises, start=1):
            solved = solve(exercise, self.ctx.lang)
            header = self.ctx.t("drill.problem_header", n=number, total=total, topic=exercise.topic)
            self.write("\n" + header + "\n" + "\n".join(statement_lines(exercise, self.ctx)))
            self.write("\n" + self.ctx.t("drill.find") + "\n")
            for quantity in exercise.ask:
                given = self._answer(exercise, quantity)
                if given is None:
                    return False
                if given is SKIPPED:
                    self.pending.append(_skipped_item(quantity, solved.expected(quantity)))
                else:
                    self.pending.append(solved.judge(quantity, given))
            self._verdicts()
            self.write("\n" + self.steps(solved.trace))
        return True

    def _answer(self, exercise: Exercise, quantity: str) -> Any:
        prompt = "  " + ask_line(exercise, quantity, self.ctx) + " = "
        while True:
            text = self.read(prompt)
            if text is None:
                return None
            if text.strip().lower() in SKIP_WORDS:
                return SKIPPED
            try:
                return parse_answer(text, quantity)
            except StepcalcError as exc:
                self.write("  " + self.ctx.t("drill.reask", error=exc.message) + "\n")


def _skipped_item(quantity: str, expected: Any) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "index": None,
        "given": "?",
        "expected": expected,
        "verdict": "wrong",
        "expected_cell": expected,
    }


# -------------------------------------------------------------------- documents


def document(
    exercises: list[Exercise], topic: str, lang: str, seed: int, difficulty: str
) -> dict[str, Any]:
    """Problems and answers as one JSON-able document (``drill --json``)."""
    from stepcalc.trace import step_dict

    ctx = Ctx(lang=lang)
    problems = []
    for number, exercise in enumerate(exercises, start=1):
        solved = solve(exercise, lang)
        problems.append(
            {
                "number": number,
                "topic": exercise.topic,
                "statement": "\n".join(statement_lines(exercise, ctx)),
                "command": command_line(exercise),
                "problem_file": problem_file(exercise),
                "options": plain(exercise.options),
                "shown": plain(exercise.shown),
                "ask": list(exercise.ask),
                "answers": {q: solved.expected(q) for q in exercise.ask},
                "decimals": {q: exercise.decimals(q) for q in exercise.ask},
                "steps": [step_dict(step) for step in solved.trace.steps],
                "result": plain(solved.trace.result),
            }
        )
    return {
        "schema_version": 1,
        "command": "drill",
        "topic": topic,
        "seed": seed,
        "difficulty": difficulty,
        "lang": lang,
        "problems": problems,
    }


def sheet_title(topic: str, difficulty: str, ctx: Ctx, key: bool) -> str:
    return ctx.t("drill.key_title" if key else "drill.sheet_title", topic=topic, level=difficulty)


def replay_command(topic: str, seed: int, count: int, difficulty: str) -> str:
    return f"stepcalc drill {topic} --seed {seed} --count {count} --difficulty {difficulty}"


def worksheet_markdown(
    exercises: list[Exercise], ctx: Ctx, topic: str, seed: int, difficulty: str, key: bool
) -> str:
    from stepcalc.render import View, emit

    replay = replay_command(topic, seed, len(exercises), difficulty)
    lines = [
        f"# {sheet_title(topic, difficulty, ctx, key)}",
        "",
        ctx.t("drill.seed_line", seed=seed) + f" · `{replay}`",
        "",
    ]
    for number, exercise in enumerate(exercises, start=1):
        lines += [f"## {ctx.t('drill.problem', n=number)} · {exercise.topic}", ""]
        statement = statement_lines(exercise, ctx)
        lines += [statement[0], "", "```text", *statement[1:], "```", ""]
        if not key:
            lines += [ctx.t("drill.find"), ""]
            for q in exercise.ask:
                extra = quantity_label(q, ctx)[len(q) :] + " " + ask_hint(exercise, q, ctx)
                lines.append(f"- `{q}` = ________ {extra.strip()}".rstrip())
            lines.append("")
            continue
        solved = solve(exercise, ctx.lang)
        lines += [f"**{ctx.t('drill.answers')}**", ""]
        for q in exercise.ask:
            lines.append(f"- `{q}` = `{fmt_inline(solved.expected(q), 4)}`")
        lines.append("")
        command = command_line(exercise)
        if command:
            lines += [ctx.t("drill.check_with"), "", f"```sh\n{command}\n```", ""]
        else:
            lines += [ctx.t("drill.check_with"), "", "```yaml", problem_file(exercise) + "```"]
            lines += ["", f"```sh\nstepcalc {exercise.topic} --from problem.yaml\n```", ""]
        worked = emit(solved.trace, View(format="markdown", lang=ctx.lang))
        lines += [("#" + line if line.startswith("## ") else line) for line in worked.splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def worksheet_latex(
    exercises: list[Exercise], ctx: Ctx, topic: str, seed: int, difficulty: str, key: bool
) -> str:
    from stepcalc.render import View, emit
    from stepcalc.render.latex import escape, value_tex

    replay = replay_command(topic, seed, len(exercises), difficulty)
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amsmath,amssymb}",
    ]
    if ctx.lang == "ko":
        lines.append(r"\usepackage{kotex}")
    lines += [
        r"\begin{document}",
        r"\section*{" + escape(sheet_title(topic, difficulty, ctx, key)) + "}",
        escape(ctx.t("drill.seed_line", seed=seed)) + r" \quad \texttt{" + escape(replay) + "}",
    ]
    for number, exercise in enumerate(exercises, start=1):
        heading = f"{ctx.t('drill.problem', n=number)} · {exercise.topic}"
        lines += ["", r"\subsection*{" + escape(heading) + "}"]
        lines.append(escape(ctx.t(f"drill.{exercise.intro}")))
        if exercise.facts:
            lines.append(r"\begin{itemize}")
            for label, value in exercise.facts:
                fact = f"{ctx.t(f'drill.fact_{label}')}: {fact_text(value, ctx)}"
                lines.append(r"\item " + escape(fact))
            lines.append(r"\end{itemize}")
        for label, tensor in exercise.shown.items():
            lines.append(r"\[ " + escape(label) + " = " + value_tex(tensor, 4) + r" \]")
        if not key:
            lines.append(escape(ctx.t("drill.find")))
            lines.append(r"\begin{itemize}")
            for q in exercise.ask:
                lines.append(
                    r"\item \texttt{" + escape(ask_line(exercise, q, ctx)) + r"} = \hrulefill"
                )
            lines.append(r"\end{itemize}")
            continue
        solved = solve(exercise, ctx.lang)
        lines.append(r"\paragraph{" + escape(ctx.t("drill.answers")) + "}")
        lines.append(r"\begin{align*}")
        for q in exercise.ask:
            value = value_tex(solved.expected(q), 4)
            lines.append(r"\text{" + escape(q) + "} &= " + value + r" \\")
        lines.append(r"\end{align*}")
        lines.append(emit(solved.trace, View(format="latex", lang=ctx.lang)).rstrip())
    lines.append(r"\end{document}")
    return latex_symbols("\n".join(lines) + "\n")


LATEX_SYMBOLS = {
    "·": r"\cdot", "×": r"\times", "÷": r"\div", "−": "-", "±": r"\pm", "°": r"^\circ",
    "²": "^2", "³": "^3", "ˣ": "^x", "ᵗ": "^t", "ᵀ": "^T", "⁻": "^-", "¹": "^1", "′": "^\\prime",
    "₀": "_0", "₁": "_1", "₂": "_2", "₃": "_3", "ᵢ": "_i", "ⱼ": "_j",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "φ": r"\varphi", "ψ": r"\psi", "Φ": r"\Phi",
    "Σ": r"\Sigma", "Δ": r"\Delta", "∇": r"\nabla", "∂": r"\partial", "√": r"\surd",
    "≈": r"\approx", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "∞": r"\infty", "∈": r"\in",
    "⊙": r"\odot", "→": r"\to", "←": r"\leftarrow", "…": r"\ldots", "⋮": r"\vdots",
    "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "‖": r"\|",
    "Ŷ": r"\hat{Y}", "ŷ": r"\hat{y}", "✓": r"\checkmark",
}  # fmt: skip
"""Symbols of the texts as LaTeX math, so the files compile with pdfLaTeX too."""


def latex_symbols(text: str) -> str:
    """Replace Unicode math symbols by ``\\ensuremath{…}`` (valid in text, math and \\text)."""
    import re

    text = re.sub("(\\w)\u0302", lambda m: rf"\ensuremath{{\hat{{{m.group(1)}}}}}", text)
    text = text.replace("—", "---").replace("–", "--")
    return "".join(
        rf"\ensuremath{{{LATEX_SYMBOLS[ch]}}}" if ch in LATEX_SYMBOLS else ch for ch in text
    )


# ------------------------------------------------------------------- generators


def _whole(value: float) -> Any:
    return int(value) if float(value).is_integer() else value


def _dims(values: list[int] | tuple[int, ...]) -> str:
    return "×".join(str(v) for v in values)


def _conv_size(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@generator("outsize")
def outsize_problem(rng: random.Random, difficulty: str) -> Exercise:
    kind = "conv" if difficulty == "easy" else rng.choice(("conv", "conv", "pool", "transpose"))
    if kind == "transpose":
        return _outsize_transpose(rng)
    while True:
        height = rng.randint(5, 16) if difficulty == "easy" else rng.randint(5, 32)
        width = height if difficulty == "easy" or rng.random() < 0.5 else rng.randint(5, 32)
        if kind == "pool":
            kernel = rng.choice((2, 2, 3))
            stride = rng.choice((kernel, kernel, 1, 2))
            padding, dilation = 0, 1
        else:
            kernel = rng.choice((1, 3, 3, 5)) if difficulty == "easy" else rng.choice((1, 3, 5, 7))
            stride = rng.choice((1, 1, 2)) if difficulty == "easy" else rng.choice((1, 2, 3))
            padding = rng.randint(0, kernel // 2)
            dilation = 1 if difficulty == "easy" else rng.choice((1, 1, 1, 2))
        span = dilation * (kernel - 1) + 1
        if span > min(height, width) + 2 * padding:
            continue
        whole = all((n + 2 * padding - span) % stride == 0 for n in (height, width))
        if difficulty == "easy" and not whole:
            continue
        break
    options: dict[str, Any] = {"kind": kind, "kernel": str(kernel)}
    facts = [("kernel", _dims((kernel, kernel)))]
    if kind == "pool":
        options["stride"] = str(stride)
        facts.append(("stride", str(stride)))
    else:
        options["stride"] = str(stride)
        options["padding"] = str(padding)
        facts += [("stride", str(stride)), ("padding", str(padding))]
        if dilation != 1:
            options["dilation"] = str(dilation)
            facts.append(("dilation", str(dilation)))
    answer = {
        "height": _conv_size(height, kernel, stride, padding, dilation),
        "width": _conv_size(width, kernel, stride, padding, dilation),
    }
    ask: tuple[str, ...] = ("height", "width")
    channels = None if difficulty == "easy" else rng.choice((None, 1, 3, 16))
    if channels is None:
        options["input"] = f"{height},{width}"
        facts.insert(0, ("input", f"{_dims((height, width))} (H×W)"))
    else:
        options["input"] = f"{channels},{height},{width}"
        facts.insert(0, ("input", f"{_dims((channels, height, width))} (C×H×W)"))
        if kind == "conv":
            filters = rng.choice((4, 8, 16, 32, 64))
            options["out-channels"] = str(filters)
            facts.insert(2, ("filters", str(filters)))
            answer["channels"] = filters
        else:
            answer["channels"] = channels
        ask += ("channels",)
    options = {"input": options.pop("input"), **options}
    return Exercise("outsize", options, ask, answer, intro=f"outsize_{kind}", facts=facts)


def _outsize_transpose(rng: random.Random) -> Exercise:
    while True:
        height, width = rng.randint(2, 8), rng.randint(2, 8)
        kernel, stride, padding = rng.choice((2, 3, 4)), rng.choice((1, 2, 2, 3)), rng.randint(0, 1)
        extra = rng.randint(0, stride - 1) if rng.random() < 0.4 else 0
        sizes = [(n - 1) * stride - 2 * padding + (kernel - 1) + extra + 1 for n in (height, width)]
        if min(sizes) >= 1:
            break
    options = {
        "kind": "transpose",
        "input": f"{height},{width}",
        "kernel": str(kernel),
        "stride": str(stride),
        "padding": str(padding),
    }
    facts = [
        ("input", f"{_dims((height, width))} (H×W)"),
        ("kernel", _dims((kernel, kernel))),
        ("stride", str(stride)),
        ("padding", str(padding)),
    ]
    if extra:
        options["output-padding"] = str(extra)
        facts.append(("output_padding", str(extra)))
    answer = {"height": sizes[0], "width": sizes[1]}
    return Exercise(
        "outsize", options, ("height", "width"), answer, intro="outsize_transpose", facts=facts
    )


# ------------------------------------------------------------------ input/output


def ascii_text(text: str) -> str:
    """``--ascii``: symbols spelled out, Hangul kept (it is the language, not decoration)."""
    import re

    from stepcalc.render.common import to_ascii

    text = text.replace("─", "-")
    parts = re.split(r"([\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+)", text)
    return "".join(part if index % 2 else to_ascii(part) for index, part in enumerate(parts))


def show(text: str, ctx: Ctx, end: str = "\n") -> None:
    import sys

    sys.stdout.write((ascii_text(text) if ctx.ascii else text) + end)
    sys.stdout.flush()


def fresh_seed() -> int:
    import secrets

    return secrets.randbelow(100_000)


def key_path(worksheet: str) -> str:
    """Where the answer key goes when only ``--worksheet`` is given: ``sheet-answers.md``."""
    from pathlib import Path

    path = Path(worksheet)
    if not path.name or path.is_dir():
        raise StepcalcError(f"--worksheet: {worksheet} is a directory; give a file name")
    return str(path.with_name(f"{path.stem}-answers{path.suffix}"))


def sheets(
    exercises: list[Exercise], ctx: Ctx, topic: str, seed: int, difficulty: str, form: str
) -> dict[str, str]:
    """The worksheet and the answer key, as whole texts."""
    write = worksheet_latex if form == "latex" else worksheet_markdown
    return {
        "sheet": write(exercises, ctx, topic, seed, difficulty, key=False),
        "key": write(exercises, ctx, topic, seed, difficulty, key=True),
    }


def write_whole(files: list[tuple[str, str, str]]) -> None:
    """Write each (option, path, text) completely or none: temporary files, then renames."""
    import os
    import tempfile
    from pathlib import Path

    umask = os.umask(0)
    os.umask(umask)
    staged: list[tuple[str, str, str]] = []
    try:
        for option, path, text in files:
            target = Path(path)
            folder = target.resolve().parent
            if target.is_dir():
                raise StepcalcError(f"{option}: {path} is a directory")
            if not folder.is_dir():
                raise StepcalcError(f"{option}: {path}: the folder {folder} does not exist")
            try:
                handle, temporary = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=".tmp", dir=folder
                )
                staged.append((option, temporary, path))
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask
                os.chmod(temporary, mode)
            except OSError as exc:
                raise StepcalcError(f"{option}: {path}: cannot write ({exc.strerror})") from None
        while staged:
            option, temporary, path = staged[0]
            try:
                os.replace(temporary, path)
            except OSError as exc:
                raise StepcalcError(f"{option}: {path}: cannot write ({exc.strerror})") from None
            staged.pop(0)
    finally:
        for _, temporary, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def print_json(exercises: list[Exercise], ctx: Ctx, topic: str, seed: int, difficulty: str) -> int:
    import json
    import sys

    data = document(exercises, topic, ctx.lang, seed, difficulty)
    sys.stdout.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")
    return ExitStatus.OK


def interactive(exercises: list[Exercise], ctx: Ctx) -> int:
    """Ask on a terminal; with stdin not a terminal, read answers from it line by line."""
    import sys

    from stepcalc.render import View, emit

    stdin = sys.stdin
    terminal = stdin is not None and stdin.isatty()

    def write(text: str) -> None:
        show(text, ctx, end="")

    def read(prompt: str) -> str | None:
        if terminal:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = stdin.readline() if stdin is not None else ""
        if not line:
            return None
        write(prompt + line.rstrip("\r\n") + "\n")
        return line

    if terminal:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - gives input() line editing and history

        write(ctx.t("drill.skip_help") + "\n")
    view = View(format="table", lang=ctx.lang, ascii=ctx.ascii)
    session = Session(exercises, ctx, read, write, lambda trace: emit(trace, view))
    return session.run()


@generator("params")
def params_problem(rng: random.Random, difficulty: str) -> Exercise:
    if difficulty == "easy" or rng.random() < 0.4:
        return _params_mlp(rng, difficulty)
    return _params_cnn(rng)


def _params_mlp(rng: random.Random, difficulty: str) -> Exercise:
    depth = 3 if difficulty == "easy" else rng.randint(3, 5)
    widths = [rng.choice((2, 3, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100)) for _ in range(depth)]
    bias = difficulty == "easy" or rng.random() < 0.7
    counts = [a * b + (b if bias else 0) for a, b in zip(widths, widths[1:], strict=False)]
    options: dict[str, Any] = {"mlp": ",".join(map(str, widths))}
    if not bias:
        options["bias"] = False
    facts = [
        ("mlp", " → ".join(map(str, widths))),
        ("bias", Say("fact_yes" if bias else "fact_no")),
    ]
    ask = ("total",) if difficulty == "easy" else ("layers[0].params", "total")
    answer = {"total": sum(counts), "layers[0].params": counts[0]}
    return Exercise("params", options, ask, answer, intro="params_mlp", facts=facts)


def _params_cnn(rng: random.Random) -> Exercise:
    """conv → ReLU → max-pool 2 → flatten → linear, with or without BatchNorm."""
    channels = rng.choice((1, 3))
    filters = rng.choice((4, 6, 8, 16))
    kernel = rng.choice((3, 5))
    padding = rng.choice((0, kernel // 2))
    classes = rng.choice((2, 10))
    while True:
        size = rng.randint(6, 16)
        after = size + 2 * padding - kernel + 1
        if after > 0 and after % 2 == 0:
            break
    batchnorm = rng.random() < 0.5
    convention = rng.choice(("pytorch", "keras")) if batchnorm else "pytorch"
    conv = {"out": filters, "kernel": kernel, "padding": padding}
    layers: list[Any] = [{"conv": conv}]
    if batchnorm:
        layers.append({"batchnorm": {}})
    layers += ["relu", {"maxpool": {"kernel": 2}}, "flatten", {"linear": {"out": classes}}]
    conv_params = channels * filters * kernel * kernel + filters
    features = filters * (after // 2) ** 2
    linear_params = features * classes + classes
    norm = (4 if convention == "keras" else 2) * filters if batchnorm else 0
    frozen = 2 * filters if convention == "keras" and batchnorm else 0
    linear_index = len(layers) - 1
    answer = {
        "layers[0].params": conv_params,
        f"layers[{linear_index}].params": linear_params,
        "total": conv_params + norm + linear_params,
        "trainable": conv_params + norm - frozen + linear_params,
    }
    ask = ("layers[0].params", f"layers[{linear_index}].params", "total")
    if convention == "keras":
        ask += ("trainable",)
    stack = [f"conv {channels}→{filters}, {kernel}×{kernel}, P = {padding}"]
    if batchnorm:
        stack.append(f"batchnorm ({convention})")
    stack += ["relu", "maxpool 2×2", "flatten", f"linear → {classes}"]
    facts = [("input", f"{channels}×{size}×{size} (C×H×W)")]
    facts += [("layers", f"[{index}] {layer}") for index, layer in enumerate(stack)]
    options = {"input": [channels, size, size], "layers": layers, "convention": convention}
    return Exercise("params", options, ask, answer, intro="params_cnn", facts=facts)


# ------------------------------------------------------------ more generators


def _numbers(values: list[float] | tuple[float, ...]) -> str:
    """Numbers as the command line takes them: ``1 -2 0.5``."""
    return " ".join(_number(v) for v in values)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _rows(matrix: list[list[float]]) -> str:
    return "; ".join(_numbers(row) for row in matrix)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


ACTIVATIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x)))),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "leaky-relu": (lambda x: x if x > 0 else 0.1 * x, lambda x: 1.0 if x > 0 else 0.1),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "gelu": (
        lambda x: x * _phi(x),
        lambda x: _phi(x) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
    "elu": (
        lambda x: x if x > 0 else math.exp(x) - 1,
        lambda x: 1.0 if x > 0 else math.exp(x),
    ),
    "softplus": (lambda x: math.log1p(math.exp(x)), _sigmoid),
}
"""Each function and its derivative, written out independently of the ``silu`` command."""


@generator("silu")
def silu_problem(rng: random.Random, difficulty: str) -> Exercise:
    if difficulty == "easy":
        fn = rng.choice(("silu", "sigmoid", "relu"))
    else:
        fn = rng.choice(
            ("silu", "silu", "sigmoid", "tanh", "leaky-relu", "gelu", "elu", "softplus")
        )
    pool = (-2, -1, -0.5, 0.5, 1, 2) if fn in ("relu", "leaky-relu", "elu") else (-2, -1, 0, 1, 2)
    inputs = rng.sample(pool, 3)
    function, derivative = ACTIVATIONS[fn]
    options: dict[str, Any] = {"input": _numbers(inputs), "fn": fn}
    facts: list[tuple[str, str | Say]] = [("fn", fn), ("input", f"x = [{_numbers(inputs)}]")]
    if fn == "leaky-relu":
        options["alpha"] = "0.1"
        facts.insert(1, ("alpha", "0.1"))
    answer: dict[str, Any] = {
        "output": [function(x) for x in inputs],
        "derivative": [derivative(x) for x in inputs],
    }
    if difficulty == "exam":
        upstream = [rng.choice((-2, -1, 1, 2, 3)) for _ in inputs]
        options["grad-output"] = _numbers(upstream)
        facts.append(("grad_output", f"∂L/∂y = [{_numbers(upstream)}]"))
        answer["grad_input"] = [g * derivative(x) for g, x in zip(upstream, inputs, strict=True)]
    return Exercise("silu", options, tuple(answer), answer, intro="silu", facts=facts)


GRAPH_TEMPLATES: dict[str, tuple[tuple[str, ...], Callable[..., tuple[float, ...]]]] = {
    "(x + y) * z": (("x", "y", "z"), lambda x, y, z: ((x + y) * z, z, z, x + y)),
    "x * y + z": (("x", "y", "z"), lambda x, y, z: (x * y + z, y, x, 1)),
    "(x - y) * z": (("x", "y", "z"), lambda x, y, z: ((x - y) * z, z, -z, x - y)),
    "x * y * z": (("x", "y", "z"), lambda x, y, z: (x * y * z, y * z, x * z, x * y)),
    "x * y + y * z": (("x", "y", "z"), lambda x, y, z: (x * y + y * z, y, x + z, y)),
    "(x * y + z) ** 2": (
        ("x", "y", "z"),
        lambda x, y, z: (
            (x * y + z) ** 2,
            2 * (x * y + z) * y,
            2 * (x * y + z) * x,
            2 * (x * y + z),
        ),
    ),
    "max(x, y) * z": (
        ("x", "y", "z"),
        lambda x, y, z: (max(x, y) * z, z if x > y else 0, z if y > x else 0, max(x, y)),
    ),
    "(x + y) * (y - z)": (
        ("x", "y", "z"),
        lambda x, y, z: ((x + y) * (y - z), y - z, (y - z) + (x + y), -(x + y)),
    ),
}
"""Expressions of the lectures with their hand-derived output and partial derivatives."""

EASY_GRAPHS = ("(x + y) * z", "x * y + z", "(x - y) * z")


@generator("graph")
def graph_problem(rng: random.Random, difficulty: str) -> Exercise:
    expression = rng.choice(EASY_GRAPHS if difficulty == "easy" else tuple(GRAPH_TEMPLATES))
    names, worked = GRAPH_TEMPLATES[expression]
    while True:
        values = [rng.choice((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5)) for _ in names]
        if len(set(values)) == len(values):
            break
    upstream = 1 if difficulty == "easy" else rng.choice((1, 1, 2, -1, 0.5))
    output, *partials = worked(*values)
    options: dict[str, Any] = {
        "expr": expression,
        "values": ",".join(f"{n}={v}" for n, v in zip(names, values, strict=True)),
    }
    facts: list[tuple[str, str | Say]] = [
        ("expr", f"f = {expression}"),
        ("values", ", ".join(f"{n} = {v}" for n, v in zip(names, values, strict=True))),
    ]
    if upstream != 1:
        options["upstream"] = _number(upstream)
        facts.append(("upstream", f"∂L/∂f = {_number(upstream)}"))
    answer: dict[str, Any] = {"output": output}
    for name, partial in zip(names, partials, strict=True):
        answer[f"gradients.{name}"] = upstream * partial
    return Exercise("graph", options, tuple(answer), answer, intro="graph", facts=facts)


@generator("loss")
def loss_problem(rng: random.Random, difficulty: str) -> Exercise:
    fn = (
        "mse" if difficulty == "easy" else rng.choice(("mse", "mse", "mae", "bce", "cross-entropy"))
    )
    if fn == "cross-entropy":
        return _cross_entropy(rng)
    if fn == "bce":
        return _bce(rng)
    size = rng.choice((2, 4)) if difficulty == "easy" else rng.choice((2, 4, 5))
    target = [rng.randint(0, 30) / 10 for _ in range(size)]
    gaps = [rng.choice((-3, -2, -1, 1, 2, 3)) for _ in range(size)]
    pred = [round(t + g, 1) for t, g in zip(target, gaps, strict=True)]
    reduction = "mean" if difficulty == "easy" or rng.random() < 0.7 else "sum"
    scale = 1 / size if reduction == "mean" else 1
    if fn == "mse":
        loss = scale * sum(g * g for g in gaps)
        grad = [scale * 2 * g for g in gaps]
    else:
        loss = scale * sum(abs(g) for g in gaps)
        grad = [scale * math.copysign(1, g) for g in gaps]
    options = {"fn": fn, "pred": _numbers(pred), "target": _numbers(target)}
    facts: list[tuple[str, str | Say]] = [
        ("loss_fn", fn.upper()),
        ("pred", f"ŷ = [{_numbers(pred)}]"),
        ("target", f"y = [{_numbers(target)}]"),
        ("reduction", reduction),
    ]
    if reduction == "sum":
        options["reduction"] = "sum"
    answer = {"loss": loss, "grad_pred": grad}
    ask = ("loss",) if difficulty == "easy" else ("loss", "grad_pred")
    return Exercise("loss", options, ask, answer, intro="loss", facts=facts)


def _cross_entropy(rng: random.Random) -> Exercise:
    classes = rng.choice((3, 4))
    while True:
        cuts = sorted(rng.sample(range(1, 10), classes - 1))
        probabilities = [(b - a) / 10 for a, b in zip([0, *cuts], [*cuts, 10], strict=True)]
        if min(probabilities) > 0:
            break
    label = rng.randrange(classes)
    answer = {"loss": -math.log(probabilities[label])}
    options = {"fn": "cross-entropy", "pred": _numbers(probabilities), "target": str(label)}
    facts: list[tuple[str, str | Say]] = [
        ("loss_fn", "cross-entropy"),
        ("pred", f"p = [{_numbers(probabilities)}] (softmax)"),
        ("label", str(label)),
    ]
    return Exercise("loss", options, ("loss",), answer, intro="loss_ce", facts=facts)


def _bce(rng: random.Random) -> Exercise:
    size = rng.choice((2, 3))
    pred = [rng.choice((0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9)) for _ in range(size)]
    target = [rng.choice((0, 1)) for _ in range(size)]
    terms = [
        -(y * math.log(p) + (1 - y) * math.log(1 - p)) for p, y in zip(pred, target, strict=True)
    ]
    answer = {"loss": sum(terms) / size}
    options = {"fn": "bce", "pred": _numbers(pred), "target": _numbers(target)}
    facts: list[tuple[str, str | Say]] = [
        ("loss_fn", "BCE"),
        ("pred", f"ŷ = [{_numbers(pred)}]"),
        ("target", f"y = [{_numbers(target)}]"),
        ("reduction", "mean"),
    ]
    return Exercise("loss", options, ("loss",), answer, intro="loss", facts=facts)


SPREADS = ((-1, -1, 1, 1), (-3, -1, 1, 3), (-2, 0, 0, 2), (-2, -2, 2, 2), (-3, 1, 1, 1))
"""Deviations from the mean of four samples with a whole variance (1, 5, 2, 4, 3)."""
BN_EPS = 1e-5
BN_MOMENTUM = 0.1


@generator("batchnorm")
def batchnorm_problem(rng: random.Random, difficulty: str) -> Exercise:
    features = 1 if difficulty == "easy" else rng.choice((1, 2))
    columns = []
    for _ in range(features):
        centre = rng.randint(-2, 5)
        spread = list(rng.choice(SPREADS))
        rng.shuffle(spread)
        columns.append([centre + d for d in spread])
    batch = [list(row) for row in zip(*columns, strict=True)]
    means = [sum(c) / len(c) for c in columns]
    variances = [sum((x - m) ** 2 for x in c) / len(c) for c, m in zip(columns, means, strict=True)]
    options: dict[str, Any] = {"input": _rows(batch)}
    facts: list[tuple[str, str | Say]] = [("input", f"N×F = {len(batch)}×{features}")]
    answer: dict[str, Any] = {"mean": means, "var": variances}
    if difficulty == "exam":
        gamma = [rng.choice((0.5, 1, 2, 3)) for _ in range(features)]
        beta = [rng.choice((-1, 0, 0.5, 1)) for _ in range(features)]
        options["gamma"], options["beta"] = _numbers(gamma), _numbers(beta)
        facts += [("gamma", f"γ = [{_numbers(gamma)}]"), ("beta", f"β = [{_numbers(beta)}]")]
        answer["output"] = [
            [
                g * (x - m) / math.sqrt(v + BN_EPS) + b
                for x, m, v, g, b in zip(row, means, variances, gamma, beta, strict=True)
            ]
            for row in batch
        ]
        n = len(batch)
        answer["running_var"] = [
            (1 - BN_MOMENTUM) + BN_MOMENTUM * v * n / (n - 1) for v in variances
        ]
    facts.append(("eps_momentum", f"ε = 1e-5, momentum = {BN_MOMENTUM}"))
    shown = {"x": batch}
    return Exercise(
        "batchnorm", options, tuple(answer), answer, intro="batchnorm", facts=facts, shown=shown
    )


def _matrix(rng: random.Random, rows: int, cols: int, values: tuple[int, ...]) -> list[list[int]]:
    return [[rng.choice(values) for _ in range(cols)] for _ in range(rows)]


def _correlate(image, kernel, stride: int = 1, padding: int = 0) -> list[list[float]]:
    """Cross-correlation written as the loops of the slides (no NumPy)."""
    padded = _pad(image, padding)
    kh, kw = len(kernel), len(kernel[0])
    rows = (len(padded) - kh) // stride + 1
    cols = (len(padded[0]) - kw) // stride + 1
    return [
        [
            sum(
                padded[i * stride + a][j * stride + b] * kernel[a][b]
                for a in range(kh)
                for b in range(kw)
            )
            for j in range(cols)
        ]
        for i in range(rows)
    ]


def _pad(image, padding: int) -> list[list[float]]:
    width = len(image[0]) + 2 * padding
    blank = [[0] * width for _ in range(padding)]
    body = [[0] * padding + list(row) + [0] * padding for row in image]
    return blank + body + [list(row) for row in blank]


def _rot180(matrix) -> list[list[float]]:
    return [list(reversed(row)) for row in reversed(matrix)]


def _conv_backward(image, kernel, grad_output, stride: int = 1, padding: int = 0):
    """∂L/∂X and ∂L/∂W by scattering each upstream cell over its window."""
    padded = _pad(image, padding)
    kh, kw = len(kernel), len(kernel[0])
    grad_padded = [[0.0] * len(padded[0]) for _ in padded]
    grad_kernel = [[0.0] * kw for _ in range(kh)]
    for i, row in enumerate(grad_output):
        for j, g in enumerate(row):
            for a in range(kh):
                for b in range(kw):
                    grad_padded[i * stride + a][j * stride + b] += g * kernel[a][b]
                    grad_kernel[a][b] += g * padded[i * stride + a][j * stride + b]
    size = len(image)
    grad_image = [row[padding : padding + len(image[0])] for row in grad_padded]
    return grad_image[padding : padding + size], grad_kernel


@generator("conv")
def conv_problem(rng: random.Random, difficulty: str) -> Exercise:
    variant = (
        "plain"
        if difficulty == "easy"
        else rng.choice(("plain", "padding", "stride", "flip", "backward", "backward"))
    )
    size = {"plain": rng.choice((3, 4)), "padding": 3, "stride": 5, "flip": 3, "backward": 3}
    size = size[variant] if difficulty == "exam" else rng.choice((3, 4))
    ksize = 3 if variant in ("stride",) or (variant == "plain" and size == 4) else 2
    if variant == "padding":
        ksize = rng.choice((2, 3))
    image = _matrix(rng, size, size, (0, 1, 2, 3) if difficulty == "easy" else (-1, 0, 1, 2, 3))
    kernel = _matrix(rng, ksize, ksize, (-1, 0, 1) if difficulty == "easy" else (-1, 0, 1, 2))
    stride = 2 if variant == "stride" else 1
    padding = 1 if variant == "padding" else 0
    options: dict[str, Any] = {"input": _rows(image), "kernel": _rows(kernel)}
    facts: list[tuple[str, str | Say]] = []
    if stride != 1:
        options["stride"] = str(stride)
        facts.append(("stride", str(stride)))
    if padding:
        options["padding"] = str(padding)
        facts.append(("padding", str(padding)))
    used = _rot180(kernel) if variant == "flip" else kernel
    if variant == "flip":
        options["flip"] = True
    answer: dict[str, Any] = {"output": _correlate(image, used, stride, padding)}
    shown: dict[str, Any] = {"X": image, "W": kernel}
    if variant == "backward":
        rows = len(answer["output"])
        grad_output = _matrix(rng, rows, rows, (-1, 1, 2))
        options["grad-output"] = _rows(grad_output)
        shown["∂L/∂O"] = grad_output
        grad_input, grad_weight = _conv_backward(image, kernel, grad_output)
        answer["grad_weight"] = grad_weight
        answer["grad_input"] = grad_input
    intro = "conv_flip" if variant == "flip" else "conv"
    return Exercise("conv", options, tuple(answer), answer, intro=intro, facts=facts, shown=shown)


YOLO_DEFAULTS = {"w_bbox": (0.1, 0.2), "w_cls": 0.3, "y_true": (12, 15, 20)}
"""The slide's heads and targets, kept so the numbers stay recognisable."""


@generator("yolo-toy")
def yolo_problem(rng: random.Random, difficulty: str) -> Exercise:
    image = _matrix(rng, 4, 4, (0, 1, 2, 3))
    w_conv1 = _matrix(rng, 3, 3, (-1, 0, 1))
    w_conv2 = [[rng.choice((0.1, 0.2, 0.5, -0.1)) for _ in range(2)] for _ in range(2)]
    conv1 = _correlate(image, w_conv1)
    silu1 = [[x * _sigmoid(x) for x in row] for row in conv1]
    conv2 = sum(
        s * w
        for srow, wrow in zip(silu1, w_conv2, strict=True)
        for s, w in zip(srow, wrow, strict=True)
    )
    backbone = conv2 * _sigmoid(conv2)
    w_bbox, w_cls, y_true = YOLO_DEFAULTS["w_bbox"], YOLO_DEFAULTS["w_cls"], YOLO_DEFAULTS["y_true"]
    y_pred = [backbone * w for w in (*w_bbox, w_cls)]
    errors = [p - y for p, y in zip(y_pred, y_true, strict=True)]
    loss = sum(e * e for e in errors) / len(errors)
    answer: dict[str, Any] = {"conv1_output": conv1}
    if difficulty == "exam":
        answer["y_pred"] = y_pred
        answer["loss"] = loss
        answer["grad_w_cls"] = 2 * errors[2] / len(errors) * backbone
    options = {"image": _rows(image), "w-conv1": _rows(w_conv1), "w-conv2": _rows(w_conv2)}
    facts: list[tuple[str, str | Say]] = [
        ("heads", f"W_bbox = [{_numbers(w_bbox)}], W_cls = {w_cls}"),
        ("target", f"Y_true = [{_numbers(y_true)}]"),
    ]
    shown = {"image": image, "W_conv1": w_conv1, "W_conv2": w_conv2}
    return Exercise(
        "yolo-toy", options, tuple(answer), answer, intro="yolo", facts=facts, shown=shown
    )


def _optimizer_run(algorithm: str, theta, grads, lr: float, momentum: float):
    """θ after each step, PyTorch's update rules written out for two parameters."""
    theta = list(theta)
    state = [0.0] * len(theta), [0.0] * len(theta)
    for t, g in enumerate(grads, start=1):
        first, second = state
        for i, gi in enumerate(g):
            if algorithm == "sgd":
                theta[i] -= lr * gi
            elif algorithm in ("momentum", "nesterov"):
                first[i] = gi if t == 1 else momentum * first[i] + gi
                step = gi + momentum * first[i] if algorithm == "nesterov" else first[i]
                theta[i] -= lr * step
            elif algorithm == "adagrad":
                second[i] += gi * gi
                theta[i] -= lr * gi / (math.sqrt(second[i]) + 1e-10)
            elif algorithm == "rmsprop":
                second[i] = 0.99 * second[i] + 0.01 * gi * gi
                theta[i] -= lr * gi / (math.sqrt(second[i]) + 1e-8)
            else:  # adam
                first[i] = 0.9 * first[i] + 0.1 * gi
                second[i] = 0.999 * second[i] + 0.001 * gi * gi
                m_hat, v_hat = first[i] / (1 - 0.9**t), second[i] / (1 - 0.999**t)
                theta[i] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    return theta


@generator("optimizer")
def optimizer_problem(rng: random.Random, difficulty: str) -> Exercise:
    if difficulty == "easy":
        algorithm, steps = rng.choice(("sgd", "momentum")), rng.choice((1, 2))
    else:
        algorithm = rng.choice(("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"))
        steps = rng.choice((2, 3)) if algorithm in ("sgd", "momentum", "nesterov") else 2
    theta = [rng.choice((-2, -1, 0.5, 1, 2, 3)) for _ in range(2)]
    grads = [[rng.choice((-2, -1, -0.5, 0.5, 1, 2, 4)) for _ in theta] for _ in range(steps)]
    lr = rng.choice((0.1, 0.5, 1)) if algorithm in ("sgd", "momentum", "nesterov") else 0.1
    momentum = 0.9 if algorithm in ("momentum", "nesterov") else 0.0
    options: dict[str, Any] = {
        "algorithm": algorithm,
        "params": _numbers(theta),
        "grad": _rows(grads),
        "lr": _number(lr),
    }
    facts: list[tuple[str, str | Say]] = [
        ("algorithm", algorithm),
        ("params", f"[{_numbers(theta)}]"),
        ("lr", _number(lr)),
    ]
    if momentum:
        options["momentum"] = _number(momentum)
        facts.append(("momentum", _number(momentum)))
    facts += [("grad", f"g{t} = [{_numbers(g)}]") for t, g in enumerate(grads, start=1)]
    facts.append(("defaults", "PyTorch (torch.optim)"))
    answer = {"final_params": _optimizer_run(algorithm, theta, grads, lr, momentum)}
    return Exercise("optimizer", options, ("final_params",), answer, intro="optimizer", facts=facts)


@generator("dropout")
def dropout_problem(rng: random.Random, difficulty: str) -> Exercise:
    size = 4
    inputs = [rng.choice((1, 2, 3, 4, 5, 6)) for _ in range(size)]
    while True:
        mask = [rng.choice((0, 1)) for _ in range(size)]
        if 0 < sum(mask) < size:
            break
    keep = rng.choice((0.5, 0.8)) if difficulty == "easy" else rng.choice((0.5, 0.8, 0.75, 0.6))
    options: dict[str, Any] = {"input": _numbers(inputs), "mask": _numbers(mask)}
    facts: list[tuple[str, str | Say]] = [("input", f"h = [{_numbers(inputs)}]")]
    facts.append(("mask", f"m = [{_numbers(mask)}]"))
    use_drop = difficulty == "exam" and rng.random() < 0.4
    if use_drop:
        drop = round(1 - keep, 2)
        options["drop-prob"] = _number(drop)
        facts.append(("drop_prob", _number(drop)))
    else:
        options["keep-prob"] = _number(keep)
        facts.append(("keep_prob", _number(keep)))
    kept = [x * m for x, m in zip(inputs, mask, strict=True)]
    answer: dict[str, Any] = {
        "standard.train_output": kept,
        "standard.test_output": [keep * x for x in inputs],
        "inverted.train_output": [x / keep for x in kept],
    }
    if difficulty == "exam":
        weights = [rng.choice((-1, 1, 2)) for _ in range(size)]
        options["weights"] = _numbers(weights)
        facts.append(("weights", f"w = [{_numbers(weights)}], z = w·h"))
        answer["standard.z_test"] = sum(w * keep * x for w, x in zip(weights, inputs, strict=True))
        answer["inverted.z_train"] = sum(w * x / keep for w, x in zip(weights, kept, strict=True))
    return Exercise("dropout", options, tuple(answer), answer, intro="dropout", facts=facts)


def _pool(image, kernel: int, stride: int, mode: str, grad_output=None):
    """Pooling output and, given an upstream gradient, the routed ∂L/∂X (first maximum wins)."""
    rows = (len(image) - kernel) // stride + 1
    cols = (len(image[0]) - kernel) // stride + 1
    output = [[0.0] * cols for _ in range(rows)]
    grad_input = [[0.0] * len(image[0]) for _ in image]
    for i in range(rows):
        for j in range(cols):
            window = [
                (image[i * stride + a][j * stride + b], i * stride + a, j * stride + b)
                for a in range(kernel)
                for b in range(kernel)
            ]
            upstream = grad_output[i][j] if grad_output else 0.0
            if mode == "max":
                best = max(window, key=lambda cell: cell[0])  # the first of equal maxima
                output[i][j] = best[0]
                grad_input[best[1]][best[2]] += upstream
            else:
                output[i][j] = sum(cell[0] for cell in window) / kernel**2
                for _, r, c in window:
                    grad_input[r][c] += upstream / kernel**2
    return output, grad_input


@generator("pool")
def pool_problem(rng: random.Random, difficulty: str) -> Exercise:
    mode = rng.choice(("max", "max", "avg"))
    size, kernel, stride = 4, 2, 2
    if difficulty == "exam" and rng.random() < 0.4:
        size, stride = 3, 1
    image = _matrix(
        rng, size, size, tuple(range(10)) if difficulty == "easy" else tuple(range(-3, 10))
    )
    options: dict[str, Any] = {"input": _rows(image), "mode": mode, "kernel": str(kernel)}
    facts: list[tuple[str, str | Say]] = [
        ("mode", mode),
        ("kernel", _dims((kernel, kernel))),
        ("stride", str(stride)),
    ]
    if stride != kernel:
        options["stride"] = str(stride)
    shown: dict[str, Any] = {"X": image}
    grad_output = None
    if difficulty == "exam":
        rows = (size - kernel) // stride + 1
        grad_output = _matrix(rng, rows, rows, (-1, 1, 2, 3))
        options["grad-output"] = _rows(grad_output)
        shown["∂L/∂O"] = grad_output
    output, grad_input = _pool(image, kernel, stride, mode, grad_output)
    answer: dict[str, Any] = {"output": output}
    if grad_output:
        answer["grad_input"] = grad_input
    return Exercise("pool", options, tuple(answer), answer, intro="pool", facts=facts, shown=shown)


def run(command, given: dict[str, Any]) -> int:
    """``stepcalc drill TOPIC``: ask, write worksheets or print JSON."""
    import os

    from stepcalc.errors import ExitStatus
    from stepcalc.i18n import default_lang
    from stepcalc.spec import parse_args

    args = parse_args(command, given)
    topic = check_topic(args.topic)
    seed, count, difficulty = args.seed, args.count, args.difficulty
    worksheet, answers, file_format = args.worksheet, args.answers, args.format
    if file_format and not (worksheet or answers):
        raise StepcalcError("--format: only for --worksheet and --answers files")
    if worksheet and not answers:
        answers = key_path(worksheet)
    if worksheet and answers and os.path.realpath(worksheet) == os.path.realpath(answers):
        raise StepcalcError("--answers: must be a different file from --worksheet")
    ctx = Ctx(lang=args.lang or default_lang(), ascii=args.ascii)
    if seed is None:
        seed = fresh_seed()
    exercises = generate(topic, seed, count, difficulty)
    if worksheet or answers:
        files = sheets(exercises, ctx, topic, seed, difficulty, file_format or "markdown")
        wanted = (("--worksheet", worksheet, "sheet"), ("--answers", answers, "key"))
        write_whole([(opt, path, files[kind]) for opt, path, kind in wanted if path])
    if args.json:
        return print_json(exercises, ctx, topic, seed, difficulty)
    replay = replay_command(topic, seed, count, difficulty)
    show(ctx.t("drill.seed_line", seed=seed) + " · " + ctx.t("drill.replay", command=replay), ctx)
    if worksheet or answers:
        for path in (worksheet, answers):
            if path:
                show(ctx.t("drill.written", path=path), ctx)
        return ExitStatus.OK
    return interactive(exercises, ctx)
