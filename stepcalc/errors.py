"""Exit codes and the one exception type for bad input.

Calculators and parsers raise ``InputError(field, code, **values)``: the field is the option
(or argument) the bad value came from, the code a message key of the catalog. Only the
command layer turns the field into an option name and the code into English or Korean text.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2


class Msg:
    """A catalog message not yet put into words: ``Msg("errors.at_row", n=2)``."""

    def __init__(self, code: str, **values: Any):
        self.code = code
        self.values = values

    def text(self, lang: str = "en") -> str:
        from stepcalc.i18n import t

        if self.code == "errors.join":
            return " ".join(part.text(lang) for part in self.values["parts"])
        if self.code == "errors.either":
            return t("errors.or", lang).join(str(item) for item in self.values["items"])
        values = {k: v.text(lang) if isinstance(v, Msg) else v for k, v in self.values.items()}
        return " ".join(t(self.code, lang, **values).split())


def either(items) -> Msg:
    """``1 or 2`` in the reader's language."""
    return Msg("errors.either", items=list(items))


class InputError(Exception):
    """Bad input: which field, what is wrong (a catalog code) and the values it names."""

    def __init__(self, field: str | None, code: str, **values: Any):
        super().__init__(code)
        self.field = field
        self.msg = Msg(code if code and "." in code else f"errors.{code}", **values)

    def text(self, lang: str = "en") -> str:
        """One line: ``--kernel: row 2 has 2 numbers, row 1 has 3``."""
        message = self.msg.text(lang)
        return f"{label(self.field)}: {message}" if self.field else message

    @property
    def message(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        return self.text("en")


def label(field: str) -> str:
    """How the command line names a field: ``--grad-output``; arguments in capitals."""
    if field.isupper() or field.startswith("-") or " " in field:
        return field
    return "--" + field.replace("_", "-")
