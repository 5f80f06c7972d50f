"""Excel's conditional functions: COUNTIF, COUNTIFS, SUMIF(S), AVERAGEIF(S), MAXIFS, MINIFS, and their criteria.

A criterion is a number, a logical, or text: "labels", "a*" (wildcards * ? and ~ for a
literal one), or a comparison such as ">0", "<=1", "<>x". Text is matched without regard
to case; text that reads as a number matches that number. Criteria the plain engine does
not settle exactly as Excel (text compared by order, logicals or errors written as text,
an empty cell as criterion, an array of criteria for the *IFS family) raise `NotCoveredError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ...values import (
    DIV0,
    ERRORS,
    MISSING,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    as_grid,
    compare,
    elementwise,
    finite,
    text_number,
)
from .spec import Library

FUNCTIONS = Library()

_CRITERION = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


def _wildcard(pattern: str) -> re.Pattern[str] | None:
    """A regular expression for an Excel pattern with * ? and ~ escapes; None when it has none."""
    if not re.search(r"[*?~]", pattern):
        return None
    pieces, escaped = [], False
    for char in pattern:
        if escaped:
            pieces.append(re.escape(char))
            escaped = False
        elif char == "~":
            escaped = True
        elif char == "*":
            pieces.append(".*")
        elif char == "?":
            pieces.append(".")
        else:
            pieces.append(re.escape(char))
    return re.compile("".join(pieces) + r"\Z", re.I | re.S)


def text_matches(pattern: str) -> Callable[[Value], bool]:
    """Whether a cell holds text equal to `pattern` (wildcards * ? ~, case ignored), as MATCH and COUNTIF test."""
    regex = _wildcard(pattern)
    if regex is not None:
        return lambda value: type(value) is str and regex.match(value) is not None
    lowered = pattern.lower()
    return lambda value: type(value) is str and value.lower() == lowered


DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?(?:\s.*)?$|^\d{1,2}[-\s][A-Za-z]{3}|^[A-Za-z]{3,9}\s+\d")
"""Text a criterion compares that Excel would read as a date ("2024-07-01", "1-Jan", "Jan 5")."""


def criterion(value: Value) -> Callable[[Value], bool]:
    """Which cells a criterion of COUNTIF, SUMIFS and the like (5, ">0", "<=1", "labels", "a*") selects."""
    kind = type(value)
    if kind is float:
        return lambda cell: (
            (type(cell) is float and cell == value) or (type(cell) is str and text_number(cell) == value)
        )
    if kind is bool:
        return lambda cell: type(cell) is bool and cell == value
    if kind is CellError:  # an error as criterion selects the cells holding that error
        return lambda cell: type(cell) is CellError and cell.code == value.code
    if kind is not str:
        raise NotCoveredError("a criterion that is not a number, text or logical")
    match = _CRITERION.match(value)
    assert match is not None
    op, operand = match.group(1) or "", match.group(2)
    try:
        target = text_number(operand)
    except NotCoveredError:
        if DATE_LIKE.match(operand.strip()):
            raise NotCoveredError("a criterion with a date written as text") from None  # Excel reads it as a date
        raise
    if type(target) is float and not operand.strip().endswith("%"):
        if op in ("", "="):
            return criterion(target)
        if op == "<>":  # unlike "=23", "<>23" counts the text "23" as different
            return lambda cell: not (type(cell) is float and cell == target)
        test = {"<": float.__lt__, ">": float.__gt__, "<=": float.__le__, ">=": float.__ge__}[op]
        return lambda cell: type(cell) is float and test(cell, target)
    if operand.upper() in ("TRUE", "FALSE") or operand in ERRORS:
        raise NotCoveredError("a criterion on logicals or errors")
    if DATE_LIKE.match(operand.strip()):
        raise NotCoveredError("a criterion with a date written as text")  # Excel reads it as a date
    if op == "" and operand == "":
        return lambda cell: cell is None or cell == ""
    if op == "=" and operand == "":
        return lambda cell: cell is None
    if op == "<>" and operand == "":
        return lambda cell: cell is not None
    if op in ("", "="):
        return text_matches(operand)
    if op == "<>":
        matches = text_matches(operand)
        return lambda cell: not matches(cell)
    if operand == "":
        return lambda cell: False  # ">" or "<=" with nothing after it selects nothing
    ordered = {"<": int.__lt__, ">": int.__gt__, "<=": int.__le__, ">=": int.__ge__}[op]
    return lambda cell: type(cell) is str and ordered(compare(cell, operand), 0)  # type: ignore[arg-type]


@FUNCTIONS.add("COUNTIF", 2, 2, ranges=(0,), counts_blanks=True)
def xl_countif(cells: Value, condition: Value) -> Value:
    grid = as_grid(cells)

    def count(single: Value) -> Value:
        if single is None:
            raise NotCoveredError("an empty cell as a criterion")
        test = criterion(single)
        return float(sum(1 for value in grid.values() if test(value)) + (grid.beyond if test(None) else 0))

    return elementwise(count, condition)


def _tests(pairs: tuple[Value, ...]) -> tuple[list[list[Value]], list[Callable[[Value], bool]]] | CellError:
    """The ranges and criteria of (range, criterion, range, criterion, ...); all ranges one shape."""
    ranges, tests = [], []
    if len(pairs) % 2:
        raise NotCoveredError("criteria without a range")
    for cells, condition in zip(pairs[::2], pairs[1::2], strict=True):
        if isinstance(condition, Grid) and condition.shape == (1, 1):
            condition = condition.first()
        if isinstance(condition, Grid):
            raise NotCoveredError("an array of criteria")
        if condition is None:
            raise NotCoveredError("an empty cell as a criterion")
        ranges.append(list(as_grid(cells).values()))
        tests.append(criterion(condition))
    if len({len(values) for values in ranges}) > 1 or len({as_grid(c).shape for c in pairs[::2]}) > 1:
        return VALUE
    return ranges, tests


def _selected(values: Value, pairs: tuple[Value, ...]) -> list[Value] | CellError:
    """The cells of `values` where every (range, criterion) pair matches."""
    found = _tests(pairs)
    if isinstance(found, CellError):
        return found
    ranges, tests = found
    target = list(as_grid(values).values())
    if as_grid(values).shape != as_grid(pairs[0]).shape:
        raise NotCoveredError("a sum or average range of another shape than its criteria range")
    return [
        value
        for k, value in enumerate(target)
        if all(test(cells[k]) for cells, test in zip(ranges, tests, strict=True))
    ]


def _numbers_of(selected: list[Value] | CellError) -> list[float] | CellError:
    if isinstance(selected, CellError):
        return selected
    numbers = []
    for value in selected:
        if type(value) is CellError:
            return value  # type: ignore[no-any-return]
        if type(value) is float:
            numbers.append(value)
    return numbers


@FUNCTIONS.add("COUNTIFS", 2, None, ranges=None, counts_blanks=True, pairs_ranges=True)
def xl_countifs(*pairs: Value) -> Value:
    found = _tests(pairs)
    if isinstance(found, CellError):
        return found
    ranges, tests = found
    beyond = as_grid(pairs[0]).beyond if all(test(None) for test in tests) else 0  # rows past those in use
    matched = sum(1 for k in range(len(ranges[0])) if all(t(r[k]) for r, t in zip(ranges, tests, strict=True)))
    return float(matched + beyond)


@FUNCTIONS.add("SUMIF", 2, 3, ranges=(0, 2), blanks_add_nothing=True, pairs_ranges=True)
def xl_sumif(cells: Value, condition: Value, values: Value = MISSING) -> Value:
    return xl_sumifs(cells if values is MISSING else values, cells, condition)


@FUNCTIONS.add("SUMIFS", 3, None, ranges=None, blanks_add_nothing=True, pairs_ranges=True)
def xl_sumifs(values: Value, *pairs: Value) -> Value:
    numbers = _numbers_of(_selected(values, pairs))
    return numbers if isinstance(numbers, CellError) else finite(math.fsum(numbers))


@FUNCTIONS.add("AVERAGEIF", 2, 3, ranges=(0, 2), blanks_add_nothing=True, pairs_ranges=True)
def xl_averageif(cells: Value, condition: Value, values: Value = MISSING) -> Value:
    return xl_averageifs(cells if values is MISSING else values, cells, condition)


@FUNCTIONS.add("AVERAGEIFS", 3, None, ranges=None, blanks_add_nothing=True, pairs_ranges=True)
def xl_averageifs(values: Value, *pairs: Value) -> Value:
    numbers = _numbers_of(_selected(values, pairs))
    if isinstance(numbers, CellError):
        return numbers
    return finite(math.fsum(numbers) / len(numbers)) if numbers else DIV0


@FUNCTIONS.add("MAXIFS", 3, None, ranges=None, blanks_add_nothing=True, pairs_ranges=True)
def xl_maxifs(values: Value, *pairs: Value) -> Value:
    numbers = _numbers_of(_selected(values, pairs))
    return numbers if isinstance(numbers, CellError) else (max(numbers) if numbers else 0.0)


@FUNCTIONS.add("MINIFS", 3, None, ranges=None, blanks_add_nothing=True, pairs_ranges=True)
def xl_minifs(values: Value, *pairs: Value) -> Value:
    numbers = _numbers_of(_selected(values, pairs))
    return numbers if isinstance(numbers, CellError) else (min(numbers) if numbers else 0.0)
