"""Excel's value rules in plain Python: coercion, operators and comparison, cell by cell and over arrays.

A value is a float, a str, a bool, a `CellError`, or None for an empty cell. A range or
an array is a `Grid` of rows. The rules are Excel's: an empty cell is 0 in arithmetic
and "" in text; text that reads as a number takes part in arithmetic, other text gives
#VALUE!; the first error among the operands is the result; comparisons order numbers
before text before logicals and ignore the case of text; arrays combine cell by cell,
a single row or column stretching across the other's shape and #N/A where neither has
a cell.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
"""The error values a cell can hold."""


@dataclass(frozen=True)
class CellError:
    """An Excel error value such as #DIV/0!, as read from or written to a cell.

    `reason` says why, when ftxl knows (an ftxl function's check that failed); it travels with the
    value through every formula that passes the error on, and never takes part in comparisons.
    """

    code: str
    reason: str = field(default="", compare=False)


Value = Any
"""float | str | bool | CellError | None."""

DIV0 = CellError("#DIV/0!")
VALUE = CellError("#VALUE!")
NA = CellError("#N/A")
NUM = CellError("#NUM!")
REF = CellError("#REF!")
NAME = CellError("#NAME?")


MAX_RANGE_CELLS = 2**21
"""The largest range (in cells, two whole columns) either engine reads; a formula reading a larger one shows
#VALUE! with a warning, so that a small file cannot make ftxl build a box of billions of cells."""


def area(box: tuple[int, int, int, int]) -> int:
    """Cells in a (min column, min row, max column, max row) box."""
    min_col, min_row, max_col, max_row = box
    return (max_col - min_col + 1) * (max_row - min_row + 1)


class NotCoveredError(Exception):
    """Something the plain engine does not compute exactly as Excel; the `formulas` engine takes over."""


class _Missing:
    """An argument left out, as in IF(A1,,1)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Grid:
    """Rows of values: a range read from the sheet (`is_ref`) or an array a formula built."""

    __slots__ = ("rows", "is_ref", "_filled", "_error", "beyond")

    def __init__(self, rows: list[list[Value]], is_ref: bool = False, beyond: int = 0) -> None:
        self.rows = rows
        self.is_ref = is_ref
        self.beyond = beyond
        """Empty cells of the range past the rows (columns) in use, left out of `rows` (COUNTIF counts them)."""
        self._filled: int | None = None
        self._error: CellError | None | bool = False  # False: not looked for yet

    def first_error(self) -> CellError | None:
        """The first error value in the rows, or None; looked for once (ftxl's functions pass it on)."""
        if self._error is False:
            self._error = next((v for row in self.rows for v in row if type(v) is CellError), None)
        return self._error  # type: ignore[return-value]

    def filled(self) -> int:
        """How many cells hold anything (COUNTA); counted once, as a label log is read by many formulas."""
        if self._filled is None:
            self._filled = sum(1 for row in self.rows for value in row if value is not None)
        return self._filled

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0]) if self.rows else 0

    def values(self) -> Iterator[Value]:
        for row in self.rows:
            yield from row

    def first(self) -> Value:
        return self.rows[0][0] if self.rows and self.rows[0] else None

    def __repr__(self) -> str:
        return f"Grid({self.rows!r}, is_ref={self.is_ref})"


def as_grid(value: Value) -> Grid:
    """A range or array as it is; a single value as a 1x1 array."""
    return value if isinstance(value, Grid) else Grid([[value]])


def direct(value: Value) -> Value:
    """An argument as its function uses it: one left out counts as 0, as Excel's do."""
    return 0.0 if value is MISSING else value


def number(value: Value) -> float | CellError:
    """A value as a number for arithmetic, or the error Excel gives instead."""
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if value is None:
        return 0.0
    if kind is bool:
        return 1.0 if value else 0.0
    if kind is str:
        return text_number(value)
    if kind is CellError:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    if isinstance(value, Grid):
        return number(value.first())
    return VALUE


def text_number(text: str) -> float | CellError:
    """Text that reads as a number ("12", " 1e3 ", "50%") as that number, else #VALUE!."""
    stripped = text.strip()
    scale = 1.0
    if stripped.endswith("%"):
        stripped, scale = stripped[:-1].rstrip(), 0.01
    if not stripped or stripped.lower().lstrip("+-") in ("inf", "infinity", "nan") or "_" in stripped:
        return VALUE
    try:
        return float(stripped) * scale
    except ValueError:
        if _MAYBE_NUMBER.match(stripped) or (_MONTH.search(stripped) and any(c.isdigit() for c in stripped)):
            why = "text Excel may read as a number, a date or a time ($5, 1,000, (5), 1/2, 9:30)"
            raise NotCoveredError(why) from None
        return VALUE


_MAYBE_NUMBER = re.compile(r"^[\d\s,.$()+\-/:%]*\d[\d\s,.$()+\-/:%]*(?:\s*(?:am|pm|a|p))?$", re.IGNORECASE)
"""Text of digits with currency, grouping, parentheses, date or time signs: Excel reads much of it as a number."""
_MONTH = re.compile(r"(?<![a-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)


def text(value: Value) -> str | CellError:
    """A value as text for &: numbers as Excel's General format writes them."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is float or kind is int:
        if 0 < abs(value) < 1e-4:  # type: ignore[arg-type]
            # Excel writes 0.00001 as "0.00001", not "1E-05"; where it turns to E notation is not known here
            raise NotCoveredError("a number below 0.0001 turned into text")
        return general(float(value))
    if kind is CellError:
        return value  # type: ignore[no-any-return]
    if isinstance(value, Grid):
        return text(value.first())
    return VALUE


def general(value: float) -> str:
    """A number as text the way Excel turns it into a string: 15 significant digits, no trailing zeros."""
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    digits = f"{value:.15g}"
    if "e" in digits:
        mantissa, exponent = digits.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{abs(int(exponent)):02d}"
    return digits


def truth(value: Value) -> bool | CellError:
    """A value as a condition (IF, AND): numbers are TRUE unless 0; text must read TRUE or FALSE."""
    kind = type(value)
    if kind is bool:
        return value  # type: ignore[no-any-return]
    if kind is float or kind is int:
        return value != 0
    if value is None:
        return False
    if kind is str:
        upper = value.upper()
        if upper in ("TRUE", "FALSE"):
            return upper == "TRUE"
        return VALUE
    if kind is CellError:
        return value  # type: ignore[no-any-return]
    if isinstance(value, Grid):
        return truth(value.first())
    return VALUE


def finite(result: float) -> float | CellError:
    return result if math.isfinite(result) else NUM


def _power(x: float, y: float) -> float | CellError:
    if x == 0 and y <= 0:
        return DIV0 if y < 0 else NUM
    try:
        result = x**y
    except OverflowError:
        return NUM
    if isinstance(result, complex):
        return NUM
    return finite(result)


def _arithmetic(function: Callable[[float, float], float | CellError]) -> Callable[[Value, Value], Value]:
    def apply(x: Value, y: Value) -> Value:
        if type(x) is float and type(y) is float:
            return function(x, y)
        a, b = number(x), number(y)
        if isinstance(a, CellError):
            return a
        if isinstance(b, CellError):
            return b
        return function(a, b)

    return apply


def _divide(x: float, y: float) -> float | CellError:
    return DIV0 if y == 0 else finite(x / y)


def _plus(x: float, y: float) -> float | CellError:
    return finite(x + y)


def _minus(x: float, y: float) -> float | CellError:
    return finite(x - y)


def _times(x: float, y: float) -> float | CellError:
    return finite(x * y)


def _concatenate(x: Value, y: Value) -> Value:
    a, b = text(x), text(y)
    if type(a) is CellError:
        return a
    if type(b) is CellError:
        return b
    return a + b  # type: ignore[operator]


_RANK = {float: 0, int: 0, str: 1, bool: 2}


def compare(x: Value, y: Value) -> int | CellError:
    """-1, 0 or 1 as Excel orders two values (numbers < text < logicals; text without case)."""
    if type(x) is CellError:
        return x
    if type(y) is CellError:
        return y
    if x is None:
        x = "" if type(y) is str else False if type(y) is bool else 0.0
    if y is None:
        y = "" if type(x) is str else False if type(x) is bool else 0.0
    rank_x, rank_y = _RANK.get(type(x), 3), _RANK.get(type(y), 3)
    if rank_x != rank_y:
        return -1 if rank_x < rank_y else 1
    if rank_x == 1:
        x, y = x.lower(), y.lower()
        if x != y:
            _ordered_alike(x, y)
    return (x > y) - (x < y)  # type: ignore[no-any-return]


def _ordered_alike(x: str, y: str) -> None:
    """Two texts Excel orders as Python does (by code after lower case) only where they first differ in a
    letter A-Z, a digit or a space: Excel sorts punctuation before digits, an accented letter with its
    plain one, and skips hyphens and apostrophes. Other orders are left to another engine."""
    k = next((i for i, (a, b) in enumerate(zip(x, y, strict=False)) if a != b), min(len(x), len(y)))
    for char in (x[k : k + 1], y[k : k + 1]):
        if char and not (char == " " or (char.isascii() and char.isalnum())):
            raise NotCoveredError("an order of texts that differ in punctuation or a letter outside A-Z")


def fifteen_digits(x: float, y: float) -> tuple[float, float]:
    """Two numbers as Excel's comparison operators see them: two that agree to 15 significant digits are equal
    (=0.1+0.2=0.3 is TRUE, though 0.1+0.2 is 0.30000000000000004), two that do not keep their order
    (=0.1=1.2-1.1 is FALSE: 0.0999999999999999 to 15 digits; =0=0.5-0.4-0.1 is FALSE)."""
    if x == y or abs(x - y) > 1e-13 * max(abs(x), abs(y)):
        return x, y
    return float(f"{x:.15g}"), float(f"{y:.15g}")


def _comparison(test: Callable[[Any, Any], bool], equality: bool = False) -> Callable[[Value, Value], Value]:
    def apply(x: Value, y: Value) -> Value:
        if type(x) is float and type(y) is float:
            return test(*fifteen_digits(x, y))
        if equality and type(x) is str and type(y) is str:  # equal or not, whatever the order
            return test(int(x.lower() != y.lower()), 0)
        order = compare(x, y)
        return order if type(order) is CellError else test(order, 0)  # type: ignore[arg-type]

    return apply


BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": _arithmetic(_plus),
    "-": _arithmetic(_minus),
    "*": _arithmetic(_times),
    "/": _arithmetic(_divide),
    "^": _arithmetic(_power),
    "&": _concatenate,
    "=": _comparison(operator.eq, equality=True),
    "<>": _comparison(operator.ne, equality=True),
    "<": _comparison(operator.lt),
    ">": _comparison(operator.gt),
    "<=": _comparison(operator.le),
    ">=": _comparison(operator.ge),
}
"""Excel's infix operators on two single values."""


def negate(value: Value) -> Value:
    result = number(value)
    return result if type(result) is CellError else -result  # type: ignore[operator]


def percent(value: Value) -> Value:
    result = number(value)
    return result if type(result) is CellError else result / 100  # type: ignore[operator]


def plus(value: Value) -> Value:
    """Unary +: Excel leaves the value as it is."""
    return value


UNARY: dict[str, Callable[[Value], Value]] = {"-": negate, "+": plus, "%": percent}


def cell_at(grid: Grid, r: int, c: int) -> Value:
    """Cell (r, c) of `grid` stretched to a larger shape: a single row or column repeats, else #N/A."""
    rows, cols = grid.shape
    if rows == 1:
        r = 0
    if cols == 1:
        c = 0
    if r >= rows or c >= cols:
        return NA
    return grid.rows[r][c]


def broadcast_shape(*grids: Grid) -> tuple[int, int]:
    return max(g.shape[0] for g in grids), max(g.shape[1] for g in grids)


def elementwise(function: Callable[..., Value], *args: Value) -> Value:
    """`function` applied to single values, or cell by cell when any argument is a range or array."""
    for a in args:
        if isinstance(a, Grid):
            break
    else:  # single values only: the common case, without building a list
        return function(*args)
    rows, cols = broadcast_shape(*(a for a in args if isinstance(a, Grid)))
    return Grid(
        [
            [function(*(cell_at(a, r, c) if isinstance(a, Grid) else a for a in args)) for c in range(cols)]
            for r in range(rows)
        ]
    )


def binary(symbol: str) -> Callable[[Value, Value], Value]:
    """The infix operator `symbol` over values or arrays."""
    scalar = BINARY[symbol]

    def apply(x: Value, y: Value) -> Value:
        if (type(x) is not float or type(y) is not float) and (isinstance(x, Grid) or isinstance(y, Grid)):
            return elementwise(scalar, x, y)
        return scalar(x, y)

    return apply


def unary(symbol: str) -> Callable[[Value], Value]:
    scalar = UNARY[symbol]

    def apply(x: Value) -> Value:
        return elementwise(scalar, x) if isinstance(x, Grid) else scalar(x)

    return apply
