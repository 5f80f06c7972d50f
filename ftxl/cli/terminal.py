"""What the command line prints: tables through rich, one line per workbook, JSON. Built one way each."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from .tables import Table


def visible(text: object) -> str:
    """Text for one terminal line: control characters (a newline, an escape sequence in a file name or a
    cell) are shown as escapes, so that they neither break the line nor drive the terminal."""
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FIGURE = re.compile(r"[-−<>]?\s?€?[-−]?[\d.,]+\s?(?:%|days)?|[<>] \d+(?:\.\d+)?%")
"""A cell that is one figure: 1,234.5, -€0.0450, 12.3%, 48.48 days, > 99.9%."""


def literal(value: object) -> Any:
    """A table cell as literal text: rich reads no markup in it, so "[/]" in a label prints as typed."""
    from rich.text import Text

    return Text(visible(value))


def print_table(console: Console, table: Table) -> None:
    """A `Table` on the terminal. The first column (a label or a file name) is shortened with an ellipsis
    rather than broken; a column of figures is right-aligned and never broken inside a number; a column of
    words is left-aligned and wraps between words."""
    from rich.table import Table as RichTable

    rich_table = RichTable(
        title=literal(table.title), title_justify="left", caption=table.caption, caption_justify="left"
    )
    for index, column in enumerate(table.columns):
        cells = [str(row[index]) for row in table.rows if index < len(row) and str(row[index])]
        figures = bool(cells) and all(FIGURE.fullmatch(cell) for cell in cells)
        if figures:
            rich_table.add_column(literal(column), justify="right", no_wrap=True)
        elif index == 0 and not any(" " in cell for cell in cells):  # file names: shortened, never broken
            rich_table.add_column(literal(column), no_wrap=True, overflow="ellipsis", max_width=22)
        else:  # words wrap between words
            rich_table.add_column(literal(column), justify="left", overflow="fold")
    for row in table.rows:
        rich_table.add_row(*map(literal, row))
    console.print(rich_table)


def echo_json(value: Any) -> None:
    """`value` as indented JSON on stdout (infinity as null)."""
    click.echo(json.dumps(jsonable(value), indent=2))


def jsonable(value: Any) -> Any:
    """Dataclass dicts as JSON allows them: infinity and NaN become null."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and (value in (float("inf"), float("-inf")) or value != value):
        return None  # infinity ("never") and NaN (no answer) are not JSON
    return value
