"""The long fuzz run: random command lines and problem files for every command.

    python benchmarks/fuzz.py --examples 10000 [--seed N] [--only conv,pool] [--files-share 0.3]

Uses the generators and invariants of tests/test_fuzz.py, but does not stop at the first
failure: it runs every example, counts outcomes per command and prints each distinct
problem once with a command line that reproduces it. Exit status 1 when any problem was
found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COLUMNS", "80")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="runs in total")
    parser.add_argument("--seed", type=int, default=None, help="seed for a repeatable run")
    parser.add_argument("--only", default="", help="comma-separated command names")
    parser.add_argument(
        "--files-share", type=float, default=0.3, help="share of runs that use --from files"
    )
    options = parser.parse_args()

    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st

    from tests import test_fuzz as fuzz

    names = [c.name for c in fuzz.COMMANDS]
    if options.only:
        wanted = [n.strip() for n in options.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"unknown commands: {', '.join(unknown)} (have: {', '.join(names)})")
        names = wanted
    per_command = max(1, options.examples // len(names))
    file_runs = int(per_command * options.files_share)
    line_runs = per_command - file_runs

    counts: dict[str, Counter] = defaultdict(Counter)
    problems: dict[tuple[str, str], list] = {}
    slowest: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    scratch = tempfile.TemporaryDirectory(prefix="stepcalc-fuzz-")
    workspace = fuzz.Workspace(Path(scratch.name))
    here = os.getcwd()
    os.chdir(scratch.name)

    def record(name: str, outcome) -> None:
        counts[name][str(outcome.code)] += 1
        counts[name]["runs"] += 1
        slowest[name] = max(slowest[name], outcome.seconds)
        if Path("PWNED").exists():
            outcome.problems.append("an injected command was executed")
            Path("PWNED").unlink()
        for problem in outcome.problems:
            counts[name]["problems"] += 1
            first = outcome.stderr.strip().splitlines()[-1:] or [""]
            key = (name, problem.split(" (")[0] + " | " + _shape_of(first[0]))
            if key not in problems:
                problems[key] = [outcome, 0]
                keep_inputs(outcome)
            problems[key][1] += 1

    kept = Path(tempfile.gettempdir()) / "stepcalc-fuzz-inputs"

    def keep_inputs(outcome) -> None:
        """Copy the files a failing run read, and its stdin, where they outlive the run."""
        kept.mkdir(exist_ok=True)
        for arg in outcome.args:
            path = Path(arg)
            if path.is_file() and not path.is_absolute():
                (kept / path.name).write_bytes(path.read_bytes())
                outcome.args = [str(kept / path.name) if a == arg else a for a in outcome.args]
        if outcome.stdin:
            (kept / "stdin.txt").write_text(outcome.stdin, encoding="utf-8")

    try:
        for name in names:
            command = fuzz.BY_NAME[name]
            for strategy, runs in (
                (fuzz.command_line, line_runs),
                (fuzz.from_file_line, file_runs),
            ):
                if runs <= 0:
                    continue

                def make(command=command, strategy=strategy, name=name, runs=runs):
                    @settings(
                        max_examples=runs,
                        deadline=None,
                        database=None,
                        phases=[Phase.generate],
                        suppress_health_check=list(HealthCheck),
                    )
                    @given(st.data())
                    def prop(data):
                        args, stdin = data.draw(strategy(command, workspace))
                        record(name, fuzz.run_in_process(args, stdin))

                    if options.seed is not None:
                        prop = seed(options.seed)(prop)

                    return prop

                prop = make()
                try:
                    prop()
                except Exception as exc:  # noqa: BLE001 - a generator bug; keep going
                    counts[name]["harness errors"] += 1
                    print(f"{name}: generator failed: {type(exc).__name__}: {exc}"[:300])
            done = counts[name]
            print(
                f"{name:10} runs {done['runs']:6}  exit0 {done['0']:6}  exit1 {done['1']:5}  "
                f"exit2 {done['2']:6}  problems {done['problems']:4}  "
                f"slowest {slowest[name]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    finally:
        os.chdir(here)
        scratch.cleanup()

    total = Counter()
    for done in counts.values():
        total.update(done)
    elapsed = time.perf_counter() - started
    print("\n| command | runs | exit 0 | exit 1 | exit 2 | problems | slowest run |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        done = counts[name]
        print(
            f"| {name} | {done['runs']} | {done['0']} | {done['1']} | {done['2']} | "
            f"{done['problems']} | {slowest[name]:.2f} s |"
        )
    print(
        f"| **all** | {total['runs']} | {total['0']} | {total['1']} | {total['2']} | "
        f"{total['problems']} | {max(slowest.values(), default=0):.2f} s |"
    )
    print(f"\n{total['runs']} runs in {elapsed:.0f} s; {len(problems)} distinct problems.")
    for (name, kind), (outcome, times) in sorted(problems.items()):
        print(f"\n[{name}] {kind}  (seen {times}×)")
        print("  " + fuzz.describe(outcome).replace("\n", "\n  "))
    return 1 if problems else 0


def _shape_of(line: str) -> str:
    """An error line with its numbers and quoted parts blurred, to group similar problems."""
    import re

    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", line)
    return re.sub(r"\d+", "N", line)[:160]


if __name__ == "__main__":
    sys.exit(main())
