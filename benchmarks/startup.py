"""Start-up audit: how long stepcalc takes to start, against importing what it must import.

    python benchmarks/startup.py [--repeats 21] [--strict]

Runs every measured command and its baseline as fresh processes, round-robin (so load on the
machine hits all of them alike), and compares medians of wall-clock and of CPU time:

| measured | baseline | target |
| --- | --- | --- |
| ``stepcalc outsize --input 7 --kernel 3 --json`` | ``python -c "import typer"`` | ≤ 1.3× |
| ``stepcalc --help`` | ``python -c "import typer"`` | ≤ 2.8× |
| ``stepcalc silu --input '1 -2' --json`` (derivatives cached) | ``python -c "import typer, numpy"`` | ≤ 1.5× |
| table instead of ``--json`` (outsize, silu) | the same with ``--json`` | ≤ +40 ms |

Prints a Markdown table of the figures. The console script beside this interpreter is used
(not a version manager's shim), bytecode caching is on for every child, and one untimed
round warms the caches first. With ``--strict`` the exit status is 1 when a target is
missed on wall-clock time.
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

PY = sys.executable


def stepcalc() -> list[str]:
    beside = Path(PY).with_name("stepcalc")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("stepcalc")
    return [found] if found else [PY, "-m", "stepcalc"]


SC = stepcalc()
RUNS = {
    "typer": [PY, "-c", "import typer"],
    "typer+numpy": [PY, "-c", "import typer, numpy"],
    "outsize --json": [*SC, "outsize", "--input", "7", "--kernel", "3", "--json"],
    "outsize (table)": [*SC, "outsize", "--input", "7", "--kernel", "3"],
    "--help": [*SC, "--help"],
    "silu --json": [*SC, "silu", "--input", "1 -2", "--json"],
    "silu (table)": [*SC, "silu", "--input", "1 -2"],
}
RATIOS = (
    # measured, baseline, target ratio
    ("outsize --json", "typer", 1.3),
    ("--help", "typer", 2.8),
    ("silu --json", "typer+numpy", 1.5),
)
OVERHEADS = (
    # measured, baseline, target milliseconds
    ("outsize (table)", "outsize --json", 40.0),
    ("silu (table)", "silu --json", 40.0),
)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("STEPCALC_DEBUG", None)

    for argv in RUNS.values():  # warm the page cache and write bytecode
        timed(argv, env)
    walls: dict[str, list[float]] = {name: [] for name in RUNS}
    cpus: dict[str, list[float]] = {name: [] for name in RUNS}
    names = list(RUNS)
    for round_number in range(options.repeats):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in order:
            wall, cpu = timed(RUNS[name], env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {name: statistics.median(values) * 1000 for name, values in walls.items()}
    cpu = {name: statistics.median(values) * 1000 for name, values in cpus.items()}

    print(
        f"Start-up, median of {options.repeats} fresh processes each (ms); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| command | wall ms | CPU ms |")
    print("| --- | ---: | ---: |")
    for name in RUNS:
        print(f"| `{name}` | {wall[name]:.0f} | {cpu[name]:.0f} |")
    print("\n| check | wall | CPU | target | met |")
    print("| --- | ---: | ---: | ---: | :---: |")
    missed = []
    for measured, baseline, target in RATIOS:
        ratio_wall = wall[measured] / wall[baseline]
        ratio_cpu = cpu[measured] / cpu[baseline]
        met = ratio_wall <= target
        if not met:
            missed.append(measured)
        print(
            f"| `{measured}` / `{baseline}` | {ratio_wall:.2f}× | {ratio_cpu:.2f}× | "
            f"≤ {target}× | {'yes' if met else 'NO'} |"
        )
    for measured, baseline, target in OVERHEADS:
        extra_wall = wall[measured] - wall[baseline]
        extra_cpu = cpu[measured] - cpu[baseline]
        met = extra_wall <= target
        if not met:
            missed.append(measured)
        print(
            f"| `{measured}` − `{baseline}` | {extra_wall:+.0f} ms | {extra_cpu:+.0f} ms | "
            f"≤ +{target:.0f} ms | {'yes' if met else 'NO'} |"
        )
    if missed:
        print(f"\nmissed: {', '.join(missed)}")
    return 1 if missed and options.strict else 0


if __name__ == "__main__":
    sys.exit(main())
