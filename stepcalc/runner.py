"""One run of a computing command: merge the problem, parse it, compute, check, render."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from stepcalc import parse
from stepcalc.context import Ctx, language
from stepcalc.errors import ExitStatus, InputError
from stepcalc.render import View, emit
from stepcalc.spec import COMMON, IN_FILE, Args, Command, merge, parse_args
from stepcalc.trace import PHASES, Trace

COMMON_NAMES = tuple(opt.name for opt in COMMON)


def run_command(command: Command, given: dict[str, Any]) -> int:
    try:
        return _run(command, given)
    except (InputError, KeyboardInterrupt, BrokenPipeError, SystemExit):
        raise
    except MemoryError:
        raise InputError(None, "too_big_memory", command=command.name) from None
    except OSError as exc:  # writing the output failed (a full disk …); reading is checked
        raise InputError(None, "cannot_write", reason=exc.strerror) from None
    except Exception as exc:
        if os.environ.get("STEPCALC_DEBUG"):
            raise
        what = f"{type(exc).__name__}: {exc}"
        raise InputError(None, "internal", command=command.name, what=what) from None


def _run(command: Command, given: dict[str, Any]) -> int:
    warnings.simplefilter("ignore", RuntimeWarning)
    line = {name: value for name, value in given.items() if name not in COMMON_NAMES}
    common = {name: given.get(name) for name in COMMON_NAMES}
    file_values, source = None, ""
    if common["from"]:
        source = "stdin" if common["from"] == "-" else common["from"]
        file_values = parse.load_mapping(common["from"], "from")
        for key in list(file_values):
            name = key.replace("_", "-")
            if name in COMMON_NAMES:
                if name not in IN_FILE:
                    raise InputError("from", "belongs_on_line", path=source, key=repr(key))
                value = file_values.pop(key)
                if common.get(name) is None:
                    common[name] = value
    settings = parse_args(_common(command), common)
    view, ctx = _view(settings, command)
    args = parse_args(command, merge(command, line, file_values, source))
    trace = command.calculate()(args, ctx)
    if ctx.round_steps is not None:
        trace.notes.insert(0, ctx.t("core.hand_mode", n=ctx.round_steps))
    code = ExitStatus.OK
    if settings.check or settings.expect:
        code = _check(command, args, trace, settings, ctx)
    if settings.only:
        select(trace, settings.only)
    sys.stdout.write(emit(trace, view))
    return code


def _common(command: Command) -> Command:
    return Command(command.name, "", COMMON, "")


def _view(settings: Args, command: Command) -> tuple[View, Ctx]:
    fmt = "json" if settings.json else settings.format
    if fmt not in command.formats:
        raise InputError("format", "dot_only", command=command.name)
    lang = language(settings.lang)
    view = View(format=fmt, decimals=settings.decimals, ascii=settings.ascii, lang=lang)
    return view, Ctx(lang=lang, round_steps=settings["round-steps"], ascii=settings.ascii)


def _check(command: Command, args: Args, trace: Trace, settings: Args, ctx: Ctx) -> int:
    from stepcalc import check  # only when answers are checked: a faster start

    answers = check.load_answers(settings.check, settings.expect)

    def rerun(hand_ctx: Ctx) -> dict[str, Any]:
        return command.calculate()(args, hand_ctx).result

    trace.check = check.evaluate(
        trace.result, answers, tol=settings.tol, rerun=rerun, ctx=ctx, sig=settings.sig
    )
    _point_to_steps(trace)
    return ExitStatus.OK if trace.check["ok"] else ExitStatus.CHECK_FAILED


def select(trace: Trace, only: list[str]) -> None:
    """Keep the steps ``--only`` names: phases, step names or result keys."""
    wanted = {part.strip() for item in only for part in str(item).split(",") if part.strip()}
    names = list(PHASES) + list(dict.fromkeys(s.name for s in trace.steps if s.name))
    for name in sorted(wanted):
        if name not in names:
            raise InputError("only", "unknown_part", name=repr(name), valid=", ".join(names))
    trace.steps = [s for s in trace.steps if s.phase in wanted or s.name in wanted]


def _point_to_steps(trace: Trace) -> None:
    """A wrong answer names the step that works out the quantity, so the student can look."""
    import re

    titles = {step.key: step.title for step in trace.steps if step.key}
    for item in trace.check["items"]:
        if item["verdict"] != "wrong":
            continue
        base = re.sub(r"\[[^\]]*\]", "", item["quantity"]).replace("-", "_")
        if base in titles:
            item["step"] = titles[base]
