"""Excel's logical functions: IF, IFS, IFERROR, IFNA, AND, OR, NOT, the IS functions and NA.

IF and its kin take argument thunks (lazy), so that only the branch taken is evaluated, as in Excel."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from ...values import NA, VALUE, CellError, Grid, NotCoveredError, Value, direct, elementwise, number, truth
from .spec import Library

FUNCTIONS = Library()


@FUNCTIONS.add("IF", 1, 3, lazy=True)
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


@FUNCTIONS.add("IFERROR", 2, 2, lazy=True)
def xl_iferror(value: Callable[[], Value], fallback: Callable[[], Value]) -> Value:
    result = value()
    if isinstance(result, Grid):
        alternative = fallback()
        return elementwise(lambda v, a: direct(a) if type(v) is CellError else v, result, alternative)
    return direct(fallback()) if type(result) is CellError else result


@FUNCTIONS.add("IFNA", 2, 2, lazy=True)
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
            if value is None or value == "" or (in_range and type(value) is not bool and type(value) is not float):
                continue  # text and empty cells in a range, empty cells referred to and "" are skipped
            test = truth(value)
            if type(test) is CellError:
                return test  # type: ignore[return-value]
            found.append(test)  # type: ignore[arg-type]
    return found


@FUNCTIONS.add("AND", 1, None, ranges=None)
def xl_and(*args: Value) -> Value:
    found = _logicals(args)
    if type(found) is CellError:
        return found
    return all(found) if found else VALUE  # type: ignore[arg-type]


@FUNCTIONS.add("OR", 1, None, ranges=None)
def xl_or(*args: Value) -> Value:
    found = _logicals(args)
    if type(found) is CellError:
        return found
    return any(found) if found else VALUE  # type: ignore[arg-type]


@FUNCTIONS.add("NOT", 1, 1)
def xl_not(value: Value) -> Value:
    def single(v: Value) -> Value:
        test = truth(v)
        return test if type(test) is CellError else not test

    return elementwise(single, direct(value))


def _is(test: Callable[[Value], bool]) -> Callable[[Value], Value]:
    return lambda value: elementwise(test, value)


FUNCTIONS.add("ISNUMBER", 1, 1)(_is(lambda v: type(v) is float))
FUNCTIONS.add("ISTEXT", 1, 1)(_is(lambda v: type(v) is str))
FUNCTIONS.add("ISLOGICAL", 1, 1)(_is(lambda v: type(v) is bool))
FUNCTIONS.add("ISBLANK", 1, 1)(_is(lambda v: v is None))
FUNCTIONS.add("ISERROR", 1, 1)(_is(lambda v: type(v) is CellError))
FUNCTIONS.add("ISNA", 1, 1)(_is(lambda v: v == NA))
FUNCTIONS.add("ISERR", 1, 1)(_is(lambda v: type(v) is CellError and v != NA))
FUNCTIONS.add("ISNONTEXT", 1, 1)(_is(lambda v: type(v) is not str))


def _parity(odd: bool) -> Callable[[Value], Value]:
    """ISEVEN / ISODD of a number (its whole part; an empty cell is 0); a logical is #VALUE!."""

    def test(value: Value) -> Value:
        if type(value) is bool:
            return VALUE
        if type(value) is str:
            raise NotCoveredError("ISEVEN or ISODD of text")  # Excel reads some text as dates
        n = number(direct(value))
        if type(n) is CellError:
            return n
        return (math.trunc(n) % 2 == 1) is odd  # type: ignore[arg-type]

    return lambda value: elementwise(test, value)


FUNCTIONS.add("ISEVEN", 1, 1)(_parity(False))
FUNCTIONS.add("ISODD", 1, 1)(_parity(True))


def _one_cell(value: Value) -> Value:
    """The value of a single cell or a typed value; a range of several cells is read by rules of Excel's own."""
    if isinstance(value, Grid):
        if value.shape != (1, 1):
            raise NotCoveredError("N or T of a range of several cells")
        return value.first()
    return value


@FUNCTIONS.add("N", 1, 1, ranges=None)
def xl_n(value: Value) -> Value:
    """N(value): a number as it is, TRUE as 1, an error as it is, anything else (text, FALSE, empty) 0."""
    value = _one_cell(value)
    kind = type(value)
    if kind is float or kind is CellError:
        return value
    return 1.0 if value is True else 0.0


@FUNCTIONS.add("T", 1, 1, ranges=None)
def xl_t(value: Value) -> Value:
    """T(value): text as it is, an error as it is, anything else empty text."""
    value = _one_cell(value)
    return value if type(value) in (str, CellError) else ""


@FUNCTIONS.add("IFS", 2, None, lazy=True)
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


@FUNCTIONS.add("NA", 0, 0)
def _na() -> Value:
    return NA


@FUNCTIONS.add("TRUE", 0, 0)
def _true() -> Value:
    """TRUE(): the logical TRUE (LibreOffice writes TRUE and FALSE as functions)."""
    return True


@FUNCTIONS.add("FALSE", 0, 0)
def _false() -> Value:
    """FALSE(): the logical FALSE."""
    return False


@FUNCTIONS.add("XOR", 1, None, ranges=None)
def xl_xor(*args: Value) -> Value:
    """TRUE when an odd number of the logicals are TRUE (the same values as AND and OR read)."""
    found = _logicals(args)
    if type(found) is CellError:
        return found
    return sum(found) % 2 == 1 if found else VALUE  # type: ignore[arg-type]
