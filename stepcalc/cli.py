"""The command line: builds one Typer command per ``stepcalc.commands`` module.

Kept thin and light: importing this module loads Typer only. Each command parses its
options into a Problem, calls one calculator, and hands the Trace to ``render.emit``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any

import typer

from stepcalc import __version__
from stepcalc.errors import ExitStatus, StepcalcError
from stepcalc.problem import Arg, Command, Opt

COMMAND_MODULES = (
    "outsize",
    "params",
    "conv",
    "pool",
    "silu",
    "dropout",
    "optimizer",
    "yolo_toy",
    "drill",
    "graph",
    "loss",
    "batchnorm",
)

COMMON_OPTIONS = (
    Opt(
        "format",
        "Output form: table, json, markdown, latex, or dot (Graphviz; graph only).",
        default="table",
        metavar="table|json|markdown|latex|dot",
    ),
    Opt("json", "Same as --format json.", flag=True),
    Opt(
        "decimals",
        "Digits shown in table/markdown/latex (JSON keeps full float64).",
        default=4,
        metavar="N",
    ),
    Opt(
        "round-steps",
        "Hand mode: round every intermediate to N decimals (half up) before use.",
        metavar="N",
    ),
    Opt(
        "from",
        "Read the problem from a YAML or JSON file ('-' = stdin); flags override it.",
        metavar="FILE",
    ),
    Opt("check", "Check a student's answers (YAML/JSON mapping quantity: value).", metavar="FILE"),
    Opt(
        "expect",
        "Check one answer inline, QUANTITY=VALUE; repeatable.",
        multiple=True,
        metavar="Q=V",
    ),
    Opt("tol", "Absolute tolerance for checks instead of the rounding-aware rule.", metavar="X"),
    Opt("lang", "Language of titles and explanations: en or ko.", metavar="en|ko"),
    Opt("ascii", "ASCII-only symbols and borders.", flag=True),
)
COMMON_NAMES = {opt.name for opt in COMMON_OPTIONS}

app = typer.Typer(
    name="stepcalc",
    help="Step-by-step calculator for the arithmetic of deep learning.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"stepcalc {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Step-by-step calculator for the arithmetic of deep learning."""


def _pyname(name: str) -> str:
    return "opt_" + name.replace("-", "_")


def _typer_parameter(opt: Opt) -> inspect.Parameter:
    if opt.flag:
        default = typer.Option(
            None, f"--{opt.name}/--no-{opt.name}", help=opt.help, show_default=False
        )
        annotation: Any = bool | None
    elif opt.multiple:
        default = typer.Option(
            None, f"--{opt.name}", help=opt.help, metavar=opt.metavar, show_default=False
        )
        annotation = list[str] | None
    else:
        names = [f"--{opt.name}"] + ([opt.short] if opt.short else [])
        help_text = opt.help
        if opt.default is not None:
            help_text = f"{help_text}  [default: {opt.default}]"
        default = typer.Option(
            None, *names, help=help_text, metavar=opt.metavar or "VALUE", show_default=False
        )
        annotation = str | None
    return inspect.Parameter(
        _pyname(opt.name), inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _argument_parameter(arg: Arg) -> inspect.Parameter:
    default = typer.Argument(
        ... if arg.required else None,
        help=arg.help,
        show_default=False,
        metavar=arg.name.upper(),
    )
    return inspect.Parameter(
        _pyname(arg.name),
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=default,
        annotation=str | None,
    )


def _build(command: Command) -> None:
    options = command.options + (COMMON_OPTIONS if command.computing else ())
    parameters = [_argument_parameter(command.argument)] if command.argument else []
    parameters += [_typer_parameter(opt) for opt in options]

    def callback(**kwargs: Any) -> None:
        given = {}
        for opt in options:
            given[opt.name] = kwargs.get(_pyname(opt.name))
        if command.argument:
            given[command.argument.name] = kwargs.get(_pyname(command.argument.name))
        from stepcalc.runner import run_command

        try:
            code = int(run_command(command, given))
        except BrokenPipeError:  # before Click turns it into exit 1
            _quiet_broken_pipe()
        raise typer.Exit(code)

    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = command.name.replace("-", "_")
    callback.__doc__ = command.help
    app.command(name=command.name, help=command.help, epilog=command.epilog or None)(callback)


def register(only: str | None = None) -> None:
    """Add the commands to the app: just ``only`` when one is named (a faster start)."""
    for module_name in COMMAND_MODULES:
        if only is not None and module_name != only.replace("-", "_"):
            continue
        qualified = f"stepcalc.commands.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue  # a command still being written
        if module.COMMAND.name not in _registered:
            _registered.add(module.COMMAND.name)
            _build(module.COMMAND)


_registered: set[str] = set()


def _invoked(args: list[str]) -> str | None:
    """The command named on the command line, when it is one of ours."""
    for arg in args:
        if arg.startswith("-"):
            return None
        return arg if arg.replace("-", "_") in COMMAND_MODULES else None
    return None


def _usage_message(exc: BaseException) -> str | None:
    """Click-style usage errors carry format_message(); give them as one line."""
    formatter = getattr(exc, "format_message", None)
    if formatter is None or not hasattr(exc, "exit_code"):
        return None
    message = " ".join(str(formatter()).split())
    context = getattr(exc, "ctx", None)
    command = getattr(getattr(context, "command", None), "name", None)
    option = getattr(exc, "option_name", None)
    if command is None and isinstance(option, str) and option.startswith("--"):
        if "requires an argument" in message:
            return f"{option}: needs a value"
        return f"{option}: {message}"
    if command and command != "stepcalc" and not message.startswith("--"):
        message = f"{command}: {message}"
    return message


_ARGS: list[str] | None = None


def _lang(args: list[str]) -> str:
    """The language asked for on the command line (or by STEPCALC_LANG), for error lines."""
    from stepcalc.i18n import LANGS, default_lang

    for index, arg in enumerate(args):
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None and value.strip().lower() in LANGS:
            return value.strip().lower()
    return default_lang()


def main(argv: list[str] | None = None) -> None:
    global _ARGS, _FAST_EXIT
    _FAST_EXIT = argv is None  # a real process, not a call from Python (tests)
    args = sys.argv[1:] if argv is None else argv
    _ARGS = list(args)
    if sys.stdout is None or sys.stderr is None:  # started with ``>&-`` or ``2>&-``
        _closed_streams()
    register(only=_invoked(args))
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="stepcalc", standalone_mode=False)
    except StepcalcError as exc:
        _fail(exc.message)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        _exit(130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except typer.Exit as exc:
        _exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - usage errors of the vendored click
        message = _usage_message(exc)
        if message is None:
            raise
        _fail(message)
    _exit(code if isinstance(code, int) else ExitStatus.OK)


def _fail(message: str) -> None:
    from stepcalc.i18n import translate_error

    lang = _lang(sys.argv[1:] if _ARGS is None else _ARGS)
    sys.stderr.write(f"error: {translate_error(message, lang)}\n")
    _exit(ExitStatus.BAD_INPUT)


def _exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as exc:  # a full disk, a closed descriptor: say so once, cleanly
        sys.stderr.write(f"error: cannot write the output ({exc.strerror or exc})\n")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = ExitStatus.BAD_INPUT
    if _FAST_EXIT:  # everything is written: skip the slow teardown of every loaded module
        try:
            sys.stderr.flush()
        finally:
            os._exit(int(code))
    raise SystemExit(int(code))


_FAST_EXIT = False


def _closed_streams() -> None:
    """Give a closed stdout or stderr a sink, so writing to it is no crash."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
    if sys.stdout is None:
        sys.stderr.write("error: standard output is closed\n")
        raise SystemExit(ExitStatus.BAD_INPUT)


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``): end quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(ExitStatus.OK)
