"""Excel's lookup functions: INDEX, MATCH, VLOOKUP, HLOOKUP (exact match), CHOOSE and ADDRESS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from openpyxl.utils.cell import get_column_letter

from ...values import (
    MISSING,
    NA,
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
    truth,
)
from .criteria import text_matches
from .maths import whole, whole_argument
from .spec import Library

FUNCTIONS = Library()


def _match_type_given(trees: list[Any]) -> str | None:
    if len(trees) < 3 or trees[2] in (("value", 0.0), ("value", 1.0), ("value", -1.0), ("missing",)):
        return None
    return "MATCH with a match type other than a constant 0, 1 or -1"


def _range_lookup_given(trees: list[Any]) -> str | None:
    if (
        len(trees) < 4
        or trees[3][0] in ("missing",)
        or trees[3]
        in (
            ("value", 0.0),
            ("value", False),
            ("value", 1.0),
            ("value", True),
        )
    ):
        return None
    return "VLOOKUP or HLOOKUP with a last argument other than a constant TRUE, FALSE, 1 or 0"


def _sorted_position(lookup: Value, values: list[Value], descending: bool) -> Value:
    """Excel's approximate match in sorted values: the last position whose value is at most `lookup` (at
    least, for descending order). Values that are not sorted, or of mixed kinds, are left to the other
    engine, since Excel's binary search gives answers there that depend on its steps."""
    while values and values[-1] is None:
        values = values[:-1]  # empty cells after the data
    kind = type(lookup)
    if lookup is None or kind not in (float, str) or any(type(v) is not kind for v in values):
        raise NotCoveredError("an approximate match over values of mixed kinds or with gaps")
    order = [compare(a, b) for a, b in zip(values, values[1:], strict=False)]
    if any((step > 0) if not descending else (step < 0) for step in order):  # type: ignore[operator]
        raise NotCoveredError("an approximate match over values that are not sorted")
    found = 0
    for position, value in enumerate(values, start=1):
        side = compare(value, lookup)
        if (side <= 0) if not descending else (side >= 0):  # type: ignore[operator]
            found = position
        else:
            break
    return float(found) if found else NA


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


@FUNCTIONS.add("MATCH", 2, 3, ranges=(1,), covers=_match_type_given, blanks_add_nothing=True)
def xl_match(lookup: Value, array: Value, match_type: Value = 1.0) -> Value:
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("MATCH of an array of values")
    grid = as_grid(array)
    rows, cols = grid.shape
    if rows != 1 and cols != 1:
        return NA
    if match_type is MISSING:
        match_type = 1.0
    if match_type != 0.0:
        if type(lookup) is str and any(c in lookup for c in "*?~"):
            raise NotCoveredError("an approximate match of text with wildcards")
        return _sorted_position(lookup, list(grid.values()), match_type == -1.0)
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


@FUNCTIONS.add("LOOKUP", 2, 3, ranges=(1, 2), blanks_add_nothing=True, pairs_ranges=True)
def xl_lookup(lookup: Value, searched: Value, results: Value = MISSING) -> Value:
    """LOOKUP(lookup_value, lookup_vector, [result_vector]): the approximate match (the last value at most the
    one looked up, in sorted values) and the value in the same place of the result vector; with two arguments,
    the array's first row (when wider than tall) or column is searched and its last row or column answers."""
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("LOOKUP of an array of values")
    grid = as_grid(searched)
    rows, cols = grid.shape
    if results is MISSING:
        if cols > rows:
            keys, answers = grid.rows[0], grid.rows[-1]
        else:
            keys, answers = [row[0] for row in grid.rows], [row[-1] for row in grid.rows]
    else:
        if rows != 1 and cols != 1:
            raise NotCoveredError("LOOKUP in a block of several rows and columns with a result vector")
        keys, answers = list(grid.values()), list(as_grid(results).values())
        if len(answers) != len(keys):
            raise NotCoveredError("LOOKUP with vectors of different lengths")
    if type(lookup) is str and any(c in lookup for c in "*?~"):
        raise NotCoveredError("an approximate match of text with wildcards")
    position = _sorted_position(lookup, list(keys), False)
    if isinstance(position, CellError):
        return position
    answer = answers[int(position) - 1]  # type: ignore[arg-type]
    return 0.0 if answer is None else answer


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


@FUNCTIONS.add("VLOOKUP", 3, 4, ranges=(1,), covers=_range_lookup_given, blanks_add_nothing=True)
def xl_vlookup(lookup: Value, table: Value, column: Value, approximate: Value = MISSING) -> Value:
    """VLOOKUP: the row of `table` whose first cell is `lookup` (exact), or the last one at most `lookup`
    in a sorted first column (approximate, the default)."""
    if not isinstance(table, Grid):
        return _not_a_table(table)
    return _lookup(lookup, table.rows, column, approximate)


@FUNCTIONS.add("HLOOKUP", 3, 4, ranges=(1,), covers=_range_lookup_given, blanks_add_nothing=True)
def xl_hlookup(lookup: Value, table: Value, row: Value, approximate: Value = MISSING) -> Value:
    """HLOOKUP: as VLOOKUP, along the first row of `table`."""
    if not isinstance(table, Grid):
        return _not_a_table(table)
    rows = table.rows
    return _lookup(lookup, [list(column) for column in zip(*rows, strict=True)], row, approximate)


def _not_a_table(table: Value) -> Value:
    """Excel's answer when the table of a lookup is a single value: text #VALUE!, a number or logical #N/A."""
    if isinstance(table, CellError):
        return table
    return VALUE if isinstance(table, str) else NA


def _lookup(lookup: Value, lines: list[list[Value]], position: Value, approximate: Value) -> Value:
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
    exact = approximate is not MISSING and approximate in (0.0, False)
    found = xl_match(lookup, Grid([[line[0]] for line in lines]), 0.0 if exact else 1.0)
    if type(found) is CellError:
        return found
    return lines[int(found) - 1][k - 1]


def _modes_given(match_at: int) -> Callable[[list[Any]], str | None]:
    """XLOOKUP and XMATCH: an exact match (mode 0) searched first-to-last or last-to-first (1 or -1)."""

    def covers(trees: list[Any]) -> str | None:
        modes = trees[match_at : match_at + 2]
        allowed = [(("value", 0.0), ("missing",)), (("value", 1.0), ("value", -1.0), ("missing",))]
        if all(tree in allowed[k] for k, tree in enumerate(modes)):
            return None
        return "XLOOKUP or XMATCH other than an exact match searched from either end"

    return covers


def _exact_position(lookup: Value, values: list[Value], backwards: bool) -> int | None:
    if type(lookup) is str:
        lowered = lookup.lower()
        test: Callable[[Value], bool] = lambda value: type(value) is str and value.lower() == lowered  # noqa: E731
    else:
        test = lambda value: type(value) is type(lookup) and compare(value, lookup) == 0  # noqa: E731
    order = range(len(values) - 1, -1, -1) if backwards else range(len(values))
    return next((k for k in order if test(values[k])), None)


@FUNCTIONS.add("XMATCH", 2, 4, ranges=(1,), covers=_modes_given(2))
def xl_xmatch(lookup: Value, array: Value, match_mode: Value = MISSING, search_mode: Value = MISSING) -> Value:
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("XMATCH of an array of values")
    grid = as_grid(array)
    if 1 not in grid.shape:
        return VALUE
    found = _exact_position(lookup, list(grid.values()), search_mode == -1.0)
    return NA if found is None else float(found + 1)


@FUNCTIONS.add("XLOOKUP", 3, 6, ranges=(1, 2), covers=_modes_given(4))
def xl_xlookup(
    lookup: Value,
    array: Value,
    results: Value,
    if_not_found: Value = MISSING,
    match_mode: Value = MISSING,
    search_mode: Value = MISSING,
) -> Value:
    if type(lookup) is CellError:
        return lookup
    if isinstance(lookup, Grid):
        raise NotCoveredError("XLOOKUP of an array of values")
    keys, found_in = as_grid(array), as_grid(results)
    rows, cols = keys.shape
    if rows != 1 and cols != 1:
        return VALUE
    vertical = cols == 1
    length = rows if cols == 1 else cols
    if (found_in.shape[0] if vertical else found_in.shape[1]) != length:
        return VALUE
    found = _exact_position(lookup, list(keys.values()), search_mode == -1.0)
    if found is None:
        return NA if if_not_found is MISSING else if_not_found
    if vertical:
        line = found_in.rows[found]
        return line[0] if len(line) == 1 else Grid([list(line)])
    column = [row[found] for row in found_in.rows]
    return column[0] if len(column) == 1 else Grid([[v] for v in column])


SAFE_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
"""A sheet name ADDRESS writes as it is; any other is left to another engine (whether Excel quotes it differs)."""


@FUNCTIONS.add("ADDRESS", 2, 5)
def xl_address(row: Value, column: Value, kind: Value = MISSING, a1: Value = MISSING, sheet: Value = MISSING) -> Value:
    """ADDRESS(row, column, [abs_num], [a1], [sheet_text]): a cell's reference as text ("$C$2", "R2C3"), for
    INDIRECT and for reading; abs_num 1-4 says which parts are absolute."""
    r, c, how = whole_argument(row), whole_argument(column), whole_argument(kind, 1)
    if isinstance(r, CellError):
        return r
    if isinstance(c, CellError):
        return c
    if isinstance(how, CellError):
        return how
    if not (1 <= r <= 1_048_576 and 1 <= c <= 16_384) or how not in (1, 2, 3, 4):
        return VALUE
    style = a1.first() if isinstance(a1, Grid) else a1
    a1_style = True if style is MISSING else truth(direct(style))
    if isinstance(a1_style, CellError):
        return a1_style
    absolute_row, absolute_column = how in (1, 2), how in (1, 3)
    if a1_style:
        letters = get_column_letter(c)
        text = f"{'$' if absolute_column else ''}{letters}{'$' if absolute_row else ''}{r}"
    else:
        text = f"R{r if absolute_row else f'[{r}]'}C{c if absolute_column else f'[{c}]'}"
    name = sheet.first() if isinstance(sheet, Grid) else sheet
    if name is MISSING or name is None:
        return text
    if isinstance(name, CellError):
        return name
    if not isinstance(name, str) or not SAFE_SHEET_NAME.match(name):
        # Excel's documentation quotes '[Book1]Sheet1', the Excel that saved POI's test data does not
        raise NotCoveredError("ADDRESS with a sheet name other than letters, digits, _ and .")
    return f"{name}!{text}"


@FUNCTIONS.add("SWITCH", 3, None, lazy=True)
def xl_switch(expression: Callable[[], Value], *pairs: Callable[[], Value]) -> Value:
    """SWITCH(expression, value1, result1, ..., [default]): the result of the first value equal to the
    expression (text without case), else the default, else #N/A; only the chosen result is computed."""
    subject = expression()
    if isinstance(subject, Grid):
        if subject.shape != (1, 1):
            raise NotCoveredError("SWITCH of a range or an array")
        subject = subject.first()
    if isinstance(subject, CellError):
        return subject
    subject = 0.0 if subject is None else subject
    for k in range(0, len(pairs) - 1, 2):
        candidate = pairs[k]()
        if isinstance(candidate, Grid):
            raise NotCoveredError("SWITCH with a range or an array as a value")
        if isinstance(candidate, CellError):
            return candidate
        candidate = 0.0 if candidate is None or candidate is MISSING else candidate
        if type(candidate) is type(subject) and compare(subject, candidate) == 0:
            return direct(pairs[k + 1]())
    if len(pairs) % 2 == 1:
        return direct(pairs[-1]())
    return NA
