"""``stepcalc drill TOPIC``: seeded exam-style problems, checked, with the worked steps."""

from stepcalc import limits
from stepcalc.spec import Arg, Choice, Command, Flag, Int, Opt, Text

COMMAND = Command(
    name="drill",
    summary="Seeded practice problems with worked solutions",
    help="Practise: seeded exam-style problems with answer checking and worked steps.",
    calculator="stepcalc.drill:run",
    argument=Arg("topic", Text("TOPIC"), "A command name (outsize, conv …) or mix.", True),
    options=(
        Opt("seed", Int("N", 0, 10**12 - 1), "Seed of the problems (printed, for a replay)."),
        Opt("count", Int("N", 1, limits.MAX_DRILL_COUNT), "Number of problems.", 1),
        Opt("difficulty", Choice("easy|exam", ("easy", "exam")), "Size and tricks.", "exam"),
        Opt("worksheet", Text("FILE"), "Write the problems to FILE, the answer key next to it."),
        Opt("answers", Text("FILE"), "Write the answer key with worked steps to FILE."),
        Opt("format", Choice("markdown|latex", ("markdown", "latex")), "Form of those files."),
        Opt("json", Flag(), "Print problems and answers as JSON, without asking."),
        Opt("lang", Choice("en|ko", ("en", "ko")), "Language: en or ko."),
        Opt("ascii", Flag(), "ASCII-only symbols and borders."),
    ),
    computing=False,
    formats=("markdown", "latex"),
    epilog="Answers use the command-line syntax: 4, 0.73, '1 2; 3 4'; '?' shows the answer. "
    "Ctrl-C or Ctrl-D ends with the score. Without a terminal, answers are read from stdin, "
    "one line per quantity.",
)
