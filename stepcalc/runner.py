"""One run of a computing command: merge the problem, compute, check, render, exit code."""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from stepcalc import parse
from stepcalc.errors import ExitStatus, StepcalcError
from stepcalc.i18n import LANGS, default_lang
from stepcalc.problem import Command, Problem
from stepcalc.render import FORMATS, View, emit
from stepcalc.trace import Ctx

COMMON_KEYS = (
    "format",
    "json",
    "decimals",
    "round-steps",
    "from",
    "check",
    "expect",
    "tol",
    "lang",
    "ascii",
)


def run_command(command: Command, given: dict[str, Any]) -> int:
    try:
        return _run(command, given)
    except StepcalcError:
        raise
    except (KeyboardInterrupt, BrokenPipeError, SystemExit):
        raise
    except MemoryError:
        raise StepcalcError(f"{command.name}: the problem is too large for memory") from None
    except OSError as exc:  # writing the output failed (a full disk …); reading is checked
        raise StepcalcError(f"{command.name}: cannot write the output ({exc.strerror})") from None
    except Exception as exc:
        if os.environ.get("STEPCALC_DEBUG"):
            raise
        raise StepcalcError(
            f"{command.name}: internal error ({type(exc).__name__}: {exc}); please report it"
        ) from None


def _run(command: Command, given: dict[str, Any]) -> int:
    warnings.simplefilter("ignore", RuntimeWarning)
    if not command.computing:
        return command.run(given)
    file_values = None
    source = ""
    if given.get("from"):
        source = given["from"]
        file_values = parse.load_mapping(source, "--from")
        source = "stdin" if source == "-" else source
        for key in list(file_values):
            if key.replace("_", "-") in COMMON_KEYS and key not in (
                "round-steps",
                "round_steps",
                "decimals",
                "lang",
            ):
                raise StepcalcError(f"--from: {source}: {key!r} belongs on the command line")
    problem = Problem.merge(command, given, file_values, source)
    view, ctx = options(problem)
    trace = command.run(problem, ctx)
    if ctx.round_steps is not None:
        trace.notes.insert(0, ctx.t("core.hand_mode", n=ctx.round_steps))
    exit_code = ExitStatus.OK
    if problem.has("check") or problem.has("expect"):
        from stepcalc import check  # only when answers are checked: a faster start

        answers = check.load_answers(problem.text("check"), problem.raw("expect"))
        tol = problem.scalar("tol")
        if tol is not None and tol < 0:
            raise StepcalcError("--tol: must not be negative")

        def rerun(hand_ctx: Ctx) -> dict[str, Any]:
            return command.run(problem, hand_ctx).result

        trace.check = check.evaluate(trace.result, answers, tol=tol, rerun=rerun, ctx=ctx)
        _point_to_steps(trace)
        if not trace.check["ok"]:
            exit_code = ExitStatus.CHECK_FAILED
    sys.stdout.write(emit(trace, view))
    return exit_code


def options(problem: Problem) -> tuple[View, Ctx]:
    fmt = problem.choice("format", FORMATS) or "table"
    if problem.flag("json"):
        fmt = "json"
    decimals = problem.int("decimals", minimum=0, default=4)
    if decimals > 15:
        raise StepcalcError("--decimals: at most 15")
    round_steps = problem.int("round-steps", minimum=0)
    if round_steps is not None and round_steps > 15:
        raise StepcalcError("--round-steps: at most 15")
    lang = problem.choice("lang", LANGS) or default_lang()
    ascii_only = problem.flag("ascii")
    if problem.has("tol"):
        problem.scalar("tol")  # a bad --tol is an error even when nothing is checked
    view = View(format=fmt, decimals=decimals, ascii=ascii_only, lang=lang)
    return view, Ctx(lang=lang, round_steps=round_steps, ascii=ascii_only)


def _point_to_steps(trace) -> None:
    """A wrong answer names the step that works out the quantity, so the student can look."""
    import re

    titles = {step.key: step.title for step in trace.steps if step.key}
    for item in trace.check["items"]:
        if item["verdict"] != "wrong":
            continue
        base = re.sub(r"\[[^\]]*\]", "", item["quantity"]).replace("-", "_")
        if base in titles:
            item["step"] = titles[base]
