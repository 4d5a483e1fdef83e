"""Commands declared once: typed options, constraints, calculator, result keys, drill, samples.

Each module of ``stepcalc.commands`` holds one ``COMMAND``; the command line, ``--help``,
the runner, the drill and the fuzz tests all read it. A command's options are parsed by their
type before its calculator runs, so a calculator receives numbers (``Args``) and never sees
an option name; bad values raise ``InputError(option, code, …)`` here.

Light on purpose: importing this module loads neither NumPy nor YAML.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from stepcalc import limits, parse
from stepcalc.errors import InputError, either, label

# ------------------------------------------------------------------ option types


@dataclass(frozen=True)
class Type:
    metavar: str = "VALUE"

    def parse(self, raw: Any, name: str) -> Any:
        return raw


@dataclass(frozen=True)
class Text(Type):
    def parse(self, raw: Any, name: str) -> str:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise InputError(name, "expected_text")
        return str(raw)


@dataclass(frozen=True)
class Number(Type):
    metavar: str = "X"
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False

    def parse(self, raw: Any, name: str) -> float:
        value = parse.parse_scalar(raw, name)
        shown = f"{value:g}"
        if self.positive and not value > 0:
            raise InputError(name, "positive", value=shown)
        if self.minimum is not None and value < self.minimum:
            code = "not_negative" if self.minimum == 0 else "at_least"
            raise InputError(name, code, minimum=f"{self.minimum:g}", value=shown)
        if self.maximum is not None and value > self.maximum:
            if (self.minimum, self.maximum) == (0, 1):
                raise InputError(name, "in_unit", value=shown)
            raise InputError(name, "at_most", maximum=f"{self.maximum:g}", value=shown)
        return value


@dataclass(frozen=True)
class Int(Type):
    metavar: str = "N"
    minimum: int | None = None
    maximum: int | None = None

    def parse(self, raw: Any, name: str) -> int:
        value = parse.parse_int(raw, name, self.minimum, self.maximum or limits.MAX_DIMENSION)
        if self.maximum is not None and value > self.maximum:
            raise InputError(name, "at_most", maximum=f"{self.maximum:,}", value=f"{value:,}")
        return value


@dataclass(frozen=True)
class Ints(Type):
    """``3``, ``3,4`` or a YAML list of whole numbers."""

    metavar: str = "N[,N]"
    minimum: int | None = None
    length: tuple[int, ...] | None = None
    maximum: int = limits.MAX_DIMENSION

    def parse(self, raw: Any, name: str) -> list[int]:
        return parse.parse_int_list(raw, name, self.minimum, self.length, self.maximum)


@dataclass(frozen=True)
class Tensor(Type):
    """A scalar, vector, matrix or stack, as a float64 array of one of ``ndim`` ranks."""

    metavar: str = "T"
    ndim: tuple[int, ...] | None = None

    def parse(self, raw: Any, name: str):
        return parse.parse_tensor(raw, name, self.ndim)


@dataclass(frozen=True)
class Choice(Type):
    choices: tuple[str, ...] = ()

    def parse(self, raw: Any, name: str) -> str:
        return parse.parse_choice(raw, name, self.choices)


@dataclass(frozen=True)
class Flag(Type):
    def parse(self, raw: Any, name: str) -> bool:
        return parse.parse_bool(raw, name)


@dataclass(frozen=True)
class Mapping(Type):
    """A YAML/JSON file of its own (``--network net.yaml``), or the mapping itself when
    it sits inside a ``--from`` file."""

    metavar: str = "FILE"

    def parse(self, raw: Any, name: str) -> dict[str, Any]:
        if isinstance(raw, dict):
            return raw
        return parse.load_mapping(Text().parse(raw, name), name)


# ------------------------------------------------------------------ declarations


@dataclass(frozen=True)
class Opt:
    name: str
    """Long option name without dashes (``grad-output``); the ``--from`` file key too."""
    type: Type = Text()
    help: str = ""
    default: Any = None
    multiple: bool = False
    required: bool = False
    short: str | None = None


@dataclass(frozen=True)
class Arg:
    """A positional argument (``optimizer ALGO``)."""

    name: str
    type: Type = Text()
    help: str = ""
    required: bool = False


@dataclass(frozen=True)
class ExactlyOne:
    """Give exactly one of these options (``--grad`` or ``--loss``)."""

    names: tuple[str, ...]
    optional: bool = False
    """True: none at all is fine too (at most one)."""


@dataclass(frozen=True)
class Requires:
    """``name`` is only used with ``other`` given, or with ``other`` set to one of ``values``."""

    name: str
    other: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Opt, ...]
    calculator: str
    """``module:function`` taking (Args, Ctx) and returning a Trace, imported on use."""
    result_keys: tuple[str, ...] = ()
    argument: Arg | None = None
    constraints: tuple[ExactlyOne | Requires, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()
    """Options that stand for one another: one given on the command line replaces the
    others when those come only from the ``--from`` file."""
    drill: str | None = None
    """``module:function`` making seeded practice problems, when the topic has a drill."""
    samples: tuple[str, ...] = ()
    """Problem files in ``samples/`` that this command works."""
    computing: bool = True
    """False for the drill, which runs other commands rather than one calculation."""
    epilog: str = ""
    formats: tuple[str, ...] = ("table", "json", "markdown", "latex")
    summary: str = ""
    """One phrase for the command list of ``stepcalc --help`` (default: the help, cut)."""

    def option(self, name: str) -> Opt:
        return next(opt for opt in self.options if opt.name == name)

    def calculate(self) -> Callable[..., Any]:
        return load(self.calculator)


def load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


@cache
def command_names() -> tuple[str, ...]:
    """The commands, by their modules in ``stepcalc.commands`` (nothing to keep in step)."""
    import stepcalc.commands as package

    return tuple(info.name.replace("_", "-") for info in pkgutil.iter_modules(package.__path__))


@cache
def command(name: str) -> Command:
    module = importlib.import_module(f"stepcalc.commands.{name.replace('-', '_')}")
    return module.COMMAND


def commands() -> list[Command]:
    return [command(name) for name in command_names()]


# ------------------------------------------------------------------ one run's values


class Args(dict):
    """Parsed option values of one run, by name (``args.grad_output`` or ``args["grad-output"]``).

    ``given`` holds the options given on the command line or in the file (not defaults)."""

    given: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name.replace("_", "-")]
        except KeyError:
            raise AttributeError(name) from None


def normalize_key(key: str) -> str:
    return key.strip().replace("_", "-")


def merge(command: Command, line: dict[str, Any], file: dict[str, Any] | None, source: str):
    """Raw values: the command line over the file; the file's keys must be options."""
    known = {opt.name for opt in command.options}
    if command.argument:
        known.add(command.argument.name)
    raw: dict[str, Any] = {}
    for key, value in (file or {}).items():
        name = normalize_key(key)
        if name not in known:
            raise InputError(
                "from", "unknown_key", path=source, key=repr(key), valid=", ".join(sorted(known))
            )
        raw[name] = value
    on_line = {name for name, value in line.items() if value not in (None, (), [])}
    raw.update({name: line[name] for name in on_line})
    for group in command.alternatives:
        if any(name in on_line and raw.get(name) not in (None, False) for name in group):
            for name in group:
                if name not in on_line:
                    raw.pop(name, None)
    return raw


def parse_args(command: Command, raw: dict[str, Any]) -> Args:
    """Each option parsed by its type (defaults too), then the constraints checked."""
    args = Args()
    given = {name for name, value in raw.items() if value is not None}
    declared = list(command.options) + ([command.argument] if command.argument else [])
    for opt in declared:
        value = raw.get(opt.name)
        if value is None:
            value = getattr(opt, "default", None)
        if value is None:
            if opt.required:
                raise InputError(_field(command, opt.name), "required")
            args[opt.name] = [] if getattr(opt, "multiple", False) else None
            continue
        name = _field(command, opt.name)
        if getattr(opt, "multiple", False):
            items = value if isinstance(value, list | tuple) else [value]
            args[opt.name] = [opt.type.parse(item, name) for item in items]
        else:
            args[opt.name] = opt.type.parse(value, name)
    args.given = frozenset(given)
    for rule in command.constraints:
        _check(rule, args, command)
    return args


def _field(command: Command, name: str) -> str:
    if command.argument and name == command.argument.name:
        return name.upper()
    return name


def _present(args: Args, name: str) -> bool:
    value = args.get(name)
    if hasattr(value, "shape"):  # a tensor
        return True
    return value is not None and value is not False and value != [] and value != ()


def _check(rule, args: Args, command: Command) -> None:
    if isinstance(rule, ExactlyOne):
        present = [name for name in rule.names if _present(args, name)]
        if len(present) > 1 or (not present and not rule.optional):
            options = either(label(_field(command, n)) for n in rule.names)
            field = present[-1] if present else rule.names[0]
            raise InputError(field, "exactly_one", options=options)
        return
    if not _present(args, rule.name) or rule.name not in args.given:
        return
    other = label(_field(command, rule.other))
    if rule.values:
        if args.get(rule.other) not in rule.values:
            raise InputError(rule.name, "only_with_value", other=other, values=either(rule.values))
    elif not _present(args, rule.other):
        raise InputError(rule.name, "only_with", other=other)


FORMATS = ("table", "json", "markdown", "latex", "dot")
COMMON = (
    Opt("format", Choice("table|json|markdown|latex", FORMATS), "Output form.", "table"),
    Opt("json", Flag(), "Same as --format json."),
    Opt(
        "decimals",
        Int("N", 0, 15),
        "Digits shown in table/markdown/latex (JSON keeps full float64).",
        4,
    ),
    Opt(
        "round-steps",
        Int("N", 0, 15),
        "Hand mode: round every intermediate to N decimals (half up) before use.",
    ),
    Opt("from", Text("FILE"), "Read the problem from a YAML or JSON file ('-' = stdin)."),
    Opt("check", Text("FILE"), "Check a student's answers (YAML/JSON mapping quantity: value)."),
    Opt(
        "expect", Text("Q=V"), "Check one answer inline, QUANTITY=VALUE; repeatable.", multiple=True
    ),
    Opt("tol", Number("X", minimum=0), "Absolute tolerance for checks instead of the digit rule."),
    Opt("sig", Int("N", 1, 15), "Significant digits an answer needs.", 3),
    Opt("lang", Choice("en|ko", ("en", "ko")), "Language of titles and explanations."),
    Opt("ascii", Flag(), "ASCII-only symbols and borders."),
    Opt(
        "only",
        Text("PART"),
        "Show only part of the steps: a phase (forward, backward, update) or a step such "
        "as grad_w_conv1; repeatable.",
        multiple=True,
    ),
)
"""Options every computing command has."""
IN_FILE = ("round-steps", "decimals", "lang")
"""Common options a ``--from`` file may set (the rest belong on the command line)."""
