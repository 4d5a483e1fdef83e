"""drill: reproducible problems answered by the real commands (checked here against
independent oracles), answer checking, worksheets that compile, a real terminal session."""

from __future__ import annotations

import importlib
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stepcalc import drill, spec
from stepcalc.check import lookup
from stepcalc.context import Ctx
from stepcalc.i18n import catalog, t
from stepcalc.trace import plain
from tests.helpers import assert_bad_input, assert_steps_honest, run

TOPICS = drill.topics()
SEEDS = range(25)


def answer_text(value) -> str:
    """An answer as a student types it: ``4``, ``0.5``, ``1 2; 3 4``."""
    value = plain(value)
    if isinstance(value, list) and value and isinstance(value[0], list):
        if isinstance(value[0][0], list):
            return " | ".join(answer_text(channel) for channel in value)
        return "; ".join(answer_text(row) for row in value)
    if isinstance(value, list):
        return " ".join(answer_text(v) for v in value)
    return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))


def wrong_text(value) -> str:
    """The same answer with its first cell off by one."""
    value = plain(value)
    if isinstance(value, list):
        flat = np.asarray(value, dtype=float)
        flat.flat[0] += 1
        return answer_text(flat.tolist())
    return answer_text(value + 1)


def right_answers(topic: str, seed: int, count: int = 1, difficulty: str = "exam"):
    problems = drill.generate(topic, seed, count, difficulty)
    return [[drill.solve(p).expected(q) for q in p.ask] for p in problems]


def prompt(quantity: str, value) -> str:
    return f"  {quantity}{drill.hint(plain(value), Ctx())} = "


# ------------------------------------------------------------------ oracles
# The arithmetic the drill once did itself, kept here to check the commands' answers.


def tensor(text) -> np.ndarray:
    """``"1 2; 3 4"`` → a matrix, ``"1 2"`` → a vector, ``0.5`` → a scalar."""
    rows = [[float(x) for x in row.split()] for row in str(text).split(";")]
    array = np.array(rows)
    return array if ";" in str(text) else array.reshape(-1) if array.size > 1 else array[0, 0]


def correlate(image, kernel, stride: int = 1, padding: int = 0) -> np.ndarray:
    image = np.pad(image, padding)
    kh, kw = kernel.shape
    rows, cols = (image.shape[0] - kh) // stride + 1, (image.shape[1] - kw) // stride + 1
    return np.array(
        [
            [np.sum(image[i * stride : i * stride + kh, j * stride : j * stride + kw] * kernel)]
            for i in range(rows)
            for j in range(cols)
        ]
    ).reshape(rows, cols)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def phi(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


ACTIVATIONS = {
    "silu": (lambda x: x * sigmoid(x), lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x)))),
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "leaky-relu": (lambda x: x if x > 0 else 0.1 * x, lambda x: 1.0 if x > 0 else 0.1),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "gelu": (
        lambda x: x * phi(x),
        lambda x: phi(x) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
    "elu": (lambda x: x if x > 0 else math.exp(x) - 1, lambda x: 1.0 if x > 0 else math.exp(x)),
    "softplus": (lambda x: math.log1p(math.exp(x)), sigmoid),
}

GRAPH_PARTIALS = {
    "(x + y) * z": lambda x, y, z: ((x + y) * z, z, z, x + y),
    "x * y + z": lambda x, y, z: (x * y + z, y, x, 1),
    "(x - y) * z": lambda x, y, z: ((x - y) * z, z, -z, x - y),
    "x * y * z": lambda x, y, z: (x * y * z, y * z, x * z, x * y),
    "x * y + y * z": lambda x, y, z: (x * y + y * z, y, x + z, y),
    "(x * y + z) ** 2": lambda x, y, z: (
        (x * y + z) ** 2,
        2 * (x * y + z) * y,
        2 * (x * y + z) * x,
        2 * (x * y + z),
    ),
    "max(x, y) * z": lambda x, y, z: (
        max(x, y) * z,
        z if x > y else 0,
        z if y > x else 0,
        max(x, y),
    ),
    "(x + y) * (y - z)": lambda x, y, z: ((x + y) * (y - z), y - z, (y - z) + (x + y), -(x + y)),
}


def oracle_outsize(o):
    dims = [int(v) for v in str(o["input"]).split(",")]
    k, s, p = int(o["kernel"]), int(o["stride"]), int(o.get("padding", 0))
    d, extra = int(o.get("dilation", 1)), int(o.get("output-padding", 0))

    def size(n):
        if o["kind"] == "transpose":
            return (n - 1) * s - 2 * p + (k - 1) + extra + 1
        return (n + 2 * p - d * (k - 1) - 1) // s + 1

    answers = {"height": size(dims[-2]), "width": size(dims[-1])}
    if len(dims) == 3:
        answers["channels"] = int(o.get("out-channels", dims[0]))
    return answers


def oracle_params(o):
    if "mlp" in o:
        widths = [int(w) for w in o["mlp"].split(",")]
        bias = o.get("bias", True)
        counts = [a * b + (b if bias else 0) for a, b in zip(widths, widths[1:], strict=False)]
        return {"total": sum(counts), "layers[0].params": counts[0]}
    channels, size, _ = (int(v) for v in o["input"].split(","))
    conv = o["layers"][0]["conv"]
    filters, kernel, padding = conv["out"], conv["kernel"], conv["padding"]
    classes = o["layers"][-1]["linear"]["out"]
    conv_params = channels * filters * kernel * kernel + filters
    pooled = (size + 2 * padding - kernel + 1) // 2
    linear = filters * pooled**2 * classes + classes
    keras = o["convention"] == "keras"
    norm = (4 if keras else 2) * filters if {"batchnorm": {}} in o["layers"] else 0
    last = len(o["layers"]) - 1
    return {
        "layers[0].params": conv_params,
        f"layers[{last}].params": linear,
        "total": conv_params + norm + linear,
        "trainable": conv_params + norm - (2 * filters if keras and norm else 0) + linear,
    }


def oracle_conv(o):
    image, kernel = tensor(o["input"]), tensor(o["kernel"])
    used = kernel[::-1, ::-1] if o.get("flip") else kernel
    answers = {"output": correlate(image, used, int(o.get("stride", 1)), int(o.get("padding", 0)))}
    if "grad-output" in o:
        upstream = tensor(o["grad-output"])
        grad_input, grad_weight = np.zeros_like(image), np.zeros_like(kernel)
        kh, kw = kernel.shape
        for (i, j), g in np.ndenumerate(upstream):
            grad_input[i : i + kh, j : j + kw] += g * kernel
            grad_weight += g * image[i : i + kh, j : j + kw]
        answers |= {"grad_input": grad_input, "grad_weight": grad_weight}
    return answers


def oracle_pool(o):
    image, k, s = tensor(o["input"]), int(o["kernel"]), int(o["stride"])
    upstream = tensor(o["grad-output"]) if "grad-output" in o else None
    rows = (image.shape[0] - k) // s + 1
    output, grad_input = np.zeros((rows, rows)), np.zeros_like(image)
    for i in range(rows):
        for j in range(rows):
            window = image[i * s : i * s + k, j * s : j * s + k]
            g = 0.0 if upstream is None else upstream[i, j]
            if o["mode"] == "max":
                a, b = divmod(int(np.argmax(window)), k)  # the first maximum, row-major
                output[i, j] = window[a, b]
                grad_input[i * s + a, j * s + b] += g
            else:
                output[i, j] = window.mean()
                grad_input[i * s : i * s + k, j * s : j * s + k] += g / k**2
    return {"output": output, "grad_input": grad_input}


def oracle_silu(o):
    f, df = ACTIVATIONS[o["fn"]]
    x = tensor(o["input"])
    answers = {"output": [f(v) for v in x], "derivative": [df(v) for v in x]}
    if "grad-output" in o:
        answers["grad_input"] = [
            g * df(v) for g, v in zip(tensor(o["grad-output"]), x, strict=True)
        ]
    return answers


def oracle_dropout(o):
    x, mask = tensor(o["input"]), tensor(o["mask"])
    keep = float(o["keep-prob"]) if "keep-prob" in o else 1 - float(o["drop-prob"])
    answers = {
        "standard.train_output": x * mask,
        "standard.test_output": keep * x,
        "inverted.train_output": x * mask / keep,
    }
    if "weights" in o:
        w = tensor(o["weights"])
        answers |= {"standard.z_test": w @ (keep * x), "inverted.z_train": w @ (x * mask / keep)}
    return answers


def oracle_optimizer(o):
    """θ after each step, PyTorch's update rules written out per parameter."""
    algorithm, lr, momentum = o["algorithm"], float(o["lr"]), float(o.get("momentum", 0))
    theta = list(tensor(o["params"]))
    grads = np.atleast_2d(tensor(o["grad"]))
    first, second = [0.0] * len(theta), [0.0] * len(theta)
    for t_, g in enumerate(grads, start=1):
        for i, gi in enumerate(g):
            if algorithm == "sgd":
                theta[i] -= lr * gi
            elif algorithm in ("momentum", "nesterov"):
                first[i] = gi if t_ == 1 else momentum * first[i] + gi
                theta[i] -= lr * (gi + momentum * first[i] if algorithm == "nesterov" else first[i])
            elif algorithm == "adagrad":
                second[i] += gi * gi
                theta[i] -= lr * gi / (math.sqrt(second[i]) + 1e-10)
            elif algorithm == "rmsprop":
                second[i] = 0.99 * second[i] + 0.01 * gi * gi
                theta[i] -= lr * gi / (math.sqrt(second[i]) + 1e-8)
            else:
                first[i] = 0.9 * first[i] + 0.1 * gi
                second[i] = 0.999 * second[i] + 0.001 * gi * gi
                m_hat, v_hat = first[i] / (1 - 0.9**t_), second[i] / (1 - 0.999**t_)
                theta[i] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    return {"final_params": theta}


def oracle_graph(o):
    values = dict(item.split("=") for item in o["values"].split(","))
    output, *partials = GRAPH_PARTIALS[o["expr"]](*(float(values[n]) for n in "xyz"))
    upstream = float(o.get("upstream", 1))
    return {"output": output} | {
        f"gradients.{n}": upstream * p for n, p in zip("xyz", partials, strict=True)
    }


def oracle_loss(o):
    pred, target = tensor(o["pred"]), tensor(o["target"])
    if o["fn"] == "cross-entropy":
        return {"loss": -math.log(pred[int(target)])}
    if o["fn"] == "bce":
        return {"loss": float(np.mean(-(target * np.log(pred) + (1 - target) * np.log(1 - pred))))}
    gap = pred - target
    scale = 1 if o.get("reduction") == "sum" else 1 / gap.size
    if o["fn"] == "mse":
        return {"loss": scale * np.sum(gap**2), "grad_pred": scale * 2 * gap}
    return {"loss": scale * np.sum(np.abs(gap)), "grad_pred": scale * np.sign(gap)}


def oracle_batchnorm(o):
    x = np.atleast_2d(tensor(o["input"])).reshape(4, -1)
    mean, var = x.mean(axis=0), x.var(axis=0)
    answers = {"mean": mean, "var": var, "running_var": 0.9 + 0.1 * var * 4 / 3}
    if "gamma" in o:
        gamma, beta = np.atleast_1d(tensor(o["gamma"])), np.atleast_1d(tensor(o["beta"]))
        answers["output"] = gamma * (x - mean) / np.sqrt(var + 1e-5) + beta
    return answers


def oracle_yolo_toy(o):
    conv1 = correlate(tensor(o["image"]), tensor(o["w-conv1"]))
    silu1 = conv1 * sigmoid(conv1)
    conv2 = np.sum(silu1 * tensor(o["w-conv2"]))
    backbone = conv2 * sigmoid(conv2)
    y_pred = backbone * np.array([0.1, 0.2, 0.3])
    error = y_pred - np.array([12, 15, 20])
    return {
        "conv1_output": conv1,
        "y_pred": y_pred,
        "loss": np.mean(error**2),
        "grad_w_cls": 2 * error[2] / 3 * backbone,
    }


def oracle(problem: drill.Problem, quantity: str):
    """The oracle's value of one asked quantity (``mean[0]``: a cell of ``mean``)."""
    answers = globals()["oracle_" + problem.topic.replace("-", "_")](problem.options)
    if quantity in answers:
        return answers[quantity]
    base, _, index = quantity.partition("[")
    return np.asarray(answers[base])[tuple(int(i) for i in re.findall(r"\d+", index))]


# ------------------------------------------------------------------ generators


def test_topics_come_from_the_specs():
    declared = [c.name for c in spec.commands() if c.drill]
    assert TOPICS == declared and "drill" not in TOPICS
    for name in ("outsize", "params", "conv", "pool", "silu", "dropout", "optimizer", "yolo-toy",
                 "graph", "loss", "batchnorm"):  # fmt: skip
        assert name in TOPICS


@pytest.mark.parametrize("topic", TOPICS)
def test_reproducible_by_seed(topic):
    first = drill.generate(topic, 1234, 5, "exam")
    again = drill.generate(topic, 1234, 5, "exam")
    assert [p.options for p in first] == [p.options for p in again]
    other = drill.generate(topic, 1235, 5, "exam")
    assert [p.options for p in first] != [p.options for p in other]
    a = run("drill", topic, "--seed", "77", "--count", "3", "--json")
    b = run("drill", topic, "--seed", "77", "--count", "3", "--json")
    assert a.code == 0, a.stderr
    assert a.stdout == b.stdout


@pytest.mark.parametrize("topic", TOPICS)
def test_json_problems_replay_through_their_command(topic):
    """Each problem's ``problem_file`` (and ``command`` when given) reproduces its answers."""
    document = run("drill", topic, "--seed", "11", "--count", "3", "--json").json
    for problem in document["problems"]:
        replay = run(topic, "--from", "-", "--json", stdin=problem["problem_file"])
        assert replay.code == 0, replay.stderr
        for quantity, value in problem["answers"].items():
            assert np.allclose(lookup(replay.json["result"], quantity), value)
        if problem["command"]:
            words = shlex.split(problem["command"])[1:]
            assert run(*words, "--json").json["result"] == replay.json["result"]


@pytest.mark.parametrize("difficulty", drill.DIFFICULTIES)
@pytest.mark.parametrize("topic", TOPICS)
def test_commands_answers_match_the_oracles(topic, difficulty):
    for seed in SEEDS:
        for problem in drill.generate(topic, seed, 1, difficulty):
            solved = drill.solve(problem)
            assert problem.ask, problem
            for quantity in problem.ask:
                ours, theirs = oracle(problem, quantity), solved.expected(quantity)
                assert np.allclose(np.asarray(ours, float), theirs), (
                    seed,
                    quantity,
                    problem.options,
                    ours,
                    theirs,
                )
                if drill.decimals(theirs) is None:
                    assert np.allclose(theirs, np.round(theirs)), (seed, quantity, theirs)
            if seed < 4:
                assert_steps_honest(solved.trace.steps)


def test_answers_come_from_the_command(monkeypatch):
    """Change the command and the drill's answer changes with it: no copy of its maths."""
    module, _, name = spec.command("outsize").calculator.partition(":")
    calculator = getattr(importlib.import_module(module), name)

    def doubled(args, ctx):
        trace = calculator(args, ctx)
        trace.result["height"] *= 2
        return trace

    problem = drill.generate("outsize", 3, 1, "easy")[0]
    honest = drill.solve(problem).expected("height")
    monkeypatch.setattr(importlib.import_module(module), name, doubled)
    assert drill.solve(problem).expected("height") == 2 * honest


@pytest.mark.parametrize("topic", TOPICS)
def test_easy_problems_are_hand_sized(topic):
    for seed in range(20):
        problem = drill.generate(topic, seed, 1, "easy")[0]
        solved = drill.solve(problem)
        for quantity in problem.ask:
            value = np.asarray(solved.expected(quantity), float)
            assert value.size <= 16
            assert np.all(np.abs(value) < 100_000)


# ------------------------------------------------------------------ sessions


def test_json_prints_problems_and_answers_without_asking():
    result = run("drill", "outsize", "--seed", "3", "--count", "2", "--json")
    assert result.code == 0, result.stderr
    document = result.json
    assert document["command"] == "drill" and document["seed"] == 3
    assert document["topic"] == "outsize" and document["difficulty"] == "exam"
    assert len(document["problems"]) == 2
    problem = document["problems"][0]
    assert list(problem["answers"]) == list(drill.generate("outsize", 3, 2, "exam")[0].ask)
    assert problem["command"].startswith("stepcalc outsize ")
    assert_steps_honest(problem["steps"])
    expected = right_answers("outsize", 3, 2)
    assert [list(p["answers"].values()) for p in document["problems"]] == expected


def test_answers_from_stdin_one_right_one_wrong():
    (answers,) = right_answers("outsize", 8)
    lines = [answer_text(answers[0]), wrong_text(answers[1]), *map(answer_text, answers[2:])]
    result = run("drill", "outsize", "--seed", "8", stdin="\n".join(lines) + "\n")
    assert result.code == 1, result.stderr
    assert "seed 8" in result.stdout
    assert "O  height" in result.stdout
    assert f"X  width   {wrong_text(answers[1])}   wrong: should be {answers[1]}" in result.stdout
    assert "output size" in result.stdout.lower()  # the worked steps follow
    total = len(answers)
    assert f"score: {total - 1}/{total} answers right" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("topic", TOPICS)
def test_right_answers_score_full_marks_for_every_topic(topic):
    answers = right_answers(topic, 3, 2)
    stdin = "".join(answer_text(a) + "\n" for problem in answers for a in problem)
    result = run("drill", topic, "--seed", "3", "--count", "2", stdin=stdin)
    total = sum(map(len, answers))
    assert f"score: {total}/{total} answers right (100%)" in result.stdout, result.stdout
    assert result.code == 0


def test_answers_rounded_to_the_asked_decimals_are_right():
    problem = drill.Problem("silu", {"input": "-2 1 0", "fn": "tanh"}, ("output",))
    solved = drill.solve(problem)
    assert drill.decimals(solved.expected("output")) == 3
    assert solved.judge("output", "-0.964 0.762 0")["verdict"] == "correct"
    item = solved.judge("output", "-0.964 0.5 0")
    assert item["verdict"] == "wrong" and item["index"] == [1]


def test_too_few_digits_are_imprecise_and_not_counted_right():
    problem = drill.Problem("silu", {"input": "1", "fn": "tanh"}, ("output",))
    solved = drill.solve(problem)
    assert solved.judge("output", "0.8")["verdict"] == "imprecise"  # tanh(1) = 0.7616
    assert solved.judge("output", "0.762")["verdict"] == "correct"
    assert solved.judge("output", "0.7")["verdict"] == "wrong"


def test_imprecise_answer_in_a_session():
    problem = drill.Problem("silu", {"input": "1", "fn": "tanh"}, ("output",))
    lines: list[str] = []
    answers = iter(["0.8"])
    session = drill.Session([problem], Ctx(), lambda _: next(answers, None), lines.append)
    assert session.run() == 1
    text = "".join(lines)
    assert "?  output   0.8   imprecise: write at least 3 significant digits: 0.762" in text
    assert "score: 0/1 answers right (0%)" in text


def test_all_right_exits_zero_and_first_wrong_cell_is_named():
    (answers,) = right_answers("conv", 21, difficulty="easy")
    stdin = "".join(answer_text(a) + "\n" for a in answers)
    result = run("drill", "conv", "--seed", "21", "--difficulty", "easy", stdin=stdin)
    assert result.code == 0, result.stdout
    assert f"score: {len(answers)}/{len(answers)}" in result.stdout
    solved = drill.solve(drill.generate("conv", 21, 1, "easy")[0])
    item = solved.judge("output", wrong_text(answers[0]))
    assert item["verdict"] == "wrong" and item["index"] == [0, 0]
    assert solved.judge("output", answer_text(answers[0]))["verdict"] == "correct"


def test_malformed_answer_is_asked_again():
    (answers,) = right_answers("outsize", 8)
    stdin = "1 2; 3\n" + "\n".join(map(answer_text, answers)) + "\n"
    result = run("drill", "outsize", "--seed", "8", stdin=stdin)
    assert result.code == 0, result.stdout
    assert "cannot read that (row 2 has 1 numbers, row 1 has 2); try again" in result.stdout
    assert f"score: {len(answers)}/{len(answers)}" in result.stdout


def test_wrong_shape_is_wrong_and_says_so():
    result = run("drill", "pool", "--seed", "2", "--difficulty", "easy", stdin="1 2\n")
    assert "X  output   [1, 2]   wrong: shape 2 given, 2×2 expected" in result.stdout
    assert result.code == 1
    result = run("drill", "pool", "--seed", "2", "--difficulty", "easy", "--lang", "ko",
                 stdin="1 2\n")  # fmt: skip
    assert "크기 2 입력, 2×2 필요" in result.stdout


def test_question_mark_reveals_the_answer_at_once_and_counts_as_revealed():
    (answers,) = right_answers("outsize", 8)
    stdin = "?\n" + "\n".join(map(answer_text, answers[1:])) + "\n"
    result = run("drill", "outsize", "--seed", "8", stdin=stdin)
    shown = f"  height = ?\n  answer shown: height = {answers[0]}\n{prompt('width', answers[1])}"
    assert shown in result.stdout
    assert "X  height" not in result.stdout
    total = len(answers)
    assert f"score: {total - 1}/{total} answers right" in result.stdout
    assert "1 shown with '?'" in result.stdout
    assert result.code == 1


def test_end_of_input_ends_with_the_score_so_far():
    first = right_answers("outsize", 5, 2)[0][0]
    result = run("drill", "outsize", "--seed", "5", "--count", "2", stdin=answer_text(first) + "\n")
    assert result.code == 0
    assert "end of input." in result.stdout
    assert "O  height" in result.stdout
    assert "score: 1/1 answers right" in result.stdout
    assert "Problem 1/2" in result.stdout and "Problem 2/2" not in result.stdout
    assert result.stderr == ""


def test_closed_stdin_is_the_end_of_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", None)
    code = drill.interactive(drill.generate("outsize", 1, 1, "easy"), Ctx())
    assert code == 0
    assert "score: 0/0" in capsys.readouterr().out


def test_seed_is_printed_with_a_replay_line_that_keeps_the_language():
    result = run("drill", "outsize")
    assert result.code == 0
    assert result.stdout.startswith("seed ")
    seed = int(result.stdout.split()[1])
    assert f"replay: stepcalc drill outsize --seed {seed}\n" in result.stdout
    result = run("drill", "conv", "--seed", "12", "--lang", "ko")
    assert "다시 풀기: stepcalc drill conv --seed 12 --lang ko\n" in result.stdout
    result = run("drill", "mix", "--seed", "3", "--count", "2", "--difficulty", "easy")
    assert "stepcalc drill mix --seed 3 --count 2 --difficulty easy\n" in result.stdout


def test_mix_draws_from_offered_topics():
    document = run("drill", "mix", "--seed", "9", "--count", "12", "--json").json
    assert {p["topic"] for p in document["problems"]} <= set(TOPICS)
    assert len({p["topic"] for p in document["problems"]}) > 3
    assert len(document["problems"]) == 12


def test_statement_draws_matrices_as_matrices():
    problem = drill.generate("conv", 4, 1, "exam")[0]
    lines = drill.statement_lines(problem, drill.solve(problem).args, Ctx(), 80)
    text = "\n".join(lines)
    assert lines[0].startswith("A 2-D convolution") or "true convolution" in lines[0]
    assert re.search("  input = [⎡⎢]", text) and re.search("kernel = [⎡⎢]", text) and "⎣" in text
    assert max(map(len, lines)) <= 80
    ascii_lines = drill.statement_lines(problem, drill.solve(problem).args, Ctx(ascii=True), 80)
    assert "input = [" in "\n".join(ascii_lines)


def test_ascii_session_has_no_unicode_symbols():
    (answers,) = right_answers("conv", 4)
    stdin = "".join(answer_text(a) + "\n" for a in answers)
    result = run("drill", "conv", "--seed", "4", "--ascii", stdin=stdin)
    assert result.code == 0, result.stdout
    assert result.stdout.isascii(), {ch for ch in result.stdout if not ch.isascii()}


# ------------------------------------------------------------------ Korean


def test_every_message_has_korean():
    for key, (english, korean) in catalog("drill").items():
        assert english and korean, key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in korean) or key in ("problem_header",), key


@pytest.mark.parametrize("topic", TOPICS)
def test_every_statement_has_its_texts_in_both_languages(topic):
    for lang in ("en", "ko"):
        ctx = Ctx(lang=lang)
        for difficulty in drill.DIFFICULTIES:
            for problem in drill.generate(topic, 5, 10, difficulty):
                solved = drill.solve(problem, ctx)
                text = "\n".join(drill.statement_lines(problem, solved.args, ctx, 80))
                text += "".join(drill.hint(solved.expected(q), ctx) for q in problem.ask)
                if lang == "ko":
                    assert any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_korean_session(monkeypatch):
    (answers,) = right_answers("outsize", 8)
    stdin = "\n".join(map(answer_text, answers)) + "\n"
    result = run("drill", "outsize", "--seed", "8", "--lang", "ko", stdin=stdin)
    assert "시드 8" in result.stdout
    assert "문제 1/1" in result.stdout
    assert "정답" in result.stdout
    assert f"점수: {len(answers)}개 중 {len(answers)}개 정답" in result.stdout
    monkeypatch.setenv("STEPCALC_LANG", "ko")
    result = run("drill", "outsize", "--seed", "8", stdin=stdin)
    assert "구하시오:" in result.stdout
    assert "--seed 8 --lang ko" in result.stdout


# ------------------------------------------------------------------ files


def test_worksheet_and_answer_key_markdown(tmp_path):
    sheet, key = tmp_path / "sheet.md", tmp_path / "key.md"
    result = run(
        "drill", "outsize", "--seed", "4", "--count", "3", "--worksheet", str(sheet),
        "--answers", str(key),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert f"wrote {sheet}" in result.stdout
    sheet_text, key_text = sheet.read_text(encoding="utf-8"), key.read_text(encoding="utf-8")
    document = run("drill", "outsize", "--seed", "4", "--count", "3", "--json").json
    for number, problem in enumerate(document["problems"], start=1):
        assert f"## Problem {number} · outsize" in sheet_text
        assert problem["statement"] in sheet_text
        for quantity, value in problem["answers"].items():
            assert f"- `{quantity}` = ________" in sheet_text
            assert f"- `{quantity}` = ${value}$" in key_text  # whole numbers here
        assert problem["command"] in key_text
    assert "Answers" not in sheet_text
    assert "$$" in key_text and r"\begin{aligned}" in key_text  # the Markdown renderer's steps
    assert "- `input` = `" in sheet_text and "- `stride` = `" in sheet_text
    assert "--seed 4 --count 3" in sheet_text and "--seed 4 --count 3" in key_text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_worksheet_latex_korean(tmp_path):
    sheet, key = tmp_path / "sheet.tex", tmp_path / "key.tex"
    args = ["drill", "outsize", "--seed", "4", "--count", "2", "--format", "latex", "--lang", "ko"]
    result = run(*args, "--worksheet", str(sheet), "--answers", str(key))
    assert result.code == 0, result.stderr
    sheet_text, key_text = sheet.read_text(encoding="utf-8"), key.read_text(encoding="utf-8")
    for text in (sheet_text, key_text):
        assert text.startswith(r"\documentclass")
        assert r"\usepackage{kotex}" in text
        assert text.rstrip().endswith(r"\end{document}")
        assert r"\subsection*{문제 1 $\cdot$ outsize}" in text
    assert "구하시오" in sheet_text and r"\hrulefill" in sheet_text
    assert r"\paragraph{정답}" in key_text and r"\begin{align*}" in key_text
    assert_latex_well_formed(sheet_text)
    assert_latex_well_formed(key_text, own=False)


def assert_latex_well_formed(text: str, own: bool = True) -> None:
    """Balanced braces and environments; in the drill's own text (``own``: not the commands'
    worked steps, which the compile test covers) every symbol spelled for LaTeX."""
    import re
    import unicodedata

    unescaped = re.sub(r"\\[{}]", "", text)
    assert unescaped.count("{") == unescaped.count("}")
    begins = re.findall(r"\\begin\{(\w+\*?)\}", text)
    ends = re.findall(r"\\end\{(\w+\*?)\}", text)
    assert sorted(begins) == sorted(ends)
    strange = {ch for ch in text if ord(ch) > 127 and "HANGUL" not in unicodedata.name(ch, "")}
    assert not (own and strange), strange


@pytest.mark.parametrize("topic", TOPICS)
def test_answer_keys_of_every_topic(topic, tmp_path):
    key = tmp_path / "key.tex"
    result = run("drill", topic, "--seed", "2", "--count", "3", "--format", "latex",
                 "--answers", str(key))  # fmt: skip
    assert result.code == 0, result.stderr
    text = key.read_text(encoding="utf-8")
    assert_latex_well_formed(text, own=False)
    assert text.count(r"\subsection*{Problem") == 3
    markdown = tmp_path / "key.md"
    assert run("drill", topic, "--seed", "2", "--count", "3", "--answers", str(markdown)).code == 0
    assert markdown.read_text(encoding="utf-8").count("**Answers**") == 3


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="pdflatex is not on PATH")
def test_latex_worksheet_and_key_compile(tmp_path):
    sheet = tmp_path / "sheet.tex"
    args = ["drill", "mix", "--seed", "5", "--count", "12", "--format", "latex"]
    assert run(*args, "--worksheet", str(sheet)).code == 0
    for name in ("sheet.tex", "sheet-answers.tex"):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-3000:]
        assert (tmp_path / name).with_suffix(".pdf").stat().st_size > 1000


def test_files_are_written_whole_or_not_at_all(tmp_path):
    sheet = tmp_path / "sheet.md"
    missing = tmp_path / "no" / "key.md"
    assert_bad_input(
        "drill", "outsize", "--worksheet", str(sheet), "--answers", str(missing),
        mentions="--answers",
    )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    sheet.write_text("old", encoding="utf-8")
    assert_bad_input("drill", "outsize", "--worksheet", str(sheet), "--answers", str(tmp_path))
    assert sheet.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.md"]
    assert_bad_input("drill", "outsize", "--answers", str(missing), mentions="--answers")
    result = run("drill", "outsize", "--seed", "1", "--worksheet", str(sheet))
    assert result.code == 0 and "Problem 1 · outsize" in sheet.read_text(encoding="utf-8")
    assert sheet.stat().st_mode & 0o777 != 0o600
    key = tmp_path / "sheet-answers.md"
    assert f"wrote {key}" in result.stdout
    assert "**Answers**" in key.read_text(encoding="utf-8")


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("drill",), "TOPIC"),
        (("drill", "nonsense"), "TOPIC"),
        (("drill", "outsize", "--count", "0"), "--count"),
        (("drill", "outsize", "--count", "201"), "--count"),
        (("drill", "outsize", "--count", "two"), "--count"),
        (("drill", "outsize", "--seed", "-1"), "--seed"),
        (("drill", "outsize", "--seed", "1.5"), "--seed"),
        (("drill", "outsize", "--difficulty", "hard"), "--difficulty"),
        (("drill", "outsize", "--lang", "fr"), "--lang"),
        (("drill", "outsize", "--format", "latex"), "--format"),
        (("drill", "outsize", "--worksheet", "a.md", "--format", "html"), "--format"),
        (("drill", "outsize", "--worksheet", "same.md", "--answers", "./same.md"), "--answers"),
    ],
)
def test_bad_input(args, mentions):
    assert_bad_input(*args, mentions=mentions)


def test_bad_input_in_korean():
    line = assert_bad_input("drill", "nonsense", "--lang", "ko", mentions="TOPIC")
    assert "다음 중 하나가 아닙니다" in line and "mix" in line


def test_worksheet_naming_a_folder_is_bad_input():
    assert_bad_input("drill", "outsize", "--seed", "1", "--worksheet", ".", mentions="--worksheet")


def test_messages_are_looked_up():
    assert t("drill.score", "ko", right=1, total=2, percent=50) == "점수: 2개 중 1개 정답 (50%)"


# ------------------------------------------------------------------ a real terminal

TIMEOUT = 240
"""Seconds a pseudo-terminal waits for each expected text: generous, for loaded machines."""


def spawn(*args: str):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "80", "STEPCALC_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "stepcalc", "drill", *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 80),
    )


def answer_all(child, problem: drill.Problem, answers, texts=None) -> None:
    """Wait for each prompt of the problem before typing its answer."""
    for index, (quantity, value) in enumerate(zip(problem.ask, answers, strict=True)):
        child.expect_exact(prompt(quantity, value))
        child.sendline(texts[index] if texts else answer_text(value))


def test_interactive_drill_in_a_pseudo_terminal():
    pexpect = pytest.importorskip("pexpect")
    problems = drill.generate("outsize", 8, 2, "exam")
    right = right_answers("outsize", 8, 2)
    child = spawn("outsize", "--seed", "8", "--count", "2")
    child.expect_exact("seed 8")
    child.expect_exact("Problem 1/2")
    answer_all(child, problems[0], right[0])
    child.expect_exact("O  height")
    child.expect_exact("Problem 2/2")
    first = problems[1].ask[0]
    child.expect_exact(prompt(first, right[1][0]))
    child.sendline("3 4; 5")
    child.expect_exact("cannot read that")
    child.sendline(wrong_text(right[1][0]))
    rest = drill.Problem("outsize", {}, problems[1].ask[1:])
    answer_all(child, rest, right[1][1:])
    child.expect_exact(f"should be {right[1][0]}")
    total = len(right[0]) + len(right[1])
    child.expect_exact(f"score: {total - 1}/{total} answers right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in child.before


def test_ctrl_c_ends_cleanly_with_the_score():
    pexpect = pytest.importorskip("pexpect")
    problems = drill.generate("outsize", 8, 2, "exam")
    right = right_answers("outsize", 8, 2)
    child = spawn("outsize", "--seed", "8", "--count", "2")
    answer_all(child, problems[0], right[0])
    child.expect_exact("Problem 2/2")
    child.expect_exact(prompt(problems[1].ask[0], right[1][0]))  # now waiting in input()
    child.sendintr()
    child.expect_exact("stopped.")
    child.expect_exact(f"score: {len(right[0])}/{len(right[0])} answers right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_end_of_input_in_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    problem = drill.generate("outsize", 8, 1, "exam")[0]
    child = spawn("outsize", "--seed", "8", "--lang", "ko")
    child.expect_exact("구하시오")
    child.expect_exact(prompt(problem.ask[0], right_answers("outsize", 8)[0][0]))
    child.sendeof()
    child.expect_exact("입력이 끝났습니다")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_revealing_in_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    problem = drill.generate("outsize", 8, 1, "exam")[0]
    (right,) = right_answers("outsize", 8)
    child = spawn("outsize", "--seed", "8")
    child.expect_exact(prompt(problem.ask[0], right[0]))
    child.sendline("?")
    child.expect_exact(f"answer shown: {problem.ask[0]} = {right[0]}")
    child.expect_exact(prompt(problem.ask[1], right[1]))  # the next part is asked at once
    child.sendintr()
    child.expect_exact("1 shown with '?'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_the_drill_module_holds_no_maths():
    source = Path(drill.__file__).read_text(encoding="utf-8")
    for sign in ("import numpy", "import math", "np.", "exp(", "log(", "sqrt("):
        assert sign not in source, sign
