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
    """``STEPCALC_LANG`` as set, or English (``context.language`` refuses a bad value)."""
    return os.environ.get("STEPCALC_LANG", "en").strip().lower() or "en"


@cache
def _catalog(topic: str) -> dict[str, tuple[str, str]]:
    module = importlib.import_module(f"stepcalc.messages.{topic.replace('-', '_')}")
    return module.TEXT


def t(key: str, lang: str = "en", /, **params: Any) -> str:
    topic, _, name = key.partition(".")
    english, korean = _catalog(topic)[name]
    text = korean if lang == "ko" and korean else english
    return text.format(**params) if params else text
