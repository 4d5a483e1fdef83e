"""Checking: correct, rounding (uniform or mixed hand precisions), imprecise, wrong."""

from __future__ import annotations

import random

import pytest

from stepcalc import check
from stepcalc.calc.yolo import build_problem, yolo_toy
from stepcalc.context import Ctx
from stepcalc.errors import InputError
from stepcalc.trace import plain, round_half_up
from tests.helpers import assert_bad_input, run


def compute(ctx: Ctx) -> dict:
    """A three-step hand calculation: a = 2/3, b = 7a, c = b²/3."""
    a = ctx.r(2 / 3)
    b = ctx.r(a * 7)
    c = ctx.r(b * b / 3)
    return {"a": a, "b": b, "c": c, "v": [a, b], "group": {"c": c}}


def judge(quantity, given, tol=None, **kwargs):
    kwargs.setdefault("rerun", compute)
    outcome = check.evaluate(compute(Ctx()), [(quantity, given)], tol=tol, **kwargs)
    return outcome["items"][0]


def test_correct_means_exact_at_the_decimals_written():
    assert judge("b", "4.67")["verdict"] == "correct"
    assert judge("c", "7.26")["verdict"] == "correct"  # 7.259259…
    assert judge("c", "7.259")["verdict"] == "correct"
    assert judge("v", [0.667, 4.667])["verdict"] == "correct"
    assert judge("a", "2/3")["verdict"] == "correct"


def test_one_precision_throughout_is_rounding():
    # a = 0.7, b = 4.9, c = 4.9²/3 = 8.0033 → 8.00 when every step keeps one decimal
    item = judge("c", "8.00")
    assert item["verdict"] == "rounding"
    assert item["hand"] == {"round_steps": 1, "value": 8.0}


def test_too_few_digits_is_imprecise_never_rounding():
    # 7.26 needs two decimals (three significant digits): 7.3 is right but coarse,
    # 8.0 is coarse and wrong (one-decimal hand rounding would explain it, but a coarse
    # answer is never excused as rounding)
    item = judge("c", "7.3")
    assert item["verdict"] == "imprecise"
    assert item["advice"] == 7.26 and item["sig"] == 3
    assert judge("c", "8.0")["verdict"] == "wrong"
    assert judge("c", "7.3", sig=2)["verdict"] == "correct"
    # exact as written: 4 for 4.0, 25 for 24.9999999996 (a matrix is read at its own decimals)
    exact = {"n": 4.0, "s": 24.9999999996, "m": [[0.9937, 0.9554], [1.0949, 1.1554]]}
    for quantity, given, verdict in (
        ("n", "4", "correct"),
        ("s", "25", "correct"),
        ("m", [[0.99, 0.96], [1.09, 1.16]], "correct"),
        ("m", [[1.0, 1.0], [1.1, 1.2]], "imprecise"),
    ):
        outcome = check.evaluate(exact, [(quantity, given)])
        assert outcome["items"][0]["verdict"] == verdict, quantity
    assert check.evaluate(exact, [("m", [[1.0, 1.0], [1.1, 1.2]])])["ok"] is False


def test_cli_imprecise_answers_exit_1():
    result = run("yolo-toy", "--expect", "loss=30", "--json")
    assert result.code == 1
    item = result.json["check"]["items"][0]
    assert item["verdict"] == "imprecise" and item["advice"] == 29.5
    table = run("yolo-toy", "--expect", "loss=30").stdout
    assert "? loss" in table.replace("?  loss", "? loss")
    assert "write at least 3 significant digits: 29.5" in table


def test_mixed_precisions_are_rounding():
    # a to 2 decimals (0.67), b kept (4.69), c to 3 decimals: 4.69²/3 = 7.332; no single
    # precision gives 7.332 (k = 2 gives 7.33, k = 3 gives 7.266)
    item = judge("c", "7.332")
    assert item["verdict"] == "rounding"
    assert item["hand"]["round_steps"] == [2, 3]
    low, high = item["hand"]["value"]
    assert low <= 7.332 <= high


def test_wrong_names_the_cell_and_the_correct_value():
    # every hand path rounds 2/3 up, so nothing lands below the exact 7.259…
    item = judge("c", "6.90")
    assert item["verdict"] == "wrong"
    assert item["expected_cell"] == pytest.approx(7.259259, abs=1e-6)
    item = judge("v", [0.667, 4.2])
    assert item["verdict"] == "wrong"
    assert item["index"] == [1]
    assert item["given_cell"] == 4.2


def test_explicit_tolerance_replaces_the_rounding_rule():
    assert judge("c", "7.3", tol=0.05)["verdict"] == "correct"
    assert judge("c", "8.0", tol=0.05)["verdict"] == "wrong"


def test_without_a_rerun_nothing_is_rounding():
    assert judge("c", "8.00", rerun=None)["verdict"] == "wrong"


def test_bad_quantities():
    with pytest.raises(InputError, match="valid: a, b, c, v, group, group.c"):
        judge("d", "1")
    with pytest.raises(InputError, match="out of range"):
        judge("v[5]", "1")
    with pytest.raises(InputError, match="group"):
        judge("group", "1")
    assert judge("group.c", "7.26")["verdict"] == "correct"
    assert judge("v", [1, 2, 3])["verdict"] == "wrong"


def test_hand_ctx_counts_and_follows_its_schedule():
    ctx = check.HandCtx(Ctx(), 1, schedule=(None, 2))
    assert compute(ctx)["b"] == round_half_up(2 / 3 * 7, 2)
    assert ctx.calls == 3
    assert compute(check.HandCtx(Ctx(), 1))["a"] == 0.7


class ScheduleCtx(Ctx):
    """A student who rounds each step to a precision of their own choosing."""

    def __init__(self, rng, choices):
        super().__init__()
        self.rng, self.choices = rng, choices

    def r(self, value):
        decimals = self.rng.choice(self.choices)
        return value if decimals is None else round_half_up(value, decimals)


@pytest.mark.parametrize(("choices", "written"), [((2, 3, None), 2), ((2, 3), 3)])
def test_any_mix_of_neighbouring_precisions_is_never_wrong(choices, written):
    problem = build_problem()

    def rerun(ctx):
        return yolo_toy(problem, ctx).result

    exact = rerun(Ctx())
    quantities = ["loss", "grad_w_bbox", "grad_backbone", "grad_w_conv2", "grad_w_conv1"]
    rng = random.Random(7)
    for _ in range(2):
        student = plain(rerun(ScheduleCtx(rng, choices)))
        answers = [(q, round_half_up(check.lookup(student, q), written)) for q in quantities]
        outcome = check.evaluate(exact, answers, rerun=rerun)
        assert outcome["ok"], [i for i in outcome["items"] if i["verdict"] == "wrong"]


def test_cli_expect_with_mixed_precision_answer():
    # ∂L/∂Ŷ to 2 decimals, the products W·∂L/∂Y to 3, summed: the slide's −1.974
    outcome = run("yolo-toy", "--expect", "grad_backbone=-1.974", "--json")
    assert outcome.code == 0
    assert outcome.json["check"]["items"][0]["verdict"] == "rounding"
    outcome = run("yolo-toy", "--expect", "grad_backbone=-1.90", "--json")
    assert outcome.code == 1
    assert outcome.json["check"]["ok"] is False
    outcome = run("yolo-toy", "--expect", "grad_backbone=-1.974", "--tol", "1e-4", "--json")
    assert outcome.code == 1


def test_unknown_quantity_names_the_option_that_gave_it(tmp_path):
    outsize = ("outsize", "--input", "7", "--kernel", "3")
    line = assert_bad_input(*outsize, "--expect", "depth=3", mentions="--expect: unknown quantity")
    assert "height" in line and "width" in line
    assert_bad_input(*outsize, "--expect", "height[2]=3", mentions="--expect:")
    answers = tmp_path / "answers.yaml"
    answers.write_text("depth: 3\n")
    assert_bad_input(*outsize, "--check", str(answers), mentions="--check: unknown quantity")


def test_answers_file_may_nest_quantities_as_result_does(tmp_path):
    # {"standard": {"z_test": …}} reads as standard.z_test, like the JSON result it copies
    answers = tmp_path / "answers.json"
    answers.write_text('{"standard": {"z_train": 0.7, "z_test": 2.45}, "inverted.z_train": 1.4}')
    slide = (
        "dropout",
        "--input",
        "1 5 2 8",
        "--weights",
        "0.1 0.2 0.3 0.4",
        "--mask",
        "1 0 1 0",
        "--keep-prob",
        "0.5",
    )
    result = run(*slide, "--check", str(answers), "--json")
    assert result.code == 0, result.stderr
    items = {item["quantity"]: item["verdict"] for item in result.json["check"]["items"]}
    assert items == {
        "standard.z_train": "correct",
        "standard.z_test": "correct",
        "inverted.z_train": "correct",
    }
    answers.write_text('{"standard": {"z_tset": 2.45}}')
    assert_bad_input(*slide, "--check", str(answers), mentions="standard.z_tset")
