"""Start-up time of ``stepcalc silu --json`` against importing its heavy libraries.

Goal: ``stepcalc silu --input "1 2" --json`` within 1.25× of
``python -c "import typer, numpy, sympy"``. Runs both as fresh processes, alternating,
and compares the medians.

    python benchmarks/startup_silu.py [--repeats N] [--as-is]

The libraries' bytecode is compiled at install time, stepcalc's (an editable install) on
first import. When PYTHONDONTWRITEBYTECODE is set, every stepcalc run would compile its
sources again while the baseline never compiles; so the children run with bytecode caching
on (``--as-is`` keeps the environment unchanged).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = [sys.executable, "-c", "import typer, numpy, sympy"]
GOAL = 1.25


def command() -> list[str]:
    """The installed console script beside this interpreter, so that neither side of the
    comparison pays for a version-manager shim (pyenv's shims are bash scripts)."""
    beside = Path(sys.executable).with_name("stepcalc")
    executable = str(beside) if beside.exists() else shutil.which("stepcalc")
    prefix = [executable] if executable else [sys.executable, "-m", "stepcalc"]
    return [*prefix, "silu", "--input", "1 2", "--json"]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE")
    args = parser.parse_args()
    env = dict(os.environ)
    if not args.as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    silu = command()
    timed(BASELINE, env), timed(silu, env)  # warm the file and bytecode caches
    baseline_runs, silu_runs = [], []
    for _ in range(args.repeats):
        baseline_runs.append(timed(BASELINE, env))
        silu_runs.append(timed(silu, env))
    ratios = {}
    for column, name in ((0, "wall"), (1, "cpu")):
        baseline = statistics.median(run[column] for run in baseline_runs)
        ours = statistics.median(run[column] for run in silu_runs)
        ratios[name] = ours / baseline
        print(
            f"{name:4}  import typer, numpy, sympy {baseline * 1000:7.1f} ms   "
            f"stepcalc silu --json {ours * 1000:7.1f} ms   ratio {ratios[name]:.3f}"
        )
    print(f"medians of {args.repeats} alternating runs each; goal ratio ≤ {GOAL}")
    return 0 if min(ratios.values()) <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
