import json

import numpy as np
import pytest

from tests.helpers import (
    assert_bad_input,
    assert_matches_torch,
    assert_steps_honest,
    run,
    run_json,
    torch_or_skip,
)

GRID = "1 3 2 1; 4 4 0 2; 5 1 7 7; 0 2 7 3"


def pool(*args):
    return run_json("pool", *args)


def test_max_pool_by_hand_with_routing():
    document = pool("--input", GRID, "--kernel", "2", "--backward")
    result = document["result"]
    assert result["output"] == [[4, 2], [5, 7]]
    # Ties go to the first maximum in row-major order: 4 at (1,0) beats 4 at (1,1); 7 at (2,2).
    assert result["grad_input"] == [[0, 0, 1, 0], [1, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    routes = [s for s in document["steps"] if s["symbol"].startswith("dL_dwindow")]
    targets = [s["title"].rpartition(" ")[2] for s in routes]
    assert targets == ["X[1,0]", "X[0,2]", "X[2,0]", "X[2,2]"]
    # the mask of the top-left window marks its first maximum, the 4 at (1, 0)
    assert routes[0]["operands"]["M"] == [[0, 0], [1, 0]] and routes[0]["value"] == [[0, 0], [1, 0]]
    assert_steps_honest(document["steps"])


def test_overlapping_windows_accumulate():
    document = pool(
        "--input", GRID, "--kernel", "2", "--stride", "1", "--grad-output", "1 2 3; 4 5 6; 7 8 9"
    )
    grad = document["result"]["grad_input"]
    assert grad[2][2] == 5 + 6 + 8 + 9
    assert grad[2][0] == 4 + 7
    sums = [s for s in document["steps"] if s["symbol"] == "dL_dX[2,2]"]
    assert sums and sums[0]["substituted"] == "5 + 6 + 8 + 9"
    assert_steps_honest(document["steps"])


def test_average_pool_with_padding_counts_pad_cells():
    document = pool(
        "--input", "1 2; 3 4", "--mode", "avg", "--kernel", "2", "--padding", "1", "--backward"
    )
    result = document["result"]
    assert result["output"] == [[0.25, 0.5], [0.75, 1.0]]
    assert result["grad_input"] == [[0.25, 0.25], [0.25, 0.25]]
    first = next(s for s in document["steps"] if s["symbol"] == "O[0,0]")
    assert first["substituted"] == "(0 + 0 + 0 + 1)/4"
    assert first["operands"]["window"] == [[0, 0], [0, 1]]
    assert_steps_honest(document["steps"])


def test_ceil_mode_keeps_partial_window():
    document = pool("--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "2", "--ceil-mode")
    assert document["result"]["output"] == [[5, 6], [8, 9]]
    document = pool(
        "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "2", "--mode", "avg", "--ceil-mode"
    )
    assert document["result"]["output"] == [[3, 4.5], [7.5, 9]]


def test_channels_keep_rank():
    document = pool("--input", "1 2; 3 4 | 8 7; 6 5", "--kernel", "2", "--backward")
    assert document["result"]["output"] == [[[4]], [[8]]]
    assert document["result"]["grad_input"] == [[[0, 0], [0, 1]], [[1, 0], [0, 0]]]


def test_table_and_korean():
    result = run("pool", "--input", GRID, "--kernel", "2", "--lang", "ko", "--backward")
    assert result.code == 0 and "최대" in result.stdout
    assert "O[0,0] = max(window) = max(" in run("pool", "--input", GRID, "--kernel", "2").stdout


def test_sample_runs():
    from stepcalc.commands.pool import COMMAND

    document = run_json("pool", "--from", "samples/pool_max_tie.yaml")
    assert document["result"]["output"] == [[4, 2], [5, 7]]
    for name in COMMAND.samples:
        assert_steps_honest(run_json("pool", "--from", f"samples/{name}")["steps"])


@pytest.mark.parametrize("seed", range(8))
def test_matches_torch(seed):
    torch = torch_or_skip()
    F = torch.nn.functional
    rng = np.random.default_rng(seed)
    kernel = [int(k) for k in rng.integers(1, 4, size=2)]
    stride = [int(s) for s in rng.integers(1, 4, size=2)]
    padding = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
    ceil_mode = bool(rng.integers(0, 2))
    shape = (
        int(rng.integers(1, 3)),
        int(rng.integers(1, 3)),
        *(k + int(rng.integers(0, 5)) for k in kernel),
    )
    x = rng.integers(-3, 4, size=shape).astype(float)  # small integers: many ties
    for mode in ("max", "avg"):
        xt = torch.tensor(x, requires_grad=True)
        if mode == "max":
            out = F.max_pool2d(xt, kernel, stride, padding, ceil_mode=ceil_mode)
        else:
            out = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode=ceil_mode)
        upstream = rng.normal(size=tuple(out.shape)).round(3)
        out.backward(torch.tensor(upstream))
        args = [
            "--input", json.dumps(x.tolist()), "--mode", mode,
            "--kernel", ",".join(map(str, kernel)), "--stride", ",".join(map(str, stride)),
            "--padding", ",".join(map(str, padding)),
            "--grad-output", json.dumps(upstream.tolist()),
        ]  # fmt: skip
        if ceil_mode:
            args.append("--ceil-mode")
        document = pool(*args)
        assert_matches_torch(document["result"]["output"], out)
        assert_matches_torch(document["result"]["grad_input"], xt.grad)
        if seed == 0:
            assert_steps_honest(document["steps"])


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--input", GRID, "--kernel", "2", "--padding", "2"), "--padding"),
        (("--input", "1 2; 3 4", "--kernel", "3"), "--kernel"),
        (("--input", GRID, "--kernel", "2", "--stride", "0"), "--stride"),
        (("--input", GRID, "--kernel", "2", "--grad-output", "1 2 3; 4 5 6"), "2×2"),
        (("--input", GRID, "--kernel", "2", "--mode", "min"), "--mode"),
        (("--input", GRID), "--kernel"),
        (("--input", "1 2 3", "--kernel", "1"), "--input"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("pool", *args, mentions=mentions)


def test_plain_number_or_row_upstream():
    single = pool("--input", "-1 -3; -4 -4", "--kernel", "2", "--mode", "avg", "--grad-output", "4")
    assert single["result"] == {"output": [[-3.0]], "grad_input": [[1.0, 1.0], [1.0, 1.0]]}
    row = pool("--input", "[[1, 3, 2, 4]]", "--kernel", "1,2", "--grad-output", "1 2")
    assert row["result"] == {"output": [[3.0, 4.0]], "grad_input": [[0.0, 1.0, 0.0, 2.0]]}
    assert_steps_honest(row["steps"])
    assert_bad_input(
        "pool",
        "--input",
        "[[1, 3, 2, 4]]",
        "--kernel",
        "1,2",
        "--grad-output",
        "1 2 3",
        mentions="--grad-output",
    )


def test_ceil_mode_window_larger_than_the_input():
    # as PyTorch: one window starting at (0, 0); the average divides by the cells inside
    # the (padded) input, here 4
    assert pool("--input", "0 1; 2 3", "--kernel", "3", "--stride", "2", "--ceil-mode")["result"][
        "output"
    ] == [[3.0]]
    document = pool(
        "--input",
        "0 1; 2 3",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--ceil-mode",
        "--mode",
        "avg",
        "--backward",
    )
    assert document["result"] == {"output": [[1.5]], "grad_input": [[0.25, 0.25], [0.25, 0.25]]}
    assert_steps_honest(document["steps"])
    assert_bad_input(
        "pool", "--input", "0 1; 2 3", "--kernel", "3", "--stride", "2", mentions="--kernel"
    )


def test_with_numbers_column_writes_max_as_the_slides_do():
    """A window's maximum reads ``max(window)``, never SymPy's ``Max``, in every format."""
    table = run("pool", "--from", "samples/pool_max_tie.yaml")
    assert "max(window)" in table.stdout and "Max(" not in table.stdout
    markdown = run("pool", "--from", "samples/pool_max_tie.yaml", "--format", "markdown")
    assert r"\max" in markdown.stdout and "Max(" not in markdown.stdout


def _torch_pool(torch, x, mode, kernel, stride, sides, include, upstream):
    """PyTorch's pooling with explicit (top, bottom, left, right) padding: F.pad, then pool.
    Max pads with −∞; an average that leaves the padding out divides by the pooled ones."""
    F = torch.nn.functional
    xt = torch.tensor(x, requires_grad=True)
    pads = (sides[2], sides[3], sides[0], sides[1])
    if mode == "max":
        out = F.max_pool2d(F.pad(xt, pads, value=-float("inf")), kernel, stride)
    else:
        total = F.avg_pool2d(F.pad(xt, pads), kernel, stride)
        count = F.avg_pool2d(F.pad(torch.ones_like(xt), pads), kernel, stride)
        out = total if include else total / count
    out.backward(torch.tensor(upstream))
    return out, xt.grad


@pytest.mark.parametrize("seed", range(6))
def test_same_padding_matches_keras_through_torch(seed):
    torch = torch_or_skip()
    rng = np.random.default_rng(40 + seed)
    kernel, stride = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(kernel, kernel + 5, size=2))
    x = rng.integers(-3, 4, size=(1, 2, h, w)).astype(float)
    for mode in ("max", "avg"):
        args = ["--input", json.dumps(x.tolist()), "--mode", mode, "--kernel", str(kernel)]
        args += ["--stride", str(stride), "--padding", "same"]
        first = pool(*args)
        out_h, out_w = -(-h // stride), -(-w // stride)
        assert np.shape(first["result"]["output"]) == (1, 2, out_h, out_w)
        upstream = rng.normal(size=(1, 2, out_h, out_w)).round(3)
        document = pool(*args, "--grad-output", json.dumps(upstream.tolist()))
        (top, bottom), (left, right) = document["inputs"]["padding_sides"]
        for total, size in ((top + bottom, h), (left + right, w)):
            assert total == max((-(-size // stride) - 1) * stride + kernel - size, 0)
        assert (bottom - top, right - left) in ((0, 0), (1, 0), (0, 1), (1, 1))
        out, grad = _torch_pool(
            torch, x, mode, kernel, stride, (top, bottom, left, right), False, upstream
        )
        assert_matches_torch(document["result"]["output"], out)
        assert_matches_torch(document["result"]["grad_input"], grad)
        assert document["inputs"]["count_include_pad"] is False
        assert_steps_honest(document["steps"])


@pytest.mark.parametrize("include", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_count_include_pad_matches_torch(seed, include):
    torch = torch_or_skip()
    F = torch.nn.functional
    rng = np.random.default_rng(60 + seed)
    kernel, stride = (
        [int(k) for k in rng.integers(2, 4, size=2)],
        [int(s) for s in rng.integers(1, 3, size=2)],
    )
    padding = [k // 2 for k in kernel]
    ceil_mode = bool(seed % 2)
    x = rng.normal(size=(2, 1, *(k + int(rng.integers(0, 4)) for k in kernel))).round(2)
    xt = torch.tensor(x, requires_grad=True)
    out = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, count_include_pad=include)
    upstream = rng.normal(size=tuple(out.shape)).round(3)
    out.backward(torch.tensor(upstream))
    flag = "--count-include-pad" if include else "--no-count-include-pad"
    args = [
        "--input", json.dumps(x.tolist()), "--mode", "avg", "--kernel", ",".join(map(str, kernel)),
        "--stride", ",".join(map(str, stride)), "--padding", ",".join(map(str, padding)), flag,
        "--grad-output", json.dumps(upstream.tolist()),
    ] + (["--ceil-mode"] if ceil_mode else [])  # fmt: skip
    document = pool(*args)
    assert_matches_torch(document["result"]["output"], out)
    assert_matches_torch(document["result"]["grad_input"], xt.grad)
    assert document["inputs"]["count_include_pad"] is include
    divisor = next(s for s in document["steps"] if s["symbol"] == "n")
    assert divisor["formula"] == "matmul(rows, cols)"
    assert_steps_honest(document["steps"])


def test_divisor_is_a_step_and_the_cells_use_it():
    include = pool("--input", "1 2; 3 4", "--mode", "avg", "--kernel", "2", "--padding", "1")
    exclude = pool(
        "--input", "1 2; 3 4", "--mode", "avg", "--kernel", "2", "--padding", "1",
        "--no-count-include-pad",
    )  # fmt: skip
    steps = {s["symbol"]: s for s in include["steps"]}
    assert steps["n"]["value"] == [[4, 4], [4, 4]] and steps["O[0,0]"]["operands"]["n"] == 4
    steps = {s["symbol"]: s for s in exclude["steps"]}
    assert steps["n"]["value"] == [[1, 1], [1, 1]]
    assert steps["O[0,0]"]["substituted"] == "(1)/1"
    assert exclude["result"]["output"] == [[1, 2], [3, 4]]
    assert "X_pad" not in steps  # padding cells are not counted, so not shown either


def test_same_padding_for_max_never_picks_padding_and_keeps_first_tie():
    document = pool(
        "--input", "-5 -5 -5; -5 -5 -5; -5 -5 -7", "--kernel", "2", "--padding", "same",
        "--backward",
    )  # fmt: skip
    assert document["inputs"]["padding_sides"] == [[0, 1], [0, 1]]
    assert document["result"]["output"] == [[-5, -5], [-5, -7]]
    # ties route to the first maximum in row-major order; the padding (−∞) never wins
    assert document["result"]["grad_input"] == [[1, 0, 1], [0, 0, 0], [1, 0, 1]]
    routes = [s["title"] for s in document["steps"] if s["symbol"].startswith("dL_dwindow")]
    assert routes[-1].endswith("X[2,2]")
    assert_steps_honest(document["steps"])


def test_count_include_pad_is_for_average_pooling_only():
    assert_bad_input(
        "pool", "--input", GRID, "--kernel", "2", "--count-include-pad", mentions="--mode"
    )


def test_korean_errors_and_elided_cells():
    line = assert_bad_input(
        "pool", "--input", GRID, "--kernel", "2", "--padding", "2", "--lang", "ko"
    )
    assert "커널" in line and line.startswith("error: --padding")
    big = json.dumps(np.arange(100.0).reshape(10, 10).tolist())
    document = pool("--input", big, "--kernel", "2", "--stride", "1", "--backward", "--cells", "3")
    assert sum(s["symbol"].startswith("O[") for s in document["steps"]) == 3
    assert any("3 of 81" in note and "--cells 81" in note for note in document["notes"])
