"""Rich tables in the slides' reading order: the rule, the rule with numbers, the value.

The only module that imports Rich.
"""

from __future__ import annotations

import io
import os
import shutil
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table as RichTable
from rich.text import Text

from stepcalc.i18n import t
from stepcalc.render import View
from stepcalc.render.common import (
    fmt_inline,
    fmt_number,
    is_tensor,
    matrix_lines,
    pretty_formula,
    shown_decimals,
    substitute,
    to_ascii,
)
from stepcalc.trace import Trace, plain


def render(trace: Trace, view: View) -> str:
    width = _width()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    painter = _Painter(view, width)
    if view.ascii:
        trace = _ascii_copy(trace)
    for index, block in enumerate(painter.blocks(trace)):
        if index:
            console.print()
        console.print(block)
    text = buffer.getvalue()
    if view.ascii:
        text = to_ascii(text)
    lines: list[str] = []
    for line in (line.rstrip() for line in text.splitlines()):
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n"


def _ascii_copy(trace: Trace) -> Trace:
    """The trace with every text swapped to ASCII before layout, so widths stay right."""
    from dataclasses import replace

    def text(value: Any) -> Any:
        return to_ascii(value) if isinstance(value, str) else value

    steps = [
        replace(step, title=text(step.title), note=text(step.note), rule=text(step.rule))
        for step in trace.steps
    ]
    tables = [
        replace(
            table,
            title=text(table.title),
            note=text(table.note),
            columns=[text(c) for c in table.columns],
            rows=[[text(c) for c in row] for row in table.rows],
        )
        for table in trace.tables
    ]
    return replace(
        trace,
        title=text(trace.title),
        subtitle=text(trace.subtitle),
        notes=[text(n) for n in trace.notes],
        shown_inputs={text(k): v for k, v in trace.shown_inputs.items()},
        steps=steps,
        tables=tables,
    )


def _width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 20)
    size = shutil.get_terminal_size((80, 24)).columns
    return max(min(size, 120), 20)


class _Painter:
    def __init__(self, view: View, width: int = 80):
        self.view = view
        self.width = width
        self.box = box.ASCII if view.ascii else box.SIMPLE_HEAD

    def tr(self, key: str, **params: Any) -> str:
        text = t(f"core.{key}", self.view.lang, **params)
        return to_ascii(text) if self.view.ascii else text

    def num(self, value: Any) -> str:
        return fmt_number(value, self.view.decimals)

    def cell(self, value: Any) -> Text:
        if is_tensor(value):
            text = "\n".join(matrix_lines(value, self.view.decimals))
        else:
            text = fmt_inline(value, self.view.decimals)
        return Text(to_ascii(text) if self.view.ascii else text)

    def blocks(self, trace: Trace):
        heading = Text(trace.title or trace.command, style="bold")
        if trace.subtitle:
            heading.append("   " + trace.subtitle, style="dim")
        yield heading
        if trace.shown_inputs:
            yield self.inputs_grid(trace.shown_inputs)
        if trace.steps:
            yield self.steps_table(trace)
        for table in trace.tables:
            yield self.extra_table(table)
        if trace.notes:
            yield Group(*(Text(f"• {note}") for note in trace.notes))
        yield self.result_block(trace)
        if trace.check is not None:
            yield self.check_block(trace.check)

    def inputs_grid(self, shown: dict[str, Any]) -> RichTable:
        grid = RichTable(
            box=None, show_header=True, header_style="bold", pad_edge=False, padding=(0, 3, 0, 0)
        )
        # Rich marks a cut cell with "…", which ASCII mode would widen to "..." after layout
        overflow = "crop" if self.view.ascii else "ellipsis"
        cells = [self.cell(value) for value in shown.values()]
        natural = sum(
            max(cell_len(label), *(cell_len(x) for x in cell.plain.split("\n"))) + 3
            for label, cell in zip(shown, cells, strict=True)
        )
        if natural > self.width:
            # Too wide side by side: one input a line, wrapped at spaces, never cut.
            grid = RichTable(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
            grid.add_column(no_wrap=True, style="bold")
            grid.add_column(overflow="fold")
            for label, cell in zip(shown, cells, strict=True):
                grid.add_row(Text(label), cell)
            return grid
        for label in shown:
            grid.add_column(Text(label), no_wrap=True, overflow=overflow)
        grid.add_row(*cells)
        return grid

    def steps_table(self, trace: Trace) -> RichTable:
        rows = []
        for step in trace.steps:
            rule = step.rule or pretty_formula(step.formula, self.view.ascii)
            with_numbers = substitute(
                step.formula, step.inputs, self.view.decimals, self.view.ascii
            )
            title = Text(step.title)
            if step.note:
                title.append("\n" + step.note, style="dim")
            rows.append((step.phase, title, Text(rule), Text(with_numbers), self.cell(step.value)))
        widths = self.column_widths(rows)
        if self.width < 60 and self.would_split_words(rows, widths):
            return self.steps_stacked(rows)
        table = RichTable(
            box=self.box, show_header=True, header_style="bold", expand=False, pad_edge=False
        )
        headers = ("step", "rule", "with_numbers", "value")
        for header, width in zip(headers, widths, strict=True):
            table.add_column(
                Text(self.tr(header)),
                overflow="fold",
                width=width,
                justify="right" if header == "value" else "left",
            )
        phase = None
        several = len({row[0] for row in rows}) > 1
        for row in rows:
            if row[0] != phase and several:
                table.add_row(Text(self.tr(row[0]).upper(), style="bold"), "", "", "")
            phase = row[0]
            table.add_row(*row[1:])
        return table

    @staticmethod
    def would_split_words(rows, widths: list[int]) -> bool:
        """True when a column is narrower than a word (a number) it holds."""
        for row in rows:
            for cell, width in zip(row[1:], widths, strict=True):
                if any(cell_len(word) > width for word in str(cell).split()):
                    return True
        return False

    def steps_stacked(self, rows) -> Group:
        """Narrow terminals: one block per step, its lines wrapped at spaces, never inside
        a number (four columns would have to cut numbers apart)."""
        labels = [self.tr(h) for h in ("rule", "with_numbers", "value")]
        parts: list[Any] = []
        phase = None
        several = len({row[0] for row in rows}) > 1
        for row in rows:
            if row[0] != phase and several:
                parts.append(Text(self.tr(row[0]).upper(), style="bold"))
            phase = row[0]
            grid = RichTable(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            for label, cell in zip(labels, row[2:], strict=True):
                grid.add_row(Text("  " + label, style="dim"), cell)
            parts += [row[1], grid]
        return Group(*parts)

    def column_widths(self, rows) -> list[int]:
        """Natural widths when they fit; else the value column keeps whole matrix rows and
        the three text columns share the rest in proportion to what they hold."""
        natural = [
            max(
                [cell_len(self.tr(h))]
                + [max((cell_len(x) for x in str(r[i + 1]).split("\n")), default=0) for r in rows]
            )
            for i, h in enumerate(("step", "rule", "with_numbers", "value"))
        ]
        available = self.width - 11  # cell padding and the five vertical rules
        if sum(natural) <= available:
            return natural
        value = min(natural[3], max(available // 2, 12))
        rest = available - value
        text = natural[:3]
        total = sum(text)
        widths = [max(8, rest * n // total) for n in text]
        while sum(widths) > rest and max(widths) > 8:
            widths[widths.index(max(widths))] -= 1
        return [*widths, value]

    def extra_table(self, extra) -> Group:
        table = RichTable(
            box=self.box,
            show_header=True,
            header_style="bold",
            pad_edge=False,
            title=extra.title,
            title_justify="left",
        )
        rows = [
            [self.cell(v) if not isinstance(v, str) else Text(v) for v in row] for row in extra.rows
        ]
        natural = [
            max(
                [cell_len(x) for x in str(column).split("\n")]
                + [cell_len(x) for row in rows for x in row[i].plain.split("\n")]
            )
            for i, column in enumerate(extra.columns)
        ]
        parts: list[Any] = []
        if sum(natural) + 3 * len(natural) > self.width:
            # Too many columns for the terminal: one block per row, so no number is folded.
            if extra.title:
                parts.append(Text(extra.title, style="italic"))
            for row in rows:
                grid = RichTable(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
                grid.add_column(no_wrap=True)
                grid.add_column(overflow="fold")
                head = str(extra.columns[0]).strip()
                first = Text(f"{head} ", style="bold") if head else Text("")
                parts.append(first.append(row[0]) if head else row[0])
                for column, cell in zip(extra.columns[1:], row[1:], strict=True):
                    grid.add_row(Text("  " + str(column), style="dim"), cell)
                parts.append(grid)
            if extra.note:
                parts.append(Text(extra.note, style="dim"))
            return Group(*parts)
        for column in extra.columns:
            table.add_column(Text(str(column)), overflow="fold")
        for row in rows:
            table.add_row(*row)
        parts.append(table)
        if extra.note:
            parts.append(Text(extra.note, style="dim"))
        return Group(*parts)

    def result_block(self, trace: Trace) -> RichTable:
        result = plain(trace.result)
        keys = trace.summary or list(result)
        table = RichTable(
            box=None,
            show_header=False,
            pad_edge=False,
            padding=(0, 2, 0, 0),
            title=self.tr("result"),
            title_justify="left",
            title_style="bold",
        )
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for key in keys:
            for name, value in _flatten(key, result.get(key)):
                table.add_row(Text(name), self.cell(value))
        return table

    def check_block(self, check: dict[str, Any]) -> Group:
        items = check["items"]
        counts = {
            verdict: sum(1 for i in items if i["verdict"] == verdict)
            for verdict in ("correct", "rounding", "wrong")
        }
        header = "check_header_one" if len(items) == 1 else "check_header"
        lines = [Text(self.tr(header, n=len(items), **counts), style="bold")]
        marks = {"correct": "O", "rounding": "~", "wrong": "X"}
        for item in items:
            label = item["quantity"]
            verdict = self.tr(item["verdict"])
            given = fmt_inline(item["given"], 12)
            line = Text(f"{marks[item['verdict']]}  {label}   {given}   ")
            if item["verdict"] == "wrong":
                if "note" in item:
                    detail = item["note"]
                else:
                    where = ""
                    if item.get("index"):
                        where = " " + self.tr("at_cell", index=_index(item["index"]))
                    expected = fmt_inline(item["expected_cell"], shown_decimals(item, self.view))
                    detail = self.tr("should_be", expected=expected) + where
                    if item.get("step"):
                        detail += " (" + self.tr("see_step", title=item["step"]) + ")"
                line.append(f"{verdict}: {detail}", style="bold")
            elif item["verdict"] == "rounding":
                line.append(f"{verdict}: {self.hand_text(item)}")
            else:
                line.append(verdict)
            lines.append(line)
        return Group(*lines)

    def hand_text(self, item: dict[str, Any]) -> str:
        hand = item["hand"]
        exact = fmt_inline(item["expected"], 10)
        if isinstance(hand["round_steps"], list):
            k0, k1 = hand["round_steps"]
            low, high = hand["value"]
            return self.tr(
                "hand_path_mixed",
                exact=exact,
                k0=k0,
                k1=k1,
                low=fmt_inline(low, 10),
                high=fmt_inline(high, 10),
            )
        return self.tr(
            "hand_path", exact=exact, k=hand["round_steps"], hand=fmt_inline(hand["value"], 10)
        )


def _index(index: list[int]) -> str:
    return "".join(f"[{i}]" for i in index)


def _flatten(name: str, value: Any):
    """Nested result groups (``updated.w``) as separate rows; lists of records stay inline."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{name}.{key}", inner)
    else:
        yield name, value
