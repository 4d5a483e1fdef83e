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
from stepcalc.errors import InputError, Msg, either

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


def _shown(text: Any, limit: int = 40) -> str:
    """A value as quoted in an error message, shortened when long."""
    text = text if isinstance(text, str) else str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_scalar(text: Any, option: str) -> float:
    """``0.5``, ``-3``, ``1e-3`` or ``1/3``; finite only."""
    if isinstance(text, bool):
        raise InputError(option, "expected_number", kind=_kind(text))
    if isinstance(text, int | float):
        try:
            value = float(text)
        except OverflowError:
            raise InputError(option, "too_large", value=str(text)[:20] + "…") from None
        if not math.isfinite(value):
            raise InputError(option, "not_finite", value=repr(text))
        return text if isinstance(text, Written) else Written(value, repr(text))
    if not isinstance(text, str):
        raise InputError(option, "expected_number", kind=_kind(text))
    token = text.strip()
    if not token:
        raise InputError(option, "empty_value")
    numerator, slash, denominator = token.partition("/")
    if slash:
        top = _number_token(numerator.strip(), option, token)
        bottom = _number_token(denominator.strip(), option, token)
        if bottom == 0:
            raise InputError(option, "divides_zero", value=_shown(token))
        value = top / bottom
    else:
        value = _number_token(token, option, token)
    if not math.isfinite(value):
        raise InputError(option, "too_large", value=_shown(token))
    return Written(value, token)


def _number_token(token: str, option: str, whole: str) -> float:
    if not _NUMBER.fullmatch(token):
        lowered = token.lower().lstrip("+-")
        if lowered in ("nan", "inf", "infinity"):
            raise InputError(option, "not_finite", value=_shown(whole))
        raise InputError(option, "not_number", value=_shown(whole))
    return float(token)


def parse_int(
    text: Any, option: str, minimum: int | None = None, limit: int = limits.MAX_DIMENSION
) -> int:
    """A whole number; a size (one with a minimum) at most ``limit``."""
    if isinstance(text, bool):
        raise InputError(option, "expected_whole", kind=_kind(text))
    if isinstance(text, float) and not isinstance(text, Written) and text.is_integer():
        text = int(text)
    if isinstance(text, int):
        value = text
    else:
        token = str(text).strip()
        if not re.fullmatch(r"[+-]?\d+", token):
            raise InputError(option, "not_whole", value=_shown(token))
        if len(token.lstrip("+-")) > 12:
            raise InputError(option, "too_large", value=token)
        value = int(token)
    if minimum is not None and value < minimum:
        raise InputError(option, "at_least", minimum=minimum, value=value)
    if abs(value) > limit and minimum is not None:
        raise InputError(option, "above_limit", value=value, limit=f"{limit:,}")
    return value


def parse_int_list(
    text: Any,
    option: str,
    minimum: int | None = None,
    length: tuple[int, ...] | None = None,
    limit: int = limits.MAX_DIMENSION,
) -> list[int]:
    """``3``, ``3,4``, ``"3 4"`` or a YAML list; each a whole number."""
    if isinstance(text, list | tuple):
        items = list(text)
    elif isinstance(text, int) and not isinstance(text, bool):
        items = [text]
    else:
        token = str(text).strip()
        if not token or re.search(r",\s*,|^,|,$", token):  # "50,,3" is not 50,3
            raise InputError(option, "empty_value")
        items = [part for part in re.split(r"[\s,]+", token) if part]
    values = [parse_int(item, option, minimum, limit) for item in items]
    if length is not None and len(values) not in length:
        raise InputError(option, "expected_count", wanted=either(length), count=len(values))
    return values


def parse_vector(text: Any, option: str) -> list[float]:
    nested = parse_nested(text, option)
    if not isinstance(nested, list):
        return [nested]
    if any(isinstance(item, list) for item in nested):
        raise InputError(option, "expected_vector")
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
        raise InputError(option, "expected_numbers", kind=_kind(text))
    if len(text) > limits.MAX_TEXT_CHARS:
        raise InputError(option, "too_long", limit=f"{limits.MAX_TEXT_CHARS:,}")
    if len(text) > limits.MAX_TENSOR_ELEMENTS:  # count the numbers before parsing them
        _check_count(len(re.findall(r"[^\s,;|\[\]]+", text)), option)
    source = text.strip()
    if not source:
        raise InputError(option, "empty_value")
    if source.startswith("["):
        nested = _from_json(source, option)
    elif "||" in source:
        nested = [_channels(block, option, (("filter", i),)) for i, block in _parts(source, "||")]
    elif "|" in source:
        nested = _channels(source, option, ())
    elif ";" in source:
        nested = _matrix(source, option, ())
    else:
        nested = _row(source, option, ())
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
        raise InputError(
            option, "too_many", count=f"{count:,}", limit=f"{limits.MAX_TENSOR_ELEMENTS:,}"
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
        wanted = either(tuple(f"{n}-D" for n in ndim))
        raise InputError(option, "expected_ndim", wanted=wanted, shape=format_shape(array.shape))
    return array


def format_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape) if shape else "scalar"


def _parts(text: str, separator: str):
    yield from enumerate(text.split(separator), start=1)


def _place(where: tuple[tuple[str, int], ...]) -> Msg:
    """Where in a tensor, each level translated: filter 1 channel 2 row 3."""
    return Msg("errors.join", parts=[Msg(f"errors.at_{kind}", n=n) for kind, n in where])


def _channels(text: str, option: str, where: tuple) -> list:
    channels = []
    for index, part in _parts(text, "|"):
        if not part.strip():
            raise InputError(option, "empty_in", place=_place((*where, ("channel", index))))
        channels.append(_matrix(part, option, (*where, ("channel", index))))
    first = shape_of(channels[0])
    for index, channel in enumerate(channels[1:], start=2):
        if shape_of(channel) != first:
            raise InputError(
                option,
                "channel_shape",
                place=_place(where),
                a=index,
                shape=format_shape(shape_of(channel)),
                first=format_shape(first),
            )
    return channels


def _matrix(text: str, option: str, where: tuple) -> list:
    rows = []
    for index, part in _parts(text, ";"):
        if not part.strip():
            raise InputError(option, "empty_in", place=_place((*where, ("row", index))))
        rows.append(_row(part, option, (*where, ("row", index))))
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise InputError(
                option, "ragged", place=_place(where), a=index, n=len(row), m=len(rows[0])
            )
    return rows


def _row(text: str, option: str, where: tuple) -> list:
    if re.search(r",\s*,|^\s*,|,\s*$", text):
        if where:
            raise InputError(option, "empty_value_in", place=_place(where))
        raise InputError(option, "empty_value")
    tokens = [token for token in re.split(r"[\s,]+", text.strip()) if token]
    if not tokens:
        raise InputError(option, "empty_value")
    return [parse_scalar(token, option) for token in tokens]


def _from_json(source: str, option: str) -> Any:
    def reject_constant(name: str) -> None:
        raise InputError(option, "not_finite", value=name)

    try:
        data = json.loads(source, parse_constant=reject_constant)
    except InputError:
        raise
    except RecursionError:
        raise InputError(option, "too_deep") from None
    except ValueError as exc:
        reason = getattr(exc, "msg", "a number has too many digits")
        raise InputError(option, "not_json_list", reason=reason) from None
    if not isinstance(data, list):
        raise InputError(option, "expected_json_list")
    return _from_list(data, option, depth=1)


def _from_list(items: list, option: str, depth: int) -> list:
    if depth > limits.MAX_NESTING:
        raise InputError(option, "deeper_than", n=limits.MAX_NESTING)
    if not items:
        raise InputError(option, "empty_list")
    out = []
    for item in items:
        if isinstance(item, list | tuple):
            out.append(_from_list(list(item), option, depth + 1))
        elif isinstance(item, str) or (
            isinstance(item, int | float) and not isinstance(item, bool)
        ):
            out.append(parse_scalar(item, option))
        else:
            raise InputError(option, "expected_number", kind=_kind(item))
    return out


def _shape(nested: Any, option: str) -> tuple[int, ...]:
    """Check that a nested list is rectangular and not too large; return its shape."""
    if not isinstance(nested, list):
        return ()
    kinds = {isinstance(item, list) for item in nested}
    if len(kinds) > 1:
        raise InputError(option, "mixed_levels")
    if kinds == {True}:
        shapes = [_shape(item, option) for item in nested]
        for index, shape in enumerate(shapes[1:], start=2):
            if shape != shapes[0]:
                if len(shape) == 1 and len(shapes[0]) == 1:
                    raise InputError(
                        option, "ragged", place=_place(()), a=index, n=shape[0], m=shapes[0][0]
                    )
                raise InputError(
                    option,
                    "item_shape",
                    a=index,
                    shape=format_shape(shape),
                    first=format_shape(shapes[0]),
                )
        shape = (len(nested), *shapes[0])
    else:
        shape = (len(nested),)
    if math.prod(shape) > limits.MAX_TENSOR_ELEMENTS:
        raise InputError(
            option,
            "too_many",
            count=f"{math.prod(shape):,}",
            limit=f"{limits.MAX_TENSOR_ELEMENTS:,}",
        )
    return shape


def _kind(value: Any) -> Msg:
    if isinstance(value, bool):
        return Msg("errors.kind_value", value=str(value).lower())
    if value is None:
        return Msg("errors.kind_nothing")
    if isinstance(value, dict):
        return Msg("errors.kind_mapping")
    if isinstance(value, list | tuple):
        return Msg("errors.kind_list")
    if isinstance(value, str):
        return Msg("errors.kind_text", value=_shown(value))
    return Msg("errors.kind_value", value=type(value).__name__)


def parse_choice(text: Any, option: str, choices: tuple[str, ...]) -> str:
    token = str(text).strip().lower()
    if token not in choices:
        raise InputError(option, "not_one_of", value=_shown(text), choices=", ".join(choices))
    return token


def parse_bool(value: Any, option: str) -> bool:
    if isinstance(value, bool):
        return value
    token = str(value).strip().lower()
    if token in ("true", "yes", "on", "1"):
        return True
    if token in ("false", "no", "off", "0"):
        return False
    raise InputError(option, "not_bool", value=_shown(value))


# ---------------------------------------------------------------------------- files


def read_text(path: str, option: str) -> tuple[str, str]:
    """Read a problem or answer file (``-`` is stdin); return (label, text)."""
    label = "stdin" if path == "-" else path
    limit = f"{limits.MAX_FILE_BYTES:,}"
    try:
        if path == "-":
            text = sys.stdin.read(limits.MAX_FILE_BYTES + 1)
        else:
            file = Path(path)
            if file.is_dir():
                raise InputError(option, "is_directory", path=path)
            if file.stat().st_size > limits.MAX_FILE_BYTES:
                raise InputError(option, "file_too_large", path=path, limit=limit)
            text = file.read_text(encoding="utf-8")
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(option, "no_such_file", path=path) from None
    except PermissionError:
        raise InputError(option, "permission_denied", path=path) from None
    except UnicodeDecodeError:
        raise InputError(option, "not_utf8", path=label) from None
    except OSError as exc:
        raise InputError(option, "unreadable", path=path, reason=exc.strerror) from None
    if len(text) > limits.MAX_FILE_BYTES:
        raise InputError(option, "file_too_large", path=label, limit=limit)
    return label, text


def load_mapping(path: str, option: str) -> dict[str, Any]:
    """Load a YAML or JSON mapping safely: no tags, no duplicate keys, few aliases."""
    label, text = read_text(path, option)
    data = _load_json_object(text, option, label)
    if data is None:
        data = load_yaml_text(text, option, label)
    if data is None:
        raise InputError(option, "file_empty", path=label)
    if not isinstance(data, dict):
        raise InputError(option, "not_mapping", path=label)
    for key in data:
        if not isinstance(key, str):
            raise InputError(option, "key_not_text", path=label, key=repr(key))
    return data


def _in_file(option: str, label: str, code: str, **values: Any) -> InputError:
    return InputError(option, "in_file", path=label, problem=Msg(f"errors.{code}", **values))


def _load_json_object(text: str, option: str, label: str) -> dict[str, Any] | None:
    """The fast path for JSON files (YAML's pure-Python reader is slow on big tensors).

    None when the text is not a JSON object, so that the YAML reader gets it."""
    if not text.lstrip().startswith("{"):
        return None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise _in_file(option, label, "duplicate_key", key=repr(key), line="")
            mapping[key] = value
        return mapping

    def reject(name: str) -> None:
        raise _in_file(option, label, "not_finite", value=name)

    def number(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise _in_file(option, label, "too_large", value=token)
        return Written(value, token)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=reject, parse_float=number)
    except InputError:
        raise
    except RecursionError:
        raise _in_file(option, label, "too_deep") from None
    except ValueError:
        return None


def load_yaml_text(text: str, option: str, label: str) -> Any:
    import yaml

    if _flow_depth(text) > limits.MAX_FILE_NESTING:
        raise _in_file(option, label, "deeper_than", n=limits.MAX_FILE_NESTING)
    try:
        loader = _strict_loader()(text)
    except yaml.YAMLError as exc:  # the reader rejects control characters at once
        problem = getattr(exc, "problem", None) or str(exc).split(":")[0]
        raise _in_file(option, label, "yaml", problem=problem, line="") from None
    try:
        return loader.get_single_data()
    except InputError as exc:
        raise InputError(option, "in_file", path=label, problem=exc.msg) from None
    except yaml.constructor.ConstructorError as exc:
        problem = exc.problem or "cannot be read"
        if "could not determine a constructor" in problem:
            tag = problem.split("tag", 1)[-1].strip(" '!")
            raise _in_file(option, label, "yaml_tag", tag=f"!{tag}", line=_line(exc)) from None
        raise _in_file(option, label, "yaml", problem=problem, line=_line(exc)) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise _in_file(option, label, "yaml", problem=problem, line=_line(exc)) from None
    except RecursionError:
        raise _in_file(option, label, "too_deep") from None
    except ValueError:  # an integer longer than Python converts (int_max_str_digits)
        raise _in_file(option, label, "too_many_digits") from None
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


def _line(exc: Any) -> Any:
    mark = getattr(exc, "problem_mark", None)
    return Msg("errors.at_line", n=mark.line + 1) if mark is not None else ""


_LOADER = None


def _strict_loader():
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    def line(node) -> Msg:
        return Msg("errors.at_line", n=node.start_mark.line + 1)

    class StrictLoader(yaml.SafeLoader):
        aliases_seen = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases_seen += 1
                if self.aliases_seen > limits.MAX_YAML_ALIASES:
                    raise InputError(None, "yaml_aliases", n=limits.MAX_YAML_ALIASES)
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    raise InputError(None, "key_not_text_at", line=line(key_node)) from None
                if duplicate:
                    raise InputError(None, "duplicate_key", key=repr(key), line=line(key_node))
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_float(self, node):
            text = self.construct_scalar(node)
            value = super().construct_yaml_float(node)
            if not math.isfinite(value):
                raise InputError(None, "not_finite_at", value=repr(text), line=line(node))
            return Written(value, text)

    StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)
    _LOADER = StrictLoader
    return StrictLoader


def parse_expectation(item: str) -> tuple[str, Any]:
    quantity, equals, value = item.partition("=")
    if not equals or not quantity.strip():
        raise InputError("expect", "not_quantity_value", value=_shown(item))
    if not value.strip():
        raise InputError("expect", "no_value", quantity=quantity.strip())
    return quantity.strip(), value.strip()
