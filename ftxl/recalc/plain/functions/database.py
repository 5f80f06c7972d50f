"""Excel's database functions: DSUM, DCOUNT, DCOUNTA, DAVERAGE, DMAX, DMIN, DPRODUCT, DGET, DSTDEV,
DSTDEVP, DVAR, DVARP.

A database is a range whose first row names its columns; the criteria range names
columns in its first row and holds conditions below: the cells of one row must all
hold (AND), any row may (OR), an empty row selects every record. A condition is a
criterion as COUNTIF reads it (">5", "<>x", 3), except that text alone selects the
values that begin with it, as in Excel ("Ap" selects Apple and Apricot).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ...values import DIV0, MISSING, NUM, VALUE, CellError, Grid, NotCoveredError, Value, direct, finite
from .criteria import criterion
from .spec import Library
from .statistics import deviation, variance

FUNCTIONS = Library()


NUMERIC_CONDITION = re.compile(r"^(?:<=|>=|<>|<|>|=)\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def _condition(value: Value) -> Callable[[Value], bool]:
    """A database condition; those whose Excel rules ftxl has not pinned down are left to the other engine."""
    if isinstance(value, float):
        return criterion(value)
    if isinstance(value, str) and NUMERIC_CONDITION.match(value.strip()):
        return criterion(value.strip())
    if isinstance(value, str) and value and value[0] not in "<>=" and not any(c in value for c in "*?~"):
        return criterion(value + "*")  # text alone: the values that begin with it
    raise NotCoveredError("a database condition other than a number, a comparison with one, or text")


def _selected(database: Value, field: Value, conditions: Value) -> list[Value] | list[list[Value]] | CellError:
    """The field's values of the records the criteria select (whole records when `field` is left out)."""
    if not isinstance(database, Grid) or not isinstance(conditions, Grid):
        return VALUE
    headers = [h.strip().upper() if isinstance(h, str) else "" for h in database.rows[0]]
    records = database.rows[1:]
    if not records:
        return VALUE  # a database of headings only
    column: int | None = None
    field = direct(field) if field is not MISSING else MISSING
    if isinstance(field, CellError):
        return field
    if isinstance(field, str):
        if field.strip().upper() not in headers:
            raise NotCoveredError("a database field named by text that is not one of its headings")
        column = headers.index(field.strip().upper())
    elif isinstance(field, float):
        column = int(field) - 1
        if not 0 <= column < len(headers):
            return VALUE
    elif field is not MISSING:
        raise NotCoveredError("a database field given as a logical")
    names = [h.strip().upper() if isinstance(h, str) else "" for h in conditions.rows[0]]
    tests: list[list[tuple[int, Callable[[Value], bool]]]] = []
    for row in conditions.rows[1:]:
        row_tests = []
        for name, value in zip(names, row, strict=True):
            if value is None or value == "":
                continue
            if isinstance(value, CellError):
                raise NotCoveredError("an error among database criteria")
            if not name or name not in headers:
                raise NotCoveredError("database criteria under a heading the database does not have")
            row_tests.append((headers.index(name), _condition(value)))
        tests.append(row_tests)
    chosen = [record for record in records if any(all(test(record[k]) for k, test in row) for row in tests)]
    return chosen if column is None else [record[column] for record in chosen]


def _numbers(values: list[Value]) -> list[float] | CellError:
    found = []
    for value in values:
        if isinstance(value, CellError):
            return value
        if type(value) is float:
            found.append(value)
    return found


def _statistic(function: Callable[[list[float]], float], empty: Value = DIV0, least: int = 1) -> Callable[..., Value]:
    """A statistic of the field's numbers in the selected records: `empty` when there is none, #DIV/0! when
    fewer than `least` (a sample variance needs two)."""

    def call(database: Value, field: Value, conditions: Value) -> Value:
        values = _selected(database, field, conditions)
        if isinstance(values, CellError):
            return values
        numbers = _numbers(values)  # type: ignore[arg-type]
        if isinstance(numbers, CellError):
            return numbers
        if not numbers:
            return empty
        if len(numbers) < least:
            return DIV0
        return finite(function(numbers))

    return call


FUNCTIONS.add("DSUM", 3, 3, ranges=(0, 2))(_statistic(math.fsum, 0.0))
FUNCTIONS.add("DAVERAGE", 3, 3, ranges=(0, 2))(_statistic(lambda v: math.fsum(v) / len(v)))
FUNCTIONS.add("DMAX", 3, 3, ranges=(0, 2))(_statistic(max, 0.0))
FUNCTIONS.add("DMIN", 3, 3, ranges=(0, 2))(_statistic(min, 0.0))
FUNCTIONS.add("DPRODUCT", 3, 3, ranges=(0, 2))(_statistic(math.prod, 0.0))
FUNCTIONS.add("DVAR", 3, 3, ranges=(0, 2))(_statistic(variance(True), least=2))
FUNCTIONS.add("DVARP", 3, 3, ranges=(0, 2))(_statistic(variance(False)))
FUNCTIONS.add("DSTDEV", 3, 3, ranges=(0, 2))(_statistic(deviation(True), least=2))
FUNCTIONS.add("DSTDEVP", 3, 3, ranges=(0, 2))(_statistic(deviation(False)))


def _count(test: Callable[[Value], bool]) -> Callable[..., Value]:
    def call(database: Value, field: Value, conditions: Value) -> Value:
        values = _selected(database, field, conditions)
        if isinstance(values, CellError):
            return values
        if field is MISSING:
            return float(len(values))
        return float(sum(1 for value in values if test(value)))

    return call


FUNCTIONS.add("DCOUNT", 3, 3, ranges=(0, 2))(_count(lambda value: type(value) is float))
FUNCTIONS.add("DCOUNTA", 3, 3, ranges=(0, 2))(_count(lambda value: value is not None and value != ""))


@FUNCTIONS.add("DGET", 3, 3, ranges=(0, 2))
def xl_dget(database: Value, field: Value, conditions: Value) -> Value:
    values = _selected(database, field, conditions)
    if isinstance(values, CellError):
        return values
    if not values:
        return VALUE
    if len(values) > 1:
        return NUM
    return values[0]
