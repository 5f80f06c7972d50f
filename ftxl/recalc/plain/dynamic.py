"""OFFSET and INDIRECT: references known only by computing them.

Their target is worked out when the formula runs, from values computed before it, so no order of the
workbook's formulas can be fixed from the formula texts alone. The plain engine orders them by what they
read besides the target (OFFSET's row and column counts, INDIRECT's text), and every read of a target
is logged (`Reads`). After a pass, a target cell whose formula ran *later* than the formula reading it
means that pass read a stale value: the engine adds the read to that formula's dependencies, orders the
formulas again and computes the workbook again (see `PlainBook.evaluate`). A read that closes a loop is
a circular reference, as in Excel.

Excel's rules, as implemented:

* OFFSET(reference, rows, cols, [height], [width]): the reference is read for its position only (no
  dependency on its value); counts are truncated towards zero, except a height or width between 0 and 1,
  which is 1 (Excel's saved values); height and width default to the reference's, and a negative one
  reaches up or left from the moved corner; a height or width of 0, or a target off the sheet, is #REF!;
  the reference is a range, a name of one, or another OFFSET or INDIRECT.
* INDIRECT(text, [a1]): text in A1 style (a cell, a range, a sheet-qualified one, a workbook name of a
  range) or, with a1 FALSE, R1C1 style (absolute R2C3 or relative R[-1]C[2] from the formula's cell);
  anything else, or a sheet the workbook does not have, is #REF!.
* In a normal cell, a target of several cells is cut to the cell in the formula's row or column
  (implicit intersection, #VALUE! without one), as a written range is.

Heights and widths between -1 and 0, names with relative references and table references in INDIRECT's
text are left to another engine (`NotCoveredError`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ..formula_text import LAST_COLUMN, LAST_ROW
from ..values import (
    MAX_RANGE_CELLS,
    MISSING,
    REF,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    area,
    number,
    truth,
)
from .parser import Parser

Box = tuple[int, int, int, int]
"""(min_col, min_row, max_col, max_row), 1-based."""
Cells = dict[Any, Value]
Closure = Callable[[Cells], Value]
Target = tuple[str, Box]
"""(SHEET, box) a dynamic reference resolved to."""

R1C1 = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?"
    r"(?P<first>R(?:\[-?\d+\]|\d+)?C(?:\[-?\d+\]|\d+)?)(?::(?P<last>R(?:\[-?\d+\]|\d+)?C(?:\[-?\d+\]|\d+)?))?$",
    re.I,
)
WHOLE_R1C1 = re.compile(r"^(?:.+!)?(?:R(?:\[-?\d+\]|\d+)?|C(?:\[-?\d+\]|\d+)?)(?::\S+)?$", re.I)
R1C1_PART = re.compile(r"^R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?$", re.I)


PARSED_TEXTS = 4096
"""Reference texts one INDIRECT keeps parsed."""


class Reads(list[Target]):
    """The targets dynamic references read while one formula ran, in order (cleared after each formula)."""


def offset(
    base: Target | Closure | None,
    counts: list[Closure],
    read: Callable[[Target, Cells], Value],
) -> Closure:
    """OFFSET of the reference `base` ((SHEET, box), a closure locating one such as another OFFSET or an
    INDIRECT, or None for #REF!) by rows and columns, with an optional height and width (`counts`: closures of
    the 2-4 arguments after the reference); `read` reads the target."""

    def run(cells: Cells) -> Value:
        start = base(cells) if callable(base) else base
        if start is None:
            return REF
        if isinstance(start, CellError):
            return start
        sheet, (min_col, min_row, max_col, max_row) = start
        moved: list[int | None] = []
        for k, closure in enumerate(counts):
            value = closure(cells)
            if value is MISSING and k >= 2:  # height or width left out: the reference's own
                moved.append(None)
                continue
            if isinstance(value, Grid):
                if value.shape != (1, 1):
                    raise NotCoveredError("OFFSET with a range as a row or column count")
                value = value.first()
            amount = number(0.0 if value is MISSING else value)
            if isinstance(amount, CellError):
                return amount
            if not math.isfinite(amount) or abs(amount) > 2**31:
                return REF
            if k >= 2 and 0 < abs(amount) < 1:
                if amount < 0:
                    raise NotCoveredError("OFFSET with a height or width between -1 and 0")
                amount = 1.0  # Excel's OFFSET(W39,2,2,3,0.9) is W39's 3 x 1 block
            moved.append(math.trunc(amount))
        rows, columns = moved[0] or 0, moved[1] or 0
        height = moved[2] if len(moved) > 2 and moved[2] is not None else max_row - min_row + 1
        width = moved[3] if len(moved) > 3 and moved[3] is not None else max_col - min_col + 1
        if height == 0 or width == 0:
            return REF
        top, left = min_row + rows, min_col + columns
        # a negative height (width) reaches up (left) from the moved corner
        first_row, last_row = (top, top + height - 1) if height > 0 else (top + height + 1, top)
        first_column, last_column = (left, left + width - 1) if width > 0 else (left + width + 1, left)
        box = (first_column, first_row, last_column, last_row)
        if first_row < 1 or first_column < 1 or last_row > LAST_ROW or last_column > LAST_COLUMN:
            return REF
        return read((sheet, box), cells)

    return run


def indirect(
    text: Closure,
    style: Closure | None,
    sheet: str,
    where: tuple[int, int],
    resolve: Callable[[str], Target | None],
    sheets: set[str],
    read: Callable[[Target, Cells], Value],
) -> Closure:
    """INDIRECT of the text `text` (A1 style, or R1C1 when `style` is FALSE) from the formula's `sheet` and
    cell `where` (row, column); `resolve` gives the range of a workbook name (None: not a range)."""
    parsed: dict[tuple[str, bool], Target | CellError] = {}

    def run(cells: Cells) -> Value:
        value = text(cells)
        if isinstance(value, Grid):
            if value.shape != (1, 1):
                raise NotCoveredError("INDIRECT of several texts at once")
            value = value.first()
        if isinstance(value, CellError):
            return value
        a1 = True
        if style is not None:
            flag = style(cells)
            if isinstance(flag, Grid):
                flag = flag.first()
            if flag is not MISSING:
                read_flag = truth(flag)
                if isinstance(read_flag, CellError):
                    return read_flag
                a1 = read_flag
        if not isinstance(value, str):
            return REF  # a number or a logical names no cell
        key = (value, a1)
        target = parsed.get(key)
        if target is None:
            if len(parsed) >= PARSED_TEXTS:  # texts that change with every copy: keep the memory bounded
                parsed.clear()
            target = parsed[key] = _target(value, a1, sheet, where, resolve, sheets)
        if isinstance(target, CellError):
            return target
        return read(target, cells)

    return run


def _target(
    text: str,
    a1: bool,
    sheet: str,
    where: tuple[int, int],
    resolve: Callable[[str], Target | None],
    sheets: set[str],
) -> Target | CellError:
    """The (SHEET, box) a reference text names, or #REF!."""
    stripped = text.strip()
    if not stripped or stripped.startswith("["):
        return REF  # another workbook: never opened
    if not a1:
        return _r1c1(stripped, sheet, where, sheets)
    if "[" in stripped:
        raise NotCoveredError("INDIRECT of a table reference")
    try:
        tree = Parser(stripped, sheet).parse()
    except NotCoveredError:
        return REF
    if tree[0] == "name":
        found = resolve(tree[1])
        return REF if found is None else found
    if tree[0] != "ref":
        return REF
    box = tree[2]
    if tree[1] not in sheets or box[2] > LAST_COLUMN or box[3] > LAST_ROW:
        return REF  # "XFE:XFE" lies past the last column
    return tree[1], box


def _r1c1(text: str, sheet: str, where: tuple[int, int], sheets: set[str]) -> Target | CellError:
    match = R1C1.match(text)
    if match is None:
        if WHOLE_R1C1.match(text):
            raise NotCoveredError("INDIRECT of a whole row or column in R1C1 style")
        return REF
    target_sheet = sheet
    if match.group("sheet"):
        quoted = match.group("sheet")
        target_sheet = (quoted[1:-1].replace("''", "'") if quoted.startswith("'") else quoted).upper()
        if target_sheet not in sheets:
            return REF
    corners = []
    for part in (match.group("first"), match.group("last") or match.group("first")):
        pieces = R1C1_PART.match(part)
        assert pieces is not None
        corners.append((_r1c1_number(pieces.group(1), where[0]), _r1c1_number(pieces.group(2), where[1])))
    (r1, c1), (r2, c2) = corners
    box = (min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2))
    if box[0] < 1 or box[1] < 1 or box[2] > LAST_COLUMN or box[3] > LAST_ROW:
        return REF
    return target_sheet, box


def _r1c1_number(part: str | None, own: int) -> int:
    """A row or column of R1C1 style: R5 (absolute), R[-1] (relative to the formula's own), R alone (its own)."""
    if part is None:
        return own
    if part.startswith("["):
        return own + int(part[1:-1])
    return int(part)


def locator(target: Target, cells: Cells) -> Any:
    """The target itself, unread (where it is, not what it holds)."""
    return target


def reader(reads: Reads, context_cell: tuple[int, int] | None) -> Callable[[Target, Cells], Value]:
    """Reads a resolved target from the cells, logging it; with `context_cell` (row, column) a target of
    several cells is cut to the one in that row or column (a normal cell's implicit intersection)."""

    def read(target: Target, cells: Cells) -> Value:
        sheet, box = target
        min_col, min_row, max_col, max_row = box
        if context_cell is not None and box[:2] != box[2:]:
            row, column = context_cell
            row = min_row if min_row == max_row else row
            column = min_col if min_col == max_col else column
            if not (min_row <= row <= max_row and min_col <= column <= max_col):
                return VALUE
            box = (column, row, column, row)
            min_col, min_row, max_col, max_row = box
        if area(box) > MAX_RANGE_CELLS:
            raise NotCoveredError(f"a dynamic reference to more than {MAX_RANGE_CELLS:,} cells")
        reads.append((sheet, box))
        if context_cell is not None:
            return cells.get((sheet, min_row, min_col))
        get = cells.get
        return Grid(
            [[get((sheet, r, c)) for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)], True
        )

    return read
