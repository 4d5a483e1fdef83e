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

SLIDE = ("--from", "samples/dropout_slide.yaml")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPCALC_CACHE_DIR", str(tmp_path))


def step(document, symbol):
    return next(s for s in document["steps"] if s.get("symbol") == symbol)


def dropout_json(*args):
    return run_json("dropout", *args)


def test_slide_example_reproduces():
    document = dropout_json(*SLIDE)
    standard, inverted = document["result"]["standard"], document["result"]["inverted"]
    assert standard["mask"] == [1, 0, 1, 0]
    assert standard["train_output"] == [1, 0, 2, 0]
    assert standard["z_train"] == pytest.approx(0.7, abs=1e-12)
    assert standard["test_output"] == [0.5, 2.5, 1, 4]
    assert standard["z_test"] == pytest.approx(2.45, abs=1e-12)
    assert inverted["train_output"] == [2, 0, 4, 0]
    assert inverted["z_train"] == pytest.approx(1.4, abs=1e-12)
    assert inverted["test_output"] == [1, 5, 2, 8]
    assert inverted["z_test"] == pytest.approx(4.9, abs=1e-12)
    assert_steps_honest(document["steps"])
    assert not any(s.get("note") for s in document["steps"])  # "no division" only at p_keep = 0
    assert step(document, "D")["formula"] == "diag(m)"
    wd = step(document, "w_D")
    assert wd["title"].startswith("W·D") and wd["formula"] == "matmul(w, D)"
    assert wd["value"] == pytest.approx([0.1, 0, 0.3, 0])


def test_slide_checks_pass_and_catch_a_wrong_answer():
    ok = run(
        *("dropout", *SLIDE), "--expect", "standard.z_test=2.45", "--expect", "inverted.z_train=1.4"
    )
    assert ok.code == 0, ok.stdout
    wrong = run(*("dropout", *SLIDE), "--expect", "inverted.z_test=2.45")
    assert wrong.code == 1


def test_slide_table_shows_both_modes():
    result = run("dropout", *SLIDE)
    assert result.code == 0, result.stderr
    assert "standard dropout" in result.stdout and "inverted dropout" in result.stdout
    assert "2.45" in result.stdout and "4.9" in result.stdout


def test_one_mode_only_and_drop_prob():
    document = dropout_json(
        "--input", "1 5 2 8", "--mask", "1 0 1 0", "--drop-prob", "0.5", "--mode", "inverted"
    )
    assert list(document["result"]) == ["inverted"]
    assert document["inputs"]["keep_prob"] == 0.5
    assert document["steps"][0]["formula"] == "1 - p_drop"
    assert_steps_honest(document["steps"])


def test_seed_draws_a_replayable_numpy_mask():
    document = dropout_json("--input", "1 2 3 4 5 6 7 8", "--keep-prob", "0.6", "--seed", "7")
    expected = (np.random.default_rng(7).random(8) < 0.6).astype(float)
    assert document["result"]["standard"]["mask"] == expected.tolist()
    assert document["inputs"]["seed"] == 7
    assert_steps_honest(document["steps"])
    table = run("dropout", "--input", "1 2 3 4 5 6 7 8", "--keep-prob", "0.6", "--seed", "7")
    assert "seed 7" in table.stdout


def test_random_seed_is_printed_and_used_consistently():
    document = dropout_json("--input", "1 2 3", "--keep-prob", "0.5")
    seed = document["inputs"]["seed"]
    assert isinstance(seed, int)
    again = dropout_json("--input", "1 2 3", "--keep-prob", "0.5", "--seed", str(seed))
    assert again["result"] == document["result"]


def test_samples_average_to_the_test_output():
    document = dropout_json(
        "--input",
        "1 5 2 8",
        "--weights",
        "0.1 0.2 0.3 0.4",
        "--keep-prob",
        "0.5",
        "--seed",
        "1",
        "--samples",
        "20000",
    )
    standard, inverted = document["result"]["standard"], document["result"]["inverted"]
    assert standard["mean_z_train"] == pytest.approx(2.45, abs=0.05)
    assert inverted["mean_z_train"] == pytest.approx(4.9, abs=0.1)
    np.testing.assert_allclose(inverted["mean_train_output"], [1, 5, 2, 8], rtol=0.05)
    assert_steps_honest(document["steps"])


def test_weight_matrix_zeroes_columns_and_gives_vector_z():
    document = dropout_json(
        "--input",
        "1 5 2 8",
        "--weights",
        "1 2 3 4; 0 1 0 1",
        "--mask",
        "1 0 1 0",
        "--keep-prob",
        "0.5",
    )
    wd = step(document, "W_D")
    assert wd["value"] == [[1, 0, 3, 0], [0, 0, 0, 0]]
    assert wd["formula"] == "matmul(W, D)"
    assert document["result"]["standard"]["z_train"] == [7, 0]
    assert document["result"]["inverted"]["z_test"] == [49, 13]
    assert_steps_honest(document["steps"])


def test_matrix_input_keeps_its_shape():
    document = dropout_json(
        "--input",
        "1 2; 3 4",
        "--mask",
        "1 0; 0 1",
        "--keep-prob",
        "0.8",
        "--weights",
        "1 1; 1 1",
        "--grad-output",
        "1 1; 1 1",
    )
    inverted = document["result"]["inverted"]
    np.testing.assert_allclose(inverted["train_output"], [[1.25, 0], [0, 5]])
    assert inverted["z_train"] == pytest.approx(6.25)
    np.testing.assert_allclose(inverted["grad_input"], [[1.25, 0], [0, 1.25]])
    assert_steps_honest(document["steps"])


def test_keep_prob_zero_is_fine_in_standard_mode():
    document = dropout_json(
        "--input", "1 2", "--keep-prob", "0", "--seed", "3", "--mode", "standard"
    )
    assert document["result"]["standard"]["train_output"] == [0, 0]
    assert document["result"]["standard"]["test_output"] == [0, 0]


def test_round_steps():
    document = dropout_json(
        "--input", "1 2 3", "--mask", "1 1 0", "--keep-prob", "0.3", "--round-steps", "2"
    )
    assert document["result"]["inverted"]["train_output"] == [3.33, 6.67, 0]


def test_korean_and_ascii_render():
    assert "역 드롭아웃" in run("dropout", *SLIDE, "--lang", "ko").stdout
    ascii_out = run("dropout", *SLIDE, "--ascii").stdout
    assert all(ord(ch) < 128 for ch in ascii_out), [ch for ch in ascii_out if ord(ch) >= 128]


def test_backward_matches_torch_autograd():
    torch = torch_or_skip()
    document = dropout_json(*SLIDE, "--grad-output", "0.5 -1 2 3")
    x = torch.tensor([1.0, 5, 2, 8], dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([1.0, 0, 1, 0], dtype=torch.float64)
    g = torch.tensor([0.5, -1, 2, 3], dtype=torch.float64)
    (x * mask / 0.5).backward(g)
    assert_matches_torch(document["result"]["inverted"]["grad_input"], x.grad)
    x.grad = None
    (x * mask).backward(g)
    assert_matches_torch(document["result"]["standard"]["grad_input"], x.grad)
    # inverted dropout is torch's: evaluation mode leaves x unchanged, and a training-mode
    # output is 0 or x/(1 - p) in every unit
    dropout = torch.nn.functional.dropout
    plain = x.detach()
    assert_matches_torch(document["result"]["inverted"]["test_output"], dropout(plain, 0.5, False))
    trained = dropout(plain, 0.5, True)
    assert all(v in (0.0, 2 * w) for v, w in zip(trained.tolist(), plain.tolist(), strict=True))


def test_bad_input():
    base = ("dropout", "--input", "1 5 2 8")
    assert_bad_input(
        *base, "--mask", "1 0 1 0", mentions="exactly one of --keep-prob or --drop-prob"
    )
    assert_bad_input(
        *base,
        "--keep-prob",
        "0.5",
        "--drop-prob",
        "0.5",
        mentions="exactly one of --keep-prob or --drop-prob",
    )
    assert_bad_input(*base, "--keep-prob", "1.5", "--seed", "1", mentions="--keep-prob")
    assert_bad_input(*base, "--drop-prob", "-0.1", "--seed", "1", mentions="--drop-prob")
    # p_keep = 0 is fine now (every unit dropped); a mask that keeps a unit contradicts it
    line = assert_bad_input(*base, "--keep-prob", "0", "--mask", "1 0 0 0", mentions="--mask")
    assert "but p_keep is 0" in line
    assert run(*base, "--drop-prob", "1", "--mode", "inverted", "--seed", "1").code == 0
    assert_bad_input(*base, "--keep-prob", "0.5", "--mask", "1 0 0.5 0", mentions="--mask")
    assert_bad_input(*base, "--keep-prob", "0.5", "--mask", "1 0 1", mentions="--mask")
    assert_bad_input(
        *base, "--keep-prob", "0.5", "--mask", "1 0 1 0", "--weights", "1 2 3", mentions="--weights"
    )
    assert_bad_input(
        *base, "--keep-prob", "0.5", "--mask", "1 0 1 0", "--seed", "3", mentions="--seed"
    )
    assert_bad_input(*base, "--keep-prob", "0.5", "--seed", "1", "--mode", "x", mentions="--mode")
    assert_bad_input(
        *base, "--keep-prob", "0.5", "--seed", "1", "--grad-output", "1 2", mentions="--grad-output"
    )
    assert_bad_input(*base, "--keep-prob", "0.5", "--seed", "-1", mentions="--seed")
    assert_bad_input(*base, "--keep-prob", "0.5", "--samples", "0", mentions="--samples")
    assert_bad_input("dropout", "--keep-prob", "0.5", mentions="--input")


def test_sample_count_is_limited_by_size():
    units = " ".join(["1"] * 50)
    assert_bad_input(
        "dropout",
        "--input",
        units,
        "--keep-prob",
        "0.5",
        "--samples",
        "100000",
        mentions="--samples",
    )


def test_ascii_inputs_wider_than_the_terminal_are_cut_within_80_columns(monkeypatch):
    # the shown inputs do not fit side by side; the cut must not widen in ASCII mode
    monkeypatch.setenv("COLUMNS", "80")
    x = " ".join(f"-{i}.123" for i in range(10))
    w = "; ".join(" ".join(f"{i}.456" for i in range(10)) for _ in range(3))
    result = run(
        "dropout", "--input", x, "--weights", w, "--keep-prob", "0.8", "--seed", "3", "--ascii"
    )
    assert result.code == 0, result.stderr
    assert result.stdout.isascii()
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_command_line_probability_or_seed_overrides_the_files_alternative():
    """The slide file gives keep-prob and a mask; --drop-prob or --seed on the command line
    replace them (flags override the file) instead of failing as 'give exactly one'."""
    drop = run_json("dropout", *SLIDE, "--drop-prob", "0.25")
    assert drop["inputs"]["keep_prob"] == 0.75 and drop["inputs"]["drop_prob"] == 0.25
    assert drop["inputs"]["mask"] == [1.0, 0.0, 1.0, 0.0]
    seeded = run_json("dropout", *SLIDE, "--seed", "3")
    assert seeded["inputs"]["seed"] == 3 and seeded["inputs"]["mask"] is None
    both = ("--input", "1 2", "--keep-prob", "0.5", "--drop-prob", "0.5")
    assert_bad_input("dropout", *both, mentions="--keep-prob")


# ------------------------------------------------------------------ everything dropped


@pytest.mark.parametrize("mode", ["standard", "inverted", "both"])
def test_drop_probability_one_gives_zeros_as_pytorch(mode):
    torch = torch_or_skip()
    document = dropout_json(
        "--input",
        "1 -2 3",
        "--drop-prob",
        "1",
        "--mode",
        mode,
        "--weights",
        "1 1 1",
        "--grad-output",
        "4 5 6",
        "--seed",
        "2",
    )
    x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    trained = torch.nn.functional.dropout(x, 1.0, True)
    trained.backward(torch.tensor([4.0, 5.0, 6.0], dtype=torch.float64))
    for name, out in document["result"].items():
        assert out["mask"] == [0, 0, 0]
        assert_matches_torch(out["train_output"], trained)
        assert_matches_torch(out["grad_input"], x.grad)
        assert out["z_train"] == 0
        expected = [0, 0, 0] if name == "standard" else [1, -2, 3]  # 0·x, or x as torch's eval
        assert out["test_output"] == expected
    assert_matches_torch(
        document["result"].get("inverted", {"test_output": [1, -2, 3]})["test_output"],
        torch.nn.functional.dropout(x.detach(), 1.0, False),
    )
    assert any("p_keep = 0" in note for note in document["notes"])
    assert_steps_honest(document["steps"])
    assert not any("/p_keep" in s["formula"] for s in document["steps"])


def test_keep_probability_zero_with_samples():
    document = dropout_json("--input", "1 2", "--keep-prob", "0", "--samples", "5", "--seed", "1")
    for out in document["result"].values():
        assert out["mean_train_output"] == [0, 0]
    assert_steps_honest(document["steps"])


# ------------------------------------------------------------------ the notes are true


def test_slide_note_scaling_the_weights_gives_the_same_z_test():
    document = dropout_json(*SLIDE)
    x, w = np.array([1.0, 5, 2, 8]), np.array([0.1, 0.2, 0.3, 0.4])
    w_test = 0.5 * w
    assert float(x @ w_test) == pytest.approx(document["result"]["standard"]["z_test"])
    assert any("w_test = p_keep·w" in note for note in document["notes"])


def test_columns_note_w_times_d_zeroes_the_dropped_columns():
    document = dropout_json(
        "--input", "1 5 2", "--weights", "1 2 3; 4 5 6", "--mask", "0 1 0", "--keep-prob", "0.5"
    )
    wd = np.array(step(document, "W_D")["value"])
    assert (wd[:, [0, 2]] == 0).all() and (wd[:, 1] == [2, 5]).all()
    assert any("zeroes the dropped units' columns" in note for note in document["notes"])


def test_keep_note_inverted_training_output_is_zero_or_x_over_p_keep():
    document = dropout_json("--input", "1 5 2 8", "--keep-prob", "0.8", "--seed", "4")
    inverted = document["result"]["inverted"]
    for h, m, x in zip(inverted["train_output"], inverted["mask"], [1, 5, 2, 8], strict=True):
        assert h == (x / 0.8 if m else 0)
    assert inverted["test_output"] == [1, 5, 2, 8]
    assert document["result"]["standard"]["test_output"] == pytest.approx([0.8, 4, 1.6, 6.4])


def test_sample_means_are_the_means_of_each_mask():
    document = dropout_json(
        "--input",
        "1 5 2 8",
        "--weights",
        "0.1 0.2 0.3 0.4",
        "--keep-prob",
        "0.6",
        "--seed",
        "9",
        "--samples",
        "7",
    )
    rng = np.random.default_rng(9)
    rng.random(4)  # the first draw is the shown mask
    masks = [(rng.random(4) < 0.6).astype(float) for _ in range(7)]
    x, w = np.array([1.0, 5, 2, 8]), np.array([0.1, 0.2, 0.3, 0.4])
    standard, inverted = document["result"]["standard"], document["result"]["inverted"]
    np.testing.assert_allclose(standard["mean_train_output"], np.mean([x * m for m in masks], 0))
    np.testing.assert_allclose(
        inverted["mean_z_train"], np.mean([w @ (x * m / 0.6) for m in masks])
    )
    assert_steps_honest(document["steps"])


def test_long_input_uses_w_times_m_instead_of_a_diagonal_matrix():
    x = " ".join(["1"] * 20)
    w = "; ".join([" ".join(["2"] * 20)] * 2)
    document = dropout_json("--input", x, "--weights", w, "--keep-prob", "0.5", "--seed", "1")
    assert step(document, "W_D")["formula"] == "W*m"
    assert not any(s.get("symbol") == "D" for s in document["steps"])
    assert_steps_honest(document["steps"])


def test_slide_reads_well_at_80_and_60_columns(monkeypatch):
    for columns in (80, 60):
        monkeypatch.setenv("COLUMNS", str(columns))
        result = run("dropout", *SLIDE, "--grad-output", "1 1 1 1")
        assert result.code == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= columns
        assert "[[" not in result.stdout and "], [" not in result.stdout
