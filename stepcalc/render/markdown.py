"""Markdown for notes: a heading, the steps as a table, the result, the check."""

from __future__ import annotations

from typing import Any

from stepcalc.i18n import t
from stepcalc.render import View
from stepcalc.render.common import (
    fmt_inline,
    pretty_formula,
    shown_decimals,
    substitute,
    to_ascii,
)
from stepcalc.trace import Trace, plain


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render(trace: Trace, view: View) -> str:
    def tr(key: str, **params: Any) -> str:
        return t(f"core.{key}", view.lang, **params)

    def value(v: Any) -> str:
        return fmt_inline(v, view.decimals)

    lines = [f"## {trace.title or trace.command}", ""]
    if trace.subtitle:
        lines += [f"*{trace.subtitle}*", ""]
    if trace.shown_inputs:
        lines += [f"**{tr('inputs')}**", ""]
        lines += [f"- {name} = `{value(v)}`" for name, v in trace.shown_inputs.items()]
        lines.append("")
    if trace.steps:
        header = [tr("step"), tr("rule"), tr("with_numbers"), tr("value")]
        lines += ["| " + " | ".join(header) + " |", "|---|---|---|---:|"]
        for step in trace.steps:
            rule = step.rule or pretty_formula(step.formula, view.ascii)
            numbers = substitute(step.formula, step.inputs, view.decimals, view.ascii)
            title = step.title + (f" ({step.note})" if step.note else "")
            row = [title, f"`{rule}`", f"`{numbers}`" if numbers else "", value(step.value)]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines.append("")
    for table in trace.tables:
        lines += [f"**{table.title}**", ""]
        lines.append("| " + " | ".join(_cell(str(c)) for c in table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        for row in table.rows:
            cells = [c if isinstance(c, str) else value(c) for c in row]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        if table.note:
            lines += ["", table.note]
        lines.append("")
    if trace.notes:
        lines += [f"**{tr('notes')}**", ""] + [f"- {note}" for note in trace.notes] + [""]
    result = plain(trace.result)
    lines += [f"**{tr('result')}**", ""]
    for key in trace.summary or list(result):
        lines.append(f"- `{key}` = `{value(result.get(key))}`")
    lines.append("")
    if trace.check is not None:
        items = trace.check["items"]
        counts = {
            v: sum(1 for i in items if i["verdict"] == v) for v in ("correct", "rounding", "wrong")
        }
        header = "check_header_one" if len(items) == 1 else "check_header"
        lines += [f"**{tr(header, n=len(items), **counts)}**", ""]
        for item in items:
            detail = tr(item["verdict"])
            if item["verdict"] == "wrong" and "expected_cell" in item:
                expected = fmt_inline(item["expected_cell"], shown_decimals(item, view))
                detail += ": " + tr("should_be", expected=expected)
            lines.append(f"- `{item['quantity']}` = `{value(item['given'])}`: {detail}")
        lines.append("")
    text = "\n".join(lines)
    return to_ascii(text) if view.ascii else text
