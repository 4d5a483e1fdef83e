"""yolo-toy: the seed slide's toy YOLO, its corrections, training and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from stepcalc import limits
from stepcalc.calc.yolo import DEFAULT_PROBLEM
from tests.helpers import (
    assert_bad_input,
    assert_matches_torch,
    assert_steps_honest,
    run,
    run_json,
    torch_or_skip,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CONTRACT_KEYS = {
    "conv1_output",
    "silu1_output",
    "conv2_output",
    "backbone_output",
    "neck_output",
    "y_pred",
    "loss",
    "grad_y_pred",
    "grad_w_bbox",
    "grad_w_cls",
    "grad_backbone",
    "grad_conv2_output",
    "grad_w_conv2",
    "grad_silu1_output",
    "grad_conv1_output",
    "grad_w_conv1",
    "updated",
}


def yolo(*args):
    return run_json("yolo-toy", *args)


def test_sample_file_is_the_built_in_problem():
    assert yaml.safe_load((SAMPLES / "yolo_toy.yaml").read_text()) == DEFAULT_PROBLEM
    assert yolo()["result"] == yolo("--from", str(SAMPLES / "yolo_toy.yaml"))["result"]


def test_slide_numbers_worked_by_hand():
    document = yolo()
    result = document["result"]
    assert set(result) == CONTRACT_KEYS
    assert set(result["updated"]) == {"w_conv1", "w_conv2", "w_bbox", "w_cls"}
    assert result["conv1_output"] == [[25, 18], [20, 18]]
    assert result["conv2_output"] == pytest.approx(51.7, abs=1e-6)
    assert result["neck_output"] == result["backbone_output"]
    assert result["y_pred"] == pytest.approx([5.17, 10.34, 15.51], abs=1e-6)
    # (6.83² + 4.66² + 4.49²)/3 with the tiny SiLU shortfall
    assert result["loss"] == pytest.approx(88.5246 / 3, abs=1e-5)
    assert result["grad_y_pred"] == pytest.approx(
        [-6.83 * 2 / 3, -4.66 * 2 / 3, -4.49 * 2 / 3], 1e-6
    )
    g = result["grad_conv1_output"]
    image = DEFAULT_PROBLEM["image"]
    # ∂L/∂W_conv1[0][0] = 1·g00 + 2·g01 + 4·g10 + 5·g11 (correlation of I with the upstream)
    assert result["grad_w_conv1"][0][0] == pytest.approx(
        image[0][0] * g[0][0]
        + image[0][1] * g[0][1]
        + image[1][0] * g[1][0]
        + image[1][1] * g[1][1]
    )
    assert result["grad_w_conv1"][0][0] == pytest.approx(-16.7847, abs=1e-4)
    assert result["updated"]["w_cls"] == pytest.approx(0.3 + 0.01 * 154.7553, abs=1e-4)
    assert isinstance(result["grad_w_cls"], float)
    assert np.shape(result["grad_w_bbox"]) == (2,)
    phases = [step["phase"] for step in document["steps"]]
    assert phases == sorted(phases, key=["forward", "backward", "update"].index)
    assert_steps_honest(document["steps"])


def test_neck_multiplies_and_is_updated():
    document = yolo("--neck")
    result = document["result"]
    assert result["neck_output"] == pytest.approx(0.5 * result["backbone_output"])
    assert "w_neck" in result["updated"]
    assert_steps_honest(document["steps"])


def _torch_reference(torch, problem, neck):
    t = {k: torch.tensor(v, dtype=torch.float64) for k, v in problem.items() if k != "lr"}
    weights = {k: t[k].clone().requires_grad_(True) for k in t if k.startswith("w_")}
    conv1 = torch.nn.functional.conv2d(t["image"][None, None], weights["w_conv1"][None, None])
    silu1 = torch.nn.functional.silu(conv1)
    conv2 = torch.nn.functional.conv2d(silu1, weights["w_conv2"][None, None]).reshape(())
    backbone = torch.nn.functional.silu(conv2)
    head_input = weights["w_neck"] * backbone if neck else backbone
    y_pred = torch.cat(
        [weights["w_bbox"] * head_input, (weights["w_cls"] * head_input).reshape(-1)]
    )
    loss = torch.nn.functional.mse_loss(y_pred, t["y_true"])
    for tensor in (conv1, silu1, conv2, backbone, head_input, y_pred):
        tensor.retain_grad()
    loss.backward()
    return {
        "conv1_output": conv1[0, 0],
        "silu1_output": silu1[0, 0],
        "conv2_output": conv2,
        "backbone_output": backbone,
        "neck_output": head_input,
        "y_pred": y_pred,
        "loss": loss,
        "grad_y_pred": y_pred.grad,
        "grad_w_bbox": weights["w_bbox"].grad,
        "grad_w_cls": weights["w_cls"].grad,
        "grad_backbone": backbone.grad,
        "grad_conv2_output": conv2.grad,
        "grad_w_conv2": weights["w_conv2"].grad,
        "grad_silu1_output": silu1.grad[0, 0],
        "grad_conv1_output": conv1.grad[0, 0],
        "grad_w_conv1": weights["w_conv1"].grad,
        "updated": {
            name: weights[name].detach() - problem["lr"] * weights[name].grad
            for name in weights
            if neck or name != "w_neck"
        },
    }


@pytest.mark.parametrize("neck", [False, True])
@pytest.mark.parametrize("seed", [None, 1])
def test_matches_torch_float64(tmp_path, neck, seed):
    torch = torch_or_skip()
    problem = dict(DEFAULT_PROBLEM)
    if seed is not None:
        rng = np.random.default_rng(seed)
        problem.update(
            image=rng.normal(size=(5, 4)).round(2).tolist(),
            w_conv1=rng.normal(size=(3, 2)).round(2).tolist(),
            w_conv2=rng.normal(size=(3, 3)).round(2).tolist(),
            w_neck=0.8,
            w_bbox=rng.normal(size=4).round(2).tolist(),
            w_cls=rng.normal(size=2).round(2).tolist(),
            y_true=rng.normal(size=6).round(2).tolist(),
            lr=0.05,
        )
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    args = ["--from", str(path)] + (["--neck"] if neck else [])
    document = yolo(*args)
    ours = document["result"]
    theirs = _torch_reference(torch, problem, neck)
    for key, value in theirs.items():
        if key == "updated":
            assert set(ours["updated"]) == set(value)
            for name, weight in value.items():
                assert_matches_torch(ours["updated"][name], weight)
        else:
            assert_matches_torch(ours[key], value)
    if seed is not None and neck:
        assert_steps_honest(document["steps"])


def test_slide_answers_check_marks_exactly_the_wrong_slide_values():
    outcome = run("yolo-toy", "--check", str(SAMPLES / "yolo_toy_slide_answers.yaml"), "--json")
    assert outcome.code == 1
    items = outcome.json["check"]["items"]
    verdicts = {item["quantity"]: item["verdict"] for item in items}
    answers = yaml.safe_load((SAMPLES / "yolo_toy_slide_answers.yaml").read_text())
    assert set(verdicts) == set(answers)
    assert {q for q, v in verdicts.items() if v == "wrong"} == {"grad_w_conv1", "updated.w_conv1"}
    for quantity in ("grad_w_bbox", "grad_w_cls", "grad_backbone", "grad_w_conv2"):
        assert verdicts[quantity] == "rounding", quantity
    wrong = next(item for item in items if item["quantity"] == "grad_w_conv1")
    assert wrong["expected_cell"] == pytest.approx(-16.7847, abs=1e-4)
    table = run("yolo-toy", "--check", str(SAMPLES / "yolo_toy_slide_answers.yaml"))
    assert table.code == 1
    assert "wrong" in table.stdout and "-16.78" in table.stdout


def test_hand_mode_reproduces_the_slide_at_two_decimals():
    result = yolo("--round-steps", "2")["result"]
    assert result["loss"] == 29.51
    assert result["grad_y_pred"] == [-4.55, -3.11, -2.99]
    assert result["grad_w_bbox"] == [-235.24, -160.79]
    assert result["grad_w_cls"] == -154.58
    assert yolo("--round-steps", "3")["result"]["grad_backbone"] == -1.974
    document = yolo("--round-steps", "2")
    assert any("hand mode" in note for note in document["notes"])


def test_one_step_at_the_slide_lr_is_flagged_with_a_smaller_lr():
    notes = " ".join(yolo()["notes"])
    assert "Diverged" in notes and "--lr 0.0001" in notes
    assert "CIoU" in notes and "BCE" in notes and "DFL" in notes


def test_training_diverges_then_stalls_at_the_slide_lr():
    result = yolo("--steps", "6")["result"]
    losses = [entry["loss"] for entry in result["history"]]
    assert [entry["step"] for entry in result["history"]] == list(range(1, 7))
    assert losses[1] > 1000 * losses[0]
    assert losses[-1] == pytest.approx((12**2 + 15**2 + 20**2) / 3, rel=1e-6)
    assert result["diagnosis"] == {"status": "diverged", "suggested_lr": 0.0001}


def test_training_with_a_small_lr_lowers_the_loss():
    result = yolo("--steps", "10", "--lr", "1e-4")["result"]
    losses = [entry["loss"] for entry in result["history"]] + [result["final_loss"]]
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    assert result["diagnosis"]["status"] == "falling"
    table = run("yolo-toy", "--steps", "10", "--lr", "1e-4")
    assert table.code == 0 and "falls" in table.stdout


def test_saturated_network_is_reported_as_stalled():
    result = yolo("--w-conv2", "-1 -1; -1 -1", "--steps", "5")["result"]
    assert result["diagnosis"] == {"status": "stalled", "suggested_lr": None}
    assert result["final_loss"] == pytest.approx((12**2 + 15**2 + 20**2) / 3)


def test_training_matches_torch_sgd():
    torch = torch_or_skip()
    problem = DEFAULT_PROBLEM
    weights = {
        name: torch.tensor(problem[name], dtype=torch.float64, requires_grad=True)
        for name in ("w_conv1", "w_conv2", "w_bbox", "w_cls")
    }
    image = torch.tensor(problem["image"], dtype=torch.float64)[None, None]
    target = torch.tensor(problem["y_true"], dtype=torch.float64)
    optimizer = torch.optim.SGD(list(weights.values()), lr=1e-4)
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        silu1 = torch.nn.functional.silu(
            torch.nn.functional.conv2d(image, weights["w_conv1"][None, None])
        )
        backbone = torch.nn.functional.silu(
            torch.nn.functional.conv2d(silu1, weights["w_conv2"][None, None]).reshape(())
        )
        y_pred = torch.cat([weights["w_bbox"] * backbone, (weights["w_cls"] * backbone)[None]])
        loss = torch.nn.functional.mse_loss(y_pred, target)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    result = yolo("--steps", "4", "--lr", "1e-4")["result"]
    assert [entry["loss"] for entry in result["history"]] == pytest.approx(losses, rel=1e-12)
    for name, weight in weights.items():
        assert_matches_torch(result["updated"][name], weight)


def test_korean_and_ascii_output():
    korean = run("yolo-toy", "--lang", "ko")
    assert korean.code == 0 and "순전파" in korean.stdout and "역전파" in korean.stdout
    plain = run("yolo-toy", "--ascii")
    assert plain.code == 0 and plain.stdout.isascii()
    assert run("yolo-toy", "--format", "markdown").code == 0
    assert run("yolo-toy", "--format", "latex").code == 0


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--w-conv2", "1 2 3; 4 5 6; 7 8 9"), "--w-conv2"),
        (("--w-conv1", "1 2 3 4 5; 1 2 3 4 5"), "--w-conv1"),
        (("--y-true", "12 15"), "--y-true"),
        (("--lr", "0"), "--lr"),
        (("--lr", "-0.1"), "--lr"),
        (("--steps", "0"), "--steps"),
        (("--steps", str(limits.MAX_STEPS + 1)), "--steps"),
        (("--image", "1 2; 3"), "--image"),
        (("--w-bbox", "1 2; 3 4"), "--w-bbox"),
        (("--image", "1 2 nan; 1 2 3"), "--image"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("yolo-toy", *args, mentions=mentions)


def test_shape_error_names_layer_and_both_shapes():
    line = assert_bad_input("yolo-toy", "--w-conv2", "1 2 3; 4 5 6; 7 8 9", mentions="conv2")
    assert "2×2" in line and "3×3" in line
