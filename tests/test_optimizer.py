import json
import math
import sys
import time

import numpy as np
import pytest

from stepcalc.calc import optim
from tests.helpers import assert_bad_input, assert_steps_honest, run, run_json, torch_or_skip

EPS = 1e-8


def optimizer(*args):
    return run_json("optimizer", *args)


def params_of(document):
    return [entry["params"] for entry in document["result"]["trajectory"]]


# ----------------------------------------------------------------------------- worked by hand


def test_adam_one_step_matches_the_sketch():
    document = optimizer("adam", "--params", "1", "--grad", "0.1", "--lr", "0.001")
    values = {step["symbol"]: step["value"] for step in document["steps"]}
    assert values["m"] == pytest.approx(0.01)
    assert values["v"] == pytest.approx(1e-5)
    assert values["m_hat"] == pytest.approx(0.1)
    assert values["v_hat"] == pytest.approx(0.01)
    titles = [step["title"] for step in document["steps"]]
    assert "(state exp_avg)" in titles[1] and "(state exp_avg_sq)" in titles[2]
    assert document["steps"][-1]["key"] == "final_params"
    assert document["result"]["final_params"] == pytest.approx(1 - 0.001 * 0.1 / (0.1 + EPS))
    entry = document["result"]["trajectory"][0]
    assert entry["step"] == 1 and entry["grad"] == 0.1 and entry["lr"] == 0.001
    assert entry["state"] == {
        "step": 1,
        "exp_avg": pytest.approx(0.01),
        "exp_avg_sq": pytest.approx(1e-5),
    }
    assert_steps_honest(document["steps"])


TWO_STEPS = ("--params", "1", "--grad", "1; 1", "--lr", "0.1")
HAND = {
    # momentum, γ = 0.9: b = 1 then 0.9·1 + 1 = 1.9; θ = 1 − 0.1 = 0.9, then 0.9 − 0.19
    "momentum": [0.9, 0.71],
    # Nesterov: θ = 1 − 0.1·(1 + 0.9·1) = 0.81, then 0.81 − 0.1·(1 + 0.9·1.9) = 0.539
    "nesterov": [0.81, 0.539],
    "sgd": [0.9, 0.8],
    # Adam with a constant gradient: m̂ = v̂ = 1 every step, so θ falls by η/(1 + ε)
    "adam": [1 - 0.1 / (1 + EPS), 1 - 0.2 / (1 + EPS)],
    # AdamW: θ·(1 − η·λ) first, λ = 0.01
    "adamw": [0.999 - 0.1 / (1 + EPS), (0.999 - 0.1 / (1 + EPS)) * 0.999 - 0.1 / (1 + EPS)],
    # Adamax: u = max(β₂·u, |g| + ε) = 1 + ε, η/(1 − β₁ᵗ)·m = η
    "adamax": [1 - 0.1 / (1 + EPS), 1 - 0.2 / (1 + EPS)],
}


@pytest.mark.parametrize("algo", sorted(HAND))
@pytest.mark.parametrize("convention", ["pytorch", "textbook"])
def test_two_steps_by_hand(algo, convention):
    document = optimizer(algo, *TWO_STEPS, "--convention", convention)
    assert params_of(document) == pytest.approx(HAND[algo], abs=1e-12)
    assert document["inputs"]["convention"] == convention
    assert_steps_honest(document["steps"])


def test_momentum_states_per_convention():
    torch_form = optimizer("momentum", *TWO_STEPS)
    assert [e["state"] for e in torch_form["result"]["trajectory"]] == [
        {"momentum_buffer": 1.0},
        {"momentum_buffer": pytest.approx(1.9)},
    ]
    first = torch_form["steps"][1]
    assert first["formula"] == "g" and "no dampening" in first["note"]
    textbook = optimizer("momentum", *TWO_STEPS, "--convention", "textbook")
    velocities = [e["state"]["velocity"] for e in textbook["result"]["trajectory"]]
    assert velocities == pytest.approx([-0.1, -0.19])
    assert any(s["formula"] == "gamma*v - lr*g" for s in textbook["steps"])
    assert "textbook form" in " ".join(textbook["notes"])


def test_dampening_skips_the_first_step():
    document = optimizer("momentum", *TWO_STEPS, "--dampening", "0.5")
    buffers = [e["state"]["momentum_buffer"] for e in document["result"]["trajectory"]]
    assert buffers == pytest.approx([1.0, 0.9 + 0.5])


def test_adagrad_by_hand_in_both_conventions():
    common = ("--params", "1", "--grad", "3; 4", "--lr", "0.1", "--eps", "0.5")
    torch_form = optimizer("adagrad", *common)
    theta1 = 1 - 0.1 * 3 / (3 + 0.5)
    assert params_of(torch_form) == pytest.approx([theta1, theta1 - 0.1 * 4 / (5 + 0.5)])
    assert [e["state"]["sum"] for e in torch_form["result"]["trajectory"]] == [9, 25]
    textbook = optimizer("adagrad", *common, "--convention", "textbook")
    theta1 = 1 - 0.1 * 3 / math.sqrt(9.5)
    assert params_of(textbook) == pytest.approx([theta1, theta1 - 0.1 * 4 / math.sqrt(25.5)])
    assert_steps_honest(torch_form["steps"] + textbook["steps"])


def test_adagrad_lr_decay_and_initial_accumulator():
    document = optimizer(
        "adagrad",
        *("--params", "1", "--grad", "1; 1", "--lr", "0.1", "--eps", "0"),
        *("--lr-decay", "1", "--initial-accumulator", "3"),
    )
    # G = 4 then 5; η_t = 0.1/(1 + (t − 1)·1) = 0.1 then 0.05
    theta1 = 1 - 0.1 / 2
    assert params_of(document) == pytest.approx([theta1, theta1 - 0.05 / math.sqrt(5)])
    assert any(s["formula"] == "lr/(1 + (t - 1)*lr_decay)" for s in document["steps"])


def test_rmsprop_by_hand_in_both_conventions():
    common = ("--params", "1", "--grad", "2; 4", "--lr", "0.1", "--alpha", "0.75")
    common += ("--eps", "0.25")
    torch_form = optimizer("rmsprop", *common)
    # v = 0.25·4 = 1, then 0.75·1 + 0.25·16 = 4.75
    theta1 = 1 - 0.1 * 2 / (1 + 0.25)
    assert params_of(torch_form) == pytest.approx(
        [theta1, theta1 - 0.1 * 4 / (math.sqrt(4.75) + 0.25)]
    )
    textbook = optimizer("rmsprop", *common, "--convention", "textbook")
    theta1 = 1 - 0.1 * 2 / math.sqrt(1.25)
    assert params_of(textbook) == pytest.approx([theta1, theta1 - 0.4 / math.sqrt(5.0)])
    centered = optimizer("rmsprop", *common, "--centered")
    # ḡ = 0.25·2 = 0.5, v − ḡ² = 0.75
    assert params_of(centered)[0] == pytest.approx(1 - 0.2 / (math.sqrt(0.75) + 0.25))
    assert_steps_honest(torch_form["steps"] + textbook["steps"] + centered["steps"])


def test_nadam_and_adadelta_by_hand():
    nadam = optimizer("nadam", *TWO_STEPS)
    mu1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    mu2 = 0.9 * (1 - 0.5 * 0.96**0.008)
    denom = 1 + EPS  # v̂ = 1 for a constant gradient of 1
    theta1 = 1 - 0.1 * (1 - mu1) / (1 - mu1) / denom - 0.1 * mu2 / (1 - mu1 * mu2) * 0.1 / denom
    assert params_of(nadam)[0] == pytest.approx(theta1, abs=1e-12)
    assert nadam["result"]["trajectory"][0]["state"]["mu_product"] == pytest.approx(mu1)
    adadelta = optimizer("adadelta", "--params", "1", "--grad", "2", "--rho", "0.5")
    delta = math.sqrt(1e-6) / math.sqrt(2 + 1e-6) * 2
    assert params_of(adadelta) == pytest.approx([1 - delta])
    assert adadelta["result"]["trajectory"][0]["state"]["acc_delta"] == pytest.approx(
        0.5 * delta**2
    )
    textbook = optimizer("nadam", *TWO_STEPS, "--convention", "textbook")
    assert params_of(textbook) == params_of(nadam)


def test_loss_gives_the_gradient_and_the_loss():
    document = optimizer(
        "sgd", "--params", "1 2", "--loss", "x1**2 + 3*x2**2", "--lr", "0.1", "--steps", "2"
    )
    first = document["result"]["trajectory"][0]
    assert first["grad"] == [2, 12]
    assert first["params"] == pytest.approx([0.8, 0.8])
    assert document["result"]["final_params"] == pytest.approx([0.64, 0.32])
    assert document["result"]["final_loss"] == pytest.approx(0.64**2 + 3 * 0.32**2)
    symbolic = [s for s in document["steps"] if "SymPy" in s["title"]]
    assert [s["formula"] for s in symbolic] == ["2*x1", "6*x2"]
    assert document["steps"][0]["formula"] == "x1**2 + 3*x2**2"
    assert_steps_honest(document["steps"])


def test_loss_with_named_variables_and_functions():
    document = optimizer(
        "adam",
        *("--params", "0.5 -1", "--vars", "w,b", "--steps", "3"),
        "--loss",
        "(sigmoid(w*2 + b) - 1)**2 + abs(b) + exp(-w) + log(1 + w**2) + sqrt(4 + b**2)",
    )
    assert document["inputs"]["vars"] == ["w", "b"]
    assert_steps_honest(document["steps"])


# ----------------------------------------------------------------------------- torch


@pytest.fixture
def torch64():
    torch = torch_or_skip()
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


TORCH_CASES = [
    ("sgd", [], {"lr": 1e-3}),
    ("sgd", ["--lr", "0.1", "--momentum", "0.9", "--dampening", "0.3", "--weight-decay", "0.05"],
     {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.05}),
    ("momentum", ["--lr", "0.1", "--maximize"], {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("sgd", ["--nesterov", "--momentum", "0.8", "--lr", "0.1", "--weight-decay", "0.01"],
     {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("nesterov", ["--lr", "0.05"], {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adagrad", ["--lr-decay", "0.1", "--initial-accumulator", "0.5", "--weight-decay", "0.1"],
     {"lr_decay": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1}),
    ("rmsprop", [], {}),
    ("rmsprop", ["--centered", "--momentum", "0.5", "--weight-decay", "0.1", "--alpha", "0.9"],
     {"centered": True, "momentum": 0.5, "weight_decay": 0.1, "alpha": 0.9}),
    ("adam", [], {}),
    ("adam", ["--amsgrad", "--weight-decay", "0.1", "--maximize"],
     {"amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("adam", ["--lr", "0.5", "--beta1", "0.5", "--beta2", "0.6", "--eps", "0.01"],
     {"lr": 0.5, "betas": (0.5, 0.6), "eps": 0.01}),
    ("adamw", [], {}),
    ("adamw", ["--amsgrad", "--weight-decay", "0.3", "--lr", "0.01"],
     {"amsgrad": True, "weight_decay": 0.3, "lr": 0.01}),
    ("adamax", ["--weight-decay", "0.1"], {"weight_decay": 0.1}),
    ("nadam", ["--weight-decay", "0.1", "--momentum-decay", "0.01"],
     {"weight_decay": 0.1, "momentum_decay": 0.01}),
    ("adadelta", ["--weight-decay", "0.1", "--rho", "0.8"], {"weight_decay": 0.1, "rho": 0.8}),
]  # fmt: skip
TORCH_CLASSES = {
    "sgd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "nadam": "NAdam",
    "adadelta": "Adadelta",
}
X0 = [[1.0, -2.0], [0.5, 3.0]]
GRADS = np.random.default_rng(7).normal(size=(8, 2, 2)).round(3)


def torch_run(torch, algo, kwargs, steps, gradient, state=None, x0=X0):
    param = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLASSES[algo])([param], **kwargs)
    if state:
        opt.state[param].update(state)
    out = []
    for k in range(steps):
        param.grad = gradient(param, k)
        opt.step()
        state_now = {
            key: (value.item() if value.ndim == 0 else value.clone())
            for key, value in opt.state[param].items()
            if value is not None
        }
        out.append((param.detach().clone(), state_now))
    return out


def assert_same_run(document, reference):
    trajectory = document["result"]["trajectory"]
    assert len(trajectory) == len(reference)
    for entry, (param, state) in zip(trajectory, reference, strict=True):
        np.testing.assert_allclose(entry["params"], param.numpy(), rtol=1e-12, atol=1e-14)
        assert set(entry["state"]) == set(state)
        for key, value in state.items():
            mine = np.asarray(entry["state"][key], dtype=float)
            theirs = value.numpy() if hasattr(value, "numpy") else value
            np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.parametrize("algo,args,kwargs", TORCH_CASES)
def test_trajectories_equal_torch(torch64, algo, args, kwargs):
    torch = torch64
    grads = json.dumps(GRADS.tolist())
    document = optimizer(algo, "--params", "[[1, -2], [0.5, 3]]", "--grad", grads, *args)
    reference = torch_run(torch, algo, kwargs, len(GRADS), lambda p, k: torch.tensor(GRADS[k]))
    assert_same_run(document, reference)
    assert np.asarray(document["result"]["final_params"]).shape == (2, 2)


@pytest.mark.parametrize("algo", optim.ALGORITHMS)
def test_maximize_with_weight_decay_equals_torch(torch64, algo):
    torch = torch64
    kwargs = {"maximize": True, "weight_decay": 0.2, "lr": 0.05}
    if algo in ("momentum", "nesterov"):
        kwargs.update(momentum=0.9, nesterov=algo == "nesterov")
    grads = json.dumps(GRADS.tolist())
    document = optimizer(
        algo, "--params", json.dumps(X0), "--grad", grads, "--maximize", "--weight-decay", "0.2",
        "--lr", "0.05",
    )  # fmt: skip
    reference = torch_run(torch, algo, kwargs, len(GRADS), lambda p, k: torch.tensor(GRADS[k]))
    assert_same_run(document, reference)


@pytest.mark.parametrize(
    "algo,args,kwargs",
    [
        ("adam", ["--lr", "0.05"], {"lr": 0.05}),
        ("momentum", ["--lr", "0.001"], {"lr": 0.001, "momentum": 0.9}),
        ("rmsprop", ["--lr", "0.001", "--centered"], {"lr": 0.001, "centered": True}),
        ("nadam", [], {}),
    ],
)
def test_loss_runs_equal_torch_autograd(torch64, algo, args, kwargs):
    torch = torch64
    document = optimizer(
        algo,
        *("--params", "-1.5 2", "--steps", "30", *args),
        "--loss",
        "(1 - x1)**2 + 100*(x2 - x1**2)**2 + sin(x1)*tanh(x2)",
    )

    def gradient(param, k):
        x1, x2 = param[0], param[1]
        loss = (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2 + torch.sin(x1) * torch.tanh(x2)
        (grad,) = torch.autograd.grad(loss, param)
        return grad

    reference = torch_run(torch, algo, kwargs, 30, gradient, x0=[-1.5, 2.0])
    assert_same_run(document, reference)
    x1, x2 = document["result"]["final_params"]
    expected = (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2 + math.sin(x1) * math.tanh(x2)
    assert document["result"]["final_loss"] == pytest.approx(expected, rel=1e-12)


def test_initial_state_and_first_step_equal_torch(torch64):
    torch = torch64
    document = optimizer(
        "adam",
        *("--params", "1 2", "--grad", "0.5 -1; 0.25 0.5; 1 1", "--amsgrad"),
        *("--state", "exp_avg=0.1 -0.2", "--state", "exp_avg_sq=0.04 0.09"),
        *("--state", "max_exp_avg_sq=0.05 0.01", "--first-step", "5"),
    )
    grads = [[0.5, -1.0], [0.25, 0.5], [1.0, 1.0]]
    state = {
        "step": torch.tensor(4.0),
        "exp_avg": torch.tensor([0.1, -0.2]),
        "exp_avg_sq": torch.tensor([0.04, 0.09]),
        "max_exp_avg_sq": torch.tensor([0.05, 0.01]),
    }
    reference = torch_run(
        torch, "adam", {"amsgrad": True}, 3, lambda p, k: torch.tensor(grads[k]), state, [1.0, 2.0]
    )
    assert_same_run(document, reference)
    assert [e["step"] for e in document["result"]["trajectory"]] == [5, 6, 7]
    same = optimizer(
        "adam",
        *("--params", "1 2", "--grad", "0.5 -1; 0.25 0.5; 1 1", "--amsgrad"),
        *("--state", "exp_avg=0.1 -0.2", "--state", "exp_avg_sq=0.04 0.09"),
        *("--state", "max_exp_avg_sq=0.05 0.01", "--state", "step=4"),
    )
    assert same["result"] == document["result"]


def test_given_momentum_buffer_equals_torch(torch64):
    torch = torch64
    document = optimizer(
        "momentum",
        *("--params", "1 2", "--grad", "0.5 -1; 0.25 0.5", "--lr", "0.1", "--dampening", "0.2"),
        *("--state", "momentum_buffer=1 1"),
    )
    state = {"momentum_buffer": torch.tensor([1.0, 1.0])}
    grads = [[0.5, -1.0], [0.25, 0.5]]
    reference = torch_run(
        torch,
        "momentum",
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.2},
        2,
        lambda p, k: torch.tensor(grads[k]),
        state,
        [1.0, 2.0],
    )
    assert_same_run(document, reference)


def test_textbook_momentum_and_nesterov_reach_the_same_parameters():
    args = ("--params", "1 -1", "--loss", "x1**2 + 5*x2**2", "--steps", "20", "--lr", "0.05")
    for algo in ("momentum", "nesterov"):
        torch_form = optimizer(algo, *args)
        textbook = optimizer(algo, *args, "--convention", "textbook")
        np.testing.assert_allclose(params_of(textbook), params_of(torch_form), rtol=1e-12)


# ----------------------------------------------------------------------------- compare, long runs


def test_compare_side_by_side():
    args = ("--params", "1 -1", "--loss", "x1**2 + 5*x2**2", "--steps", "12", "--lr", "0.05")
    document = optimizer("--compare", "sgd,momentum,adam", *args)
    result = document["result"]
    assert list(result) == ["trajectory", "final_params", "final_loss"]
    assert list(result["final_params"]) == ["sgd", "momentum", "adam"]
    alone = optimizer("adam", *args)
    assert result["trajectory"]["adam"] == alone["result"]["trajectory"]
    assert result["final_loss"]["adam"] == alone["result"]["final_loss"]
    assert document["inputs"]["settings"]["momentum"]["momentum"] == 0.9
    assert_steps_honest(document["steps"])
    table = run("optimizer", "--compare", "sgd,momentum,adam", *args)
    assert table.code == 0, table.stderr
    assert "side by side" in table.stdout and "Momentum L" in table.stdout
    assert "2 rows hidden" in table.stdout


def test_compare_with_algo_and_check():
    args = ("--params", "1", "--grad", "1; 1", "--lr", "0.1")
    ok = run("optimizer", "sgd", "--compare", "momentum", *args, "--expect",
             "final_params.momentum=0.71", "--expect", "final_params.sgd=0.8")  # fmt: skip
    assert ok.code == 0, ok.stdout + ok.stderr
    wrong = run("optimizer", "momentum", *args, "--expect", "final_params=0.5")
    assert wrong.code == 1


def test_long_run_keeps_every_step_in_json_and_is_fast():
    args = ("--params", "-1.5 2", "--loss", "(1 - x1)**2 + 100*(x2 - x1**2)**2")
    optimizer("adam", *args, "--steps", "10")  # imports and lambdify warm-up
    start = time.process_time()  # CPU time: the wall clock also counts other busy processes
    document = optimizer("adam", *args, "--steps", "10000", "--lr", "0.01")
    elapsed = time.process_time() - start
    assert len(document["result"]["trajectory"]) == 10000
    # The 1 s figure is measured by benchmarks/optim_bench.py; here only a loose guard.
    assert elapsed < 4.0, elapsed
    worked = [s for s in document["steps"] if s["title"].startswith("t=")]
    assert [s["title"].split(" ")[0] for s in worked] == ["t=1", "t=2", "t=3", "t=9999", "t=10000"]
    table = run("optimizer", "adam", *args, "--steps", "10000", "--lr", "0.01")
    assert "9,995" in table.stdout and "9,990 rows hidden" in table.stdout
    markdown = run("optimizer", "adam", *args, "--steps", "10000", "--lr", "0.01", "--format",
                   "markdown").stdout  # fmt: skip
    shown = [line.strip("*") for line in markdown.splitlines() if line.startswith("**")]
    titles = [step["title"] for step in document["steps"]]
    assert shown[: len(titles)] == titles


@pytest.mark.parametrize(
    "algo,hyper",
    [
        ("adam", {"amsgrad": True, "weight_decay": 0.1}),
        ("adamw", {}),
        ("nadam", {"weight_decay": 0.1}),
        ("momentum", {"dampening": 0.1}),
        ("adagrad", {"lr_decay": 0.1}),
    ],
)
def test_large_vectors_use_the_chunked_path_and_agree(algo, hyper):
    rng = np.random.default_rng(3)
    theta0 = rng.normal(size=optim.CHUNK * 3 + 17)
    copy = theta0.copy()

    def gradient(theta, k):
        return 2 * theta + np.sin(k + theta)

    final, state = optim.run_arrays(algo, theta0, gradient, 5, **hyper)
    for start in range(0, theta0.size, 5000):
        piece = theta0[start : start + 5000]
        expected, small_state = optim.run_arrays(algo, piece, gradient, 5, **hyper)
        np.testing.assert_allclose(final[start : start + 5000], expected, rtol=1e-15)
    assert set(state) == set(small_state)
    assert np.all(theta0 == copy)


# ----------------------------------------------------------------------------- display


def test_hand_mode_rounds_every_intermediate():
    document = optimizer(
        "adam", "--params", "1", "--grad", "0.3; 0.7", "--lr", "0.1", "--round-steps", "3"
    )
    from stepcalc.trace import round_on_paper

    for step in document["steps"]:
        value = step["value"]
        assert value == pytest.approx(round_on_paper(value, 3), abs=1e-15), step
    assert "hand mode" in " ".join(document["notes"])


def test_table_shows_the_convention_and_korean_works():
    result = run("optimizer", "adagrad", "--params", "1 2", "--grad", "1 1", "--steps", "2")
    assert result.code == 0, result.stderr
    assert "PyTorch form" in result.stdout and "√G + ε" in result.stdout
    textbook = run(
        "optimizer", "rmsprop", "--params", "1", "--grad", "1", "--convention", "textbook"
    )
    assert "textbook form" in textbook.stdout
    korean = run("optimizer", "adam", "--params", "1", "--grad", "1", "--lang", "ko")
    assert korean.code == 0 and "편향 보정" in korean.stdout
    ascii_only = run("optimizer", "adam", "--params", "1", "--grad", "1", "--ascii")
    assert ascii_only.stdout.isascii()


def test_plot_with_and_without_uniplot(monkeypatch):
    args = ("--params", "1 -1", "--loss", "x1**2 + 5*x2**2", "--steps", "8", "--lr", "0.1")
    monkeypatch.setitem(sys.modules, "uniplot", None)
    missing = run("optimizer", "--compare", "sgd,adam", *args, "--plot")
    assert missing.code == 0
    assert "pip install 'stepcalc[plot]'" in missing.stdout and "side by side" in missing.stdout
    monkeypatch.delitem(sys.modules, "uniplot")
    pytest.importorskip("uniplot")
    drawn = run("optimizer", "--compare", "sgd,adam", *args, "--plot")
    assert drawn.code == 0 and "loss L by step" in drawn.stdout and "path of" in drawn.stdout
    assert "pip install" not in drawn.stdout
    quiet = run_json("optimizer", "--compare", "sgd,adam", *args, "--plot")
    assert "notes" not in quiet or not any("uniplot" in n for n in quiet["notes"])


@pytest.mark.parametrize("sample", ["optimizer_adam.yaml", "optimizer_momentum_textbook.yaml",
                                    "optimizer_compare.yaml"])  # fmt: skip
def test_samples_run(sample):
    document = optimizer("--from", f"samples/{sample}")
    assert_steps_honest(document["steps"])


@pytest.mark.parametrize("algo", optim.ALGORITHMS)
@pytest.mark.parametrize("convention", ["pytorch", "textbook"])
def test_every_algorithm_is_honest_with_every_option(algo, convention):
    args = ["--params", "1 -2", "--grad", "0.5 1; -1 2; 0.3 0.3", "--maximize"]
    taken = optim.DEFAULTS[algo]
    if "weight_decay" in taken:
        args += ["--weight-decay", "0.1"]
    for flag in ("amsgrad", "centered"):
        if flag in taken:
            args.append(f"--{flag}")
    if algo == "rmsprop":
        args += ["--momentum", "0.5"]
    if algo == "adagrad":
        args += ["--lr-decay", "0.1", "--initial-accumulator", "0.2"]
    document = optimizer(algo, *args, "--convention", convention)
    assert_steps_honest(document["steps"])
    assert all(step["phase"] in ("forward", "backward", "update") for step in document["steps"])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args,mentions",
    [
        (["sgd", "--params", "1", "--grad", "1", "--lr", "-0.1"], "--lr"),
        (["adam", "--params", "1", "--grad", "1", "--eps", "-1e-8"], "--eps"),
        (["adam", "--params", "1", "--grad", "1", "--beta1", "1"], "--beta1"),
        (["adam", "--params", "1", "--grad", "1", "--beta2", "-0.1"], "--beta2"),
        (["nesterov", "--params", "1", "--grad", "1", "--momentum", "0"], "--momentum"),
        (["sgd", "--params", "1", "--grad", "1", "--nesterov"], "--nesterov"),
        (["sgd", "--params", "1 2", "--grad", "1 2 3"], "--grad"),
        (["sgd", "--params", "1 2", "--grad", "1 2; 3 4", "--steps", "3"], "--grad"),
        (["sgd", "--params", "1 2", "--loss", "x1 + y"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "x1.real"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "__import__('os')"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "open(x1)"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "9**9**9"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "x1 +"], "--loss"),
        (["sgd", "--params", "1 2", "--loss", "x1", "--vars", "a"], "--vars"),
        (["sgd", "--params", "1 2", "--loss", "a", "--vars", "a,lambda"], "--vars"),
        (["sgd", "--params", "1 2", "--grad", "1 1", "--loss", "x1"], "--grad or --loss"),
        (["sgd", "--params", "1 2"], "--grad or --loss"),
        (["sgd", "--grad", "1"], "--params"),
        (["sgd", "--params", "1", "--grad", "1", "--steps", "100001"], "--steps"),
        (["sgd", "--params", "1", "--grad", "1", "--steps", "0"], "--steps"),
        (["adam", "--params", "1", "--grad", "1", "--momentum", "0.9"], "--momentum"),
        (["sgd", "--params", "1", "--grad", "1", "--amsgrad"], "--amsgrad"),
        (["adam", "--params", "1", "--grad", "1", "--state", "velocity=1"], "--state"),
        (["adam", "--params", "1 2", "--grad", "1 1", "--state", "exp_avg=1 2 3"], "--state"),
        (["adam", "--params", "1", "--grad", "1", "--state", "exp_avg_sq=-1"], "--state"),
        (["adam", "--params", "1", "--grad", "1", "--state", "exp_avg"], "--state"),
        (["adam", "--params", "1", "--grad", "1", "--state", "max_exp_avg_sq=1"], "--state"),
        (["adam", "--params", "1", "--grad", "1", "--state", "step=2", "--first-step", "5"],
         "--first-step"),
        (["momentum", "--params", "1", "--grad", "1", "--convention", "textbook",
          "--dampening", "0.1"], "--dampening"),
        (["adamw", "--params", "1", "--grad", "1", "--convention", "paper"], "--convention"),
        (["lion", "--params", "1", "--grad", "1"], "ALGO"),
        (["--compare", "sgd,lion", "--params", "1", "--grad", "1"], "--compare"),
        (["--params", "1", "--grad", "1"], "ALGO"),
        (["sgd", "--params", "1", "--grad", "nan"], "--grad"),
    ],
)  # fmt: skip
def test_bad_input(args, mentions):
    start = time.process_time()
    assert_bad_input("optimizer", *args, mentions=mentions)
    assert time.process_time() - start < 2.0  # refused at once, e.g. 9**9**9 is never computed


def test_trajectory_too_large_is_refused():
    params = "[" + ",".join(["1"] * 1000) + "]"
    grad = "[" + ",".join(["0.5"] * 1000) + "]"
    assert_bad_input(
        "optimizer",
        "adam",
        "--params",
        params,
        "--grad",
        grad,
        "--steps",
        "2000",
        mentions="--steps",
    )


def test_problem_file_with_lists_and_a_state_mapping():
    text = """
compare: [sgd, adam]
params: [1, 2]
grad: [[0.5, 1], [0.2, 0.1]]
state: {exp_avg: [0.1, 0.1], momentum_buffer: 1}
momentum: 0.9
lr: 0.1
"""
    document = run_json("optimizer", "--from", "-", stdin=text)
    # b = 0.9·1 + 0.5 = 1.4, θ₁ = 0.86; b = 0.9·1.4 + 0.2 = 1.46, θ₂ = 0.714
    assert document["result"]["final_params"]["sgd"][0] == pytest.approx(0.714)
    assert document["inputs"]["state"]["momentum_buffer"] == [1.0, 1.0]


@pytest.mark.parametrize(
    "algo,args,kwargs",
    [
        ("adagrad", ["--lr-decay", "0.2"], {"lr_decay": 0.2}),
        ("rmsprop", ["--centered", "--momentum", "0.5"], {"centered": True, "momentum": 0.5}),
        ("adadelta", [], {}),
        ("adamax", [], {}),
        ("nesterov", ["--lr", "0.1"], {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ],
)
def test_every_state_can_be_given_as_torch_would_hold_it(torch64, algo, args, kwargs):
    torch = torch64
    names = [name for name in optim.state_names(algo) if name not in ("step", "mu_product")]
    values = {name: [0.3 + 0.1 * i, 0.2 + 0.05 * i] for i, name in enumerate(names)}
    state_args = [f"{name}={v[0]} {v[1]}" for name, v in values.items()]
    has_step = algo != "nesterov"
    document = optimizer(
        algo,
        *("--params", "1 2", "--grad", "0.5 -1; 0.25 0.5; 1 1", *args),
        *[item for text in state_args for item in ("--state", text)],
        *(["--state", "step=3"] if has_step else []),
    )
    state = {name: torch.tensor(v) for name, v in values.items()}
    if has_step:
        state["step"] = torch.tensor(3.0)
    grads = [[0.5, -1.0], [0.25, 0.5], [1.0, 1.0]]
    reference = torch_run(
        torch, algo, kwargs, 3, lambda p, k: torch.tensor(grads[k]), state, [1.0, 2.0]
    )
    assert_same_run(document, reference)


def test_nesterov_with_dampening_blames_dampening():
    for algo in (("sgd", "--momentum", "0.9", "--nesterov"), ("nesterov",)):
        assert_bad_input(
            "optimizer",
            *algo,
            "--params",
            "1",
            "--grad",
            "1",
            "--dampening",
            "0.5",
            mentions="--dampening:",
        )
    assert_bad_input(
        "optimizer", "sgd", "--params", "1", "--grad", "1", "--nesterov", mentions="--nesterov:"
    )


def test_loss_on_the_command_line_overrides_the_files_gradient(tmp_path):
    """Flags override the file: a file with a fixed --grad and --loss on the command line
    differentiates the loss instead of refusing 'give exactly one'."""
    problem = tmp_path / "p.yaml"
    problem.write_text("params: 1\ngrad: 0.1\nlr: 0.1\n")
    doc = optimizer("sgd", "--from", str(problem), "--loss", "x1**2")
    assert doc["result"]["trajectory"][0]["grad"] == 2.0
    assert math.isclose(doc["result"]["final_params"], 0.8)
    both = tmp_path / "both.yaml"
    both.write_text("params: 1\ngrad: 0.1\nloss: x1**2\n")
    assert_bad_input("optimizer", "sgd", "--from", str(both), mentions="--grad")


# ----------------------------------------------------------------------------- the new core


def test_a_rounded_answer_with_too_few_digits_is_imprecise():
    args = ("adam", "--params", "1", "--grad", "0.1", "--lr", "0.001")
    imprecise = run("optimizer", *args, "--expect", "final_params=1")
    assert imprecise.code == 1 and "imprecise" in imprecise.stdout, imprecise.stdout
    assert run("optimizer", *args, "--expect", "final_params=0.999").code == 0


def test_zero_momentum_ignores_a_given_buffer_as_torch_does(torch64):
    torch = torch64
    grads = [[0.5, -1.0], [0.25, 0.5]]
    state = {"momentum_buffer": torch.tensor([5.0, 6.0])}
    reference = torch_run(
        torch, "sgd", {"lr": 0.1}, 2, lambda p, k: torch.tensor(grads[k]), state, [1.0, 2.0]
    )
    for algo in ("momentum", "sgd"):
        args = ("--params", "1 2", "--grad", "0.5 -1; 0.25 0.5", "--lr", "0.1")
        document = optimizer(algo, *args, "--momentum", "0", "--state", "momentum_buffer=5 6")
        np.testing.assert_allclose(params_of(document), [[0.95, 2.1], [0.925, 2.05]])
        assert any("buffer is not used" in note for note in document["notes"])
        assert_same_run(document, reference)
    quiet = run("optimizer", "sgd", "--params", "1", "--grad", "1", "--state", "momentum_buffer=1")
    assert quiet.code == 0 and "buffer is not used" in quiet.stdout


@pytest.mark.parametrize(
    "args,mentions",
    [
        (["sgd", "--params", "1", "--loss", "log(x1)", "--lr", "2", "--steps", "3"], "t=1"),
        (["sgd", "--params", "-1", "--loss", "log(x1)"], "x1 = -1"),
        (["sgd", "--params", "3", "--loss", "x1**4", "--lr", "1", "--steps", "20"], "t=5"),
        (["--compare", "sgd,adam", "--params", "1", "--loss", "sqrt(x1)", "--lr", "1",
          "--steps", "5"], "SGD step t=2"),
    ],
)  # fmt: skip
def test_a_step_out_of_the_losss_domain_stops_with_one_line(args, mentions):
    line = assert_bad_input("optimizer", *args, mentions="--loss:")
    assert mentions in line and "nan" not in line.lower()


def test_an_overflowing_step_stops_with_one_line():
    for args in (
        ["sgd", "--grad", "1e300", "--lr", "1e10"],
        ["adadelta", "--grad", "0", "--eps", "0"],
    ):
        line = assert_bad_input("optimizer", *args, "--params", "1", mentions="--lr:")
        assert "t=1" in line


def test_every_symbol_is_filled_in_with_numbers():
    """The with-numbers form of each step names no operand (vectors included: √(0.01  0.04))."""
    import re

    document = optimizer("adam", "--params", "1 2", "--grad", "0.1 -0.2", "--steps", "2")
    for step in document["steps"]:
        for name in step["operands"]:
            assert not re.search(rf"\b{name}\b", step["substituted"]), (name, step)
    text = run("optimizer", "adam", "--params", "1 2", "--grad", "0.1 -0.2", "--steps", "2").stdout
    assert "√(0.01  0.04)" in text and "(1 − 0.9²)" in text and "v_hat" not in text
    assert "(state exp_avg)" in text and "(state exp_avg_sq)" in text


@pytest.mark.parametrize("sample", ["optimizer_adagrad_matrix.yaml"])
def test_adagrad_matrix_sample_matches_torch(torch64, sample):
    torch = torch64
    document = optimizer("--from", f"samples/{sample}")
    grads = [[[0.2, -0.1], [0.4, 0.0]], [[0.1, 0.3], [-0.2, 0.5]]]
    w, total = torch.tensor([[0.5, -0.3], [0.8, 0.1]]), torch.zeros(2, 2)
    for g in map(torch.tensor, grads):  # the textbook form: ε inside the root
        total = total + g**2
        w = w - 0.1 * g / torch.sqrt(total + 1e-8)
    np.testing.assert_allclose(document["result"]["final_params"], w.numpy(), rtol=1e-12)
    assert_steps_honest(document["steps"])
