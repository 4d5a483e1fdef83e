"""``stepcalc graph``: expression graphs, networks, training and gates.

Hand-worked course numbers always; torch autograd / torch.optim.SGD when torch is installed;
SymPy's own derivative of the whole expression; every step re-evaluates to its value.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from stepcalc import expr
from stepcalc.symbolic import expression_to_sympy
from tests.helpers import (
    assert_bad_input,
    assert_matches_torch,
    assert_steps_honest,
    run,
    run_json,
    torch_or_skip,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CS231N_VALUES = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
CS231N_WRITTEN = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
CS231N_NODE = "sigmoid(w0*x0 + w1*x1 + w2)"

EXPRESSIONS = [
    ("(x + y) * z", "x=-2,y=5,z=-4"),
    (CS231N_WRITTEN, CS231N_VALUES),
    (CS231N_NODE, CS231N_VALUES),
    ("x*x + 3*x - y/x", "x=1.5,y=-2"),
    ("x**3 - 2**y + x**y", "x=1.7,y=0.6"),
    ("exp(x) * log(y) - sqrt(y)", "x=0.3,y=2.5"),
    ("max(x, y) * relu(x - y) + tanh(x*y)", "x=1.2,y=-0.7"),
    ("silu(a) + sigmoid(-b) * a", "a=-0.4,b=1.3"),
    ("sin(x) * cos(y) + abs(x - y)", "x=0.4,y=-1.1"),
    ("-x / (1 + y**2)", "x=3,y=0.5"),
]


def graph(*args: str) -> dict:
    return run_json("graph", *args)


def values_of(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (p.split("=") for p in text.split(","))}


# ------------------------------------------------------------------ hand-worked examples


def test_cs231n_sum_times_z():
    data = graph("--expr", "(x + y) * z", "--values", "x=-2,y=5,z=-4")
    result = data["result"]
    assert result["output"] == -12
    assert result["gradients"] == {"x": -4, "y": -4, "z": 3}
    assert result["nodes"] == [
        {
            "op": "+",
            "inputs": ["x", "y"],
            "value": 3,
            "local": [1, 1],
            "upstream": -4,
            "downstream": [-4, -4],
        },
        {
            "op": "*",
            "inputs": ["n1", "z"],
            "value": -12,
            "local": [-4, 3],
            "upstream": 1,
            "downstream": [-4, 3],
        },
    ]
    assert_steps_honest(data["steps"])


def test_cs231n_sigmoid_written_out_equals_sigmoid_node():
    written = graph("--expr", CS231N_WRITTEN, "--values", CS231N_VALUES)["result"]
    node = graph("--expr", CS231N_NODE, "--values", CS231N_VALUES)["result"]
    assert written["output"] == pytest.approx(node["output"], abs=1e-15)
    for name, value in node["gradients"].items():
        assert written["gradients"][name] == pytest.approx(value, abs=1e-15)
    # The lecture's numbers: f = 0.73, dw0 = -0.2, dx0 = 0.39, dw1 = -0.39, dx1 = -0.59, dw2 = 0.2
    lecture = {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}
    assert round(node["output"], 2) == 0.73
    for name, value in lecture.items():
        assert round(node["gradients"][name], 2) == value
    assert len(written["nodes"]) == 8 and len(node["nodes"]) == 5


def test_variable_used_twice_accumulates_and_says_so():
    data = graph("--expr", "x*x + x", "--values", "x=3")
    assert data["result"]["gradients"] == {"x": 7}
    sums = [s for s in data["steps"] if s.get("key") == "gradients.x"]
    assert len(sums) == 1 and sums[0]["formula"] == "dL_dx_1 + dL_dx_2 + dL_dx_3"
    assert "used 3 times" in sums[0]["note"]
    assert_steps_honest(data["steps"])


def test_upstream_scales_every_gradient():
    data = graph("--expr", "(x + y) * z", "--values", "x=-2,y=5,z=-4", "--upstream", "0.5")
    assert data["result"]["gradients"] == {"x": -2, "y": -2, "z": 1.5}
    assert data["result"]["nodes"][-1]["upstream"] == 0.5


def test_constants_get_no_gradient_and_max_tie_splits():
    data = graph("--expr", "2*max(x, y)", "--values", "x=1,y=1")
    first = data["result"]["nodes"][0]
    assert first["op"] == "max" and first["local"] == [0.5, 0.5]
    assert data["result"]["nodes"][1]["local"][0] is None
    assert data["result"]["gradients"] == {"x": 1, "y": 1}
    split = [s["formula"] for s in data["steps"] if s["symbol"] == "dn1_dx"]
    assert split == ["(gt(x, y) + ge(x, y))/2"]  # [x > y] + [x ≥ y], halved: ½ each at a tie
    assert_steps_honest(data["steps"])


def test_round_steps_rounds_intermediates():
    data = graph("--expr", CS231N_NODE, "--values", CS231N_VALUES, "--round-steps", "2")
    assert data["result"]["output"] == 0.73
    # on paper: σ′ = 0.73·0.27 = 0.1971 → 0.2, so ∂L/∂x0 = 0.2·2 = 0.4 (exactly 0.3932)
    assert data["result"]["gradients"]["x0"] == 0.4
    assert data["result"]["nodes"][-1]["local"] == [0.2]


# ------------------------------------------------------------------ cross-checks


@pytest.mark.parametrize(("text", "values"), EXPRESSIONS)
def test_expression_matches_sympy_derivative(text, values):
    import sympy

    data = graph("--expr", text, "--values", values)
    given = values_of(values)
    tree = expr.parse_expression(text, "--expr", None, expr.GRAPH_FUNCTIONS)
    real = {sympy.Symbol(k): sympy.Symbol(k, real=True) for k in given}
    symbolic = expression_to_sympy(tree).subs(real)
    point = {real[sympy.Symbol(k)]: v for k, v in given.items()}
    assert float(symbolic.subs(point)) == pytest.approx(data["result"]["output"], rel=1e-12)
    for name, value in data["result"]["gradients"].items():
        derivative = sympy.diff(symbolic, real[sympy.Symbol(name)]).subs(point)
        assert float(derivative) == pytest.approx(value, rel=1e-10, abs=1e-12)
    assert_steps_honest(data["steps"])


@pytest.mark.parametrize(("text", "values"), EXPRESSIONS)
def test_expression_matches_torch_autograd(text, values):
    torch = torch_or_skip()
    data = graph("--expr", text, "--values", values, "--upstream", "-1.5")
    tensors = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for k, v in values_of(values).items()
    }
    functions = {
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "sin": torch.sin,
        "cos": torch.cos,
        "tanh": torch.tanh,
        "abs": torch.abs,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "silu": torch.nn.functional.silu,
        "max": torch.maximum,
    }

    def build(node):
        if isinstance(node, expr.Num):
            return torch.tensor(node.value, dtype=torch.float64)
        if isinstance(node, expr.Var):
            return tensors[node.name]
        if isinstance(node, expr.Neg):
            return -build(node.operand)
        if isinstance(node, expr.BinOp):
            a, b = build(node.left), build(node.right)
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "**": a**b}[node.op]
        return functions[node.name](*(build(arg) for arg in node.args))

    out = build(expr.parse_expression(text, "--expr", None, expr.GRAPH_FUNCTIONS))
    out.backward(torch.tensor(-1.5, dtype=torch.float64))
    assert_matches_torch(data["result"]["output"], out)
    for name, value in data["result"]["gradients"].items():
        assert_matches_torch(value, tensors[name].grad)


# ------------------------------------------------------------------ formats and languages


def test_dot_format_draws_values_and_gradients():
    result = run("graph", "--expr", "(x + y) * z", "--values", "x=-2,y=5,z=-4", "--format", "dot")
    assert result.code == 0
    assert result.stdout.startswith("digraph")
    assert "var_x -> n1" in result.stdout and "n1 -> n2" in result.stdout
    assert '<font color="red">-4</font>' in result.stdout


def test_dot_format_only_for_graph():
    assert_bad_input("outsize", "--input", "5", "--kernel", "3", "--format", "dot", mentions="dot")


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_text_formats_render(fmt, lang):
    for args in (
        ("--expr", "x*x + x", "--values", "x=3"),
        ("--network", str(SAMPLES / "network_mlp.yaml"), "--lr", "0.1"),
        ("--gates",),
    ):
        result = run("graph", *args, "--format", fmt, "--lang", lang)
        assert result.code == 0, result.stderr
        assert result.stdout.strip()


def test_table_fits_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("graph", "--expr", CS231N_WRITTEN, "--values", CS231N_VALUES)
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


# ------------------------------------------------------------------ gates


def test_gates_truth_table():
    data = graph("--gates")
    result = data["result"]
    assert result["x"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert result["AND"] == [0, 0, 0, 1]
    assert result["OR"] == [0, 1, 1, 1]
    assert result["NAND"] == [1, 1, 1, 0]
    assert result["XOR"] == [0, 1, 1, 0]
    assert result["weights"]["AND"] == {"weights": [0.5, 0.5], "bias": -0.7}
    assert_steps_honest(data["steps"])


# ------------------------------------------------------------------ networks


def network_file(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def torch_network(torch, data: dict):
    """Parameters as leaf tensors and a function computing (output, loss, hidden list)."""
    params = []
    for layer in data["layers"]:
        w = torch.tensor(layer["weights"], dtype=torch.float64, requires_grad=True)
        b = layer.get("bias")
        b = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
        params.append((w, b, layer.get("activation", "none")))
    acts = {
        "none": lambda z: z,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "tanh": torch.tanh,
        "silu": torch.nn.functional.silu,
    }

    def forward(x, target, loss):
        h = x
        hidden = []
        for w, b, act in params:
            z = h @ w.reshape(-1, h.shape[-1]).T
            if b is not None:
                z = z + b.reshape(-1)
            h = acts[act](z)
            if h.requires_grad:
                h.retain_grad()
            hidden.append(h)
        if loss == "mse":
            value = torch.nn.functional.mse_loss(h, target)
        elif h.shape[-1] == 1:
            value = torch.nn.functional.binary_cross_entropy(h, target)
        else:
            value = torch.nn.functional.cross_entropy(h, target)
        return h, value, hidden

    return params, forward


NETWORKS = [
    {
        "input": [1.0, -1.0],
        "target": [0.5, -0.5],
        "loss": "mse",
        "layers": [
            {
                "weights": [[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5]],
                "bias": [1.0, 0.0, -0.5],
                "activation": "sigmoid",
            },
            {"weights": [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]], "bias": [0.1, -0.1]},
        ],
    },
    {
        "input": [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]],
        "target": [2, 0],
        "loss": "cross-entropy",
        "layers": [
            {
                "weights": [[0.2, -0.5, 0.1], [0.7, 0.3, -0.2], [-0.6, 0.4, 0.9], [0.1, 0.1, 0.1]],
                "bias": [0.1, -0.2, 0.0, 0.3],
                "activation": "relu",
            },
            {
                "weights": [[0.5, -0.3, 0.2, 0.1], [-0.1, 0.4, 0.6, -0.2], [0.3, 0.2, -0.5, 0.7]],
                "bias": None,
                "activation": "tanh",
            },
            {
                "weights": [[1.0, -1.0, 0.5], [0.2, 0.3, -0.4], [-0.6, 0.8, 0.1]],
                "bias": [0.0, 0.1, -0.1],
            },
        ],
    },
    {
        "input": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        "target": [[1.0], [1.0], [0.0]],
        "loss": "cross-entropy",
        "layers": [
            {"weights": [[0.4, -0.6], [0.9, 0.2]], "bias": [0.1, -0.3], "activation": "silu"},
            {"weights": [[0.8, -1.2]], "bias": [0.2], "activation": "sigmoid"},
        ],
    },
]


@pytest.mark.parametrize("index", range(len(NETWORKS)))
def test_network_matches_torch_autograd(tmp_path, index):
    torch = torch_or_skip()
    data = NETWORKS[index]
    ours = graph("--network", network_file(tmp_path, data))
    assert_steps_honest(ours["steps"])
    params, forward = torch_network(torch, data)
    x = torch.tensor(data["input"], dtype=torch.float64, requires_grad=True)
    target = torch.tensor(data["target"])
    target = target.long() if target.dtype == torch.int64 else target.double()
    out, loss, hidden = forward(x, target, data["loss"])
    loss.backward()
    result = ours["result"]
    assert_matches_torch(result["loss"], loss)
    assert_matches_torch(result["output"], out)
    inputs = [x, *hidden[:-1]]
    for k, (w, b, _) in enumerate(params):
        layer = result["layers"][k]
        assert_matches_torch(layer["output"], hidden[k])
        assert_matches_torch(layer["grad_weight"], w.grad)
        if b is None:
            assert layer["grad_bias"] is None
        else:
            assert_matches_torch(layer["grad_bias"], b.grad)
        assert_matches_torch(layer["grad_input"], inputs[k].grad)


def test_network_hand_example_single_neuron():
    data = {
        "input": [1.0],
        "target": [0.0],
        "loss": "mse",
        "layers": [{"weights": [[0.6]], "bias": [0.9], "activation": "sigmoid"}],
    }
    result = run_json("graph", "--from", "-", stdin=yaml.safe_dump({"network": data}))["result"]
    a = 1 / (1 + math.exp(-1.5))
    assert result["output"] == pytest.approx([a], abs=1e-15)
    assert result["loss"] == pytest.approx(a * a, abs=1e-15)
    grad = 2 * a * a * (1 - a)
    np.testing.assert_allclose(result["layers"][0]["grad_weight"], [[grad]], atol=1e-15)
    assert result["layers"][0]["grad_bias"] == pytest.approx([grad], abs=1e-15)


def test_network_shapes_and_diagonal_jacobian():
    data = graph("--network", str(SAMPLES / "network_mlp.yaml"))
    layers = data["result"]["layers"]
    assert np.shape(layers[0]["grad_weight"]) == (3, 2)
    assert np.shape(layers[0]["grad_bias"]) == (3,)
    assert np.shape(layers[0]["grad_input"]) == (2,)
    assert np.shape(layers[1]["grad_weight"]) == (2, 3)
    assert np.shape(layers[1]["grad_input"]) == (3,)
    jacobian = next(s for s in data["steps"] if s["title"].startswith("Jacobian"))
    matrix = np.array(jacobian["value"])
    assert matrix.shape == (3, 3)
    assert np.count_nonzero(matrix - np.diag(np.diag(matrix))) == 0
    assert "updated" not in data["result"]


def test_one_sgd_update_matches_torch():
    torch = torch_or_skip()
    data = yaml.safe_load((SAMPLES / "network_mlp.yaml").read_text())
    ours = graph("--network", str(SAMPLES / "network_mlp.yaml"), "--lr", "0.1")
    assert_steps_honest(ours["steps"])
    params, forward = torch_network(torch, data)
    flat = [t for w, b, _ in params for t in (w, b) if t is not None]
    optimizer = torch.optim.SGD(flat, lr=0.1)
    _, loss, _ = forward(torch.tensor(data["input"]).double(), torch.tensor(data["target"]), "mse")
    loss.backward()
    optimizer.step()
    for (w, b, _), layer in zip(params, ours["result"]["updated"]["layers"], strict=True):
        assert_matches_torch(layer["weights"], w)
        assert_matches_torch(layer["bias"], b)


# ------------------------------------------------------------------ training


@pytest.mark.parametrize("kind", ["batch", "sgd", "minibatch"])
def test_linear_regression_training_matches_torch_sgd(kind):
    torch = torch_or_skip()
    sample = yaml.safe_load((SAMPLES / f"graph_train_linreg_{kind}.yaml").read_text())
    ours = graph("--from", str(SAMPLES / f"graph_train_linreg_{kind}.yaml"))
    assert_steps_honest(ours["steps"])
    net = sample["network"]
    x = torch.tensor(net["input"], dtype=torch.float64).reshape(-1, 1)
    y = torch.tensor(net["target"], dtype=torch.float64).reshape(-1, 1)
    w = torch.tensor(net["layers"][0]["weights"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(net["layers"][0]["bias"], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=sample["lr"])
    size = sample.get("batch-size", len(x))
    history = []
    for epoch in range(1, sample["epochs"] + 1):
        with torch.no_grad():
            history.append((epoch, float(torch.nn.functional.mse_loss(x @ w.T + b, y))))
        for start in range(0, len(x), size):
            optimizer.zero_grad()
            xb, yb = x[start : start + size], y[start : start + size]
            torch.nn.functional.mse_loss(xb @ w.T + b, yb).backward()
            optimizer.step()
    got = [(h["epoch"], h["loss"]) for h in ours["result"]["history"]]
    assert [e for e, _ in got] == [e for e, _ in history]
    np.testing.assert_allclose([v for _, v in got], [v for _, v in history], rtol=1e-10)
    updated = ours["result"]["updated"]["layers"][0]
    assert_matches_torch(updated["weights"], w)
    assert_matches_torch(updated["bias"], b)
    with torch.no_grad():  # the trained state: the loss and output after the last epoch
        output = x @ w.T + b
        final = float(torch.nn.functional.mse_loss(output, y))
    assert ours["result"]["final_loss"] == pytest.approx(final, rel=1e-9, abs=1e-15)
    assert_matches_torch(ours["result"]["final_output"], output.reshape(-1))


def test_the_result_block_shows_the_trained_state():
    table = run("graph", "--from", str(SAMPLES / "graph_train_linreg_sgd.yaml")).stdout
    result = table.split("\nresult\n")[1]
    assert "final_loss" in result and "final_output" in result
    assert "updated.layers[0].weights" in result and "{" not in result


def test_linear_regression_hand_first_epoch():
    # y = 2x + 1 from w = b = 0: loss (9 + 25 + 49 + 81)/4 = 41, then one batch step
    # dw = 2/4·Σ(ŷ − y)x = −(3 + 10 + 21 + 36)/2 = −35, db = −(3 + 5 + 7 + 9)/2 = −12
    data = graph("--from", str(SAMPLES / "graph_train_linreg_batch.yaml"), "--epochs", "1")
    result = data["result"]
    assert result["history"] == [{"epoch": 1, "loss": 41}]
    assert result["layers"][0]["grad_weight"] == [[-35]]
    assert result["layers"][0]["grad_bias"] == [-12]
    assert result["updated"]["layers"][0]["weights"] == [[1.75]]
    assert result["updated"]["layers"][0]["bias"] == pytest.approx([0.6], abs=1e-15)
    assert result["output"] == [0, 0, 0, 0]


def test_sigmoid_neuron_training_matches_torch():
    torch = torch_or_skip()
    ours = graph("--from", str(SAMPLES / "graph_train_sigmoid_neuron.yaml"))
    w = torch.tensor([[0.6]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.9], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=0.15)
    x = torch.tensor([[1.0]], dtype=torch.float64)
    losses = []
    for _ in range(300):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(torch.sigmoid(x @ w.T + b), torch.zeros(1, 1))
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose([h["loss"] for h in ours["result"]["history"]], losses, rtol=1e-10)
    assert_matches_torch(ours["result"]["updated"]["layers"][0]["weights"], w)
    assert_matches_torch(ours["result"]["updated"]["layers"][0]["bias"], b)
    assert len(ours["steps"]) < 60


def test_check_against_history_and_updated():
    result = run(
        "graph",
        "--from",
        str(SAMPLES / "graph_train_linreg_batch.yaml"),
        "--epochs",
        "1",
        "--expect",
        "history[0].loss=41",
        "--expect",
        "updated.layers[0].weights[0][0]=1.75",
        "--json",
    )
    assert result.code == 0, result.stderr
    assert result.json["check"]["ok"] is True


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--expr", "foo(x)", "--values", "x=1"), "unknown function 'foo'"),
        (("--expr", "x + y", "--values", "x=1"), "no value for y"),
        (("--expr", "x + 1", "--values", "x=1,q=2"), "unknown variable 'q'"),
        (("--expr", "x / (y - 1)", "--values", "x=1,y=1"), "x / (y - 1) at x = 1, y = 1: division"),
        (("--expr", "2 * log(x)", "--values", "x=-1"), "log(x) at x = -1: log of a non-positive"),
        (("--expr", "sqrt(x)", "--values", "x=0"), "no finite derivative"),
        (("--expr", "exp(x)", "--values", "x=1000"), "not a finite"),
        (("--expr", "x ** 0.5", "--values", "x=-2"), "not a finite real"),
        (("--expr", "x + ", "--values", "x=1"), "--expr"),
        (("--expr", "2 + 3", "--values", "x=1"), "no variables"),
        (("--expr", "x", "--values", "x"), "--values"),
        (("--expr", "x + y"), "--values"),
        (("--expr", "x", "--values", "x=1", "--epochs", "2"), "--epochs"),
        (("--gates", "--expr", "x", "--values", "x=1"), "exactly one"),
        ((), "exactly one"),
    ],
)
def test_bad_expression_input(args, mentions):
    assert_bad_input("graph", *args, mentions=mentions)


def test_bad_network_input(tmp_path):
    base = NETWORKS[0]
    cases = [
        (
            {**base, "layers": [base["layers"][0], {"weights": [[1.0, 2.0]], "bias": [0.0]}]},
            "layer 2: weights are 1×2 (2 inputs) but its input has 3",
        ),
        ({**base, "input": [1.0, 2.0, 3.0]}, "layer 1: weights are 3×2"),
        ({**base, "target": [1.0]}, "target"),
        ({**base, "loss": "hinge"}, "loss is mse or cross-entropy, not 'hinge'"),
        (
            {**base, "layers": [{**base["layers"][0], "bias": [1.0]}, base["layers"][1]]},
            "bias has 1 value(s)",
        ),
        (
            {**base, "layers": [{**base["layers"][0], "activation": "swishy"}]},
            "unknown activation",
        ),
        ({**NETWORKS[1], "target": [2, 0, 1]}, "2 sample(s) but target has 3"),
        ({**NETWORKS[1], "target": [2, 3]}, "class indices must be whole numbers from 0 to 2"),
        ({**base, "extra": 1}, "unknown key"),
    ]
    for data, mentions in cases:
        assert_bad_input("graph", "--network", network_file(tmp_path, data), mentions=mentions)
    missing = str(tmp_path / "missing.yaml")
    assert_bad_input("graph", "--network", missing, mentions="--network")
    sample = str(SAMPLES / "network_mlp.yaml")
    assert_bad_input("graph", "--network", sample, "--epochs", "3", mentions="--lr")
    assert_bad_input("graph", "--network", sample, "--batch-size", "2", mentions="--batch-size")
    bce = {**NETWORKS[2], "layers": [{"weights": [[1.0, 1.0]], "bias": [0.5]}]}
    assert_bad_input("graph", "--network", network_file(tmp_path, bce), mentions="between 0 and 1")


def test_network_dot_shows_values_and_gradients():
    result = run("graph", "--network", str(SAMPLES / "network_mlp.yaml"), "--format", "dot")
    assert result.code == 0
    assert result.stdout.startswith("digraph network")
    assert "x -> layer1" in result.stdout and "layer2 -> loss" in result.stdout
    assert "∂L: [-0.169, 0.2576]" in result.stdout


def test_training_plot_or_note():
    result = run("graph", "--from", str(SAMPLES / "graph_train_linreg_batch.yaml"), "--plot")
    assert result.code == 0, result.stderr
    assert "+" in result.stdout.split("loss per epoch (plot)")[-1] or "plot extra" in result.stdout
    assert_bad_input("graph", "--network", str(SAMPLES / "network_mlp.yaml"), "--plot")


def test_overflow_and_divergence_are_bad_input(tmp_path):
    huge = {"input": [1e308], "target": [1.0], "layers": [{"weights": [[1e308]]}]}
    assert_bad_input("graph", "--network", network_file(tmp_path, huge), mentions="overflow")
    sample = str(SAMPLES / "graph_train_linreg_sgd.yaml")
    assert_bad_input("graph", "--from", sample, "--lr", "5", "--epochs", "1000", mentions="--lr")


def test_node_names_avoid_variable_names():
    data = graph("--expr", "n1*g_n2 + n1", "--values", "n1=2,g_n2=3")
    assert data["result"]["gradients"] == {"n1": 4, "g_n2": 2}
    assert data["result"]["nodes"][1]["inputs"] == ["n_1", "n1"]
    assert_steps_honest(data["steps"])


def test_values_separated_by_spaces_or_semicolons():
    for values in ("x=-2 y=5 z=-4", "x = -2; y = 5; z = -4"):
        data = graph("--expr", "(x + y) * z", "--values", values)
        assert data["result"]["gradients"] == {"x": -4, "y": -4, "z": 3}


def test_values_from_a_file_mapping():
    problem = "expr: (x + y) * z\nvalues: {x: -2, y: 5, z: -4}\nupstream: 2\n"
    data = run_json("graph", "--from", "-", stdin=problem)
    assert data["result"]["gradients"] == {"x": -8, "y": -8, "z": 6}


def test_classic_step_by_step_backprop_example():
    data = graph("--network", str(SAMPLES / "network_backprop_example.yaml"), "--lr", "0.5")
    result = data["result"]
    assert round(result["loss"], 9) == 0.298371109
    np.testing.assert_allclose(
        result["layers"][0]["output"], [0.593269992, 0.596884378], atol=5e-10
    )
    np.testing.assert_allclose(result["output"], [0.75136507, 0.772928465], atol=5e-9)
    assert round(result["layers"][1]["grad_weight"][0][0], 9) == 0.082167041
    updated = result["updated"]["layers"]
    np.testing.assert_allclose(
        updated[1]["weights"], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=5e-9
    )
    np.testing.assert_allclose(
        updated[0]["weights"], [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=5e-9
    )
    assert_steps_honest(data["steps"])


def test_softmax_last_layer_is_cross_entropy_on_its_logits(tmp_path):
    torch = torch_or_skip()
    logits = {**NETWORKS[1]}
    probabilities = {**NETWORKS[1], "layers": [*NETWORKS[1]["layers"][:-1]]}
    probabilities["layers"].append({**NETWORKS[1]["layers"][-1], "activation": "softmax"})
    plain = graph("--network", network_file(tmp_path, logits))["result"]
    data = graph("--network", network_file(tmp_path, probabilities))
    assert_steps_honest(data["steps"])
    soft = data["result"]
    assert soft["loss"] == pytest.approx(plain["loss"], abs=1e-15)
    expected = torch.softmax(torch.tensor(plain["output"], dtype=torch.float64), dim=-1)
    assert_matches_torch(soft["output"], expected)
    for ours, theirs in zip(soft["layers"], plain["layers"], strict=True):
        np.testing.assert_allclose(ours["grad_weight"], theirs["grad_weight"], atol=1e-15)
        np.testing.assert_allclose(ours["grad_input"], theirs["grad_input"], atol=1e-15)
    bad = {**NETWORKS[0], "layers": [{**NETWORKS[0]["layers"][0], "activation": "softmax"}]}
    bad["layers"].append(NETWORKS[0]["layers"][1])
    assert_bad_input("graph", "--network", network_file(tmp_path, bad), mentions="softmax only")


def test_cross_entropy_single_sample_class_index(tmp_path):
    single = {**NETWORKS[1], "input": [0.5, -1.0, 2.0], "target": [2]}
    as_int = {**single, "target": 2}
    one_hot = {**single, "target": [0, 0, 1]}
    results = [
        graph("--network", network_file(tmp_path, d))["result"] for d in (single, as_int, one_hot)
    ]
    assert results[0]["loss"] == results[1]["loss"] == results[2]["loss"]


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SAMPLES.glob("graph_*.yaml"))
    + sorted(p.name for p in SAMPLES.glob("network_*.yaml")),
)
def test_samples_run_with_honest_steps(name):
    option = "--from" if name.startswith("graph_") else "--network"
    data = graph(option, str(SAMPLES / name))
    assert_steps_honest(data["steps"])


def test_graph_samples_hand_values():
    first = graph("--from", str(SAMPLES / "graph_sum_times.yaml"))["result"]
    assert first["gradients"] == {"x": -4, "y": -4, "z": 3}
    shared = graph("--from", str(SAMPLES / "graph_shared_variable.yaml"))["result"]
    assert shared["gradients"] == {"x": 4, "y": 3}
    neuron = graph("--from", str(SAMPLES / "graph_sigmoid_neuron.yaml"))["result"]
    assert {k: round(v, 2) for k, v in neuron["gradients"].items()} == {
        "w0": -0.2,
        "x0": 0.39,
        "w1": -0.39,
        "x1": -0.59,
        "w2": 0.2,
    }


@pytest.mark.parametrize("index", range(len(NETWORKS)))
def test_minibatch_training_of_deeper_networks_matches_torch_sgd(tmp_path, index):
    torch = torch_or_skip()
    data = NETWORKS[index]
    path = network_file(tmp_path, data)
    ours = graph("--network", path, "--epochs", "3", "--lr", "0.3", "--batch-size", "1")
    assert_steps_honest(ours["steps"])
    params, forward = torch_network(torch, data)
    flat = [t for w, b, _ in params for t in (w, b) if t is not None]
    optimizer = torch.optim.SGD(flat, lr=0.3)
    x = torch.tensor(data["input"], dtype=torch.float64)
    target = torch.tensor(data["target"])
    target = target.long() if target.dtype == torch.int64 else target.double()
    if x.ndim == 1:
        x, target = x[None], target[None]
    history = []
    for _ in range(3):
        with torch.no_grad():
            history.append(forward(x, target, data["loss"])[1].item())
        for i in range(len(x)):
            optimizer.zero_grad()
            forward(x[i : i + 1], target[i : i + 1], data["loss"])[1].backward()
            optimizer.step()
    np.testing.assert_allclose([h["loss"] for h in ours["result"]["history"]], history, rtol=1e-10)
    for (w, b, _), layer in zip(params, ours["result"]["updated"]["layers"], strict=True):
        assert_matches_torch(layer["weights"], w)
        if b is None:
            assert layer["bias"] is None
        else:
            assert_matches_torch(layer["bias"], b)


def test_node_table_never_shows_negative_zero():
    # relu(x)·y at x = −1 with upstream −1: ∂/∂n1 = 2, ∂/∂y = −1·relu(−1) = −0 → shown as 0
    result = run("graph", "--expr", "relu(x) * y", "--values", "x=-1,y=-2", "--upstream", "-1")
    assert result.code == 0, result.stderr
    assert "(2  0)" in result.stdout
    assert "-0" not in result.stdout.replace("−0.", "").replace("-0.", "")


def test_values_may_be_given_one_option_each():
    split = run(
        "graph",
        "--expr",
        "(x + y) * z",
        "--values",
        "x=-2",
        "--values",
        "y=5",
        "--values",
        "z=-4",
        "--json",
    )
    assert split.code == 0, split.stderr
    assert split.json["result"]["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert_bad_input(
        "graph",
        "--expr",
        "(x + y) * z",
        "--values",
        "x=-2",
        "--values",
        "x=5",
        "--values",
        "z=1",
        mentions="x is given twice",
    )


# ------------------------------------------------------------------ perceptrons of your own


def test_course_notes_perceptron_is_and_with_weighted_sums_as_steps():
    # the notes: threshold 0.5 with w = (0.4, 0.2) makes AND (1·0.4 + 0·0.2 = 0.4 stays below)
    data = graph("--gates", "--weights", "0.4,0.2", "--threshold", "0.5", "--gate", "and")
    result = data["result"]
    assert result["x"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert result["output"] == [0, 0, 0, 1]
    assert result["sum"] == pytest.approx([0, 0.2, 0.4, 0.6], abs=1e-15)
    assert result["computes"] == "AND"
    sums = [s for s in data["steps"] if s["symbol"] == "s"]
    assert [s["formula"] for s in sums] == ["sum(w*x)"] * 4
    assert [s["value"] for s in sums] == result["sum"]
    fires = [s for s in data["steps"] if s["symbol"] == "y"]
    assert fires[-1]["substituted"] == "gt(0.6000000000000001, 0.5)" and fires[-1]["value"] == 1
    assert "this perceptron computes AND" in data["notes"]
    assert_steps_honest(data["steps"])
    sample = graph("--from", str(SAMPLES / "graph_perceptron_and.yaml"))
    assert sample["result"] == result


def test_perceptron_with_a_bias_names_the_gate_it_computes():
    # NOR is one perceptron (the notes say it needs two): w = (−0.5, −0.5), b = 0.2
    data = graph("--gates", "--weights", "-0.5 -0.5", "--bias", "0.2", "--gate", "and")
    assert data["result"]["output"] == [1, 0, 0, 0]
    assert data["result"]["computes"] == "NOR" and data["result"]["bias"] == 0.2
    assert any("not AND: x = (0, 0) gives 1" in note for note in data["notes"])
    assert [s["formula"] for s in data["steps"][:2]] == ["sum(w*x) + b", "gt(z, 0)"]
    assert graph("--gates", "--weights", "1,1", "--threshold", "5")["result"]["computes"] is None
    three = graph("--gates", "--weights", "1,1,1", "--threshold", "2.5")["result"]
    assert len(three["x"]) == 8 and three["output"] == [0] * 7 + [1] and three["computes"] == "AND"
    assert_steps_honest(data["steps"])


def test_perceptron_bad_input():
    assert_bad_input("graph", "--gates", "--weights", "0.4,0.2", mentions="--threshold")
    assert_bad_input("graph", "--gates", "--weights", "1,1,1,1,1", "--bias", "0", mentions="4")
    assert_bad_input("graph", "--weights", "0.4,0.2", "--threshold", "0.5", mentions="exactly one")
    assert_bad_input("graph", "--gates", "--threshold", "0.5", mentions="only with --weights")
    line = ("graph", "--gates", "--weights", "1,1", "--threshold", "1", "--bias", "0")
    assert_bad_input(*line, mentions="exactly one")
    assert_bad_input("graph", "--gates", "--weights", "1;2", "--bias", "0", mentions="--weights")
    bad_gate = ("graph", "--gates", "--weights", "1,1", "--bias", "0", "--gate", "xnor")
    assert_bad_input(*bad_gate, mentions="--gate")


def test_perceptron_dot_carries_the_weights():
    result = run(
        "graph", "--gates", "--weights", "0.4,0.2", "--threshold", "0.5", "--format", "dot"
    )
    assert result.code == 0 and result.stdout.startswith("digraph perceptron")
    assert 'x1 -> y [label="0.4"]' in result.stdout and "θ = 0.5" in result.stdout


# ------------------------------------------------------------------ step activation, registry


def torch_activation(torch, name):
    functional = torch.nn.functional
    return {
        "none": lambda z: z,
        "step": lambda z: (z > 0).double(),
        "leaky-relu": functional.leaky_relu,
        "gelu": functional.gelu,
        "elu": functional.elu,
        "softplus": functional.softplus,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
    }[name]


def test_step_activation_passes_no_gradient_and_matches_torch(tmp_path):
    torch = torch_or_skip()
    perceptron = graph("--network", str(SAMPLES / "network_perceptron_and.yaml"))
    assert perceptron["result"]["output"] == [[0], [0], [0], [1]]
    assert perceptron["result"]["loss"] == 0
    derivative = next(s for s in perceptron["steps"] if s["symbol"] == "da1_dz1")
    assert derivative["formula"] == "0" and "derivative is 0" in derivative["note"]
    data = {
        "input": [[0.5, -1.0], [1.0, 2.0]],
        "target": [[0.2], [0.9]],
        "loss": "mse",
        "layers": [
            {"weights": [[1.0, -0.5], [0.3, 0.8]], "bias": [0.1, -0.2], "activation": "step"},
            {"weights": [[0.7, -1.1]], "bias": [0.3], "activation": "sigmoid"},
        ],
    }
    ours = graph("--network", network_file(tmp_path, data), "--lr", "0.5")
    assert_steps_honest(ours["steps"])
    x = torch.tensor(data["input"], dtype=torch.float64)
    w1, w2 = (torch.tensor(layer["weights"], dtype=torch.float64) for layer in data["layers"])
    b2 = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    w2.requires_grad_(True)
    hidden = torch_activation(torch, "step")(x @ w1.T + torch.tensor([0.1, -0.2], dtype=w1.dtype))
    out = torch.sigmoid(hidden @ w2.T + b2)
    loss = torch.nn.functional.mse_loss(out, torch.tensor(data["target"], dtype=torch.float64))
    loss.backward()
    layers = ours["result"]["layers"]
    assert_matches_torch(ours["result"]["loss"], loss)
    assert_matches_torch(layers[1]["grad_weight"], w2.grad)
    assert_matches_torch(layers[1]["grad_bias"], b2.grad)
    assert np.count_nonzero(layers[0]["grad_weight"]) == 0  # torch: no gradient path at all
    assert ours["result"]["updated"]["layers"][0]["weights"] == data["layers"][0]["weights"]


@pytest.mark.parametrize("name", ["leaky-relu", "gelu", "elu", "softplus", "tanh"])
def test_network_activations_come_from_the_one_registry(tmp_path, name):
    torch = torch_or_skip()
    from stepcalc.calc.activations import get

    data = {
        "input": [[0.5, -1.0], [-1.5, 2.0], [0.1, 0.2]],
        "target": [[0.3], [-0.4], [0.2]],
        "layers": [
            {"weights": [[1.0, -0.5], [0.3, 0.8]], "bias": [0.1, -0.2], "activation": name},
            {"weights": [[0.7, -1.1]], "bias": [0.3]},
        ],
    }
    ours = graph("--network", network_file(tmp_path, data), "--lr", "0.2", "--epochs", "2")
    assert_steps_honest(ours["steps"])
    derivative = next(s for s in ours["steps"] if s["symbol"] == "da1_dz1")
    assert derivative["formula"] == re.sub(r"\bx\b", "z1", get(name).derivative_formula)
    params, forward = torch_network(torch, {**data, "layers": [dict(data["layers"][1])]})
    w1 = torch.tensor(data["layers"][0]["weights"], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(data["layers"][0]["bias"], dtype=torch.float64, requires_grad=True)
    (w2, b2, _), act = params[0], torch_activation(torch, name)
    optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.2)
    x = torch.tensor(data["input"], dtype=torch.float64)
    y = torch.tensor(data["target"], dtype=torch.float64)
    history = []
    for _ in range(2):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(act(x @ w1.T + b1) @ w2.T + b2, y)
        history.append(loss.item())
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose([h["loss"] for h in ours["result"]["history"]], history, rtol=1e-10)
    assert_matches_torch(ours["result"]["updated"]["layers"][0]["weights"], w1)


# ------------------------------------------------------------------ frozen parameters


def test_frozen_biases_keep_their_values_and_match_torch():
    torch = torch_or_skip()
    sample = yaml.safe_load((SAMPLES / "graph_backprop_frozen_biases.yaml").read_text())
    ours = graph("--from", str(SAMPLES / "graph_backprop_frozen_biases.yaml"))
    assert_steps_honest(ours["steps"])
    updates = [s["symbol"] for s in ours["steps"] if s["phase"] == "update"]
    assert updates == ["W1_prime", "W2_prime"]
    assert any("frozen: b1, b2" in note for note in ours["notes"])
    net = sample["network"]
    params, forward = torch_network(torch, net)
    for _, b, _ in params:
        b.requires_grad_(False)
    optimizer = torch.optim.SGD([w for w, _, _ in params], lr=sample["lr"])
    x = torch.tensor(net["input"], dtype=torch.float64)
    y = torch.tensor(net["target"], dtype=torch.float64)
    forward(x, y, "mse")[1].backward()
    optimizer.step()
    updated = ours["result"]["updated"]["layers"]
    for (w, b, _), layer, given in zip(params, updated, net["layers"], strict=True):
        assert_matches_torch(layer["weights"], w)
        assert layer["bias"] == given["bias"] and b.grad is None
    # the post's numbers: w5 after one step, and its gradients still shown for the biases
    assert round(updated[1]["weights"][0][0], 8) == 0.35891648
    assert ours["result"]["layers"][1]["grad_bias"] == pytest.approx([0.138498562, -0.038098236])


def test_frozen_biases_for_ten_thousand_steps_give_the_posts_error():
    # Mazur: "after repeating this process 10,000 times … the error plummets to 0.0000351085"
    line = ("--from", str(SAMPLES / "graph_backprop_frozen_biases.yaml"), "--epochs", "10000")
    history = graph(*line)["result"]["history"]
    assert len(history) == 10000 and [h["epoch"] for h in history[:3]] == [1, 2, 3]
    assert f"{history[-1]['loss']:.10f}" == "0.0000351085"


def test_freeze_in_training_matches_torch(tmp_path):
    torch = torch_or_skip()
    data = NETWORKS[0]
    path = network_file(tmp_path, data)
    line = ("--network", path, "--lr", "0.3", "--epochs", "3", "--freeze", "w1,B2")
    ours = graph(*line)
    assert ours["inputs"]["freeze"] == ["W1", "b2"]
    params, forward = torch_network(torch, data)
    params[0][0].requires_grad_(False)
    params[1][1].requires_grad_(False)
    trainable = [t for w, b, _ in params for t in (w, b) if t.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=0.3)
    x = torch.tensor([data["input"]], dtype=torch.float64)
    y = torch.tensor([data["target"]], dtype=torch.float64)
    history = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = forward(x, y, "mse")[1]
        history.append(loss.item())
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose([h["loss"] for h in ours["result"]["history"]], history, rtol=1e-10)
    for (w, b, _), layer in zip(params, ours["result"]["updated"]["layers"], strict=True):
        assert_matches_torch(layer["weights"], w)
        assert_matches_torch(layer["bias"], b)
    assert ours["result"]["updated"]["layers"][0]["weights"] == data["layers"][0]["weights"]


def test_freeze_bad_input():
    sample = str(SAMPLES / "network_mlp.yaml")
    line = ("graph", "--network", sample, "--lr", "0.1", "--freeze", "b3")
    assert_bad_input(*line, mentions="unknown parameter 'b3' (valid: W1, b1, W2, b2, weights")
    assert_bad_input("graph", "--network", sample, "--freeze", "b1", mentions="only with --lr")


def test_freeze_names_only_parameters_that_exist(tmp_path):
    path = network_file(tmp_path, NETWORKS[1])  # layer 2 has no bias
    line = ("graph", "--network", path, "--lr", "0.1", "--freeze", "b2")
    assert_bad_input(*line, mentions="(valid: W1, b1, W2, W3, b3, weights, biases)")
    frozen = graph("--network", path, "--lr", "0.1", "--freeze", "biases")
    assert frozen["inputs"]["freeze"] == ["b1", "b3"]
    assert [s["symbol"] for s in frozen["steps"] if s["phase"] == "update"] == [
        "W1_prime",
        "W2_prime",
        "W3_prime",
    ]
