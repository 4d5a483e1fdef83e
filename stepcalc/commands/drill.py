"""``stepcalc drill TOPIC``: seeded exam-style problems, checked, with the worked steps."""

from __future__ import annotations

import os
from typing import Any

from stepcalc import limits
from stepcalc.errors import ExitStatus, StepcalcError
from stepcalc.i18n import LANGS, default_lang
from stepcalc.problem import Arg, Command, Opt, Problem

FILE_FORMATS = ("markdown", "latex")


def run(given: dict[str, Any]) -> int:
    from stepcalc import drill
    from stepcalc.trace import Ctx

    p = Problem.merge(COMMAND, given, None)
    topic = drill.check_topic(p.text("topic"))
    seed = p.int("seed")
    if seed is not None and not 0 <= seed < 10**12:
        raise StepcalcError("--seed: must be a whole number from 0 to 999999999999")
    count = p.int("count", minimum=1, default=1)
    if count > limits.MAX_DRILL_COUNT:
        raise StepcalcError(f"--count: at most {limits.MAX_DRILL_COUNT}, got {count}")
    difficulty = p.choice("difficulty", drill.DIFFICULTIES) or "exam"
    file_format = p.choice("format", FILE_FORMATS)
    worksheet, answers = p.text("worksheet"), p.text("answers")
    if file_format and not (worksheet or answers):
        raise StepcalcError("--format: only for --worksheet and --answers files")
    if worksheet and not answers:
        answers = drill.key_path(worksheet)
    if worksheet and answers and os.path.realpath(worksheet) == os.path.realpath(answers):
        raise StepcalcError("--answers: must be a different file from --worksheet")
    ctx = Ctx(lang=p.choice("lang", LANGS) or default_lang(), ascii=p.flag("ascii"))
    if seed is None:
        seed = drill.fresh_seed()
    exercises = drill.generate(topic, seed, count, difficulty)
    if worksheet or answers:
        files = drill.sheets(exercises, ctx, topic, seed, difficulty, file_format or "markdown")
        wanted = (("--worksheet", worksheet, "sheet"), ("--answers", answers, "key"))
        drill.write_whole([(opt, path, files[kind]) for opt, path, kind in wanted if path])
    if p.flag("json"):
        return drill.print_json(exercises, ctx, topic, seed, difficulty)
    replay = drill.replay_command(topic, seed, count, difficulty)
    drill.show(
        ctx.t("drill.seed_line", seed=seed) + " · " + ctx.t("drill.replay", command=replay), ctx
    )
    if worksheet or answers:
        for path in (worksheet, answers):
            if path:
                drill.show(ctx.t("drill.written", path=path), ctx)
        return ExitStatus.OK
    return drill.interactive(exercises, ctx)


COMMAND = Command(
    name="drill",
    help="Practise: seeded exam-style problems with answer checking and worked steps.",
    options=(
        Opt("seed", "Seed of the problems (printed, so a drill can be replayed).", metavar="N"),
        Opt("count", "Number of problems.", default=1, metavar="N"),
        Opt("difficulty", "Problem size and tricks.", default="exam", metavar="easy|exam"),
        Opt(
            "worksheet",
            "Write the problems to FILE instead of asking them, and the answer key next to it "
            "(FILE-answers.md unless --answers is given).",
            metavar="FILE",
        ),
        Opt("answers", "Write the answer key with worked steps to FILE.", metavar="FILE"),
        Opt(
            "format",
            "Form of the --worksheet/--answers files (default markdown).",
            metavar="markdown|latex",
        ),
        Opt("json", "Print problems and answers as JSON, without asking.", flag=True),
        Opt("lang", "Language: en or ko.", metavar="en|ko"),
        Opt("ascii", "ASCII-only symbols and borders.", flag=True),
    ),
    run=run,
    argument=Arg("topic", "What to practise: a command name (outsize, params, conv …) or mix."),
    computing=False,
    epilog=(
        "Answers use the command-line syntax: 4, 0.73, '1 2; 3 4'. "
        "'?' shows the answer. Ctrl-C or Ctrl-D ends with the score. Without a terminal, "
        "answers are read from stdin, one line per quantity."
    ),
)
