"""All user-facing text, English and Korean, looked up by key.

Keys are ``topic.name``; the texts of a topic live in ``stepcalc/messages/<topic>.json`` as
``{"name": ["English", "한국어"], …}``, so each fact is written once.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("en", "ko")
CATALOGS = Path(__file__).with_name("messages")


def default_lang() -> str:
    """``STEPCALC_LANG`` as set, or English (``context.language`` refuses a bad value)."""
    return os.environ.get("STEPCALC_LANG", "en").strip().lower() or "en"


@cache
def catalog(topic: str) -> dict[str, list[str]]:
    path = CATALOGS / f"{topic.replace('-', '_')}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def t(key: str, lang: str = "en", /, **params: Any) -> str:
    topic, _, name = key.partition(".")
    english, korean = catalog(topic)[name]
    text = korean if lang == "ko" and korean else english
    return text.format(**params) if params else text
