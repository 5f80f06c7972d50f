"""Excel's arithmetic functions: ROUND, ROUNDUP, ROUNDDOWN, ABS, INT, SIGN, SQRT, EXP, LN, MOD, POWER.

Each works cell by cell over arrays; an error argument is the answer; an impossible one is #NUM!."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation

from ...values import BINARY, DIV0, NUM, CellError, Value, direct, elementwise, finite, number
from .spec import Library

FUNCTIONS = Library()


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


for _name, _mode in (("ROUND", ROUND_HALF_UP), ("ROUNDUP", ROUND_UP), ("ROUNDDOWN", ROUND_DOWN)):
    FUNCTIONS.add(_name, 2, 2)(_rounder(_mode))
FUNCTIONS.add("ABS", 1, 1)(_numeric(abs))
FUNCTIONS.add("INT", 1, 1)(_numeric(lambda x: float(math.floor(x))))
FUNCTIONS.add("SIGN", 1, 1)(_numeric(_sign))
FUNCTIONS.add("SQRT", 1, 1)(_numeric(_sqrt))
FUNCTIONS.add("EXP", 1, 1)(_numeric(math.exp))
FUNCTIONS.add("LN", 1, 1)(_numeric(_ln))
FUNCTIONS.add("MOD", 2, 2)(_numeric(_mod))
FUNCTIONS.add("POWER", 2, 2)(_numeric(_power))
