"""Excel's working days: NETWORKDAYS and WORKDAY (Saturday and Sunday off), NETWORKDAYS.INTL and WORKDAY.INTL
(a weekend of one's own).

The weekend is a number (1-7: two days, 1 = Saturday and Sunday, 2 = Sunday and Monday ... 7 = Friday and
Saturday; 11-17: one day, 11 = Sunday ... 17 = Saturday) or seven characters 0/1 for Monday to Sunday, 1 a
day off ("0000011" is Saturday and Sunday). Holidays are dates as in NETWORKDAYS; text dates are left to another
engine, as everywhere in the plain engine.
"""

from __future__ import annotations

import math
import re

from ...values import MISSING, NUM, VALUE, CellError, Grid, NotCoveredError, Value, direct, number
from .dates import _serial, _weekday_index, _whole
from .spec import Library

FUNCTIONS = Library()

_NUMBERED = {k: frozenset({(k + 4) % 7, (k + 5) % 7}) for k in range(1, 8)}
_NUMBERED |= {10 + k: frozenset({(k + 5) % 7}) for k in range(1, 8)}
"""Weekend numbers -> the days off (0 = Monday ... 6 = Sunday)."""


def _holidays(holidays: Value) -> set[int] | CellError:
    """The days of a holidays argument (a range, an array or one date; empty cells are none), or its error."""
    off: set[int] = set()
    if holidays is None or holidays is direct(None):
        return off
    for value in holidays.values() if isinstance(holidays, Grid) else [holidays]:
        if value is None:
            continue
        serial = _serial(value)
        if type(serial) is CellError:
            return serial
        off.add(math.floor(serial))  # type: ignore[arg-type]
    return off


def _weekend(value: Value) -> frozenset[int] | CellError:
    """The days off a weekend argument names (left out, also between commas: Saturday and Sunday)."""
    if value is MISSING:
        return _NUMBERED[1]
    value = direct(value)
    if value is None:
        raise NotCoveredError("a weekend argument that is an empty cell")
    if isinstance(value, str):
        if not re.fullmatch(r"[01]{7}", value):
            return VALUE
        if value == "1111111":
            raise NotCoveredError('a weekend of every day ("1111111")')
        return frozenset(k for k, flag in enumerate(value) if flag == "1")
    code = number(value)
    if isinstance(code, CellError):
        return code
    return _NUMBERED.get(int(code), NUM) if code == math.floor(code) else NUM


@FUNCTIONS.add("NETWORKDAYS.INTL", 2, 4, ranges=(3,), dates=True)
def xl_networkdays_intl(
    date1904: bool, start: Value, end: Value, weekend: Value = MISSING, holidays: Value = None
) -> Value:
    """The working days from start to end, both counted (negative when end comes first)."""
    a, b, off_days = _serial(start), _serial(end), _weekend(weekend)
    if isinstance(a, CellError):
        return a
    if isinstance(b, CellError):
        return b
    if isinstance(off_days, CellError):
        return off_days
    a, b = math.floor(a), math.floor(b)
    sign = 1.0
    if a > b:
        a, b, sign = b, a, -1.0
    off = _holidays(holidays)
    if isinstance(off, CellError):
        return off
    full_weeks, rest = divmod(b - a + 1, 7)
    count = full_weeks * (7 - len(off_days))
    count += sum(1 for k in range(rest) if _weekday_index(a + full_weeks * 7 + k, date1904) not in off_days)
    count -= sum(1 for day in off if a <= day <= b and _weekday_index(day, date1904) not in off_days)
    return sign * count


@FUNCTIONS.add("WORKDAY.INTL", 2, 4, ranges=(3,), dates=True)
def xl_workday_intl(
    date1904: bool, start: Value, days: Value, weekend: Value = MISSING, holidays: Value = None
) -> Value:
    """The working day `days` working days after (before, when negative) the start date."""
    first, steps, off_days = _serial(start), _whole(days), _weekend(weekend)
    if isinstance(first, CellError):
        return first
    if isinstance(steps, CellError):
        return steps
    if isinstance(off_days, CellError):
        return off_days
    off = _holidays(holidays)
    if isinstance(off, CellError):
        return off
    if abs(steps) > 100_000:
        return NUM
    day, step, left = math.floor(first), (1 if steps >= 0 else -1), abs(steps)
    while left:
        day += step
        if _weekday_index(day, date1904) not in off_days and day not in off:
            left -= 1
    return float(day) if day >= 0 else NUM


@FUNCTIONS.add("NETWORKDAYS", 2, 3, ranges=(2,), dates=True)
def xl_networkdays(date1904: bool, start: Value, end: Value, holidays: Value = None) -> Value:
    return xl_networkdays_intl(date1904, start, end, MISSING, holidays)


@FUNCTIONS.add("WORKDAY", 2, 3, ranges=(2,), dates=True)
def xl_workday(date1904: bool, start: Value, days: Value, holidays: Value = None) -> Value:
    """WORKDAY(start_date, days, [holidays]): the working day (Monday to Friday, not a holiday) `days` working
    days after (before, when negative) the start date."""
    return xl_workday_intl(date1904, start, days, MISSING, holidays)
