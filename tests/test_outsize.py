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
    assert document["result"] == {"height": 2, "width": 2, "channels": None, "exact": False}
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
