"""``stepcalc drill TOPIC``: seeded exam-style problems, checked, with the worked steps."""

from stepcalc import limits
from stepcalc.spec import Arg, Choice, Command, Flag, Int, Opt, Text

COMMAND = Command(
    name="drill",
    help="Practise: seeded exam-style problems with answer checking and worked steps.",
    calculator="stepcalc.drill:run",
    argument=Arg(
        "topic", Text("TOPIC"), "What to practise: a command name (outsize, params, conv …) or mix."
    ),
    options=(
        Opt(
            "seed",
            Int("N", 0, 10**12 - 1),
            "Seed of the problems (printed, so a drill can be replayed).",
        ),
        Opt("count", Int("N", 1, limits.MAX_DRILL_COUNT), "Number of problems.", 1),
        Opt(
            "difficulty", Choice("easy|exam", ("easy", "exam")), "Problem size and tricks.", "exam"
        ),
        Opt(
            "worksheet",
            Text("FILE"),
            "Write the problems to FILE instead of asking them, and the answer key next to it "
            "(FILE-answers.md unless --answers is given).",
        ),
        Opt("answers", Text("FILE"), "Write the answer key with worked steps to FILE."),
        Opt(
            "format",
            Choice("markdown|latex", ("markdown", "latex")),
            "Form of the --worksheet/--answers files (default markdown).",
        ),
        Opt("json", Flag(), "Print problems and answers as JSON, without asking."),
        Opt("lang", Choice("en|ko", ("en", "ko")), "Language: en or ko."),
        Opt("ascii", Flag(), "ASCII-only symbols and borders."),
    ),
    computing=False,
    epilog=(
        "Answers use the command-line syntax: 4, 0.73, '1 2; 3 4'. "
        "'?' shows the answer. Ctrl-C or Ctrl-D ends with the score. Without a terminal, "
        "answers are read from stdin, one line per quantity."
    ),
)
