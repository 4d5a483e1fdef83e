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
    routes = [s["title"] for s in document["steps"] if "→" in s["title"]]
    assert routes == ["G[0,0] → X[1,0]", "G[0,1] → X[0,2]", "G[1,0] → X[2,0]", "G[1,1] → X[2,2]"]
    assert_steps_honest(document["steps"])


def test_overlapping_windows_accumulate():
    document = pool(
        "--input", GRID, "--kernel", "2", "--stride", "1", "--grad-output", "1 2 3; 4 5 6; 7 8 9"
    )
    grad = document["result"]["grad_input"]
    assert grad[2][2] == 5 + 6 + 8 + 9
    assert grad[2][0] == 4 + 7
    sums = [s for s in document["steps"] if s["title"] == "∂L/∂X[2,2]"]
    assert sums and sums[0]["formula"] == "g_1_1 + g_1_2 + g_2_1 + g_2_2"
    assert_steps_honest(document["steps"])


def test_average_pool_with_padding_counts_pad_cells():
    document = pool(
        "--input", "1 2; 3 4", "--mode", "avg", "--kernel", "2", "--padding", "1", "--backward"
    )
    result = document["result"]
    assert result["output"] == [[0.25, 0.5], [0.75, 1.0]]
    assert result["grad_input"] == [[0.25, 0.25], [0.25, 0.25]]
    first = next(s for s in document["steps"] if s["title"] == "O[0,0]")
    assert first["formula"] == "(0 + 0 + 0 + x_0_0)/4"
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
    assert "max(1, 3, 4, 4)" in run("pool", "--input", GRID, "--kernel", "2").stdout


def test_sample_runs():
    document = run_json("pool", "--from", "samples/pool_max_tie.yaml")
    assert document["result"]["output"] == [[4, 2], [5, 7]]
    assert_steps_honest(document["steps"])


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
    """SymPy's ``Max`` is shown as ``max`` in the rule and with-numbers columns."""
    table = run("pool", "--from", "samples/pool_max_tie.yaml")
    assert "max(1, 3, 4, 4)" in table.stdout and "Max(" not in table.stdout
    markdown = run("pool", "--from", "samples/pool_max_tie.yaml", "--format", "markdown")
    assert "`max(1, 3, 4, 4)`" in markdown.stdout
