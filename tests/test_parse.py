import pytest

from stepcalc import parse
from stepcalc.errors import InputError


@pytest.mark.parametrize(
    "text, value",
    [("0.5", 0.5), ("-3", -3.0), ("1e-3", 0.001), ("1/3", 1 / 3), ("-1/4", -0.25), ("+2", 2)],
)
def test_scalars(text, value):
    assert parse.parse_scalar(text, "--x") == pytest.approx(value, rel=0, abs=0)


@pytest.mark.parametrize(
    "text, nested",
    [
        ("1 2 3", [1, 2, 3]),
        ("1,2,3", [1, 2, 3]),
        ("-1 2; 3 -4", [[-1, 2], [3, -4]]),
        ("1 2; 3 4 | 5 6; 7 8", [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
        ("1 | 2 || 3 | 4", [[[[1]], [[2]]], [[[3]], [[4]]]]),
        ("[[1,2],[3,4]]", [[1, 2], [3, 4]]),
        ("[[-1.5, 2e-1]]", [[-1.5, 0.2]]),
        ("7", 7),
    ],
)
def test_tensor_forms(text, nested):
    assert parse.parse_nested(text, "--input") == nested


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 2 3; 4 5", "--kernel: row 2 has 2 numbers, row 1 has 3"),
        ("1 nan", "--kernel: 'nan' is not a finite number"),
        ("1 inf", "not a finite number"),
        ("1 x", "'x' is not a number"),
        ("1,,2", "empty value"),
        ("1 2;", "row 2 is empty"),
        ("[[1,2],[3]]", "row 2 has 1 numbers, row 1 has 2"),
        ("[1, NaN]", "NaN is not a finite number"),
        ("[1, true]", "expected a number"),
        ("[1, 2", "not a valid JSON list"),
        ("1e999", "too large"),
        ("1/0", "divides by zero"),
        ("", "empty value"),
        ("[" * 50 + "]" * 50, "nested"),
        ("1 2; 3 4 | 5 6", "channel 2 has shape 1×2, channel 1 has 2×2"),
        ("[[1], 2]", "mixes numbers and lists"),
    ],
)
def test_tensor_errors_name_the_option(text, message):
    with pytest.raises(InputError) as error:
        parse.parse_nested(text, "--kernel")
    assert error.value.message.startswith("--kernel")
    assert message in error.value.message


def test_decimals_written():
    assert parse.decimals_written(parse.parse_scalar("-16.78", "--x")) == 2
    assert parse.decimals_written(parse.parse_scalar("25", "--x")) == 0
    assert parse.decimals_written(parse.parse_scalar("1e-3", "--x")) == 3
    assert parse.decimals_written(parse.parse_scalar("2.50", "--x")) == 2
    assert parse.decimals_written(parse.parse_scalar("1/3", "--x")) is None


def test_yaml_is_strict(tmp_path):
    cases = {
        "tag.yaml": ("a: !!python/object/apply:os.system ['echo hi']", "not allowed"),
        "dup.yaml": ("a: 1\na: 2\n", "duplicate key 'a'"),
        "bad.yaml": ("a: [1, 2\n", "--from"),
        "list.yaml": ("- 1\n- 2\n", "must be a mapping"),
        "empty.yaml": ("", "is empty"),
        "nan.yaml": ("a: .nan\n", "not a finite number"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError) as error:
            parse.load_mapping(str(path), "--from")
        assert message in error.value.message, (name, error.value.message)


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match="aliases"):
        parse.load_mapping(str(path), "--from")


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        parse.load_mapping(str(tmp_path / "nope.yaml"), "--from")
    with pytest.raises(InputError, match="is a directory"):
        parse.load_mapping(str(tmp_path), "--from")


def test_yaml_keeps_written_decimals(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("loss: -16.780\n")
    value = parse.load_mapping(str(path), "--check")["loss"]
    assert parse.decimals_written(value) == 3
