"""The JSON envelope of the contract: full float64, never NaN, no Rich involved."""

from __future__ import annotations

import json
from typing import Any

from stepcalc.trace import Step, Trace, plain

SCHEMA_VERSION = 1


def step_dict(step: Step) -> dict[str, Any]:
    """A step with its operands and the formula written out: ``rule`` as people read it,
    ``substituted`` with the numbers put in at full precision (SymPy syntax)."""
    from stepcalc.render.math import PlainStyle, Style, text, write

    out: dict[str, Any] = {"phase": step.phase, "title": step.title}
    if step.symbol:
        out["symbol"] = step.symbol
    out["formula"] = step.formula
    out["rule"] = text(write(step.formula, step.operands, Style(), False))
    out["operands"] = plain(step.operands)
    out["inputs"] = out["operands"]
    out["substituted"] = text(write(step.formula, step.operands, PlainStyle(), True))
    out["value"] = plain(step.value)
    if step.key:
        out["key"] = step.key
    if step.note:
        out["note"] = step.note
    return out


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
