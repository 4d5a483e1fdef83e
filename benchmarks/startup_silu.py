"""Start-up time of ``stepcalc silu --json`` against importing its heavy libraries.

Goal: ``stepcalc silu --input "1 2" --json`` within 1.25× of
``python -c "import typer, numpy, sympy"``. Runs both as fresh processes, alternating,
and compares the medians.

    python benchmarks/startup_silu.py [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import typer, numpy, sympy"]
GOAL = 1.25


def command() -> list[str]:
    executable = shutil.which("stepcalc")
    prefix = [executable] if executable else [sys.executable, "-m", "stepcalc"]
    return [*prefix, "silu", "--input", "1 2", "--json"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    silu = command()
    timed(BASELINE), timed(silu)  # warm the file cache
    baseline_times, silu_times = [], []
    for _ in range(args.repeats):
        baseline_times.append(timed(BASELINE))
        silu_times.append(timed(silu))
    baseline = statistics.median(baseline_times)
    ours = statistics.median(silu_times)
    ratio = ours / baseline
    print(f"import typer, numpy, sympy   median {baseline * 1000:7.1f} ms")
    print(f"stepcalc silu --json         median {ours * 1000:7.1f} ms")
    print(f"ratio {ratio:.3f} (goal ≤ {GOAL}) over {args.repeats} runs each")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
