"""Excel's growth and price-quotation helpers: FVSCHEDULE (a principal grown through a schedule of rates),
PDURATION (periods to grow from one value to another), RRI (the equivalent rate of a growth), ISPMT (interest of
one period of an even-principal loan), DOLLARDE and DOLLARFR (prices quoted in fractions such as 1 1/16)."""

from __future__ import annotations

import math

from ...values import DIV0, NUM, VALUE, CellError, Grid, Value, direct, finite, number
from .maths import numeric
from .spec import Library

FUNCTIONS = Library()


@FUNCTIONS.add("FVSCHEDULE", 2, 2, ranges=(1,))
def xl_fvschedule(principal: Value, schedule: Value) -> Value:
    """`principal` × (1 + r) for each rate r of `schedule`; an empty cell is a rate of 0, text or a logical in
    a range is #VALUE!."""
    start = number(direct(principal))
    if isinstance(start, CellError):
        return start
    rates = [value for row in schedule.rows for value in row] if isinstance(schedule, Grid) else [direct(schedule)]
    grown = start
    for rate in rates:
        if rate is None:
            continue
        if isinstance(rate, CellError):
            return rate
        if type(rate) is not float:
            if isinstance(schedule, Grid):
                return VALUE
            rate = number(rate)
            if isinstance(rate, CellError):
                return rate
        grown *= 1 + rate
    return finite(grown)


def _pduration(rate: float, present: float, future: float) -> float | CellError:
    if rate <= 0 or present <= 0 or future <= 0:
        return NUM
    return (math.log(future) - math.log(present)) / math.log1p(rate)


def _rri(periods: float, present: float, future: float) -> float | CellError:
    if periods <= 0 or present == 0:
        return NUM
    return (future / present) ** (1 / periods) - 1


def _ispmt(rate: float, period: float, periods: float, present: float) -> float | CellError:
    return DIV0 if periods == 0 else present * rate * (period / periods - 1)


def _fraction_scale(fraction: float) -> float | CellError:
    """10 to the number of digits of a whole `fraction` (16 -> 100); #NUM! below 0, #DIV/0! below 1."""
    whole = math.trunc(fraction)
    if whole < 0:
        return NUM
    if whole == 0:
        return DIV0
    return 10.0 ** math.ceil(math.log10(whole)) if whole > 1 else 1.0


def _dollarde(quoted: float, fraction: float) -> float | CellError:
    scale = _fraction_scale(fraction)
    if isinstance(scale, CellError):
        return scale
    whole = math.trunc(quoted)
    return whole + (quoted - whole) * scale / math.trunc(fraction)


def _dollarfr(decimal: float, fraction: float) -> float | CellError:
    scale = _fraction_scale(fraction)
    if isinstance(scale, CellError):
        return scale
    whole = math.trunc(decimal)
    return whole + (decimal - whole) * math.trunc(fraction) / scale


FUNCTIONS.add("PDURATION", 3, 3)(numeric(_pduration))
FUNCTIONS.add("RRI", 3, 3)(numeric(_rri))
FUNCTIONS.add("ISPMT", 4, 4)(numeric(_ispmt))
FUNCTIONS.add("DOLLARDE", 2, 2)(numeric(_dollarde))
FUNCTIONS.add("DOLLARFR", 2, 2)(numeric(_dollarfr))
