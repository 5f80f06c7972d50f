"""Excel's dynamic-array functions, whose result spills over several cells: SEQUENCE, SORT, UNIQUE, FILTER and
TRANSPOSE; and MODE / MODE.SNGL.

Excel 365 saves a spilling formula as an array formula over the cells it filled, so the plain engine places the
result like any array formula's. Empty cells come out as 0, as in Excel's spill. What Excel would show as #CALC!
(an empty result, a size of 0) and the cases whose order or equality is not settled here (empty cells or errors
among the values SORT and UNIQUE compare, several sort keys) are left to another engine.
"""

from __future__ import annotations

import functools
from collections import Counter

from ...values import (
    MISSING,
    NA,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    as_grid,
    compare,
    direct,
    number,
    truth,
)
from .maths import whole_argument
from .spec import Library

FUNCTIONS = Library()


def _flag(value: Value) -> bool | CellError:
    """A TRUE/FALSE argument (by_col, exactly_once); FALSE when left out."""
    value = value.first() if isinstance(value, Grid) else value
    return False if value is MISSING else truth(direct(value))


def _number(value: Value, default: float) -> float | CellError:
    value = value.first() if isinstance(value, Grid) else value
    return default if value is MISSING else number(direct(value))


def _rows(value: Value) -> list[list[Value]]:
    """The argument as rows of values, an empty cell as 0 (what a spill shows)."""
    return [[0.0 if v is None else v for v in row] for row in as_grid(value).rows]


@FUNCTIONS.add("SEQUENCE", 1, 4, arrays=True)
def xl_sequence(rows: Value, columns: Value = MISSING, start: Value = MISSING, step: Value = MISSING) -> Value:
    """SEQUENCE(rows, [columns], [start], [step]): numbers row by row from `start` by `step`."""
    height, width = whole_argument(rows, 1), whole_argument(columns, 1)
    if isinstance(height, CellError):
        return height
    if isinstance(width, CellError):
        return width
    first, by = _number(start, 1.0), _number(step, 1.0)
    if isinstance(first, CellError):
        return first
    if isinstance(by, CellError):
        return by
    if height < 1 or width < 1:
        raise NotCoveredError("SEQUENCE of no rows or columns (Excel's #CALC!)")
    if height * width > 2**20:
        raise NotCoveredError("SEQUENCE of more than a million numbers")
    return Grid([[first + by * (r * width + c) for c in range(width)] for r in range(height)])


def _ordered(values: list[Value]) -> None:
    for value in values:
        if value is None or isinstance(value, CellError):
            raise NotCoveredError("SORT or UNIQUE over empty cells or errors (Excel's order for them is not settled)")


@FUNCTIONS.add("SORT", 1, 4, arrays=True)
def xl_sort(array: Value, index: Value = MISSING, order: Value = MISSING, by_column: Value = MISSING) -> Value:
    """SORT(array, [sort_index], [sort_order], [by_col]): rows (or columns) ordered by one of their columns
    (rows), ascending (1) or descending (-1); numbers before text before logicals, text without case; rows
    with equal keys keep their order."""
    if isinstance(index, Grid) and index.shape != (1, 1) or isinstance(order, Grid) and order.shape != (1, 1):
        raise NotCoveredError("SORT by several keys")
    key, direction, columns = whole_argument(index, 1), whole_argument(order, 1), _flag(by_column)
    for read in (key, direction, columns):
        if isinstance(read, CellError):
            return read
    if direction not in (1, -1):
        return VALUE
    grid = as_grid(array)
    if isinstance(grid.first_error(), CellError) and not grid.is_ref:
        raise NotCoveredError("SORT of an array holding an error")
    rows = [list(row) for row in grid.rows]
    if columns:
        rows = [list(column) for column in zip(*rows, strict=True)]
    assert isinstance(key, int) and isinstance(direction, int)
    if not 1 <= key <= (len(rows[0]) if rows else 0):
        return VALUE
    _ordered([row[key - 1] for row in rows])

    def by_key(a: list[Value], b: list[Value]) -> int:
        found = compare(a[key - 1], b[key - 1])
        assert isinstance(found, int)
        return found * direction

    rows.sort(key=functools.cmp_to_key(by_key))
    if columns:
        rows = [list(column) for column in zip(*rows, strict=True)]
    return Grid(_rows(Grid(rows)))


def _key(value: Value) -> Value:
    """What UNIQUE compares of a value: text without case, each kind apart ("1" is not 1)."""
    return ("text", value.lower()) if isinstance(value, str) else (type(value).__name__, value)  # type: ignore[return-value]


@FUNCTIONS.add("UNIQUE", 1, 3, arrays=True)
def xl_unique(array: Value, by_column: Value = MISSING, exactly_once: Value = MISSING) -> Value:
    """UNIQUE(array, [by_col], [exactly_once]): the distinct rows (or columns) in their first order, text
    without case ("a" and "A" are one); with exactly_once, those that occur only once."""
    columns, once = _flag(by_column), _flag(exactly_once)
    for read in (columns, once):
        if isinstance(read, CellError):
            return read
    rows = [list(row) for row in as_grid(array).rows]
    if columns:
        rows = [list(column) for column in zip(*rows, strict=True)]
    _ordered([v for row in rows for v in row])
    groups: dict[tuple[Value, ...], list[list[Value]]] = {}
    for row in rows:  # one key per row as Excel compares them: text without case, a number not equal to text
        groups.setdefault(tuple(_key(v) for v in row), []).append(row)
    kept = [group[0] for group in groups.values() if not once or len(group) == 1]
    if not kept:
        raise NotCoveredError("UNIQUE with nothing left (Excel's #CALC!)")
    if columns:
        kept = [list(column) for column in zip(*kept, strict=True)]
    return Grid(kept)


@FUNCTIONS.add("FILTER", 2, 3, arrays=True)
def xl_filter(array: Value, include: Value, if_empty: Value = MISSING) -> Value:
    """FILTER(array, include, [if_empty]): the rows (or, with a row of conditions, the columns) whose
    condition is true (a number other than 0); none: `if_empty`."""
    rows = [list(row) for row in as_grid(array).rows]
    test = as_grid(include)
    height, width = len(rows), len(rows[0]) if rows else 0
    shape = test.shape
    if shape == (height, 1):
        flags = [row[0] for row in test.rows]
        by_rows = True
    elif shape == (1, width):
        flags = list(test.rows[0])
        by_rows = False
    else:
        return VALUE
    keep = []
    for flag in flags:
        if isinstance(flag, CellError):
            return flag
        read = truth(0.0 if flag is None else flag)
        if isinstance(read, CellError):
            return read
        keep.append(read)
    if by_rows:
        kept = [row for row, ok in zip(rows, keep, strict=True) if ok]
    else:
        kept = [[v for v, ok in zip(row, keep, strict=True) if ok] for row in rows]
    if not kept or not kept[0]:
        if if_empty is MISSING:
            raise NotCoveredError("FILTER with nothing left and no if_empty (Excel's #CALC!)")
        return if_empty
    return Grid(_rows(Grid(kept)))


@FUNCTIONS.add("TRANSPOSE", 1, 1, arrays=True)
def xl_transpose(array: Value) -> Value:
    """TRANSPOSE(array): rows as columns."""
    rows = _rows(array)
    return Grid([list(column) for column in zip(*rows, strict=True)])


def _mode(*args: Value) -> Value:
    """MODE / MODE.SNGL: the number that occurs most often; of several, the one that comes first; #N/A when
    no number occurs twice. Stricter than SUM (Excel's values in POI's test data): text or a logical typed
    as an argument, or a reference to one empty cell, is #VALUE!; the first error in order is the answer."""
    values: list[float] = []
    for arg in args:
        if isinstance(arg, Grid):
            if arg.shape == (1, 1) and arg.is_ref and type(arg.first()) is not float:
                single = arg.first()
                if single is None:
                    return VALUE
                if type(single) is CellError:
                    return single
                raise NotCoveredError("MODE of a single cell holding text or a logical")
            for value in arg.values():
                if type(value) is CellError:
                    return value
                if type(value) is float:
                    values.append(value)
        elif type(arg) is CellError:
            return arg
        elif type(arg) is float:
            values.append(arg)
        elif arg is not MISSING:
            return VALUE
    counts = Counter(values)
    most = max(counts.values(), default=0)
    if most < 2:
        return NA
    return next(v for v in values if counts[v] == most)


for _name in ("MODE", "MODE.SNGL"):
    FUNCTIONS.add(_name, 1, None, ranges=None, blanks_add_nothing=True)(_mode)
