"""Forward + backward of one conv layer in float64: stepcalc's NumPy core against torch.

Problem: input 1×16×256×256, 16 filters 3×3, padding 1, bias; upstream gradient of ones.
The backward pass uses the formula functions the worked steps use (``conv_t``, ``conv_dW``).
Run: ``python benchmarks/conv_bench.py [--repeats N]``. Prints the best time of each and
their ratio (target: stepcalc within 1.7× of torch), and checks the numbers agree.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from stepcalc.calc.conv import conv2d, conv_dW, conv_t, pad


def best_of(function, repeats: int) -> float:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 16, 256, 256))
    w = rng.normal(size=(16, 16, 3, 3))
    b = rng.normal(size=16)

    def ours():
        out = conv2d(x, w, b, stride=1, padding=1)
        upstream = np.ones_like(out)
        grads = conv_t(upstream, w, P=1), conv_dW(pad(x, 1), upstream), upstream.sum(axis=(0, 2, 3))
        return out, grads

    ours_time = best_of(ours, args.repeats)
    print(f"stepcalc (NumPy float64) forward+backward: {ours_time * 1000:8.1f} ms")
    try:
        import torch
    except ImportError:
        print("torch not installed: no comparison")
        return

    def theirs():
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(b, requires_grad=True)
        out = torch.nn.functional.conv2d(xt, wt, bt, padding=1)
        out.backward(torch.ones_like(out))
        return out, xt.grad, wt.grad, bt.grad

    torch_time = best_of(theirs, args.repeats)
    print(
        f"torch {torch.__version__} (float64, {torch.get_num_threads()} threads):   "
        f"{torch_time * 1000:8.1f} ms"
    )
    print(f"ratio stepcalc / torch: {ours_time / torch_time:.2f}  (target ≤ 1.70)")
    out, (grad_x, grad_w, grad_b) = ours()
    reference = theirs()
    for name, mine, other in zip(
        ("output", "grad_input", "grad_weight", "grad_bias"),
        (out, grad_x, grad_w, grad_b),
        reference,
        strict=True,
    ):
        error = float(np.max(np.abs(mine - other.detach().numpy())))
        print(f"  max |difference| {name:<12} {error:.2e}")


if __name__ == "__main__":
    main()
