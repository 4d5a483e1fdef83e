"""Start-up time of ``stepcalc silu --json`` against importing what it must import.

Goal: with SymPy's derivatives cached (the second run on a machine), ``stepcalc silu --input
"1 -2" --json`` within 1.5× of ``python -c "import typer, numpy"``: a warm run imports no SymPy.
A cold run (empty cache: SymPy derives and the cache is written) is timed too, for reference.

    python benchmarks/startup_silu.py [--repeats N] [--as-is]

The children use a temporary cache directory (``STEPCALC_CACHE_DIR``), never the real one.
The libraries' bytecode is compiled at install time, stepcalc's (an editable install) on first
import; when PYTHONDONTWRITEBYTECODE is set every stepcalc run would compile its sources again
while the baseline never compiles, so the children run with bytecode caching on (``--as-is``
keeps the environment unchanged).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = [sys.executable, "-c", "import typer, numpy"]
GOAL = 1.5


def command() -> list[str]:
    """The installed console script beside this interpreter, so that neither side of the
    comparison pays for a version-manager shim (pyenv's shims are bash scripts)."""
    beside = Path(sys.executable).with_name("stepcalc")
    executable = str(beside) if beside.exists() else shutil.which("stepcalc")
    prefix = [executable] if executable else [sys.executable, "-m", "stepcalc"]
    return [*prefix, "silu", "--input", "1 -2", "--json"]


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
    with tempfile.TemporaryDirectory() as warm, tempfile.TemporaryDirectory() as cold:
        warm_env = {**env, "STEPCALC_CACHE_DIR": warm}
        timed(BASELINE, env), timed(silu, warm_env)  # warm the file, bytecode and SymPy caches
        runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "warm": [], "cold": []}
        for repeat in range(args.repeats):
            runs["baseline"].append(timed(BASELINE, env))
            runs["warm"].append(timed(silu, warm_env))
            cold_env = {**env, "STEPCALC_CACHE_DIR": f"{cold}/{repeat}"}  # empty every time
            runs["cold"].append(timed(silu, cold_env))
    ratios = {}
    for column, name in ((0, "wall"), (1, "cpu")):
        median = {k: statistics.median(run[column] for run in v) for k, v in runs.items()}
        ratios[name] = median["warm"] / median["baseline"]
        print(
            f"{name:4}  import typer, numpy {median['baseline'] * 1000:7.1f} ms   "
            f"silu --json, cached {median['warm'] * 1000:7.1f} ms (ratio {ratios[name]:.3f})   "
            f"cold cache {median['cold'] * 1000:7.1f} ms"
        )
    print(f"medians of {args.repeats} alternating runs each; goal ratio ≤ {GOAL} (cached)")
    return 0 if ratios["wall"] <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
