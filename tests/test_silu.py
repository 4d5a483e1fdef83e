import math
import warnings

import numpy as np
import pytest

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
    from stepcalc.symbolic import evaluate_formula

    value = evaluate_formula("x*sigmoid(x)", {"x": [1.0, 2.0]})
    np.testing.assert_allclose(value, [sigma(1), 2 * sigma(2)])


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
    assert result.code == 0 and "원소별" in result.stdout
    result = run("silu", "--input", "-1 1", "--ascii")
    assert result.code == 0 and "σ" not in result.stdout


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_step_is_honest(name):
    extra = {
        "swish": ["--beta", "1.5"],
        "leaky-relu": ["--alpha", "0.2"],
        "elu": ["--alpha", "0.7"],
    }
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


def _torch_function(torch, name, alpha, beta):
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
    }[name]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_matches_torch_functional_and_autograd(name):
    torch = torch_or_skip()
    alpha = {"leaky-relu": 0.2, "elu": 0.7}.get(name)
    beta = 1.5 if name == "swish" else None
    args = [
        "--fn",
        name,
        "--input",
        "-1000 -30 -3 -1 -0.5 0 0.5 1 3 30 1000; 1 2 3 4 5 6 7 8 9 10 11",
    ]
    args += ["--grad-output", "1 -2 3 -4 5 -6 7 -8 9 -10 11; 1 1 1 1 1 1 1 1 1 1 1"]
    if alpha is not None:
        args += ["--alpha", str(alpha)]
    if beta is not None:
        args += ["--beta", str(beta)]
    document = silu_json(*args)
    out = document["result"]
    x = torch.tensor(document["inputs"]["input"], dtype=torch.float64, requires_grad=True)
    g = torch.tensor(document["inputs"]["grad_output"], dtype=torch.float64)
    y = _torch_function(torch, name, alpha, beta)(x)
    y.backward(g)
    tolerance = 1e-9 if name == "softplus" else 1e-12  # torch switches to x above 20
    assert_matches_torch(out["output"], y, rtol=tolerance, atol=tolerance)
    assert_matches_torch(out["grad_input"], x.grad, rtol=tolerance, atol=tolerance)
    x2 = x.detach().clone().requires_grad_(True)
    _torch_function(torch, name, alpha, beta)(x2).sum().backward()
    assert_matches_torch(out["derivative"], x2.grad, rtol=tolerance, atol=tolerance)


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
