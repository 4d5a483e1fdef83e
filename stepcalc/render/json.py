"""The JSON envelope of the contract: full float64, never NaN, no Rich involved."""

from __future__ import annotations

import json
from typing import Any

from stepcalc.trace import Trace, plain, step_dict

SCHEMA_VERSION = 1


def envelope(trace: Trace) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "command": trace.command,
        "inputs": plain(trace.inputs),
        "steps": [step_dict(step) for step in trace.steps],
        "result": plain(trace.result),
    }
    if trace.notes:
        document["notes"] = list(trace.notes)
    if trace.check is not None:
        document["check"] = plain(trace.check)
    return document


def render(trace: Trace, view: object = None) -> str:
    return json.dumps(envelope(trace), ensure_ascii=False, allow_nan=False) + "\n"
