"""Extra tables of a trace (node tables, comparisons, truth tables) in the terminal: the one
module that imports Rich."""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table as RichTable
from rich.text import Text

from stepcalc.render.common import fmt_inline, to_ascii
from stepcalc.render.terminal import matrix_box
from stepcalc.trace import plain


def render_table(extra, view, width: int) -> list[str]:
    """The table as lines; too wide for the terminal, one block per row (no number folded)."""
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )

    def label(text: str) -> str:
        return to_ascii(text) if view.ascii else text

    def cell(value: Any) -> Text:
        if isinstance(value, str):
            return Text(label(value))
        value = plain(value)
        if isinstance(value, list) and value and isinstance(value[0], list):
            text = "\n".join(matrix_box(value, view.decimals, view.ascii).lines)
        else:
            text = fmt_inline(value, view.decimals)
            text = text if view.ascii else text.replace("-", "−")
        return Text(label(text))

    title, columns = label(extra.title), [label(str(c)) for c in extra.columns]
    rows = [[cell(v) for v in row] for row in extra.rows]
    natural = [
        max(
            [cell_len(x) for x in column.split("\n")]
            + [cell_len(x) for row in rows for x in row[i].plain.split("\n")]
        )
        for i, column in enumerate(columns)
    ]
    parts: list[Any] = []
    if sum(natural) + 3 * len(natural) > width:
        if title:
            parts.append(Text(title))
        for row in rows:
            grid = RichTable(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            head = columns[0].strip()
            parts.append(Text(f"{head} ").append(row[0]) if head else row[0])
            for column, value in zip(columns[1:], row[1:], strict=True):
                grid.add_row(Text("  " + column), value)
            parts.append(grid)
    else:
        table = RichTable(
            box=box.ASCII if view.ascii else box.SIMPLE_HEAD,
            show_header=True,
            pad_edge=False,
            title=title or None,
            title_justify="left",
        )
        for column in columns:
            table.add_column(Text(column), overflow="fold")
        for row in rows:
            table.add_row(*row)
        parts.append(table)
    if extra.note:
        parts.append(Text(label(extra.note)))
    console.print(Group(*parts))
    return [line.rstrip() for line in console.file.getvalue().splitlines()]
