"""``stepcalc loss``: hand-worked values, PyTorch agreement, honest steps, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

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

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
YOLO_PRED, YOLO_TARGET = "5.17 10.34 15.51", "12 15 20"


def loss_json(*args: str) -> dict:
    document = run_json("loss", *args)
    assert_steps_honest(document["steps"])
    return document


# ------------------------------------------------------------------------- hand-worked


def test_mse_of_the_seed_slide():
    # Seed 000: L = ((12 − 5.17)² + (15 − 10.34)² + (20 − 15.51)²)/3 ≈ 29.51,
    # ∂L/∂ŷ = 2/3·(ŷ − y) ≈ (−4.55, −3.11, −2.99).
    result = loss_json("--pred", YOLO_PRED, "--target", YOLO_TARGET)["result"]
    assert result["loss"] == pytest.approx((6.83**2 + 4.66**2 + 4.49**2) / 3)
    assert round(result["loss"], 2) == 29.51
    assert result["rmse"] == pytest.approx(math.sqrt(result["loss"]))
    assert result["grad_pred"] == pytest.approx([2 / 3 * -6.83, 2 / 3 * -4.66, 2 / 3 * -4.49])
    assert "probabilities" not in result and "penalty" not in result


def test_seed_slide_by_hand_with_two_decimals():
    # Hand mode rounds each step's value, so the steps are not re-evaluated here.
    result = run_json("loss", "--pred", YOLO_PRED, "--target", YOLO_TARGET, "--round-steps", "2")
    assert result["result"]["loss"] == 29.51
    assert result["result"]["grad_pred"] == [-4.55, -3.11, -2.99]


def test_steps_show_each_term_the_reduction_and_the_gradient_rule():
    steps = loss_json("--pred", YOLO_PRED, "--target", YOLO_TARGET)["steps"]
    assert [s["phase"] for s in steps] == ["forward"] * 4 + ["backward"]
    reduction = steps[2]
    assert reduction["formula"] == "(l_0 + l_1 + l_2)/n"
    assert reduction["inputs"]["n"] == 3
    assert steps[-1]["rule"] == "2/n·(ŷ − y)"
    assert steps[-1]["key"] == "grad_pred"


def test_sum_reduction_drops_the_division():
    result = loss_json("--pred", YOLO_PRED, "--target", YOLO_TARGET, "--reduction", "sum")["result"]
    assert result["loss"] == pytest.approx(6.83**2 + 4.66**2 + 4.49**2)
    assert result["grad_pred"] == pytest.approx([2 * -6.83, 2 * -4.66, 2 * -4.49])


def test_mae_and_huber_by_hand():
    mae = loss_json("--fn", "mae", "--pred", "1 2 3", "--target", "2 2 1")["result"]
    assert mae["loss"] == pytest.approx(1.0)
    assert mae["grad_pred"] == pytest.approx([-1 / 3, 0, 1 / 3])
    huber = loss_json("--fn", "huber", "--pred", "0 0", "--target", "0.5 3")["result"]
    assert huber["loss"] == pytest.approx((0.125 + 2.5) / 2)
    assert huber["grad_pred"] == pytest.approx([-0.25, -0.5])


def test_cross_entropy_with_logits_by_hand():
    document = loss_json("--fn", "cross-entropy", "--pred", "2 1 0.1", "--target", "0", "--logits")
    result = document["result"]
    exps = [math.exp(2), math.exp(1), math.exp(0.1)]
    p = [e / sum(exps) for e in exps]
    assert result["probabilities"] == pytest.approx(p)
    assert result["loss"] == pytest.approx(-math.log(p[0]))
    assert round(result["loss"], 4) == 0.4170
    assert result["grad_pred"] == pytest.approx([p[0] - 1, p[1], p[2]])
    titles = [s["title"] for s in document["steps"]]
    assert "log-sum-exp" in titles


def test_cross_entropy_on_probabilities_is_minus_log_of_the_target_class():
    result = loss_json("--fn", "cross-entropy", "--pred", "0.7 0.2 0.1", "--target", "1 0 0")[
        "result"
    ]
    assert result["loss"] == pytest.approx(-math.log(0.7))
    assert result["grad_pred"] == pytest.approx([-1 / 0.7, 0, 0])


def test_cross_entropy_logits_are_stable_for_huge_scores():
    result = loss_json(
        "--fn", "cross-entropy", "--pred", "1000 0 -1000", "--target", "1", "--logits"
    )["result"]
    assert result["loss"] == pytest.approx(1000.0)
    assert result["grad_pred"] == pytest.approx([1.0, -1.0, 0.0])


def test_bce_with_logits_is_stable_for_huge_scores():
    result = loss_json("--fn", "bce", "--pred", "-800 800", "--target", "1 1", "--logits")["result"]
    assert result["loss"] == pytest.approx(400.0)
    assert result["probabilities"] == pytest.approx([0.0, 1.0])


def test_l2_default_is_lambda_times_sum_of_squares_with_gradient_two_lambda_w():
    result = loss_json("--pred", "1 2", "--target", "1 1", "--l2", "0.1", "--weights", "0.5 -1")[
        "result"
    ]
    assert result["penalty"] == pytest.approx(0.1 * (0.25 + 1))
    assert result["grad_weights"] == pytest.approx([0.1, -0.2])
    assert result["total"] == pytest.approx(0.5 + 0.125)


def test_l2_half_form_and_l1():
    half = loss_json(
        "--pred", "1", "--target", "1", "--l2", "0.1", "--l2-form", "half", "--weights", "0.5 -1"
    )["result"]
    assert half["penalty"] == pytest.approx(0.0625)
    assert half["grad_weights"] == pytest.approx([0.05, -0.1])
    l1 = loss_json("--pred", "1", "--target", "1", "--l1", "0.3", "--weights", "0.5 -1 0")["result"]
    assert l1["penalty"] == pytest.approx(0.45)
    assert l1["grad_weights"] == pytest.approx([0.3, -0.3, 0.0])


def test_l2_step_is_weight_decay():
    document = loss_json(
        "--pred", "1", "--target", "1", "--l2", "0.1", "--weights", "0.5 -1", "--lr", "0.1"
    )
    assert document["result"]["updated_weights"] == pytest.approx([0.49, -0.98])
    decayed = [s for s in document["steps"] if s["phase"] == "update"]
    assert len(decayed) == 3 and decayed[-1]["value"] == pytest.approx([0.49, -0.98])
    assert any("weight_decay=0.2" in note for note in document["notes"])


def test_samples_run_and_are_honest():
    names = sorted(SAMPLES.glob("loss_*.yaml"))
    assert len(names) >= 3
    for sample in names:
        loss_json("--from", str(sample))


def test_check_accepts_the_slide_answer():
    outcome = run("loss", "--pred", YOLO_PRED, "--target", YOLO_TARGET, "--expect", "loss=29.51")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    outcome = run(
        "loss", "--pred", YOLO_PRED, "--target", YOLO_TARGET, "--expect", "grad_pred[0]=-4.45"
    )
    assert outcome.code == 1


def test_terminal_korean_and_ascii_render():
    for extra in ((), ("--lang", "ko"), ("--ascii",)):
        outcome = run(
            "loss",
            "--fn",
            "cross-entropy",
            "--pred",
            "2 1; 0 3",
            "--target",
            "0 1",
            "--logits",
            "--l1",
            "0.1",
            "--weights",
            "1 -2",
            *extra,
        )
        assert outcome.code == 0, outcome.stderr
        assert "grad_pred" in outcome.stdout


# ------------------------------------------------------------------------- PyTorch


def _grad(torch, function, pred, *args, **kwargs):
    x = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    value = function(x, *args, **kwargs)
    value.backward()
    return value, x.grad


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(
    ("fn", "name", "extra"),
    [
        ("mse", "mse_loss", {}),
        ("mae", "l1_loss", {}),
        ("huber", "huber_loss", {}),
        ("huber", "huber_loss", {"delta": 0.3}),
    ],
)
def test_regression_losses_match_torch(fn, name, extra, reduction):
    torch = torch_or_skip()
    pred = [[0.2, -1.5, 3.0], [0.7, 0.7, -0.1]]
    target = [[0.0, 1.0, 2.5], [0.7, -0.4, 0.3]]
    args = ["--fn", fn, "--pred", str(pred), "--target", str(target), "--reduction", reduction]
    if "delta" in extra:
        args += ["--delta", str(extra["delta"])]
    result = loss_json(*args)["result"]
    function = getattr(torch.nn.functional, name)
    value, grad = _grad(
        torch,
        function,
        pred,
        torch.tensor(target, dtype=torch.float64),
        reduction=reduction,
        **extra,
    )
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], grad)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_bce_matches_torch(reduction):
    torch = torch_or_skip()
    F = torch.nn.functional
    pred, target = [0.9, 0.2, 0.5, 1e-3], [1.0, 0.0, 0.3, 1.0]
    result = loss_json(
        "--fn", "bce", "--pred", str(pred), "--target", str(target), "--reduction", reduction
    )["result"]
    value, grad = _grad(
        torch,
        F.binary_cross_entropy,
        pred,
        torch.tensor(target, dtype=torch.float64),
        reduction=reduction,
    )
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], grad)
    logits = [[2.0, -1.0], [0.0, 30.0]]
    targets = [[1.0, 0.0], [0.5, 0.0]]
    result = loss_json(
        "--fn",
        "bce",
        "--pred",
        str(logits),
        "--target",
        str(targets),
        "--logits",
        "--reduction",
        reduction,
    )["result"]
    value, grad = _grad(
        torch,
        F.binary_cross_entropy_with_logits,
        logits,
        torch.tensor(targets, dtype=torch.float64),
        reduction=reduction,
    )
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], grad)
    assert_matches_torch(
        result["probabilities"], torch.sigmoid(torch.tensor(logits, dtype=torch.float64))
    )


def test_bce_clamps_logs_like_torch():
    torch = torch_or_skip()
    pred, target = [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]
    document = loss_json("--fn", "bce", "--pred", str(pred), "--target", str(target))
    value, grad = _grad(
        torch,
        torch.nn.functional.binary_cross_entropy,
        pred,
        torch.tensor(target, dtype=torch.float64),
    )
    assert_matches_torch(document["result"]["loss"], value)
    assert_matches_torch(document["result"]["grad_pred"], grad)
    assert any("−100" in note for note in document["notes"])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(
    ("logits", "target"),
    [
        ([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [-1.0, 0.0, 4.0]], [0, 1, 1]),
        ([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], [[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]]),
        ([3.0, -2.0, 0.5, 1.0], 3),
        ([3.0, -2.0, 0.5, 1.0], [0.0, 0.0, 1.0, 0.0]),
    ],
)
def test_cross_entropy_with_logits_matches_torch(logits, target, reduction):
    torch = torch_or_skip()
    result = loss_json(
        "--fn",
        "cross-entropy",
        "--pred",
        str(logits),
        "--target",
        str(target),
        "--logits",
        "--reduction",
        reduction,
    )["result"]
    t = torch.tensor(
        target,
        dtype=torch.long
        if isinstance(target, int) or (isinstance(target[0], int))
        else torch.float64,
    )
    value, grad = _grad(torch, torch.nn.functional.cross_entropy, logits, t, reduction=reduction)
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], grad)
    assert_matches_torch(
        result["probabilities"], torch.softmax(torch.tensor(logits, dtype=torch.float64), -1)
    )


def test_cross_entropy_on_probabilities_matches_nll_of_log():
    torch = torch_or_skip()
    probs = [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]]
    result = loss_json("--fn", "cross-entropy", "--pred", str(probs), "--target", "0 2")["result"]

    def nll_of_log(p, target):
        return torch.nn.functional.nll_loss(torch.log(p), target)

    value, grad = _grad(torch, nll_of_log, probs, torch.tensor([0, 2]))
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], grad)


def test_penalties_match_autograd_and_sgd_weight_decay():
    torch = torch_or_skip()
    weights = [[0.5, -1.0], [0.0, 2.0]]
    result = loss_json(
        "--pred", "1", "--target", "0", "--l1", "0.05", "--l2", "0.1", "--weights", str(weights)
    )["result"]
    w = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
    penalty = 0.05 * w.abs().sum() + 0.1 * (w**2).sum()
    penalty.backward()
    assert_matches_torch(result["penalty"], penalty)
    assert_matches_torch(result["grad_weights"], w.grad)

    grad = [[0.3, -0.1], [0.2, 0.0]]
    for form, decay in (("full", 0.2), ("half", 0.1)):
        result = loss_json(
            "--pred",
            "1",
            "--target",
            "0",
            "--l2",
            "0.1",
            "--l2-form",
            form,
            "--weights",
            str(weights),
            "--lr",
            "0.5",
            "--grad-weights",
            str(grad),
        )["result"]
        w = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.5, weight_decay=decay)
        w.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
        assert_matches_torch(result["updated_weights"], w)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--pred", "1 2 3", "--target", "1 2"), "--target: shape 2 does not match"),
        (("--fn", "bce", "--pred", "0.5 1.2", "--target", "1 0"), "--pred: probabilities"),
        (("--fn", "bce", "--pred", "0.5 0.2", "--target", "1 2"), "--target: probabilities"),
        (
            ("--fn", "cross-entropy", "--pred", "1 2; 3 4", "--target", "0 2", "--logits"),
            "class index 2 is out of range",
        ),
        (
            ("--fn", "cross-entropy", "--pred", "1 2", "--target", "-1", "--logits"),
            "class index -1 is out of range",
        ),
        (
            ("--fn", "cross-entropy", "--pred", "1 2", "--target", "0.5", "--logits"),
            "not a whole number",
        ),
        (
            ("--fn", "cross-entropy", "--pred", "1 2; 3 4", "--target", "0 1 1", "--logits"),
            "--target",
        ),
        (("--fn", "cross-entropy", "--pred", "0 1 0", "--target", "0"), "infinite"),
        (("--fn", "cross-entropy", "--pred", "2 -1 0", "--target", "0"), "--logits"),
        (("--pred", "1", "--target", "1", "--l2", "-0.1", "--weights", "1"), "--l2"),
        (("--pred", "1", "--target", "1", "--l1", "-1", "--weights", "1"), "must not be negative"),
        (("--pred", "1", "--target", "1", "--l2", "0.1"), "--weights"),
        (("--pred", "1", "--target", "1", "--weights", "1"), "--weights"),
        (("--pred", "1", "--target", "1", "--logits"), "--logits"),
        (("--fn", "huber", "--pred", "1", "--target", "1", "--delta", "0"), "--delta"),
        (("--pred", "1", "--target", "1", "--delta", "2"), "--delta"),
        (("--fn", "hinge", "--pred", "1", "--target", "1"), "--fn"),
        (("--pred", "1 nan", "--target", "1 1"), "--pred"),
        (("--target", "1"), "--pred"),
        (
            (
                "--pred",
                "1",
                "--target",
                "1",
                "--l2",
                "1",
                "--weights",
                "1 2",
                "--lr",
                "0.1",
                "--grad-weights",
                "1",
            ),
            "--grad-weights",
        ),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("loss", *args, mentions=mentions)


def test_json_is_plain_numbers():
    document = loss_json(
        "--fn", "cross-entropy", "--pred", "[[1, 2], [3, 4]]", "--target", "1 0", "--logits"
    )
    assert np.asarray(document["result"]["grad_pred"]).shape == (2, 2)
    assert document["inputs"]["reduction"] == "mean"


def test_random_problems_match_torch():
    torch = torch_or_skip()
    F = torch.nn.functional
    rng = np.random.default_rng(20261130)
    for _ in range(6):
        samples, classes = int(rng.integers(1, 5)), int(rng.integers(2, 6))
        logits = rng.normal(scale=3, size=(samples, classes)).round(3)
        labels = rng.integers(0, classes, size=samples)
        result = loss_json(
            "--fn",
            "cross-entropy",
            "--logits",
            "--pred",
            json.dumps(logits.tolist()),
            "--target",
            json.dumps(labels.tolist()),
        )["result"]
        value, grad = _grad(torch, F.cross_entropy, logits.tolist(), torch.tensor(labels))
        assert_matches_torch(result["loss"], value)
        assert_matches_torch(result["grad_pred"], grad)
        target = rng.integers(0, 2, size=(samples, classes)).astype(float)
        result = loss_json(
            "--fn",
            "bce",
            "--logits",
            "--pred",
            json.dumps(logits.tolist()),
            "--target",
            json.dumps(target.tolist()),
            "--reduction",
            "sum",
        )["result"]
        value, grad = _grad(
            torch,
            F.binary_cross_entropy_with_logits,
            logits.tolist(),
            torch.tensor(target, dtype=torch.float64),
            reduction="sum",
        )
        assert_matches_torch(result["loss"], value)
        assert_matches_torch(result["grad_pred"], grad)
