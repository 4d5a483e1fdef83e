"""What every calculator needs beyond its numbers: the language and the hand-rounding mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepcalc.errors import InputError
from stepcalc.i18n import LANGS, default_lang, t
from stepcalc.trace import round_on_paper


def language(chosen: str | None = None) -> str:
    """The language asked for, else ``STEPCALC_LANG``; a value that is no language is refused."""
    lang = chosen or default_lang()
    if lang not in LANGS:
        raise InputError(None, "bad_lang_env", value=lang, choices=", ".join(LANGS))
    return lang


@dataclass
class Ctx:
    lang: str = "en"
    round_steps: int | None = None
    ascii: bool = False

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def r(self, value: Any) -> Any:
        """Round an intermediate the way a student on paper would, in hand mode only."""
        if self.round_steps is None:
            return value
        return round_on_paper(value, self.round_steps)
