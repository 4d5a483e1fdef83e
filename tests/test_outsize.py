import pytest

from tests.helpers import assert_bad_input, assert_steps_honest, run, run_json


def result(*args):
    return run_json("outsize", *args)["result"]


def test_seed_formula_examples():
    # (H + 2P - F)/S + 1 from the notes: 7x7 input, 3x3 filter, stride 1 -> 5; stride 2 -> 3.
    assert result("--input", "7", "--kernel", "3")["height"] == 5
    assert result("--input", "7", "--kernel", "3", "--stride", "2")["height"] == 3
    # 32x32, 5x5, padding 2, stride 1 keeps the size (CS231n).
    assert result("--input", "32", "--kernel", "5", "--padding", "2")["width"] == 32


def test_not_whole_division_is_floored_and_flagged():
    document = run_json("outsize", "--input", "7", "--kernel", "3", "--stride", "3")
    assert document["result"] == {
        "height": 2,
        "width": 2,
        "channels": None,
        "exact": False,
        "effective_kernel": [3, 3],
    }
    assert any("PyTorch floors" in note for note in document["notes"])
    assert_steps_honest(document["steps"])


def test_per_axis_dilation_channels():
    out = result(
        "--input",
        "3,32,40",
        "--kernel",
        "3,5",
        "--dilation",
        "2",
        "--padding",
        "1,0",
        "--out-channels",
        "16",
    )
    assert (out["height"], out["width"], out["channels"]) == (30, 32, 16)


def test_pool_ceil_mode_matches_pytorch_rule():
    # 5 -> ceil((5 - 2)/2) + 1 = 3, and the last window starts inside the input.
    assert result("--input", "5", "--kernel", "2", "--kind", "pool", "--ceil-mode")["height"] == 3
    # 5, kernel 2, stride 2, padding 1: ceil gives 4, but the last window would start in the
    # right padding, so PyTorch keeps 3.
    out = run_json(
        "outsize",
        "--input",
        "5",
        "--kernel",
        "2",
        "--padding",
        "1",
        "--kind",
        "pool",
        "--ceil-mode",
    )
    assert out["result"]["height"] == 3
    assert_steps_honest(out["steps"])
    assert result("--input", "4,6,6", "--kernel", "2", "--kind", "pool")["channels"] == 4


def test_transpose_and_same():
    out = result(
        "--input",
        "4",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "1",
        "--output-padding",
        "1",
        "--kind",
        "transpose",
    )
    assert out["height"] == 8
    assert result("--input", "9", "--kernel", "5", "--padding", "same")["height"] == 9
    assert (
        result("--input", "9", "--kernel", "3", "--stride", "2", "--padding", "same")["height"] == 5
    )


def test_solve_padding():
    document = run_json(
        "outsize", "--input", "32", "--kernel", "5", "--solve", "padding", "--output", "32"
    )
    assert document["result"]["padding"] == [2, 2]
    none = run_json(
        "outsize",
        "--input",
        "32",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--solve",
        "padding",
        "--output",
        "10",
    )
    assert none["result"]["padding"] is None


def test_all_steps_honest_and_formats():
    args = ("outsize", "--input", "3,28,28", "--kernel", "5", "--stride", "2", "--padding", "1")
    assert_steps_honest(run_json(*args)["steps"])
    for fmt in ("table", "markdown", "latex"):
        assert run(*args, "--format", fmt).code == 0
    korean = run(*args, "--lang", "ko")
    assert "높이" in korean.stdout


@pytest.mark.parametrize(
    "args, mentions",
    [
        (("--input", "3", "--kernel", "5"), "output would be empty"),
        (("--input", "7", "--kernel", "0"), "--kernel"),
        (("--input", "7", "--kernel", "3", "--stride", "0"), "--stride"),
        (("--input", "7", "--kernel", "3", "--stride", "-1"), "--stride"),
        (("--input", "x", "--kernel", "3"), "--input"),
        (("--input", "7", "--kernel", "3", "--kind", "pool", "--padding", "2"), "--padding"),
        (("--input", "7", "--kernel", "3", "--ceil-mode"), "--ceil-mode"),
        (("--kernel", "3"), "--input"),
        (("--input", "7", "--kernel", "99999999999999"), "--kernel"),
        (("--input", "7", "--kernel", "3", "--kind", "deconv"), "--kind"),
        (("--input", "7", "--kernel", "3", "--decimals", "x"), "--decimals"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("outsize", *args, mentions=mentions)


def test_ceil_mode_window_larger_than_the_input_still_gives_one_output():
    # PyTorch: max_pool2d(2×2, kernel 3, stride 2, ceil_mode=True) is 1×1, because the first
    # window starts inside the input; without ceil_mode (or at stride 1) it is refused
    document = run_json(
        "outsize", "--input", "2", "--kernel", "3", "--stride", "2", "--kind", "pool", "--ceil-mode"
    )
    assert (document["result"]["height"], document["result"]["width"]) == (1, 1)
    assert_steps_honest(document["steps"])
    for extra in ((), ("--ceil-mode",)):
        stride = "1" if extra else "2"
        assert_bad_input(
            "outsize",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            stride,
            "--kind",
            "pool",
            *extra,
            mentions="--kernel",
        )


def test_strided_same_padding_note_is_given_once():
    document = run_json(
        "outsize", "--input", "32", "--kernel", "4", "--stride", "2", "--padding", "same"
    )
    assert (document["result"]["height"], document["result"]["width"]) == (16, 16)
    assert sum("PyTorch refuses" in note for note in document["notes"]) == 1


def test_width_step_reads_as_the_slide_and_the_title_is_words():
    steps = run_json("outsize", "--input", "7,9", "--kernel", "3", "--stride", "2")["steps"]
    width = next(step for step in steps if step.get("key") == "width")
    assert width["symbol"] == "W_out"
    assert width["formula"] == "floor((W + 2*P - D*(K - 1) - 1)/S) + 1"
    assert width["operands"] == {"W": 9, "K": 3, "S": 2, "D": 1, "P": 0}
    assert all("(" not in step["title"] for step in steps)
    assert_steps_honest(steps)


def test_effective_kernel_of_a_dilated_conv():
    document = run_json("outsize", "--input", "32", "--kernel", "3,5", "--dilation", "2")
    assert document["result"]["effective_kernel"] == [5, 9]
    assert (document["result"]["height"], document["result"]["width"]) == (28, 24)
    effective = [step for step in document["steps"] if step.get("key") == "effective_kernel"]
    assert [step["formula"] for step in effective] == ["D*(K - 1) + 1"] * 2
    assert_steps_honest(document["steps"])
    # without dilation the kernel is its own effective kernel, and no step says so
    plain = run_json("outsize", "--input", "32", "--kernel", "3")
    assert plain["result"]["effective_kernel"] == [3, 3]
    assert not any(step.get("key") == "effective_kernel" for step in plain["steps"])


def test_receptive_field_of_a_stack():
    document = run_json("outsize", "--stack", "k=3,d=2; k=2,s=2; k=3")
    assert document["result"]["receptive_field"] == 10  # 1 + 2·2 → 5, + 1·1 → 6, + 2·2 → 10
    first = document["steps"][0]
    assert first["formula"] == "r_0 + (k_1 - 1)*d_1*j_0"
    assert_steps_honest(document["steps"])
    sized = run_json("outsize", "--stack", "k=3,p=1; k=2,s=2; k=3", "--input", "3,32,32")
    assert (sized["result"]["height"], sized["result"]["width"]) == (14, 14)
    assert sized["result"]["receptive_field"] == 8


def receptive_field_by_gradient(torch, layers):
    """The input positions that reach the centre output, found by backpropagation."""
    nn = torch.nn
    net = nn.Sequential(
        *(nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in layers)
    )
    for conv in net:
        nn.init.ones_(conv.weight)
    x = torch.ones(1, 1, 101, requires_grad=True, dtype=torch.float64)
    out = net.double()(x)
    out[0, 0, out.shape[-1] // 2].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    return int(touched[-1] - touched[0] + 1)


@pytest.mark.parametrize("layers", [[(3, 1, 2), (2, 2, 1), (3, 1, 1)], [(7, 2, 1), (3, 2, 1)]])
def test_receptive_field_matches_torch(layers):
    torch = pytest.importorskip("torch")
    stack = "; ".join(f"k={k},s={s},d={d}" for k, s, d in layers)
    ours = run_json("outsize", "--stack", stack)["result"]["receptive_field"]
    assert ours == receptive_field_by_gradient(torch, layers)


def test_spp_features_and_bins_match_torch():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    document = run_json("outsize", "--kind", "spp", "--input", "256,13,13", "--levels", "1,2,4")
    assert document["result"]["features"] == 256 * (1 + 4 + 16)
    assert document["result"]["channels"] == 256
    assert_steps_honest(document["steps"])
    x = torch.rand(1, 256, 13, 13, dtype=torch.float64)
    pooled = [functional.adaptive_max_pool2d(x, n).flatten() for n in (1, 2, 4)]
    assert sum(part.numel() for part in pooled) == document["result"]["features"]
    # SPP-net's windows ⌈13/n⌉ every ⌊13/n⌋ give the same bins as adaptive pooling here
    steps = {step["title"]: step["value"] for step in document["steps"]}
    for n in (1, 2, 4):
        win = steps[f"level {n}, height and width: window"]
        stride = steps[f"level {n}, height and width: stride"]
        by_windows = functional.max_pool2d(x, win, stride)
        assert torch.equal(by_windows, functional.adaptive_max_pool2d(x, n))


def test_spp_uneven_bins_name_both_conventions():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    document = run_json("outsize", "--kind", "spp", "--input", "5,7", "--levels", "3")
    assert document["result"]["features"] == 9 and document["result"]["exact"] is False
    x = torch.rand(1, 1, 5, 7, dtype=torch.float64)
    windows = functional.max_pool2d(x, (2, 3), (1, 2))  # ⌈5/3⌉, ⌈7/3⌉ every ⌊5/3⌋, ⌊7/3⌋
    assert windows.shape[-2:] == (4, 3)  # SPP-net's rule: 4 rows of bins, not 3
    assert any("give 4 bins" in note for note in document["notes"])
    assert functional.adaptive_max_pool2d(x, 3).shape[-2:] == (3, 3)


def test_roi_pooling_to_a_fixed_size():
    torch = pytest.importorskip("torch")
    document = run_json("outsize", "--kind", "roi", "--input", "512,5,7", "--output", "2,2")
    result = document["result"]
    assert (result["height"], result["width"], result["features"]) == (2, 2, 512 * 2 * 2)
    values = {step["symbol"]: step["value"] for step in document["steps"]}
    assert (values["win_h"], values["str_h"], values["win_w"], values["str_w"]) == (3, 2, 4, 3)
    assert_steps_honest(document["steps"])
    roi = torch.rand(1, 512, 5, 7, dtype=torch.float64)
    pooled = torch.nn.functional.adaptive_max_pool2d(roi, (2, 2))
    assert pooled.numel() == result["features"]


@pytest.mark.parametrize(
    "args, mentions",
    [
        (("--stack", "k=3; s=2"), "layer 2 needs a kernel"),
        (("--stack", "k=3, q=1"), "'q=1'"),
        (("--stack", "k=3", "--kernel", "3"), "--kernel"),
        (("--stack", "k=3", "--stride", "2"), "--stride"),
        (("--stack", "k=3,s=0"), "--stack"),
        (("--stack", "k=9", "--input", "4"), "layer 1: the output height would be empty"),
        (("--input", "7", "--levels", "1,2"), "--levels"),
        (("--input", "7", "--kind", "spp"), "--levels"),
        (("--input", "7", "--kind", "roi"), "--output"),
        (("--input", "7", "--kind", "roi", "--output", "2", "--kernel", "3"), "--kernel"),
        (("--input", "7", "--kernel", "3", "--output", "5"), "--output"),
        (("--input", "7", "--kernel", "3,,3"), "--kernel"),
    ],
)
def test_bad_new_input(args, mentions):
    assert_bad_input("outsize", *args, mentions=mentions)
