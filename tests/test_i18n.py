from stepcalc.errors import InputError, Msg, either
from stepcalc.i18n import CATALOGS, catalog, t
from tests.helpers import run


def test_every_catalog_has_both_languages():
    topics = sorted(path.stem for path in CATALOGS.glob("*.json"))
    assert len(topics) >= 14
    for topic in topics:
        for name, pair in catalog(topic).items():
            assert isinstance(pair, list) and len(pair) == 2, (topic, name)
            english, korean = pair
            if topic == "errors" and name in ("join", "either"):
                continue  # put together from their parts
            assert english and korean, (topic, name)


def test_errors_are_translated_by_code_not_by_pattern():
    error = InputError("kernel", "ragged", place=Msg("errors.join", parts=[]), a=2, n=2, m=3)
    assert error.text("en") == "--kernel: row 2 has 2 numbers, row 1 has 3"
    assert error.text("ko") == "--kernel: 2행에 숫자가 2개, 1행에는 3개 있습니다"
    assert InputError("input", "required").text("ko") == "--input: 필수입니다"
    wanted = InputError("stride", "expected_count", wanted=either((1, 2)), count=3)
    assert wanted.text("en") == "--stride: expected 1 or 2 numbers, got 3"
    assert wanted.text("ko") == "--stride: 숫자 1 또는 2개가 필요합니다 (입력: 3개)"


def test_every_error_code_used_in_the_package_has_a_message():
    """Each ``InputError(field, "code")`` of the code names a message of the catalog."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "stepcalc"
    pattern = re.compile(r"InputError\(\s*[^,()]+,\s*\"([a-z_.]+)\"")
    missing = []
    for path in root.rglob("*.py"):
        for code in pattern.findall(path.read_text(encoding="utf-8")):
            key = code if "." in code else f"errors.{code}"
            topic, _, name = key.partition(".")
            if name not in catalog(topic):
                missing.append(f"{path.name}: {code}")
    assert not missing, missing


def test_korean_error_lines_from_the_cli(monkeypatch):
    result = run("conv", "--input", "1 2; 3", "--kernel", "1", "--lang", "ko")
    assert result.code == 2
    assert result.stderr == "error: --input: 2행에 숫자가 1개, 1행에는 2개 있습니다\n"
    monkeypatch.setenv("STEPCALC_LANG", "ko")
    assert run("outsize", "--kernel", "3").stderr == "error: --input: 필수입니다\n"
    assert run("outsize", "--bogus").stderr.startswith("error: --bogus: 그런 옵션이 없습니다")


def test_lang_before_the_command_and_a_bad_environment_value(monkeypatch):
    assert run("--lang", "ko", "conv", "--input", "1 2; 3", "--kernel", "1").stderr.startswith(
        "error: --input: 2행"
    )
    monkeypatch.setenv("STEPCALC_LANG", "kr")
    result = run("outsize", "--input", "7", "--kernel", "3")
    assert result.code == 2
    assert result.stderr == "error: STEPCALC_LANG=kr is not one of en, ko\n"


def test_lookup_with_parameters():
    assert t("core.should_be", "ko", expected=3) == "정답은 3"
