"""Excel's arithmetic functions: ROUND, ROUNDUP, ROUNDDOWN, ABS, INT, SIGN, SQRT, EXP, LN, MOD, POWER.

Each works cell by cell over arrays; an error argument is the answer; an impossible one is #NUM!."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation

from ...values import (
    BINARY,
    DIV0,
    MISSING,
    NA,
    NUM,
    VALUE,
    CellError,
    Grid,
    NotCoveredError,
    Value,
    direct,
    elementwise,
    finite,
    number,
    truth,
)
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


def numeric(function: Callable[..., float | CellError]) -> Callable[..., Value]:
    """A function of numbers made to take any values, cell by cell, errors passing through; a division by
    zero is #DIV/0!, an impossible argument (or a complex result) #NUM!."""

    def single(*args: Value) -> Value:
        numbers = []
        given = list(args)
        while given and given[-1] is MISSING:
            given.pop()  # optional arguments left out at the end take their defaults
        for arg in given:
            value = number(direct(arg))  # one left out between others is 0, as in Excel
            if type(value) is CellError:
                return value
            numbers.append(value)
        try:
            result = function(*numbers)
        except ZeroDivisionError:
            return DIV0
        except (ValueError, OverflowError, TypeError):
            return NUM
        if isinstance(result, complex):
            return NUM  # a negative number to a fractional power
        return result if type(result) is CellError else finite(result)  # type: ignore[arg-type]

    return lambda *args: elementwise(single, *args)


def logical_at(function: Callable[..., Value], index: int) -> Callable[..., Value]:
    """A function whose argument `index` is a logical (cumulative, no_switch): TRUE/FALSE, a number, text that
    reads "TRUE" or "FALSE", or left out (FALSE), passed on as 1.0 or 0.0 cell by cell; other text is #VALUE!."""

    def flag(value: Value) -> Value:
        decided = truth(direct(value))
        return 1.0 if decided is True else 0.0 if decided is False else decided

    def call(*args: Value) -> Value:
        if len(args) <= index:
            return function(*args)
        given = list(args)
        given[index] = elementwise(flag, given[index])
        return function(*given)

    return call


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


def whole_argument(value: Value, default: int | None = None) -> int | CellError:
    """An argument that is one whole number (a size, an index, a kind), read from its first cell and truncated;
    `default` when it is left out (without one, a left-out argument is 0, as in Excel)."""
    value = value.first() if isinstance(value, Grid) else value
    return default if value is MISSING and default is not None else whole(value)


for _name, _mode in (("ROUND", ROUND_HALF_UP), ("ROUNDUP", ROUND_UP), ("ROUNDDOWN", ROUND_DOWN)):
    FUNCTIONS.add(_name, 2, 2)(_rounder(_mode))
FUNCTIONS.add("ABS", 1, 1)(numeric(abs))
FUNCTIONS.add("INT", 1, 1)(numeric(lambda x: float(math.floor(x))))
FUNCTIONS.add("SIGN", 1, 1)(numeric(_sign))
FUNCTIONS.add("SQRT", 1, 1)(numeric(_sqrt))
FUNCTIONS.add("EXP", 1, 1)(numeric(math.exp))
FUNCTIONS.add("LN", 1, 1)(numeric(_ln))
FUNCTIONS.add("MOD", 2, 2)(numeric(_mod))
FUNCTIONS.add("POWER", 2, 2)(numeric(_power))


def _log(x: float, base: float = 10.0) -> float | CellError:
    if x <= 0 or base <= 0:
        return NUM
    if base == 1:
        return DIV0
    return math.log10(x) if base == 10 else math.log(x) / math.log(base)


def _asin(x: float) -> float | CellError:
    return NUM if abs(x) > 1 else math.asin(x)


def _acos(x: float) -> float | CellError:
    return NUM if abs(x) > 1 else math.acos(x)


def _atan2(x: float, y: float) -> float | CellError:
    return DIV0 if x == 0 and y == 0 else math.atan2(y, x)  # Excel takes x first


def _ceiling(x: float, significance: float) -> float | CellError:
    """CEILING: away from zero up to a multiple; a negative multiple only for a negative number."""
    if significance == 0 or x == 0:
        return 0.0
    if x > 0 > significance:
        return NUM
    return _multiple(x, significance, math.ceil)


def _floor(x: float, significance: float) -> float | CellError:
    if significance == 0:
        return DIV0 if x else 0.0
    if x > 0 > significance:
        return NUM
    return _multiple(x, significance, math.floor)


def _multiple(x: float, significance: float, direction: Callable[[float], int]) -> float:
    """x rounded to a multiple of `significance` by `direction`, forgiving the last bits of x / significance."""
    ratio = x / significance
    nearest = round(ratio)
    if abs(ratio - nearest) < 1e-12 * max(1.0, abs(ratio)):
        return nearest * significance
    return direction(ratio) * significance


def _mround(x: float, multiple: float) -> float | CellError:
    if multiple == 0:
        return 0.0
    if x * multiple < 0:
        return NUM
    ratio = abs(x / multiple)
    rounded = math.floor(ratio + 0.5 + 1e-12 * ratio)
    return math.copysign(rounded * abs(multiple), x)


def _ceiling_math(x: float, significance: float = 1.0, mode: float = 0.0) -> float | CellError:
    significance = abs(significance) or 0.0
    if significance == 0:
        return 0.0
    if x < 0 and mode:
        return _multiple(x, significance, math.floor)
    return _multiple(x, significance, math.ceil)


def _floor_math(x: float, significance: float = 1.0, mode: float = 0.0) -> float | CellError:
    significance = abs(significance)
    if significance == 0:
        return 0.0
    if x < 0 and mode:
        return _multiple(x, significance, math.ceil)
    return _multiple(x, significance, math.floor)


def _trunc(x: float, digits: float = 0.0) -> float:
    scale = 10.0 ** int(digits)
    return math.trunc(x * scale) / scale


def _even_odd(odd: bool) -> Callable[[float], float]:
    def shape(x: float) -> float:
        size = math.ceil(abs(x))
        if odd:
            size = size if size % 2 == 1 else size + 1
        else:
            size = size if size % 2 == 0 else size + 1
        return math.copysign(size, x) if x else (1.0 if odd else 0.0)

    return shape


def _fact(x: float) -> float | CellError:
    return NUM if x < 0 or x > 170 else float(math.factorial(int(x)))


def _quotient(x: float, y: float) -> float | CellError:
    return DIV0 if y == 0 else float(math.trunc(x / y))


FUNCTIONS.add("PI", 0, 0)(lambda: math.pi)
FUNCTIONS.add("LOG", 1, 2)(numeric(_log))
FUNCTIONS.add("LOG10", 1, 1)(numeric(_log))


def _tan(x: float) -> float:
    if abs(math.cos(x)) < 1e-9:
        raise NotCoveredError("TAN next to a pole, where the last bits of pi decide")  # Excel's own digits there
    return math.tan(x)


for _name, _function in (("SIN", math.sin), ("COS", math.cos), ("TAN", _tan), ("ATAN", math.atan)):
    FUNCTIONS.add(_name, 1, 1)(numeric(_function))
FUNCTIONS.add("ASIN", 1, 1)(numeric(_asin))
FUNCTIONS.add("ACOS", 1, 1)(numeric(_acos))
FUNCTIONS.add("ATAN2", 2, 2)(numeric(_atan2))
FUNCTIONS.add("SINH", 1, 1)(numeric(math.sinh))
FUNCTIONS.add("COSH", 1, 1)(numeric(math.cosh))
FUNCTIONS.add("TANH", 1, 1)(numeric(math.tanh))
FUNCTIONS.add("DEGREES", 1, 1)(numeric(math.degrees))
FUNCTIONS.add("RADIANS", 1, 1)(numeric(math.radians))
FUNCTIONS.add("CEILING", 2, 2)(numeric(_ceiling))
FUNCTIONS.add("FLOOR", 2, 2)(numeric(_floor))
FUNCTIONS.add("MROUND", 2, 2)(numeric(_mround))
FUNCTIONS.add("CEILING.MATH", 1, 3)(numeric(_ceiling_math))
FUNCTIONS.add("FLOOR.MATH", 1, 3)(numeric(_floor_math))
FUNCTIONS.add("TRUNC", 1, 2)(numeric(_trunc))


def _precise(direction: Callable[[float, float], float | CellError]) -> Callable[..., float | CellError]:
    """CEILING.PRECISE, ISO.CEILING and FLOOR.PRECISE: towards +inf (or -inf) to a multiple of |significance|,
    whatever the signs (CEILING.PRECISE(-4.3, 2) is -4)."""

    def precise(x: float, significance: float = 1.0) -> float | CellError:
        return direction(x, significance)

    return precise


FUNCTIONS.add("CEILING.PRECISE", 1, 2)(numeric(_precise(_ceiling_math)))
FUNCTIONS.add("ISO.CEILING", 1, 2)(numeric(_precise(_ceiling_math)))
FUNCTIONS.add("FLOOR.PRECISE", 1, 2)(numeric(_precise(_floor_math)))
FUNCTIONS.add("EVEN", 1, 1)(numeric(_even_odd(False)))
FUNCTIONS.add("ODD", 1, 1)(numeric(_even_odd(True)))
FUNCTIONS.add("FACT", 1, 1)(numeric(_fact))


def _choose(ordered: bool) -> Callable[[float, float], float | CellError]:
    """COMBIN / PERMUT: the ways to choose k of n things (whole parts), unordered or ordered."""

    def ways(n: float, k: float) -> float | CellError:
        n, k = math.trunc(n), math.trunc(k)
        if n < 0 or k < 0 or k > n:
            return NUM
        return float(math.perm(n, k) if ordered else math.comb(n, k))

    return ways


def _acosh(x: float) -> float | CellError:
    return NUM if x < 1 else math.acosh(x)


def _atanh(x: float) -> float | CellError:
    return NUM if abs(x) >= 1 else math.atanh(x)


FUNCTIONS.add("COMBIN", 2, 2)(numeric(_choose(False)))
FUNCTIONS.add("PERMUT", 2, 2)(numeric(_choose(True)))
FUNCTIONS.add("ASINH", 1, 1)(numeric(math.asinh))
FUNCTIONS.add("ACOSH", 1, 1)(numeric(_acosh))
FUNCTIONS.add("ATANH", 1, 1)(numeric(_atanh))
FUNCTIONS.add("QUOTIENT", 2, 2)(numeric(_quotient))


def _integers(args: tuple[Value, ...]) -> list[int] | CellError:
    found = []
    for arg in args:
        if arg is MISSING:
            return NA  # Excel's answer to LCM(,2)
        in_range = isinstance(arg, Grid) and arg.shape != (1, 1)
        for value in arg.values() if isinstance(arg, Grid) else [arg]:
            if type(value) is bool:
                return VALUE
            if value is None:
                if in_range:
                    found.append(0)  # an empty cell in a range is 0 (LCM(G1:H1) with G1 empty is 0)
                continue  # an empty cell referred to alone counts as nothing
            if type(value) is str and isinstance(number(value), CellError) and value.strip():
                raise NotCoveredError("text that Excel may read as a date")
            n = number(value)
            if isinstance(n, CellError):
                return n
            if n < 0 or n >= 2**53:
                return NUM
            found.append(int(n))
    return found


@FUNCTIONS.add("GCD", 1, None, ranges=None)
def xl_gcd(*args: Value) -> Value:
    numbers = _integers(args)
    if isinstance(numbers, CellError):
        return numbers
    if not numbers:
        return VALUE
    return float(math.gcd(*numbers))


@FUNCTIONS.add("LCM", 1, None, ranges=None)
def xl_lcm(*args: Value) -> Value:
    numbers = _integers(args)
    if isinstance(numbers, CellError):
        return numbers
    if not numbers:
        return VALUE
    result = math.lcm(*numbers)
    return NUM if result >= 2**53 else float(result)
