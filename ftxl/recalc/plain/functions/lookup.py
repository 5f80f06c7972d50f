"""Excel's lookup functions: INDEX, MATCH, VLOOKUP, HLOOKUP (exact match) and CHOOSE."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...values import (
    MISSING,
    NA,
    NUM,
    REF,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    as_grid,
    cell_at,
    compare,
    direct,
    number,
)
from .criteria import text_matches
from .spec import Library

FUNCTIONS = Library()


def _exact_match_only(trees: list[Any]) -> str | None:
    return None if trees[2] == ("value", 0.0) else "MATCH other than an exact match (match type 0)"


def _exact_lookup_only(trees: list[Any]) -> str | None:
    if trees[3] in (("value", 0.0), ("value", False)):
        return None
    return "VLOOKUP or HLOOKUP other than an exact match (FALSE or 0 as its last argument)"


def whole(value: Value) -> int | CellError:
    """A value as a whole number, truncated as Excel does for positions and counts."""
    result = number(direct(value))
    if isinstance(result, CellError):
        return result
    return int(result) if math.isfinite(result) else NUM


@FUNCTIONS.add("INDEX", 2, 3, ranges=(0,))
def xl_index(array: Value, row: Value, column: Value = MISSING) -> Value:
    if type(array) is CellError:  # an error in place of the array is the answer, whatever the position
        return array
    grid = as_grid(array)
    rows, cols = grid.shape
    r = whole(row)
    if isinstance(r, CellError):
        return r
    c: int | CellError
    if column is MISSING and rows == 1 and cols > 1:
        r, c = 1, r  # one index into a single row picks a column
    else:
        c = whole(column) if column is not MISSING else (1 if cols == 1 else 0)
    if isinstance(c, CellError):
        return c
    if r < 0 or c < 0:
        return VALUE
    if r > rows or c > cols:
        return REF
    if r == 0 and c == 0:
        return grid
    if r == 0:
        return Grid([[line[c - 1]] for line in grid.rows], grid.is_ref)
    if c == 0:
        return Grid([list(grid.rows[r - 1])], grid.is_ref)
    return grid.rows[r - 1][c - 1]


@FUNCTIONS.add("MATCH", 3, 3, ranges=(1,), covers=_exact_match_only, blanks_add_nothing=True)
def xl_match(lookup: Value, array: Value, match_type: Value) -> Value:
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("MATCH of an array of values")
    grid = as_grid(array)
    rows, cols = grid.shape
    if rows != 1 and cols != 1:
        return NA
    if lookup is None:
        return NA
    if type(lookup) is str:
        test = text_matches(lookup)
    else:
        test = lambda value: type(value) is type(lookup) and compare(value, lookup) == 0  # noqa: E731
    for position, value in enumerate(grid.values(), start=1):
        if test(value):
            return float(position)
    return NA


@FUNCTIONS.add("CHOOSE", 2, None, lazy=True)
def xl_choose(index: Callable[[], Value], *choices: Callable[[], Value]) -> Value:
    which = index()
    if isinstance(which, Grid):
        values = [choice() for choice in choices]
        rows, cols = which.shape
        picked = []
        for r in range(rows):
            line = []
            for c in range(cols):
                k = whole(which.rows[r][c])
                if isinstance(k, CellError):
                    line.append(k)
                elif not 1 <= k <= len(values):
                    line.append(VALUE)
                else:
                    value = values[k - 1]
                    line.append(direct(cell_at(value, r, c) if isinstance(value, Grid) else value))
            picked.append(line)
        return Grid(picked)
    k = whole(which)
    if isinstance(k, CellError):
        return k
    if not 1 <= k <= len(choices):
        return VALUE
    return direct(choices[k - 1]())


@FUNCTIONS.add("VLOOKUP", 4, 4, ranges=(1,), covers=_exact_lookup_only, blanks_add_nothing=True)
def xl_vlookup(lookup: Value, table: Value, column: Value, exact: Value = MISSING) -> Value:
    """VLOOKUP with an exact match: the row of `table` whose first cell is `lookup`."""
    return _exact_lookup(lookup, as_grid(table).rows, column)


@FUNCTIONS.add("HLOOKUP", 4, 4, ranges=(1,), covers=_exact_lookup_only, blanks_add_nothing=True)
def xl_hlookup(lookup: Value, table: Value, row: Value, exact: Value = MISSING) -> Value:
    """HLOOKUP with an exact match: the column of `table` whose first cell is `lookup`."""
    rows = as_grid(table).rows
    return _exact_lookup(lookup, [list(column) for column in zip(*rows, strict=True)], row)


def _exact_lookup(lookup: Value, lines: list[list[Value]], position: Value) -> Value:
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("a lookup of an array of values")
    k = whole(position)
    if isinstance(k, CellError):
        return k
    if k < 1:
        return VALUE
    if k > (len(lines[0]) if lines else 0):
        return REF
    found = xl_match(lookup, Grid([[line[0]] for line in lines]), 0.0)
    if type(found) is CellError:
        return found
    return lines[int(found) - 1][k - 1]
