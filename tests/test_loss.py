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
    assert reduction["formula"] == "mean(l)" and reduction["key"] == "loss"
    assert reduction["substituted"].endswith(")/3")  # written out: (46.6489 + 21.7156 + …)/3
    assert steps[-1]["formula"] == "2*d/n"
    assert steps[-1]["operands"]["n"] == 3
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
    formulas = [s["formula"] for s in document["steps"]]
    assert formulas[:4] == ["amax(z)", "sum(exp(z - m))", "exp(z - m)/S", "m + log(S) - z_y"]


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
        (("--fn", "focal", "--pred", "1", "--target", "1"), "--fn"),
        (("--fn", "hinge", "--pred", "1", "--target", "0"), "targets are −1 or 1"),
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


# ------------------------------------------------------------------------- new losses


def test_multiclass_svm_of_cs231n_by_hand():
    document = loss_json("--from", str(SAMPLES / "loss_svm_cs231n.yaml"))
    result = document["result"]
    assert result["loss"] == pytest.approx((2.9 + 0 + 12.9) / 3)
    np.testing.assert_allclose(
        result["grad_pred"], [[-1 / 3, 1 / 3, 0], [0, 0, 0], [1 / 3, 1 / 3, -2 / 3]]
    )
    first = document["steps"][0]
    assert first["formula"] == "sum(max(0, s_j - s_y + Delta))"
    assert first["substituted"] == "max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1)"
    assert first["value"] == pytest.approx(2.9)
    assert any("multi_margin_loss" in note for note in document["notes"])
    alias = loss_json("--fn", "svm", "--pred", "3.2 5.1 -1.7", "--target", "0")["result"]
    assert alias["loss"] == pytest.approx(2.9)
    assert alias["grad_pred"] == pytest.approx([-1, 1, 0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_multiclass_hinge_is_multi_margin_loss_times_the_classes(reduction, margin):
    torch = torch_or_skip()
    # sample 1 sits exactly on a margin for margin 1 (1 − 2 + 1 = 0): no gradient there
    scores = [[3.2, 5.1, -1.7], [1.0, 2.0, 0.0], [0.3, -0.2, 0.9], [2.0, 2.0, 2.0]]
    labels = [0, 1, 2, 1]
    result = loss_json(
        "--fn",
        "multiclass-hinge",
        "--pred",
        str(scores),
        "--target",
        str(labels),
        "--margin",
        str(margin),
        "--reduction",
        reduction,
    )["result"]
    x = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    value = torch.nn.functional.multi_margin_loss(
        x, torch.tensor(labels), margin=margin, reduction=reduction
    )
    value.backward(torch.ones_like(value))
    classes = len(scores[0])
    assert_matches_torch(result["loss"], value * classes)
    assert_matches_torch(result["grad_pred"], x.grad * classes)


def test_multiclass_hinge_by_numpy_with_one_hot_targets():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(6, 4)).round(2)
    labels = rng.integers(0, 4, size=6)
    one_hot = np.eye(4)[labels]
    result = loss_json(
        "--fn",
        "svm",
        "--pred",
        json.dumps(scores.tolist()),
        "--target",
        json.dumps(one_hot.tolist()),
        "--reduction",
        "sum",
        "--sample",
        "0,5",
    )["result"]
    margins = np.maximum(0, scores - scores[np.arange(6), labels][:, None] + 1)
    margins[np.arange(6), labels] = 0
    assert result["loss"] == pytest.approx(margins.sum())
    grad = (margins > 0).astype(float)
    grad[np.arange(6), labels] = -grad.sum(axis=1)
    np.testing.assert_allclose(result["grad_pred"], grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("fn", ["hinge", "squared-hinge"])
def test_binary_hinges_match_torch_relu(fn, reduction):
    torch = torch_or_skip()
    pred = [[0.8, -0.3, 2.0], [1.0, -1.0, 0.2]]  # 1.0 and -1.0 lie on the kink
    target = [[1.0, 1.0, -1.0], [1.0, -1.0, 1.0]]
    result = loss_json(
        "--fn", fn, "--pred", str(pred), "--target", str(target), "--reduction", reduction
    )["result"]
    x = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    hinge = torch.relu(1 - torch.tensor(target, dtype=torch.float64) * x)
    per_value = hinge**2 if fn == "squared-hinge" else hinge
    value = {"mean": per_value.mean(), "sum": per_value.sum(), "none": per_value}[reduction]
    value.backward(torch.ones_like(value))
    assert_matches_torch(result["loss"], value)
    assert_matches_torch(result["grad_pred"], x.grad)


KERAS_EPS = 1e-7


def keras_mape(y, y_hat):
    return 100 * np.mean(np.abs((y - y_hat) / np.maximum(np.abs(y), KERAS_EPS)), axis=-1)


def keras_msle(y, y_hat):
    first = np.log(np.maximum(y_hat, KERAS_EPS) + 1.0)
    second = np.log(np.maximum(y, KERAS_EPS) + 1.0)
    return np.mean((first - second) ** 2, axis=-1)


@pytest.mark.parametrize(
    ("fn", "keras", "pred", "target"),
    [
        (
            "mape",
            keras_mape,
            [[110.0, 90.0, 3.0], [1.0, -2.0, 0.5]],
            [[100.0, 100.0, 3.0], [2.0, 4.0, 0.0]],
        ),
        (
            "msle",
            keras_msle,
            [[2.5, 0.1, 3.0], [1.0, 0.0, 7.0]],
            [[3.0, 0.5, 2.0], [2.0, 1.0, 7.0]],
        ),
        (
            "msle",
            keras_msle,
            [[2.5, -0.5, 3.0], [1.0, 0.0, 7.0]],
            [[3.0, 0.0, 2.0], [2.0, 1.0, 7.0]],
        ),
    ],
)
def test_mape_and_msle_are_keras(fn, keras, pred, target):
    y, y_hat = np.array(target), np.array(pred)
    per_sample = keras(y, y_hat)
    for reduction, expected in (
        ("mean", per_sample.mean()),
        ("sum", per_sample.sum()),
        ("none", per_sample),
    ):
        result = loss_json(
            "--fn",
            fn,
            "--pred",
            str(pred),
            "--target",
            str(target),
            "--convention",
            "keras",
            "--reduction",
            reduction,
        )["result"]
        np.testing.assert_allclose(result["loss"], expected, rtol=1e-12)
    torch = torch_or_skip()
    x = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(target, dtype=torch.float64)
    if fn == "mape":
        per_value = 100 * (t - x).abs() / torch.clamp(t.abs(), min=KERAS_EPS)
    else:
        logs = torch.log(torch.clamp(x, min=KERAS_EPS) + 1) - torch.log(
            torch.clamp(t, min=KERAS_EPS) + 1
        )
        per_value = logs**2
    per_value.mean().backward()
    result = loss_json("--fn", fn, "--pred", str(pred), "--target", str(target))["result"]
    np.testing.assert_allclose(result["loss"], per_sample.mean(), rtol=1e-12)
    assert_matches_torch(result["grad_pred"], x.grad)


def test_clamps_are_written_only_where_they_act():
    plain = loss_json("--fn", "bce", "--pred", "0.9 0.2", "--target", "1 0")
    assert "max" not in plain["steps"][0]["formula"] and "notes" not in plain
    clamped = loss_json("--fn", "bce", "--pred", "0 0.2", "--target", "1 0")
    assert "max(log(y_hat), -100)" in clamped["steps"][0]["formula"]
    assert clamped["result"]["loss"] == pytest.approx((100 - math.log(0.8)) / 2)
    mape = loss_json("--fn", "mape", "--pred", "1 2", "--target", "2 4")
    assert mape["steps"][1]["formula"] == "100*abs(d)/abs(y)"


def test_keras_sum_adds_per_sample_means():
    torch = torch_or_skip()
    pred = [[5.17, 10.34, 15.51], [1.0, 2.0, 3.0]]
    target = [[12.0, 15.0, 20.0], [2.0, 3.0, 1.0]]
    document = loss_json("--from", str(SAMPLES / "loss_keras_sum.yaml"))
    x = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    per_sample = ((x - torch.tensor(target, dtype=torch.float64)) ** 2).mean(dim=-1)
    per_sample.sum().backward()
    assert_matches_torch(document["result"]["loss"], per_sample.sum())
    assert_matches_torch(document["result"]["grad_pred"], x.grad)
    torch_sum = loss_json("--pred", str(pred), "--target", str(target), "--reduction", "sum")
    # PyTorch's sum adds all values: F = 3 times Keras' sum of per-sample means
    assert torch_sum["result"]["loss"] == pytest.approx(3 * document["result"]["loss"])
    none = loss_json(
        "--pred", str(pred), "--target", str(target), "--convention", "keras", "--reduction", "none"
    )["result"]
    assert_matches_torch(none["loss"], per_sample)
    # a vector is one sample: Keras' sum of it is its mean
    vector = loss_json(
        "--pred", YOLO_PRED, "--target", YOLO_TARGET, "--convention", "keras", "--reduction", "sum"
    )["result"]
    assert vector["loss"] == pytest.approx((6.83**2 + 4.66**2 + 4.49**2) / 3)


@pytest.mark.parametrize(
    ("fn", "name", "args", "pred", "target"),
    [
        ("mse", "mse_loss", (), [[0.2, -1.5], [3.0, 0.7]], [[0.0, 1.0], [2.5, 0.7]]),
        ("mae", "l1_loss", (), [[0.2, -1.5], [3.0, 0.7]], [[0.0, 1.0], [2.5, 0.7]]),
        (
            "huber",
            "huber_loss",
            ("--delta", "0.5"),
            [[0.2, -1.5], [3.0, 0.7]],
            [[0.0, 1.0], [2.5, 0.7]],
        ),
        ("bce", "binary_cross_entropy", (), [0.9, 0.2, 0.5], [1.0, 0.0, 0.3]),
        (
            "bce",
            "binary_cross_entropy_with_logits",
            ("--logits",),
            [2.0, -1.0, 0.0],
            [1.0, 0.0, 0.3],
        ),
        (
            "cross-entropy",
            "cross_entropy",
            ("--logits",),
            [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]],
            [0, 1],
        ),
    ],
)
def test_reduction_none_matches_torch(fn, name, args, pred, target):
    torch = torch_or_skip()
    document = loss_json(
        "--fn", fn, "--pred", str(pred), "--target", str(target), "--reduction", "none", *args
    )
    kwargs = {"delta": 0.5} if fn == "huber" else {}
    t = torch.tensor(target, dtype=torch.long if fn == "cross-entropy" else torch.float64)
    x = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    value = getattr(torch.nn.functional, name)(x, t, reduction="none", **kwargs)
    value.backward(torch.ones_like(value))
    assert_matches_torch(document["result"]["loss"], value)
    assert_matches_torch(document["result"]["grad_pred"], x.grad)
    assert any("gradient of the sum" in note for note in document["notes"])


def test_many_samples_show_four_and_say_how_to_see_the_rest():
    rng = np.random.default_rng(11)
    logits = json.dumps(rng.normal(size=(10, 3)).round(2).tolist())
    labels = json.dumps(rng.integers(0, 3, size=10).tolist())
    args = ("--fn", "cross-entropy", "--logits", "--pred", logits, "--target", labels)
    document = loss_json(*args)
    symbols = {s.get("symbol") for s in document["steps"]}
    assert {"L[0]", "L[3]"} <= symbols and "L[4]" not in symbols
    assert any("--sample 9" in note for note in document["notes"])
    chosen = loss_json(*args, "--sample", "7")
    assert {s.get("symbol") for s in chosen["steps"]} >= {"m[7]", "L[7]"}
    assert chosen["result"] == document["result"]
    assert_bad_input("loss", *args, "--sample", "10", mentions="--sample")


def test_no_sympy_names_in_what_a_student_reads():
    for sample in sorted(SAMPLES.glob("loss_*.yaml")):
        text = run("loss", "--from", str(sample)).stdout
        for name in ("clamp_log", "xlogy", "row_max", "Piecewise", "Abs(", "sum_all", "one_hot"):
            assert name not in text, (sample, name)


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--fn", "svm", "--pred", "1 2; 3 4", "--target", "[[0.5, 0.5], [0, 1]]"), "one class"),
        (("--pred", "1", "--target", "1", "--margin", "2"), "--margin"),
        (("--fn", "svm", "--pred", "1 2", "--target", "0", "--margin", "-1"), "--margin"),
        (("--pred", "1", "--target", "1", "--lr", "0.1"), "--lr"),
        (
            ("--pred", "1", "--target", "1", "--l2", "1", "--weights", "1", "--grad-weights", "1"),
            "--grad-weights",
        ),
    ],
)
def test_bad_input_of_the_new_options(args, mentions):
    assert_bad_input("loss", *args, mentions=mentions)


def test_a_target_row_without_a_class_is_bad_input():
    assert_bad_input(
        "loss", "--fn", "cross-entropy", "--pred", "0.5 0.5", "--target", "0 0", mentions="--target"
    )
