"""All user-facing text, English and Korean, looked up by key.

Keys are ``topic.name``; the texts of a topic live in ``stepcalc/messages/<topic>.py`` as
``TEXT = {"name": ("English", "한국어"), ...}``, so each fact is written once.
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from typing import Any

LANGS = ("en", "ko")


def default_lang() -> str:
    lang = os.environ.get("STEPCALC_LANG", "en").strip().lower()
    return lang if lang in LANGS else "en"


@cache
def _catalog(topic: str) -> dict[str, tuple[str, str]]:
    module = importlib.import_module(f"stepcalc.messages.{topic.replace('-', '_')}")
    return module.TEXT


def t(key: str, lang: str = "en", **params: Any) -> str:
    topic, _, name = key.partition(".")
    english, korean = _catalog(topic)[name]
    text = korean if lang == "ko" and korean else english
    return text.format(**params) if params else text


def translate_error(message: str, lang: str) -> str:
    """An error line in the user's language: option and file labels kept, the rest translated.

    The English text after each ``label: `` boundary is tried against the patterns of
    ``stepcalc/messages/errors.py``; the first that matches the whole remainder wins.
    """
    import re

    if lang != "ko":
        return message
    patterns = _catalog("errors")
    pieces = message.split(": ")
    for cut in range(len(pieces)):
        prefix, tail = ": ".join(pieces[:cut]), ": ".join(pieces[cut:])
        for pattern, korean in patterns.values():
            match = re.fullmatch(pattern, tail)
            if match:
                groups = {k: v or "" for k, v in match.groupdict().items()}
                text = korean.format(**groups)
                return f"{prefix}: {text}" if prefix else text
    return message
