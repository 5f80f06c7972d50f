"""Excel's aggregates over ranges and values: SUM, SUMSQ, MIN, MAX, AVERAGE, COUNT, COUNTA, COUNTBLANK,
SUMPRODUCT."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from ...values import DIV0, VALUE, CellError, Grid, NotCoveredError, Value, as_grid, direct, finite, number
from .spec import Library

FUNCTIONS = Library()


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


def running_sum(values: Iterable[float]) -> float:
    """The numbers added one by one in their order, as Excel adds them in SUM and AVERAGE: its
    =SUM(0.1,0.2,-0.3) is 5.55E-17, not the exact sum of the three doubles (2.78E-17, math.fsum's)."""
    total = 0.0
    for value in values:
        total += value
    return total


def numbers_of(args: Iterable[Value]) -> list[float] | CellError:
    """The numbers an aggregate sees in its arguments (as `_numbers`), or the first error among them; written
    out, not through `_numbers`, because a running sum down a column reads its ranges millions of times."""
    found: list[float] = []
    append = found.append
    for arg in args:
        if isinstance(arg, Grid):
            for row in arg.rows:
                for value in row:
                    kind = type(value)
                    if kind is float:
                        append(value)  # type: ignore[arg-type]
                    elif kind is CellError:
                        return value  # type: ignore[return-value]
        elif arg is not None:
            result = number(direct(arg))
            if type(result) is CellError:
                return result
            append(result)  # type: ignore[arg-type]
    return found


@FUNCTIONS.add("SUM", 1, None, ranges=None, blanks_add_nothing=True)
def xl_sum(*args: Value) -> Value:
    values = numbers_of(args)
    return values if isinstance(values, CellError) else finite(running_sum(values))


@FUNCTIONS.add("SUMSQ", 1, None, ranges=None, blanks_add_nothing=True)
def xl_sumsq(*args: Value) -> Value:
    values = numbers_of(args)
    return values if isinstance(values, CellError) else finite(running_sum(v * v for v in values))


@FUNCTIONS.add("MIN", 1, None, ranges=None, blanks_add_nothing=True)
def xl_min(*args: Value) -> Value:
    values = numbers_of(args)
    return values if isinstance(values, CellError) else (min(values) if values else 0.0)


@FUNCTIONS.add("MAX", 1, None, ranges=None, blanks_add_nothing=True)
def xl_max(*args: Value) -> Value:
    values = numbers_of(args)
    return values if isinstance(values, CellError) else (max(values) if values else 0.0)


@FUNCTIONS.add("AVERAGE", 1, None, ranges=None, blanks_add_nothing=True)
def xl_average(*args: Value) -> Value:
    values = numbers_of(args)
    if isinstance(values, CellError):
        return values
    return finite(running_sum(values) / len(values)) if values else DIV0


@FUNCTIONS.add("COUNT", 1, None, ranges=None, blanks_add_nothing=True)
def xl_count(*args: Value) -> Value:
    return float(sum(1 for value in _numbers(args, skip_errors=True)))


@FUNCTIONS.add("COUNTA", 1, None, ranges=None, blanks_add_nothing=True)
def xl_counta(*args: Value) -> Value:
    total = 0
    for arg in args:
        if isinstance(arg, Grid):
            total += arg.filled()
        elif arg is not None:  # None: an empty cell reached through a reference
            total += 1
    return float(total)


@FUNCTIONS.add("COUNTBLANK", 1, 1, ranges=None, counts_blanks=True)
def xl_countblank(cells: Value) -> Value:
    grid = as_grid(cells)
    return float(sum(1 for value in grid.values() if value is None or value == "") + grid.beyond)


@FUNCTIONS.add("SUMPRODUCT", 1, None, arrays=True)
def xl_sumproduct(*args: Value) -> Value:
    grids = [as_grid(a) for a in args]
    if len({g.shape for g in grids}) > 1:
        return VALUE
    if grids[0].shape == (1, 1) and any(type(g.first()) in (str, bool) for g in grids):
        # single cells are read as values there, and Excel's answer for text or a logical among them (#VALUE!
        # for "4" in POI's test data) is not known in general
        raise NotCoveredError("SUMPRODUCT of single cells holding text or a logical")
    for grid in grids:
        for value in grid.values():
            if type(value) is CellError:
                return value
    columns = [[v if type(v) is float else 0.0 for v in g.values()] for g in grids]
    return finite(math.fsum(math.prod(items) for items in zip(*columns, strict=True)))


def _product(values: list[float]) -> Value:
    return finite(math.prod(values))


@FUNCTIONS.add("PRODUCT", 1, None, ranges=None, blanks_add_nothing=True)
def xl_product(*args: Value) -> Value:
    values = numbers_of(args)
    return values if isinstance(values, CellError) else (_product(values) if values else 0.0)
