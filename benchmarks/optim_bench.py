"""Adam on 1,000,000 parameters for 100 steps: stepcalc's library call against torch.optim.

    python benchmarks/optim_bench.py [--size N] [--steps N] [--repeat N]

Both sides run in float64 from the same start with the same gradient 2·θ + 0.1·cos(θ)
(computed inside each loop, so both pay for it); the best of ``--repeat`` runs is reported,
with the ratio to torch's fused and foreach Adam and the largest difference of the final
parameters (relative to the largest parameter). stepcalc runs on one thread; "fused 1t" is
torch's fused Adam held to one thread too. Target: stepcalc within 3× of fused torch Adam.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from stepcalc.calc.optim import run_arrays

LR = 1e-3


def start(size: int) -> np.ndarray:
    return np.linspace(-1.0, 1.0, size)


def ours(size: int, steps: int) -> tuple[float, np.ndarray]:
    theta0 = start(size)
    began = time.perf_counter()
    final, _ = run_arrays(
        "adam", theta0, lambda theta, k: 2 * theta + 0.1 * np.cos(theta), steps, lr=LR
    )
    return time.perf_counter() - began, final


def theirs(size: int, steps: int, threads: int = 0, **flavour) -> tuple[float, np.ndarray]:
    import torch

    previous = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        return _torch_adam(torch, size, steps, **flavour)
    finally:
        torch.set_num_threads(previous)


def _torch_adam(torch, size: int, steps: int, **flavour) -> tuple[float, np.ndarray]:
    param = torch.tensor(start(size), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([param], lr=LR, **flavour)
    began = time.perf_counter()
    for _ in range(steps):
        data = param.detach()
        param.grad = 2 * data + 0.1 * torch.cos(data)
        opt.step()
    return time.perf_counter() - began, param.detach().numpy().copy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, float] = {}
    finals: dict[str, np.ndarray] = {}
    runners = {
        "stepcalc": lambda: ours(args.size, args.steps),
        "torch fused": lambda: theirs(args.size, args.steps, fused=True),
        "torch foreach": lambda: theirs(args.size, args.steps, foreach=True),
        "torch fused 1t": lambda: theirs(args.size, args.steps, threads=1, fused=True),
    }
    for _ in range(args.repeat):
        for name, runner in runners.items():
            try:
                seconds, final = runner()
            except ImportError:
                continue
            timings[name] = min(seconds, timings.get(name, float("inf")))
            finals[name] = final
    print(f"Adam, {args.size:,} parameters, {args.steps} steps, float64, best of {args.repeat}")
    for name, seconds in timings.items():
        line = f"  {name:<15} {seconds:8.3f} s"
        if name != "stepcalc" and "stepcalc" in timings:
            ratio = timings["stepcalc"] / seconds
            scale = np.max(np.abs(finals[name]))
            difference = np.max(np.abs(finals["stepcalc"] - finals[name])) / scale
            line += f"   stepcalc/{name} = {ratio:.2f}×   max difference {difference:.1e} of max|θ|"
        print(line)


if __name__ == "__main__":
    main()
