"""Numbers, tensors and problem files, as the contract writes them.

Every error names the option (``--kernel``) or the file it came from. Nothing here
evaluates user text: numbers are matched by a regular expression, tensors are split on
their separators, JSON goes through ``json.loads`` and YAML through a SafeLoader.
NumPy is imported only when a tensor is turned into an array.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from stepcalc import limits
from stepcalc.errors import StepcalcError

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Written(float):
    """A float that remembers how it was written, so checks know its decimals."""

    text: str

    def __new__(cls, value: float, text: str) -> Written:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


def decimals_written(value: Any) -> int | None:
    """Digits after the decimal point as written; None when the value is exact (a fraction)."""
    text = getattr(value, "text", None)
    if text is None:
        text = repr(float(value)) if isinstance(value, float) else str(value)
    if "/" in text:
        return None
    text = text.strip().lstrip("+-")
    mantissa, _, exponent = text.lower().partition("e")
    places = len(mantissa.partition(".")[2])
    places -= int(exponent) if exponent else 0
    return max(places, 0)


def _shown(text: str, limit: int = 40) -> str:
    """A value as quoted in an error message, shortened when long."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_scalar(text: Any, option: str) -> float:
    """``0.5``, ``-3``, ``1e-3`` or ``1/3``; finite only."""
    if isinstance(text, bool):
        raise StepcalcError(f"{option}: expected a number, got {str(text).lower()}")
    if isinstance(text, int | float):
        try:
            value = float(text)
        except OverflowError:
            raise StepcalcError(f"{option}: {str(text)[:20]}… is too large") from None
        if not math.isfinite(value):
            raise StepcalcError(f"{option}: {text!r} is not a finite number")
        return text if isinstance(text, Written) else Written(value, repr(text))
    if not isinstance(text, str):
        raise StepcalcError(f"{option}: expected a number, got {_kind(text)}")
    token = text.strip()
    if not token:
        raise StepcalcError(f"{option}: empty value")
    numerator, slash, denominator = token.partition("/")
    if slash:
        top = _number_token(numerator.strip(), option, token)
        bottom = _number_token(denominator.strip(), option, token)
        if bottom == 0:
            raise StepcalcError(f"{option}: {_shown(token)} divides by zero")
        value = top / bottom
    else:
        value = _number_token(token, option, token)
    if not math.isfinite(value):
        raise StepcalcError(f"{option}: {_shown(token)} is too large")
    return Written(value, token)


def _number_token(token: str, option: str, whole: str) -> float:
    if not _NUMBER.fullmatch(token):
        lowered = token.lower().lstrip("+-")
        if lowered in ("nan", "inf", "infinity"):
            raise StepcalcError(f"{option}: {_shown(whole)} is not a finite number")
        raise StepcalcError(f"{option}: {_shown(whole)} is not a number")
    return float(token)


def parse_int(text: Any, option: str, minimum: int | None = None) -> int:
    if isinstance(text, bool):
        raise StepcalcError(f"{option}: expected a whole number, got {str(text).lower()}")
    if isinstance(text, float) and not isinstance(text, Written) and text.is_integer():
        text = int(text)
    if isinstance(text, int):
        value = text
    else:
        token = str(text).strip()
        if not re.fullmatch(r"[+-]?\d+", token):
            raise StepcalcError(f"{option}: {token!r} is not a whole number")
        if len(token.lstrip("+-")) > 12:
            raise StepcalcError(f"{option}: {token} is too large")
        value = int(token)
    if minimum is not None and value < minimum:
        raise StepcalcError(f"{option}: must be at least {minimum}, got {value}")
    if abs(value) > limits.MAX_DIMENSION and minimum is not None:
        raise StepcalcError(f"{option}: {value} is above the limit of {limits.MAX_DIMENSION:,}")
    return value


def parse_int_list(
    text: Any, option: str, minimum: int | None = None, length: tuple[int, ...] | None = None
) -> list[int]:
    """``3``, ``3,4``, ``"3 4"`` or a YAML list; each a whole number."""
    if isinstance(text, list | tuple):
        items = list(text)
    elif isinstance(text, int) and not isinstance(text, bool):
        items = [text]
    else:
        token = str(text).strip()
        if not token:
            raise StepcalcError(f"{option}: empty value")
        items = [part for part in re.split(r"[\s,]+", token) if part]
    values = [parse_int(item, option, minimum) for item in items]
    if length is not None and len(values) not in length:
        wanted = " or ".join(str(n) for n in length)
        raise StepcalcError(f"{option}: expected {wanted} numbers, got {len(values)}")
    return values


def parse_vector(text: Any, option: str) -> list[float]:
    nested = parse_nested(text, option)
    if not isinstance(nested, list):
        return [nested]
    if any(isinstance(item, list) for item in nested):
        raise StepcalcError(f"{option}: expected a vector, got a matrix")
    return nested


def parse_nested(text: Any, option: str) -> Any:
    """A scalar, vector, matrix, channel stack or JSON nested list, as nested Python lists."""
    if isinstance(text, list | tuple):
        _check_count(_leaves(text), option)
        nested = _from_list(list(text), option, depth=1)
        _shape(nested, option)
        return nested
    if isinstance(text, int | float) or isinstance(text, bool):
        return parse_scalar(text, option)
    if not isinstance(text, str):
        raise StepcalcError(f"{option}: expected numbers, got {_kind(text)}")
    if len(text) > limits.MAX_TEXT_CHARS:
        raise StepcalcError(f"{option}: value is longer than {limits.MAX_TEXT_CHARS:,} characters")
    if len(text) > limits.MAX_TENSOR_ELEMENTS:  # count the numbers before parsing them
        _check_count(len(re.findall(r"[^\s,;|\[\]]+", text)), option)
    source = text.strip()
    if not source:
        raise StepcalcError(f"{option}: empty value")
    if source.startswith("["):
        nested = _from_json(source, option)
    elif "||" in source:
        nested = [_channels(block, option, f"filter {i}") for i, block in _parts(source, "||")]
    elif "|" in source:
        nested = _channels(source, option, "")
    elif ";" in source:
        nested = _matrix(source, option, "")
    else:
        nested = _row(source, option, "")
        if len(nested) == 1 and not re.search(r"[\s,]", source):
            nested = nested[0]
    _shape(nested, option)
    return nested


def _leaves(items: Any, depth: int = 0) -> int:
    """Numbers in a nested list, counted without converting them (deep lists count as 1)."""
    if not isinstance(items, list | tuple) or depth > limits.MAX_NESTING:
        return 1
    if items and not isinstance(items[0], list | tuple):
        return len(items)
    return sum(_leaves(item, depth + 1) for item in items)


def _check_count(count: int, option: str) -> None:
    if count > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"{option}: {count:,} elements is above the limit of {limits.MAX_TENSOR_ELEMENTS:,}"
        )


def shape_of(nested: Any) -> tuple[int, ...]:
    shape: list[int] = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0] if nested else None
    return tuple(shape)


def parse_tensor(text: Any, option: str, ndim: tuple[int, ...] | None = None):
    """Parse and return a float64 NumPy array, checking the number of dimensions."""
    import numpy as np

    nested = parse_nested(text, option)
    array = np.array(nested, dtype=float)
    if ndim is not None and array.ndim not in ndim:
        wanted = " or ".join(f"{n}-D" for n in ndim)
        raise StepcalcError(
            f"{option}: expected a {wanted} tensor, got shape {format_shape(array.shape)}"
        )
    return array


def format_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape) if shape else "scalar"


def _parts(text: str, separator: str):
    yield from enumerate(text.split(separator), start=1)


def _channels(text: str, option: str, where: str) -> list:
    channels = []
    for index, part in _parts(text, "|"):
        label = f"{where} channel {index}".strip()
        if not part.strip():
            raise StepcalcError(f"{option}: {label} is empty")
        channels.append(_matrix(part, option, label))
    first = shape_of(channels[0])
    for index, channel in enumerate(channels[1:], start=2):
        if shape_of(channel) != first:
            raise StepcalcError(
                f"{option}: {where} channel {index} has shape {format_shape(shape_of(channel))}, "
                f"channel 1 has {format_shape(first)}".replace("  ", " ")
            )
    return channels


def _matrix(text: str, option: str, where: str) -> list:
    rows = []
    for index, part in _parts(text, ";"):
        label = f"{where} row {index}".strip()
        if not part.strip():
            raise StepcalcError(f"{option}: {label} is empty")
        rows.append(_row(part, option, label))
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            prefix = f"{where} " if where else ""
            raise StepcalcError(
                f"{option}: {prefix}row {index} has {len(row)} numbers, row 1 has {len(rows[0])}"
            )
    return rows


def _row(text: str, option: str, where: str) -> list:
    if re.search(r",\s*,|^\s*,|,\s*$", text):
        place = f" in {where}" if where else ""
        raise StepcalcError(f"{option}: empty value{place}")
    tokens = [token for token in re.split(r"[\s,]+", text.strip()) if token]
    if not tokens:
        raise StepcalcError(f"{option}: empty value")
    return [parse_scalar(token, option) for token in tokens]


def _from_json(source: str, option: str) -> Any:
    def reject_constant(name: str) -> None:
        raise StepcalcError(f"{option}: {name} is not a finite number")

    try:
        data = json.loads(source, parse_constant=reject_constant)
    except StepcalcError:
        raise
    except RecursionError:
        raise StepcalcError(f"{option}: nested too deeply") from None
    except ValueError as exc:
        reason = getattr(exc, "msg", "a number has too many digits")
        raise StepcalcError(f"{option}: not a valid JSON list ({reason})") from None
    if not isinstance(data, list):
        raise StepcalcError(f"{option}: expected a JSON list")
    return _from_list(data, option, depth=1)


def _from_list(items: list, option: str, depth: int) -> list:
    if depth > limits.MAX_NESTING:
        raise StepcalcError(f"{option}: nested deeper than {limits.MAX_NESTING} levels")
    if not items:
        raise StepcalcError(f"{option}: empty list")
    out = []
    for item in items:
        if isinstance(item, list | tuple):
            out.append(_from_list(list(item), option, depth + 1))
        elif isinstance(item, str) and "/" in item:
            out.append(parse_scalar(item, option))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(parse_scalar(item, option))
        elif isinstance(item, str):
            out.append(parse_scalar(item, option))
        else:
            raise StepcalcError(f"{option}: expected a number, got {_kind(item)}")
    return out


def _shape(nested: Any, option: str) -> tuple[int, ...]:
    """Check that a nested list is rectangular and not too large; return its shape."""
    if not isinstance(nested, list):
        return ()
    kinds = {isinstance(item, list) for item in nested}
    if len(kinds) > 1:
        raise StepcalcError(f"{option}: mixes numbers and lists at the same level")
    if kinds == {True}:
        shapes = [_shape(item, option) for item in nested]
        for index, shape in enumerate(shapes[1:], start=2):
            if shape != shapes[0]:
                if len(shape) == 1 and len(shapes[0]) == 1:
                    raise StepcalcError(
                        f"{option}: row {index} has {shape[0]} numbers, row 1 has {shapes[0][0]}"
                    )
                raise StepcalcError(
                    f"{option}: item {index} has shape {format_shape(shape)}, "
                    f"item 1 has {format_shape(shapes[0])}"
                )
        shape = (len(nested), *shapes[0])
    else:
        shape = (len(nested),)
    if math.prod(shape) > limits.MAX_TENSOR_ELEMENTS:
        raise StepcalcError(
            f"{option}: {math.prod(shape):,} elements is above the limit of "
            f"{limits.MAX_TENSOR_ELEMENTS:,}"
        )
    return shape


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"text {value!r}"
    return type(value).__name__


def parse_choice(text: Any, option: str, choices: tuple[str, ...]) -> str:
    token = str(text).strip().lower()
    if token not in choices:
        raise StepcalcError(f"{option}: {text!r} is not one of {', '.join(choices)}")
    return token


def parse_bool(value: Any, option: str) -> bool:
    if isinstance(value, bool):
        return value
    token = str(value).strip().lower()
    if token in ("true", "yes", "on", "1"):
        return True
    if token in ("false", "no", "off", "0"):
        return False
    raise StepcalcError(f"{option}: {value!r} is not true or false")


# ---------------------------------------------------------------------------- files


def read_text(path: str, option: str) -> tuple[str, str]:
    """Read a problem or answer file (``-`` is stdin); return (label, text)."""
    label = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read(limits.MAX_FILE_BYTES + 1)
        else:
            file = Path(path)
            if file.is_dir():
                raise StepcalcError(f"{option}: {path} is a directory")
            if file.stat().st_size > limits.MAX_FILE_BYTES:
                raise StepcalcError(
                    f"{option}: {path} is larger than {limits.MAX_FILE_BYTES:,} bytes"
                )
            text = file.read_text(encoding="utf-8")
    except StepcalcError:
        raise
    except FileNotFoundError:
        raise StepcalcError(f"{option}: {path}: no such file") from None
    except PermissionError:
        raise StepcalcError(f"{option}: {path}: permission denied") from None
    except UnicodeDecodeError:
        raise StepcalcError(f"{option}: {label}: not UTF-8 text") from None
    except OSError as exc:
        raise StepcalcError(f"{option}: {path}: cannot be read ({exc.strerror})") from None
    if len(text) > limits.MAX_FILE_BYTES:
        raise StepcalcError(f"{option}: {label} is larger than {limits.MAX_FILE_BYTES:,} bytes")
    return label, text


def load_mapping(path: str, option: str) -> dict[str, Any]:
    """Load a YAML or JSON mapping safely: no tags, no duplicate keys, few aliases."""
    label, text = read_text(path, option)
    data = _load_json_object(text, f"{option}: {label}")
    if data is None:
        data = load_yaml_text(text, f"{option}: {label}")
    if data is None:
        raise StepcalcError(f"{option}: {label} is empty")
    if not isinstance(data, dict):
        raise StepcalcError(f"{option}: {label} must be a mapping of keys to values")
    for key in data:
        if not isinstance(key, str):
            raise StepcalcError(f"{option}: {label}: key {key!r} is not text")
    return data


def _load_json_object(text: str, where: str) -> dict[str, Any] | None:
    """The fast path for JSON files (YAML's pure-Python reader is slow on big tensors).

    None when the text is not a JSON object, so that the YAML reader gets it."""
    if not text.lstrip().startswith("{"):
        return None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise StepcalcError(f"{where}: duplicate key {key!r}")
            mapping[key] = value
        return mapping

    def reject(name: str) -> None:
        raise StepcalcError(f"{where}: {name} is not a finite number")

    def number(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise StepcalcError(f"{where}: {token} is too large")
        return Written(value, token)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=reject, parse_float=number)
    except StepcalcError:
        raise
    except RecursionError:
        raise StepcalcError(f"{where}: nested too deeply") from None
    except ValueError:
        return None


def load_yaml_text(text: str, where: str) -> Any:
    import yaml

    if _flow_depth(text) > limits.MAX_FILE_NESTING:
        raise StepcalcError(f"{where}: nested deeper than {limits.MAX_FILE_NESTING} levels")

    try:
        loader = _strict_loader()(text)
    except yaml.YAMLError as exc:  # the reader rejects control characters at once
        problem = getattr(exc, "problem", None) or str(exc).split(":")[0]
        raise StepcalcError(f"{where}: {problem}") from None
    try:
        return loader.get_single_data()
    except StepcalcError as exc:
        raise StepcalcError(f"{where}: {exc.message}") from None
    except yaml.constructor.ConstructorError as exc:
        problem = exc.problem or "cannot be read"
        if "could not determine a constructor" in problem:
            tag = problem.split("tag", 1)[-1].strip(" '!")
            problem = f"tag !{tag} is not allowed"
        raise StepcalcError(f"{where}: {problem}{_line(exc)}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise StepcalcError(f"{where}: {problem}{_line(exc)}") from None
    except RecursionError:
        raise StepcalcError(f"{where}: nested too deeply") from None
    except ValueError:  # an integer longer than Python converts (int_max_str_digits)
        raise StepcalcError(f"{where}: a number has too many digits") from None
    finally:
        loader.dispose()


def _flow_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` (found before YAML recurses into it)."""
    if not re.search(r"[\[{]\s*[\[{]", text):
        return 1
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _line(exc: Any) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" (line {mark.line + 1})" if mark is not None else ""


_LOADER = None


def _strict_loader():
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class StrictLoader(yaml.SafeLoader):
        aliases_seen = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases_seen += 1
                if self.aliases_seen > limits.MAX_YAML_ALIASES:
                    raise StepcalcError(f"more than {limits.MAX_YAML_ALIASES} YAML aliases")
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    raise StepcalcError(
                        f"a key is not text (line {key_node.start_mark.line + 1})"
                    ) from None
                if duplicate:
                    raise StepcalcError(
                        f"duplicate key {key!r} (line {key_node.start_mark.line + 1})"
                    )
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_float(self, node):
            text = self.construct_scalar(node)
            value = super().construct_yaml_float(node)
            if not math.isfinite(value):
                raise StepcalcError(
                    f"{text!r} is not a finite number (line {node.start_mark.line + 1})"
                )
            return Written(value, text)

    StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)
    _LOADER = StrictLoader
    return StrictLoader


def parse_expectation(item: str) -> tuple[str, Any]:
    quantity, equals, value = item.partition("=")
    if not equals or not quantity.strip():
        raise StepcalcError(f"--expect: {item!r} is not QUANTITY=VALUE")
    if not value.strip():
        raise StepcalcError(f"--expect: {quantity.strip()} has no value")
    return quantity.strip(), value.strip()
