"""The terminal: each step as the slides write it, ``symbol = rule = numbers = value``.

Tensors are drawn as bracketed matrices side by side, vertically centred on the line of
text; a chain too long for the terminal breaks between its parts first (each ``=`` starting
a line under the first), then between terms at an operator, never inside a word, a number
or a matrix. Extra tables (node tables, comparisons, truth tables) are Rich tables, the one
place Rich is loaded.
"""

from __future__ import annotations

import io
import os
import shutil
import unicodedata
from dataclasses import dataclass
from typing import Any

from stepcalc.i18n import t
from stepcalc.render.common import (
    ELIDE_AFTER,
    KEEP,
    View,
    check_report,
    flat_result,
    fmt_inline,
    fmt_number,
    kept,
    rank,
    tidy_exponents,
    to_ascii,
)
from stepcalc.render.math import LAST_RESORT, AsciiStyle, Brk, Mat, Style, chain, text
from stepcalc.trace import Trace, plain

INDENT = 3
"""Columns a step's equation chain is indented under its title."""


def render(trace: Trace, view: View) -> str:
    if view.ascii:  # before layout, so widths are the ASCII ones
        trace = _ascii_texts(trace)
    painter = _Painter(view, terminal_width())
    blocks = [lines for lines in painter.blocks(trace) if lines]
    text = "\n\n".join("\n".join(line.rstrip() for line in block).strip("\n") for block in blocks)
    if view.ascii:
        text = to_ascii(text)
    return text.rstrip("\n") + "\n"


def _ascii_texts(trace: Trace) -> Trace:
    from dataclasses import replace

    steps = [replace(s, title=to_ascii(s.title), note=to_ascii(s.note)) for s in trace.steps]
    tables = [
        replace(
            t, title=to_ascii(t.title), note=to_ascii(t.note), columns=[*map(to_ascii, t.columns)]
        )
        for t in trace.tables
    ]
    return replace(
        trace,
        title=to_ascii(trace.title),
        subtitle=to_ascii(trace.subtitle),
        notes=[to_ascii(note) for note in trace.notes],
        shown_inputs={to_ascii(k): v for k, v in trace.shown_inputs.items()},
        steps=steps,
        tables=tables,
    )


def terminal_width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), 20)
    size = shutil.get_terminal_size((80, 24)).columns
    return max(min(size, 120), 20)


def cell_len(text: str) -> int:
    """Columns a text takes: wide (Hangul) characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def wrap(text: str, width: int, hanging: int = 0) -> list[str]:
    """Words of a text in lines of at most ``width`` columns, never breaking a word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and cell_len(candidate) > width:
                lines.append(line)
                line = " " * hanging + word
            else:
                line = candidate
        lines.append(line)
    return lines


# ------------------------------------------------------------------ boxes


@dataclass
class Box:
    """A block of text lines; ``base`` is the row that lines up with running text."""

    lines: list[str]
    base: int = 0
    text: bool = False
    """A run of text, which following text joins."""

    @property
    def width(self) -> int:
        return max((cell_len(line) for line in self.lines), default=0)


def text_box(text: str) -> Box:
    return Box([text], 0, True)


@dataclass(frozen=True)
class Cells:
    """How the numbers of a tensor are written: decimals, ASCII, and whether they are given
    (an input or hyper-parameter, written whole when short) or computed."""

    decimals: int = 4
    ascii: bool = False
    given: bool = False

    def __call__(self, value: Any) -> str:
        text = fmt_number(value, self.decimals, self.given)
        return text if self.ascii else text.replace("-", "−")


def matrix_box(value: Any, cells: Cells, max_width: int = 10**6, column: bool = False) -> Box:
    """A vector in parentheses, a matrix in brackets; rows and columns beyond eight are
    elided (hidden cells are never formatted: a 500×500 matrix draws as fast as a 7×7 one).

    Too wide for ``max_width``, a vector shows fewer entries, or on a narrow terminal (and
    as a ``column``) stands upright; a matrix shows fewer columns, or on a narrow terminal
    goes in blocks of columns one under the other (``⋯`` marks where a block continues),
    so no number a wide terminal shows is lost."""
    dims = rank(value)
    if dims == 0:
        return text_box(cells(value))
    if dims == 1:
        shrink = ((KEEP, ELIDE_AFTER), (2, 4), (1, 2)) if max_width >= NARROW else ()
        for keep, limit in () if column else shrink or ((KEEP, ELIDE_AFTER),):
            box = _draw([value], cells, kept(len(value), keep, limit), round_=True)
            if box.width <= max_width:
                return box
        return _draw([[v] for v in value], cells, None, round_=True)
    columns = kept(len(value[0]), KEEP, ELIDE_AFTER)
    box = _draw(value, cells, columns)
    if box.width <= max_width:
        return box
    if max_width < NARROW:
        return _blocks(value, cells, columns, max_width)
    for keep in range(KEEP - 1, 0, -1):
        box = _draw(value, cells, kept(len(value[0]), keep, 2 * keep))
        if box.width <= max_width:
            break
    return box


NARROW = 48
"""Below this room a wide matrix is split into column blocks rather than elided."""


def _blocks(matrix, cells: Cells, columns: list, max_width: int) -> Box:
    groups: list[list] = [[]]
    for column in columns:
        if groups[-1] and _draw(matrix, cells, [*groups[-1], column, "⋯"]).width > max_width:
            groups.append(["⋯"])
        groups[-1].append(column)
    lines: list[str] = []
    for index, group in enumerate(groups):
        more = ["⋯"] if index < len(groups) - 1 else []
        lines += ([""] if lines else []) + _draw(matrix, cells, [*group, *more]).lines
    return Box(lines, (len(_draw(matrix, cells, groups[0]).lines) - 1) // 2)


def _draw(matrix, cells: Cells, columns: list | None, round_: bool = False) -> Box:
    """Rows of cells in brackets (``round_``: parentheses, for a vector); a column index
    None is a gap (elided cells), ``"⋯"`` a block that goes on."""
    gap, rows_gap = ("...", ":") if cells.ascii else ("⋯", "⋮")
    columns = list(range(len(matrix[0]))) if columns is None else columns
    rows = [
        None
        if i is None
        else [gap if j is None or j == "⋯" else cells(matrix[i][j]) for j in columns]
        for i in kept(len(matrix), KEEP, ELIDE_AFTER)
    ]
    widths = [max(cell_len(r[j]) for r in rows if r is not None) for j in range(len(columns))]
    body = [
        "  ".join((rows_gap if j == 0 else "").rjust(w) for j, w in enumerate(widths))
        if row is None
        else "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))
        for row in rows
    ]
    if cells.ascii or len(body) == 1:
        brackets = [("(", ")") if round_ else ("[", "]")] * len(body)
    else:
        top, middle, bottom = (("⎛", "⎞"), ("⎜", "⎟"), ("⎝", "⎠")) if round_ else BRACKETS
        brackets = [top] + [middle] * (len(body) - 2) + [bottom]
    lines = [f"{left}{line}{right}" for (left, right), line in zip(brackets, body, strict=True)]
    return Box(lines, (len(lines) - 1) // 2)


BRACKETS = (("⎡", "⎤"), ("⎢", "⎥"), ("⎣", "⎦"))


def tensor_boxes(value: Any, cells: Cells, room: int, label: str = "", column=False) -> list:
    """A tensor as boxes; 3-D and 4-D ones as 2-D slices labelled ``[0]``, ``[0][1]`` …,
    with breaks between them."""
    if rank(value) <= 2:
        box = matrix_box(value, cells, room - cell_len(label) - 1, column)
        return [text_box(label + " "), box] if label else [box]
    items: list = []
    for index in kept(len(value), KEEP, ELIDE_AFTER):
        if items:
            items += [Brk(-1), text_box("  ")]
        if index is None:
            items.append(text_box("..." if cells.ascii else "⋯"))
        else:
            items += tensor_boxes(value[index], cells, room, f"{label}[{index}]")
    return items


# ------------------------------------------------------------------ line layout


def layout(items: list, width: int, indent: int, hang: int) -> list[list[str]]:
    """Lay boxes out in lines of at most ``width`` columns.

    ``items`` are boxes and breaks. The first line starts at ``indent``; a line that starts
    at a relation break (depth −1) starts at ``hang``, one that starts at an operator two
    columns further. Lines break at the shallowest breaks first, packing greedily.
    """
    segments = _segments(items)
    rows: list[tuple[int, list[Box]]] = []
    for group, start in _split(segments, width, indent, hang):
        rows.append((start, [box for _, boxes in group for box in boxes]))
    return [_compose(boxes, start) for start, boxes in rows]


def _segments(items: list) -> list[tuple[Brk | None, list[Box]]]:
    segments: list[tuple[Brk | None, list[Box]]] = [(None, [])]
    for item in items:
        if isinstance(item, Brk):
            segments.append((item, []))
        else:
            segments[-1][1].append(item)
    return [s for s in segments if s[1]]


def _seg_width(segment, leading: bool) -> int:
    boxes = segment[1]
    total = sum(b.width for b in boxes)
    if leading and boxes and len(boxes[0].lines) == 1:
        text = boxes[0].lines[0]
        total -= cell_len(text) - cell_len(text.lstrip(" "))
    return total


def _start(segment, indent: int, hang: int) -> int:
    brk = segment[0]
    if brk is None:
        return indent
    return hang if brk.depth < 0 else hang + 2


def _split(segments, width: int, indent: int, hang: int) -> list[tuple[list, int]]:
    """Groups of segments, one per line, with the column each line starts at."""
    lines: list[tuple[list, int]] = []

    def start(group, first: bool) -> int:
        return indent if first else _start(group[0], indent, hang)

    def size(group, first: bool) -> int:
        widths = (_seg_width(s, i == 0 and not first) for i, s in enumerate(group))
        return start(group, first) + sum(widths)

    def place(group, first: bool) -> None:
        depths = [segment[0].depth for segment in group[1:]]
        if size(group, first) <= width or not depths:
            lines.append((group if first else _strip(group), start(group, first)))
            return
        depth = min(depths)
        pieces: list[list] = [[group[0]]]
        for segment in group[1:]:
            if segment[0].depth == depth:
                pieces.append([segment])
            else:
                pieces[-1].append(segment)
        packed: list[list] = []
        if depth < 0:  # a chain: fill from the end, so "= numbers = value" stay together
            for piece in reversed(pieces):
                if packed and size(piece + packed[0], first and piece is pieces[0]) <= width:
                    packed[0] = piece + packed[0]
                else:
                    packed.insert(0, piece)
        else:
            for piece in pieces:
                if packed and size(packed[-1] + piece, first and len(packed) == 1) <= width:
                    packed[-1] = packed[-1] + piece
                else:
                    packed.append(piece)
        for index, line in enumerate(packed):
            place(line, first and index == 0)

    if segments:
        place(segments, True)
    return lines


def _strip(group):
    """A line starting at a break loses the spaces before its operator."""
    if not group or group[0][0] is None:
        return group
    brk, boxes = group[0]
    if boxes and len(boxes[0].lines) == 1:
        boxes = [Box([boxes[0].lines[0].lstrip(" ")], 0, boxes[0].text), *boxes[1:]]
    return [(brk, boxes), *group[1:]]


def _compose(boxes: list[Box], start: int) -> list[str]:
    above = max((b.base for b in boxes), default=0)
    below = max((len(b.lines) - b.base - 1 for b in boxes), default=0)
    rows = [" " * start for _ in range(above + below + 1)]
    for box in boxes:
        width = box.width
        top = above - box.base
        for r in range(len(rows)):
            line = box.lines[r - top] if 0 <= r - top < len(box.lines) else ""
            rows[r] += line + " " * (width - cell_len(line))
    return [row.rstrip() for row in rows]


# ------------------------------------------------------------------ the painter


class _Painter:
    def __init__(self, view: View, width: int):
        self.view = view
        self.width = width
        self.style = AsciiStyle(view.decimals) if view.ascii else Style(view.decimals)

    def tr(self, key: str, **params: Any) -> str:
        text = t(f"core.{key}", self.view.lang, **params)
        return to_ascii(text) if self.view.ascii else text

    def items(self, pieces: list, room: int) -> list:
        """Writer pieces as boxes: text runs merged, tensors drawn."""
        items: list = []
        for piece in pieces:
            if isinstance(piece, Brk):
                items.append(piece)
            elif isinstance(piece, Mat):
                cells = Cells(self.view.decimals, self.view.ascii, piece.given)
                items += tensor_boxes(piece.value, cells, room, column=piece.column)
            elif items and isinstance(items[-1], Box) and items[-1].text:
                items[-1] = text_box(items[-1].lines[0] + piece)
            else:
                items.append(text_box(piece))
        return items

    def blocks(self, trace: Trace):
        heading = trace.title or trace.command
        if trace.subtitle:
            heading += "   " + trace.subtitle
        yield wrap(tidy_exponents(heading), self.width)
        if trace.shown_inputs:
            yield self.equations(trace.shown_inputs, " = ", 0)
        if trace.steps:
            yield from self.steps(trace)
        for table in trace.tables:
            yield self.extra_table(table)
        if trace.notes:
            lines: list[str] = []
            for note in trace.notes:
                lines += wrap("• " + tidy_exponents(note), self.width, hanging=2)
            yield lines
        yield [self.tr("result")] + self.equations(flat_result(trace), "  ", 0, align=True)
        if trace.check is not None:
            yield check_lines(trace.check, self.view, self.width)

    def equations(self, named: dict[str, Any], sign: str, indent: int, align: bool = False):
        """``name = tensor`` pairs: the given inputs side by side, or the results one a line."""
        label_width = max((cell_len(k) for k in named), default=0) if align else 0
        cells = Cells(self.view.decimals, self.view.ascii, given=not align)
        rows: list[list[str]] = []
        items: list = []
        for name, value in named.items():
            label = name + " " * (label_width - cell_len(name)) + sign
            room = self.width - indent - cell_len(label)
            if isinstance(value, str) or (isinstance(value, list) and _records(value)):
                drawn = [text_box(fmt_inline(value, self.view.decimals))]
            else:
                drawn = tensor_boxes(value, cells, room)
            entry = [text_box(label), *drawn]
            if align:
                rows += layout(entry, self.width, indent, indent + cell_len(label))
            else:
                items += ([Brk(-1), text_box("   ")] if items else []) + entry
        if not align:
            rows = layout(items, self.width, indent, indent)
        return _spaced(rows)

    def steps(self, trace: Trace):
        several = len({step.phase for step in trace.steps}) > 1
        phase = None
        block: list[str] = []
        tall = False
        for step in trace.steps:
            if step.phase != phase and several:
                if block:
                    yield block
                block, tall = [self.tr(step.phase).upper()], False
                phase = step.phase
            lines = self.step_lines(step)
            if len(block) > 1 and (tall or len(lines) > 2):
                block.append("")
            tall = len(lines) > 2
            block += lines
        if block:
            yield block

    def step_lines(self, step) -> list[str]:
        title = step.title + (f" · {step.note}" if step.note else "")
        equation = chain(step, self.style)
        width = self.width - 1
        hang = INDENT + 2
        if step.symbol and len(equation.parts) > 1:
            hang = INDENT + cell_len(text(equation.parts[0])) + 1
            hang = hang if hang <= self.width // 2 else INDENT + 2
        rows = self.chain_rows(equation, width, hang)
        if hang > INDENT + 2 and not _fits(rows, width):  # the parts go under the symbol
            rows = self.chain_rows(equation, width, INDENT + 2)
        lines = wrap(title, width, hanging=2) + _spaced(rows)
        return [" " + line if line else line for line in lines]

    def chain_rows(self, equation, width: int, hang: int) -> list[list[str]]:
        """The chain laid out, its matrices narrower (fewer columns) until every line fits."""
        for last_resort in (False, True):  # first without breaking inside short groups
            room = width - hang - 4
            while True:
                items: list = []
                for index, part in enumerate(equation.parts):
                    if index:
                        items += [Brk(-1), text_box(f" {equation.relations[index - 1]} ")]
                    items += self.items(part, room)
                if not last_resort:
                    items = [i for i in items if not isinstance(i, Brk) or i.depth < LAST_RESORT]
                rows = layout(items, width, INDENT, hang)
                if _fits(rows, width):
                    return rows
                if room < 12:
                    break
                room -= 8
        return rows

    def extra_table(self, extra) -> list[str]:
        return render_table(extra, self.view, self.width)


def _fits(rows: list[list[str]], width: int) -> bool:
    return all(cell_len(line) <= width for row in rows for line in row)


def _records(value: list) -> bool:
    return bool(value) and isinstance(value[0], dict)


def _spaced(rows: list[list[str]]) -> list[str]:
    """Rows of a layout as lines, a blank line between two when either holds a matrix."""
    lines: list[str] = []
    for index, row in enumerate(rows):
        if index and (len(row) > 1 or len(rows[index - 1]) > 1):
            lines.append("")
        lines += row
    return lines


def render_table(extra, view, width: int) -> list[str]:
    """An extra table as lines, drawn by Rich (loaded only here); too wide for the terminal,
    one block per row, so no number is folded."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console, Group
    from rich.table import Table as RichTable
    from rich.text import Text

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
        if isinstance(value, list) and value and rank(value) in (1, 2):
            text = "\n".join(matrix_box(value, Cells(view.decimals, view.ascii)).lines)
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


def check_lines(check: dict[str, Any], view: View, width: int) -> list[str]:
    """The check report in lines of at most ``width`` columns."""
    header, lines = check_report(check, view)
    out = wrap(header, width)
    for line in lines:
        out += wrap(line, width, hanging=3)
    return [to_ascii(line) for line in out] if view.ascii else out
