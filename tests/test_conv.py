import json

import numpy as np
import pytest

from stepcalc.calc.conv import conv2d, conv_dW, conv_t, corr2d, dilate, pad, rot180
from tests.helpers import (
    assert_bad_input,
    assert_matches_torch,
    assert_steps_honest,
    run,
    run_json,
    torch_or_skip,
)

IMAGE = "1 2 3 0; 4 5 6 1; 7 8 9 2; 1 0 1 3"
KERNEL = "1 0 1; 0 1 0; 1 0 1"


def conv(*args):
    return run_json("conv", *args)


def test_seed_toy_conv_forward():
    document = conv("--input", IMAGE, "--kernel", KERNEL)
    assert document["result"] == {"output": [[25.0, 18.0], [20.0, 18.0]]}
    cells = [s for s in document["steps"] if s["symbol"].startswith("O[")]
    assert [s["value"] for s in cells] == [25, 18, 20, 18]
    first = cells[0]
    assert (first["symbol"], first["formula"]) == ("O[0,0]", "sum(window*W)")
    assert first["operands"]["window"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert first["substituted"].startswith("1*1 + 2*0 + 3*1 + 4*0")
    whole = next(s for s in document["steps"] if s.get("key") == "output")
    assert whole["formula"] == "corr2d(X, W)" and whole["rule"] == "X ⋆ W"
    assert_steps_honest(document["steps"])


def test_seed_toy_conv_backward_with_ones():
    document = conv("--input", IMAGE, "--kernel", KERNEL, "--backward")
    result = document["result"]
    # grad_weight[i][j] = sum of the 2×2 block of the image starting at (i, j)
    assert result["grad_weight"] == [[12, 16, 10], [24, 28, 18], [16, 18, 15]]
    assert result["grad_input"] == [[1, 1, 1, 1], [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1]]
    assert result["grad_bias"] is None
    assert_steps_honest(document["steps"])


def test_seed_001_two_by_two_kernel_on_three_by_three_input():
    # Worked by hand: O = [[37, 47], [67, 77]];
    # ∂L/∂W = X ⋆ G, ∂L/∂X = full correlation of G with rot180(W).
    document = conv(
        "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 3 4", "--grad-output", "1 2; 3 4"
    )
    result = document["result"]
    assert result["output"] == [[37, 47], [67, 77]]
    assert result["grad_weight"] == [[37, 47], [67, 77]]
    assert result["grad_input"] == [[1, 4, 4], [6, 20, 16], [9, 24, 16]]
    steps = {s["symbol"]: s for s in document["steps"]}
    assert steps["W_rot"]["title"] == "kernel rotated 180°"
    assert steps["W_rot"]["value"] == [[4, 3], [2, 1]]
    assert steps["G_pad"]["value"][1] == [0, 1, 2, 0]
    # every backward cell shows its numbers: Σ window ⊙ G and Σ window ⊙ W_rot
    assert steps["dL_dW[0,0]"]["substituted"] == "1*1 + 2*2 + 4*3 + 5*4"
    assert steps["dL_dX[1,1]"]["substituted"] == "1*4 + 2*3 + 3*2 + 4*1"
    assert steps["dL_dX"]["rule"] == "G_pad ⋆ W_rot"
    assert_steps_honest(document["steps"])


def test_flip_is_true_convolution():
    flipped = conv("--input", IMAGE, "--kernel", "1 2 0; 0 1 0; 0 0 3", "--flip", "--backward")
    same = conv("--input", IMAGE, "--kernel", "3 0 0; 0 1 0; 0 2 1", "--backward")
    assert flipped["result"]["output"] == same["result"]["output"]
    assert flipped["result"]["grad_input"] == same["result"]["grad_input"]
    assert np.allclose(flipped["result"]["grad_weight"], rot180(same["result"]["grad_weight"]))
    assert any("true convolution" in note for note in flipped["notes"])
    assert_steps_honest(flipped["steps"])


def test_channels_filters_bias_keep_ranks():
    document = conv(
        "--input",
        "1 2 3; 4 5 6; 7 8 9 | 1 0 1; 0 1 0; 1 0 1",
        "--kernel",
        "1 0; 0 1 | 2 0; 0 2 || 0 1; 1 0 | 1 1; 1 1",
        "--bias",
        "1 -1",
        "--backward",
    )
    result = document["result"]
    assert np.shape(result["output"]) == (2, 2, 2)
    assert np.shape(result["grad_input"]) == (2, 3, 3)
    assert np.shape(result["grad_weight"]) == (2, 2, 2, 2)
    assert result["grad_bias"] == [4, 4]
    assert result["output"][0][0][0] == 1 + 5 + 2 * (1 + 1) + 1
    assert_steps_honest(document["steps"])


def test_scalar_bias_gives_scalar_grad_bias():
    result = conv("--input", IMAGE, "--kernel", KERNEL, "--bias", "0.5", "--backward")["result"]
    assert result["output"] == [[25.5, 18.5], [20.5, 18.5]]
    assert result["grad_bias"] == 4


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_same_padding_keeps_size_and_pads_asymmetrically_for_even_kernels():
    document = conv("--input", IMAGE, "--kernel", "1 1; 1 1", "--padding", "same", "--backward")
    assert np.shape(document["result"]["output"]) == (4, 4)
    assert document["inputs"]["padding_sides"] == [[0, 1], [0, 1]]
    assert_steps_honest(document["steps"])
    torch = torch_or_skip()
    x = torch.tensor(np.array([[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [1, 0, 1, 3.0]]))
    out = torch.nn.functional.conv2d(x[None, None], torch.ones(1, 1, 2, 2).double(), padding="same")
    assert_matches_torch(document["result"]["output"], out[0, 0])


def test_large_output_is_one_step():
    image = json.dumps(np.arange(144.0).reshape(12, 12).tolist())
    document = conv("--input", image, "--kernel", "1 0; 0 -1", "--backward")
    cells = [s for s in document["steps"] if s["symbol"].startswith("O[")]
    assert len(cells) == 16  # the first 16 of 121, then the note says how to see them all
    assert any("16 of 121" in note and "--cells 121" in note for note in document["notes"])
    assert any(s.get("key") == "output" for s in document["steps"])
    assert np.shape(document["result"]["output"]) == (11, 11)
    assert_steps_honest(document["steps"])
    every = conv("--input", image, "--kernel", "1 0; 0 -1", "--cells", "121", "--only", "output")
    assert len(every["steps"]) == 122
    assert not any("of 121" in note for note in every.get("notes", []))


def test_round_steps_rounds_results():
    document = conv("--input", "0.123 0.456; 0.789 0.111", "--kernel", "0.5", "--round-steps", "2")
    assert document["result"]["output"] == [[0.06, 0.23], [0.39, 0.06]]


def test_table_shows_written_out_sums():
    result = run("conv", "--input", IMAGE, "--kernel", KERNEL)
    assert result.code == 0
    assert "1·1 + 2·0 + 3·1" in result.stdout
    assert "25" in result.stdout


def test_korean_and_ascii():
    result = run("conv", "--input", IMAGE, "--kernel", KERNEL, "--backward", "--lang", "ko")
    assert result.code == 0 and "역전파" in result.stdout.upper()
    result = run("conv", "--input", IMAGE, "--kernel", KERNEL, "--backward", "--ascii")
    assert result.code == 0 and result.stdout.isascii()


def test_expect_checks_a_cell():
    result = run(
        "conv",
        "--input",
        IMAGE,
        "--kernel",
        KERNEL,
        "--backward",
        "--expect",
        "grad_weight[0][2]=9",
    )
    assert result.code == 1


def test_numeric_core_helpers():
    assert corr2d([[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [1, 0, 1, 3]], [[1, 0, 1]] * 3)[
        0, 0
    ] == (1 + 3 + 4 + 6 + 7 + 9)
    assert dilate([[1, 2], [3, 4]], 2).tolist() == [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    assert pad([[1, 2], [3, 4]], [1, -1, 0, 1]).tolist() == [[0, 0, 0], [1, 2, 0]]
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 3, 3))
    out = conv2d(x, w, stride=(1, 1))
    grad_input, grad_weight = conv_t(np.ones_like(out), w), conv_dW(x, np.ones_like(out))
    assert out.shape == (1, 1, 2, 2) and grad_weight.shape == (1, 1, 3, 3)
    assert grad_input[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]


@pytest.mark.parametrize("seed", range(8))
def test_matches_torch_on_random_problems(seed):
    torch = torch_or_skip()
    F = torch.nn.functional
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 1, 2]))
    n = int(rng.integers(1, 3))
    c_in = groups * int(rng.integers(1, 3))
    c_out = groups * int(rng.integers(1, 3))
    kh, kw = (int(k) for k in rng.integers(1, 4, size=2))
    stride = [int(s) for s in rng.integers(1, 4, size=2)]
    dilation = [int(d) for d in rng.integers(1, 3, size=2)]
    padding = [int(p) for p in rng.integers(0, 3, size=2)]
    h = dilation[0] * (kh - 1) + 1 + int(rng.integers(0, 5))
    w = dilation[1] * (kw - 1) + 1 + int(rng.integers(0, 5))
    x = rng.normal(size=(n, c_in, h, w)).round(3)
    weight = rng.normal(size=(c_out, c_in // groups, kh, kw)).round(3)
    bias = rng.normal(size=c_out).round(3)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(weight, requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    out = F.conv2d(xt, wt, bt, stride, padding, dilation, groups)
    upstream = rng.normal(size=tuple(out.shape)).round(3)
    out.backward(torch.tensor(upstream))
    document = conv(
        "--input", json.dumps(x.tolist()),
        "--kernel", json.dumps(weight.tolist()),
        "--bias", json.dumps(bias.tolist()),
        "--stride", ",".join(map(str, stride)),
        "--padding", ",".join(map(str, padding)),
        "--dilation", ",".join(map(str, dilation)),
        "--groups", str(groups),
        "--grad-output", json.dumps(upstream.tolist()),
    )  # fmt: skip
    result = document["result"]
    assert_matches_torch(result["output"], out)
    assert_matches_torch(result["grad_input"], xt.grad)
    assert_matches_torch(result["grad_weight"], wt.grad)
    assert_matches_torch(result["grad_bias"], bt.grad)
    if seed == 0:
        assert_steps_honest(document["steps"])


@pytest.mark.parametrize("seed", range(8))
def test_transpose_matches_torch_and_outsize(seed):
    torch = torch_or_skip()
    F = torch.nn.functional
    rng = np.random.default_rng(100 + seed)
    groups = int(rng.choice([1, 1, 2]))
    n = int(rng.integers(1, 3))
    c_in = groups * int(rng.integers(1, 3))
    c_out_group = int(rng.integers(1, 3))
    kh, kw = (int(k) for k in rng.integers(1, 4, size=2))
    stride = [int(s) for s in rng.integers(1, 4, size=2)]
    dilation = [int(d) for d in rng.integers(1, 3, size=2)]
    padding = [int(rng.integers(0, min(2, kh))), int(rng.integers(0, min(2, kw)))]
    output_padding = [
        int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True)
    ]
    h, w = (int(v) for v in rng.integers(1, 5, size=2))
    x = rng.normal(size=(n, c_in, h, w)).round(3)
    weight = rng.normal(size=(c_in, c_out_group, kh, kw)).round(3)
    bias = rng.normal(size=c_out_group * groups).round(3)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(weight, requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    out = F.conv_transpose2d(xt, wt, bt, stride, padding, output_padding, groups, dilation)
    upstream = rng.normal(size=tuple(out.shape)).round(3)
    out.backward(torch.tensor(upstream))
    geometry = (
        "--stride", ",".join(map(str, stride)),
        "--padding", ",".join(map(str, padding)),
        "--dilation", ",".join(map(str, dilation)),
        "--output-padding", ",".join(map(str, output_padding)),
    )  # fmt: skip
    document = conv(
        "--transpose",
        "--input", json.dumps(x.tolist()),
        "--kernel", json.dumps(weight.tolist()),
        "--bias", json.dumps(bias.tolist()),
        "--groups", str(groups),
        "--grad-output", json.dumps(upstream.tolist()),
        *geometry,
    )  # fmt: skip
    result = document["result"]
    assert_matches_torch(result["output"], out)
    assert_matches_torch(result["grad_input"], xt.grad)
    assert_matches_torch(result["grad_weight"], wt.grad)
    assert_matches_torch(result["grad_bias"], bt.grad)
    if seed == 0:
        assert_steps_honest(document["steps"])
    size = run_json(
        "outsize", "--kind", "transpose", "--input", f"{h},{w}", "--kernel", f"{kh},{kw}",
        *geometry,
    )["result"]  # fmt: skip
    assert (size["height"], size["width"]) == tuple(out.shape[2:])


def test_transpose_d2l_example():
    # d2l 14.10: X = [[0, 1], [2, 3]], K = [[0, 1], [2, 3]] → [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    document = conv("--transpose", "--input", "0 1; 2 3", "--kernel", "0 1; 2 3", "--backward")
    assert document["result"]["output"] == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    # written as a correlation: X padded by K − 1 = 1, the kernel rotated 180°
    steps = {s["symbol"]: s for s in document["steps"]}
    assert steps["X_pad"]["value"] == [[0, 0, 0, 0], [0, 0, 1, 0], [0, 2, 3, 0], [0, 0, 0, 0]]
    assert steps["W_rot"]["value"] == [[3, 2], [1, 0]]
    assert steps["O[1,1]"]["substituted"] == "0*3 + 1*2 + 2*1 + 3*0"
    assert document["result"]["grad_input"] == [[6, 6], [6, 6]]
    assert document["result"]["grad_weight"] == [[6, 6], [6, 6]]
    assert_steps_honest(document["steps"])


def test_samples_run():
    from stepcalc.commands.conv import COMMAND

    for name in COMMAND.samples:
        document = run_json("conv", "--from", f"samples/{name}")
        assert_steps_honest(document["steps"])


def test_layer_sample_matches_torch():
    torch = torch_or_skip()
    document = run_json("conv", "--from", "samples/conv_layer.yaml")
    given = document["inputs"]
    x = torch.tensor([given["input"]], requires_grad=True)
    w = torch.tensor(given["kernel"], requires_grad=True)
    b = torch.tensor(given["bias"], requires_grad=True)
    out = torch.nn.functional.conv2d(x, w, b, 2, 1)
    out.backward(torch.tensor([given["grad_output"]]))
    result = document["result"]
    assert_matches_torch(result["output"], out[0])
    assert_matches_torch(result["grad_input"], x.grad[0])
    assert_matches_torch(result["grad_weight"], w.grad)
    assert_matches_torch(result["grad_bias"], b.grad)
    # the row and column stride 2 never reaches are left out of X_pad: P = (1, 0, 1, 0)
    steps = {s["symbol"]: s for s in document["steps"]}
    assert steps["X_pad"]["operands"]["P"] == [1, 0, 1, 0]
    assert steps["G_pad"]["formula"] == "pad(dilate(G, S), P_full)"
    assert steps["dL_db"]["formula"] == "concat(sum(G_0), sum(G_1))"
    assert any("never reaches" in note for note in document["notes"])


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--input", "1 2; 3 4 | 5 6; 7 8", "--kernel", "1 0; 0 1 | 1 1; 1 1 | 0 0; 0 0"), "2×2×2"),
        (("--input", "1 2; 3 4", "--kernel", "1 2 3; 4 5 6; 7 8 9", "--padding", "0"), "--kernel"),
        (("--input", IMAGE, "--kernel", KERNEL, "--stride", "0"), "--stride"),
        (("--input", IMAGE, "--kernel", KERNEL, "--dilation", "-1"), "--dilation"),
        (("--input", IMAGE, "--kernel", KERNEL, "--grad-output", "1 2 3; 4 5 6"), "2×2"),
        (("--input", IMAGE, "--kernel", "1 0; 0 1 || 1 1; 1 1"), "--kernel"),
        (("--input", IMAGE, "--kernel", KERNEL, "--bias", "1 2"), "--bias"),
        (("--input", IMAGE, "--kernel", "1 2; 3"), "--kernel"),
        (("--input", IMAGE), "--kernel"),
        (("--input", IMAGE, "--kernel", KERNEL, "--flip", "--transpose"), "--flip"),
        (("--transpose", "--input", "1 2; 3 4", "--kernel", "1", "--padding", "same"), "same"),
        (
            ("--transpose", "--input", "1 2; 3 4", "--kernel", "1", "--output-padding", "1"),
            "--output",
        ),
        (("--input", IMAGE, "--kernel", KERNEL, "--padding", "nope"), "--padding"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("conv", *args, mentions=mentions)


def test_channel_mismatch_names_both_shapes():
    line = assert_bad_input(
        "conv", "--input", "1 2; 3 4 | 5 6; 7 8", "--kernel", "1 0; 0 1 | 1 1; 1 1 | 0 0; 0 0"
    )
    assert "3×2×2" in line and "2×2×2" in line
    korean = assert_bad_input(
        "conv", "--input", "1 2; 3 4 | 5 6; 7 8", "--kernel", "1 0; 0 1 | 1 1; 1 1 | 0 0; 0 0",
        "--lang", "ko",
    )  # fmt: skip
    assert korean.startswith("error: --kernel") and "채널" in korean


def test_element_limit_is_checked_before_computing():
    assert_bad_input("conv", "--input", "1", "--kernel", "1", "--padding", "1500", mentions="limit")


def test_flip_with_stride_padding_dilation_groups_matches_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 5, 6)).round(2)
    w = rng.normal(size=(2, 1, 3, 2)).round(2)
    document = conv(
        "--input", json.dumps(x.tolist()), "--kernel", json.dumps(w.tolist()),
        "--stride", "2,1", "--padding", "1,2", "--dilation", "1,2", "--groups", "2",
        "--flip", "--backward", "--bias", "1 2",
    )  # fmt: skip
    xt = torch.tensor(x[None], requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bias = torch.tensor([1.0, 2.0], dtype=torch.float64)
    out = torch.nn.functional.conv2d(xt, torch.flip(wt, (2, 3)), bias, (2, 1), (1, 2), (1, 2), 2)
    out.backward(torch.ones_like(out))
    assert_matches_torch(document["result"]["output"], out[0])
    assert_matches_torch(document["result"]["grad_input"], xt.grad[0])
    assert_matches_torch(document["result"]["grad_weight"], wt.grad)
    assert_steps_honest(document["steps"])


def test_padding_cells_appear_as_zeros_in_the_sums():
    document = conv("--input", "1 2; 3 4", "--kernel", "1 1; 1 1", "--padding", "1", "--backward")
    first = next(s for s in document["steps"] if s["symbol"] == "O[0,0]")
    assert first["operands"]["window"] == [[0, 0], [0, 1]]
    assert first["substituted"] == "0*1 + 0*1 + 0*1 + 1*1"
    assert document["result"]["output"] == [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    assert document["result"]["grad_input"] == [[4, 4], [4, 4]]
    assert_steps_honest(document["steps"])


def test_one_row_kernel_and_small_upstream_are_one_row_matrices():
    # d2l's edge detector K = [[1, -1]] typed as it reads; a 1×1 output takes a plain number
    edges = conv("--input", "1 1 0 0 1; 1 1 0 0 1", "--kernel", "1 -1")
    assert edges["result"]["output"] == [[0, 1, 0, -1], [0, 1, 0, -1]]
    assert_steps_honest(edges["steps"])
    single = conv("--input", "1 2; 3 4", "--kernel", "1 0; 0 1", "--grad-output", "2")
    assert single["result"]["grad_weight"] == [[2, 4], [6, 8]]
    row = conv("--input", "1 2 3; 3 4 5", "--kernel", "1 0; 0 1", "--grad-output", "1 2")
    assert row["result"]["grad_input"] == [[1, 2, 0], [0, 1, 2]]
    flipped = conv("--input", "1 2 3", "--kernel", "1 -1", "--transpose")
    assert flipped["result"]["output"] == [[1, 1, 1, -3]]
    assert_bad_input(
        "conv",
        "--input",
        "1 2 3; 3 4 5",
        "--kernel",
        "1 0; 0 1",
        "--grad-output",
        "1 2 3",
        mentions="--grad-output",
    )


def test_every_backward_step_shows_its_numbers():
    """The user's report: ∂L/∂W cells as Σ window ⊙ G with the numbers, the rotated kernel and
    the padded upstream as matrices, ∂L/∂X cells as sums, nothing left as a bare name."""
    document = conv("--input", IMAGE, "--kernel", KERNEL, "--grad-output", "1 2; 3 4")
    backward = [s for s in document["steps"] if s["phase"] == "backward"]
    assert [s["symbol"] for s in backward[:2]] == ["G", "dL_dW[0,0]"]
    assert backward[1]["substituted"] == "1*1 + 2*2 + 4*3 + 5*4"
    for step in backward:
        assert step["operands"] and "window" not in step["substituted"], step["symbol"]
    table = run("conv", "--input", IMAGE, "--kernel", KERNEL, "--grad-output", "1 2; 3 4").stdout
    assert "∂L/∂W[0,0] = Σ window ⊙ G = 1·1 + 2·2 + 4·3 + 5·4 = 37" in table
    assert "G_pad = pad(G, P_full)" in table and "W_rot = rot180(W)" in table


def test_transposed_backward_gathers_with_the_kernel_as_given():
    document = conv(
        "--transpose", "--input", "1 2; 3 4", "--kernel", "1 0; 2 1", "--stride", "2",
        "--padding", "1", "--output-padding", "1", "--grad-output", "1 1 1; 1 1 1; 1 1 1",
    )  # fmt: skip
    steps = {s["symbol"]: s for s in document["steps"]}
    assert steps["G_pad"]["operands"]["P"] == [1, 0, 1, 0]  # P − A at the bottom and right
    assert steps["dL_dX"]["formula"] == "conv(G_pad, W, S)"
    assert steps["dL_dW"]["formula"] == "conv_dW(G_pad, X, S)"
    assert_steps_honest(document["steps"])


def test_cells_option_and_only():
    document = conv("--input", IMAGE, "--kernel", KERNEL, "--backward", "--cells", "1")
    assert sum(s["symbol"].startswith("dL_dX[") for s in document["steps"]) == 1
    assert any("1 of 16" in note for note in document["notes"])
    only = conv("--input", IMAGE, "--kernel", KERNEL, "--backward", "--only", "grad_weight")
    assert {s["symbol"].partition("[")[0] for s in only["steps"]} == {"dL_dW"}
    assert len(only["steps"]) == 10
