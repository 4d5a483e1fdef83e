"""The command line: one Typer command per declared ``stepcalc.commands`` spec.

Kept thin and light: importing this module loads Typer only, and a run builds just the
command it names. Errors become one translated line and exit 2; nothing else is printed.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import textwrap
from typing import Any

import typer

from stepcalc import __version__
from stepcalc.errors import ExitStatus, InputError
from stepcalc.spec import COMMON, Arg, Command, Flag, Opt, command, command_names

app = typer.Typer(
    name="stepcalc",
    help="Step-by-step calculator for the arithmetic of deep learning.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _whole_words() -> None:
    """Help text wraps between words only: ``leaky-relu`` and ``--grad-output`` stay whole."""
    try:
        from typer._click import _textwrap
    except ImportError:  # a Typer that uses Click itself
        try:
            from click import _textwrap
        except ImportError:  # neither: help wraps as Click does
            return
    init = textwrap.TextWrapper.__init__
    _textwrap.TextWrapper.__init__ = functools.partialmethod(init, break_on_hyphens=False)


_whole_words()


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


def _help(opt: Opt, cmd: Command) -> str:
    text = opt.help
    if opt.name == "format":
        text = "Output form: " + ", ".join(cmd.formats) + "."
    if opt.default is not None and not isinstance(opt.type, Flag):
        text += f"  [default: {opt.default}]"
    return text


def _parameter(opt: Opt | Arg, cmd: Command) -> inspect.Parameter:
    name = _pyname(opt.name)
    if isinstance(opt, Arg):
        default = typer.Argument(
            ... if opt.required else None, help=opt.help, metavar=opt.name.upper()
        )
        return inspect.Parameter(name, 1, default=default, annotation=str | None)
    if isinstance(opt.type, Flag):
        flags = f"--{opt.name}/--no-{opt.name}"
        default = typer.Option(None, flags, help=opt.help, show_default=False)
        annotation: Any = bool | None
    else:
        names = [f"--{opt.name}"] + ([opt.short] if opt.short else [])
        metavar = "|".join(cmd.formats) if opt.name == "format" else opt.type.metavar
        default = typer.Option(
            None, *names, help=_help(opt, cmd), metavar=metavar, show_default=False
        )
        annotation = list[str] | None if opt.multiple else str | None
    return inspect.Parameter(name, 3, default=default, annotation=annotation)


def _build(cmd: Command) -> None:
    options = cmd.options + (COMMON if cmd.computing else ())
    declared = ([cmd.argument] if cmd.argument else []) + list(options)
    parameters = [_parameter(opt, cmd) for opt in declared]

    def callback(**kwargs: Any) -> None:
        given = {opt.name: kwargs.get(_pyname(opt.name)) for opt in declared}
        if cmd.computing:
            from stepcalc.runner import run_command

            runner = run_command
        else:
            from stepcalc.spec import load

            runner = load(cmd.calculator)
        try:
            code = int(runner(cmd, given))
        except BrokenPipeError:  # before Click turns it into exit 1
            _quiet_broken_pipe()
        raise typer.Exit(code)

    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = cmd.name.replace("-", "_")
    callback.__doc__ = cmd.help
    app.command(
        name=cmd.name, help=cmd.help, short_help=cmd.summary or None, epilog=cmd.epilog or None
    )(callback)


def register(only: str | None = None) -> None:
    """Add the commands to the app: just ``only`` when one is named (a faster start)."""
    for name in command_names():
        if (only is None or name == only) and name not in _registered:
            _registered.add(name)
            _build(command(name))


_registered: set[str] = set()


def _invoked(args: list[str]) -> str | None:
    """The command named on the command line, when it is one of ours."""
    for arg in args:
        if arg.startswith("-"):
            return None
        return arg if arg in command_names() else None
    return None


def _lang_first(args: list[str]) -> list[str]:
    """``stepcalc --lang ko conv …`` works as ``stepcalc conv --lang ko …``."""
    if len(args) >= 3 and args[0] == "--lang" and args[2] in command_names():
        return [args[2], *args[:2], *args[3:]]
    if len(args) >= 2 and args[0].startswith("--lang=") and args[1] in command_names():
        return [args[1], args[0], *args[2:]]
    return args


def _usage_error(exc: BaseException) -> InputError | None:
    """Click's usage errors as our own lines (so they are translated too)."""
    kind = type(exc).__name__
    option = getattr(exc, "option_name", None) or ""
    if kind == "NoSuchOption":
        possible = getattr(exc, "possibilities", None) or []
        hint = ""
        if possible:
            from stepcalc.errors import Msg, either

            hint = Msg("errors.did_you_mean", options=either(sorted(possible)))
        return InputError(option, "no_such_option", hint=hint)
    if kind == "BadOptionUsage" and "requires an argument" in str(exc):
        return InputError(option, "needs_value")
    if kind == "BadOptionUsage" and "does not take a value" in str(exc):
        return InputError(option, "takes_no_value")
    if kind == "UsageError" and "No such command" in str(exc):
        name = str(exc).split("'")[1] if "'" in str(exc) else str(exc)
        return InputError(
            None, "no_such_command", command=repr(name), valid=", ".join(command_names())
        )
    if kind == "UsageError" and "unexpected extra argument" in str(exc):
        value = str(exc).split("(")[-1].rstrip(")")
        command = getattr(getattr(getattr(exc, "ctx", None), "command", None), "name", "stepcalc")
        return InputError(None, "extra_argument", command=command, value=value)
    if kind == "MissingParameter":
        param = getattr(exc, "param", None)
        name = getattr(param, "name", "") or ""
        return InputError(name.replace("opt_", "").upper(), "required")
    return None


_ARGS: list[str] = []


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
    lang = default_lang()
    return lang if lang in LANGS else "en"


def main(argv: list[str] | None = None) -> None:
    global _ARGS, _FAST_EXIT
    _FAST_EXIT = argv is None  # a real process, not a call from Python (tests)
    args = _lang_first(list(sys.argv[1:] if argv is None else argv))
    _ARGS = args
    if sys.stdout is None or sys.stderr is None:  # started with ``>&-`` or ``2>&-``
        _closed_streams()
    register(only=_invoked(args))
    click_command = typer.main.get_command(app)
    try:
        code = click_command.main(args=args, prog_name="stepcalc", standalone_mode=False)
    except InputError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        _exit(130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except typer.Exit as exc:
        _exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - usage errors of the vendored click
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # bare ``stepcalc``: the help, as ``stepcalc --help`` lays it out
            _exit(exc.exit_code)
        error = _usage_error(exc)
        if error is None:
            if not hasattr(exc, "format_message"):
                raise
            error = InputError(None, "usage", message=" ".join(str(exc.format_message()).split()))
        _fail(error)
    _exit(code if isinstance(code, int) else ExitStatus.OK)


def _fail(error: InputError) -> None:
    sys.stderr.write(f"error: {error.text(_lang(_ARGS))}\n")
    _exit(ExitStatus.BAD_INPUT)


def _exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OSError as exc:  # a full disk, a closed descriptor: say so once, cleanly
        error = InputError(None, "cannot_write", reason=exc.strerror or exc)
        sys.stderr.write(f"error: {error.text(_lang(_ARGS))}\n")
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
