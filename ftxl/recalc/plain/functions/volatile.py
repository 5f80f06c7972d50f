"""Excel's volatile functions, whose value is that of the moment the workbook is computed: TODAY, NOW, RAND,
RANDBETWEEN. Excel computes them again at every recalculation, and so does ftxl: a cell that uses one (or reads
one) carries the note "volatile: recomputed now" (`ftxl.recalc.fidelity.VOLATILE`), never a saved value's claim.

TODAY and NOW read this machine's local clock, in the workbook's date system; RAND and RANDBETWEEN draw from
Python's generator (not Excel's sequence, which no file records).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from ...values import NUM, CellError, NotCoveredError, Value, direct, elementwise, number
from .dates import to_serial
from .spec import Library

FUNCTIONS = Library()


def _today(date1904: bool, now: dt.datetime) -> float | CellError:
    return to_serial(now.year, now.month, now.day, date1904)


@FUNCTIONS.add("TODAY", 0, 0, dates=True)
def xl_today(date1904: bool) -> Value:
    return _today(date1904, dt.datetime.now())


@FUNCTIONS.add("NOW", 0, 0, dates=True)
def xl_now(date1904: bool) -> Value:
    now = dt.datetime.now()
    day = _today(date1904, now)
    if isinstance(day, CellError):
        return day
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day + (now - midnight).total_seconds() / 86400


@FUNCTIONS.add("RAND", 0, 0)
def xl_rand() -> Value:
    return random.random()


def _between(bottom: Value, top: Value) -> Value:
    low, high = number(direct(bottom)), number(direct(top))
    if isinstance(low, CellError):
        return low
    if isinstance(high, CellError):
        return high
    if low != math.floor(low) or high != math.floor(high):
        raise NotCoveredError("RANDBETWEEN of bounds that are not whole numbers")
    if low > high:
        return NUM
    return float(random.randint(int(low), int(high)))


@FUNCTIONS.add("RANDBETWEEN", 2, 2)
def xl_randbetween(bottom: Value, top: Value) -> Value:
    """A whole number from `bottom` to `top`, both included (#NUM! when bottom is the larger)."""
    return elementwise(_between, bottom, top)
