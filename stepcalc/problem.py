"""A command's options as one problem: command line over ``--from`` file over defaults.

Commands declare their options as ``Opt`` records; the CLI builds the Typer signature from
them, and a ``Problem`` hands each value to the calculator parsed and checked, naming the
option in every error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stepcalc import parse
from stepcalc.errors import StepcalcError


@dataclass(frozen=True)
class Opt:
    name: str
    """Long option name without dashes, e.g. ``grad-output``; the file key too."""
    help: str = ""
    default: Any = None
    flag: bool = False
    multiple: bool = False
    metavar: str | None = None
    short: str | None = None


@dataclass(frozen=True)
class Arg:
    name: str
    help: str = ""
    required: bool = False


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Opt, ...]
    run: Callable[..., Any]
    argument: Arg | None = None
    alternatives: tuple[tuple[str, ...], ...] = ()
    """Groups of options that stand for one another (``grad``/``loss``): one given on the
    command line replaces the others when those come only from the ``--from`` file."""
    computing: bool = True
    """False for commands (drill) that do not produce a single Trace."""
    epilog: str = ""


def option_label(name: str) -> str:
    return f"--{name}"


def normalize_key(key: str) -> str:
    return key.strip().replace("_", "-")


@dataclass
class Problem:
    """Option values for one run, merged and typed on access."""

    values: dict[str, Any]
    command: str = ""
    source: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    command_line: frozenset[str] = frozenset()

    @classmethod
    def merge(
        cls,
        command: Command,
        given: dict[str, Any],
        file_values: dict[str, Any] | None,
        source: str = "",
    ) -> Problem:
        known = {opt.name: opt for opt in command.options}
        if command.argument:
            known[command.argument.name] = Opt(command.argument.name)
        values: dict[str, Any] = {}
        for key, value in (file_values or {}).items():
            name = normalize_key(key)
            if name not in known:
                valid = ", ".join(sorted(known))
                raise StepcalcError(f"--from: {source}: unknown key {key!r} (valid: {valid})")
            values[name] = value
        on_line = set()
        for name, value in given.items():
            if value is not None and value != () and value != []:
                values[name] = value
                on_line.add(name)
        defaults = {opt.name: opt.default for opt in command.options}
        problem = cls(
            values=values,
            command=command.name,
            source=source,
            defaults=defaults,
            command_line=frozenset(on_line),
        )
        for group in command.alternatives:
            problem.prefer_command_line(*group)
        return problem

    # -------------------------------------------------------------- access

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        if value is None:
            value = self.defaults.get(name)
        return default if value is None else value

    def prefer_command_line(self, *names: str) -> None:
        """Of alternative options (one or the other), one given on the command line overrides
        the others when they come only from the ``--from`` file."""
        if any(
            name in self.command_line
            and self.values.get(name) is not None
            and self.values.get(name) is not False
            for name in names
        ):
            for name in names:
                if name not in self.command_line:
                    self.values.pop(name, None)

    def given_names(self) -> set[str]:
        return {name for name, value in self.values.items() if value is not None}

    def require(self, name: str) -> Any:
        value = self.raw(name)
        if value is None:
            raise StepcalcError(f"{option_label(name)}: required")
        return value

    def scalar(self, name: str, default: float | None = None) -> float | None:
        value = self.raw(name)
        if value is None:
            return default
        return float(parse.parse_scalar(value, option_label(name)))

    def int(self, name: str, minimum: int | None = None, default: int | None = None):
        value = self.raw(name)
        if value is None:
            return default
        return parse.parse_int(value, option_label(name), minimum)

    def ints(self, name: str, minimum: int | None = None, length: tuple[int, ...] | None = None):
        value = self.raw(name)
        if value is None:
            return None
        return parse.parse_int_list(value, option_label(name), minimum, length)

    def tensor(self, name: str, ndim: tuple[int, ...] | None = None):
        value = self.raw(name)
        if value is None:
            return None
        return parse.parse_tensor(value, option_label(name), ndim)

    def vector(self, name: str):
        value = self.raw(name)
        if value is None:
            return None
        return parse.parse_vector(value, option_label(name))

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        return parse.parse_choice(value, option_label(name), choices)

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        return parse.parse_bool(value, option_label(name))

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise StepcalcError(f"{option_label(name)}: expected text")
        return str(value)
