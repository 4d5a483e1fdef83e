import re

import pytest

from stepcalc.i18n import _catalog, t, translate_error
from tests.helpers import run


def test_every_catalog_has_both_languages():
    import pkgutil

    import stepcalc.messages as messages

    for info in pkgutil.iter_modules(messages.__path__):
        for name, pair in _catalog(info.name).items():
            assert isinstance(pair, tuple) and len(pair) == 2, (info.name, name)
            english, korean = pair
            assert english and korean, (info.name, name)


def test_error_patterns_compile_and_fill():
    for pattern, korean in _catalog("errors").values():
        groups = re.compile(pattern).groupindex
        korean.format(**{group: "x" for group in groups})


@pytest.mark.parametrize(
    "english, korean",
    [
        (
            "--kernel: row 2 has 2 numbers, row 1 has 3",
            "--kernel: 2행에 숫자가 2개, 1행에는 3개 있습니다",
        ),
        ("--input: required", "--input: 필수입니다"),
        ("--from: p.yaml: duplicate key 'a' (line 2)", "--from: p.yaml: 중복된 키 'a' (line 2)"),
        ("--lr: must be positive, got -1", "--lr: 양수여야 합니다 (입력: -1)"),
    ],
)
def test_translate_error(english, korean):
    assert translate_error(english, "ko") == korean
    assert translate_error(english, "en") == english


def test_korean_error_lines_from_the_cli(monkeypatch):
    result = run("conv", "--input", "1 2; 3", "--kernel", "1", "--lang", "ko")
    assert result.code == 2
    assert result.stderr == "error: --input: 2행에 숫자가 1개, 1행에는 2개 있습니다\n"
    monkeypatch.setenv("STEPCALC_LANG", "ko")
    assert run("outsize", "--kernel", "3").stderr == "error: --input: 필수입니다\n"


def test_lookup_with_parameters():
    assert t("core.should_be", "ko", expected=3) == "정답은 3"
