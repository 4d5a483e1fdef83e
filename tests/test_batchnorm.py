"""``stepcalc batchnorm``: hand-worked values, PyTorch agreement, honest steps, bad input."""

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
X2 = "1 2; 3 6; 5 4"
G2 = "1 0; 0 1; -1 2"
X4 = [
    [[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.0]]],
    [[[-2.0, 0.0], [1.0, 5.0]], [[1.5, 1.5], [-0.5, 3.0]]],
]
G4 = [
    [[[0.1, -0.2], [0.3, 0.0]], [[1.0, 0.5], [-0.5, 0.2]]],
    [[[0.0, 0.4], [-0.1, 0.2]], [[0.3, -0.3], [0.0, 0.7]]],
]


def bn_json(*args: str) -> dict:
    document = run_json("batchnorm", *args)
    assert_steps_honest(document["steps"])
    return document


def test_feature_batch_by_hand():
    result = bn_json("--input", X2, "--grad-output", G2)["result"]
    assert result["mean"] == pytest.approx([3, 4])
    assert result["var"] == pytest.approx([8 / 3, 8 / 3])
    sigma = math.sqrt(8 / 3 + 1e-5)
    assert np.allclose(result["x_hat"], [[-2 / sigma, -2 / sigma], [0, 2 / sigma], [2 / sigma, 0]])
    assert result["output"] == result["x_hat"]
    assert result["running_mean"] == pytest.approx([0.3, 0.4])
    # Unbiased variance 8/3·3/2 = 4 for the running statistics: 0.9·1 + 0.1·4.
    assert result["running_var"] == pytest.approx([1.3, 1.3])
    assert result["grad_beta"] == pytest.approx([0, 3])
    assert result["grad_gamma"] == pytest.approx([-4 / sigma, 2 / sigma])


def test_gamma_beta_and_the_three_term_backward_step():
    document = bn_json("--input", X2, "--gamma", "2 0.5", "--beta", "1 -1", "--grad-output", G2)
    assert document["result"]["output"][0] == pytest.approx(
        [2 * -2 / math.sqrt(8 / 3 + 1e-5) + 1, 0.5 * -2 / math.sqrt(8 / 3 + 1e-5) - 1]
    )
    backward = [s for s in document["steps"] if s["phase"] == "backward"]
    assert len(backward) == 6
    assert backward[2]["formula"] == "gamma/(m*sigma)*(m*dL_dy - dL_dbeta - x_hat*dL_dgamma)"
    assert backward[2]["rule"] == "γ/(m·σ)·(m·∂L/∂y − ∂L/∂β − x̂·∂L/∂γ)"
    assert backward[2]["operands"]["gamma"] == 2 and backward[2]["operands"]["m"] == 3
    phases = [s["phase"] for s in document["steps"]]
    assert phases == sorted(phases, key=["forward", "backward", "update"].index)


def test_eval_mode_uses_running_statistics():
    result = bn_json(
        "--input",
        X2,
        "--eval",
        "--running-mean",
        "1 2",
        "--running-var",
        "4 0.25",
        "--grad-output",
        G2,
    )["result"]
    assert result["mean"] == [1, 2] and result["var"] == [4, 0.25]
    assert result["running_mean"] == [1, 2] and result["running_var"] == [4, 0.25]
    assert result["output"][1] == pytest.approx(
        [2 / math.sqrt(4 + 1e-5), 4 / math.sqrt(0.25 + 1e-5)]
    )
    assert result["grad_input"][2] == pytest.approx(
        [-1 / math.sqrt(4 + 1e-5), 2 / math.sqrt(0.25 + 1e-5)]
    )


def test_eval_with_one_sample_is_fine():
    result = bn_json("--input", "[[1, 2, 3]]", "--eval")["result"]
    assert np.allclose(result["output"], [[1, 2, 3]], rtol=1e-5)


def test_four_dimensional_input_as_json_keeps_its_shape():
    result = bn_json("--input", json.dumps(X4), "--grad-output", json.dumps(G4))["result"]
    assert np.asarray(result["output"]).shape == (2, 2, 2, 2)
    assert np.asarray(result["grad_input"]).shape == (2, 2, 2, 2)
    assert len(result["mean"]) == 2
    channel0 = np.asarray(X4)[:, 0].ravel()
    assert result["mean"][0] == pytest.approx(channel0.mean())
    assert result["var"][0] == pytest.approx(channel0.var())


def test_hand_mode_rounds_intermediates():
    result = run_json("batchnorm", "--input", X2, "--round-steps", "2")["result"]
    assert result["var"] == [2.67, 2.67]
    assert result["x_hat"][0] == [-1.23, -1.23]


def test_samples_run_and_are_honest():
    names = sorted(SAMPLES.glob("batchnorm_*.yaml"))
    assert len(names) >= 2
    for sample in names:
        bn_json("--from", str(sample))


def test_terminal_renders_in_both_languages():
    for extra in ((), ("--lang", "ko"), ("--ascii",)):
        outcome = run(
            "batchnorm", "--input", json.dumps(X4), "--grad-output", json.dumps(G4), *extra
        )
        assert outcome.code == 0, outcome.stderr
        assert "running_var" in outcome.stdout


def test_check_of_a_student_answer():
    outcome = run("batchnorm", "--input", X2, "--expect", "var[0]=2.67", "--expect", "mean=[3, 4]")
    assert outcome.code == 0, outcome.stdout


# ------------------------------------------------------------------------- PyTorch


def _torch_batchnorm(torch, x, gamma, beta, running_mean, running_var, training, grad, momentum):
    F = torch.nn.functional
    dtype = torch.float64
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    channels = xt.shape[1]
    weight = torch.tensor(
        gamma if gamma is not None else [1.0] * channels, dtype=dtype, requires_grad=True
    )
    bias = torch.tensor(
        beta if beta is not None else [0.0] * channels, dtype=dtype, requires_grad=True
    )
    rm = torch.tensor(running_mean if running_mean is not None else [0.0] * channels, dtype=dtype)
    rv = torch.tensor(running_var if running_var is not None else [1.0] * channels, dtype=dtype)
    out = F.batch_norm(xt, rm, rv, weight, bias, training=training, momentum=momentum, eps=1e-5)
    out.backward(torch.tensor(grad, dtype=dtype))
    return out, rm, rv, xt.grad, weight.grad, bias.grad


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(
    ("x", "grad", "gamma", "beta"),
    [
        ([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]], [[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0]], None, None),
        (
            [[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]],
            [[0.5, 1.0, -2.0], [0.1, 0.0, 0.3]],
            [2.0, 0.5, -1.0],
            [0.1, 0.2, 0.3],
        ),
        (X4, G4, [1.5, -0.5], [0.0, 2.0]),
        (
            np.arange(24, dtype=float).reshape(2, 3, 4).tolist(),
            np.cos(np.arange(24)).reshape(2, 3, 4).tolist(),
            None,
            None,
        ),
    ],
)
def test_matches_torch(x, grad, gamma, beta, training):
    torch = torch_or_skip()
    channels = len(x[0])
    running_mean = [0.5 * c for c in range(channels)]
    running_var = [1.0 + c for c in range(channels)]
    args = [
        "--input",
        json.dumps(x),
        "--grad-output",
        json.dumps(grad),
        "--momentum",
        "0.2",
        "--running-mean",
        json.dumps(running_mean),
        "--running-var",
        json.dumps(running_var),
    ]
    if gamma is not None:
        args += ["--gamma", json.dumps(gamma), "--beta", json.dumps(beta)]
    if not training:
        args.append("--eval")
    result = bn_json(*args)["result"]
    out, rm, rv, gx, gw, gb = _torch_batchnorm(
        torch, x, gamma, beta, running_mean, running_var, training, grad, 0.2
    )
    assert_matches_torch(result["output"], out)
    assert_matches_torch(result["running_mean"], rm)
    assert_matches_torch(result["running_var"], rv)
    assert_matches_torch(result["grad_input"], gx, atol=1e-10)
    assert_matches_torch(result["grad_gamma"], gw)
    assert_matches_torch(result["grad_beta"], gb)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--input", "1 2 3"), "--input"),
        (("--input", "[[1, 2, 3]]"), "Expected more than 1 value per channel when training"),
        (("--input", "[[[[1]], [[2]]]]"), "Expected more than 1 value per channel when training"),
        (("--input", X2, "--gamma", "1 2 3"), "--gamma: expected 2 numbers"),
        (("--input", X2, "--running-var", "1 -1"), "--running-var"),
        (("--input", X2, "--eps", "0"), "--eps"),
        (("--input", X2, "--momentum", "1.5"), "--momentum"),
        (("--input", X2, "--grad-output", "1 2; 3 4"), "--grad-output: shape 2×2"),
        (("--gamma", "1"), "--input"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input("batchnorm", *args, mentions=mentions)


def test_random_batches_match_torch():
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    for shape in ((5, 3), (3, 2, 4), (2, 3, 2, 3), (4, 1, 1, 2)):
        x = rng.normal(scale=2, size=shape).round(2)
        grad = rng.normal(size=shape).round(2)
        channels = shape[1]
        gamma, beta = rng.normal(size=channels).round(2), rng.normal(size=channels).round(2)
        result = bn_json(
            "--input",
            json.dumps(x.tolist()),
            "--grad-output",
            json.dumps(grad.tolist()),
            "--gamma",
            json.dumps(gamma.tolist()),
            "--beta",
            json.dumps(beta.tolist()),
        )["result"]
        out, rm, rv, gx, gw, gb = _torch_batchnorm(
            torch, x.tolist(), gamma.tolist(), beta.tolist(), None, None, True, grad.tolist(), 0.1
        )
        assert_matches_torch(result["output"], out)
        assert_matches_torch(result["running_var"], rv)
        assert_matches_torch(result["grad_input"], gx, atol=1e-10)
        assert_matches_torch(result["grad_gamma"], gw)
        assert_matches_torch(result["grad_beta"], gb)


def test_samples_and_channels_of_rows_are_n_c_l():
    # "a b c | d e f || …" is 2 samples × 2 channels × length 3, as BatchNorm1d takes it
    x = "2 0 -1 | -1 0 -2 || -1 -1 -1 | 2 2 0"
    g = "1 0 0 | 0 1 0 || 0 0 1 | 1 1 1"
    document = bn_json("--input", x, "--grad-output", g)
    result = document["result"]
    assert np.shape(result["output"]) == (2, 2, 3)
    assert np.shape(result["grad_input"]) == (2, 2, 3)
    assert_steps_honest(document["steps"])
    as_json = bn_json(
        "--input",
        "[[[2,0,-1],[-1,0,-2]],[[-1,-1,-1],[2,2,0]]]",
        "--grad-output",
        "[[[1,0,0],[0,1,0]],[[0,0,1],[1,1,1]]]",
    )
    assert as_json["result"] == result
    torch = torch_or_skip()
    xt = torch.tensor(as_json["inputs"]["input"], dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.batch_norm(xt, None, None, training=True)
    out.backward(torch.tensor(as_json["inputs"]["grad_output"], dtype=torch.float64))
    assert_matches_torch(result["output"], out)
    assert_matches_torch(result["grad_input"], xt.grad)


# ------------------------------------------------------------------------- the steps


def test_output_step_shows_gamma_and_beta_of_the_channel():
    document = bn_json("--from", str(SAMPLES / "batchnorm_features.yaml"))
    outputs = [s for s in document["steps"] if s.get("symbol", "").startswith("y[")]
    assert [s["operands"]["gamma"] for s in outputs] == [2.0, 0.5]
    assert [s["operands"]["beta"] for s in outputs] == [0.0, 1.0]
    assert outputs[1]["substituted"].startswith("0.5*[") and outputs[1]["substituted"].endswith(
        " + 1"
    )


def test_many_channels_show_four_and_the_note_says_how_to_see_the_rest():
    document = bn_json("--from", str(SAMPLES / "batchnorm_many_features.yaml"))
    symbols = {s.get("symbol") for s in document["steps"]}
    assert {"mu[0]", "y[3]"} <= symbols and "mu[4]" not in symbols
    assert any("--channel 5" in note for note in document["notes"])
    chosen = bn_json("--from", str(SAMPLES / "batchnorm_many_features.yaml"), "--channel", "4,5")
    assert {s.get("symbol") for s in chosen["steps"]} >= {"mu[4]", "y[5]"}
    assert chosen["result"] == document["result"]
    assert_bad_input("batchnorm", "--input", X2, "--channel", "2", mentions="--channel")


def test_a_large_batch_is_summarised_not_drawn():
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 16, 16, 16)).round(2)  # 32,768 values
    grad = rng.normal(size=x.shape).round(2)
    args = ("--input", json.dumps(x.tolist()), "--grad-output", json.dumps(grad.tolist()))
    document = run_json("batchnorm", *args)
    assert len(document["steps"]) == 4 * (5 + 3) + 2
    out, rm, rv, gx, gw, gb = _torch_batchnorm(
        torch, x.tolist(), None, None, None, None, True, grad.tolist(), 0.1
    )
    assert_matches_torch(document["result"]["output"], out)
    assert_matches_torch(document["result"]["grad_input"], gx, atol=1e-10)
    assert_matches_torch(document["result"]["running_var"], rv)
    table = run("batchnorm", *args).stdout
    assert len(table.splitlines()) < 250
    assert "--channel 15" in table and "32,768" in table
