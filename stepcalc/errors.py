"""Exit codes and the one exception type library code raises for bad input."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2


class StepcalcError(Exception):
    """Bad input. The message names the option or file and the problem, on one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return self.args[0]
