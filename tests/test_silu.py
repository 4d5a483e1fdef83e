import json
import math
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from stepcalc import expr, symbolic
from stepcalc.calc import activations
from stepcalc.commands.silu import FUNCTIONS
from tests.helpers import (
    assert_bad_input,
    assert_matches_torch,
    assert_steps_honest,
    run,
    run_json,
    torch_or_skip,
)

POINTS = "-1000 -30 -3 -1 -0.5 0 0.5 1 3 30 1000"
SYMPY_NAMES = re.compile(r"Piecewise|Heaviside|\bAbs\(|\bMax\(|\bMin\(|\bsign\(")
PARAMETERS = {
    "swish": ["--beta", "1.5"],
    "leaky-relu": ["--alpha", "0.2"],
    "elu": ["--alpha", "0.7"],
    "relu6": ["--max-value", "4"],
    "thresholded-relu": ["--threshold", "0.5"],
}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """SymPy's cached derivatives go to a temporary directory, never to the real home."""
    path = tmp_path_factory.getbasetemp() / "stepcalc-cache"
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(path))
    return path


def silu_json(*args):
    return run_json("silu", *args)


def sigma(v):
    return 1 / (1 + math.exp(-v))


# ------------------------------------------------------------------ numeric core


def test_sigmoid_is_stable_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = activations.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        assert values.tolist() == [0.0, 0.5, 1.0]
        assert np.isfinite(activations.silu(np.array([-1000.0, 1000.0]))).all()
        for name in FUNCTIONS:
            act = activations.ACTIVATIONS[name]
            x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
            assert np.isfinite(act.forward(x)).all(), name
            assert np.isfinite(act.derivative(x)).all(), name


def test_registry_by_name_and_parameters():
    x = np.array([-2.0, 0.0, 3.0])
    assert activations.activation("leaky-relu", x, alpha=0.1).tolist() == [-0.2, 0.0, 3.0]
    assert activations.derivative("leaky_relu", x, alpha=0.1).tolist() == [0.1, 0.1, 1.0]
    assert activations.derivative("relu", x).tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_allclose(activations.activation("swish", x, beta=1.0), activations.silu(x))
    with pytest.raises(ValueError):
        activations.activation("relu", x, alpha=0.1)
    with pytest.raises(KeyError):
        activations.get("mish")


def test_formula_functions_evaluate():
    from stepcalc.formula import evaluate

    value = evaluate("x*sigmoid(x)", {"x": [1.0, 2.0]})
    np.testing.assert_allclose(value, [sigma(1), 2 * sigma(2)])
    silu = activations.ACTIVATIONS["silu"]
    np.testing.assert_allclose(evaluate(silu.formula, {"x": [1.0, 2.0]}), value)
    assert activations.get("hardswish") is activations.ACTIVATIONS["hard-swish"]
    assert activations.relu_derivative(np.array([-1.0, 0.0, 2.0])).tolist() == [0, 0, 1]


# ------------------------------------------------------------------ hand values


def test_silu_hand_values():
    out = silu_json("--input", "1 -1 0")["result"]
    s = sigma(1)
    np.testing.assert_allclose(out["output"], [s, -(1 - s), 0.0], rtol=1e-15)
    # SiLU'(x) = σ(x)(1 + x(1 − σ(x)))
    expected = [s * (1 + (1 - s)), (1 - s) * (1 - s), 0.5]
    np.testing.assert_allclose(out["derivative"], expected, rtol=1e-14)
    assert out["symbolic"] == {
        "function": "x/(1 + exp(-x))",
        "derivative": "x*exp(-x)/(1 + exp(-x))**2 + 1/(1 + exp(-x))",
    }


def test_yolo_slide_silu_is_almost_identity():
    document = run_json("silu", "--from", "samples/silu_yolo_conv1.yaml")
    out = document["result"]
    np.testing.assert_allclose(out["output"], [[25, 18], [20, 18]], atol=1e-6)
    np.testing.assert_allclose(out["derivative"], np.ones((2, 2)), atol=1e-6)
    np.testing.assert_allclose(out["grad_input"], [[-0.987, -1.184], [-1.382, -1.579]], atol=1e-6)
    assert_steps_honest(document["steps"])


def test_relu_jacobian_seed_003():
    document = run_json("silu", "--from", "samples/silu_relu_jacobian.yaml")
    out = document["result"]
    assert out["jacobian"] == np.diag([1.0, 0.0, 1.0, 0.0]).tolist()
    assert out["grad_input"] == [4.0, 0.0, 5.0, 0.0]
    assert out["derivative"] == [1.0, 0.0, 1.0, 0.0]
    assert any("diagonal" in note for note in document["notes"])
    assert_steps_honest(document["steps"])


def test_relu_derivative_at_zero_is_zero():
    out = silu_json("--fn", "relu", "--input", "0")["result"]
    assert out["derivative"] == 0.0
    assert silu_json("--fn", "leaky-relu", "--input", "0")["result"]["derivative"] == 0.01


def test_sigmoid_depth_vanishes_seed_004():
    document = run_json("silu", "--from", "samples/silu_sigmoid_depth.yaml")
    depth = document["result"]["depth"]
    assert depth["layers"] == 5
    assert all(0 < g <= 0.25**5 for g in depth["gradient"])
    a, product = np.array([0.0, 2.0, 5.0]), np.ones(3)
    for _ in range(5):
        s = 1 / (1 + np.exp(-a))
        product *= s * (1 - s)
        a = s
    np.testing.assert_allclose(depth["gradient"], product, rtol=1e-12)
    np.testing.assert_allclose(depth["output"], a, rtol=1e-12)
    assert_steps_honest(document["steps"])


def test_compare_relu_marks_dead_gradient():
    result = run("silu", "--from", "samples/silu_vs_relu.yaml")
    assert result.code == 0, result.stderr
    assert "gradient dies" in result.stdout
    out = run_json("silu", "--from", "samples/silu_vs_relu.yaml")["result"]
    assert out["compare"]["fn"] == "relu"
    assert out["compare"]["derivative"] == [0, 0, 0, 0, 1, 1, 1]
    assert all(d != 0 for d in out["derivative"])


def test_round_steps_rounds_sigma_first():
    out = silu_json("--input", "1", "--round-steps", "2")["result"]
    # σ(1) = 0.73 → SiLU = 0.73, SiLU' = 0.73·(1 + 0.27) = 0.9271 → 0.93
    assert out["output"] == 0.73
    assert out["derivative"] == 0.93


def test_check_against_student_answer():
    result = run("silu", "--input", "2", "--expect", "derivative=1.0908", "--expect", "output=1.76")
    assert result.code == 0, result.stdout
    result = run("silu", "--input", "2", "--expect", "derivative=0.25")
    assert result.code == 1


def test_matrix_shape_is_kept_and_korean_renders():
    out = silu_json("--input", "1 2; 3 4", "--fn", "tanh")["result"]
    assert np.shape(out["output"]) == (2, 2)
    result = run("silu", "--input", "-1 1", "--lang", "ko", "--compare", "relu")
    assert result.code == 0 and "SiLU 대 ReLU" in result.stdout and "역전파" in result.stdout
    result = run("silu", "--input", "-1 1", "--ascii")
    assert result.code == 0 and "σ" not in result.stdout


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_step_is_honest(name):
    extra = PARAMETERS
    document = silu_json(
        "--fn",
        name,
        "--input",
        POINTS,
        "--grad-output",
        " ".join(str(i) for i in range(11)),
        "--jacobian",
        "--depth",
        "3",
        "--compare",
        "gelu" if name == "relu" else "relu",
        *extra.get(name, []),
    )
    assert_steps_honest(document["steps"])
    raw = [s for s in document["steps"] if s["title"].endswith("SymPy")]
    assert len(raw) == 2


@pytest.mark.parametrize("name", FUNCTIONS)
def test_symbolic_strings_match_numbers(name):
    sympy = pytest.importorskip("sympy")
    out = silu_json("--fn", name, "--input", "-2 -0.5 0.5 2")["result"]
    x = sympy.Symbol("x")
    # the strings are stepcalc's own output, parsed here only to check them
    f = sympy.lambdify(x, sympy.sympify(out["symbolic"]["function"]), "mpmath")
    d = sympy.lambdify(x, sympy.sympify(out["symbolic"]["derivative"]), "mpmath")
    for i, v in enumerate([-2, -0.5, 0.5, 2]):
        assert float(f(v)) == pytest.approx(out["output"][i], rel=1e-12, abs=1e-15)
        assert float(d(v)) == pytest.approx(out["derivative"][i], rel=1e-12, abs=1e-15)


# ------------------------------------------------------------------ torch


def _torch_function(torch, name, alpha=None, beta=None, cap=6.0, theta=1.0):
    functional = torch.nn.functional
    return {
        "silu": functional.silu,
        "swish": lambda t: t * torch.sigmoid(beta * t),
        "sigmoid": torch.sigmoid,
        "relu": functional.relu,
        "leaky-relu": lambda t: functional.leaky_relu(t, alpha),
        "tanh": torch.tanh,
        "gelu": functional.gelu,
        "gelu-tanh": lambda t: functional.gelu(t, approximate="tanh"),
        "elu": lambda t: functional.elu(t, alpha),
        "softplus": functional.softplus,
        "relu6": lambda t: functional.hardtanh(t, 0.0, cap),
        "thresholded-relu": lambda t: functional.threshold(t, theta, 0.0),
        "softsign": functional.softsign,
        "hard-sigmoid": functional.hardsigmoid,
        "hard-swish": functional.hardswish,
        # torch.heaviside has no derivative; the comparison's gradient is 0, as ours
        "step": lambda t: (t > 0).double() + 0 * t,
    }[name]


def _torch_parameters(name):
    given = dict(zip(PARAMETERS.get(name, [])[::2], PARAMETERS.get(name, [])[1::2], strict=True))
    names = {"--alpha": "alpha", "--beta": "beta", "--max-value": "cap", "--threshold": "theta"}
    return {names[option]: float(value) for option, value in given.items()}


# torch's hardsigmoid backward multiplies by 1/6 in float32 (0.1666666716…)
TORCH_TOLERANCE = {"softplus": 1e-9, "hard-sigmoid": 1e-7}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_matches_torch_functional_and_autograd(name):
    torch = torch_or_skip()
    args = [
        "--fn",
        name,
        "--input",
        "-1000 -30 -3 -1 -0.5 0 0.5 1 3 30 1000; 1 2 3 4 5 6 7 8 9 10 11",
    ]
    args += ["--grad-output", "1 -2 3 -4 5 -6 7 -8 9 -10 11; 1 1 1 1 1 1 1 1 1 1 1"]
    args += PARAMETERS.get(name, [])
    document = silu_json(*args)
    out = document["result"]
    function = _torch_function(torch, name, **_torch_parameters(name))
    x = torch.tensor(document["inputs"]["input"], dtype=torch.float64, requires_grad=True)
    g = torch.tensor(document["inputs"]["grad_output"], dtype=torch.float64)
    y = function(x)
    y.backward(g)
    tolerance = TORCH_TOLERANCE.get(name, 1e-12)
    assert_matches_torch(out["output"], y, rtol=1e-12, atol=1e-12)
    assert_matches_torch(out["grad_input"], x.grad, rtol=tolerance, atol=tolerance)
    x2 = x.detach().clone().requires_grad_(True)
    function(x2).sum().backward()
    assert_matches_torch(out["derivative"], x2.grad, rtol=tolerance, atol=tolerance)


KINKS = {
    "relu": ([], [0]),
    "leaky-relu": (["--alpha", "0.2"], [0]),
    "elu": (["--alpha", "0.7"], [0]),
    "relu6": ([], [0, 6]),
    "thresholded-relu": (["--threshold", "0.5"], [0.5]),
    "hard-sigmoid": ([], [-3, 3]),
    "hard-swish": ([], [-3, 3]),
    "softplus": ([], [20]),
    "step": ([], [0]),
}


@pytest.mark.parametrize("name", sorted(KINKS))
def test_derivative_at_the_kinks_is_pytorch_autograds(name):
    torch = torch_or_skip()
    extra, points = KINKS[name]
    points = [*points, 1.5]  # and a point away from the kinks, so the input is a vector
    out = silu_json("--fn", name, "--input", " ".join(map(str, points)), *extra)["result"]
    names = {"--alpha": "alpha", "--threshold": "theta"}
    given = {names[k]: float(v) for k, v in zip(extra[::2], extra[1::2], strict=True)}
    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    _torch_function(torch, name, **given)(x).sum().backward()
    tolerance = TORCH_TOLERANCE.get(name, 1e-15)
    assert_matches_torch(out["derivative"], x.grad, rtol=tolerance, atol=tolerance)


def test_capped_relu_and_its_kink_note():
    torch = torch_or_skip()
    document = silu_json("--fn", "relu6", "--input", "-1 0 2 4 5", "--max-value", "4")
    x = torch.tensor([-1.0, 0, 2, 4, 5], dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.hardtanh(x, 0.0, 4.0)
    y.sum().backward()
    assert_matches_torch(document["result"]["output"], y)
    assert_matches_torch(document["result"]["derivative"], x.grad)
    note = next(n for n in document["notes"] if "not differentiable" in n)
    assert "x = 0, 4" in note and "0 at x = 0, 0 at x = 4" in note


def test_heaviside_has_no_torch_derivative_and_ours_is_zero():
    torch = torch_or_skip()
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.heaviside(x, torch.tensor(0.0, dtype=torch.float64)).sum().backward()
    document = silu_json("--fn", "step", "--input", "-1 0 2", "--grad-output", "5 6 7")
    assert document["result"]["output"] == [0, 0, 1]
    assert document["result"]["derivative"] == [0, 0, 0]
    assert document["result"]["grad_input"] == [0, 0, 0]
    assert any("no gradient flows back" in note for note in document["notes"])


def test_depth_matches_torch_autograd():
    torch = torch_or_skip()
    out = silu_json("--input", "-2 0.5 3", "--depth", "4")["result"]["depth"]
    x = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    a = x
    for _ in range(4):
        a = torch.nn.functional.silu(a)
    a.sum().backward()
    assert_matches_torch(out["output"], a)
    assert_matches_torch(out["gradient"], x.grad)


# ------------------------------------------------------------------ bad input


def test_bad_input():
    assert_bad_input("silu", "--input", "1 2", "--fn", "mish", mentions="--fn")
    assert_bad_input("silu", "--fn", "relu", mentions="--input")
    assert_bad_input("silu", "--input", "1 2", "--alpha", "0.1", mentions="--alpha")
    assert_bad_input("silu", "--input", "1 2", "--fn", "elu", "--beta", "2", mentions="--beta")
    line = assert_bad_input("silu", "--input", "1", "--max-value", "4", mentions="--max-value")
    assert "relu6" in line
    assert_bad_input(
        "silu", "--input", "1", "--fn", "relu", "--threshold", "1", mentions="--threshold"
    )
    assert_bad_input("silu", "--input", "1 2", "--grad-output", "1 2 3", mentions="--grad-output")
    assert_bad_input("silu", "--input", "1 2", "--depth", "0", mentions="--depth")
    assert_bad_input("silu", "--input", "1 2", "--depth", "51", mentions="--depth")
    assert_bad_input("silu", "--input", "1 nan", mentions="--input")
    assert_bad_input("silu", "--input", "1 2", "--compare", "max", mentions="--compare")
    big = " ".join(["1"] * 101)
    assert_bad_input("silu", "--input", big, "--jacobian", mentions="--jacobian")


def test_depth_is_limited_by_size():
    big = "[" + ",".join(["1"] * 30000) + "]"
    assert_bad_input("silu", "--input", big, "--depth", "50", mentions="--depth")


def test_hand_rounded_answer_is_a_rounding_verdict():
    # σ(3) rounded to 0.95 first gives 3·0.95 = 2.85; exact SiLU(3) = 2.8577…
    check = run_json("silu", "--input", "3", "--expect", "output=2.85")["check"]
    assert check["ok"] and check["items"][0]["verdict"] == "rounding"


@pytest.mark.parametrize("fn", ["silu", "gelu"])
def test_ascii_table_keeps_80_columns_when_a_long_tensor_is_named(monkeypatch, fn):
    # the with-numbers column names a long tensor input (σ, Φ); in ASCII its name is
    # spelled out before the layout, so the table still fits
    monkeypatch.setenv("COLUMNS", "80")
    result = run("silu", "--fn", fn, "--input", "-3 -1 0 1", "--compare", "relu", "--ascii")
    assert result.code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert result.stdout.isascii()


def test_command_offers_exactly_the_registered_functions():
    # the command keeps its own list so that --help needs no NumPy; the two must agree
    assert set(FUNCTIONS) == set(activations.ACTIVATIONS)


def test_compare_with_an_alpha_of_the_compared_function_only():
    out = silu_json("--input", "-1 1", "--compare", "elu", "--alpha", "0.5")["result"]
    assert out["compare"]["output"][0] == pytest.approx(0.5 * (math.exp(-1) - 1))


# ------------------------------------------------------------------ the steps read well


@pytest.mark.parametrize("name", FUNCTIONS)
def test_steps_name_no_sympy_class_and_no_minus_zero(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    args = ("--fn", name, "--input", "-2 0 3", "--grad-output", "1 1 1", *PARAMETERS.get(name, []))
    text = run("silu", *args).stdout
    document = silu_json(*args)
    latex = run("silu", *args, "--format", "latex").stdout
    for written in (text, latex, json.dumps(document["steps"], ensure_ascii=False)):
        assert not SYMPY_NAMES.search(written), written
        assert not re.search(r"exp\((−|-)0\)", written), written
    assert "·d" not in text and "[1, 1, 1]" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_relu_derivative_is_an_iverson_bracket():
    steps = silu_json("--fn", "relu", "--input", "-2 0 3")["steps"]
    derivative = next(step for step in steps if step.get("key") == "derivative")
    assert derivative["formula"] == "gt(x, 0)" and derivative["rule"] == "[x > 0]"
    leaky = silu_json("--fn", "leaky-relu", "--input", "-2 0 3")["steps"]
    rule = next(step for step in leaky if step.get("key") == "derivative")["rule"]
    assert rule == "[x > 0] + [x ≤ 0]·α"


def test_gradient_step_multiplies_upstream_by_the_derivative():
    steps = silu_json("--input", "1 2 3", "--grad-output", "1 1 1")["steps"]
    grad = next(step for step in steps if step.get("key") == "grad_input")
    assert grad["formula"] == "dL_dy*SiLU_prime"
    assert set(grad["operands"]) == {"dL_dy", "SiLU_prime"}


def test_compare_reads_well_at_80_and_60_columns(monkeypatch):
    for columns in (80, 60):
        monkeypatch.setenv("COLUMNS", str(columns))
        result = run("silu", "--from", "samples/silu_vs_relu.yaml")
        assert result.code == 0, result.stderr
        # at 60 columns only the table and notes: a 7-element vector after a hanging "="
        # is the terminal layout's to break (it does not yet)
        shown = result.stdout if columns == 80 else result.stdout.split("SiLU vs ReLU")[1]
        assert max(len(line) for line in shown.splitlines()) <= columns
        assert "SiLU vs ReLU" in result.stdout and "gradient dies" in result.stdout
        assert "SiLU′(x)" in result.stdout.split("SiLU vs ReLU")[1].splitlines()[2]  # a table


# ------------------------------------------------------------------ the notes are true


def test_silu_note_numbers():
    silu, derivative = activations.silu, activations.silu_derivative
    low, high = -2.0, -1.0  # SiLU′(−2) < 0 < SiLU′(−1): bisect the root
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if derivative(middle) < 0 else (low, middle)
    assert low == pytest.approx(-1.2785, abs=5e-5)
    assert silu(low) == pytest.approx(-0.2785, abs=5e-5)
    grid = np.linspace(-1.2786, 1.2786, 2001)
    assert silu(grid).min() >= silu(low) - 1e-12  # the minimum
    below = np.linspace(-60, -1.2786, 500)
    assert (derivative(below) < 0).all()
    assert abs(derivative(-60.0)) < 1e-20  # tends to 0 as x decreases
    x = np.linspace(-20, 20, 4001)
    np.testing.assert_allclose(derivative(x) + derivative(-x), 1, atol=1e-12)
    assert (derivative(np.linspace(1.2786, 30, 500)) > 1).all()  # (float64 rounds to 1 later)
    assert (activations.relu_derivative(np.linspace(-5, 0, 101)) == 0).all()
    document = silu_json("--input", "1")
    assert any("−1.2785" in note and "−0.2785" in note for note in document["notes"])


def test_softplus_note_numbers():
    assert math.log1p(math.exp(20)) - 20 < 2.1e-9
    x = np.array([20.5, 25.0, 700.0])
    np.testing.assert_array_equal(activations.activation("softplus", x), x)
    np.testing.assert_array_equal(activations.derivative("softplus", x), 1)


def test_hard_sigmoid_and_hard_swish_notes():
    x = np.linspace(-6, 6, 241)
    hard_sigmoid = activations.activation("hard-sigmoid", x)
    np.testing.assert_allclose(hard_sigmoid, np.clip(x / 6 + 0.5, 0, 1), atol=1e-15)
    np.testing.assert_allclose(activations.activation("hard-swish", x), x * hard_sigmoid)


def test_sigmoid_derivative_is_at_most_a_quarter():
    x = np.linspace(-30, 30, 6001)
    assert activations.derivative("sigmoid", x).max() == pytest.approx(0.25)
    assert activations.derivative("sigmoid", x).max() <= 0.25


def test_kink_note_only_where_there_is_a_kink():
    def kinked(*args):
        return any("not differentiable" in n for n in silu_json(*args).get("notes", []))

    assert not kinked("--fn", "elu", "--input", "1")  # α = 1: ELU′ is continuous at 0
    assert kinked("--fn", "elu", "--input", "1", "--alpha", "0.5")
    assert not kinked("--fn", "leaky-relu", "--input", "1", "--alpha", "1")
    assert kinked("--fn", "hard-swish", "--input", "1")
    assert not kinked("--fn", "softsign", "--input", "1")


def test_compare_note_gradient_dies_where_the_derivative_is_zero():
    out = silu_json("--fn", "relu", "--input", "-2 0 3", "--grad-output", "4 5 6")["result"]
    assert [g for g, d in zip(out["grad_input"], out["derivative"], strict=True) if d == 0] == [
        0,
        0,
    ]


# ------------------------------------------------------------------ the derivative cache


def hand(act):
    return {**act.parts, act.symbol: act.formula}


COLD_RUN = """
import io, json, sys, contextlib
from stepcalc.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(["silu", "--input", "1 -2", "--json"])
    except SystemExit:
        pass
print(json.dumps({"sympy": "sympy" in sys.modules, "result": json.loads(out.getvalue())["result"]}))
"""


def _fresh_process(cache: str) -> dict:
    env = {**os.environ, "STEPCALC_CACHE_DIR": cache}
    done = subprocess.run(
        [sys.executable, "-c", COLD_RUN], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_warm_cache_spares_sympy_and_gives_the_same_numbers(tmp_path):
    cold = _fresh_process(str(tmp_path))
    warm = _fresh_process(str(tmp_path))
    assert cold["sympy"] and not warm["sympy"]
    assert warm["result"] == cold["result"]
    assert [p.suffix for p in tmp_path.iterdir()] == [".json"]  # one entry: f′ and its forms


def test_cached_and_fresh_derivations_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(tmp_path))
    for act in activations.ACTIVATIONS.values():
        fresh = symbolic.activation_forms(act.formula, hand(act), act.params)
        files = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
        assert symbolic.activation_forms(act.formula, hand(act), act.params) == fresh
        assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == files  # read, not derived
        assert fresh["derivative"] == act.derivative_formula
    tree = expr.parse_expression("x1**2*sigmoid(x2) + abs(x1)", "--loss", ["x1", "x2"])
    fresh = symbolic.loss_and_gradient(tree, ["x1", "x2"])
    cached = symbolic.loss_and_gradient(tree, ["x1", "x2"])
    assert fresh[:2] == cached[:2]
    assert cached[1] == [
        "2*x1*sigmoid(x2) + (gt(x1, 0) - lt(x1, 0))",
        "x1**2*(1 - sigmoid(x2))*sigmoid(x2)",
    ]
    assert cached[2](1.5, -2.0) == pytest.approx(1.5**2 * sigma(-2) + 1.5)
    assert cached[3](1.5, -2.0) == pytest.approx(
        [3 * sigma(-2) + 1, 2.25 * sigma(-2) * (1 - sigma(-2))]
    )


def test_a_corrupt_cache_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(tmp_path))
    act = activations.ACTIVATIONS["gelu-tanh"]
    fresh = symbolic.activation_forms(act.formula, hand(act), act.params)
    for garbage in ("{not json", json.dumps({"key": "other", "value": {}}), '{"key": 1}'):
        for path in tmp_path.iterdir():
            path.write_text(garbage)
        assert symbolic.activation_forms(act.formula, hand(act), act.params) == fresh
    path = next(tmp_path.iterdir())
    stored = json.loads(path.read_text())
    stored["value"]["derivative"] = "x + unknown_function(x)"
    path.write_text(json.dumps(stored))
    assert symbolic.activation_forms(act.formula, hand(act), act.params) == fresh


def test_an_unwritable_cache_falls_back_to_sympy(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(blocker / "cache"))
    act = activations.ACTIVATIONS["softsign"]
    assert (
        symbolic.activation_forms(act.formula, hand(act), act.params)["derivative"]
        == "(1 + abs(x))**(-2)"
    )
    assert list(tmp_path.iterdir()) == [blocker]
    result = run("silu", "--fn", "softsign", "--input", "-3 3", "--json")
    assert result.code == 0 and result.stderr == ""


def test_cache_location_and_version_key(tmp_path, monkeypatch):
    monkeypatch.delenv("STEPCALC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert symbolic.cache_dir() == tmp_path / "stepcalc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert symbolic.cache_dir() == tmp_path / ".cache" / "stepcalc"
    from importlib.metadata import version

    assert symbolic.sympy_version() == version("sympy")
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(tmp_path / "c"))
    symbolic.activation_forms("x*sigmoid(x)", {"sigma": "sigmoid(x)"}, {})
    monkeypatch.setattr(symbolic, "sympy_version", lambda: "0.0-other")
    symbolic.activation_forms("x*sigmoid(x)", {"sigma": "sigmoid(x)"}, {})
    assert len(list((tmp_path / "c").iterdir())) == 2  # another SymPy, another entry


def test_undefined_loss_is_refused_from_the_cache_too(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(tmp_path))
    tree = expr.parse_expression("log(0)*x", "--loss", ["x"])
    for _ in range(2):
        with pytest.raises(symbolic.InputError) as caught:
            symbolic.loss_and_gradient(tree, ["x"])
        assert caught.value.text().startswith("--loss: a part is undefined")
