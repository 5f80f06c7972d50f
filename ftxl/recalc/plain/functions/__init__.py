"""The Excel functions the plain engine computes itself, with Excel's rules for ranges, text and errors.

Each function takes its evaluated arguments (values, `Grid`s, or `MISSING` for an argument
left out) and returns a value or a `Grid`. Functions marked lazy take argument thunks
instead, so that IF evaluates only the branch it takes, as Excel does. A case these
functions do not settle exactly as Excel would raises `NotCoveredError`, and the workbook is
then computed by the `formulas` engine instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation
from typing import Any

from .... import cell_functions
from ....cell_functions import Refusal
from ...values import (
    BINARY,
    DIV0,
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
    elementwise,
    finite,
    number,
    truth,
)
from .criteria import (
    text_matches,
    xl_averageif,
    xl_averageifs,
    xl_countif,
    xl_countifs,
    xl_maxifs,
    xl_minifs,
    xl_sumif,
    xl_sumifs,
)
from .text import TEXT_FUNCTIONS


@dataclass(frozen=True)
class Spec:
    """How the compiler calls a function: its Python body, arity, and how it takes arguments."""

    function: Callable[..., Value]
    min_args: int
    max_args: int | None
    lazy: bool = False
    """Arguments arrive as thunks (callables of no argument)."""
    ranges: tuple[int, ...] | None = ()
    """Positions of arguments that take a reference as a range even when it is one cell; None: all."""
    arrays: bool = False
    """Excel evaluates the arguments as arrays even in a normal cell (SUMPRODUCT)."""


def _numbers(args: Iterable[Value], skip_errors: bool = False) -> Iterator[float | CellError]:
    """The numbers an aggregate (SUM, MIN, AVERAGE...) sees: in ranges and arrays only numbers count;
    an argument typed directly counts when it reads as a number. An empty cell that reaches an
    argument through a reference (IF(c, A1, B1)) counts as nothing, as in a range."""
    for arg in args:
        if isinstance(arg, Grid):
            for value in arg.values():
                kind = type(value)
                if kind is float:
                    yield value
                elif kind is CellError and not skip_errors:
                    yield value
        elif arg is not None:
            result = number(direct(arg))
            if type(result) is not CellError or not skip_errors:
                yield result


def _collect(args: Iterable[Value]) -> list[float] | CellError:
    found = []
    for value in _numbers(args):
        if isinstance(value, CellError):
            return value
        found.append(value)
    return found


def xl_sum(*args: Value) -> Value:
    values = _collect(args)
    return values if isinstance(values, CellError) else finite(math.fsum(values))


def xl_min(*args: Value) -> Value:
    values = _collect(args)
    return values if isinstance(values, CellError) else (min(values) if values else 0.0)


def xl_max(*args: Value) -> Value:
    values = _collect(args)
    return values if isinstance(values, CellError) else (max(values) if values else 0.0)


def xl_average(*args: Value) -> Value:
    values = _collect(args)
    if isinstance(values, CellError):
        return values
    return finite(math.fsum(values) / len(values)) if values else DIV0


def xl_count(*args: Value) -> Value:
    return float(sum(1 for value in _numbers(args, skip_errors=True)))


def xl_counta(*args: Value) -> Value:
    total = 0
    for arg in args:
        if isinstance(arg, Grid):
            total += sum(1 for value in arg.values() if value is not None)
        elif arg is not None:  # None: an empty cell reached through a reference
            total += 1
    return float(total)


def xl_countblank(cells: Value) -> Value:
    return float(sum(1 for value in as_grid(cells).values() if value is None or value == ""))


def xl_sumproduct(*args: Value) -> Value:
    grids = [as_grid(a) for a in args]
    if len({g.shape for g in grids}) > 1:
        return VALUE
    for grid in grids:
        for value in grid.values():
            if type(value) is CellError:
                return value
    columns = [[v if type(v) is float else 0.0 for v in g.values()] for g in grids]
    return finite(math.fsum(math.prod(items) for items in zip(*columns, strict=True)))


def xl_if(condition: Callable[[], Value], if_true: Callable[[], Value] | None = None, if_false: Any = None) -> Value:
    test = condition()
    if isinstance(test, Grid):
        yes = if_true() if if_true else True
        no = if_false() if if_false else False
        return elementwise(lambda t, a, b: _pick(truth(t), a, b), test, yes, no)
    chosen = truth(test)
    if type(chosen) is CellError:
        return chosen
    branch = if_true if chosen else if_false
    if branch is None:
        return chosen  # IF(c, x) gives FALSE when c is false
    return direct(branch())


def _pick(test: bool | CellError, yes: Value, no: Value) -> Value:
    if type(test) is CellError:
        return test
    return direct(yes if test else no)


def xl_iferror(value: Callable[[], Value], fallback: Callable[[], Value]) -> Value:
    result = value()
    if isinstance(result, Grid):
        alternative = fallback()
        return elementwise(lambda v, a: direct(a) if type(v) is CellError else v, result, alternative)
    return direct(fallback()) if type(result) is CellError else result


def xl_ifna(value: Callable[[], Value], fallback: Callable[[], Value]) -> Value:
    result = value()
    if isinstance(result, Grid):
        alternative = fallback()
        return elementwise(lambda v, a: direct(a) if v == NA else v, result, alternative)
    return direct(fallback()) if result == NA else result


def _logicals(args: Iterable[Value]) -> list[bool] | CellError:
    found: list[bool] = []
    for arg in args:
        values = arg.values() if isinstance(arg, Grid) else [direct(arg)]
        in_range = isinstance(arg, Grid)
        for value in values:
            if type(value) is CellError:
                return value  # type: ignore[no-any-return]
            if value is None or (in_range and type(value) is not bool and type(value) is not float):
                continue  # text and empty cells in a range, and empty cells referred to, are skipped
            test = truth(value)
            if type(test) is CellError:
                return test  # type: ignore[return-value]
            found.append(test)  # type: ignore[arg-type]
    return found


def xl_and(*args: Value) -> Value:
    found = _logicals(args)
    if type(found) is CellError:
        return found
    return all(found) if found else VALUE  # type: ignore[arg-type]


def xl_or(*args: Value) -> Value:
    found = _logicals(args)
    if type(found) is CellError:
        return found
    return any(found) if found else VALUE  # type: ignore[arg-type]


def xl_not(value: Value) -> Value:
    def single(v: Value) -> Value:
        test = truth(v)
        return test if type(test) is CellError else not test

    return elementwise(single, direct(value))


def _is(test: Callable[[Value], bool]) -> Callable[[Value], Value]:
    return lambda value: elementwise(test, value)


_WIDE = Context(prec=700, Emax=999, Emin=-999)
"""Room for any double rounded to any number of places (quantize needs every digit)."""


def _rounder(mode: str) -> Callable[[Value, Value], Value]:
    def single(x: Value, digits: Value) -> Value:
        a, d = number(direct(x)), number(direct(digits))
        if isinstance(a, CellError):
            return a
        if isinstance(d, CellError):
            return d
        places = int(d)
        if places >= 0 and a.is_integer():
            return a  # nothing after the point to round (every double above 2**52 is whole)
        try:
            # Excel rounds the number it shows (15 significant digits): ROUND(2.675, 2) is 2.68
            shown = Decimal(f"{a:.15g}")
            return finite(float(shown.quantize(Decimal(1).scaleb(-places), rounding=mode, context=_WIDE)))
        except (InvalidOperation, OverflowError, ValueError):
            return NUM

    def apply(x: Value, digits: Value = 0.0) -> Value:
        return elementwise(single, x, digits)

    return apply


def _numeric(function: Callable[..., float | CellError]) -> Callable[..., Value]:
    """A function of numbers made to take any values, cell by cell, errors passing through."""

    def single(*args: Value) -> Value:
        numbers = []
        for arg in args:
            value = number(direct(arg))
            if type(value) is CellError:
                return value
            numbers.append(value)
        try:
            result = function(*numbers)
        except (ValueError, OverflowError):
            return NUM
        return result if type(result) is CellError else finite(result)  # type: ignore[arg-type]

    return lambda *args: elementwise(single, *args)


def _mod(x: float, y: float) -> float | CellError:
    return DIV0 if y == 0 else x - y * math.floor(x / y)


def _sqrt(x: float) -> float | CellError:
    return NUM if x < 0 else math.sqrt(x)


def _ln(x: float) -> float | CellError:
    return NUM if x <= 0 else math.log(x)


def _power(x: float, y: float) -> float | CellError:
    return BINARY["^"](x, y)  # type: ignore[no-any-return]


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def whole(value: Value) -> int | CellError:
    """A value as a whole number, truncated as Excel does for positions and counts."""
    result = number(direct(value))
    if isinstance(result, CellError):
        return result
    return int(result) if math.isfinite(result) else NUM


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


def xl_vlookup(lookup: Value, table: Value, column: Value, exact: Value = MISSING) -> Value:
    """VLOOKUP with an exact match: the row of `table` whose first cell is `lookup`."""
    return _exact_lookup(lookup, as_grid(table).rows, column)


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


def xl_ifs(*pairs: Callable[[], Value]) -> Value:
    """IFS: the value after the first condition that holds; #N/A when none does."""
    for condition, value in zip(pairs[::2], pairs[1::2], strict=True):
        test = condition()
        if isinstance(test, Grid):
            raise NotCoveredError("IFS over arrays")
        holds = truth(test)
        if type(holds) is CellError:
            return holds
        if holds:
            return direct(value())
    return NA


def _na() -> Value:
    return NA


def _ftxl(function: Callable[..., cell_functions.Result]) -> Callable[..., Value]:
    """An ftxl sheet function as the plain engine calls it: an error argument is the answer, a refusal
    becomes an error value carrying its reason."""

    def call(*args: Value) -> Value:
        converted: list[Any] = []
        for arg in args:
            if isinstance(arg, Grid):
                for value in arg.values():
                    if type(value) is CellError:
                        return value
                converted.append(arg.rows)
            elif type(arg) is CellError:
                return arg
            else:
                converted.append(None if arg is MISSING else arg)
        result = cell_functions.answer(function, *converted)
        if isinstance(result, list):
            return Grid([[_value(v) for v in row] for row in result])
        return _value(result)

    return call


def _value(result: Any) -> Value:
    """One cell of an ftxl answer as a plain-engine value."""
    if isinstance(result, Refusal):
        return CellError(result.code, result.reason)
    return result if isinstance(result, str) else float(result)


def _ftxl_specs() -> dict[str, Spec]:
    specs = {}
    for name, function in cell_functions.FUNCTIONS.items():
        code = function.__code__
        required = code.co_argcount - len(function.__defaults__ or ())
        spec = Spec(_ftxl(function), required, code.co_argcount, ranges=None)
        for spelling in cell_functions.spellings(name):
            specs[spelling] = spec
    return specs


SPECS: dict[str, Spec] = {
    "SUM": Spec(xl_sum, 1, None, ranges=None),
    "MIN": Spec(xl_min, 1, None, ranges=None),
    "MAX": Spec(xl_max, 1, None, ranges=None),
    "AVERAGE": Spec(xl_average, 1, None, ranges=None),
    "COUNT": Spec(xl_count, 1, None, ranges=None),
    "COUNTA": Spec(xl_counta, 1, None, ranges=None),
    "COUNTBLANK": Spec(xl_countblank, 1, 1, ranges=None),
    "SUMPRODUCT": Spec(xl_sumproduct, 1, None, arrays=True),
    "IF": Spec(xl_if, 1, 3, lazy=True),
    "IFERROR": Spec(xl_iferror, 2, 2, lazy=True),
    "IFNA": Spec(xl_ifna, 2, 2, lazy=True),
    "CHOOSE": Spec(xl_choose, 2, None, lazy=True),
    "AND": Spec(xl_and, 1, None, ranges=None),
    "OR": Spec(xl_or, 1, None, ranges=None),
    "NOT": Spec(xl_not, 1, 1),
    "ISNUMBER": Spec(_is(lambda v: type(v) is float), 1, 1),
    "ISTEXT": Spec(_is(lambda v: type(v) is str), 1, 1),
    "ISLOGICAL": Spec(_is(lambda v: type(v) is bool), 1, 1),
    "ISBLANK": Spec(_is(lambda v: v is None), 1, 1),
    "ISERROR": Spec(_is(lambda v: type(v) is CellError), 1, 1),
    "ISNA": Spec(_is(lambda v: v == NA), 1, 1),
    "NA": Spec(_na, 0, 0),
    "ROUND": Spec(_rounder(ROUND_HALF_UP), 2, 2),
    "ROUNDUP": Spec(_rounder(ROUND_UP), 2, 2),
    "ROUNDDOWN": Spec(_rounder(ROUND_DOWN), 2, 2),
    "ABS": Spec(_numeric(abs), 1, 1),
    "INT": Spec(_numeric(lambda x: float(math.floor(x))), 1, 1),
    "SIGN": Spec(_numeric(_sign), 1, 1),
    "SQRT": Spec(_numeric(_sqrt), 1, 1),
    "EXP": Spec(_numeric(math.exp), 1, 1),
    "LN": Spec(_numeric(_ln), 1, 1),
    "MOD": Spec(_numeric(_mod), 2, 2),
    "POWER": Spec(_numeric(_power), 2, 2),
    "INDEX": Spec(xl_index, 2, 3, ranges=(0,)),
    "MATCH": Spec(xl_match, 3, 3, ranges=(1,)),
    "VLOOKUP": Spec(xl_vlookup, 4, 4, ranges=(1,)),
    "HLOOKUP": Spec(xl_hlookup, 4, 4, ranges=(1,)),
    "IFS": Spec(xl_ifs, 2, None, lazy=True),
    "COUNTIF": Spec(xl_countif, 2, 2, ranges=(0,)),
    "COUNTIFS": Spec(xl_countifs, 2, None, ranges=None),
    "SUMIF": Spec(xl_sumif, 2, 3, ranges=(0, 2)),
    "SUMIFS": Spec(xl_sumifs, 3, None, ranges=None),
    "AVERAGEIF": Spec(xl_averageif, 2, 3, ranges=(0, 2)),
    "AVERAGEIFS": Spec(xl_averageifs, 3, None, ranges=None),
    "MAXIFS": Spec(xl_maxifs, 3, None, ranges=None),
    "MINIFS": Spec(xl_minifs, 3, None, ranges=None),
    **{
        name: Spec(function, fewest, most, ranges=None if whole_ranges else ())
        for name, (function, fewest, most, whole_ranges) in TEXT_FUNCTIONS.items()
    },
    **_ftxl_specs(),
}
"""Every function the plain engine computes, by the upper-case name a formula calls it with."""
