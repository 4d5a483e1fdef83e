"""drill: reproducible, solvable problems; answer checking; worksheets; a real terminal session."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from stepcalc import drill
from stepcalc.check import lookup
from stepcalc.i18n import t
from stepcalc.messages.drill import TEXT
from stepcalc.trace import plain
from tests.helpers import assert_bad_input, assert_steps_honest, run

TOPICS = drill.offered_topics()
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
    exercises = drill.generate(topic, seed, count, difficulty)
    return [[drill.solve(e).expected(q) for q in e.ask] for e in exercises]


# ------------------------------------------------------------------ generators


def test_outsize_and_params_are_offered():
    assert "outsize" in TOPICS
    if Path(drill.__file__).with_name("commands").joinpath("params.py").exists():
        assert "params" in TOPICS


@pytest.mark.parametrize("topic", TOPICS)
def test_reproducible_by_seed(topic):
    first = drill.generate(topic, 1234, 5, "exam")
    again = drill.generate(topic, 1234, 5, "exam")
    assert [e.options for e in first] == [e.options for e in again]
    other = drill.generate(topic, 1235, 5, "exam")
    assert [e.options for e in first] != [e.options for e in other]
    a = run("drill", topic, "--seed", "77", "--count", "3", "--json")
    b = run("drill", topic, "--seed", "77", "--count", "3", "--json")
    assert a.code == 0, a.stderr
    assert a.stdout == b.stdout


@pytest.mark.parametrize("topic", TOPICS)
def test_json_problems_replay_through_their_command(topic, tmp_path):
    """Each problem's ``problem_file`` (and ``command`` when given) reproduces its answers."""
    document = run("drill", topic, "--seed", "11", "--count", "3", "--json").json
    for problem in document["problems"]:
        replay = run(
            topic.replace("_", "-"), "--from", "-", "--json", stdin=problem["problem_file"]
        )
        assert replay.code == 0, replay.stderr
        for quantity, value in problem["answers"].items():
            assert np.allclose(lookup(replay.json["result"], quantity), value)
        if problem["command"]:
            words = shlex.split(problem["command"])[1:]
            assert run(*words, "--json").json["result"] == replay.json["result"]


@pytest.mark.parametrize("difficulty", drill.DIFFICULTIES)
@pytest.mark.parametrize("topic", TOPICS)
def test_generator_answer_equals_command_result(topic, difficulty):
    for seed in SEEDS:
        for exercise in drill.generate(topic, seed, 1, difficulty):
            solved = drill.solve(exercise)
            assert exercise.ask, exercise
            for quantity in exercise.ask:
                ours = exercise.answer[quantity]
                theirs = solved.expected(quantity)
                assert np.allclose(np.asarray(ours, float), np.asarray(theirs, float)), (
                    seed,
                    quantity,
                    exercise.options,
                    ours,
                    theirs,
                )
                if exercise.decimals(quantity) is None:
                    cells = np.asarray(theirs, float)
                    assert np.allclose(cells, np.round(cells)), (seed, quantity, theirs)
            if seed < 4:
                assert_steps_honest(solved.trace.steps)


@pytest.mark.parametrize("topic", TOPICS)
def test_easy_problems_are_hand_sized(topic):
    for seed in range(20):
        exercise = drill.generate(topic, seed, 1, "easy")[0]
        for value in exercise.answer.values():
            assert np.asarray(value, float).size <= 16
            assert np.all(np.abs(np.asarray(value, float)) < 100_000)


# ------------------------------------------------------------------ sessions


def test_json_prints_problems_and_answers_without_asking():
    result = run("drill", "outsize", "--seed", "3", "--count", "2", "--json")
    assert result.code == 0, result.stderr
    document = result.json
    assert document["command"] == "drill" and document["seed"] == 3
    assert document["topic"] == "outsize" and document["difficulty"] == "exam"
    assert len(document["problems"]) == 2
    problem = document["problems"][0]
    assert set(problem["ask"]) <= set(problem["answers"])
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
    assert f"X  width: {wrong_text(answers[1])}  wrong — should be {answers[1]}" in result.stdout
    assert "output size" in result.stdout  # the worked steps follow
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
    solved = drill.solve(drill.Exercise("silu", {"input": "-2 1 0", "fn": "tanh"}, (), {}, "silu"))
    item = solved.judge("output", drill.parse_answer("-0.96 0.76 0", "output"))
    assert item["verdict"] == "correct"
    item = solved.judge("output", drill.parse_answer("-0.96 0.5 0", "output"))
    assert item["verdict"] == "wrong" and item["index"] == [1]


def test_all_right_exits_zero_and_first_wrong_cell_is_named():
    (answers,) = right_answers("outsize", 21, difficulty="easy")
    stdin = "".join(answer_text(a) + "\n" for a in answers)
    result = run("drill", "outsize", "--seed", "21", "--difficulty", "easy", stdin=stdin)
    assert result.code == 0, result.stdout
    assert f"score: {len(answers)}/{len(answers)}" in result.stdout
    solved = drill.solve(drill.generate("outsize", 21, 1, "easy")[0])
    item = solved.judge("height", drill.parse_answer("999", "height"))
    assert item["verdict"] == "wrong"
    assert solved.judge("height", drill.parse_answer(str(answers[0]), "height"))["verdict"] == (
        "correct"
    )


def test_malformed_answer_is_asked_again():
    (answers,) = right_answers("outsize", 8)
    stdin = "1 2; 3\n" + "\n".join(map(answer_text, answers)) + "\n"
    result = run("drill", "outsize", "--seed", "8", stdin=stdin)
    assert result.code == 0, result.stdout
    assert "cannot read that (height: row 2 has 1 numbers, row 1 has 2); try again" in (
        result.stdout
    )
    assert f"score: {len(answers)}/{len(answers)}" in result.stdout


def test_wrong_shape_is_wrong_and_says_so():
    result = run("drill", "pool", "--seed", "2", "--difficulty", "easy", stdin="1 2\n")
    assert "X  output: [1, 2]  wrong — shape 2 given, 2×2 expected" in result.stdout
    assert result.code == 1
    result = run("drill", "pool", "--seed", "2", "--difficulty", "easy", "--lang", "ko",
                 stdin="1 2\n")  # fmt: skip
    assert "모양이 다릅니다: 2를 입력했지만 2×2이어야 합니다" in result.stdout


def test_question_mark_shows_the_answer_and_counts_wrong():
    (answers,) = right_answers("outsize", 8)
    stdin = "?\n" + "\n".join(map(answer_text, answers[1:])) + "\n"
    result = run("drill", "outsize", "--seed", "8", stdin=stdin)
    assert result.code == 1
    assert f"X  height: ?  wrong — should be {answers[0]}" in result.stdout


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
    code = drill.interactive(drill.generate("outsize", 1, 1, "easy"), drill.Ctx())
    assert code == 0
    assert "score: 0/0" in capsys.readouterr().out


def test_seed_is_printed_when_not_given():
    result = run("drill", "outsize")
    assert result.code == 0
    assert result.stdout.startswith("seed ")
    seed = int(result.stdout.split()[1])
    assert f"--seed {seed} --count 1" in result.stdout


def test_mix_draws_from_offered_topics():
    document = run("drill", "mix", "--seed", "9", "--count", "12", "--json").json
    assert {p["topic"] for p in document["problems"]} <= set(TOPICS)
    assert len(document["problems"]) == 12


def test_ascii_session_has_no_unicode_symbols():
    (answers,) = right_answers("conv", 4)
    stdin = "".join(answer_text(a) + "\n" for a in answers)
    result = run("drill", "conv", "--seed", "4", "--ascii", stdin=stdin)
    assert result.code == 0, result.stdout
    assert result.stdout.isascii(), {ch for ch in result.stdout if not ch.isascii()}


# ------------------------------------------------------------------ Korean


def test_every_message_has_korean():
    for key, (english, korean) in TEXT.items():
        assert english and korean, key


@pytest.mark.parametrize("topic", TOPICS)
def test_every_statement_has_its_texts_in_both_languages(topic):
    for lang in ("en", "ko"):
        ctx = drill.Ctx(lang=lang)
        for difficulty in drill.DIFFICULTIES:
            for exercise in drill.generate(topic, 5, 10, difficulty):
                text = "\n".join(drill.statement_lines(exercise, ctx))
                text += "\n".join(drill.ask_line(exercise, q, ctx) for q in exercise.ask)
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
        assert problem["statement"].splitlines()[0] in sheet_text
        for quantity, value in problem["answers"].items():
            assert f"- `{quantity}` = ________" in sheet_text
            assert f"- `{quantity}` = `{value}`" in key_text
        assert problem["command"] in key_text
    assert "Answers" not in sheet_text
    assert "| step | rule | with numbers | value |" in key_text
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
        assert r"\subsection*{문제 1 \ensuremath{\cdot} outsize}" in text
    assert "구하시오" in sheet_text and r"\hrulefill" in sheet_text
    assert r"\paragraph{정답}" in key_text and r"\begin{align*}" in key_text
    assert_latex_well_formed(sheet_text)
    assert_latex_well_formed(key_text)


def assert_latex_well_formed(text: str) -> None:
    """Balanced braces and environments; no symbol pdfLaTeX cannot typeset (Hangul aside)."""
    import re
    import unicodedata

    unescaped = re.sub(r"\\[{}]", "", text)
    assert unescaped.count("{") == unescaped.count("}")
    begins = re.findall(r"\\begin\{(\w+\*?)\}", text)
    ends = re.findall(r"\\end\{(\w+\*?)\}", text)
    assert sorted(begins) == sorted(ends)
    strange = {ch for ch in text if ord(ch) > 127 and "HANGUL" not in unicodedata.name(ch, "")}
    assert not strange, strange


@pytest.mark.parametrize("topic", TOPICS)
def test_answer_keys_of_every_topic(topic, tmp_path):
    key = tmp_path / "key.tex"
    result = run("drill", topic, "--seed", "2", "--count", "3", "--format", "latex",
                 "--answers", str(key))  # fmt: skip
    assert result.code == 0, result.stderr
    text = key.read_text(encoding="utf-8")
    assert_latex_well_formed(text)
    assert text.count(r"\subsection*{Problem") == 3
    markdown = tmp_path / "key.md"
    assert run("drill", topic, "--seed", "2", "--count", "3", "--answers", str(markdown)).code == 0
    assert markdown.read_text(encoding="utf-8").count("**Answers**") == 3


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


# ------------------------------------------------------------------ a real terminal


def spawn(*args: str):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "COLUMNS": "80", "STEPCALC_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "stepcalc", "drill", *args],
        env=env,
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 80),
    )


def test_interactive_drill_in_a_pseudo_terminal():
    right = right_answers("outsize", 8, 2)
    child = spawn("outsize", "--seed", "8", "--count", "2")
    child.expect("seed 8")
    child.expect("Problem 1/2")
    for answer in right[0]:
        child.expect(" = ")
        child.sendline(answer_text(answer))
    child.expect("O  height")
    child.expect("Problem 2/2")
    child.expect(" = ")
    child.sendline("3 4; 5")
    child.expect("cannot read that")
    child.sendline(wrong_text(right[1][0]))
    for answer in right[1][1:]:
        child.expect(" = ")
        child.sendline(answer_text(answer))
    child.expect(f"should be {right[1][0]}")
    total = len(right[0]) + len(right[1])
    child.expect(f"score: {total - 1}/{total} answers right")
    child.expect(pytest.importorskip("pexpect").EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in child.before


def test_ctrl_c_ends_cleanly_with_the_score():
    pexpect = pytest.importorskip("pexpect")
    right = right_answers("outsize", 8, 2)
    child = spawn("outsize", "--seed", "8", "--count", "2")
    for answer in right[0]:
        child.expect(" = ")
        child.sendline(answer_text(answer))
    child.expect("Problem 2/2")
    child.expect(" = ")
    child.sendintr()
    child.expect("stopped.")
    child.expect(f"score: {len(right[0])}/{len(right[0])} answers right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_end_of_input_in_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    child = spawn("outsize", "--seed", "8", "--lang", "ko")
    child.expect("구하시오")
    child.expect(" = ")
    child.sendeof()
    child.expect("입력이 끝났습니다")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_messages_are_looked_up():
    assert t("drill.score", "ko", right=1, total=2, percent=50) == "점수: 2개 중 1개 정답 (50%)"


def test_worksheet_naming_a_folder_is_bad_input():
    from tests.helpers import assert_bad_input

    assert_bad_input("drill", "outsize", "--seed", "1", "--worksheet", ".", mentions="--worksheet")
