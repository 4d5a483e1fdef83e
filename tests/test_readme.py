"""Every command the README shows runs and exits as documented; shown output is real.

In ```console blocks a line ``$ stepcalc ARGS`` is run (in-process, from the repository
root); ``# exit N`` at the end of the line gives the expected exit code (default 0); a
``| jq …`` or ``| head …`` tail is dropped and the output must then be JSON. Lines after a
command, up to the next ``$`` line, are its expected output, compared exactly.

``python -m tests.test_readme --write`` refreshes the shown output from real runs.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest

from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples(text: str):
    """(command line, expected exit, expected output or None, span of the output)."""
    for block in _BLOCK.finditer(text):
        body = block.group(1)
        offset = block.start(1)
        lines = body.splitlines(keepends=True)
        position = 0
        current = None
        for line in lines:
            if line.startswith("$ "):
                if current:
                    yield current
                command = line[2:].strip()
                start = offset + position + len(line)
                current = [command, start, start]
            elif current:
                current[2] = offset + position + len(line)
            position += len(line)
        if current:
            yield current


def parse_command(command: str) -> tuple[list[str], int, bool]:
    expected = 0
    match = re.search(r"\s+#\s*exit\s+(\d)\s*$", command)
    if match:
        expected = int(match.group(1))
        command = command[: match.start()]
    piped = "|" in command
    command = command.split("|")[0]
    words = shlex.split(command)
    return words, expected, piped


def _runs(text: str):
    for command, start, end in examples(text):
        words, expected, piped = parse_command(command)
        if not words or words[0] != "stepcalc":
            continue
        yield command, words[1:], expected, piped, text[start:end]


def _readme_runs():
    return list(_runs(README.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "command, args, expected, piped, shown", _readme_runs(), ids=[r[0][:60] for r in _readme_runs()]
)
def test_readme_example(command, args, expected, piped, shown, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run(*args)
    assert result.code == expected, (command, result.stderr)
    if piped:
        assert result.json
    if shown.strip():
        assert result.stdout.strip() == shown.strip(), command


def test_readme_has_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert "pip install . && stepcalc yolo-toy" in text or "pip install . && stepcalc" in text
    assert 'pip install ".[test]" && python -m pytest' in text


def write() -> None:
    """Refresh the output shown under each README command from real runs."""
    os.environ["COLUMNS"] = "80"
    os.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    pieces = []
    last = 0
    for command, start, end in examples(text):
        words, _, piped = parse_command(command)
        if not words or words[0] != "stepcalc" or piped or start == end:
            continue
        output = run(*words[1:]).stdout
        pieces.append(text[last:start])
        pieces.append(output if output.endswith("\n") else output + "\n")
        last = end
    pieces.append(text[last:])
    README.write_text("".join(pieces), encoding="utf-8")


if __name__ == "__main__" and "--write" in sys.argv:
    write()
